"""Dates as real files write them: the day/month order is decided per column, never guessed per row.

Every file here is constructed in code. The ACLED-shaped export reproduces issue 12's real case
(``14/08/2020 00:00:00`` with a ``year`` column) that used to import 0 of 1,000 rows.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.datadir import INCIDENTS_FILE, table_path
from geo.ingest import read_incidents
from geo.parsing import AmbiguousDateOrder, detect_date_order, parse_dates
from geo.schema import UnreadableFileError
from tests.files import write_csv

TODAY = "2025-11-27"
ACLED_COLUMNS = ["event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
                 "location", "latitude", "longitude", "geo_precision", "notes", "fatalities"]


def _days(n, start="2020-08-01", step=1):
    return [pd.Timestamp(start) + pd.Timedelta(days=i * step) for i in range(n)]


def _acled(path, days, layout):
    rows = [[f"UKR{i}", day.strftime(layout), str(day.year), "1", "Explosions/Remote violence",
             "Shelling/artillery/missile attack", "Kharkiv", "49.99", "36.23", "1", "Shelling of Kharkiv.", "0"]
            for i, day in enumerate(days)]
    return write_csv(path, ACLED_COLUMNS, rows)


def _generic(path, dates, extra_header=(), extra=None):
    header = ["id", "date", "latitude", "longitude", *extra_header]
    rows = [[f"r{i}", d, "50.45", "30.52", *((extra or {}).get(i, []))] for i, d in enumerate(dates)]
    return write_csv(path, header, rows)


def test_acled_day_first_with_time_imports_every_row(tmp_path):
    """Issue 12's export: 14/08/2020 00:00:00 (day first, a time, a year column) imports all rows."""
    days = _days(1000, "2020-08-01", step=1)
    path = _acled(tmp_path / "acled.csv", days, "%d/%m/%Y 00:00:00")
    result = read_incidents(path, today=TODAY)
    assert len(result.incidents) == 1000 and len(result.quarantine) == 0
    assert sorted(result.incidents["date"]) == days
    assert any("dayfirst" in m and "first field above 12" in m for m in result.messages)
    assert not any("disagree with the year column" in m for m in result.messages)


@pytest.mark.parametrize(
    ("layout", "order"),
    [("%d/%m/%Y", "dayfirst"), ("%d-%m-%Y", "dayfirst"), ("%d.%m.%Y %H:%M", "dayfirst"), ("%d/%m/%y", "dayfirst"),
     ("%m/%d/%Y", "monthfirst"), ("%m/%d/%Y %I:%M:%S %p", "monthfirst"), ("%m/%d/%Y %H:%M", "monthfirst"),
     ("%m-%d-%Y", "monthfirst"), ("%m/%d/%y", "monthfirst")],
)
def test_generic_numeric_layouts_decided_from_the_values(tmp_path, layout, order):
    """Two months of daily dates: days above 12 prove the order, the whole column is read that way."""
    days = [d + pd.Timedelta(hours=15, minutes=30) for d in _days(60, "2022-03-01")]
    path = _generic(tmp_path / "events.csv", [d.strftime(layout) for d in days])
    result = read_incidents(path, today=TODAY)
    assert len(result.quarantine) == 0
    assert list(result.incidents["date"]) == [d.normalize() for d in days]
    assert any(f"read {order}" in m for m in result.messages)


def test_ambiguous_column_stops_with_the_column_examples_and_fix(tmp_path):
    """Every value has both fields <= 12 and nothing else decides: a clear error, nothing guessed."""
    dates = ["03/04/2022", "05/01/2022", "02/11/2022", "07/06/2022", "04/02/2022"]
    path = _generic(tmp_path / "ambiguous.csv", dates)
    with pytest.raises(UnreadableFileError) as info:
        read_incidents(path, today=TODAY)
    message = str(info.value)
    assert "ambiguous.csv" in message and "'date'" in message and "03/04/2022" in message
    assert "--dayfirst" in message and "--monthfirst" in message
    day = read_incidents(path, today=TODAY, date_order="dayfirst").incidents["date"]
    month = read_incidents(path, today=TODAY, date_order="monthfirst").incidents["date"]
    assert day.iloc[0] == pd.Timestamp("2022-04-03") and month.iloc[0] == pd.Timestamp("2022-03-04")
    assert list(day.dt.day) == [3, 5, 2, 7, 4]
    assert list(month.dt.month) == [3, 5, 2, 7, 4]


