"""Importers on fixtures built in code: ACLED, UCDP, Bellingcat (CSV, TimeMap, reduced JSON), curated, generic."""

from __future__ import annotations

import json
import zipfile

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, Polygon

from geo.ingest import detect_format, merge_incidents, read_incidents
from geo.schema import (
    ALL_COLUMNS,
    IMPORT_COLUMNS,
    QUARANTINE_COLUMNS,
    QUARANTINE_REASONS,
    UnreadableFileError,
    coerce_incidents,
    validate_incidents,
)
from geo.sources import generic
from geo.studyarea import classify_points
from tests.files import write_csv
from tests.synthetic_data import make_incidents

TODAY = "2025-11-27"


def _check_result(result):
    """Invariants every import must satisfy."""
    assert len(result.incidents) + len(result.quarantine) == result.rows_read
    assert list(result.incidents.columns) == list(IMPORT_COLUMNS)
    assert list(result.quarantine.columns) == list(QUARANTINE_COLUMNS)
    assert validate_incidents(result.incidents) == []
    pd.testing.assert_frame_equal(coerce_incidents(result.incidents), result.incidents, check_dtype=len(result.incidents) > 0)
    assert set(result.quarantine["reason"]) <= set(QUARANTINE_REASONS)
    for original in result.quarantine["original"]:
        assert isinstance(json.loads(original), dict)
    assert result.quarantine["row_number"].notna().all()
    for extra in result.incidents["extra"]:
        assert isinstance(json.loads(extra), dict)


# --------------------------------------------------------------------------- ACLED

ACLED_CURRENT = [
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction", "civilian_targeting",
    "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude", "longitude", "geo_precision",
    "source", "source_scale", "notes", "fatalities", "tags", "timestamp",
]
ACLED_PRE2023 = [
    "ISO", "EVENT_ID_CNTY", "EVENT_ID_NO_CNTY", "EVENT_DATE", "YEAR", "TIME_PRECISION", "EVENT_TYPE", "SUB_EVENT_TYPE",
    "ACTOR1", "ASSOC_ACTOR_1", "INTER1", "ACTOR2", "ASSOC_ACTOR_2", "INTER2", "INTERACTION", "REGION", "COUNTRY",
    "ADMIN1", "ADMIN2", "ADMIN3", "LOCATION", "LATITUDE", "LONGITUDE", "GEO_PRECISION", "SOURCE", "SOURCE_SCALE",
    "NOTES", "FATALITIES", "TIMESTAMP", "ISO3",
]
# (id, date, time_prec, event_type, sub_event_type, civilian_targeting, location, lat, lon, geo_prec, notes, fatalities)
ACLED_EVENTS = [
    ("UKR1", "24 February 2022", "1", "Explosions/Remote violence", "Shelling/artillery/missile attack",
     "Civilian targeting", "Kharkiv", "49.9935", "36.2304", "1",
     "On 24 February 2022, Russian forces struck Kharkiv with an Iskander missile; a residential building was hit.", "4"),
    ("UKR2", "2022-02-24", "2", "Explosions/Remote violence", "Air/drone strike", "", "Odesa", "46.4825", "30.7233", "2",
     "Russian forces attacked Odesa with Shahed drones; energy infrastructure was damaged.", "0"),
    ("UKR3", "24-Feb-22", "3", "Explosions/Remote violence", "Shelling/artillery/missile attack", "", "Avdiivka",
     "48.1394", "37.7497", "3", "Russian forces shelled Avdiivka with Grad MLRS.", "1"),
    ("UKR4", "2/24/2022", "1", "Protests", "Peaceful protest", "", "Lviv", "49.8397", "24.0297", "1",
     "Residents of Lviv held a rally against the war.", "0"),
    ("UKR5", "1 March 2022", "1", "Battles", "Armed clash", "", "Bucha", "50.5431", "30.2121", "1",
     "Clashes between Russian and Ukrainian forces near Bucha.", ""),
    ("UKR6", "2 March 2022", "1", "Explosions/Remote violence", "Remote explosive/landmine/IED", "Civilian targeting",
     "Izium", "49.2128", "37.2567", "2", "A civilian stepped on a landmine near Izium.", "1"),
]


def _acled_rows(columns):
    rows = []
    for (eid, date, tp, etype, sub, civ, loc, lat, lon, gp, notes, fat) in ACLED_EVENTS:
        values = {
            "event_id_cnty": eid, "event_id_no_cnty": eid[3:], "event_date": date, "year": "2022", "time_precision": tp,
            "disorder_type": "Political violence", "event_type": etype, "sub_event_type": sub,
            "actor1": "Military Forces of Russia (2000-)", "assoc_actor_1": "", "inter1": "8", "actor2": "Civilians (Ukraine)",
            "assoc_actor_2": "", "inter2": "7", "interaction": "87", "civilian_targeting": civ, "iso": "804",
            "region": "Europe", "country": "Ukraine", "admin1": "Kharkiv", "admin2": "", "admin3": "", "location": loc,
            "latitude": lat, "longitude": lon, "geo_precision": gp, "source": "Ukrinform", "source_scale": "National",
            "notes": notes, "fatalities": fat, "tags": "", "timestamp": "1646000000", "iso3": "UKR",
        }
        rows.append([values[c.lower()] for c in columns])
    return rows


