"""In Ukrainian, the sidebar, the Incidents page and the Data & sources page show no English.

The visible text of every element (titles, headers, markdown, captions, notices, widget labels, help,
placeholders, options, button and metric labels, table headers) is collected with ``lang=uk`` and
must hold no Latin-letter word of three letters or more, except proper names, acronyms and code.
Data values (source names, paths, ids) and the text other areas produce (the export panel, the map's
tile settings, filter descriptions) are left out: their own tests check them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from geo.i18n import translator
from tests.apptest import APP, page_file, synthetic_data_dir

UK = translator("uk")

#: Proper names, acronyms and file formats that stay in Latin letters in Ukrainian text.
ALLOWED = {
    "ACLED", "UCDP", "GED", "Bellingcat", "TimeMap", "DeepStateMap", "DeepStateMap.live", "OHCHR", "CSV",
    "GeoJSON", "JSON", "Excel", "PNG", "SVG", "HTML", "URL", "ODbL", "OpenStreetMap", "geoBoundaries",
    "GeoNames", "Natural", "Earth", "Leaflet", "conflictmap", "BibTeX", "ISO", "API", "myACLED", "English",
    "sea", "live", "Language", "UTC",
}
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
#: Code and identifiers are not prose: `python -m geo fetch`, deaths_civilians, CONFLICTMAP_DATA, links.
CODE = re.compile(r"`[^`]*`|\S*_\S*|https?://\S+|\]\([^)]*\)|[\w-]+(?:\.[\w-]+)+|/\S+")
TEXT_KINDS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "text")
WIDGET_KINDS = ("button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "slider", "select_slider",
                "number_input", "text_input", "text_area", "date_input", "download_button", "metric", "expander")
#: Widgets whose options are data values (source names, country codes), not words of the interface.
DATA_OPTIONS = {"flt_sources", "flt_countries"}


data_dir = synthetic_data_dir("i18npages")


@pytest.fixture(scope="module")
def app_uk():
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "uk"
    return at.run()


def _words(element) -> list[str]:
    """The visible words of one element: its text, label, help, placeholder and (formatted) options."""
    texts = []
    proto = getattr(element, "proto", None)
    for name in ("label", "help", "placeholder"):
        value = getattr(proto, name, None) if proto is not None else None
        if value is None:
            value = getattr(element, name, None)
        if isinstance(value, str):
            texts.append(value)
    if element.type in TEXT_KINDS or type(element).__name__ in ("Markdown", "Caption", "Title", "Header",
                                                                "Subheader", "Alert", "Info", "Warning",
                                                                "Error", "Success"):
        texts.append(str(element.value))
    if proto is not None and getattr(element, "key", None) not in DATA_OPTIONS:
        options = getattr(proto, "options", None)
        if options is not None:
            texts.extend(str(o) for o in options)
    return texts


def _collect(node, skip_expanders: set[str], out: list[str], stop_at=None) -> bool:
    """Collect the visible text under ``node``; True once ``stop_at`` (a predicate) has been met."""
    for child in getattr(node, "children", {}).values():
        kind = type(child).__name__
        if kind == "Expander" and child.label not in skip_expanders:
            continue  # another area's expander (exports, map tiles): their tests check it
        if kind == "Expander":
            out.append(child.label)
        texts = _words(child) if not hasattr(child, "children") or kind in ("Expander",) else []
        out.extend(texts)
        if stop_at is not None and any(stop_at(t) for t in texts):
            return True
        if hasattr(child, "children") and _collect(child, skip_expanders, out, stop_at):
            return True
    return False


def _english(texts: list[str], known: list[str]) -> list[str]:
    found = []
    for text in texts:
        text = text.replace("\\", "")
        for part in known:
            if part:
                text = text.replace(part, " ")
        text = CODE.sub(" ", text)
        found += [f"{w!r} in {text[:90]!r}" for w in LATIN_WORD.findall(text) if w not in ALLOWED]
    return found


def _known_parts(at: AppTest, data_dir: Path) -> list[str]:
    """Text that is data or another area's (filter descriptions, the data directory, the data version)."""
    from geo.datadir import load_bundle
    from geo.filters import Filters
    from geo.scope import describe_categories
    from ui.text import in_language

    bundle = load_bundle(str(data_dir))
    parts = [str(data_dir), str(bundle.version), str(bundle.manifest.get("built_at") or "")]
    parts += [in_language(Filters().describe, lang="uk"), in_language(describe_categories, (), lang="uk")]
    from geo.filters import ALL_CATEGORIES
    from geo.scope import CIVILIAN_HARM

    parts += [in_language(describe_categories, tuple(c), lang="uk") for c in (CIVILIAN_HARM, ALL_CATEGORIES)]
    parts += [str(s.get("name") or "") for s in bundle.manifest.get("sources", [])]
    parts += [str(s.get(k) or "") for s in bundle.manifest.get("sources", []) for k in ("licence", "attribution")]
    parts += [str(n) for n in bundle.notices]
    # Labels of geo's dictionaries are translated by the geo area (marked N_ there); once they are, these are no-ops.
    from geo.admin1 import ADMIN1
    from geo.scope import EVENT_CATEGORIES
    from geo.taxonomy import TARGET_TYPES, WEAPONS

    parts += [UK(v) for names in (EVENT_CATEGORIES, TARGET_TYPES, WEAPONS) for v in names.values()]
    parts += [UK(v[0]) for v in ADMIN1.values()]
    return sorted(set(parts), key=len, reverse=True)


def _sidebar_texts(at: AppTest) -> list[str]:
    out: list[str] = []
    last = UK("Data: {label}", label="")
    _collect(at.sidebar, {UK("Casualties")}, out, stop_at=lambda t: t.startswith(last))
    return out


def test_the_sidebar_speaks_ukrainian(app_uk, data_dir):
    assert not app_uk.exception
    texts = _sidebar_texts(app_uk)
    assert UK("Filters") in texts and any(t.startswith(UK("Data: {label}", label="")) for t in texts)
    assert any("не повідомлялося" in t or t == UK("Killed (all deaths reported)") for t in texts)
    assert not _english(texts, _known_parts(app_uk, data_dir))


@pytest.mark.parametrize("page", ["pages/incidents.py", "pages/data_sources.py"])
def test_my_pages_speak_ukrainian(app_uk, data_dir, page):
    at = app_uk
    at.switch_page(page_file(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    out: list[str] = []
    _collect(at.main, set(), out)
    assert UK("Incidents" if page.endswith("incidents.py") else "Data & sources") in out
    problems = _english(out, _known_parts(at, data_dir))
    assert not problems, "\n".join(problems[:40])
    assert not _english(_sidebar_texts(at), _known_parts(at, data_dir))


def test_incident_table_headers_and_cells_are_in_ukrainian(app_uk):
    at = app_uk
    at.switch_page(page_file("pages/incidents.py")).run()
    table = at.dataframe[0]
    config = json.loads(table.proto.columns)
    labels = {column.get("label") for column in config.values()}
    wanted = [UK("Date"), UK.pgettext("column header", "Killed"), UK.pgettext("column header", "Injured"),
              UK("Location precision"), UK("Incident id")]
    assert set(wanted) <= labels, (wanted, labels)
    assert "Загиблі" in labels  # the glossary's column header, not the verb
    precision = set(table.value["Precision"].dropna())
    assert precision and not any(LATIN_WORD.search(p) for p in precision), precision


def test_english_is_unchanged_by_default():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Filters" in [h.value for h in at.sidebar.header]
    assert any(m.label == "Killed (all deaths reported)" for m in at.sidebar.metric)