def test_cli_ambiguous_exit_status_and_options(tmp_path, capsys):
    """`geo ingest` stops with one line and exit 2; --dayfirst / --monthfirst import it."""
    path = _generic(tmp_path / "ambiguous.csv", ["03/04/2022", "05/01/2022", "02/11/2022"])
    assert main(["ingest", str(path), "--out", str(tmp_path / "d0")]) == 2
    err = capsys.readouterr().err
    assert "--dayfirst" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert main(["ingest", str(path), "--out", str(tmp_path / "d1"), "--dayfirst"]) == 0
    assert "imported:     3" in capsys.readouterr().out
    assert main(["ingest", str(path), "--out", str(tmp_path / "d2"), "--monthfirst"]) == 0
    frame = pd.read_parquet(table_path(tmp_path / "d2", INCIDENTS_FILE))
    assert sorted(frame["date"].dt.strftime("%m-%d")) == ["02-11", "03-04", "05-01"]
    with pytest.raises(SystemExit):
        main(["ingest", str(path), "--out", str(tmp_path / "d3"), "--dayfirst", "--monthfirst"])


def test_forced_order_quarantines_only_values_that_contradict_it(tmp_path):
    """A column with day-first and month-first proof is a conflict; choosing one quarantines the others."""
    path = _generic(tmp_path / "mixed.csv", ["14/08/2022", "08/31/2022", "01/02/2022"])
    with pytest.raises(UnreadableFileError, match="mixes day-first and month-first"):
        read_incidents(path, today=TODAY)
    result = read_incidents(path, today=TODAY, date_order="dayfirst")
    assert list(result.incidents["date"]) == [pd.Timestamp("2022-08-14"), pd.Timestamp("2022-02-01")]
    assert result.quarantine["reason"].tolist() == ["date_unparseable"]
    assert "08/31/2022" in result.quarantine["detail"].iloc[0]


def test_month_column_decides_an_otherwise_ambiguous_column(tmp_path):
    """A month (or day) column of the same rows agrees with one reading only."""
    dates = ["03/04/2022", "05/01/2022", "02/11/2022"]
    path = _generic(tmp_path / "parts.csv", dates, ["year", "month"],
                    {0: ["2022", "4"], 1: ["2022", "1"], 2: ["2022", "11"]})
    result = read_incidents(path, today=TODAY)
    assert list(result.incidents["date"].dt.month) == [4, 1, 11]
    assert any("month column agrees" in m for m in result.messages)
    path = _generic(tmp_path / "days.csv", dates, ["day"], {0: ["4"], 1: ["1"], 2: ["11"]})
    assert list(read_incidents(path, today=TODAY).incidents["date"].dt.day) == [4, 1, 11]


def test_year_column_disagreement_is_reported(tmp_path):
    """The year column is checked against the dates read; disagreements are told, not hidden."""
    path = _generic(tmp_path / "years.csv", ["14/08/2020", "15/08/2020"], ["year"], {0: ["2020"], 1: ["2021"]})
    result = read_incidents(path, today=TODAY)
    assert len(result.incidents) == 2
    assert any("1 of 2 dates disagree with the year column" in m for m in result.messages)


def test_sorted_column_decides_when_only_one_reading_is_in_order():
    """Rows sorted by date under exactly one reading (five distinct dates that differ) decide it."""
    days = [dt.date(2022, 1, d) for d in range(1, 13)] + [dt.date(2022, 2, d) for d in range(1, 13)]
    values = pd.Series([d.strftime("%d/%m/%Y") for d in days])
    notes: list[str] = []
    assert parse_dates(values, notes=notes).tolist() == [pd.Timestamp(d) for d in days]
    assert "date order" in notes[0]
    assert detect_date_order(pd.Series(["01/02/2022", "02/03/2022"])).order is None


def test_dotted_dates_follow_the_day_month_convention():
    """01.02.2024 is day.month.year in every locale that writes dots."""
    assert parse_dates(pd.Series(["01.02.2024"])).iloc[0] == pd.Timestamp("2024-02-01")


def test_mixed_formats_in_one_column_like_ucdp():
    """UCDP's cp1252 copy mixes 09/01/2022 00:00, 8/31/2022 12:00:00 AM and ISO in one column."""
    values = pd.Series(["09/01/2022 00:00", "8/31/2022 12:00:00 AM", "2022-02-24", "2022-02-24 00:00:00.000"])
    assert parse_dates(values).tolist() == [pd.Timestamp("2022-09-01"), pd.Timestamp("2022-08-31"),
                                            pd.Timestamp("2022-02-24"), pd.Timestamp("2022-02-24")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022-02-24T23:30:00-05:00", "2022-02-24"),   # ISO with a zone: the date as written
        ("2022-02-24T01:00:00+03:00", "2022-02-24"),
        ("2022-02-24T10:00:00Z", "2022-02-24"),
        ("45292", "2024-01-01"),                       # Excel serial day
        ("45292.5", "2024-01-01"),                     # Excel serial with a time (noon)
        ("45292.999988", "2024-01-01"),
        ("24 February 2022", "2022-02-24"),
        ("24 Feb 2022", "2022-02-24"),
        ("February 24, 2022", "2022-02-24"),
    ],
)
def test_iso_zones_excel_serials_and_long_form_dates(text, expected):
    """These never depend on a day/month order."""
    assert parse_dates(pd.Series([text])).iloc[0] == pd.Timestamp(expected)


