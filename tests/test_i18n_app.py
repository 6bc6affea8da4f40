"""The language switch in the app: ``lang=`` in the link, the sidebar switch, the link kept in step."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import page_file, run_app, synthetic_data_dir

data_dir = synthetic_data_dir("i18ndata")


def _lang_param(at: AppTest) -> str:
    value = at.query_params["lang"]
    return str(value[0] if isinstance(value, (list, tuple)) else value)


def _switch(at: AppTest):
    return at.sidebar.radio(key="ui_lang")


def test_a_link_with_lang_uk_opens_in_ukrainian_and_keeps_it_in_the_link():
    at = run_app(lang="uk")
    assert not at.exception
    assert _switch(at).value == "uk"
    assert _lang_param(at) == "uk"


def test_without_lang_the_app_speaks_english_and_writes_it_into_the_link():
    at = run_app()
    assert not at.exception
    assert _switch(at).value == "en"
    assert _lang_param(at) == "en"


@pytest.mark.parametrize("value", ["de", "<script>alert(1)</script>", "", "uk" * 500])
def test_an_unknown_language_in_the_link_falls_back_to_english(value):
    at = run_app(lang=value)
    assert not at.exception
    assert _switch(at).value == "en" and _lang_param(at) == "en"


def test_the_switch_changes_the_language_and_the_link_and_the_choice_survives_a_page_switch():
    at = run_app(lang="en")
    _switch(at).set_value("uk").run()
    assert not at.exception
    assert _switch(at).value == "uk" and _lang_param(at) == "uk"
    at.switch_page(page_file("pages/trends.py")).run()
    assert not at.exception
    assert _switch(at).value == "uk"


#: Names and codes that are the same in both languages.
PROPER = {"ACLED", "UCDP", "GED", "Bellingcat", "DeepStateMap", "OHCHR", "CSV", "GeoJSON", "PNG", "SVG", "HTML",
          "URL", "ODbL", "OpenStreetMap", "geoBoundaries", "GeoNames", "Natural", "Earth", "Leaflet", "conflictmap",
          "BibTeX", "ISO", "sea", "deaths_civilians", "MP4", "GIF", "UA", "CC", "BY", "km"}


def english_words(texts) -> list[str]:
    """Latin-letter words of 3+ letters that are not proper names: untranslated English."""
    import re

    words = []
    for text in texts:
        for word in re.findall(r"[A-Za-z][A-Za-z_']{2,}", str(text or "")):
            if word not in PROPER:
                words.append(word)
    return words


def sidebar_texts(at: AppTest) -> list[str]:
    side = at.sidebar
    texts = [h.value for h in side.header] + [c.value for c in side.caption] + [m.value for m in side.markdown]
    texts += [m.label for m in side.metric] + [m.help for m in side.metric]
    for kind in ("radio", "multiselect", "checkbox", "slider", "number_input", "text_input", "date_input",
                 "button", "expander", "toggle", "selectbox"):
        for widget in getattr(side, kind, []):
            texts += [getattr(widget, "label", ""), getattr(widget, "help", ""), getattr(widget, "placeholder", "")]
    return texts


def test_the_sidebar_speaks_ukrainian_with_lang_uk():
    at = run_app(lang="uk")
    assert not at.exception
    texts = sidebar_texts(at)
    assert "Фільтри" in texts
    assert any("з 48 подій" in t for t in texts), texts
    # A path is data, not words; the switch's own label is bilingual on purpose; a URL example is an address.
    ui_texts = [t for t in texts if not str(t).startswith(("Дані: каталог даних", "Мова / Language", "https://"))]
    assert english_words(ui_texts) == [], english_words(ui_texts)[:30]
    oblasts = at.sidebar.multiselect(key="flt_oblasts")
    assert "Харківська область" in oblasts.options and "м. Київ" in oblasts.options  # the options as shown
    targets = at.sidebar.multiselect(key="flt_targets")
    assert "Житло" in targets.options


def test_the_same_sidebar_stays_english_with_lang_en():
    at = run_app(lang="en")
    texts = sidebar_texts(at)
    assert "Filters" in texts and any("of 48 events" in t for t in texts)


def test_a_page_link_without_lang_keeps_the_language_the_session_shows():
    """The sidebar's page links open a page without the query string: the language must not fall back."""
    at = run_app(lang="uk")
    at.query_params.clear()
    at.switch_page(page_file("pages/trends.py")).run()
    assert not at.exception
    assert _switch(at).value == "uk" and _lang_param(at) == "uk"
