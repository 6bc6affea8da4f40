"""Accessibility in the UI: page language, contrast and focus styles, text alternatives, the map's keyboard list.

- :func:`apply_page_accessibility` (app.py, every run): sets ``<html lang>`` to the session's
  language and adds the CSS that lifts Streamlit's grey captions to a 4.5:1 contrast and makes the
  keyboard focus visible everywhere (also on the heading anchors Streamlit draws at opacity 0).
- :func:`render_chart_alternative` (after every plotly chart): a summary sentence and, one click
  away, the data table the chart draws.
- :func:`render_map_alternative` (under the map): the same for the map plus a keyboard-operable
  list of the incidents it shows, in step with the filters, the zoomed cell and the selection;
  :func:`render_skip_map_link` (above the map): a link, shown when it has the keyboard focus, that
  jumps over the map's markers and outlines (dozens of Tab stops) to that list (WCAG 2.4.1).

The numbers and sentences come from :mod:`geo.viz.a11y` (no Streamlit there).
"""

from __future__ import annotations

import json
from html import escape as escape_html

import numpy as np
import pandas as pd
import streamlit as st

from geo import taxonomy
from geo.admin1 import iso_for_name, oblast_label
from geo.filters import cell_mask
from geo.i18n import DEFAULT_LANGUAGE, LANGUAGES, N_
from geo.viz import a11y as ga
from ui import state
from ui.data import FilteredView
from ui.i18n import _, current_language, current_translator, date_format
from ui.text import escape_md

#: Streamlit's caption grey (#828180 on white, 3.9:1) is replaced by this one: 6.5:1 on white,
#: 6.1:1 on the sidebar's #f8f8f7 (tests/test_a11y.py measures both).
CAPTION_COLOUR = "#5f5e5c"
#: Text of the selected option of a segmented control (Streamlit: #c53948 on #f9ebed, 4.47:1).
SELECTED_OPTION_COLOUR = "#a4202f"
SELECTED_OPTION_BACKGROUND = "#f9ebed"
#: Keyboard focus ring (WCAG 2.4.7); 7.9:1 on white.
FOCUS_COLOUR = "#1a4f8b"
#: The most incidents the keyboard list and its table hold (the most recent first).
LIST_LIMIT = 1000
LIST_KEY = "a11y_map_pick"
#: Where the "Skip the map" link leads: an anchor just above the keyboard list.
SKIP_TARGET = "cm-map-list"

_CSS = f"""<style>
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * {{ color: {CAPTION_COLOUR} !important; opacity: 1 !important; }}
[data-testid="stSidebar"] [data-testid="stCaptionContainer"] * {{ color: {CAPTION_COLOUR} !important; }}
[data-variant="segmented_control"][aria-checked="true"], [data-variant="segmented_control"][aria-checked="true"] * {{
  color: {SELECTED_OPTION_COLOUR} !important;
}}
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, select:focus-visible,
[role="button"]:focus-visible, [role="tab"]:focus-visible, [role="option"]:focus-visible,
[role="radio"]:focus-visible, [role="checkbox"]:focus-visible, [role="slider"]:focus-visible,
summary:focus-visible, iframe:focus-visible, [tabindex]:focus-visible {{
  outline: 3px solid {FOCUS_COLOUR} !important; outline-offset: 2px !important;
}}
[data-testid="stMetricLabel"] *, [data-testid="stMetricValue"] * {{
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
}}
[data-testid="stHeaderActionElements"]:focus-within, [data-testid="stHeaderActionElements"] a:focus-visible {{
  opacity: 1 !important; visibility: visible !important; transition: none !important;
}}
a.cm-skip {{ position: absolute; left: -10000px; top: auto; width: 1px; height: 1px; overflow: hidden; }}
a.cm-skip:focus {{
  left: 0; top: 0; z-index: 1000; width: auto; height: auto; padding: 4px 10px; color: #ffffff !important;
  background: {FOCUS_COLOUR}; border-radius: 4px; text-decoration: none;
}}
</style>"""


