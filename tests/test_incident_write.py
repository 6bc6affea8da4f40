"""Writing the incident table: the same file as geopandas writes, and ``extra`` kept apart by the ingest.

``geo.datadir.write_incidents`` builds the GeoParquet file without a shapely point per row or a
second frame; the file must be byte for byte the one ``GeoDataFrame.to_parquet`` wrote (so the
front table's footer digest is unchanged too). ``geo ingest`` keeps the staged ``extra`` column
in a temporary file until the write and puts it back row for row by ``incident_id``.
"""

from __future__ import annotations

import json

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from geo import build, datadir
from geo.datadir import FRONT_COLUMNS, INCIDENTS_FILE, VERSIONS_DIR
from geo.schema import ALL_COLUMNS, coerce_incidents
from tests.synthetic_data import build_incidents


def _geopandas_file(frame: pd.DataFrame, path) -> bytes:
    """The file as it was written before: a GeoDataFrame of shapely points, ``to_parquet``."""
    frame = coerce_incidents(frame, ALL_COLUMNS, keep_arrays=True)
    base = frame.drop(columns=list(FRONT_COLUMNS))
    gdf = gpd.GeoDataFrame(base, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    gdf.to_parquet(path, index=False)
    return path.read_bytes()


def _variants() -> dict[str, pd.DataFrame]:
    frame = build_incidents()
    empty_lists = frame.assign(source_urls=[[] for _ in range(len(frame))], weapons=[[] for _ in range(len(frame))])
    signed = frame.assign(lon=np.where(np.arange(len(frame)) % 2, -0.0, frame["lon"]), lat=frame["lat"] * -1)
    missing = frame.assign(lon=np.where(np.arange(len(frame)) == 3, np.nan, frame["lon"]))
    arrays = coerce_incidents(frame, ALL_COLUMNS)
    arrays["target_types"] = [np.array(v, dtype=object) for v in arrays["target_types"]]
    return {"synthetic": frame, "every list empty in two columns": empty_lists, "negative and -0.0 coordinates": signed,
            "a missing coordinate (geopandas path)": missing, "lists read back as arrays": arrays,
            "no rows": frame.iloc[:0], "one row": frame.iloc[:1]}


@pytest.mark.parametrize("name", list(_variants()))
def test_the_incident_file_is_byte_for_byte_what_geopandas_wrote(name, tmp_path):
    """Same bytes (schema, pandas and geo metadata, bounding box, WKB, row group) for tables of every shape."""
    frame = _variants()[name]
    expected = _geopandas_file(frame, tmp_path / "expected.parquet")
    datadir.write_incidents(tmp_path, frame)
    assert (tmp_path / INCIDENTS_FILE).read_bytes() == expected


def test_extra_given_apart_is_written_as_the_frame_column(tmp_path):
    """``write_incidents(..., extra=)`` writes the same file as the frame holding those values."""
    frame = coerce_incidents(build_incidents(), ALL_COLUMNS)
    values = [json.dumps({"row": i, "note": "é\"<x>"}) if i % 5 else None for i in range(len(frame))]
    expected = _geopandas_file(frame.assign(extra=pd.array(values, dtype="string")), tmp_path / "expected.parquet")
    blank = frame.assign(extra=pd.array([None] * len(frame), dtype="string"))
    datadir.write_incidents(tmp_path, blank, extra=pa.chunked_array([values[:10], values[10:]], pa.large_string()))
    assert (tmp_path / INCIDENTS_FILE).read_bytes() == expected
    with pytest.raises(ValueError, match="values of `extra`"):
        datadir.write_incidents(tmp_path, blank, extra=pa.array(values[:-1], pa.large_string()))


def _csv(path, rows: list[tuple[str, str, float, str]]) -> None:
    """A generic incident file whose ``note`` column has no canonical home (it goes into ``extra``)."""
    pd.DataFrame([{"id": i, "date": d, "lat": 50.45, "lon": lon, "event_type": "shelling", "note": note}
                  for i, d, lon, note in rows]).to_csv(
        path, index=False)


def _extra_by_id(directory) -> dict[str, str]:
    frame = datadir.read_tables(directory).incidents
    return dict(zip(frame["incident_id"], frame["extra"], strict=True))


def test_ingest_puts_extra_back_row_for_row(tmp_path, monkeypatch):
    """New rows, replaced rows, rows kept from the directory and ids repeated in one file get their own ``extra``.

    The result equals an ingest with ``extra`` kept in the frame (the aside switched off), and
    the temporary file is gone.
    """
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    _csv(first, [("a", "2024-03-01", 30.5, "one"), ("b", "2024-03-02", 30.6, "two"), ("c", "2024-03-03", 30.7, "three")])
    _csv(second, [("b", "2024-03-02", 30.6, "two again"), ("d", "2024-03-04", 30.8, "four"),
                  ("e", "2024-03-05", 30.9, "five")])
    results = {}
    for mode in ("aside", "in frame"):
        if mode == "in frame":
            monkeypatch.setattr(build._ExtraAside, "put", classmethod(lambda cls, result, directory: cls(None, None)))
        out = tmp_path / mode
        build.ingest_into(out, [first], fmt="generic", mapping={"source_id": "id"}, source_label="mine")
        build.ingest_into(out, [second], fmt="generic", mapping={"source_id": "id"}, source_label="mine")
        assert not list((out / VERSIONS_DIR).glob(".tmp-*"))
        results[mode] = _extra_by_id(out)
    assert results["aside"] == results["in frame"]
    notes = {key: json.loads(value)["note"] for key, value in results["aside"].items()}
    assert sorted(notes.values()) == ["five", "four", "one", "three", "two again"]


def test_the_staged_extra_goes_back_to_its_ids_when_the_table_order_differs(tmp_path):
    """The look-up by id: the last staged row of an id wins, rows not staged keep their own value."""
    result = build.ImportResult(coerce_incidents(pd.DataFrame({
        "incident_id": ["x:1", "x:2", "x:1", "x:3"], "extra": ['{"v": 1}', '{"v": 2}', '{"v": 3}', None]})), None, 4)
    aside = build._ExtraAside.put(result, tmp_path)
    try:
        assert result.incidents["extra"].isna().all()
        merged = pd.DataFrame({"incident_id": ["x:0", "x:3", "x:1", "x:2"],
                               "extra": pd.array(['{"own": 0}', None, None, None], dtype="string")})
        assert aside.column(merged).to_pylist() == ['{"own": 0}', None, '{"v": 3}', '{"v": 2}']
    finally:
        aside.remove()
    assert not aside.path.exists()


def test_a_row_group_table_reads_back_like_the_frame(tmp_path):
    """The written table reads back (joined with its front table) as the frame that was written."""
    frame = coerce_incidents(build_incidents(), ALL_COLUMNS)
    datadir.write_incidents(tmp_path, frame)
    back = datadir.read_incidents_table(tmp_path / INCIDENTS_FILE)
    pd.testing.assert_frame_equal(coerce_incidents(back, ALL_COLUMNS), frame)
    assert pq.ParquetFile(tmp_path / INCIDENTS_FILE).schema_arrow.field("geometry").type == pa.binary()


def _staged(records: list[dict], name: str):
    """What ``stage_files`` returns for these canonical records (no quarantine)."""
    from geo.schema import IMPORT_COLUMNS, ImportResult, empty_quarantine
    from tests.test_fusion import frame

    rows = coerce_incidents(frame(*records), IMPORT_COLUMNS)
    n = len(rows)
    result = ImportResult(rows, empty_quarantine(), n, files=[{"file": name, "source": "x", "rows_read": n, "imported": n,
                                                               "format": "acled"}])
    return result, [{"file": name, "sha256": None, "format": "acled", "rows": n, "imported": n, "imported_at": "now"}]


def test_fusion_beside_the_enrichment_gives_the_table_fused_after_it(tmp_path, monkeypatch):
    """``geo ingest`` fuses on a thread while it enriches: same tables as fusing afterwards, on re-imports too."""
    from tests.test_fusion import record

    batches = [
        ("a.csv", [record(f"a{i}", "acled", km_north=i * 3.0, day=i % 3, killed=i % 2) for i in range(8)]),
        ("u.csv", [record(f"u{i}", "ucdp", km_north=i * 3.0 + 0.2, day=i % 3, killed=2) for i in range(5)]),
        ("a.csv", [record(f"a{i}", "acled", km_north=i * 3.0, day=i % 3, killed=3) for i in range(2, 10)]),
    ]
    tables = {}
    for overlap in (True, False):
        monkeypatch.setattr(build, "FUSE_WHILE_ENRICHING", overlap)
        out = tmp_path / f"overlap-{overlap}"
        for name, records in batches:
            monkeypatch.setattr(build, "stage_files", lambda *a, records=records, name=name, **k: _staged(records, name))
            build.ingest_into(out, [tmp_path / name])
        tables[overlap] = datadir.read_tables(out).incidents
    assert tables[True]["event_size"].max() > 1 and len(tables[True]) == 15
    pd.testing.assert_frame_equal(tables[True], tables[False])
