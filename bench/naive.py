"""The naive baseline the benchmark compares against: what a first Streamlit + folium app does.

With ``aggregate=True`` (``NAIVE_GRID=1`` for ``bench/naive_app.py``) the same naive app draws
grid cells with the project's own ``geo.viz.map.aggregate_grid`` + ``build_bin_layer`` instead
of one marker per incident: "naive with grid aggregation", so that the benchmark can tell the
gain from aggregation apart from the gain from caching and vectorised filtering.

One ``folium.CircleMarker`` with a tooltip per incident (folium popups need jQuery from a CDN), no aggregation, the table loaded
with ``st.cache_data`` (each hit unpickles a copy) and filtered by a ``st.cache_data``
function that takes the DataFrame as an argument (hashed on every call). Leaflet comes from
``data:`` URLs (the app's ``/app/static`` folder is served next to the main script only, and
this script lives in ``bench/``) so the baseline also works offline; nothing else is tuned.
"""

from __future__ import annotations

import base64
import functools
import html

import folium
import pandas as pd
import streamlit as st

from geo.viz.map import UKRAINE_CENTER, leaflet_assets


@st.cache_data(show_spinner=False)
def load_table(path: str) -> pd.DataFrame:
    """Read the incident table (the whole GeoParquet minus geometry)."""
    frame = pd.read_parquet(path)
    return frame.drop(columns=["geometry"], errors="ignore")


@st.cache_data(show_spinner=False)
def filter_table(
    frame: pd.DataFrame, precise_only: bool, targets: tuple[str, ...], date_from=None, date_to=None
) -> pd.DataFrame:
    """Filter rows with pandas (the frame argument is hashed on every call); dates are inclusive days."""
    keep = pd.Series(True, index=frame.index)
    if date_from is not None:
        keep &= frame["date"] >= pd.Timestamp(date_from)
    if date_to is not None:
        keep &= frame["date"] < pd.Timestamp(date_to) + pd.Timedelta(days=1)
    if precise_only:
        keep &= frame["geo_precision"].isin(["exact", "near"])
    if targets:
        keep &= frame["target_types"].map(lambda values: any(v in targets for v in values))
    return frame[keep]


def kpis(frame: pd.DataFrame) -> dict:
    """Totals the naive app shows."""
    return {"incidents": len(frame), "killed": int(frame["killed"].fillna(0).sum())}


@functools.cache
def _leaflet_urls() -> tuple[str, str]:
    js, css = leaflet_assets()
    return (
        "data:text/javascript;base64," + base64.b64encode(js.encode()).decode(),
        "data:text/css;base64," + base64.b64encode(css.encode()).decode(),
    )


def build_map(frame: pd.DataFrame, aggregate: bool = False) -> folium.Map:
    """One CircleMarker with a tooltip per incident, or (``aggregate``) the project's grid cells."""
    fmap = folium.Map(location=list(UKRAINE_CENTER), zoom_start=6, tiles=None)
    js_url, css_url = _leaflet_urls()
    fmap.default_js = [("leaflet", js_url)]
    fmap.default_css = [("leaflet_css", css_url)]
    if aggregate:
        from geo.viz import map as gmap

        bins = gmap.aggregate_grid(
            frame["lon"].to_numpy(dtype=float), frame["lat"].to_numpy(dtype=float),
            frame["killed"].to_numpy(dtype=float), frame["injured"].to_numpy(dtype=float),
        )
        gmap.build_bin_layer(bins).add_to(fmap)
        return fmap
    for row in frame.itertuples(index=False):
        folium.CircleMarker(
            location=[row.lat, row.lon],
            radius=4,
            fill=True,
            tooltip=html.escape(f"{row.incident_id} {row.location}: {str(row.description)[:160]}"),
            class_name="naive-marker",
        ).add_to(fmap)
    return fmap
