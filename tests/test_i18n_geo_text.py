"""The domain layer speaks Ukrainian when asked and English, unchanged, by default (issue 14)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from geo.admin1 import ADMIN1, oblast_label
from geo.build import REASON_FIXES, describe_quarantine
from geo.citation import build_citation
from geo.filters import Filters
from geo.fusion import describe_sources
from geo.i18n import load_catalogue
from geo.schema import QUARANTINE_REASONS
from geo.scope import EVENT_CATEGORIES, describe_categories
from geo.taxonomy import EVENT_TYPES, TARGET_TYPES, WEAPONS, label


def plain(text: str) -> str:
    return text.replace("\u00a0", " ").replace("\u202f", " ")


@pytest.mark.parametrize("name, table", [("target types", TARGET_TYPES), ("weapons", WEAPONS),
                                         ("event types", EVENT_TYPES), ("event categories", EVENT_CATEGORIES),
                                         ("quarantine reasons", QUARANTINE_REASONS), ("fixes", REASON_FIXES)])
def test_every_label_has_a_ukrainian_translation(name, table):
    messages = load_catalogue("uk").messages
    missing = [code for code, text in table.items() if not messages.get((None, text))]
    assert not missing, f"{name} without a translation: {missing}"
    for code in table:
        assert label(code, table, "en") == table[code]
        assert label(code, table, "uk") == messages[(None, table[code])] != table[code] or table[code] == "Other"


def test_an_unknown_code_is_shown_as_it_is():
    assert label("no_such_code", TARGET_TYPES, "uk") == "no_such_code"
    assert oblast_label("UA-99", "uk") == "UA-99"


def test_oblast_names_in_both_languages():
    assert oblast_label("UA-63", "uk") == "Харківська область" and oblast_label("UA-63") == "Kharkiv Oblast"
    assert oblast_label("UA-30", "uk") == "м. Київ" and oblast_label("UA-40", "uk") == "м. Севастополь"
    assert oblast_label("UA-43", "uk") == "Автономна Республіка Крим"
    assert all(oblast_label(code, "uk").isascii() is False for code in ADMIN1)


FILTERS = Filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 3, 31), target_types=("education",),
                  killed_min=1, oblasts=("UA-63", "UA-30"), front_min_km=-20.0, front_max_km=12.5, text="школа")


def test_describe_in_ukrainian_and_english_unchanged():
    english = FILTERS.describe()
    assert english.startswith("1 Jan 2024 to 31 Mar 2024; targets: Education; killed at least 1 (not reported "
                              "excluded); oblasts: Kharkiv Oblast, Kyiv; distance from the front -20 to 12.5 km")
    assert english.endswith("counting events (sources merged)") and FILTERS.describe("en") == english
    uk = plain(FILTERS.describe("uk"))
    assert uk.startswith("з 1 січ. 2024 р. до 31 бер. 2024 р.; цілі: Освіта; загиблих щонайменше 1")
    assert "області: Харківська область, м. Київ" in uk and "від -20 до 12,5 км" in uk
    assert "текст містить «школа»" in uk and uk.endswith("підрахунок подій (джерела об'єднано)")
    assert describe_categories((), "uk") == "усі категорії подій"


def test_link_notices_in_ukrainian():
    _, notices = Filters.from_query_params({"from": "yesterday", "kmin": "-3", "tt": "bogus"}, lang="uk")
    assert len(notices) == 3 and all("посиланні" in n for n in notices)
    assert "«yesterday»" in notices[0] and "1 000 000" in plain(notices[2])
    _, english = Filters.from_query_params({"kmin": "-3"})
    assert english == ["Ignored \u201c-3\u201d in the link (kmin=): a casualty bound must be a whole number "
                       "from 0 to 1,000,000."]


def test_citation_in_ukrainian():
    args = dict(filters_description=FILTERS.describe("uk"), share_url="https://example.org/?lang=uk",
                data_version="v7", sources=[{"name": "ACLED", "accessed": "2024-10-01", "licence": "ACLED terms"}],
                cited_on=dt.date(2024, 10, 2), version="1.2")
    cite = build_citation(**args, lang="uk")
    assert cite.text.startswith("автори conflictmap (2024). conflictmap: шкода цивільному населенню")
    assert "версія 1.2. Вибірка: з 1 січ." in plain(cite.text) and "Версія даних v7." in cite.text
    assert "Дата звернення: 2024-10-02.\nДжерела:\n- ACLED. Дата звернення: 2024-10-01. Ліцензія: ACLED terms." in cite.text
    assert "note = {Версія 1.2; вибірка:" in cite.bibtex
    english = build_citation(**args)
    assert english.text.startswith("conflictmap contributors (2024).") and "\nSources:\n- ACLED" in english.text


def test_sources_and_quarantine_in_ukrainian():
    entries = [["curated"], ["ucdp"], ["ucdp"]]
    assert describe_sources(entries) == "seen in 2 datasets: curated, UCDP (3 records)"
    assert describe_sources(entries, sentence=True, lang="uk") == "Є в 2 наборах даних: перевірені дані, UCDP (3 записи)"
    assert describe_sources([["acled"]], lang="uk") == "є в 1 наборі даних: ACLED"
    quarantine = pd.DataFrame({"reason": ["date_missing"] * 5 + ["coords_missing"] * 2 + ["duplicate_id"]
                               + ["row_malformed"] * 3,
                               "row_number": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], "detail": ["x"] * 11})
    uk = describe_quarantine(quarantine, lang="uk")
    assert uk[0].startswith("date_missing: 5 рядків, напр. рядок 1: x; як виправити: вкажіть стовпець дати")
    assert uk[1].startswith("row_malformed: 3 рядки") and uk[-1] == "і ще рядків: 1 з 1 іншої причини"
    assert describe_quarantine(quarantine)[-1] == "and 1 rows for 1 other reason(s)"


def test_geo_export_takes_a_language():
    import argparse

    from geo.export_cli import add_export_arguments

    parser = add_export_arguments(argparse.ArgumentParser())
    base = ["default", "--out", "x"]
    assert parser.parse_args([*base, "--lang", "uk"]).lang == "uk" and parser.parse_args(base).lang == "en"
    with pytest.raises(SystemExit):
        parser.parse_args([*base, "--lang", "de"])
