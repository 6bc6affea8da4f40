"""Generic files understood: header synonyms (English, Ukrainian), mapping summary, keyword rules in both languages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from geo.cli import main
from geo.ingest import read_incidents
from geo.sources import keywords
from geo.sources.generic import _norm, resolve_columns
from tests.files import write_csv

TODAY = "2025-11-27"
# The exact header of issue 12's events CSV.
EVENTS_HEADER = ["entry", "date", "event_group", "title", "brief description", "lat", "lon", "country", "province",
                 "district", "town/city", "arms/munition", "violence level", "link", "geolocation"]


def _events(tmp_path):
    rows = [
        ["E-101", "14/08/2022", "Shelling", "Shelling of a hospital", "Artillery hit the city hospital.", "47.84",
         "35.14", "Ukraine", "Zaporizhzhia", "Zaporizkyi", "Zaporizhzhia", "", "high", "https://example.org/a",
         "exact"],
        ["E-102", "15/08/2022", "Missile strike", "Missile strike on a railway station", "The station was hit.",
         "48.46", "35.04", "Ukraine", "Dnipropetrovsk", "Dniprovskyi", "Dnipro", "Iskander", "high",
         "https://example.org/b", "approximate"],
        ["E-103", "16/08/2022", "Airstrike", "", "A guided bomb hit a school.", "50.0", "36.23", "Ukraine",
         "Kharkiv", "", "Kharkiv", "", "medium", "https://example.org/c", "city"],
    ]
    return write_csv(tmp_path / "events.csv", EVENTS_HEADER, rows)


def test_issue_12_events_header_maps_every_meaningful_column(tmp_path):
    """entry, title + brief description, town/city, arms/munition, event_group, geolocation all find a home."""
    result = read_incidents(_events(tmp_path), today=TODAY)
    assert len(result.incidents) == 3 and len(result.quarantine) == 0
    frame = result.incidents.set_index("source_id")
    assert list(frame.index) == ["E-101", "E-102", "E-103"]
    assert frame.loc["E-101", "incident_id"] == "events:E-101"
    assert frame.loc["E-101", "description"] == "Shelling of a hospital — Artillery hit the city hospital."
    assert frame.loc["E-103", "description"] == "A guided bomb hit a school."
    assert frame.loc["E-101", "location"] == "Zaporizhzhia, Zaporizkyi"
    assert frame.loc["E-102", "location"] == "Dnipro, Dniprovskyi, Dnipropetrovsk"
    assert frame.loc["E-102", "weapon_raw"] == "Iskander"
    assert frame.loc["E-102", "weapons"] == ["ballistic_missile"]
    assert not frame.loc["E-102", "weapon_inferred"]
    assert frame.loc["E-101", "weapons"] == ["artillery_unspecified"] and frame.loc["E-101", "weapon_inferred"]
    assert frame.loc["E-103", "weapons"] == ["aerial_bomb"]
    assert frame.loc["E-101", "target_types"] == ["healthcare"]
    assert frame.loc["E-102", "target_types"] == ["transport"]
    assert frame.loc["E-103", "target_types"] == ["education"]
    assert frame["target_inferred"].all()
    assert list(frame["event_type_raw"]) == ["Shelling", "Missile strike", "Airstrike"]
    assert list(frame["event_type"]) == ["shelling", "missile_strike", "air_strike"]
    assert list(frame["geo_precision"]) == ["exact", "near", "area"]
    assert frame.loc["E-101", "source_urls"] == ["https://example.org/a"]
    extra = json.loads(frame.loc["E-101", "extra"])
    assert extra["country"] == "Ukraine" and extra["violence level"] == "high"
    summary = next(m for m in result.messages if "column mapping" in m)
    for part in ("entry → source_id", "title + brief description → description",
                 "town/city + district + province → location", "arms/munition → weapon_raw",
                 "event_group → event_type_raw", "geolocation → geo_precision", "link → source_urls",
                 "Not mapped (kept in extra): country, violence level", "--map"):
        assert part in summary, part


def test_import_notes_are_shown_in_ukrainian_with_the_file_s_own_column_names(tmp_path):
    """The detected format, the column mapping and the id note follow the language; column names stay as written."""
    path = tmp_path / "events.csv"
    rows = [["14/08/2022", "Shelling of a hospital", "47.84", "35.14", "Zaporizhzhia"],
            ["15/08/2022", "Missile strike on a railway station", "48.46", "35.04", "Dnipro"]]
    write_csv(path, ["Date", "title", "lat", "lon", "town/city"], rows)
    result = read_incidents([path], today=TODAY)
    shown = [m.render("uk") for m in result.messages]
    assert "events.csv: формат generic (визначено автоматично)." in shown
    mapping = next(text for text in shown if "відповідність стовпців" in text)
    # the user's column names are not run through the catalogue ("Date" would become "Дата")
    assert "Date → date" in mapping and "town/city → location" in mapping and "title → description" in mapping
    assert "засоби ураження з тексту; типи цілей з тексту" in mapping and "Не зіставлено (збережено в extra): немає" in mapping
    assert any("немає стовпця з ідентифікатором" in text for text in shown)
    assert all("column mapping" not in text and "(detected)" not in text for text in shown)
    english = [str(m) for m in result.messages]
    assert "events.csv: format generic (detected)." in english
    assert any(text.startswith("events.csv: column mapping: Date → date;") for text in english)


def test_ukrainian_header_set(tmp_path):
    """Ukrainian column names map the same way; Ukrainian text is classified by the same rules."""
    header = ["№", "Дата", "Населений пункт", "Область", "Широта", "Довгота", "Опис", "Зброя", "Тип", "Загиблі",
              "Поранені", "Джерело"]
    rows = [
        ["1", "24.02.2022", "Харків", "Харківська", "49.99", "36.23", "Обстріл лікарні", "", "Обстріл", "2", "5",
         "https://example.org/1"],
        ["2", "25.02.2022", "Київ", "Київська", "50.45", "30.52", "Ракетний удар по залізничному вокзалу", "", "",
         "0", "1", "https://example.org/2"],
        ["3", "26.02.2022", "Одеса", "Одеська", "46.48", "30.72", "Удар дрона по житловому будинку", "Шахед",
         "Удар БпЛА", "", "", ""],
        ["4", "27.02.2022", "Херсон", "Херсонська", "46.64", "32.61", "Росіяни скинули КАБ на школу", "", "", "1",
         "", ""],
    ]
    path = write_csv(tmp_path / "події.csv", header, rows)
    result = read_incidents(path, today=TODAY)
    assert len(result.incidents) == 4 and len(result.quarantine) == 0
    frame = result.incidents.sort_values("source_id").reset_index(drop=True)
    assert list(frame["source_id"]) == ["1", "2", "3", "4"]
    assert list(frame["date"]) == list(pd.to_datetime(["2022-02-24", "2022-02-25", "2022-02-26", "2022-02-27"]))
    assert frame["location"].iloc[0] == "Харків, Харківська"
    assert frame["killed"].iloc[0] == 2 and frame["killed"].iloc[1] == 0 and pd.isna(frame["killed"].iloc[2])
    assert frame["injured"].iloc[0] == 5
    assert frame["source_urls"].iloc[0] == ["https://example.org/1"]
    assert [list(w) for w in frame["weapons"]] == [["artillery_unspecified"], ["missile_unspecified"], ["drone"],
                                                    ["aerial_bomb"]]
    assert [list(t) for t in frame["target_types"]] == [["healthcare"], ["transport"], ["residential"],
                                                         ["education"]]
    assert list(frame["weapon_inferred"]) == [True, True, False, True]
    assert list(frame["event_type"]) == ["shelling", "missile_strike", "drone_strike", "air_strike"]
    summary = next(m for m in result.messages if "column mapping" in m)
    assert "№ → source_id" in summary and "Населений пункт + Область → location" in summary


@pytest.mark.parametrize(
    ("column", "field"),
    [("Event ID", "source_id"), ("entry", "source_id"), ("№", "source_id"), ("Town / City", "location"),
     ("TOWN_CITY", "location"), ("Settlement", "location"), ("населений пункт", "location"), ("Місто", "location"),
     ("Arms/Munition", "weapon_raw"), ("Weapon", "weapon_raw"), ("зброя", "weapon_raw"),
     ("Event group", "event_type_raw"), ("Category", "event_type_raw"), ("тип", "event_type_raw"),
     ("Deaths", "killed"), ("вбито", "killed"), ("Wounded", "injured"), ("поранені", "injured"),
     ("Summary", "description"), ("Brief Description", "description"), ("опис", "description"),
     ("URL", "source_urls"), ("посилання", "source_urls"), ("Latitude", "lat"), ("широта", "lat"),
     ("LNG", "lon"), ("довгота", "lon"), ("дата", "date"), ("Oblast", "province"), ("область", "province"),
     ("Geolocation", "geo_precision")],
)
def test_single_synonyms(column, field):
    """Each synonym is recognised whatever its case, spacing or punctuation."""
    chosen, _ = resolve_columns([column, "date" if field != "date" else "x"])
    assert chosen.get(field) == column


def test_header_normalisation():
    """Case, spaces, slashes, underscores and the number sign do not matter."""
    assert _norm(" Town/City ") == _norm("town_city") == _norm("TOWN  CITY") == "town_city"
    assert _norm("Arms / Munition") == "arms_munition"
    assert _norm("№") == "no"


def test_map_overrides_detection_and_is_shown(tmp_path):
    """--map field=Column wins over the synonyms and the summary says so."""
    path = _events(tmp_path)
    result = read_incidents(path, today=TODAY, mapping={"description": "title", "location": "province"})
    frame = result.incidents.set_index("source_id")
    assert frame.loc["E-101", "description"] == "Shelling of a hospital"
    assert frame.loc["E-101", "location"].startswith("Zaporizhzhia")
    summary = next(m for m in result.messages if "column mapping" in m)
    assert "title (--map)" in summary and "province (--map)" in summary


def test_cli_prints_the_mapping_summary(tmp_path, capsys):
    """`geo ingest` shows which file column feeds which field."""
    path = _events(tmp_path)
    assert main(["ingest", str(path), "--out", str(tmp_path / "out")]) == 0
    out = capsys.readouterr().out
    assert "column mapping" in out and "town/city + district + province → location" in out


def _documented_keyword_examples() -> list[tuple[str, str, str]]:
    """The rows of the examples table under "Keyword rules" in docs/TAXONOMIES.md: (text, weapon, target)."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "TAXONOMIES.md").read_text(encoding="utf-8")
    section = text.split("## Keyword rules", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([^|`]+?) \| `(\w+)` \| `(\w+)` \|$", section, flags=re.MULTILINE)
    assert len(rows) >= 12 and any(re.search("[а-яіїєґ]", r[0]) for r in rows), "the examples table is gone"
    return rows


@pytest.mark.parametrize(("text", "weapon", "target"), _documented_keyword_examples())
def test_keyword_rules_in_both_languages(text, weapon, target):
    """The documented rules read weapon and target from English and Ukrainian text."""
    series = pd.Series([text])
    weapons = keywords.masks_to_lists(keywords.weapon_matrix(series), list(keywords.WEAPON_RULES), ["unknown"])[0]
    targets = keywords.masks_to_lists(keywords.match_rules(series, keywords.TARGET_RULES),
                                      list(keywords.TARGET_RULES), ["unknown"])[0]
    assert weapon in weapons and target in targets


@pytest.mark.parametrize("text", ["місто", "мінус два градуси", "будівельний сезон", "радіо", "судно", "порада"])
def test_ukrainian_rules_do_not_fire_on_lookalike_words(text):
    """Short stems are bounded: місто (city) is no bridge, мінус no mine, радіо no council."""
    series = pd.Series([text])
    assert not keywords.weapon_matrix(series).any()
    hits = keywords.match_rules(series, keywords.TARGET_RULES)
    assert not np.asarray(hits).any(), [c for c, h in zip(keywords.TARGET_RULES, hits[0], strict=True) if h]


def test_publishers_mark_inferred_lists(tmp_path):
    """ACLED's keyword lists are inferred; Bellingcat's categories are the publisher's own."""
    acled_header = ["event_id_cnty", "event_date", "year", "time_precision", "event_type", "sub_event_type",
                    "location", "latitude", "longitude", "geo_precision", "notes", "fatalities"]
    path = write_csv(tmp_path / "acled.csv", acled_header, [
        ["UKR1", "2022-02-24", "2022", "1", "Explosions/Remote violence", "Shelling/artillery/missile attack",
         "Kharkiv", "49.99", "36.23", "1", "Shelling hit a hospital.", "1"]])
    frame = read_incidents(path, today=TODAY).incidents
    assert bool(frame["target_inferred"].iloc[0]) and bool(frame["weapon_inferred"].iloc[0])
    bc_header = ["id", "date", "latitude", "longitude", "location", "description", "sources", "associations"]
    path = write_csv(tmp_path / "bc.csv", bc_header, [
        ["CIV1", "02/24/2022", "50.45", "30.52", "", "x", "", "Type of area affected=Healthcare,Weapon System=Unknown"]])
    frame = read_incidents(path, today=TODAY).incidents
    assert not frame["target_inferred"].iloc[0] and not frame["weapon_inferred"].iloc[0]


def test_qualified_names_for_unambiguous_fields_only():
    """`Latitude (WGS84)` and `Date (dd/mm/yyyy)` are found; `Location type`, `Killed (civilians)`,
    `latitude_accuracy` and `date_end` are not taken for location, killed, lat or date."""
    chosen, _ = resolve_columns(["ID", "Date (dd/mm/yyyy)", "Latitude (WGS84)", "Longitude (WGS84)", "Description EN",
                                 "Location type", "Killed (civilians)"])
    assert chosen["date"] == "Date (dd/mm/yyyy)" and chosen["lat"] == "Latitude (WGS84)"
    assert chosen["lon"] == "Longitude (WGS84)" and chosen["description"] == "Description EN"
    assert "location" not in chosen and "killed" not in chosen
    chosen, _ = resolve_columns(["date_end", "latitude_accuracy", "x", "y"])
    assert "date" not in chosen and chosen["lat"] == "y"


@pytest.mark.parametrize(
    ("value", "expected"),
    [("exact", "exact"), ("Precise", "exact"), ("approximate", "near"), ("inexact", "near"), ("city", "area"),
     ("Oblast", "region"), ("unverified", "unknown"), ("приблизна", "near"), ("непідтверджена", "unknown"),
     ("2", "unknown"), ("", "unknown")],
)
def test_geolocation_words(value, expected):
    """A geolocation / precision column is read by words where its values are not canonical codes."""
    from geo.sources.generic import _geo_precisions

    assert _geo_precisions(pd.Series([value]).mask(pd.Series([value]) == "")).iloc[0] == expected
