"""Parsers for dates, coordinates, counts and URLs, and robust CSV reading (geo.parsing)."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from geo.parsing import (
    AmbiguousDateOrder,
    clean_urls,
    missing_mask,
    parse_coordinates,
    parse_counts,
    parse_dates,
    read_csv_table,
    sniff_delimiter,
    split_urls,
)
from geo.schema import UnreadableFileError

FEB24 = pd.Timestamp("2022-02-24")


@pytest.mark.parametrize(
    "text",
    [
        "2022-02-24", "24 February 2022", "24-Feb-22", "2/24/2022", "02/24/2022", "24-Feb-2022", "24 Feb 2022",
        "February 24, 2022", "2022-02-24T13:45:00", "2022-02-24 13:45:00", "2/24/2022 12:00:00 AM",
        "02/24/2022 00:00", "24.02.2022", "2022/02/24", "20220224", "44616", " 2022-02-24 ",
        "2022-02-24T10:00:00+02:00", "2022-02-24 23:59:59.123456Z",
    ],
)
def test_parse_dates_accepts_every_claimed_format(text):
    """Each supported spelling of 24 February 2022 parses to midnight of that day."""
    assert parse_dates(pd.Series([text])).iloc[0] == FEB24


def test_parse_dates_mixed_column_and_failures():
    """One column may mix formats; missing and impossible values give NaT and are told apart."""
    values = pd.Series(["2022-02-24", "8/31/2022 12:00:00 AM", "09/01/2022 00:00", "", None, "31/02/2022", "soon"])
    parsed = parse_dates(values)
    assert parsed.iloc[:3].tolist() == [FEB24, pd.Timestamp("2022-08-31"), pd.Timestamp("2022-09-01")]
    assert parsed.iloc[3:].isna().all()
    assert missing_mask(values).tolist() == [False, False, False, True, True, False, False]
    assert str(parsed.dtype) == "datetime64[ns]"


def test_parse_dates_day_first_when_the_column_proves_it():
    """A first field above 12 switches the whole column to day-first; a lone 01/03/2022 is ambiguous."""
    parsed = parse_dates(pd.Series(["24/02/2022", "01/03/2022"]))
    assert parsed.tolist() == [FEB24, pd.Timestamp("2022-03-01")]
    with pytest.raises(AmbiguousDateOrder):
        parse_dates(pd.Series(["01/03/2022"]))
    assert parse_dates(pd.Series(["01/03/2022"]), order="monthfirst").iloc[0] == pd.Timestamp("2022-01-03")
    assert parse_dates(pd.Series(["01/03/2022"]), default_order="dayfirst").iloc[0] == pd.Timestamp("2022-03-01")


def test_parse_dates_passes_datetimes_and_objects_through():
    """Excel and Parquet give real datetimes; times are dropped."""
    values = pd.Series([dt.datetime(2022, 2, 24, 15, 30), pd.Timestamp("2023-01-01 10:00"), None], dtype="object")
    assert parse_dates(values).tolist()[:2] == [FEB24, pd.Timestamp("2023-01-01")]
    native = pd.Series(pd.to_datetime(["2022-02-24 10:00", None]))
    assert parse_dates(native).iloc[0] == FEB24


_DATE_FORMATS_ROUND_TRIP = ["%Y-%m-%d", "%d %B %Y", "%d-%b-%y", "%m/%d/%Y", "%d.%m.%Y", "%m/%d/%Y %I:%M:%S %p"]


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(1991, 8, 24), max_value=dt.date(2035, 12, 31)),
       fmt=st.sampled_from(_DATE_FORMATS_ROUND_TRIP))
def test_parse_dates_round_trips_property(day, fmt):
    """Any date written in a supported format reads back as itself (two-digit years: 1991-2035 only)."""
    if fmt == "%d-%b-%y" and day.year >= 2069:
        return
    order = "monthfirst" if fmt.startswith("%m") else None
    assert parse_dates(pd.Series([day.strftime(fmt)]), order=order).iloc[0] == pd.Timestamp(day)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_parse_dates_never_raises_property(text):
    """Arbitrary text gives a timestamp or NaT, never an exception (once the day/month order is given)."""
    result = parse_dates(pd.Series([text, "2022-02-24"]), order="dayfirst")
    assert len(result) == 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("48.5", 48.5), ("-48.5", -48.5), ("48,5", 48.5), ("48°30'00\"N", 48.5), ("48° 30' 0\" N", 48.5),
        ("48 30 00", 48.5), ("N48.5", 48.5), ("48.5N", 48.5), ("37.25E", 37.25), ("30°W", -30.0),
        ("33°52'S", -(33 + 52 / 60)), ("48°30.5'", 48 + 30.5 / 60), ("  50.45 ", 50.45), ("48d30m0s", 48.5),
    ],
)
def test_parse_coordinates_formats(text, expected):
    """Decimal, decimal comma, hemisphere letters and DMS strings."""
    assert parse_coordinates(pd.Series([text])).iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("text", ["abc", "inf", "-inf", "NaN!", "48°70'", "1,234.5", "N48S", "48.5.5"])
def test_parse_coordinates_rejects_garbage(text):
    """Values that are not a coordinate give NaN and are not counted as missing."""
    values = pd.Series([text])
    assert math.isnan(parse_coordinates(values).iloc[0])
    if text not in ("NaN!",):
        assert not missing_mask(values)[0] or text.lower() == "nan"


def test_parse_coordinates_numeric_input_and_infinity():
    """Numeric columns pass through; infinity is not a number."""
    out = parse_coordinates(pd.Series([50.45, np.inf, np.nan]))
    assert out.iloc[0] == 50.45
    assert out.iloc[1:].isna().all()


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-180, max_value=180, allow_nan=False, allow_infinity=False))
def test_parse_coordinates_round_trip_property(value):
    """repr() of any in-range float, with a point or a decimal comma, reads back exactly."""
    text = repr(value)
    assert parse_coordinates(pd.Series([text])).iloc[0] == value
    if "e" not in text.lower():
        assert parse_coordinates(pd.Series([text.replace(".", ",")])).iloc[0] == value


@settings(max_examples=300, deadline=None)
@given(deg=st.integers(0, 89), minutes=st.integers(0, 59), seconds=st.floats(0, 59.99, allow_nan=False),
       hemi=st.sampled_from("NS"))
def test_parse_coordinates_dms_property(deg, minutes, seconds, hemi):
    """A DMS string reads back to the decimal value within 1e-9 degrees."""
    text = f"{deg}°{minutes}'{seconds:.4f}\"{hemi}"
    expected = (deg + minutes / 60 + round(seconds, 4) / 3600) * (-1 if hemi == "S" else 1)
    assert parse_coordinates(pd.Series([text])).iloc[0] == pytest.approx(expected, abs=1e-9)


def test_parse_counts_keeps_unknown_as_na():
    """Unknown is <NA>, zero is zero, fractions and words are flagged, negatives returned for the caller."""
    counts, bad = parse_counts(pd.Series(["12", "12.0", "1,234", "1 234", "0", "", None, "n/a", "1.5", "a few", "-3"]))
    assert counts.tolist()[:5] == [12, 12, 1234, 1234, 0]
    assert counts.iloc[5:10].isna().all()
    assert counts.iloc[10] == -3
    assert bad.tolist() == [False] * 8 + [True, True, False]
    assert str(counts.dtype) == "Int64"


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=-10**9, max_value=10**9), st.sampled_from(["{}", "{}.0", " {} ", "{:,}"]))
def test_parse_counts_round_trip_property(value, template):
    """Any whole number written plainly, with .0 or with thousands commas reads back exactly."""
    counts, bad = parse_counts(pd.Series([template.format(value)]))
    assert counts.iloc[0] == value
    assert not bad[0]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_parse_counts_never_raises_property(text):
    """Arbitrary text is a count, <NA> or flagged, never an exception, and never a silent 0."""
    counts, bad = parse_counts(pd.Series([text]))
    if not pd.isna(counts.iloc[0]) and counts.iloc[0] == 0:
        assert text.strip().lstrip("+-").replace(".", "").replace("0", "") == ""


def test_urls_keep_only_http_and_https():
    """javascript:, data: and bare words are dropped; commas inside a URL survive."""
    text = "https://a.org/x?ids=1,2,http://b.org/y javascript:alert(1),data:text/html;base64,xx , ftp://c.org HIDDEN"
    assert split_urls(text) == ["https://a.org/x?ids=1,2", "http://b.org/y"]
    assert clean_urls(["https://ok.org", "https://ok.org", "http://", "https://bad\x00.org", 5]) == ["https://ok.org"]
    assert split_urls(None) == []


def _write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


@pytest.mark.parametrize(
    ("content", "encoding", "expected_encoding"),
    [
        ("a,b\nKyiv café,2\n", "utf-8", "utf-8"),
        ("a,b\nKyiv café,2\n", "utf-8-sig", "utf-8-sig"),
        ("a,b\nKyiv café,2\n", "cp1252", "cp1252"),
        ("a,b\nКиїв, обстріл житлового будинку,2\n".replace(", ", " "), "cp1251", "cp1251"),
        ("a,b\nKyiv café,2\n", "utf-16", "utf-16"),
    ],
)
def test_read_csv_table_detects_encoding(tmp_path, content, encoding, expected_encoding):
    """UTF-8, UTF-8 with BOM, cp1252, cp1251 and UTF-16 are read without mojibake."""
    path = _write(tmp_path, "t.csv", content.encode(encoding))
    table = read_csv_table(path)
    assert table.encoding == expected_encoding
    assert list(table.frame.columns) == ["a", "b"]
    assert table.frame.iloc[0, 0] == content.splitlines()[1].split(",")[0]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_read_csv_table_sniffs_delimiter(tmp_path, delimiter):
    """Comma, semicolon, tab and pipe tables are split correctly."""
    rows = ["date,lat,lon", "2022-02-24,50.1,30.2", "2022-02-25,50.3,30.4"]
    path = _write(tmp_path, "t.csv", "\n".join(r.replace(",", delimiter) for r in rows) + "\n")
    table = read_csv_table(path)
    assert table.delimiter == delimiter
    assert table.frame["lat"].tolist() == ["50.1", "50.3"]
    assert sniff_delimiter("a;b;c\n1;2,5;3\n") == ";"


def test_read_csv_table_reports_malformed_rows_with_numbers(tmp_path):
    """Rows with too few or too many fields are kept aside with their 1-based data-row number."""
    path = _write(tmp_path, "t.csv", 'a,b,c\n1,2,3\n4,5\n6,7,8,9\n"multi\nline",11,12\n')
    table = read_csv_table(path)
    assert table.row_numbers.tolist() == [1, 4]
    assert [m[0] for m in table.malformed] == [2, 3]
    assert table.rows_read == 4
    assert table.frame.iloc[1, 0] == "multi\nline"


def test_read_csv_table_mixed_line_endings_and_blank_lines(tmp_path):
    """CRLF, LF and CR line ends in one file; blank lines are not rows."""
    table = read_csv_table(_write(tmp_path, "t.csv", "a,b\r\n1,2\n\n3,4\r5,6\r\n"))
    assert table.frame["a"].tolist() == ["1", "3", "5"]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b"", "empty"),
        (b"   \n\n", "blank"),
        (b"a,b\n", "no data rows"),
        (b"PK\x03\x04\x14\x00\x00\x00", "ZIP"),
        (b"\x1f\x8b\x08\x00\x00", "gzip"),
        (b"%PDF-1.4\n", "PDF"),
        (b"\x00\x01\x02\x03binary\x00\xff\xfe" * 10, "binary"),
        (b"a,b,c\n1,2,3\n4,\"5\n", "truncated"),
        (b"a,b,a\n1,2,3\n", "more than once"),
        (b"Lat,lat\n1,2\n", "more than once"),
        (b"2022-02-24,50.1,30.2\n2022-02-25,50.3,30.4\n", "looks like data"),
        (b"x" * (1 << 21), "longer than 1 MiB"),
    ],
)
def test_read_csv_table_refuses_unreadable_files(tmp_path, data, needle):
    """Each bad file gives one UnreadableFileError naming the file and the problem."""
    path = _write(tmp_path, "bad.csv", data)
    with pytest.raises(UnreadableFileError) as info:
        read_csv_table(path)
    assert "bad.csv" in str(info.value)
    assert needle.lower() in str(info.value).lower()


def test_read_csv_table_limits(tmp_path):
    """Size and row limits refuse the file (never cut it silently)."""
    path = _write(tmp_path, "big.csv", "a,b\n" + "1,2\n" * 50)
    with pytest.raises(UnreadableFileError, match="row limit"):
        read_csv_table(path, max_rows=10)
    with pytest.raises(UnreadableFileError, match="limit"):
        read_csv_table(path, max_bytes=20)
    assert read_csv_table(path, max_rows=50).rows_read == 50


def test_read_csv_table_missing_file(tmp_path):
    """A path that does not exist is a clear error too."""
    with pytest.raises(UnreadableFileError, match="does not exist"):
        read_csv_table(tmp_path / "nope.csv")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=25))
def test_parse_coordinates_never_raises_property(text):
    """Arbitrary text gives a finite float or NaN, never an exception or an infinity."""
    value = parse_coordinates(pd.Series([text])).iloc[0]
    assert math.isnan(value) or math.isfinite(value)