@pytest.fixture(params=["current", "pre2023"])
def acled_csv(request, tmp_path):
    """An ACLED export in the current (lower-case) or the pre-2023 (upper-case) column set."""
    columns = ACLED_CURRENT if request.param == "current" else ACLED_PRE2023
    return write_csv(tmp_path / f"acled-{request.param}.csv", columns, _acled_rows(columns))


def test_acled_both_column_sets(acled_csv):
    """Dates in four spellings, precisions, fatalities (0 is a real 0), event types refined by notes."""
    assert detect_format(acled_csv) == "acled"
    result = read_incidents(acled_csv, today=TODAY)
    _check_result(result)
    assert result.rows_read == len(ACLED_EVENTS) and len(result.quarantine) == 0
    inc = result.incidents.set_index("source_id")
    assert (inc.loc[["UKR1", "UKR2", "UKR3", "UKR4"], "date"] == pd.Timestamp("2022-02-24")).all()
    assert inc.loc[["UKR1", "UKR2", "UKR3"], "date_precision"].tolist() == ["day", "week", "month"]
    assert inc.loc[["UKR1", "UKR2", "UKR3"], "geo_precision"].tolist() == ["near", "area", "region"]
    assert inc.loc["UKR1", "killed"] == 4 and inc.loc["UKR2", "killed"] == 0
    assert pd.isna(inc.loc["UKR5", "killed"])
    assert inc["injured"].isna().all()
    assert inc.loc["UKR1", "event_type"] == "missile_strike"
    assert inc.loc["UKR1", "weapons"] == ["ballistic_missile"]
    assert inc.loc["UKR1", "target_types"] == ["residential"]
    if "current" in acled_csv.name:
        assert inc.loc["UKR1", "target_raw"] == "Civilian targeting"
    assert inc.loc["UKR2", "event_type"] == "drone_strike" and inc.loc["UKR2", "weapons"] == ["drone"]
    assert inc.loc["UKR2", "target_types"] == ["energy"]
    assert inc.loc["UKR3", "event_type"] == "shelling" and inc.loc["UKR3", "weapons"] == ["rocket_artillery"]
    assert inc.loc["UKR4", "event_type"] == "protest" and inc.loc["UKR4", "weapons"] == []
    assert inc.loc["UKR5", "event_type"] == "battle" and inc.loc["UKR5", "weapons"] == ["unknown"]
    assert inc.loc["UKR6", "event_type"] == "mine" and inc.loc["UKR6", "weapons"] == ["mine"]
    assert inc.loc["UKR1", "event_type_raw"] == "Shelling/artillery/missile attack"
    assert inc.loc["UKR1", "lat"] == 49.9935 and inc.loc["UKR1", "lon"] == 36.2304
    extra = json.loads(inc.loc["UKR1", "extra"])
    assert {k.lower() for k in extra} >= {"actor1", "interaction", "source", "admin1", "timestamp"}
    assert "notes" not in {k.lower() for k in extra}
    assert (result.incidents["incident_id"] == "acled:" + result.incidents["source_id"]).all()


def test_acled_quarantine_reasons(tmp_path):
    """Each kind of bad row is quarantined with its reason, the column and value, and its row number."""
    rows = _acled_rows(ACLED_CURRENT)[:1]
    base = dict(zip(ACLED_CURRENT, rows[0], strict=True))
    cases = [
        ("date_unparseable", {"event_id_cnty": "B1", "event_date": "31 February 2022"}),
        ("date_missing", {"event_id_cnty": "B2", "event_date": ""}),
        ("date_in_future", {"event_id_cnty": "B3", "event_date": "1 January 2030"}),
        ("date_out_of_range", {"event_id_cnty": "B4", "event_date": "1 January 1980"}),
        ("coords_missing", {"event_id_cnty": "B5", "latitude": ""}),
        ("coords_not_numeric", {"event_id_cnty": "B6", "latitude": "north"}),
        ("coords_out_of_range", {"event_id_cnty": "B7", "latitude": "149.99"}),
        ("latlon_swapped", {"event_id_cnty": "B8", "latitude": "36.2304", "longitude": "49.9935"}),
        ("outside_study_area", {"event_id_cnty": "B9", "latitude": "55.75", "longitude": "37.61"}),
        ("negative_casualties", {"event_id_cnty": "B10", "fatalities": "-2"}),
        ("casualties_not_numeric", {"event_id_cnty": "B11", "fatalities": "several"}),
        ("missing_id", {"event_id_cnty": ""}),
        ("duplicate_id", {"event_id_cnty": "UKR1"}),
    ]
    all_rows = rows + [[{**base, **change}[c] for c in ACLED_CURRENT] for _, change in cases]
    path = write_csv(tmp_path / "acled.csv", ACLED_CURRENT, all_rows)
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert len(result.incidents) == 1
    q = result.quarantine.set_index("row_number")
    for number, (reason, change) in enumerate(cases, start=2):
        assert q.loc[number, "reason"] == reason
        assert q.loc[number, "file"] == "acled.csv"
        original = json.loads(q.loc[number, "original"])
        assert original["event_id_cnty"] == change.get("event_id_cnty", base["event_id_cnty"])
    assert "event_date='31 February 2022'" in q.loc[2, "detail"]
    assert "fatalities='-2'" in q.loc[11, "detail"]


