"""conflictmap: the router and frame. Page config, navigation, the shared sidebar, the page.

``streamlit run app.py`` first imports this file as a module to find ``app`` (Streamlit's ``st.App``):
the server, whose lifespan starts the first page's slow work while the browser loads (ui.warmup).
Every visitor's run executes it as ``__main__``: the frame below.
"""

import streamlit as st

if __name__ != "__main__":
    from ui import warmup

    app = st.App(__file__, lifespan=warmup.lifespan, middleware=warmup.middleware())
else:
    from ui.a11y import apply_page_accessibility
    from ui.i18n import _, render_language_switch
    from ui.mapview import render_tile_settings
    from ui.sidebar import render_sidebar
    from ui.state import show_notices
    from ui.view import PAGES_DIR, frame_running, publish_view, take_wanted_page

    # Page icons are Material Symbols: Streamlit draws them with the font it serves itself, so they show
    # on any machine (emoji need an emoji font, and Debian's Chromium has none: empty boxes). A page's
    # Material icon would also become the tab's favicon, fetched from fonts.gstatic.com; the explicit
    # emoji favicon below is drawn as an inline SVG instead, so no request leaves the app.
    st.set_page_config(page_title=_("conflictmap: civilian harm in Ukraine"), page_icon="🗺️", layout="wide")

    PAGES = [
        st.Page(PAGES_DIR / "map.py", title=_("Map"), icon=":material/map:", default=True),
        st.Page(PAGES_DIR / "far_from_front.py", title=_("Far from the front"), icon=":material/straighten:"),
        st.Page(PAGES_DIR / "trends.py", title=_("Trends"), icon=":material/trending_up:"),
        st.Page(PAGES_DIR / "oblasts.py", title=_("Oblasts"), icon=":material/grid_view:"),
        st.Page(PAGES_DIR / "incidents.py", title=_("Incidents"), icon=":material/table_rows:"),
        st.Page(PAGES_DIR / "data_sources.py", title=_("Data & sources"), icon=":material/library_books:"),
        st.Page(PAGES_DIR / "accessibility.py", title=_("Accessibility"), icon=":material/accessibility_new:"),
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
