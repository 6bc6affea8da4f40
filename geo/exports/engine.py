"""The export engine: one headless Chromium (kaleido 1.x) per process, offline.

Charts are rendered by plotly's static export (kaleido 1.x driving a headless
Chromium). Kaleido's defaults would fetch MathJax from a CDN and may fall back
to plotly.js from a CDN; here the page is built with plotly.js from the
installed ``plotly`` package and MathJax disabled, so exports work offline.
One :class:`ExportEngine` (one browser) is kept per process
(:func:`get_export_engine`); its work runs on its own event-loop thread, so
callers get a :class:`concurrent.futures.Future` and never block a UI thread.
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import os
import shutil
import threading
from pathlib import Path
from typing import Any

import plotly.graph_objects as go

from geo.exports.context import ExportError
from geo.i18n import N_
from geo.viz.charts import OFFLINE_TOPOJSON_URL

EXPORT_WIDTH = 1200
EXPORT_SCALE = 2


def resolve_browser_path() -> str:
    """Find the Chromium executable kaleido should drive.

    Looks at ``CONFLICTMAP_BROWSER``, then ``BROWSER_PATH``, then Debian's
    ``/usr/bin/chromium``, then ``chromium``/``chromium-browser``/``google-chrome`` on PATH.

    Returns
    -------
    str
        Path of the executable.

    Raises
    ------
    ExportError
        When no browser is found.
    """
    candidates = [os.environ.get("CONFLICTMAP_BROWSER"), os.environ.get("BROWSER_PATH"), "/usr/bin/chromium"]
    candidates += [shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise ExportError(N_(
        "Image export needs Chromium. Install it (Debian/Ubuntu: `apt-get install chromium`) or set "
        "CONFLICTMAP_BROWSER to the browser executable."
    ))


def plotlyjs_path() -> Path:
    """Return the plotly.js bundled with the installed ``plotly`` package.

    Returns
    -------
    Path
        ``.../plotly/package_data/plotly.min.js``.
    """
    import plotly

    path = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
    if not path.is_file():
        raise ExportError(
            N_("plotly.js not found at {path}; reinstall plotly (`pip install --force-reinstall plotly`)."),
            path=str(path)
        )
    return path


def kaleido_page_html() -> str:
    """Return the HTML page kaleido renders figures in (no CDN, no MathJax).

    Returns
    -------
    str
        The page; every script is a local ``file://`` URL.
    """
    from kaleido import PageGenerator

    return PageGenerator(plotly=plotlyjs_path().as_uri(), mathjax=False).generate_index()


class ExportEngine:
    """One persistent headless Chromium (via kaleido) serving every static export.

    Work is submitted from any thread and runs on the engine's own asyncio
    loop; methods return :class:`concurrent.futures.Future` objects so a UI can
    show progress while waiting.

    Parameters
    ----------
    browser_path : str, optional
        Chromium executable (:func:`resolve_browser_path` by default).
    timeout : float
        Seconds allowed per render.
    tabs : int
        Parallel kaleido tabs (1 is plenty on a small machine).
    """

    def __init__(self, browser_path: str | None = None, timeout: float = 90.0, tabs: int = 1) -> None:
        self.browser_path = browser_path or resolve_browser_path()
        self.timeout = timeout
        self.tabs = tabs
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._kaleido: Any = None
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        """Whether the browser is up."""
        return self._kaleido is not None and self._thread is not None and self._thread.is_alive()

    def start(self) -> ExportEngine:
        """Start the browser (idempotent) and return the engine.

        Returns
        -------
        ExportEngine
            ``self``.
        """
        with self._lock:
            if self.running:
                return self
            loop = asyncio.new_event_loop()
            thread = threading.Thread(target=loop.run_forever, name="conflictmap-export-engine", daemon=True)
            thread.start()
            self._loop, self._thread = loop, thread
            try:
                self._kaleido = asyncio.run_coroutine_threadsafe(self._open(), loop).result(
                    timeout=self.timeout
                )
            except BaseException:
                self._stop_loop()
                raise
            return self

    async def _open(self) -> Any:
        from kaleido import Kaleido, PageGenerator

        page = PageGenerator(plotly=plotlyjs_path().as_uri(), mathjax=False)
        kaleido = Kaleido(n=self.tabs, timeout=self.timeout, page_generator=page, path=self.browser_path)
        await kaleido.open()
        return kaleido

    def _submit(self, coro_factory) -> concurrent.futures.Future:
        self.start()
        return asyncio.run_coroutine_threadsafe(coro_factory(), self._loop)

    def render_figure(
        self, fig: go.Figure | dict, fmt: str = "png", scale: float = EXPORT_SCALE
    ) -> concurrent.futures.Future:
        """Render a figure to PNG or SVG bytes, asynchronously.

        Parameters
        ----------
        fig : Figure or dict
            Prepared figure (:func:`prepare_figure_for_export`).
        fmt : {"png", "svg"}
            Output format.
        scale : float
            Pixel ratio for PNG (2 = twice the layout size).

        Returns
        -------
        concurrent.futures.Future
            Resolves to the image bytes.
        """
        if fmt not in {"png", "svg"}:
            raise ValueError(f"unsupported image format {fmt!r}; use png or svg")
        spec = fig.to_dict() if hasattr(fig, "to_dict") else fig
        layout = spec.get("layout", {})
        opts = {"format": fmt, "scale": scale if fmt == "png" else 1}
        opts["width"] = layout.get("width") or EXPORT_WIDTH
        opts["height"] = layout.get("height") or 600

        async def _run() -> bytes:
            return await self._kaleido.calc_fig(spec, opts=opts, topojson=OFFLINE_TOPOJSON_URL)

        return self._submit(_run)

    def snapshot_html(
        self,
        path: Path,
        width: int = 1200,
        height: int = 800,
        scale: float = EXPORT_SCALE,
        settle_ms: int = 600,
    ) -> concurrent.futures.Future:
        """Screenshot a local HTML file in the engine's browser, asynchronously.

        Requests to anything but ``file:`` and ``data:`` URLs are blocked, so a
        page that would need the network shows up as incomplete rather than
        silently fetching from a CDN.

        Parameters
        ----------
        path : Path
            Local HTML file.
        width, height : int
            Viewport in CSS pixels.
        scale : float
            Device pixel ratio (image is ``width*scale`` pixels wide).
        settle_ms : int
            Wait after the load event for the page's scripts to draw.

        Returns
        -------
        concurrent.futures.Future
            Resolves to ``(png_bytes, blocked_urls)``.
        """
        url = Path(path).resolve().as_uri()

        async def _run() -> tuple[bytes, list[str]]:
            return await self._snapshot(url, width, height, scale, settle_ms)

        return self._submit(_run)

    async def _snapshot(self, url: str, width: int, height: int, scale: float, settle_ms: int):
        tab = await self._kaleido.create_tab("")
        blocked: list[str] = []

        async def _on_request(message: dict) -> None:
            request_url = message.get("params", {}).get("request", {}).get("url", "")
            if not request_url.startswith(("file:", "data:", "about:", "blob:")):
                blocked.append(request_url)

        try:
            session = await tab.create_session()
            session.subscribe("Network.requestWillBeSent", _on_request)
            await session.send_command("Network.enable")
            await session.send_command(
                "Network.setBlockedURLs", params={"urls": ["http://*", "https://*", "ws*://*"]}
            )
            await session.send_command("Page.enable")
            await session.send_command(
                "Emulation.setDeviceMetricsOverride",
                params={"width": width, "height": height, "deviceScaleFactor": scale, "mobile": False},
            )
            loaded = session.subscribe_once("Page.loadEventFired")
            await session.send_command("Page.navigate", params={"url": url})
            await asyncio.wait_for(loaded, timeout=self.timeout)
            await session.send_command(
                "Runtime.evaluate",
                params={
                    "expression": f"new Promise(r => setTimeout(() => requestAnimationFrame(() => r(1)), {int(settle_ms)}))",
                    "awaitPromise": True,
                },
            )
            shot = await session.send_command(
                "Page.captureScreenshot", params={"format": "png", "captureBeyondViewport": False}
            )
            if "error" in shot:
                raise ExportError(N_("Chromium could not take the map snapshot: {reason}"), reason=str(shot["error"]))
            return base64.b64decode(shot["result"]["data"]), blocked
        finally:
            await self._kaleido.close_tab(tab.target_id)

    def close(self) -> None:
        """Stop the browser and the engine thread (idempotent)."""
        with self._lock:
            if (
                self._kaleido is not None
                and self._loop is not None
                and self._thread
                and self._thread.is_alive()
            ):
                try:
                    asyncio.run_coroutine_threadsafe(self._kaleido.close(), self._loop).result(timeout=30)
                except (concurrent.futures.TimeoutError, RuntimeError) as exc:
                    raise ExportError(N_("the export browser did not close cleanly: {reason}"),
                                      reason=str(exc)) from exc
                finally:
                    self._kaleido = None
                    self._stop_loop()
            self._kaleido = None

    def _stop_loop(self) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._loop is not None and not self._loop.is_running():
            self._loop.close()
        self._loop, self._thread = None, None


_ENGINE: ExportEngine | None = None
_ENGINE_LOCK = threading.Lock()


def get_export_engine() -> ExportEngine:
    """Return the process-wide export engine, starting it on first use.

    Returns
    -------
    ExportEngine
        The running engine (one browser per process).
    """
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None:
            _ENGINE = ExportEngine()
            atexit.register(shutdown_export_engine)
        return _ENGINE.start()


def shutdown_export_engine() -> None:
    """Close the process-wide export engine if it was started."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is not None:
            _ENGINE.close()
            _ENGINE = None