def test_acled_idempotent_reimport(acled_csv):
    """Importing the same file twice and merging gives the same table."""
    first = read_incidents(acled_csv, today=TODAY).incidents
    second = read_incidents(acled_csv, today=TODAY).incidents
    merged = merge_incidents(first, second)
    pd.testing.assert_frame_equal(merged, first)


# --------------------------------------------------------------------------- UCDP

UCDP_COLUMNS = (
    "id,relid,year,active_year,code_status,type_of_violence,conflict_dset_id,conflict_new_id,conflict_name,"
    "dyad_dset_id,dyad_new_id,dyad_name,side_a_dset_id,side_a_new_id,side_a,side_b_dset_id,side_b_new_id,side_b,"
    "number_of_sources,source_article,source_office,source_date,source_headline,source_original,where_prec,"
    "where_coordinates,where_description,adm_1,adm_2,latitude,longitude,geom_wkt,priogrid_gid,country,country_id,"
    "region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,"
    "low,gwnoa,gwnob"
).split(",")


def _ucdp_row(uid, where_prec, date_prec, date_start, best, low, high, civ, violence="1", lat="48.0", lon="37.8",
              headline="Shelling kills civilians in Donetsk", description="Donetsk’s Kirov district"):
    values = dict.fromkeys(UCDP_COLUMNS, "")
    values.update({
        "id": uid, "relid": f"UKR-2016-1-{uid}", "year": "2016", "active_year": "1", "code_status": "Clear",
        "type_of_violence": violence, "conflict_name": "Ukraine: Donetsk", "side_a": "Government of Ukraine",
        "side_b": "DPR", "number_of_sources": "1", "source_headline": headline, "where_prec": where_prec,
        "where_coordinates": "Donetsk town", "where_description": description, "adm_1": "Donetsk oblast",
        "latitude": lat, "longitude": lon, "geom_wkt": f"POINT ({lon} {lat})", "country": "Ukraine", "country_id": "369",
        "region": "Europe", "event_clarity": "1", "date_prec": date_prec, "date_start": date_start,
        "date_end": date_start, "deaths_a": "0", "deaths_b": "0", "deaths_civilians": civ, "deaths_unknown": "0",
        "best": best, "high": high, "low": low, "gwnoa": "369",
    })
    return [values[c] for c in UCDP_COLUMNS]


def test_ucdp_cp1252_mixed_dates_and_precisions(tmp_path):
    """cp1252 text, three date spellings, where_prec 1-7 and date_prec 1-5 mapped, best/low/high kept."""
    rows = [
        _ucdp_row("1", "1", "1", "2016-08-21", "2", "1", "3", "2"),
        _ucdp_row("2", "2", "2", "8/21/2016 12:00:00 AM", "0", "0", "0", "0"),
        _ucdp_row("3", "3", "3", "08/21/2016 00:00", "5", "5", "7", "1"),
        _ucdp_row("4", "4", "4", "8/21/2016", "1", "1", "1", "1", violence="3", headline="Civilians executed"),
        _ucdp_row("5", "5", "5", "2016-08-21", "1", "1", "1", "0"),
        _ucdp_row("6", "6", "1", "2016-08-21", "1", "1", "1", "0"),
        _ucdp_row("7", "7", "1", "2016-08-21", "1", "1", "1", "0"),
    ]
    path = write_csv(tmp_path / "ged.csv", UCDP_COLUMNS, rows, encoding="cp1252")
    assert detect_format(path) == "ucdp"
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert any("cp1252" in m for m in result.messages)
    inc = result.incidents.set_index("source_id")
    assert (inc["date"] == pd.Timestamp("2016-08-21")).all()
    assert inc["geo_precision"].tolist() == ["exact", "near", "area", "region", "region", "unknown", "unknown"]
    assert inc["date_precision"].tolist()[:5] == ["day", "week", "month", "unknown", "unknown"]
    assert inc.loc["1", "killed"] == 2 and inc.loc["2", "killed"] == 0
    assert inc["injured"].isna().all()
    extra = json.loads(inc.loc["3", "extra"])
    assert (extra["low"], extra["high"], extra["deaths_civilians"]) == ("5", "7", "1")
    assert extra["where_description"] == "Donetsk’s Kirov district"
    assert inc.loc["1", "event_type"] == "shelling" and inc.loc["1", "weapons"] == ["artillery_unspecified"]
    assert inc.loc["4", "event_type"] == "attack_on_civilians"
    assert inc.loc["1", "event_type_raw"] == "type_of_violence=1 (state-based conflict)"


