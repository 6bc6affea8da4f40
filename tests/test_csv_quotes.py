"""Quote characters in CSV files (issue 17 item 4): a stray quote is text, damage is pinned to its line."""

from __future__ import annotations

import json

import pytest

from geo.ingest import read_incidents
from geo.parsing import read_csv_table
from geo.schema import UnreadableFileError

TODAY = "2025-11-27"
HEADER = "id,date,latitude,longitude,description\n"


def _rows(n, special=None):
    lines = []
    for i in range(1, n + 1):
        text = (special or {}).get(i, f"event {i}")
        lines.append(f"r{i},2024-02-{i % 28 + 1:02d},47.84,35.14,{text}\n")
    return HEADER + "".join(lines)


def test_stray_quote_in_unquoted_field_keeps_every_row(tmp_path):
    """Issue 17: `Zaporizhzhia 5" shelling` on data row 4 used to refuse the whole file."""
    path = tmp_path / "stray.csv"
    path.write_text(_rows(10, {4: 'Zaporizhzhia 5" shelling'}), encoding="utf-8")
    table = read_csv_table(path)
    assert len(table.frame) == 10 and not table.malformed
    assert table.frame["description"].iloc[3] == 'Zaporizhzhia 5" shelling'
    result = read_incidents(path, today=TODAY)
    assert len(result.incidents) == 10 and len(result.quarantine) == 0
    assert 'Zaporizhzhia 5" shelling' in set(result.incidents["description"])


@pytest.mark.parametrize("rows", [3, 10, 5000])
def test_undoubled_quote_in_quoted_field_quarantines_only_that_row(tmp_path, rows):
    """`"5" shelling"` breaks only its own row: quarantined with its line number, the rest imported."""
    path = tmp_path / "inner.csv"
    path.write_text(_rows(rows, {2: '"Zaporizhzhia 5" shelling"'}), encoding="utf-8")
    result = read_incidents(path, today=TODAY)
    assert len(result.incidents) == rows - 1
    assert result.quarantine["reason"].tolist() == ["row_malformed"]
    assert int(result.quarantine["row_number"].iloc[0]) == 2
    assert "line 3" in result.quarantine["detail"].iloc[0]
    assert json.loads(result.quarantine["original"].iloc[0])["id"] == "r2"


def test_truncated_file_names_the_line_where_the_quote_opens(tmp_path):
    """A quoted field that never closes: the message names its line and data row, not the last row."""
    text = _rows(10)
    text = text.replace("r6,2024-02-07,47.84,35.14,event 6", 'r6,2024-02-07,47.84,35.14,"event 6 cut off')
    path = tmp_path / "cut.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError) as info:
        read_incidents(path, today=TODAY)
    assert "line 7 (data row 6)" in str(info.value) and "never closed" in str(info.value)


def test_truncation_hidden_by_an_even_number_of_quotes_is_still_found(tmp_path):
    """One stray quote plus one unclosed field make an even count; the swallowed rows give it away."""
    text = _rows(6, {2: 'Kherson 3" mortar'}).replace("event 4", '"event 4 cut off')
    path = tmp_path / "even.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(UnreadableFileError, match=r"line 5 \(data row 4\)"):
        read_csv_table(path)


def test_wrong_field_count_names_the_physical_line(tmp_path):
    """With a multi-line quoted field above it, the data row and the file line differ; both are told."""
    text = HEADER + 'r1,2024-02-01,47.84,35.14,"two\nlines"\nr2,2024-02-02,47.84\nr3,2024-02-03,47.84,35.14,x\n'
    path = tmp_path / "fields.csv"
    path.write_text(text, encoding="utf-8")
    table = read_csv_table(path)
    assert [m[0] for m in table.malformed] == [2]
    assert table.malformed[0][2].startswith("line 4:")
