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