# --------------------------------------------------------------------------- Bellingcat

BELLINGCAT_HEADER = ["id", "date", "latitude", "longitude", "location", "description", "sources", "associations"]


def test_bellingcat_csv(tmp_path):
    """Multi-valued associations, several URLs (only http/https kept), duplicate ids, a point in Moscow."""
    rows = [
        ["CIV1", "02/24/2022", "49.85005", "36.659031", "Chuhuiv", "Apartment block hit by a missile.",
         "https://t.me/a/1,https://twitter.com/x/status/2?s=20&t=a,b javascript:alert(1)",
         "Type of area affected=Residential,Type of area affected=School or childcare,Weapon System=Cruise missile,"
         "Weapon System=Cluster munitions"],
        ["CIV2", "03/01/2022", "50.45", "30.52", "", "Shelling of a market.", "", ""],
        ["CIV2", "03/01/2022", "50.46", "30.53", "", "Duplicate entry.", "", "Weapon System=Unknown"],
        ["CIV3", "03/02/2022", "55.75", "37.61", "Moscow", "Drone hit an office.", "", "Weapon System=Loitering munition"],
        ["CIV4", "03/03/2022", "50.0", "36.2", "", "Mortar fire.", "", "Type of area affected=Undefined,"
         "Weapon System=HE artillery inc mortars,Other key=Value"],
    ]
    path = write_csv(tmp_path / "civharm.csv", BELLINGCAT_HEADER, rows)
    assert detect_format(path) == "bellingcat"
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert result.quarantine["reason"].tolist() == ["duplicate_id", "outside_study_area"]
    assert result.quarantine["row_number"].tolist() == [3, 4]
    inc = result.incidents.set_index("source_id")
    assert inc.loc["CIV1", "target_types"] == ["residential", "education"]
    assert inc.loc["CIV1", "weapons"] == ["cruise_missile", "cluster_munition"]
    assert inc.loc["CIV1", "weapon_raw"] == "Cruise missile | Cluster munitions"
    assert inc.loc["CIV1", "event_type"] == "missile_strike"
    assert inc.loc["CIV1", "source_urls"] == ["https://t.me/a/1", "https://twitter.com/x/status/2?s=20&t=a,b"]
    assert inc.loc["CIV2", "target_types"] == ["unknown"] and inc.loc["CIV2", "weapons"] == ["unknown"]
    assert inc.loc["CIV2", "event_type"] == "shelling"
    assert inc.loc["CIV4", "weapons"] == ["tube_artillery"] and inc.loc["CIV4", "event_type"] == "shelling"
    assert json.loads(inc.loc["CIV4", "extra"]) == {"associations_other": {"Other key": ["Value"]}}
    assert inc["killed"].isna().all() and inc["injured"].isna().all()
    assert (inc["geo_precision"] == "near").all()


def _timemap_folder(tmp_path):
    folder = tmp_path / "timemap"
    folder.mkdir()
    events = [
        {"associations": ["asc1", "asc19"], "sources": ["s1", "s2", "srcHidden"], "id": "CIV0001",
         "description": "Apartment block hit.", "date": "02/24/2022", "time": "00:00", "location": "Chuhuiv",
         "latitude": "49.85005", "longitude": "36.659031", "graphic": "TRUE"},
        {"associations": ["asc5", "asc17", "asc99"], "sources": ["s3"], "id": "CIV0002", "description": "School hit.",
         "date": "3/3/2022", "time": "00:00", "location": "Kharkiv", "latitude": "49.99", "longitude": "36.23",
         "graphic": "FALSE"},
        {"associations": [], "sources": [], "id": "CIV0002", "description": "Repeat.", "date": "3/3/2022",
         "time": "00:00", "location": "", "latitude": "49.99", "longitude": "36.23", "graphic": "FALSE"},
    ]
    associations = [
        {"filter_paths": ["Type of area affected", "Residential"], "id": "asc1", "title": "Residential", "mode": "FILTER"},
        {"filter_paths": ["Type of area affected", "School or childcare"], "id": "asc5", "title": "School", "mode": "FILTER"},
        {"filter_paths": ["Weapon System", "Cluster munitions"], "id": "asc17", "title": "Cluster", "mode": "FILTER"},
        {"filter_paths": ["Weapon System", "Cruise missile"], "id": "asc19", "title": "Cruise", "mode": "FILTER"},
    ]
    sources = {
        "srcHidden": {"paths": ["HIDDEN"], "id": "srcHidden", "title": "-", "description": "Source hidden"},
        "s1": {"paths": ["https://t.me/x/1"], "id": "s1", "title": "CIV0001", "description": "Bombing"},
        "s2": {"paths": ["javascript:alert(1)"], "id": "s2", "title": "CIV0001", "description": "Bad"},
        "s3": {"paths": ["https://example.org/3"], "id": "s3", "title": "CIV0002", "description": "School"},
    }
    for name, data in (("export_events.json", events), ("export_associations.json", associations),
                       ("export_sources.json", sources)):
        (folder / name).write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_bellingcat_timemap_triple(tmp_path):
    """Association and source ids resolve; unresolved ids and non-URL paths are kept in extra."""
    folder = _timemap_folder(tmp_path)
    assert detect_format(folder) == "bellingcat_timemap"
    assert detect_format(folder / "export_events.json") == "bellingcat_timemap"
    result = read_incidents(folder, today=TODAY)
    _check_result(result)
    assert result.rows_read == 3
    assert result.quarantine[["row_number", "reason"]].values.tolist() == [[3, "duplicate_id"]]
    inc = result.incidents.set_index("source_id")
    assert inc.loc["CIV0001", "weapons"] == ["cruise_missile"]
    assert inc.loc["CIV0001", "source_urls"] == ["https://t.me/x/1"]
    assert inc.loc["CIV0002", "date"] == pd.Timestamp("2022-03-03")
    assert inc.loc["CIV0002", "target_types"] == ["education"]
    extra = json.loads(inc.loc["CIV0001", "extra"])
    assert extra["graphic"] == "TRUE" and "HIDDEN" in extra["source_paths_not_urls"]
    assert json.loads(inc.loc["CIV0002", "extra"])["associations_unresolved"] == ["asc99"]


