"""What every importer shares (geo.sources._common): code columns, blank cells, publisher CSVs by column name."""

from __future__ import annotations

import pandas as pd
import pytest

from geo.schema import UnreadableFileError
from geo.sources._common import blank_to_na, code_text, map_codes, read_named_csv
from tests.files import write_csv


def test_code_columns_read_as_integer_text_and_unknown_codes_say_so():
    values = pd.Series(["2", "2.0", " 3 ", "", "9"], dtype="str")
    assert code_text(values).tolist() == ["2", "2", "3", "", "9"]
    assert map_codes(values, {"2": "week", "3": "month"}).tolist() == ["week", "week", "month", "unknown", "unknown"]


def test_blank_cells_become_missing_and_text_is_stripped():
    out = blank_to_na(pd.Series([" a ", "", "   ", None], dtype="str"))
    assert out.iloc[0] == "a" and out.iloc[1:].isna().all()


def test_a_publisher_csv_is_read_by_column_name_in_any_case(tmp_path):
    path = write_csv(tmp_path / "old.csv", ["DATA_ID", "Event_Date", "LATITUDE", "longitude"], [["7", "2024-01-02", "50", "30"]])
    table = read_named_csv(path, ("event_id_cnty", "event_date", "latitude", "longitude"), "an ACLED export",
                           aliases={"event_id_cnty": "data_id"})
    assert table.col("event_id_cnty").tolist() == ["7"] and table.col("notes").tolist() == [""]
    staged = table.staged("acled", pd.DataFrame({"x": [1]}), {"source_id": "event_id_cnty", "date": "event_date"},
                          ("%Y-%m-%d",))
    assert staged.columns == {"source_id": "DATA_ID", "date": "Event_Date"}  # messages name the file's own spelling
    assert staged.rows_read == 1 and staged.file == "old.csv"


def test_a_csv_without_a_required_column_is_refused_in_one_line(tmp_path):
    path = write_csv(tmp_path / "x.csv", ["id", "date"], [["1", "2024-01-01"]])
    with pytest.raises(UnreadableFileError) as info:
        read_named_csv(path, ("id", "date", "latitude", "longitude"), "a UCDP GED file")
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("x.csv: not a UCDP GED file, the columns latitude, longitude are missing.")
    assert "--format generic" in message