def apply_page_accessibility() -> None:
    """Set ``<html lang>`` to the session's language and add the contrast and focus CSS (call once per run)."""
    lang = current_language()
    if lang not in LANGUAGES:  # only a known code ever reaches the script below
        lang = DEFAULT_LANGUAGE
    # st.html runs the script in the app's own document (no iframe): Streamlit writes lang="en" and
    # never changes it, so the screen reader would read Ukrainian text with English rules otherwise.
    st.html(
        _CSS + f"<script>document.documentElement.lang = {json.dumps(lang)};</script>",
        unsafe_allow_javascript=True,
    )


def render_text_alternative(summary: str, table: pd.DataFrame, key: str) -> None:
    """Show ``summary`` as a caption and ``table`` in an expander "Data behind this chart"."""
    st.caption(escape_md(summary))
    with st.expander(_("Data behind this chart")):
        st.dataframe(table, hide_index=True, key=f"a11y_table_{key}")


def render_chart_alternative(fig, key: str) -> None:
    """Summary sentence and data table of a plotly figure (call right after ``st.plotly_chart``)."""
    table = ga.figure_table(fig)
    # The chart's own title is not repeated: chart titles are not translated everywhere yet, and the
    # sentence must be in the interface language.
    summary = ga.summarise_table(table, "", current_language())
    shown = table.rename(columns={"series": _("Series"), "category": _("Category"), "value": _("Value")})
    if not table["series"].astype(bool).any():
        shown = shown.drop(columns=[_("Series")])
    render_text_alternative(summary, shown, key)


def _list_text(value, names: dict[str, str], lang: str) -> str:
    """Codes of a list column as labels in ``lang`` ("energy" -> "Енергетика")."""
    if isinstance(value, (list, tuple, np.ndarray)):
        return ", ".join(taxonomy.label(str(v), names, lang) for v in value)
    return "" if value is None or (isinstance(value, float) and np.isnan(value)) else taxonomy.label(str(value), names, lang)


def map_incident_table(view: FilteredView, cell=None, limit: int = LIST_LIMIT) -> tuple[pd.DataFrame, int]:
    """Return (the most recent ``limit`` incidents the map shows, how many it shows in all)."""
    idx = np.flatnonzero(cell_mask(view.columns, view.mask, cell))
    total = len(idx)
    incidents = view.incidents
    if total > limit:
        dates = pd.to_datetime(incidents["date"].to_numpy()[idx], errors="coerce")
        order = np.argsort(-dates.asi8, kind="stable")[:limit]
        idx = idx[order]
    columns = [c for c in ("incident_id", "date", "location", "admin1_name", "target_types", "weapons",
                           "killed", "injured", "geo_precision") if c in incidents.columns]
    frame = incidents[columns].iloc[idx].copy()  # columns first: taking rows of every column costs seconds at 1M
    frame = frame.sort_values("date", ascending=False, kind="stable") if "date" in frame else frame
    lang = current_language()
    for col, names in (("target_types", taxonomy.TARGET_TYPES), ("weapons", taxonomy.WEAPONS)):
        if col in frame:
            frame[col] = frame[col].map(lambda v, names=names: _list_text(v, names, lang))
    return frame.reset_index(drop=True), total


