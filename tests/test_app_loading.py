"""The app's way of loading a data directory gives the same data as the plain reader, only lighter.

The app keeps the list columns in Arrow (``load_bundle(..., arrow_lists=True)``); the filters'
columns are prepared with vectorised pyarrow rules (:func:`geo.taxonomy.first_code_index`).
Every value, prepared column and KPI must equal what the per-row reading gives.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from geo.datadir import load_bundle
from geo.filters import Filters, compute_kpis, filter_mask, prepare_columns
from geo.taxonomy import TARGET_TYPES, WEAPONS, bits_from_lists, first_code_index
from tests.synthetic_data import build_incidents, write_data_dir

CELLS = [["residential", "energy"], [], None, ["not-a-code"], [None, "energy"], ["unknown"], ["other"], ["drone"]]


def _first_code_per_row(values) -> np.ndarray:
    """The rule as it was written per row: the first code's position, "unknown" when empty, "other" when not a code."""
    codes = list(TARGET_TYPES)
    out = []
    for value in values:
        first = str(value[0]) if value is not None and len(value) else "unknown"
        out.append(codes.index(first) if first in codes else codes.index("other"))
    return np.array(out, dtype=np.int16)


@pytest.mark.parametrize("shape", ["lists", "numpy arrays", "arrow chunks"])
def test_first_code_index_matches_the_per_row_rule(shape):
    """Python lists, NumPy arrays (Parquet read back) and chunked Arrow lists give the same first codes."""
    if shape == "lists":
        values = pd.Series(CELLS, dtype=object)
    elif shape == "numpy arrays":
        values = pd.Series([None if c is None else np.array(c, dtype=object) for c in CELLS], dtype=object)
    else:
        chunks = [pa.array(CELLS[:3], type=pa.list_(pa.string())), pa.array(CELLS[3:], type=pa.list_(pa.string()))]
        values = pd.Series(pd.arrays.ArrowExtensionArray(pa.chunked_array(chunks)))
    np.testing.assert_array_equal(first_code_index(values, TARGET_TYPES), _first_code_per_row(CELLS))
    np.testing.assert_array_equal(bits_from_lists(values, WEAPONS), bits_from_lists(pd.Series(CELLS, dtype=object), WEAPONS))


def test_first_code_index_of_nothing():
    """No rows, and rows that are all empty lists."""
    assert first_code_index(pd.Series([], dtype=object), TARGET_TYPES).tolist() == []
    assert first_code_index(pd.Series([[], []]), TARGET_TYPES).tolist() == [list(TARGET_TYPES).index("unknown")] * 2


def test_arrow_lists_load_the_same_data(tmp_path):
    """Every cell, every prepared column and the KPIs equal those of the plain load."""
    frame = build_incidents(60)
    frame.loc[3, "target_types"] = []
    frame.loc[4, "weapons"] = ["not-a-code", "drone"]
    directory = write_data_dir(tmp_path / "data", frame)
    plain = load_bundle(directory, skip_columns=("extra",))
    light = load_bundle(directory, skip_columns=("extra",), arrow_lists=True)
    assert list(light.incidents.columns) == list(plain.incidents.columns)
    for column in ("target_types", "weapons", "source_urls"):
        assert isinstance(light.incidents[column].dtype, pd.ArrowDtype)
        assert [list(v) for v in light.incidents[column]] == [list(v) for v in plain.incidents[column]]
    other = [c for c in plain.incidents.columns if c not in ("target_types", "weapons", "source_urls")]
    pd.testing.assert_frame_equal(light.incidents[other], plain.incidents[other])
    prepared_plain, prepared_light = prepare_columns(plain.incidents), prepare_columns(light.incidents)
    for item in dataclasses.fields(prepared_plain):
        a, b = getattr(prepared_plain, item.name), getattr(prepared_light, item.name)
        if isinstance(a, np.ndarray):
            np.testing.assert_array_equal(a, b, err_msg=item.name)
        elif isinstance(a, pa.Array):
            assert a.equals(b), item.name
        else:
            assert a == b, item.name
    for filters in (Filters(), Filters(target_types=("residential",)), Filters(weapons=("drone",), categories=())):
        mask = filter_mask(prepared_light, filters)
        np.testing.assert_array_equal(mask, filter_mask(prepared_plain, filters))
        assert compute_kpis(prepared_light, mask) == compute_kpis(prepared_plain, mask)


def _copies(folder):
    """The table copies in the cache folder (not the arrays derived from them)."""
    found = (folder / "tables").glob("*.arrow") if (folder / "tables").is_dir() else []
    return sorted(p for p in found if not p.name.endswith(".arrays.arrow"))


def test_cached_load_equals_the_files_and_skips_them_next_time(tmp_path, monkeypatch):
    """The memory-mapped copy gives the same frame; the next load reads no Parquet; a rewrite makes a new copy."""
    import pyarrow.parquet as pq

    cache = tmp_path / "cache"
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(cache))
    directory = write_data_dir(tmp_path / "data", build_incidents(40))
    plain = load_bundle(directory, skip_columns=("extra",), arrow_lists=True)
    first = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
    pd.testing.assert_frame_equal(first.incidents, plain.incidents)
    (copy,) = _copies(cache)
    real_read = pq.read_table

    def no_parquet(path, *args, **kwargs):
        assert not str(path).endswith("incidents.parquet"), "the copy should have been used"
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(pq, "read_table", no_parquet)
    again = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
    pd.testing.assert_frame_equal(again.incidents, plain.incidents)
    monkeypatch.setattr(pq, "read_table", real_read)
    changed = build_incidents(40)
    changed.loc[0, "killed"] = 999
    write_data_dir(directory, changed)
    reloaded = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
    assert reloaded.incidents.loc[0, "killed"] == 999
    (newer,) = _copies(cache)
    assert newer != copy


