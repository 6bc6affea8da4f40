"""Importers on the real third-party files in ../shared/data (read in place, never copied).

Counts are exact: every row read is either imported or quarantined, and the
numbers below are what these files contain (see the comments for why rows are
quarantined).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from geo.ingest import detect_format, read_incidents
from geo.schema import IMPORT_COLUMNS, validate_incidents

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
INCIDENTS = DATA / "incidents"
TODAY = "2025-11-27"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not INCIDENTS.is_dir(), reason="../shared/data is not available"),
]

# path, format, rows read, imported, quarantined by reason
CASES = [
    # 6 strikes in Russia (Moscow region) are outside Ukraine + 50 km; CIV1151, CIV1553, CIV2134 appear twice.
    ("bellingcat/ukr-civharm-2024-02-26.csv", "bellingcat", 1551, 1542, {"outside_study_area": 6, "duplicate_id": 3}),
    # CIV1553 appears twice.
    ("bellingcat/timemap-api-2023-05-28", "bellingcat_timemap", 1159, 1158, {"duplicate_id": 1}),
    # 22 points in Russia, 1 in the open Black Sea, 3 at the (0, 0) placeholder; one record is repeated verbatim.
    ("bellingcat/incidents-2025-07-reduced.json", "bellingcat", 2514, 2487, {"outside_study_area": 26, "duplicate_id": 1}),
    ("ucdp/ucdp-ged-ukraine-2014-2022-02.csv", "ucdp", 3077, 3077, {}),
    ("ucdp/ucdp-ukraine-2014-2023-02-cp1252.csv", "ucdp", 3883, 3883, {}),
]


@pytest.fixture(scope="module")
def results():
    return {rel: read_incidents(INCIDENTS / rel, today=TODAY) for rel, *_ in CASES}


@pytest.mark.parametrize(("rel", "fmt", "rows", "imported", "by_reason"), CASES, ids=[c[0] for c in CASES])
def test_real_file_exact_counts(results, rel, fmt, rows, imported, by_reason):
    """Rows read = imported + quarantined, with the exact split observed for each file."""
    assert detect_format(INCIDENTS / rel) == fmt
    result = results[rel]
    assert result.rows_read == rows
    assert len(result.incidents) == imported
    assert len(result.incidents) + len(result.quarantine) == result.rows_read
    assert result.quarantine["reason"].value_counts().to_dict() == by_reason
    assert validate_incidents(result.incidents) == []
    assert list(result.incidents.columns) == list(IMPORT_COLUMNS)
    assert result.incidents["incident_id"].is_unique
    for original in result.quarantine["original"]:
        assert isinstance(json.loads(original), dict)


def _row(result, source_id):
    frame = result.incidents.set_index("source_id")
    return frame.loc[source_id]


def test_bellingcat_csv_round_trip(results):
    """Coordinates, dates, categories and URLs of known rows come through unchanged."""
    result = results["bellingcat/ukr-civharm-2024-02-26.csv"]
    row = _row(result, "CIV0098")
    assert (row["lat"], row["lon"], row["date"]) == (49.212119, 38.905921, pd.Timestamp("2022-02-24"))
    assert row["target_types"] == ["residential"] and row["weapons"] == ["unknown"]
    row = _row(result, "CIV0004")
    assert row["weapons"] == ["cluster_munition"] and row["target_types"] == ["healthcare"]
    assert len(row["source_urls"]) == 5 and row["source_urls"][0].startswith("https://www.hrw.org/")
    assert result.incidents["killed"].isna().all() and result.incidents["injured"].isna().all()
    dup = result.quarantine[result.quarantine["reason"] == "duplicate_id"]
    assert sorted(json.loads(o)["id"] for o in dup["original"]) == ["CIV1151", "CIV1553", "CIV2134"]
    outside = result.quarantine[result.quarantine["reason"] == "outside_study_area"]
    assert {json.loads(o)["location"] for o in outside["original"]} >= {"Moscow"}


def test_timemap_round_trip(results):
    """Associations and sources resolve through the two lookup files."""
    row = _row(results["bellingcat/timemap-api-2023-05-28"], "CIV0001")
    assert (row["lat"], row["lon"]) == (49.85005, 36.659031)
    assert row["location"] == "Chuhuiv, south of Kharkiv"
    assert row["target_types"] == ["residential"] and row["weapons"] == ["unknown"]
    assert len(row["source_urls"]) == 12


def test_reduced_json_ids_are_stable(results):
    """Content-hash ids do not change between imports."""
    again = read_incidents(INCIDENTS / "bellingcat/incidents-2025-07-reduced.json", today=TODAY)
    first = results["bellingcat/incidents-2025-07-reduced.json"]
    assert again.incidents["incident_id"].tolist() == first.incidents["incident_id"].tolist()
    last = first.incidents.iloc[-1]
    assert (last["date"], last["lat"], last["lon"]) == (pd.Timestamp("2025-07-09"), 46.736543, 32.190167)


@pytest.mark.parametrize("rel", ["ucdp/ucdp-ged-ukraine-2014-2022-02.csv", "ucdp/ucdp-ukraine-2014-2023-02-cp1252.csv"])
def test_ucdp_round_trip(results, rel):
    """GED event 147997 (Maidan, 22 January 2014): best = 5 killed, coordinates and precision kept."""
    row = _row(results[rel], "147997")
    assert (row["date"], row["lat"], row["lon"], row["killed"]) == (pd.Timestamp("2014-01-22"), 50.45, 30.52333, 5)
    assert (row["geo_precision"], row["date_precision"]) == ("exact", "day")
    extra = json.loads(row["extra"])
    assert (extra["low"], extra["high"], extra["deaths_civilians"]) == ("5", "5", "0")


def test_ucdp_cp1252_text_and_mixed_dates(results):
    """cp1252 apostrophes decode; 'MM/DD/YYYY 00:00' and 'M/D/YYYY 12:00:00 AM' both parse."""
    result = results["ucdp/ucdp-ukraine-2014-2023-02-cp1252.csv"]
    assert any("cp1252" in m for m in result.messages)
    row = _row(result, "233458")
    assert json.loads(row["extra"])["where_description"] == "Donetsk’s Kirov district"
    assert (row["date"], row["killed"], row["lat"], row["lon"]) == (pd.Timestamp("2016-08-21"), 2, 48.0, 37.805278)
    assert _row(result, "153027")["date"] == pd.Timestamp("2014-05-02")
    assert _row(result, "465515")["date"] == pd.Timestamp("2023-02-27")
    assert result.incidents["date"].max() == pd.Timestamp("2023-02-28")
