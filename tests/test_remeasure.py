"""Adding a front-line snapshot re-measures only the incidents it applies to, and equals a full recompute."""

import geopandas as gpd
import numpy as np
import pandas as pd
import pandas.testing as pdt
import shapely

from geo import build, datadir
from geo.distance import FRONT_ENRICHMENT_COLUMNS, compute_front_enrichment, update_front_enrichment
from geo.frontlines import _frame, derive_front_geometry


def _snapshots(specs):
    """Front-line frame from (date, occupied box) pairs, derived as the importer does."""
    rows, area, contact, grey = [], [], [], []
    for date, box in specs:
        occupied, line, contested = derive_front_geometry([shapely.box(*box)], [])
        rows.append({"snapshot_date": pd.Timestamp(date), "source": "generic", "method": "test"})
        area.append(occupied)
        contact.append(line)
        grey.append(contested)
    return _frame(rows, area, contact, grey)


def _incidents(n=400, seed=3):
    rng = np.random.default_rng(seed)
    lon = rng.uniform(34.5, 39.0, n)
    lat = rng.uniform(46.8, 49.8, n)
    dates = pd.Timestamp("2022-12-01") + pd.to_timedelta(rng.integers(0, 200, n), unit="D")
    lon[:5] = np.nan  # no coordinates
    return lon, lat, dates.to_numpy().astype("datetime64[ns]")


OLD = [("2023-01-01", (37.0, 46.9, 40.0, 48.6)), ("2023-04-01", (36.6, 46.9, 40.0, 48.8))]
NEW = ("2023-02-15", (36.8, 46.9, 40.0, 48.9))


def test_update_equals_full_recompute_and_touches_only_the_new_snapshots_incidents():
    """A snapshot inserted between two others: exactly the incidents dated from it to the next are re-measured."""
    lon, lat, dates = _incidents()
    old = _snapshots(OLD)
    new = _snapshots([*OLD, NEW]).sort_values("snapshot_date").reset_index(drop=True)
    current = compute_front_enrichment(lon, lat, dates, old, workers=1)
    updated, changed = update_front_enrichment(lon, lat, dates, current, old, new, workers=1)
    full = compute_front_enrichment(lon, lat, dates, new, workers=1)
    pdt.assert_frame_equal(updated[list(FRONT_ENRICHMENT_COLUMNS)], full[list(FRONT_ENRICHMENT_COLUMNS)])
    applies = (dates >= np.datetime64("2023-02-15")) & (dates < np.datetime64("2023-04-01"))
    assert changed.tolist() == applies.tolist()
    assert 0 < changed.sum() < len(lon)


def test_update_from_no_front_lines_and_with_a_replaced_snapshot():
    """From no front lines every dated incident is measured; replacing one snapshot's geometry re-measures its incidents."""
    lon, lat, dates = _incidents(seed=5)
    empty = compute_front_enrichment(lon, lat, dates, None)
    first = _snapshots(OLD)
    updated, changed = update_front_enrichment(lon, lat, dates, empty, None, first, workers=1)
    pdt.assert_frame_equal(updated, compute_front_enrichment(lon, lat, dates, first, workers=1))
    assert changed.tolist() == (dates >= np.datetime64("2023-01-01")).tolist()
    replaced = _snapshots([OLD[0], ("2023-04-01", (36.0, 46.9, 40.0, 49.0))])
    again, changed = update_front_enrichment(lon, lat, dates, updated, first, replaced, workers=1)
    pdt.assert_frame_equal(again, compute_front_enrichment(lon, lat, dates, replaced, workers=1))
    assert changed.tolist() == (dates >= np.datetime64("2023-04-01")).tolist()


def _write_snapshot(folder, date, box):
    path = folder / f"front_{date}.geojson"
    gpd.GeoDataFrame({"status": ["occupied"]}, geometry=[shapely.box(*box)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    return path


def test_directory_frontlines_import_is_incremental_and_exact(tmp_path, monkeypatch):
    """`frontlines_into` a directory with incidents: no full enrichment, same table as a full re-enrichment afterwards."""
    lon, lat, dates = _incidents(n=120, seed=9)
    csv = tmp_path / "events.csv"
    pd.DataFrame(
        {"id": [f"e{i}" for i in range(len(lon))], "date": pd.to_datetime(dates).strftime("%Y-%m-%d"), "lat": lat, "lon": lon}
    ).iloc[5:].to_csv(csv, index=False)
    out = tmp_path / "data"
    build.ingest_into(out, [csv], fmt="generic")
    fronts = tmp_path / "fronts"
    fronts.mkdir()
    build.frontlines_into(out, [_write_snapshot(fronts, d, b) for d, b in OLD], fmt="generic")
    full_enrich = build.enrich

    full_fuse = build.fuse

    def refuse(tables):
        raise AssertionError("adding a snapshot must not re-enrich every incident")

    def refuse_fusion(incidents):
        raise AssertionError("adding a snapshot changes no record: the fusion columns are kept, not recomputed")

    monkeypatch.setattr(build, "enrich", refuse)
    monkeypatch.setattr(build, "fuse", refuse_fusion)
    build.frontlines_into(out, [_write_snapshot(fronts, *NEW)], fmt="generic")
    monkeypatch.setattr(build, "enrich", full_enrich)
    monkeypatch.setattr(build, "fuse", full_fuse)
    incremental = datadir.read_tables(out).incidents
    full = build.update_enrichment(out)  # enriches and fuses everything again
    columns = ["incident_id", *FRONT_ENRICHMENT_COLUMNS]
    pdt.assert_frame_equal(
        incremental[columns].sort_values("incident_id").reset_index(drop=True),
        full[columns].sort_values("incident_id").reset_index(drop=True),
    )
    # every column, the kept fusion columns included, equals the full rebuild's
    pdt.assert_frame_equal(
        incremental.sort_values("incident_id").reset_index(drop=True),
        full.sort_values("incident_id").reset_index(drop=True),
    )
    assert incremental["front_snapshot_date"].eq(pd.Timestamp("2023-02-15")).sum() > 0


def test_fuse_if_needed_fuses_a_table_without_complete_event_columns():
    """A table read from a directory written before fusion (event columns empty) is fused; a fused one is kept."""
    lon, lat, dates = (v[5:] for v in _incidents(n=45, seed=11))  # the first five have no coordinates
    frame = pd.DataFrame({"incident_id": [f"generic:{i}" for i in range(40)], "source": "generic",
                          "source_id": [f"{i}" for i in range(40)], "date": dates, "lon": lon, "lat": lat,
                          "date_precision": "day", "geo_precision": "exact", "event_type": "shelling"})
    from geo.schema import ALL_COLUMNS, coerce_incidents

    bare = coerce_incidents(frame, ALL_COLUMNS)
    fused = build.fuse_if_needed(bare)
    assert fused is not bare and fused["event_id"].notna().all()
    pdt.assert_frame_equal(fused, build.fuse(bare))
    assert build.fuse_if_needed(fused) is fused
    partly = fused.copy()
    partly.loc[3, "event_id"] = pd.NA
    pdt.assert_frame_equal(build.fuse_if_needed(partly), build.fuse(bare))
