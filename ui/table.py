"""The incident table shown on the Incidents page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo.filters import Filters
from geo.scope import EVENT_CATEGORIES
from geo.viz.map import TARGET_LABELS, WEAPON_LABELS
from ui import state
from ui.data import FilteredView

MAX_TABLE_ROWS = 5_000


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
    """Return the display table of the filtered incidents (newest first, capped) and its length."""
    table = _cached_table(view, view.key, view.filters, max_rows)
    return table, len(table)


@st.cache_data(max_entries=16, show_spinner=False)
def _cached_table(_view: FilteredView, data_key: str, filters: Filters, max_rows: int) -> pd.DataFrame:
    return _build_table(_view, max_rows)


def _build_table(view: FilteredView, max_rows: int) -> pd.DataFrame:
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
            "Casualty note": _text(frame, "casualty_note"),
            "Casualty figures by": _text(frame, "casualty_source"),
            "Category": frame["event_category"].map(EVENT_CATEGORIES).astype("string")
            if "event_category" in frame.columns else pd.Series(pd.NA, index=frame.index, dtype="string"),
            "Target": [", ".join(TARGET_LABELS.get(c, c) for c in v) for v in frame["target_types"]],
            "Weapon": [", ".join(WEAPON_LABELS.get(c, c) for c in v) for v in frame["weapons"]],
            "Oblast": frame["admin1_name"].astype("string"),
            "Seen in": _text(frame, "event_sources"),
            "From the front (km)": frame["front_distance_km"],
            "Precision": frame["geo_precision"].astype("string"),
            "Description": frame["description"].astype("string"),
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