def test_bellingcat_timemap_missing_file(tmp_path):
    """A folder missing one of the three files is refused with the missing name."""
    folder = _timemap_folder(tmp_path)
    (folder / "export_sources.json").unlink()
    with pytest.raises(UnreadableFileError, match="export_sources.json"):
        read_incidents(folder, fmt="bellingcat_timemap")


def test_bellingcat_reduced_json_content_ids(tmp_path):
    """No ids: stable content-hash ids, identical rows quarantined as duplicates, ids equal on re-import."""
    records = [
        {"date": "2022-02-24", "location": None, "description": "Shelling.", "sources": ["https://t.me/a/1", "data:x"],
         "latitude": 49.2, "longitude": 38.9},
        {"date": "2022-02-25", "location": "Kyiv", "description": "Missile strike.", "sources": [],
         "latitude": 50.45, "longitude": 30.52},
    ]
    path = tmp_path / "reduced.json"
    path.write_text(json.dumps(records + [records[0]]), encoding="utf-8")
    assert detect_format(path) == "bellingcat"
    first = read_incidents(path, today=TODAY)
    _check_result(first)
    assert first.quarantine[["row_number", "reason"]].values.tolist() == [[3, "duplicate_id"]]
    assert first.incidents["source_id"].str.match(r"^sha1-[0-9a-f]{16}$").all()
    assert first.incidents.loc[0, "source_urls"] == ["https://t.me/a/1"]
    assert first.incidents["event_type"].tolist() == ["shelling", "missile_strike"]
    again = read_incidents(path, today=TODAY)
    assert again.incidents["incident_id"].tolist() == first.incidents["incident_id"].tolist()


# --------------------------------------------------------------------------- curated

CURATED_HEADER = [
    "source_id", "date", "date_precision", "lat", "lon", "geo_precision", "location", "admin1_iso", "target_types",
    "target_raw", "weapons", "weapon_raw", "event_type", "killed", "injured", "casualty_source", "casualty_note",
    "description", "source_urls", "sources",
]


def test_curated_csv(tmp_path):
    """Lists split on ' | ', canonical codes kept, admin1_iso and provenance go to extra."""
    rows = [
        ["2022-02-24-vuhledar", "2022-02-24", "day", "47.7806", "37.2486", "area", "Vuhledar", "UA-14", "healthcare",
         "hospital", "ballistic_missile | cluster_munition", "Tochka", "missile_strike", "4", "10", "HRW", "note",
         "A missile hit the hospital.", "https://www.hrw.org/a | javascript:x", "HRW — 2022"],
        ["2022-03-09-mariupol", "2022-03-09", "day", "47.0971", "37.5434", "exact", "Mariupol", "UA-14",
         "healthcare | residential", "", "aerial_bomb", "", "air_strike", "3", "", "", "", "", "", ""],
    ]
    path = write_csv(tmp_path / "incidents.csv", CURATED_HEADER, rows)
    assert detect_format(path) == "curated"
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    inc = result.incidents.set_index("source_id")
    assert inc.loc["2022-02-24-vuhledar", "weapons"] == ["ballistic_missile", "cluster_munition"]
    assert inc.loc["2022-02-24-vuhledar", "source_urls"] == ["https://www.hrw.org/a"]
    assert inc.loc["2022-03-09-mariupol", "target_types"] == ["healthcare", "residential"]
    assert pd.isna(inc.loc["2022-03-09-mariupol", "injured"])
    assert json.loads(inc.loc["2022-02-24-vuhledar", "extra"])["admin1_iso"] == "UA-14"
    assert (inc["source"] == "curated").all()


# --------------------------------------------------------------------------- generic


