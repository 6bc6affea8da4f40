"""Search by place: English, Ukrainian and older transliterations find the same incidents."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from geo import places as places_module
from geo.filters import Filters, filter_mask, prepare_columns
from geo.places import fold_name, load_places, place_search_terms
from tests.synthetic_data import make_incidents


@pytest.fixture(scope="module")
def columns():
    rows = make_incidents([
        {"date": "2022-07-14", "location": "Vinnytsia, city centre", "description": "Missile strike"},
        {"date": "2022-08-01", "location": "Kharkiv", "description": "Shelling of a school"},
        {"date": "2022-08-02", "location": "Харків, Салтівка", "description": "Удар по будинку"},
        {"date": "2022-08-03", "location": "Kyiv", "description": "Civilian infrastructure hit"},
        {"date": "2022-08-04", "location": "Odesa", "description": "Port hit, Vinnytsia residents evacuated"},
    ])
    return prepare_columns(rows)


@pytest.mark.parametrize(
    ("query", "rows"),
    [
        ("Vinnytsia", [0, 4]),
        ("Vinnitsa", [0, 4]),
        ("Вінниця", [0, 4]),
        ("vinnytsya", [0, 4]),
        ("Kharkiv", [1, 2]),
        ("Kharkov", [1, 2]),
        ("Харків", [1, 2]),
        ("Kiev", [3]),
        ("Odessa", [4]),
        ("school", [1]),
        ("civ", [3]),
    ],
)
def test_place_names_in_any_spelling_find_the_same_incidents(columns, query, rows):
    assert np.flatnonzero(filter_mask(columns, Filters(text=query))).tolist() == rows


def test_transliterations_fold_to_one_key_and_short_aliases_are_never_searched():
    assert fold_name("Vinnytsia") == fold_name("Vinnitsa") == fold_name("Vinnytsya") == fold_name("Winnica")
    assert fold_name("Kharkiv") == fold_name("Charkiw".replace("C", "K"))
    terms = place_search_terms("Kyiv")
    assert terms[0] == "Kyiv" and "Київ" in terms and "Kiev" in terms
    assert all(len(t) >= 4 or t == "Kyiv" for t in terms), terms
    assert not {"Civ", "IEV", "Ko"} & set(terms)
    assert place_search_terms("missile") == ("missile",)
    assert place_search_terms("  ") == ()


def test_ukrainian_names_are_the_ukrainian_spelling():
    places = load_places()
    names = dict(zip(places["name"], places["name_uk"], strict=False))
    assert names["Odesa"] == "Одеса" and names["Donetsk"] == "Донецьк" and names["Lutsk"] == "Луцьк"


def _whole_parse(raw: bytes, country: str) -> list[dict]:
    return [c for c in json.loads(raw.decode("utf-8")).values() if c.get("countrycode") == country]


@pytest.mark.parametrize("country", ["UA", "PL", "AD", "ZZ"])
def test_the_country_scan_decodes_the_same_records_as_the_whole_file(country):
    """The fast path reads the installed GeoNames file exactly as parsing all of it does."""
    raw = places_module._geonames_file().read_bytes()
    assert places_module._scan_country(raw, country) == _whole_parse(raw, country)


@pytest.mark.parametrize(
    "text",
    [
        # other spacing than the installed file's
        '{"1": {"geonameid": 1, "name": "A", "countrycode":"UA"}, "2": {"geonameid": 2, "name": "B", "countrycode": "UA"}}',
        # another key order: the record does not start with geonameid
        '{"1": {"name": "A", "geonameid": 1, "countrycode": "UA"}}',
        # a brace inside a name ends the slice early
        '{"1": {"geonameid": 1, "countrycode": "UA", "name": "A}b"}}',
        # the same id twice
        '{"1": {"geonameid": 1, "countrycode": "UA"}, "1b": {"geonameid": 1, "countrycode": "UA"}}',
    ],
)
def test_the_country_scan_declines_layouts_it_cannot_read_safely(text):
    """Any other layout falls back to parsing the whole file (None), never to a partial list."""
    assert places_module._scan_country(text.encode(), "UA") is None


def test_places_load_the_same_from_a_file_the_scan_declines(tmp_path, monkeypatch):
    """A GeoNames file in another layout still gives every place (through the whole parse)."""
    records = {
        "703448": {"geonameid": 703448, "name": "Kiev", "latitude": 50.45, "longitude": 30.52, "countrycode": "UA",
                   "population": 2797553, "alternatenames": ["Kyiv", "Київ", "Киев"]},
        "1": {"geonameid": 1, "name": "Elsewhere", "latitude": 1.0, "longitude": 2.0, "countrycode": "PL",
              "population": 9000, "alternatenames": []},
        "2": {"geonameid": 2, "name": "Mala", "latitude": 48.0, "longitude": 30.0, "countrycode": "UA",
              "population": 6000, "alternatenames": ["Мала"]},
    }
    loaded = []
    for separators in ((", ", ": "), (",", ":")):
        path = tmp_path / f"cities-{len(loaded)}.json"
        path.write_text(json.dumps(records, separators=separators, ensure_ascii=False), encoding="utf-8")
        monkeypatch.setattr(places_module, "_geonames_file", lambda path=path: path)
        places_module.load_places.cache_clear()
        loaded.append(places_module.load_places())
    places_module.load_places.cache_clear()
    pd.testing.assert_frame_equal(loaded[0], loaded[1])
    assert loaded[0]["name"].tolist() == ["Kyiv", "Mala"] and loaded[0]["name_uk"].tolist() == ["Київ", "Мала"]
