"""Charts, maps and reference labels in Ukrainian (issue 14); English stays the default.

The checks read the figures' layout text (titles, axis titles, legend entries, annotations,
hover templates) and look for English words left untranslated. Words that stay as they are in
Ukrainian text (source and licence names, plotly's template syntax) are allowed.
"""

from __future__ import annotations

import re

import pytest

from geo.i18n import translator
from geo.taxonomy import TARGET_TYPES, WEAPONS
from geo.viz import charts
from tests.synthetic_data import chart_incidents, chart_snapshots, make_incidents

#: Names that are not translated: sources, licences, products, plotly template fields.
ALLOWED = {
    "acled",
    "ucdp",
    "ged",
    "bellingcat",
    "deepstatemap",
    "deepstate",
    "isw",
    "ohchr",
    "cc",
    "by",
    "odbl",
    "openstreetmap",
    "geoboundaries",
    "geonames",
    "conflictmap",
    "leaflet",
    "br",
    "extra",
    "b",
    "i",
    "customdata",
    "text",
    "x",
    "y",
    "z",
    "f",
    "d",
    "m",
    "km",
}
_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")


def _pending_taxonomy_words() -> set[str]:
    """Words of target-type and weapon labels whose translation (another helper's .po) is not in yet.

    Once the taxonomy's Ukrainian labels are in the catalogue this set is empty and the check is strict.
    """
    uk = translator("uk")
    return {
        w.lower()
        for taxonomy in (TARGET_TYPES, WEAPONS)
        for text in taxonomy.values()
        if uk(text) == text
        for w in _LATIN_WORD.findall(text)
    }


def _english_words(text: str) -> set[str]:
    """Latin-script words of ``text`` outside plotly's ``%{...}`` fields and HTML tags."""
    text = re.sub(r"%\{[^}]*\}", " ", text)
    text = re.sub(r"<[^>]*>", " ", text)
    allowed = ALLOWED | _pending_taxonomy_words()
    return {w for w in _LATIN_WORD.findall(text) if w.lower() not in allowed}


def _layout_texts(fig) -> list[str]:
    """Every piece of text a reader of the figure sees, apart from data values."""
    d = fig.to_dict()
    layout = d["layout"]
    texts = [layout.get("title", {}).get("text", "")]
    for axis in ("xaxis", "yaxis"):
        texts.append(layout.get(axis, {}).get("title", {}).get("text", "") or "")
    texts += [a.get("text", "") for a in layout.get("annotations", ())]
    for trace in d["data"]:
        texts += [trace.get("name", "") or "", trace.get("hovertemplate", "") or ""]
        texts.append((trace.get("colorbar") or {}).get("title", {}).get("text", "") or "")
    return [t for t in texts if t]


@pytest.fixture
def incidents():
    return chart_incidents()


@pytest.fixture
def frontlines():
    return chart_snapshots()


def test_standard_charts_in_ukrainian_have_no_english_words(incidents, frontlines):
    from geo.population import load_population

    no_shapes = {
        "type": "FeatureCollection",
        "features": [],
    }  # the real layer is slow to load; text is what counts
    figures = charts.build_standard_charts(
        incidents, boundaries=no_shapes, frontlines=frontlines, population=load_population(), lang="uk"
    )
    assert {"distance_bands", "trend_by_weapon", "oblast_choropleth_per_100k"} <= set(figures)
    left = {
        stem: sorted(set().union(*map(_english_words, _layout_texts(fig)))) for stem, fig in figures.items()
    }
    assert not {stem: words for stem, words in left.items() if words}, left
    titles = {stem: fig.layout.title.text for stem, fig in figures.items()}
    assert titles["distance_bands"] == "Інциденти за відстанню від лінії зіткнення"
    assert titles["trend_incidents"] == "Інциденти за місяць"
    assert figures["distance_bands"].layout.xaxis.title.text == "Діапазон відстані"
    assert "інцидентів" in figures["distance_bands"].data[0].hovertemplate
    assert figures["oblast_choropleth"].layout.separators == ", "


def test_english_is_the_default_and_unchanged(incidents, frontlines):
    seams = charts.compute_snapshot_seams(frontlines)
    english = charts.build_trend_chart(incidents, "month", "weapons", seams=seams).to_dict()
    explicit = charts.build_trend_chart(incidents, "month", "weapons", seams=seams, lang="en").to_dict()
    assert english == explicit
    assert english["layout"]["title"]["text"] == "Incidents per month by weapon"
    assert english["layout"]["annotations"][0]["text"] == "source change: isw"
    assert "separators" not in english["layout"]


def test_distance_bands_are_shown_in_the_language_but_keyed_in_english(incidents):
    fig = charts.build_distance_histogram(incidents, lang="uk")
    names = [t.name for t in fig.data]
    assert names[0] == "На тимчасово окупованій території"
    assert names[1:] == ["0–25 км", "25–100 км", "100–300 км", "300+ км"]
    assert charts.band_display("12.5–25 km", "uk") == "12,5–25 км"
    assert charts.band_display("12.5–25 km", "en") == "12.5–25 km"
    table = charts.compute_distance_counts(incidents)
    assert table["band"].iloc[0] == charts.OCCUPIED_BAND == "Inside occupied territory"


def test_ukrainian_hover_text_says_not_reported_and_names_oblasts(incidents):
    fig = charts.build_oblast_beyond_chart(incidents, 100.0, lang="uk")
    assert fig.layout.title.text == "Інциденти за 100 км і далі від лінії зіткнення, за областями"
    assert "Львівська область" in list(fig.data[0].y)
    assert ["не повідомлялося", "не повідомлялося"] in [list(c) for c in fig.data[0].customdata]


def test_data_text_stays_escaped_in_ukrainian():
    frame = make_incidents([{"date": "2023-01-01", "front_distance_km": 5.0, "weapons": ["<img src=x>"]}])
    fig = charts.build_weapon_mix_chart(frame, lang="uk").to_dict()
    assert all("<img" not in t["name"] and "<img" not in t["hovertemplate"] for t in fig["data"])
