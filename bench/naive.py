"""The naive baseline the benchmark compares against: what a first Streamlit + folium app does.

One ``folium.CircleMarker`` with a popup per incident, no aggregation, the table loaded
with ``st.cache_data`` (each hit unpickles a copy) and filtered by a ``st.cache_data``
function that takes the DataFrame as an argument (hashed on every call). Leaflet comes from
the app's own static folder so the baseline also works offline; nothing else is tuned.
"""

from __future__ import annotations

import html

import folium
import pandas as pd
import streamlit as st

from geo.viz.map import UKRAINE_CENTER, _offline


@st.cache_data(show_spinner=False)
def load_table(path: str) -> pd.DataFrame:
    """Read the incident table (the whole GeoParquet minus geometry)."""
    frame = pd.read_parquet(path)
    return frame.drop(columns=["geometry"], errors="ignore")


@st.cache_data(show_spinner=False)
def filter_table(frame: pd.DataFrame, precise_only: bool, targets: tuple[str, ...]) -> pd.DataFrame:
    """Filter rows with pandas (the frame argument is hashed on every call)."""
    keep = pd.Series(True, index=frame.index)
    if precise_only:
        keep &= frame["geo_precision"].isin(["exact", "near"])
    if targets:
        keep &= frame["target_types"].map(lambda values: any(v in targets for v in values))
    return frame[keep]


def kpis(frame: pd.DataFrame) -> dict:
    """Totals the naive app shows."""
    return {"incidents": len(frame), "killed": int(frame["killed"].fillna(0).sum())}


def build_map(frame: pd.DataFrame) -> folium.Map:
    """One CircleMarker with a popup per incident."""
    fmap = folium.Map(location=list(UKRAINE_CENTER), zoom_start=6, tiles=None)
    _offline(fmap)
    for row in frame.itertuples(index=False):
        folium.CircleMarker(
            location=[row.lat, row.lon],
            radius=4,
            fill=True,
            popup=folium.Popup(html.escape(f"{row.location}: {str(row.description)[:160]}"), max_width=300),
            tooltip=html.escape(str(row.incident_id)),
            class_name="naive-marker",
        ).add_to(fmap)
    return fmap
