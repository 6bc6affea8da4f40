"""conflictmap: the router and frame. Page config, navigation, the shared sidebar, the page."""

import streamlit as st

from ui.mapview import render_tile_settings
from ui.sidebar import render_sidebar
from ui.state import show_notices

st.set_page_config(page_title="conflictmap: civilian harm in Ukraine", page_icon=":material/map:", layout="wide")

PAGES = [
    st.Page("pages/map.py", title="Map", icon=":material/map:", default=True),
    st.Page("pages/far_from_front.py", title="Far from the front", icon=":material/social_distance:"),
    st.Page("pages/trends.py", title="Trends", icon=":material/show_chart:"),
    st.Page("pages/oblasts.py", title="Oblasts", icon=":material/grid_view:"),
    st.Page("pages/incidents.py", title="Incidents", icon=":material/table_rows:"),
    st.Page("pages/data_sources.py", title="Data & sources", icon=":material/database:"),
]

page = st.navigation(PAGES)
view = render_sidebar()
with st.sidebar:
    render_tile_settings()
show_notices()
if view is None:
    st.stop()
page.run()
