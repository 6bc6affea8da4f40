"""The command line's range check (geo.bounds): one rule for whole and real numbers."""

from __future__ import annotations

import argparse

import pytest

from geo.bounds import BOUNDS, bounded_float, bounded_int


@pytest.mark.parametrize("text", ["0", " 12 ", "1000000"])
def test_whole_numbers_in_range_are_accepted(text):
    value = bounded_int("casualties")(text)
    assert value == int(text) and isinstance(value, int)


@pytest.mark.parametrize("text", ["-1", "1000001", "2.5", "1e3", "nan", "", "9" * 40])
def test_whole_numbers_out_of_range_or_malformed_are_one_line_errors(text):
    with pytest.raises(argparse.ArgumentTypeError, match=r"^must be a whole number from 0 to 1,000,000 \(people\)"):
        bounded_int("casualties")(text)


@pytest.mark.parametrize(("text", "expected"), [("-5000", -5000.0), (" 12.5 ", 12.5), ("5e3", 5000.0)])
def test_real_numbers_in_range_are_accepted(text, expected):
    assert bounded_float("band_km")(text) == expected


@pytest.mark.parametrize("text", ["nan", "inf", "-inf", "1e400", "5000.1", "x", "1" * 40])
def test_real_numbers_out_of_range_or_not_finite_are_one_line_errors(text):
    low, high, _unit = BOUNDS["band_km"]
    with pytest.raises(argparse.ArgumentTypeError, match=rf"^must be a number from {low:g} to {high:g} \(km\)"):
        bounded_float("band_km")(text)
