"""Property-based tests (hypothesis) for the date, coordinate and casualty parsers on hostile values.

They complement ``tests/test_parsing.py``: every date any claimed format can write, in any year
1..9999, any text built from date/number characters, floats of every size and NaN/inf spelled
out, and DMS strings never raise; they either parse to the right value or to "missing".
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.parsing import DATE_FORMATS, parse_coordinates, parse_counts, parse_dates

FOUR_DIGIT_YEAR = [f for f in DATE_FORMATS if "%Y" in f]
NS_LOW, NS_HIGH = dt.date(1677, 9, 22), dt.date(2262, 4, 11)


@settings(max_examples=300, deadline=None)
@given(day=st.dates(min_value=dt.date(1000, 1, 1), max_value=dt.date(9999, 12, 31)), fmt=st.sampled_from(FOUR_DIGIT_YEAR))
def test_any_date_in_any_claimed_format_round_trips_or_clamps(day, fmt):
    text = day.strftime(fmt)
    parsed = parse_dates(pd.Series([text]))
    assert str(parsed.dtype) == "datetime64[ns]"
    value = parsed.iloc[0]
    assert not pd.isna(value), text
    expected = min(max(day, NS_LOW), NS_HIGH)
    assert value.date() == expected, (text, fmt)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.from_regex(r"[0-9./\- :TZ]{0,24}|[0-9]{1,2} [A-Za-z]{3,9} [0-9]{1,5}", fullmatch=True),
                min_size=1, max_size=8))
def test_date_like_garbage_never_raises(values):
    parsed = parse_dates(pd.Series(values, dtype="object"))
    assert len(parsed) == len(values) and str(parsed.dtype) == "datetime64[ns]"


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
                          st.dates(min_value=dt.date(1, 1, 2)), st.none(), st.floats(), st.integers(-10**12, 10**12)),
                min_size=1, max_size=6))
def test_spreadsheet_cell_values_never_raise(values):
    parsed = parse_dates(pd.Series(values, dtype="object"))
    assert len(parsed) == len(values)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.floats(allow_nan=True, allow_infinity=True).map(repr), st.floats(width=32).map(str),
                 st.sampled_from(["nan", "NaN", "inf", "-inf", "Infinity", "1e400", "-1e400", "1e-400", "0x1p3",
                                  "١٢٣", "50,45", "50.45.1", "--50", "+-1", " ", "\x00", "50\u00a0N"]),
                 st.text(max_size=25)))
def test_coordinates_never_raise_and_are_finite_or_missing(text):
    parsed = parse_coordinates(pd.Series([text], dtype="object"))
    value = float(parsed.iloc[0]) if not pd.isna(parsed.iloc[0]) else math.nan
    assert math.isnan(value) or math.isfinite(value)


@settings(max_examples=200, deadline=None)
@given(deg=st.integers(0, 179), minutes=st.integers(0, 59), seconds=st.integers(0, 59),
       hemi=st.sampled_from(["N", "S", "E", "W"]))
def test_dms_strings_parse_to_the_signed_decimal(deg, minutes, seconds, hemi):
    text = f"{deg}°{minutes}'{seconds}\"{hemi}"
    value = float(parse_coordinates(pd.Series([text])).iloc[0])
    expected = (deg + minutes / 60 + seconds / 3600) * (-1 if hemi in "SW" else 1)
    assert abs(value - expected) < 1e-6


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=15), st.floats().map(repr), st.integers(-10**20, 10**20).map(str),
                 st.sampled_from(["inf", "nan", "1e9999", "-0", "3.0", "2.5", "1,000", "1 000", "~5", "5+", ""])))
def test_casualty_counts_never_raise_and_are_whole_numbers_or_flagged(text):
    values, bad = parse_counts(pd.Series([text], dtype="object"))
    value = values.iloc[0]
    assert bool(np.asarray(bad)[0]) or pd.isna(value) or float(value) == int(value)
