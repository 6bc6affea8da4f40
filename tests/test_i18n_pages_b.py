"""The Map, Far from the front, Trends and Oblasts pages in Ukrainian: no English left in what they show.

Each page is opened with ``lang=uk`` and every piece of visible text of its elements is collected
from the element protos (titles, markdown, captions, notices, widget labels, help, options and
placeholders, buttons, download buttons, expanders, table column headers). A Latin-letter word of
three letters or more fails the test unless it is a proper name or acronym of the allowlist, part of
a link, a file name or a code span, or a value of the data (place names, source names, ids).

Text that other parts of the app put into these pages (the count and filter sentence of the view,
the front-line caption of the map layer, the population citation, the front-line seam notes) is
their owners' to translate and is taken out first by :data:`OTHER_AREAS`; everything this page
code writes itself is checked.
"""

from __future__ import annotations

import json
import re

import pytest
from google.protobuf.message import Message
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, page_file, synthetic_data_dir
from tests.synthetic_data import build_incidents

ALLOWED = {
    "ACLED", "UCDP", "Bellingcat", "DeepStateMap", "OHCHR", "CSV", "GeoJSON", "GeoPackage", "PNG", "SVG",
    "HTML", "MP4", "GIF", "URL", "ODbL", "OpenStreetMap", "geoBoundaries", "GeoNames", "Leaflet",
    "conflictmap", "ISO", "INPUT", "BibTeX", "IP", "H264", "CONFLICTMAP_DATA", "DIR",
}
#: Proto fields that hold no reader-visible text.
SKIP_FIELDS = {
    "id", "form_id", "url", "icon", "format", "type", "key", "data", "default", "value", "mime", "file_id",
    "element_id", "page_script_hash", "tag", "json_args", "component_name", "raw_value", "min", "max",
    "spec", "arrow_data", "vega_lite_chart", "figure", "selection_mode", "theme", "language", "width_config",
    "config", "srcdoc",
}
#: Element types whose text other areas write: the citation block (geo.citation) is st.code.
SKIP_ELEMENTS = {"code", "html"}  # st.html: only ui.a11y's CSS and <html lang> script, no reader text
#: Text other areas put on these pages (see the module docstring); each pattern matches only English.
OTHER_AREAS = [
    r"\d[\d,]* (?:of [\d,]+ )?(?:events|records|incidents)\b",  # FilteredView.count_text (ui.data)
    r"\bnot reported\b(?! excluded)",  # ui.sidebar.casualty_value
    r"(?<=· )[^·]*$",  # Filters.describe() closes every page caption
    r"Front line as of [^·]*|No front line[^·]*|[Mm]ap date [^·]*",  # geo.viz.map snapshot caption
    r"(?<=\(джерело: )[^)]*",  # the front-line source named in the Ukrainian map caption is data
    r"State Statistics Service of Ukraine.*?Transcribed by the project\.",  # geo.population citation
    r"(?m)^- \d{4}-\d\d-\d\d: .*$",  # front-line seam notes (geo.viz.charts)
]

def _other_labels() -> list[str]:
    """English labels of the taxonomies and chart measures (marked and translated by geo-text / geo-viz)."""
    from geo.scope import EVENT_CATEGORIES
    from geo.taxonomy import TARGET_TYPES, WEAPONS
    from geo.viz import charts

    labels = [*TARGET_TYPES.values(), *WEAPONS.values(), *EVENT_CATEGORIES.values(), *charts.MEASURES.values(),
              *(label for _code, label in charts.FREQUENCIES.values()),
              *(label for label, _taxonomy in charts.GROUPINGS.values())]
    labels += [label.split(" (")[0] for label in labels]
    # Codes: the keyboard list of the map (accessibility area) shows target codes as they are for now.
    labels += [rf"\b{code}\b" for code in (*TARGET_TYPES, *WEAPONS)]
    return sorted({label for label in labels if label}, key=len, reverse=True)


WORD = re.compile(r"[A-Za-z][A-Za-z0-9_]{2,}")
OTHER_LABELS = _other_labels()


data_dir = synthetic_data_dir("i18npagesb")