def _readable(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """The map's table as a reader sees it: dates without a time, oblasts and location precision in ``lang``."""
    shown = table.copy()
    if "date" in shown:
        shown["date"] = pd.to_datetime(shown["date"], errors="coerce").dt.date
    if "admin1_name" in shown:
        names = {name: oblast_label(iso_for_name(name), lang) if iso_for_name(name) else name
                 for name in shown["admin1_name"].dropna().astype(str).unique()}
        shown["admin1_name"] = shown["admin1_name"].map(lambda v: names.get(str(v), v) if isinstance(v, str) else v)
    if "geo_precision" in shown:
        words = {v: _(taxonomy.GEO_PRECISION_WORDS.get(v, "unknown"))
                 for v in shown["geo_precision"].dropna().unique().tolist() if isinstance(v, str)}
        shown["geo_precision"] = shown["geo_precision"].map(lambda v: words[v] if isinstance(v, str) else v)
    return shown


def _choose(view: FilteredView) -> None:
    picked = st.session_state.get(LIST_KEY)
    if picked and picked != st.session_state.get(state.MAP_SELECTED):
        st.session_state[state.MAP_SELECTED] = picked
        state.write_url(view.filters)


def _given(value) -> str | None:
    """Return a text value, or None when missing (pandas' NA has no truth value)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return str(value) or None


def _labels(table: pd.DataFrame) -> list[str]:
    """The keyboard list's label of each row: date · place · target · killed, injured (session's language)."""
    # One translator for the whole list: ``_`` looks the session's language up at every call.
    tr = current_translator()
    missing = [None] * len(table)

    def values(name: str) -> list:
        return table[name].tolist() if name in table.columns else missing

    days: dict = {}
    for value in values("date"):
        if pd.notna(value) and value not in days:
            days[value] = tr.date(pd.Timestamp(value).date())
    no_date, no_place, no_target = tr(N_("date not given")), tr(N_("Place not given")), tr(N_("target not given"))
    template = N_("{date} · {place} · {target} · killed {killed}, injured {injured}")
    return [
        tr(template, date=days[date] if pd.notna(date) else no_date, place=_given(place) or no_place,
           target=_given(target) or no_target, killed="–" if pd.isna(killed) else f"{int(killed)}",
           injured="–" if pd.isna(injured) else f"{int(injured)}")
        for date, place, target, killed, injured in zip(
            values("date"), values("location"), values("target_types"), values("killed"), values("injured"),
            strict=True)
    ]


def render_skip_map_link() -> None:
    """Above the map: a link, visible when focused, that moves the keyboard past the map to its list."""
    text = escape_html(_("Skip the map: go to the list of its incidents"))
    st.html(f'<a class="cm-skip" href="#{SKIP_TARGET}">{text}</a>')


def render_map_alternative(view: FilteredView, threshold: int) -> None:
    """Under the map: its summary sentence, a keyboard list of its incidents, and their table."""
    st.html(f'<div id="{SKIP_TARGET}" tabindex="-1"></div>')
    ss = st.session_state
    table, total = map_incident_table(view, ss.get(state.MAP_CELL))
    kind = "markers" if total <= threshold else "bins"
    summary = ga.summarise_incidents(
        view.incidents[[c for c in ("killed", "injured", "admin1_name") if c in view.incidents.columns]].iloc[
            np.flatnonzero(cell_mask(view.columns, view.mask, ss.get(state.MAP_CELL)))
        ],
        current_language(), kind,
    )
    st.caption(escape_md(summary))
    if table.empty:
        return
    ids = table["incident_id"].astype(str).tolist()
    labels = dict(zip(ids, _labels(table), strict=True))
    selected = ss.get(state.MAP_SELECTED)
    # In step with the map: a click on a marker (or a link with sel=) shows here too.
    ss[LIST_KEY] = selected if selected in labels else None
    st.selectbox(
        _("Incidents on the map (keyboard: choose one to see its details)"),
        ids,
        format_func=lambda i: labels.get(i, i),
        key=LIST_KEY,
        placeholder=_("Choose an incident"),
        on_change=_choose,
        args=(view,),
    )
    if total > len(table):
        st.caption(_("The list holds the {n} most recent of the {total} incidents on the map.",
                     n=_.number(len(table)), total=_.number(total)))
    with st.expander(_("Data behind this map")):
        shown = _readable(table, current_language()).rename(columns={
            "incident_id": _("Incident id"), "date": _("Date"), "location": _("Place"), "admin1_name": _("Oblast"),
            "target_types": _("Target types"), "weapons": _("Weapons"), "killed": _("Killed"),
            "injured": _("Injured"), "geo_precision": _("Location precision"),
        })
        first = [c for c in shown.columns if c != _("Incident id")] + [_("Incident id")]  # the internal id last
        st.dataframe(shown[first], hide_index=True, key="a11y_map_table", placeholder=_("not reported"),
                     column_config={_("Date"): st.column_config.DateColumn(_("Date"), format=date_format())})
