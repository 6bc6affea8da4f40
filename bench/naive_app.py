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
precise = st.sidebar.checkbox("Precise locations only", key="flt_precise")
targets = st.sidebar.multiselect("Target types", ["residential", "education", "healthcare", "energy"], key="flt_targets")
view = filter_table(table, precise, tuple(targets))
totals = kpis(view)
st.sidebar.markdown(f"**{totals['incidents']:,} of {len(table):,} incidents**")
st.title("Naive baseline")
st_folium(build_map(view), height=620, use_container_width=True)
