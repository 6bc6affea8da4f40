"""A corpus of malformed inputs, generated here, run through the importers.

Every input ends one of two ways, never any other:

- a clear :class:`geo.schema.UnreadableFileError` / ``ValueError`` whose message names the file,
  the problem and what to do; or
- a documented recovery (delimiter, encoding, BOM, decimal comma, DMS, ...) where every row read
  is either imported or quarantined with a reason: ``rows_read == imported + quarantined``.

Incident files go through :func:`geo.ingest.read_incidents`; front-line and boundary GeoJSON
through :func:`geo.frontlines.read_frontlines` and :func:`geo.boundaries.load_boundaries`.
"""

from __future__ import annotations

import codecs
import gzip
import json
import tracemalloc
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from geo import ingest
from geo.schema import QUARANTINE_REASONS, UnreadableFileError

HEADER = "date,latitude,longitude,location,description,killed,injured"
GOOD_ROWS = [
    "2024-02-01,50.4501,30.5234,Kyiv,Missile strike on a flat,2,5",
    "2024-02-02,49.9935,36.2304,Kharkiv,Drone hit a school,0,3",
    "2024-02-03,46.4825,30.7233,Odesa,Port warehouse hit,,1",
]
TODAY = "2026-01-01"
DEEP = 100_000  # nesting depth of the issue-17 files (Python's json recursed once per level)
ACTION_WORDS = ("check", "export", "save", "split", "rename", "add", "put", "use", "give", "fix", "raise",
                "reproject", "open", "extract", "name the", "download", "convert", "map", "nothing to import", "import")


def _csv(*rows: str, header: str = HEADER, newline: str = "\n") -> str:
    return newline.join([header, *rows]) + newline


@dataclass
class Case:
    """One malformed input: how to build it and what must happen."""

    name: str
    build: Callable[[Path], Path]
    outcome: str  # "error" or "recover"
    problem: str = ""  # words the error message must contain (lower case)
    imported: int | None = None
    reasons: dict[str, int] | None = None
    fmt: str = "auto"


def _write(name: str, data: bytes | str, encoding: str = "utf-8") -> Callable[[Path], Path]:
    def build(tmp: Path) -> Path:
        path = tmp / name
        path.write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
        return path

    return build


def _zip_bomb(name: str, members: int = 1, mb_each: int = 64) -> Callable[[Path], Path]:
    """A small zip whose members would decompress to ``members * mb_each`` MB (never decompressed here)."""

    def build(tmp: Path) -> Path:
        path = tmp / name
        chunk = b"\0" * (1 << 20)
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
            for k in range(members):
                with archive.open(f"xl/worksheets/sheet{k}.xml" if name.endswith(".xlsx") else f"data{k}.csv", "w") as member:
                    for _ in range(mb_each):
                        member.write(chunk)
        return path

    return build


def _all_date_formats(tmp: Path) -> Path:
    """One row per date format the importers claim (plus a spreadsheet serial), all 2023-03-04."""
    import csv

    from geo.parsing import DATE_FORMATS

    moment = pd.Timestamp("2023-03-04 05:06:07")
    values = [moment.strftime(fmt) for fmt in DATE_FORMATS] + ["44989"]
    path = tmp / "all_formats.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "latitude", "longitude"])
        writer.writerows([i, value, 50.45, 30.52] for i, value in enumerate(values))
    return path


def _deep_geojson(path: Path) -> Path:
    """A FeatureCollection whose one polygon's coordinates are nested :data:`DEEP` levels."""
    head = '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"date": "2024-02-01"}, ' \
           '"geometry": {"type": "Polygon", "coordinates": '
    path.write_text(head + "[" * DEEP + "]" * DEEP + "}}]}", encoding="utf-8")
    return path


def _curated_deep_cell() -> str:
    """A curated-format row whose list cell is 100,000 opening brackets (a JSON list that never ends)."""
    header = "source_id,date,lat,lon,target_types,weapons,source_urls,location,description"
    return f"{header}\nx1,2024-02-01,50.45,30.52,{'[' * DEEP},drone,https://example.org/a,Kyiv,deep cell\n"


