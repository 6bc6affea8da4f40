"""The Leaflet map and its page export in Ukrainian (issue 14): every word it shows, no English left.

The checks read what the browser is given (legend and caption boxes, the marker and cell
payloads, the zoom and scale words, the reference labels, the oblast tooltips) and the rendered
page; English stays the default and keeps its wording.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import re

import geopandas as gpd
import pandas as pd
import pytest

from geo import exports
from geo.boundaries import load_default_boundaries
from geo.places import load_places
from geo.viz import map as gmap
from geo.viz import reference
from tests.synthetic_data import build_frontlines, build_incidents

#: Words that stay as they are in Ukrainian text: product, source and licence names.
ALLOWED = {"conflictmap", "geonames", "cc", "by", "deepstatemap", "url", "http", "https"}
ENGLISH_MAP_WORDS = (
    "Occupied area", "Contested area", "Line of contact", "Primary target", "Hollow", "Size: killed",
    "not reported", "Legend", "Front line as of", "Black Sea", "Sea of Azov", "POLAND", "RUSSIA", "Dnipro",
    "Zoom in", "Incidents per cell", "Click a cell", "place not given", "Filters:", "Data as of", "Place names",
)


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return load_default_boundaries()


@pytest.fixture(scope="module")
def frontlines() -> gpd.GeoDataFrame:
    """The synthetic snapshots (1 Feb and 1 Jun 2024, the later one with a contested strip), named by a source."""
    return build_frontlines().assign(source="DeepStateMap")


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _payload(root, cls) -> dict:
    return json.loads(next(e for e in _walk(root) if isinstance(e, cls)).payload)


def _visible_text(*roots) -> str:
    """Every word the map shows that is not data: boxes, popup and tooltip words, tables, scale, labels."""
    parts = []
    for root in roots:
        for element in _walk(root):
            if isinstance(element, gmap.MapControl):
                parts += [element.summary or "", html.unescape(re.sub(r"<[^>]+>", " ", element.content_html))]
            if isinstance(element, gmap.markers._IncidentMarkers):
                data = json.loads(element.payload)
                parts += [data["nr"], data["na"], *data["words"].values(), *data["t"], *data["w"], *data["o"], *data["p"]]
                parts += [row[6] for row in data["rows"]]
            if isinstance(element, gmap.grid._BinLayer):
                parts.append(json.loads(element.payload)["tip"])
            if isinstance(element, gmap.frame._ZoomAndScale):
                data = json.loads(element.payload)
                parts += [data["zoomIn"], data["zoomOut"], data["m"], data["km"]]
            if isinstance(element, reference.ReferenceLayer):
                data = json.loads(element.payload)
                parts += [w[2] for w in data["water"]] + [c[2] for c in data["countries"]] + [data["riverLabel"]]
                parts += [p[2] for p in data["places"] if p[4]]  # oblast centres
    return html.unescape(" ".join(parts))


def plain(text: str) -> str:
    """Babel writes no-break spaces (U+00A0, U+202F) where a reader sees spaces."""
    return text.replace("\u00a0", " ").replace("\u202f", " ")


def _english_words(text: str) -> set[str]:
    words = {w.lower() for w in re.findall(r"[A-Za-z]{2,}", re.sub(r"\{\w+\}", " ", text))}
    return words - ALLOWED


def _layers(lang, boundaries, frontlines):
    frame = build_incidents()
    fmap = gmap.build_base_map(boundaries, lang=lang)
    front, _snap = gmap.build_frontline_layer(frontlines, dt.date(2024, 7, 1), lang=lang)
    markers = gmap.build_incident_layer(frame, lang=lang)
    bins = gmap.aggregate_grid(frame["lon"].to_numpy(), frame["lat"].to_numpy(),
                               pd.to_numeric(frame["killed"]).to_numpy(dtype=float, na_value=float("nan")),
                               pd.to_numeric(frame["injured"]).to_numpy(dtype=float, na_value=float("nan")))
    cells = gmap.build_bin_layer(bins, lang=lang)
    return fmap, front, markers, cells


def test_the_map_in_ukrainian_shows_no_english_word(boundaries, frontlines):
    fmap, front, markers, cells = _layers("uk", boundaries, frontlines)
    text = _visible_text(fmap, front, markers, cells)
    assert not _english_words(text), sorted(_english_words(text))
    for english in ENGLISH_MAP_WORDS:
        assert english not in text, english
    for ukrainian in ("Тимчасово окупована територія", "Лінія зіткнення", "Сіра зона", "Основна ціль (48 інцидентів)",
                      "Порожнисті: приблизне місце", "не повідомлялося", "Легенда", "Інцидентів у клітинці",
                      "Чорне море", "Азовське море", "РОСІЯ", "ПОЛЬЩА", "Дніпро", "Київ", "Збільшити", "км"):
        assert ukrainian in text, ukrainian


def test_ukrainian_caption_popup_words_and_oblast_names(boundaries, frontlines):
    fmap, front, markers, _cells = _layers("uk", boundaries, frontlines)
    caption = next(e for e in _walk(front) if isinstance(e, gmap.MapControl)).summary
    assert plain(caption) == "Лінія фронту станом на 1 черв. 2024 р. (джерело: DeepStateMap); дата мапи — 1 лип. 2024 р."
    data = _payload(markers, gmap.markers._IncidentMarkers)
    assert data["words"]["date"] == "Дата" and data["words"]["precision"] == "Точність розташування"
    assert data["words"]["fig"] == "загинули: {killed}, поранені: {injured}"
    assert (data["group"], data["dec"]) == ("\u00a0", ",")
    assert "м. Київ" in data["o"] and "Kyiv" not in data["o"]
    assert re.fullmatch(r"\d{1,2} \w+\.? 20\d\d р\.", plain(data["rows"][0][6]))
    tooltips = {f["properties"]["label"] for f in next(e for e in _walk(fmap) if e.__class__.__name__ == "GeoJson").data["features"]}
    assert "Харківська область" in tooltips and "Автономна Республіка Крим" in tooltips


def test_english_stays_the_default_with_its_wording(boundaries, frontlines):
    fmap, front, markers, cells = _layers("en", boundaries, frontlines)
    text = _visible_text(fmap, front, markers, cells)
    for english in ("Occupied area", "Line of contact", "Primary target (48 incidents)", "not reported", "Black Sea",
                    "POLAND", "Dnipro", "Zoom in", "Front line as of 2024-06-01"):
        assert english in text, english
    assert not re.search(r"[а-яіїєґ]", text, re.IGNORECASE)
    assert _payload(markers, gmap.markers._IncidentMarkers)["rows"][0][6] == "2024-01-01"


def test_the_map_page_export_in_ukrainian(boundaries, frontlines):
    frame = build_incidents()
    context = exports.ExportContext(filters_description="", data_version="v1", data_date="2024-11-25")
    page = exports.build_map_page(frame, context, boundaries, frontlines, when=dt.date(2024, 7, 1), lang="uk")
    assert '<html lang="uk">' in page
    text = plain(page)
    assert "<title>conflictmap: інциденти</title>" in text
    header = re.search(r"<div class='cm-header'>(.*?)</div></div>", text).group(1)
    assert header == "<h1>conflictmap: інциденти</h1><div>Фільтри: немає (усі інциденти) · Дані станом на 25 лист. 2024 р."
    assert "Назви населених пунктів: GeoNames (CC BY 4.0)" in text and "Place names" not in text
    english = exports.build_map_page(frame, context, boundaries, frontlines, when=dt.date(2024, 7, 1))
    assert '<html lang="en">' in english and "Filters: none (all incidents) · Data as of 2024-11-25" in english


def test_hostile_text_stays_escaped_in_ukrainian(frontlines):
    hostile = frontlines.assign(source="<img src=x onerror=alert(1)>{{7*7}}")
    front, _snap = gmap.build_frontline_layer(hostile, dt.date(2024, 7, 1), lang="uk")
    control = next(e for e in _walk(front) if isinstance(e, gmap.MapControl))
    assert "<img" not in control.content_html and "49" not in control.payload
    bins = gmap.aggregate_grid(pd.Series([30.5]).to_numpy(), pd.Series([50.4]).to_numpy(), pd.Series([1.0]).to_numpy(),
                               pd.Series([0.0]).to_numpy())
    legend = next(e for e in _walk(gmap.build_bin_layer(bins, "<script>x</script>{{7*7}}", lang="uk"))
                  if isinstance(e, gmap.MapControl))
    assert "<script>" not in legend.content_html and "{{" not in legend.content_html


def test_reference_names_in_ukrainian_are_the_projects_or_ukrainian_spellings():
    """Every bundled name is used, and no labelled place keeps a Russian spelling from GeoNames."""
    own = reference.names_uk()
    labelled = reference.label_places(load_places())
    ids = {f"place:{g}" for g in labelled["geonameid"]} | {f"sea:{s[0]}" for s in reference.SEAS}
    ids |= {f"country:{c[0]}" for c in reference.COUNTRIES} | {reference.RIVER_ID}
    assert set(own) <= ids, sorted(set(own) - ids)
    assert {f"sea:{s[0]}" for s in reference.SEAS} | {f"country:{c[0]}" for c in reference.COUNTRIES} <= set(own)
    names = reference.place_names(labelled, "uk")
    assert all(re.fullmatch(r"[\u0400-\u04ff'’ʼ\- ]+", n) for n in names), [n for n in names if not re.search("[а-я]", n)]
    russian = [n for n in names if re.search(r"[ыэъё]|[^ь]ск$|ица$|[^ь]кий$", n)]
    assert not russian, russian
    assert own["place:706369"] == "Хмельницький" and "Хмельницький" in names
    assert reference.place_names(labelled, "en") == labelled["name"].tolist()
