"""The front columns in a table of their own (``front.parquet``): same frames, hard links, old layouts, faults.

Adding a front-line snapshot rewrites ``front.parquet`` and hard-links ``incidents.parquet``;
every reader still gets one frame with every column, equal to what a single table gave.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pandas.testing as pdt
import pyarrow.parquet as pq
import pytest

from geo import build, datadir
from geo.datadir import FRONT_COLUMNS, FRONT_FILE, INCIDENTS_FILE, VERSIONS_DIR
from geo.schema import ALL_COLUMNS, coerce_incidents
from tests.test_remeasure import NEW, OLD, _incidents, _write_snapshot


@pytest.fixture(scope="module")
def fronted(tmp_path_factory) -> dict:
    """A directory with 115 incidents and the two OLD snapshots, and the NEW snapshot's file."""
    root = tmp_path_factory.mktemp("front")
    lon, lat, dates = _incidents(n=120, seed=9)
    csv = root / "events.csv"
    pd.DataFrame({"id": [f"e{i}" for i in range(len(lon))], "date": pd.to_datetime(dates).strftime("%Y-%m-%d"),
                  "lat": lat, "lon": lon, "killed": [i % 3 for i in range(len(lon))]}).iloc[5:].to_csv(csv, index=False)
    out = root / "data"
    build.ingest_into(out, [csv], fmt="generic")
    fronts = root / "fronts"
    fronts.mkdir()
    build.frontlines_into(out, [_write_snapshot(fronts, d, b) for d, b in OLD], fmt="generic")
    return {"dir": out, "new": _write_snapshot(fronts, *NEW), "root": root}


def _copy(fronted: dict, tmp_path: Path, name: str = "d") -> Path:
    target = tmp_path / name
    shutil.copytree(fronted["dir"], target)
    return target


def _write_old_layout(folder: Path, frame: pd.DataFrame) -> None:
    """One ``incidents.parquet`` with every column, as versions were written before the front table."""
    frame = coerce_incidents(frame, ALL_COLUMNS)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    gdf.to_parquet(folder / INCIDENTS_FILE, index=False)
    (folder / FRONT_FILE).unlink(missing_ok=True)


def test_the_two_tables_read_as_the_one_table_did(fronted, tmp_path):
    """Same frame from the split layout and from one table: all columns, skipped columns, a projection."""
    frame = datadir.read_tables(fronted["dir"]).incidents
    assert frame["front_distance_km"].notna().sum() > 0 and frame["in_occupied_territory"].any()
    split, single = tmp_path / "split", tmp_path / "single"
    single.mkdir()
    datadir.write_incidents(split, frame)
    _write_old_layout(single, frame)
    assert not set(FRONT_COLUMNS) & set(pq.read_schema(split / INCIDENTS_FILE).names)
    assert pq.read_schema(split / FRONT_FILE).names == list(FRONT_COLUMNS)
    for options in ({}, {"skip_columns": ("extra",)}, {"columns": ("date", "lon", *FRONT_COLUMNS)}):
        got = datadir.read_incidents_table(split / INCIDENTS_FILE, **options)
        pdt.assert_frame_equal(got, datadir.read_incidents_table(single / INCIDENTS_FILE, **options))
    pdt.assert_frame_equal(datadir.read_incidents_table(split / INCIDENTS_FILE), frame)


def test_adding_a_snapshot_links_the_incident_table_and_rewrites_the_front_table(fronted, tmp_path):
    directory = _copy(fronted, tmp_path)
    before = datadir.tables_folder(directory)
    build.frontlines_into(directory, [fronted["new"]], fmt="generic")
    after = datadir.tables_folder(directory)
    assert after != before
    assert os.path.samefile(before / INCIDENTS_FILE, after / INCIDENTS_FILE)
    assert not os.path.samefile(before / FRONT_FILE, after / FRONT_FILE)
    # (equality with a full rebuild, every column: tests/test_remeasure.py, which takes this path too)
    assert datadir.load_bundle(directory).incidents["front_snapshot_date"].eq(pd.Timestamp(NEW[0])).sum() > 0