def _geojson(name: str, features: list | None, crs: str | None = None, extra: dict | None = None):
    def build(tmp: Path) -> Path:
        data: dict = {"type": "FeatureCollection", "features": features}
        if crs:
            data["crs"] = {"type": "name", "properties": {"name": crs}}
        data.update(extra or {})
        path = tmp / name
        path.write_text(json.dumps(data), encoding="utf-8")
        return path

    return build


def _point(lon, lat, **props):
    return {"type": "Feature", "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {"date": "2024-02-01", **props}}


def _web_mercator(lon: float, lat: float) -> tuple[float, float]:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(lon, lat)


_KYIV_3857 = _web_mercator(30.5234, 50.4501)

CASES: list[Case] = [
    Case("empty", _write("empty.csv", b""), "error", "empty"),
    Case("blank_space", _write("blank.csv", b"  \n\n \t\n"), "error", "blank"),
    Case("bom_only", _write("bom_only.csv", codecs.BOM_UTF8), "error", ""),
    Case("header_only", _write("header_only.csv", HEADER + "\n"), "error", "no data rows"),
    Case("no_header", _write("no_header.csv", "\n".join(GOOD_ROWS) + "\n"), "error", "looks like data"),
    Case("semicolon_delimiter", _write("semicolon.csv", _csv(*(r.replace(",", ";") for r in GOOD_ROWS),
                                                             header=HEADER.replace(",", ";"))), "recover", imported=3),
    Case("tab_delimiter", _write("tabs.csv", _csv(*(r.replace(",", "\t") for r in GOOD_ROWS),
                                                  header=HEADER.replace(",", "\t"))), "recover", imported=3),
    Case("rows_with_other_delimiter", _write("mixed_delims.csv", _csv(GOOD_ROWS[0], GOOD_ROWS[1].replace(",", ";"))),
         "recover", imported=1, reasons={"row_malformed": 1}),
    Case("utf16_bom", _write("utf16.csv", _csv(*GOOD_ROWS), encoding="utf-16"), "recover", imported=3),
    Case("utf16le_no_bom", _write("utf16le.csv", _csv(*GOOD_ROWS), encoding="utf-16-le"), "recover", imported=3),
    Case("utf8_bom", _write("bom.csv", codecs.BOM_UTF8 + _csv(*GOOD_ROWS).encode()), "recover", imported=3),
    Case("latin1_invalid_utf8", _write("latin1.csv", _csv("2024-02-01,50.45,30.52,Kyiv,caf\xe9 \x81\x8d\x90 hit,1,1"),
                                       encoding="latin-1"), "recover", imported=1),
    Case("cp1251_cyrillic", _write("cp1251.csv", _csv("2024-02-01,50.45,30.52,Київ,Удар по будинку,1,1"),
                                   encoding="cp1251"), "recover", imported=1),
    Case("mixed_line_endings", _write("endings.csv", HEADER + "\r\n" + GOOD_ROWS[0] + "\n" + GOOD_ROWS[1] + "\r"
                                      + GOOD_ROWS[2] + "\r\n"), "recover", imported=3),
    Case("truncated_in_quote", _write("truncated.csv", _csv(*GOOD_ROWS) + '2024-02-04,50.1,30.1,"Kyiv, unfinished'),
         "error", "truncated"),
    Case("truncated_mid_row", _write("cut.csv", _csv(*GOOD_ROWS) + "2024-02-04,50.1"), "recover", imported=3,
         reasons={"row_malformed": 1}),
    Case("binary_png", _write("picture.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20), "error", ""),
    Case("binary_nul_bytes", _write("random.csv", bytes(range(256)) * 64), "error", "binary"),
    Case("gzip_renamed", lambda tmp: _gzip(tmp), "error", "gzip"),
    Case("zip_bomb_renamed_csv", _zip_bomb("bomb.csv", members=4, mb_each=64), "error", "zip"),
    Case("zip_bomb_xlsx", _zip_bomb("bomb.xlsx", members=4, mb_each=64), "error", "zip bomb"),
    Case("text_renamed_xlsx", _write("fake.xlsx", _csv(*GOOD_ROWS)), "error", "xlsx"),
    Case("old_xls", _write("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600), "error", "xls"),
    Case("garbage_parquet", _write("table.parquet", b"PAR1 garbage PAR1"), "error", "parquet"),
    Case("missing_coordinates", _write("nocoords.csv", "date,location\n2024-02-01,Kyiv\n"), "error", "lat, lon"),
    Case("missing_date", _write("nodate.csv", "latitude,longitude\n50.45,30.52\n"), "error", "date"),
    Case("decimal_commas", _write("commas.csv", "date;latitude;longitude;killed\n01.02.2024;50,4501;30,5234;2\n"
                                  "02.02.2024;49,9935;36,2304;0\n"), "recover", imported=2),
    Case("dates_every_format", _all_date_formats, "recover", imported=None),
    Case("impossible_dates", _write("baddates.csv", _csv(
        "2023-02-30,50.45,30.52,Kyiv,a,1,1", "31/31/2022,50.45,30.52,Kyiv,b,1,1", "2022-13-01,50.45,30.52,Kyiv,c,1,1",
        "0000-00-00,50.45,30.52,Kyiv,d,1,1", "yesterday,50.45,30.52,Kyiv,e,1,1", "1900-01-01,50.45,30.52,Kyiv,f,1,1",
        "2999-01-01,50.45,30.52,Kyiv,g,1,1", ",50.45,30.52,Kyiv,h,1,1", "1500-01-01,50.45,30.52,Kyiv,i,1,1",
        "9999-12-31,50.45,30.52,Kyiv,j,1,1", GOOD_ROWS[0])),
        "recover", imported=1, reasons={"date_unparseable": 5, "date_out_of_range": 2, "date_in_future": 2,
                                        "date_missing": 1}),
    Case("dms_coordinates", _write("dms.csv", _csv("2024-02-01,\"50°27'00\"\"N\",\"30°31'24\"\"E\",Kyiv,a,1,1",
                                                   "2024-02-01,50 27 0 N,30 31 24 E,Kyiv,b,1,1")),
         "recover", imported=2),
    Case("nan_inf_coordinates", _write("naninf.csv", _csv("2024-02-01,nan,30.52,Kyiv,a,1,1",
                                                          "2024-02-01,inf,30.52,Kyiv,b,1,1",
                                                          "2024-02-01,50.45,-inf,Kyiv,c,1,1",
                                                          "2024-02-01,1e400,30.52,Kyiv,d,1,1",
                                                          "2024-02-01,95,30.52,Kyiv,e,1,1",
                                                          "2024-02-01,30.52,50.45,Kyiv,f,1,1", GOOD_ROWS[1])),
         "recover", imported=1),
    Case("nan_inf_casualties", _write("casualties.csv", _csv("2024-02-01,50.45,30.52,Kyiv,a,inf,1",
                                                             "2024-02-01,50.45,30.52,Kyiv,b,-3,1",
                                                             "2024-02-01,50.45,30.52,Kyiv,c,2.5,1",
                                                             "2024-02-01,50.45,30.52,Kyiv,d,NaN,1",
                                                             "2024-02-01,50.45,30.52,Kyiv,e,1e9999,1")),
         "recover"),
    Case("duplicated_headers", _write("dupcols.csv", "date,latitude,longitude,date\n2024-02-01,50.45,30.52,x\n"),
         "error", "more than once"),
    Case("duplicated_headers_case", _write("dupcase.csv", "Date,latitude,longitude,DATE\n2024-02-01,50.45,30.52,x\n"),
         "error", "more than once"),
    Case("too_many_fields", _write("wide.csv", _csv(GOOD_ROWS[0] + ",extra,fields", *GOOD_ROWS[1:])),
         "recover", imported=2, reasons={"row_malformed": 1}),
    Case("nul_in_middle", _write("nul.csv", _csv(GOOD_ROWS[0], "2024-02-02,49.99,36.23,Khar\0kiv,x,1,1")), "error", "nul"),
    Case("huge_cell", _write("hugecell.csv", _csv("2024-02-01,50.45,30.52,Kyiv," + "x" * 5_000_000 + ",1,1")),
         "recover", imported=1),
    Case("geojson_no_features", _geojson("none.geojson", []), "error", "no features"),
    Case("geojson_features_not_list", _geojson("notlist.geojson", None, extra={"features": "nope"}), "error", "features"),
    Case("geojson_invalid_json", _write("broken.geojson", '{"type": "FeatureCollection", "features": [1, '),
         "error", "json"),
    Case("geojson_wrong_geometry", _geojson("lines.geojson", [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[30, 50], [31, 50]]},
         "properties": {"date": "2024-02-01"}},
        {"type": "Feature", "geometry": None, "properties": {"date": "2024-02-01"}},
        "not a feature",
        _point(30.52, 50.45)]), "recover"),
    Case("geojson_epsg3857", _geojson("mercator.geojson", [_point(*_KYIV_3857)], crs="urn:ogc:def:crs:EPSG::3857"),
         "recover", imported=1),
    Case("geojson_unknown_crs", _geojson("weird.geojson", [_point(1, 2)], crs="EPSG:999999"), "error", "reproject"),
    Case("json_top_level_string", _write("string.json", '"just a string"'), "error", ""),
    Case("unknown_format_option", _write("fine.csv", _csv(*GOOD_ROWS)), "error", "unknown format", fmt="pdf"),
    # issue 17: nesting that used to end in RecursionError, tables given where polygons belong
    Case("json_nested_100k_arrays", _write("deep.json", "[" * DEEP + "]" * DEEP), "error", "nested"),
    Case("json_nested_100k_objects", _write("deep_objects.json", '{"a":' * DEEP + "1" + "}" * DEEP), "error", "nested"),
    Case("geojson_coordinates_nested_100k", lambda tmp: _deep_geojson(tmp / "deep.geojson"), "error", "nested"),
    Case("json_unclosed_nesting_100k", _write("unclosed.json", "[" * DEEP), "error", "nested"),
    Case("json_brackets_in_strings_not_nesting", _write("strings.geojson", json.dumps(
        {"type": "FeatureCollection", "features": [_point(30.52, 50.45, note="[" * 5000 + '\\"{' * 500)]})),
        "recover", imported=1),
    Case("csv_list_cell_nested_100k", _write("curated_deep.csv", _curated_deep_cell()), "recover"),
]


def _gzip(tmp: Path) -> Path:
    path = tmp / "compressed.csv"
    path.write_bytes(gzip.compress(_csv(*GOOD_ROWS).encode()))
    return path


def test_corpus_size():
    assert len(CASES) >= 30
    assert len({c.name for c in CASES}) == len(CASES)


def _check_error(path: Path, exc: BaseException, case: Case) -> None:
    message = str(exc)
    assert path.name in message or path.stem in message or case.fmt != "auto", f"file not named: {message}"
    assert case.problem in message.lower(), f"problem {case.problem!r} not named: {message}"
    assert any(word in message.lower() for word in ACTION_WORDS), f"no advice: {message}"
    assert "Traceback" not in message and len(message) < 2_000


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_bad_incident_file(tmp_path, case):
    path = case.build(tmp_path)
    try:
        result = ingest.read_incidents([path], fmt=case.fmt, today=TODAY, max_bytes=200 << 20, max_rows=1_000_000)
    except (UnreadableFileError, ValueError) as exc:
        assert case.outcome == "error", f"expected a recovery, got: {exc}"
        _check_error(path, exc, case)
        return
    assert case.outcome == "recover", f"expected an error, imported {len(result.incidents)} rows"
    imported, quarantined = len(result.incidents), len(result.quarantine)
    assert result.rows_read == imported + quarantined
    assert result.rows_read > 0
    assert set(result.quarantine["reason"]) <= set(QUARANTINE_REASONS)
    assert result.quarantine["detail"].notna().all() and result.quarantine["row_number"].notna().all()
    if case.imported is not None:
        assert imported == case.imported, result.quarantine[["reason", "detail"]].to_string()
    if case.reasons is not None:
        assert result.quarantine["reason"].value_counts().to_dict() == case.reasons
    if imported:
        assert result.incidents["lat"].between(40, 56).all() and result.incidents["lon"].between(18, 45).all()


def test_every_claimed_date_format_reads_the_same_day(tmp_path):
    from geo.parsing import DATE_FORMATS

    result = ingest.read_incidents([_all_date_formats(tmp_path)], today=TODAY)
    assert result.rows_read == len(DATE_FORMATS) + 1
    days = result.incidents.set_index("source_id")["date"].dt.strftime("%Y-%m-%d")
    wrong = {sid: day for sid, day in days.items() if day != "2023-03-04"}
    missing = result.quarantine[["row_number", "detail"]].to_dict("records")
    assert wrong == {} and missing == []


def test_dms_and_decimal_comma_values_are_read_exactly(tmp_path):
    result = ingest.read_incidents([_write("dms.csv", _csv("2024-02-01,\"50°27'00\"\"N\",\"30°31'24\"\"E\",Kyiv,a,1,1"))(tmp_path)],
                                   today=TODAY)
    assert result.incidents["lat"].round(4).tolist() == [50.45]
    assert result.incidents["lon"].round(4).tolist() == [30.5233]


def test_mercator_geojson_is_reprojected(tmp_path):
    result = ingest.read_incidents([_geojson("m.geojson", [_point(*_KYIV_3857)], crs="EPSG:3857")(tmp_path)], today=TODAY)
    assert result.incidents["lon"].round(3).tolist() == [30.523] and result.incidents["lat"].round(3).tolist() == [50.45]


def test_one_line_of_100_mb_is_refused_fast_with_bounded_memory(tmp_path):
    """100 MB without a newline: refused by the size limit, or as "not a table", reading only the start."""
    path = tmp_path / "oneline.csv"
    with open(path, "wb") as handle:
        block = b"a," * (1 << 19)
        for _ in range(100):
            handle.write(block)
    assert path.stat().st_size == 100 << 20
    for limit in (50 << 20, None):
        tracemalloc.start()
        with pytest.raises(UnreadableFileError) as info:
            ingest.read_incidents([path], max_bytes=limit, today=TODAY)
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert "oneline.csv" in str(info.value)
        assert "limit" in str(info.value) or "longer than" in str(info.value)
        assert peak < 64 << 20, f"peak {peak / 1e6:.0f} MB"


def test_row_limit_refuses_long_files(tmp_path):
    path = _write("long.csv", _csv(*(GOOD_ROWS * 40)))(tmp_path)
    with pytest.raises(UnreadableFileError, match="row limit"):
        ingest.read_incidents([path], max_rows=100, today=TODAY)
    assert len(ingest.read_incidents([path], max_rows=120, today=TODAY).incidents) == 3


# ---------------------------------------------------------------- front lines and boundaries

_SQUARE = [[[37.0, 47.0], [39.0, 47.0], [39.0, 49.0], [37.0, 49.0], [37.0, 47.0]]]
_BOWTIE = [[[37.0, 47.0], [39.0, 49.0], [39.0, 47.0], [37.0, 49.0], [37.0, 47.0]]]


def _polygon(coords, **props):
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": coords}, "properties": props}


def _mercator_ring(ring):
    return [[list(_web_mercator(x, y)) for x, y in ring]]


GEO_CASES = {
    "no_features": (_geojson("2024-02-01_front.geojson", []), "error"),
    "points_only": (_geojson("2024-02-01_points.geojson", [_point(37.5, 47.5)]), "error"),
    "lines_only": (_geojson("2024-02-01_lines.geojson", [
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[37, 47], [38, 48]]}, "properties": {}}]),
        "error"),
    "invalid_polygon": (_geojson("2024-02-01_bowtie.geojson", [_polygon(_BOWTIE, date="2024-02-01", name="x")]), "either"),
    "crs_3857": (_geojson("2024-02-01_merc.geojson", [_polygon(_mercator_ring(_SQUARE[0]), date="2024-02-01", name="x")],
                          crs="urn:ogc:def:crs:EPSG::3857"), "either"),
    "invalid_json": (_write("2024-02-01_broken.geojson", "{not json"), "error"),
    "not_geojson": (_write("2024-02-01_text.geojson", "hello"), "error"),
    "binary": (_write("2024-02-01_bin.geojson", bytes(range(256)) * 8), "error"),
    # issue 17: 100,000 levels of nesting, and incident tables given to `frontlines` / `boundaries`
    "nested_100k": (lambda tmp: _deep_geojson(tmp / "2024-02-01_deep.geojson"), "error"),
    "nested_100k_json": (_write("2024-02-01_deep.json", "[" * DEEP + "]" * DEEP), "error"),
    "csv_table": (_write("2024-02-01_table.csv", _csv(*GOOD_ROWS)), "error"),
    "xlsx_table": (lambda tmp: _xlsx(tmp / "2024-02-01_table.xlsx"), "error"),
    "table_with_other_suffix": (_write("2024-02-01_table.dat", _csv(*GOOD_ROWS)), "error"),
}


