"""The view a page works from: computed by the frame (app.py) on every run, read by the page.

Imports run one way: pages -> ui.view -> ui.sidebar -> ui.data. The frame publishes the view
it computed; a page reads it with :func:`get_filtered`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import streamlit as st

from ui.data import FilteredView
from ui.sidebar import render_sidebar

VIEW_KEY = "view_current"
FRAME_KEY = "view_frame_running"
WANTED_KEY = "view_wanted_page"
APP_SCRIPT = Path(__file__).resolve().parent.parent / "app.py"
#: The page scripts, by absolute path: ``st.Page`` and ``st.switch_page`` resolve a relative path
#: against the folder of the script Streamlit runs, and the tests run app.py through an entry script
#: elsewhere (``tests/app_entry.py``), so pages are named from here, never relative to the main script.
PAGES_DIR = APP_SCRIPT.parent / "pages"


def publish_view(view: FilteredView | None) -> None:
    """Keep the frame's view of this run for the page (None when there is no data)."""
    st.session_state[VIEW_KEY] = view


def frame_running(running: bool) -> None:
    """Mark that the frame (app.py) runs the page in this script run (cleared after the page)."""
    st.session_state[FRAME_KEY] = running


def ensure_frame() -> None:
    """Run through app.py when Streamlit ran a page script without it.

    Until ``st.navigation`` has been called once in the process, Streamlit treats a
    ``pages/`` folder as a legacy multipage app: a fresh server's first visitor to
    ``/incidents`` (a shared link) would get the page without the frame, the sidebar or
    the filters. The page then remembers where the visitor wanted to go (path and query)
    and switches to app.py; app.py's ``st.navigation`` ends the legacy mode and
    :func:`take_wanted_page` sends the visitor on to the page they asked for.
    """
    if st.session_state.get(FRAME_KEY):
        return
    path = urlparse(str(getattr(st.context, "url", "") or "")).path.strip("/").rsplit("/", 1)[-1]
    st.session_state[WANTED_KEY] = (path, {key: st.query_params.get_all(key) for key in st.query_params})
    st.switch_page(APP_SCRIPT)


def take_wanted_page(pages) -> tuple[object, dict] | None:
    """Return the page (and query) a frame-less run asked for, once; None otherwise."""
    wanted = st.session_state.pop(WANTED_KEY, None)
    if not wanted:
        return None
    path, query = wanted
    for page in pages:
        if path and page.url_path == path:
            return page, query
    return None


def get_filtered() -> FilteredView:
    """Return the current view (data, filters, mask, KPIs); the frame computes it each run."""
    ensure_frame()
    view = st.session_state.get(VIEW_KEY)
    if view is None:
        view = render_sidebar()
        publish_view(view)
        if view is None:
            st.stop()
    return view
