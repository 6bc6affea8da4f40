"""The incident table shown on the Incidents page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo.filters import Filters
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
            "Target": [", ".join(TARGET_LABELS.get(c, c) for c in v) for v in frame["target_types"]],
            "Weapon": [", ".join(WEAPON_LABELS.get(c, c) for c in v) for v in frame["weapons"]],
            "Oblast": frame["admin1_name"].astype("string"),
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