def _xlsx(path: Path) -> Path:
    frame = pd.DataFrame([row.split(",") for row in GOOD_ROWS], columns=HEADER.split(","))
    frame.to_excel(path, index=False)
    return path


def _check_geo_outcome(path: Path, call, expected: str):
    try:
        frame = call(path)
    except (UnreadableFileError, ValueError) as exc:
        assert expected in ("error", "either"), f"expected a result, got: {exc}"
        assert path.name in str(exc) or path.stem in str(exc), str(exc)
        assert "\n" not in str(exc) and len(str(exc)) < 2_000, str(exc)
        if path.suffix in (".csv", ".xlsx"):
            assert "python -m geo ingest" in str(exc), "a table given as polygons should point at `geo ingest`"
        if "deep" in path.name:
            assert "nested" in str(exc), str(exc)
        return None
    assert expected in ("recover", "either"), f"expected an error, got {len(frame)} rows"
    assert str(frame.crs).upper().endswith("4326")
    assert frame.geometry.is_valid.all()
    return frame


@pytest.mark.parametrize("case", list(GEO_CASES))
def test_bad_frontline_file(tmp_path, case):
    from geo.frontlines import read_frontlines

    build, expected = GEO_CASES[case]
    frame = _check_geo_outcome(build(tmp_path), lambda p: read_frontlines([p], fmt="generic"), expected)
    if frame is not None and case == "crs_3857":
        minx, miny, maxx, maxy = frame.total_bounds
        assert 36.9 < minx < 37.1 and 48.9 < maxy < 49.1, "EPSG:3857 coordinates were not reprojected"


