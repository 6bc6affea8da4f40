"""conflictmap: the router and frame. Page config, navigation, the shared sidebar, the page."""

import streamlit as st

from ui.a11y import apply_page_accessibility
from ui.i18n import _, render_language_switch
from ui.mapview import render_tile_settings
from ui.sidebar import render_sidebar
from ui.state import show_notices
from ui.view import frame_running, publish_view, take_wanted_page

# Emoji icons only: Streamlit fetches a Material-icon favicon from fonts.gstatic.com, breaking offline use.
st.set_page_config(page_title=_("conflictmap: civilian harm in Ukraine"), layout="wide")

PAGES = [
    st.Page("pages/map.py", title=_("Map"), icon="🗺️", default=True),
    st.Page("pages/far_from_front.py", title=_("Far from the front"), icon="📏"),
    st.Page("pages/trends.py", title=_("Trends"), icon="📈"),
    st.Page("pages/oblasts.py", title=_("Oblasts"), icon="🧩"),
    st.Page("pages/incidents.py", title=_("Incidents"), icon="📋"),
    st.Page("pages/data_sources.py", title=_("Data & sources"), icon="📚"),
    st.Page("pages/accessibility.py", title=_("Accessibility"), icon="♿"),
]

page = st.navigation(PAGES)
render_language_switch()
apply_page_accessibility()
wanted = take_wanted_page(PAGES)
if wanted:
    st.switch_page(wanted[0], query_params=wanted[1])
view = render_sidebar()
publish_view(view)
with st.sidebar:
    render_tile_settings()
show_notices()
if view is None:
    st.stop()
frame_running(True)
try:
    page.run()
finally:
    frame_running(False)