def test_excel_serial_with_time_in_csv_and_xlsx(tmp_path):
    """45292.5 in a CSV and floats / datetimes in .xlsx cells (openpyxl) import as the day."""
    path = _generic(tmp_path / "serials.csv", ["45292.5", "45293.25", "45294"])
    result = read_incidents(path, today=TODAY)
    assert list(result.incidents["date"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02"),
                                              pd.Timestamp("2024-01-03")]
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["id", "date", "lat", "lon"])
    sheet.append(["a", 45292.5, 50.45, 30.52])
    sheet.append(["b", dt.datetime(2024, 1, 2, 18, 45), 50.45, 30.52])
    sheet.append(["c", "14/01/2024 10:00", 50.45, 30.52])
    book.save(tmp_path / "serials.xlsx")
    result = read_incidents(tmp_path / "serials.xlsx", today=TODAY)
    assert list(result.incidents["date"]) == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-01-02"),
                                              pd.Timestamp("2024-01-14")]


def test_two_digit_years_and_impossible_values():
    """31/02 is impossible in both readings and is no evidence; two-digit years pivot like strptime."""
    values = pd.Series(["31/02/2022", "13/01/22", "01/01/70"])
    parsed = parse_dates(values)
    assert parsed.isna().iloc[0]
    assert parsed.iloc[1] == pd.Timestamp("2022-01-13") and parsed.iloc[2] == pd.Timestamp("1970-01-01")


def test_bad_time_part_is_unparseable_not_misread():
    """A time that is not a time (25:99) does not pass as a date."""
    parsed = parse_dates(pd.Series(["14/08/2020 25:99", "14/08/2020 23:59:59"]))
    assert parsed.isna().iloc[0] and parsed.iloc[1] == pd.Timestamp("2020-08-14")


def test_publisher_default_order_only_when_the_values_leave_it_open(tmp_path):
    """Bellingcat writes month-first: an all-ambiguous Bellingcat file imports month-first, with a note."""
    header = ["id", "date", "latitude", "longitude", "location", "description", "sources", "associations"]
    path = write_csv(tmp_path / "bc.csv", header, [["CIV1", "03/04/2022", "50.45", "30.52", "", "x", "", ""]])
    result = read_incidents(path, today=TODAY)
    assert result.incidents["date"].iloc[0] == pd.Timestamp("2022-03-04")
    assert any("publisher's layout" in m for m in result.messages)


def test_large_column_parses_per_distinct_value():
    """100,000 rows with 1,000 distinct day-first dates: one decision, every row parsed."""
    days = np.array(_days(1000, "2020-01-01"))
    rng = np.random.default_rng(1)
    picks = days[rng.integers(0, len(days), 100_000)]
    values = pd.Series(pd.Index(days).strftime("%d/%m/%Y 00:00:00")).take(
        pd.Index(days).get_indexer(pd.Index(picks))).reset_index(drop=True)
    parsed = parse_dates(values)
    assert parsed.notna().all() and (parsed.to_numpy() == picks.astype("datetime64[ns]")).all()


def test_unknown_order_value_is_refused():
    """Only dayfirst / monthfirst are orders; an undecided column raises AmbiguousDateOrder."""
    with pytest.raises(ValueError, match="unknown date order"):
        parse_dates(pd.Series(["2022-02-24"]), order="yearfirst")
    with pytest.raises(AmbiguousDateOrder):
        parse_dates(pd.Series(["01/02/2022", "03/04/2022"]), column="event_date")


def test_cli_build_stops_on_ambiguous_file_and_imports_it_with_dayfirst(tmp_path, capsys):
    """`geo build` skips an ambiguous file with the fix in the message; --dayfirst imports it."""
    folder = tmp_path / "files"
    folder.mkdir()
    _generic(folder / "events.csv", ["03/04/2022", "05/01/2022", "02/11/2022"])
    main(["build", str(folder), "--out", str(tmp_path / "d0")])
    captured = capsys.readouterr()
    assert "--dayfirst" in captured.out + captured.err
    assert main(["build", str(folder), "--out", str(tmp_path / "d1"), "--dayfirst"]) == 0
    captured = capsys.readouterr()
    text = captured.out + captured.err
    assert "events.csv: 3 imported" in text
    assert "column mapping" in text
