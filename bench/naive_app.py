"""Naive baseline app for the benchmark (run with CONFLICTMAP_DATA=DIR streamlit run bench/naive_app.py)."""

import os
import sys
from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.naive import build_map, filter_table, kpis, load_table  # noqa: E402
from geo.datadir import INCIDENTS_FILE, table_path  # noqa: E402

st.set_page_config(page_title="naive baseline", layout="wide")
table = load_table(str(table_path(Path(os.environ["CONFLICTMAP_DATA"]), INCIDENTS_FILE)))
first, last = table["date"].min().date(), table["date"].max().date()
dates = st.sidebar.date_input("Dates", (first, last), min_value=first, max_value=last, key="flt_dates")
precise = st.sidebar.checkbox("Precise locations only", key="flt_precise")
targets = st.sidebar.multiselect("Target types", ["residential", "education", "healthcare", "energy"], key="flt_targets")
start, end = (tuple(dates) + (None, None))[:2] if isinstance(dates, (tuple, list)) else (dates, None)
view = filter_table(table, precise, tuple(targets), start, end)
totals = kpis(view)
st.sidebar.markdown(f"**{totals['incidents']:,} of {len(table):,} incidents**")
st.title("Naive baseline")
st_folium(build_map(view, aggregate=os.environ.get("NAIVE_GRID") == "1"), height=620, use_container_width=True)