@pytest.fixture(scope="module")
def data_words() -> set[str]:
    """Words of the data values (places, sources, ids, oblast names, descriptions)."""
    frame = build_incidents()
    words: set[str] = set()
    for column in ("location", "source", "incident_id", "admin1_name", "description", "admin1_iso"):
        if column in frame.columns:
            for value in frame[column].dropna().astype(str):
                words.update(WORD.findall(value))
    return words


def _strings(message: Message):
    for field, value in message.ListFields():
        if field.name in SKIP_FIELDS:
            continue
        for item in (value if type(value).__name__.startswith("Repeated") else [value]):
            if isinstance(item, Message):
                yield from _strings(item)
            elif isinstance(item, str) and field.name == "columns":
                # A dataframe's column configuration: JSON whose "label"s are the column headers.
                yield from (c.get("label", "") for c in json.loads(item or "{}").values() if isinstance(c, dict))
            elif isinstance(item, str):
                yield item


def _texts(node):
    if getattr(node, "type", None) in SKIP_ELEMENTS:
        return
    proto = getattr(node, "proto", None)
    if proto is not None:
        yield from _strings(proto)
    for child in getattr(node, "children", {}).values():
        yield from _texts(child)


def _english(at: AppTest, data_words: set[str]) -> list[str]:
    texts = list(_texts(at.main))
    for key in ("map_tiles_on",):  # the map-background settings this area draws in the sidebar
        texts.append(at.sidebar.checkbox(key=key).label)
    found = []
    for text in texts:
        plain = text.replace("\\", "")
        for pattern in OTHER_AREAS:
            plain = re.sub(pattern, " ", plain)
        plain = re.sub(r"(?s)<(style|script)\b.*?</\1>|<[^>]+>", " ", plain)  # CSS and tags are not text
        for label in OTHER_LABELS:
            plain = re.sub(label, " ", plain) if label.startswith("\\b") else plain.replace(label, " ")
        plain = re.sub(r"\[[^\]]*\]\([^)]*\)|`[^`]*`|https?://\S+|\b[\w-]+\.(?:csv|html|png|svg|gif|mp4|json|geojson)\b", " ", plain)
        words = [w for w in WORD.findall(plain) if w not in ALLOWED and w not in data_words]
        if words:
            found.append(f"{words} in {text[:160]!r}")
    return found


def _page(page: str | None, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["lang"] = "uk"
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page_file(page)).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_the_map_page_with_playback_and_a_selected_incident_speaks_ukrainian(data_words):
    at = _page(None, play="2024-03-04", pwin="7", sel="syn:5")
    assert at.session_state["map_selected"] == "syn:5"
    assert any("Вибраний інцидент" in s.value for s in at.subheader)
    assert not _english(at, data_words), _english(at, data_words)


def test_the_map_page_without_playback_speaks_ukrainian(data_words):
    at = _page(None, md="2024-05-01")
    assert not _english(at, data_words), _english(at, data_words)


def test_far_from_the_front_speaks_ukrainian(data_words):
    at = _page("pages/far_from_front.py")
    at.text_input(key="far_bands").set_value("0, x").run()  # a bad band list shows the error too
    assert not at.exception
    assert at.error, "the bad distance bands should be reported"
    assert not _english(at, data_words), _english(at, data_words)


def test_trends_speak_ukrainian(data_words):
    at = _page("pages/trends.py", ts="weapons")
    assert not _english(at, data_words), _english(at, data_words)


@pytest.mark.parametrize("dates", [{}, {"from": "2024-07-01", "to": "2024-11-25"}])
def test_oblasts_speak_ukrainian_with_and_without_a_previous_period(dates, data_words):
    at = _page("pages/oblasts.py", **dates)
    assert not _english(at, data_words), _english(at, data_words)


def test_the_data_export_panel_speaks_ukrainian(data_words):
    # Not on Trends: AppTest formats a selectbox's value outside the script run (in English) on a rerun.
    at = _page("pages/oblasts.py")
    at.button(key="exp_data_prep").click().run()
    assert not at.exception
    labels = [b.label for b in at.get("download_button")]
    assert "Походження даних" in labels
    assert not _english(at, data_words), _english(at, data_words)