def test_a_damaged_or_unwritable_cache_falls_back_to_the_files(tmp_path, monkeypatch):
    """A truncated copy is replaced; a cache folder that cannot be created, or caching off, still loads."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(cache))
    directory = write_data_dir(tmp_path / "data", build_incidents(30))
    plain = load_bundle(directory, skip_columns=("extra",), arrow_lists=True)
    load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
    (copy,) = _copies(cache)
    copy.write_bytes(copy.read_bytes()[:100])
    damaged = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
    pd.testing.assert_frame_equal(damaged.incidents, plain.incidents)
    assert copy.stat().st_size > 100
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    for setting in (str(blocker / "below"), "off"):
        monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", setting)
        pd.testing.assert_frame_equal(
            load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True).incidents, plain.incidents)


def test_the_cache_keeps_the_most_recently_used_copies(tmp_path, monkeypatch):
    """Beyond MAX_COPIES, the least recently used copy goes; the one just read stays."""
    import os

    import geo.tablecache

    cache = tmp_path / "cache"
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(cache))
    monkeypatch.setattr(geo.tablecache, "MAX_COPIES", 2)
    dirs = [write_data_dir(tmp_path / f"data{i}", build_incidents(10)) for i in range(3)]
    for directory in dirs[:2]:
        load_bundle(directory, arrow_lists=True, cached=True)
    old, recent = sorted(_copies(cache), key=lambda p: p.stat().st_mtime_ns)
    os.utime(old, ns=(1, 1))
    os.utime(recent, ns=(2, 2))
    load_bundle(dirs[0], arrow_lists=True, cached=True)  # read again: now the most recently used
    load_bundle(dirs[2], arrow_lists=True, cached=True)
    left = _copies(cache)
    assert len(left) == 2 and old in left and recent not in left


def _assert_same_columns(expected, got):
    for item in dataclasses.fields(expected):
        a, b = getattr(expected, item.name), getattr(got, item.name)
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype, item.name
            np.testing.assert_array_equal(a, b, err_msg=item.name)
            assert not b.flags.writeable, item.name
        elif isinstance(a, pa.Array):
            assert a.equals(b), item.name
        else:
            assert a == b, item.name


def test_prepared_columns_are_kept_per_data_version_and_equal_fresh_ones(tmp_path, monkeypatch):
    """The app's prepared columns come from the cache folder after the first load: equal, never stale.

    Events of several records, NaN casualties and an empty target list are in the table; after
    a rewrite of the directory (a new data version) the columns are prepared again.
    """
    from geo import filters as geo_filters
    from ui import data as ui_data

    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))
    frame = build_incidents(50)
    frame.loc[3, "target_types"] = []
    frame.loc[5, "killed"] = None
    frame.loc[[6, 7], "event_id"] = frame.loc[6, "event_id"]
    directory = write_data_dir(tmp_path / "data", frame)
    prepared = []
    real = geo_filters.prepare_columns
    monkeypatch.setattr(ui_data, "prepare_columns", lambda incidents: prepared.append(1) or real(incidents))
    for _ in range(2):
        bundle = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
        _assert_same_columns(real(bundle.incidents), ui_data.cached_columns(bundle.incidents))
    assert len(prepared) == 1
    changed = frame.copy()
    changed.loc[0, "killed"] = 999
    write_data_dir(directory, changed)
    bundle = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
    columns = ui_data.cached_columns(bundle.incidents)
    assert len(prepared) == 2 and columns.killed[0] == 999
    _assert_same_columns(real(bundle.incidents), columns)
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", "off")
    _assert_same_columns(real(bundle.incidents), ui_data.cached_columns(bundle.incidents))


def test_bit_sets_are_kept_per_data_version_and_equal_fresh_ones(tmp_path, monkeypatch):
    """``load_bundle(cached=True)`` maps the target and weapon bit sets on a later load; they equal a plain load's."""
    import geo.datadir as datadir

    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path / "cache"))
    frame = build_incidents(40)
    frame.loc[3, "target_types"] = []
    frame.loc[4, "weapons"] = ["not-a-code", "drone"]
    directory = write_data_dir(tmp_path / "data", frame)
    plain = load_bundle(directory, skip_columns=("extra",), arrow_lists=True)
    calls = []
    real = datadir.bits_from_lists
    monkeypatch.setattr(datadir, "bits_from_lists", lambda *a: calls.append(1) or real(*a))
    for _ in range(2):
        cached = load_bundle(directory, skip_columns=("extra",), arrow_lists=True, cached=True)
        for column in ("target_bits", "weapon_bits"):
            np.testing.assert_array_equal(cached.incidents[column].to_numpy(), plain.incidents[column].to_numpy())
            assert cached.incidents[column].dtype == plain.incidents[column].dtype
    assert len(calls) == 2  # two columns, computed on the first load only
