"""The incident table shown on the Incidents page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo.filters import Filters
from geo.i18n import N_, translator
from geo.scope import EVENT_CATEGORIES
from geo.taxonomy import TARGET_TYPES, WEAPONS
from ui import state
from ui.data import FilteredView
from ui.i18n import _, current_language

MAX_TABLE_ROWS = 5_000
#: Location precision codes (geo.taxonomy.GEO_PRECISIONS) in words.
PRECISIONS: dict[str, str] = {
    "exact": N_("exact point"), "near": N_("near a named place"), "area": N_("settlement or district"),
    "region": N_("region"), "unknown": N_("location not known"),
}


def _first_http(urls) -> str | None:
    for url in urls if urls is not None else ():
        text = str(url).strip()
        if text.lower().startswith(("http://", "https://")):
            return text
    return None


def _text(frame: pd.DataFrame, column: str) -> pd.Series:
    if column not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    return frame[column].astype("string")


def _range_text(frame: pd.DataFrame, noun: str) -> pd.Series:
    """Return "5–7" (sources disagree), "5" (they agree) or empty (none reports), per row."""
    low_col, high_col = f"event_{noun}_min", f"event_{noun}_max"
    if low_col not in frame.columns:
        return pd.Series(pd.NA, index=frame.index, dtype="string")
    low = frame[low_col].astype("Int64").astype("string")
    high = frame[high_col].astype("Int64").astype("string")
    both = low.where(low == high, low + "\u2013" + high)
    return both.astype("string")


def incidents_table(view: FilteredView, max_rows: int = MAX_TABLE_ROWS) -> tuple[pd.DataFrame, int]:
    """Return the display table of the filtered incidents (newest first, capped) and its length.

    The column names are stable English keys (the page shows :func:`column_labels` over them);
    category, target, weapon and precision cells are in the session's language.
    """
    table = _cached_table(view, view.key, view.filters, max_rows, current_language())
    return table, len(table)


def column_labels() -> dict[str, str]:
    """Return the incident table's column headers in the session's language, by column key."""
    return {
        "Date": _("Date"), "Place": _("Place"), "Killed": _.pgettext("column header", "Killed"),
        "Injured": _.pgettext("column header", "Injured"),
        "Killed, range across sources": _("Killed, range across sources"),
        "Injured, range across sources": _("Injured, range across sources"),
        "Civilians killed": _("Civilians killed"), "Casualty note": _("Casualty note"),
        "Casualty figures by": _("Casualty figures by"), "Category": _("Category"), "Target": _("Target"),
        "Weapon": _("Weapon"), "Oblast": _("Oblast"), "Seen in": _("Seen in"),
        "From the front (km)": _("From the front (km)"), "Precision": _("Location precision"),
        "Description": _("Description"), "Source": _("Source"), "Source link": _("Source link"),
        "Incident id": _("Incident id"),
    }


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_table(_view: FilteredView, data_key: str, filters: Filters, max_rows: int, lang: str) -> pd.DataFrame:
    return _build_table(_view, max_rows, lang)


def _short(label: str) -> str:
    return label.split(" (")[0]


def _build_table(view: FilteredView, max_rows: int, lang: str = "en") -> pd.DataFrame:
    tr = translator(lang)
    targets = {code: _short(tr(label)) for code, label in TARGET_TYPES.items()}
    weapons = {code: _short(tr(label)) for code, label in WEAPONS.items()}
    categories = {code: tr(label) for code, label in EVENT_CATEGORIES.items()}
    precisions = {code: tr(label) for code, label in PRECISIONS.items()}
    idx = np.flatnonzero(view.mask)
    if len(idx) > max_rows:
        order = np.argsort(view.columns.day[idx], kind="stable")[::-1][:max_rows]
        idx = np.sort(idx[order])
    frame = view.incidents.iloc[idx]
    table = pd.DataFrame(
        {
            "Date": frame["date"].dt.date,
            "Place": frame["location"].astype("string"),
            "Killed": frame["killed"],
            "Injured": frame["injured"],
            "Killed, range across sources": _range_text(frame, "killed"),
            "Injured, range across sources": _range_text(frame, "injured"),
            "Civilians killed": frame["civilians_killed"] if "civilians_killed" in frame.columns else pd.NA,
            "Casualty note": _text(frame, "casualty_note").fillna(""),
            "Casualty figures by": _text(frame, "casualty_source"),
            "Category": frame["event_category"].map(categories).astype("string")
            if "event_category" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string"),
            "Target": [", ".join(targets.get(c, c) for c in v) for v in frame["target_types"]],
            "Weapon": [", ".join(weapons.get(c, c) for c in v) for v in frame["weapons"]],
            "Oblast": frame["admin1_name"].astype("string").fillna(tr("outside the oblast layer")),
            "Seen in": _text(frame, "event_sources").fillna(""),
            "From the front (km)": frame["front_distance_km"],
            "Precision": frame["geo_precision"].astype("string").map(lambda c: precisions.get(c, c)).astype("string"),
            "Description": frame["description"].astype("string").fillna(""),
            "Source": frame["source"].astype("string"),
            "Source link": [_first_http(v) for v in frame["source_urls"]],
            "Incident id": frame["incident_id"].astype("string"),
        }
    )
    return table.sort_values("Date", ascending=False, kind="stable").reset_index(drop=True)


def select_on_map(incident_id: str) -> None:
    """Make ``incident_id`` the map's selected incident."""
    st.session_state[state.MAP_SELECTED] = str(incident_id)
    st.session_state[state.MAP_CELL] = None
    st.session_state[state.MAP_VIEW] = None  # the whole map, where the selected incident is in sight