def test_generic_csv_with_mapping_dict_and_autodetect(tmp_path):
    """A mapping names odd columns; the rest is auto-detected; unmapped columns land in extra."""
    rows = [
        ["A1", "24.02.2022", "50,45", "30,52", "3", "school", "Grad", "note", "https://x.org/1"],
        ["A2", "25.02.2022", "48°30'N", "37.5", "", "Residential | Healthcare", "Cruise missile", "n2", ""],
    ]
    header = ["Ref", "When", "Y_COORD", "X_COORD", "Killed", "Target", "Weapon", "Remarks", "Link"]
    path = write_csv(tmp_path / "my data.csv", header, rows)
    assert detect_format(path) == "generic"
    result = read_incidents(path, mapping={"id": "Ref", "date": "When", "lat": "Y_COORD", "lon": "X_COORD"}, today=TODAY)
    _check_result(result)
    inc = result.incidents
    assert inc["incident_id"].tolist() == ["my-data:A1", "my-data:A2"]
    assert inc["lat"].tolist() == [50.45, 48.5]
    assert inc["killed"].tolist()[0] == 3 and pd.isna(inc["killed"].tolist()[1])
    assert inc.loc[0, "target_types"] == ["education"] and inc.loc[0, "weapons"] == ["rocket_artillery"]
    assert inc.loc[1, "target_types"] == ["residential", "healthcare"] and inc.loc[1, "weapons"] == ["cruise_missile"]
    assert inc.loc[1, "event_type"] == "missile_strike"
    assert json.loads(inc.loc[0, "extra"]) == {"Remarks": "note"}
    labelled = read_incidents(path, mapping={"id": "Ref", "date": "When", "lat": "Y_COORD", "lon": "X_COORD"},
                              source_label="Team A", today=TODAY)
    assert labelled.incidents["source"].unique().tolist() == ["team-a"]


@pytest.mark.parametrize("form", ["json", "lines"])
def test_generic_mapping_file(tmp_path, form):
    """Mapping files: a JSON object or field=column lines with comments."""
    path = tmp_path / "map.txt"
    if form == "json":
        path.write_text(json.dumps({"lat": "Y", "lon": "X"}), encoding="utf-8")
    else:
        path.write_text("# my mapping\nlat = Y\n\nlon=X\n", encoding="utf-8")
    assert generic.load_mapping(path) == {"lat": "Y", "lon": "X"}


def test_generic_missing_columns_and_bad_mapping(tmp_path):
    """No date/lat/lon column found, or a mapping naming a missing column: one clear message."""
    path = write_csv(tmp_path / "t.csv", ["when", "northing", "easting"], [["2022-02-24", "50", "30"]])
    with pytest.raises(UnreadableFileError, match=r"t\.csv: no column found for date, lat, lon.*--map"):
        read_incidents(path, fmt="generic")
    with pytest.raises(UnreadableFileError, match="no such column"):
        read_incidents(path, fmt="generic", mapping={"lat": "Latitude"})
    with pytest.raises(UnreadableFileError, match="unknown field"):
        read_incidents(path, fmt="generic", mapping={"colour": "when"})
    ok = read_incidents(path, mapping={"date": "when", "lat": "northing", "lon": "easting"}, today=TODAY)
    _check_result(ok)
    assert ok.incidents["source_id"].str.startswith("sha1-").all()


def test_generic_xlsx(tmp_path):
    """Excel: real datetimes and numbers in cells, blank rows ignored."""
    frame = pd.DataFrame({
        "Date": [pd.Timestamp("2022-02-24 10:30"), pd.Timestamp("2022-02-25"), "26/02/2022"],
        "Latitude": [50.45, 48.5, "49.99"], "Longitude": [30.52, 37.5, 36.23], "Fatalities": [2, None, 0],
        "Description": ["Missile hit a school", "Drone strike", "Shelling"],
    })
    path = tmp_path / "book.xlsx"
    frame.to_excel(path, index=False)
    assert detect_format(path) == "generic"
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    inc = result.incidents
    assert inc["date"].tolist() == [pd.Timestamp("2022-02-24"), pd.Timestamp("2022-02-25"), pd.Timestamp("2022-02-26")]
    assert inc["killed"].tolist()[0] == 2 and pd.isna(inc["killed"].tolist()[1]) and inc["killed"].tolist()[2] == 0
    assert inc["event_type"].tolist() == ["missile_strike", "drone_strike", "shelling"]


def test_generic_xlsx_zip_bomb_refused(tmp_path):
    """A highly compressed archive renamed .xlsx is refused before it is unpacked."""
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (50 * 1024 * 1024))
    with pytest.raises(UnreadableFileError, match="zip bomb"):
        read_incidents(path, fmt="generic")


def _to_web_mercator(lon, lat):
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:3857", always_xy=True).transform(lon, lat)