@pytest.mark.parametrize("case", list(GEO_CASES))
def test_bad_boundary_file(tmp_path, case):
    from geo.boundaries import load_boundaries

    build, expected = GEO_CASES[case]
    frame = _check_geo_outcome(build(tmp_path), load_boundaries, expected)
    if frame is not None and case == "crs_3857":
        minx, miny, maxx, maxy = frame.total_bounds
        assert 36.9 < minx < 37.1, "EPSG:3857 coordinates were not reprojected"


# ---------------------------------------------------------------- upload limits


def test_upload_limits_are_configurable_and_documented(monkeypatch):
    import importlib

    import ui.uploads as uploads

    monkeypatch.setenv("CONFLICTMAP_UPLOAD_MAX_MB", "3.5")
    monkeypatch.setenv("CONFLICTMAP_UPLOAD_MAX_ROWS", "1234")
    try:
        reloaded = importlib.reload(uploads)
        assert reloaded.UPLOAD_MAX_MB == 3.5 and reloaded.UPLOAD_MAX_ROWS == 1234
    finally:
        monkeypatch.delenv("CONFLICTMAP_UPLOAD_MAX_MB")
        monkeypatch.delenv("CONFLICTMAP_UPLOAD_MAX_ROWS")
        importlib.reload(uploads)
    doc = (Path(__file__).resolve().parent.parent / "docs" / "HARDENING.md").read_text(encoding="utf-8")
    for name in ("CONFLICTMAP_UPLOAD_MAX_MB", "CONFLICTMAP_UPLOAD_MAX_ROWS", "maxUploadSize"):
        assert name in doc