def test_a_version_of_the_older_layout_loads_the_same_and_the_next_commit_splits_it(fronted, tmp_path):
    directory = _copy(fronted, tmp_path)
    folder = datadir.tables_folder(directory)
    frame = datadir.read_tables(directory).incidents
    _write_old_layout(folder, frame)
    pdt.assert_frame_equal(datadir.load_bundle(directory).incidents.drop(columns=["target_bits", "weapon_bits"]), frame)
    build.frontlines_into(directory, [fronted["new"]], fmt="generic")  # the fast path, from the older layout
    folder = datadir.tables_folder(directory)
    assert (folder / FRONT_FILE).is_file()
    assert not set(FRONT_COLUMNS) & set(pq.read_schema(folder / INCIDENTS_FILE).names)
    incremental = datadir.read_tables(directory).incidents
    pdt.assert_frame_equal(incremental, build.update_enrichment(directory))


def test_a_front_table_of_another_incident_table_is_refused_then_rebuilt(fronted, tmp_path):
    directory = _copy(fronted, tmp_path)
    folder = datadir.tables_folder(directory)
    frame = datadir.read_tables(directory).incidents
    other = tmp_path / "other"
    changed = frame.copy()
    changed["killed"] = changed["killed"].fillna(0) + 1  # same rows, another table
    datadir.write_incidents(other, changed)
    shutil.copy(other / FRONT_FILE, folder / FRONT_FILE)
    with pytest.raises(datadir.DataDirError, match="geo enrich") as caught:
        datadir.load_bundle(directory)
    assert "\n" not in str(caught.value)
    tables = datadir.read_tables(directory)
    assert not tables.enrichment_current and tables.incidents["front_distance_km"].isna().all()
    pdt.assert_frame_equal(build.update_enrichment(directory), frame)
    pdt.assert_frame_equal(datadir.read_tables(directory).incidents, frame)


def test_a_partial_table_is_never_written_as_incidents(fronted):
    tables = datadir.read_tables(fronted["dir"], columns=("date", "lon", "lat"))
    assert list(tables.incidents.columns) == ["date", "lon", "lat"]
    with pytest.raises(ValueError, match="partial"):
        build.write(fronted["dir"], tables, changed={"incidents"})


# write points of adding a snapshot: 1 folder created, 2 incident table linked, 3 front table written,
# 4 quarantine linked, 5 front lines written, 6 manifest, 7 folder renamed, 8 pointer written, 9 switched
@pytest.mark.parametrize("point", [2, 3, 7, 9])
def test_a_fault_while_adding_a_snapshot_leaves_old_or_new(fronted, tmp_path, monkeypatch, point):
    """A failure between the writes of the fast path: the directory loads as the old or the new version, whole."""
    directory = _copy(fronted, tmp_path)
    old = datadir.load_bundle(directory)
    monkeypatch.setenv(datadir.FAULT_ENV, f"{point}:raise")
    monkeypatch.setattr(datadir, "_write_points", [0])
    try:
        build.frontlines_into(directory, [fronted["new"]], fmt="generic")
        finished = True
    except RuntimeError as exc:
        assert "injected fault" in str(exc)
        finished = False
    monkeypatch.delenv(datadir.FAULT_ENV)
    bundle = datadir.load_bundle(directory)
    measured_new = bool(bundle.incidents["front_snapshot_date"].eq(pd.Timestamp(NEW[0])).any())
    assert (len(bundle.frontlines), measured_new) in {(2, False), (3, True)}, "a mix of versions"
    if len(bundle.frontlines) == 2:
        pdt.assert_frame_equal(bundle.incidents, old.incidents)
    assert finished or not any(p.name.startswith(".tmp-") for p in (directory / VERSIONS_DIR).iterdir())


def test_a_flat_directory_of_the_older_layout_loads_the_same_and_is_split_when_versioned(fronted, tmp_path):
    frame = datadir.read_tables(fronted["dir"]).incidents
    flat = tmp_path / "flat"
    flat.mkdir()
    _write_old_layout(flat, frame)
    pdt.assert_frame_equal(datadir.read_tables(flat).incidents, frame)
    datadir.commit_version(flat, {})  # every table carried over: the incident table is split on the way
    folder = datadir.tables_folder(flat)
    assert folder != flat and not (flat / INCIDENTS_FILE).exists()
    assert not set(FRONT_COLUMNS) & set(pq.read_schema(folder / INCIDENTS_FILE).names)
    pdt.assert_frame_equal(datadir.read_tables(flat).incidents, frame)