def test_generic_geojson_crs_and_geometry_types(tmp_path):
    """Legacy CRS member reprojected; non-point features quarantined; null geometry falls back to lat/lon."""
    fc = {
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::3857"}},
        "features": [
            {"type": "Feature", "properties": {"date": "2022-03-01", "id": "a"},
             "geometry": {"type": "Point", "coordinates": list(_to_web_mercator(30.52, 50.45))}},
            {"type": "Feature", "properties": {"date": "2022-03-01", "id": "b"},
             "geometry": {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}},
        ],
    }
    path = tmp_path / "points.geojson"
    path.write_text(json.dumps(fc), encoding="utf-8")
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert result.incidents.loc[0, "lon"] == pytest.approx(30.52, abs=1e-6)
    assert result.incidents.loc[0, "lat"] == pytest.approx(50.45, abs=1e-6)
    assert result.quarantine[["row_number", "reason"]].values.tolist() == [[2, "row_malformed"]]
    assert "Polygon" in result.quarantine.loc[0, "detail"]
    polygons = tmp_path / "areas.geojson"
    polygons.write_text(json.dumps({"type": "FeatureCollection", "features": fc["features"][1:]}), encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="areas.geojson: none of the 1 features is a usable point"):
        read_incidents(polygons)
    empty = tmp_path / "empty.geojson"
    empty.write_text(json.dumps({"type": "FeatureCollection", "features": []}), encoding="utf-8")
    with pytest.raises(UnreadableFileError, match="no features"):
        read_incidents(empty)


def test_generic_geoparquet(tmp_path):
    """GeoParquet in another CRS is reprojected; a polygon row is quarantined."""
    frame = gpd.GeoDataFrame(
        {"date": ["2022-03-01", "2022-03-02"], "fatalities": [1.0, np.nan], "id": ["p1", "p2"]},
        geometry=[Point(30.52, 50.45), Polygon([(30, 50), (31, 50), (31, 51)])], crs="EPSG:4326",
    ).to_crs(3857)
    path = tmp_path / "points.parquet"
    frame.to_parquet(path)
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert result.incidents["source_id"].tolist() == ["p1"]
    assert result.incidents.loc[0, "lat"] == pytest.approx(50.45)
    assert result.incidents.loc[0, "killed"] == 1
    assert result.quarantine["reason"].tolist() == ["row_malformed"]


# --------------------------------------------------------------------------- ingest, study area, bad files


def test_read_incidents_several_files_and_cross_file_duplicates(tmp_path):
    """Rows of several files are checked together; an id repeated in a second file is a duplicate."""
    a = write_csv(tmp_path / "a.csv", BELLINGCAT_HEADER, [["CIV1", "02/24/2022", "50.45", "30.52", "", "x", "", ""]])
    b = write_csv(tmp_path / "b.csv", BELLINGCAT_HEADER, [["CIV1", "02/25/2022", "50.45", "30.52", "", "y", "", ""]])
    seen = []
    result = read_incidents([a, b], today=TODAY, progress=seen.append)
    _check_result(result)
    assert seen == [1, 1]
    assert result.quarantine[["file", "reason"]].values.tolist() == [["b.csv", "duplicate_id"]]
    assert "a.csv" in result.quarantine.loc[0, "detail"]


def test_merge_incidents_new_wins_and_idempotent():
    """Same id: the new row replaces the old one in place; new ids are appended; merging twice changes nothing."""
    def rows(*pairs):
        return make_incidents([{"incident_id": f"x:{i}", "source": "x", "source_id": str(i), "killed": killed}
                               for i, killed in pairs])

    old, new = rows((1, 1), (2, 2)), rows((2, 5), (3, None))
    merged = merge_incidents(old, new)
    assert list(merged.columns) == list(IMPORT_COLUMNS)  # the enrichment's columns are left out by default
    assert merged["incident_id"].tolist() == ["x:1", "x:2", "x:3"]
    assert merged["killed"].tolist()[:2] == [1, 5]
    pd.testing.assert_frame_equal(merge_incidents(merged, new), merged)
    pd.testing.assert_frame_equal(merge_incidents(None, new, ALL_COLUMNS), new)


def test_study_area_buffer_and_swap():
    """Belgorod is inside with the default 50 km buffer but not with 0 km; swapped Kyiv is detected."""
    lon = np.array([30.52, 36.59, 50.45, 37.61])
    lat = np.array([50.45, 50.60, 30.52, 55.75])
    inside, swapped = classify_points(lon, lat, 50.0)
    assert inside.tolist() == [True, True, False, False]
    assert swapped.tolist() == [False, False, True, False]
    inside0, _ = classify_points(lon, lat, 0.0)
    assert inside0.tolist() == [True, False, False, False]


BAD_FILES = [
    ("empty.csv", b"", "empty"),
    ("header-only.csv", b"date,latitude,longitude\n", "no data rows"),
    ("binary.csv", bytes(range(256)) * 4, "binary"),
    ("archive.csv", b"PK\x03\x04" + b"\x00" * 64, "ZIP"),
    ("truncated.csv", b"date,latitude,longitude,description\n2022-02-24,50.1,30.2,\"cut off", "truncated"),
    ("dupes.csv", b"date,lat,lat\n2022-02-24,50,30\n", "more than once"),
    ("noheader.csv", b"2022-02-24,50.1,30.2\n2022-02-25,50.2,30.3\n", "looks like data"),
    ("oneline.csv", b"a" * (2 << 20), "longer than 1 MiB"),
    ("broken.json", b'[{"date": "2022-02-24", "latitude": 50', "not valid"),
    ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 64, ".xls"),
    ("fake.xlsx", b"not a zip at all", "xlsx"),
    ("empty.parquet", b"", "empty"),
]


@pytest.mark.parametrize(("name", "data", "needle"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_give_one_clear_error(tmp_path, name, data, needle):
    """Unreadable inputs raise UnreadableFileError naming the file and the problem, never a traceback of internals."""
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(UnreadableFileError) as info:
        read_incidents(path, today=TODAY)
    message = str(info.value)
    assert name in message
    assert needle.lower() in message.lower()


def test_limits_are_enforced(tmp_path):
    """max_rows and max_bytes refuse the file instead of cutting it."""
    rows = [[f"CIV{i}", "02/24/2022", "50.45", "30.52", "", "x", "", ""] for i in range(20)]
    path = write_csv(tmp_path / "c.csv", BELLINGCAT_HEADER, rows)
    with pytest.raises(UnreadableFileError, match="row limit"):
        read_incidents(path, max_rows=10)
    with pytest.raises(UnreadableFileError, match="limit"):
        read_incidents(path, max_bytes=100)
    assert len(read_incidents(path, max_rows=20, today=TODAY).incidents) == 20


def test_malformed_rows_are_quarantined_not_lost(tmp_path):
    """A row with an extra field goes to quarantine as row_malformed with its fields."""
    text = "id,date,latitude,longitude,location,description,sources,associations\n" \
           "CIV1,02/24/2022,50.45,30.52,,a,,\n" \
           "CIV2,02/24/2022,50.45,30.52,,b,,,surplus\n"
    path = tmp_path / "m.csv"
    path.write_text(text, encoding="utf-8")
    result = read_incidents(path, fmt="bellingcat", today=TODAY)
    _check_result(result)
    assert result.quarantine[["row_number", "reason"]].values.tolist() == [[2, "row_malformed"]]
    assert json.loads(result.quarantine.loc[0, "original"])["_extra_fields"] == ["surplus"]


def test_taxonomies_doc_lists_every_crosswalk_key():
    """docs/TAXONOMIES.md names every crosswalk key and keyword rule the importers use."""
    from pathlib import Path

    from geo.sources import acled, bellingcat, keywords, ucdp

    doc = (Path(__file__).resolve().parents[1] / "docs" / "TAXONOMIES.md").read_text(encoding="utf-8")
    for key in [*acled.SUB_EVENT_TYPES, *acled.EVENT_TYPES, *bellingcat.AREA_TO_TARGET, *bellingcat.WEAPON_TO_CODES]:
        assert f"| {key} |" in doc or f"{key} →" in doc, key
    for rules in (keywords.WEAPON_RULES, keywords.TARGET_RULES):
        for code, pattern in rules.items():
            assert f"| `{code}` | `{pattern.replace('|', chr(92) + '|')}` |" in doc, code
    for code in ucdp.WHERE_PREC:
        assert f"`where_prec` {code}" in doc
    for code in acled.GEO_PRECISION:
        assert f"`geo_precision` {code}" in doc


def test_many_quarantined_rows_keep_exact_originals(tmp_path):
    """The fast path that writes hundreds of quarantined rows keeps each original row exactly (empty cells too)."""
    rows = [[f"CIV{i}", "02/24/2022", "55.75", "37.61", "", f'say "hi" {i}\\', "", ""] for i in range(150)]
    path = write_csv(tmp_path / "moscow.csv", BELLINGCAT_HEADER, rows)
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert (result.quarantine["reason"] == "outside_study_area").all()
    originals = [json.loads(o) for o in result.quarantine["original"]]
    assert originals == [dict(zip(BELLINGCAT_HEADER, r, strict=True)) for r in rows]


def test_generic_keeps_non_url_source_text_and_bad_coordinates(tmp_path):
    """A 'source' column of names is not read as URLs (kept in extra); NaN and inf coordinates are quarantined."""
    rows = [
        ["1", "2022-02-24", "50.45", "30.52", "Ukrinform; Suspilne", "1"],
        ["2", "2022-02-24", "NaN", "30.52", "Ukrinform", "1"],
        ["3", "2022-02-24", "inf", "30.52", "Ukrinform", "1"],
        ["4", "2022-02-24", "50.45", "-inf", "Ukrinform", "NaN"],
    ]
    path = write_csv(tmp_path / "t.csv", ["id", "date", "lat", "lon", "source", "fatalities"], rows)
    result = read_incidents(path, today=TODAY)
    _check_result(result)
    assert json.loads(result.incidents.loc[0, "extra"]) == {"source": "Ukrinform; Suspilne"}
    assert result.incidents.loc[0, "source_urls"] == []
    assert result.quarantine[["row_number", "reason"]].values.tolist() == [
        [2, "coords_missing"], [3, "coords_not_numeric"], [4, "coords_not_numeric"]]
