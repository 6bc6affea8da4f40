"""Publication-ready exports: chart images, the offline map, the data with provenance.

Charts are rendered by plotly's static export (kaleido 1.x driving a headless
Chromium). Kaleido's defaults would fetch MathJax from a CDN and may fall back
to plotly.js from a CDN; here the page is built with plotly.js from the
installed ``plotly`` package and MathJax disabled, so exports work offline.
One :class:`ExportEngine` (one browser) is kept per process
(:func:`get_export_engine`); its work runs on its own event-loop thread, so
callers get a :class:`concurrent.futures.Future` and never block a UI thread.

Every exported image carries, inside the picture: the title, the active
filters in words, the data date, source credits and licence lines, and the
legend (:func:`prepare_figure_for_export`).

Data exports respect source licences: rows from sources whose manifest entry
says ``"redistribution": false`` (ACLED, Bellingcat) are never written raw;
they are replaced by per-oblast, per-month aggregates with links, and the
provenance sidecar says why (:func:`build_data_exports`).
"""

from __future__ import annotations

import asyncio
import atexit
import base64
import concurrent.futures
import csv
import datetime as dt
import html
import io
import json
import mimetypes
import os
import re
import shutil
import textwrap
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

import geo
from geo.citation import public_url
from geo.schema import ALL_COLUMNS, LIST_COLUMNS
from geo.viz.charts import OFFLINE_TOPOJSON_URL

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Where local copies of browser assets live, searched in order when a map page
#: references a script or stylesheet (by path or by a CDN URL with the same file name).
ASSET_DIRS: tuple[Path, ...] = (
    REPO_ROOT / "static" / "vendor",
    REPO_ROOT / "node_modules" / "leaflet" / "dist",
)
TOOL_NAME = "conflictmap"
CHART_LICENCE = "Chart: conflictmap contributors, CC BY 4.0. Data licences as listed by each source."
EXPORT_WIDTH = 1200
EXPORT_SCALE = 2
CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WITHHELD_REASON = (
    "{names} do not allow redistribution of their raw rows, so their {n} incident(s) are exported "
    "only as counts per oblast and month with links to the original sources."
)


class ExportError(RuntimeError):
    """An export could not be produced; the message says why and what to do."""


@dataclass(frozen=True)
class ExportContext:
    """What every export must say about the view it comes from.

    Attributes
    ----------
    filters_description : str
        The active filters in words (``Filters.describe()``).
    filters_params : dict
        The same filters as URL query parameters (``Filters.to_query_params()``).
    data_version : str
        Data version of the loaded bundle.
    data_date : str
        Date the data describes up to (ISO date), shown as "Data as of".
    sources : tuple of dict
        Manifest source entries (key, name, licence, attribution, url, accessed, redistribution).
    share_url : str
        Shareable URL of the view ("" when unknown).
    exported_at : str
        ISO timestamp (UTC) of the export.
    """

    filters_description: str
    data_version: str
    data_date: str
    sources: tuple[Mapping[str, Any], ...] = ()
    filters_params: Mapping[str, Any] = field(default_factory=dict)
    share_url: str = ""
    exported_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def build_export_context(
    frame: pd.DataFrame,
    manifest: Mapping[str, Any],
    data_version: str,
    filters_description: str,
    filters_params: Mapping[str, Any] | None = None,
    share_url: str = "",
) -> ExportContext:
    """Assemble an :class:`ExportContext` from a bundle's manifest and the filtered frame.

    The data date is the latest incident date in the whole frame passed in
    (pass the unfiltered incidents to describe the data set, the filtered ones
    to describe the view). Only sources with rows in ``frame`` are credited,
    plus non-incident sources (boundaries, front lines) listed in the manifest.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents (``date`` and ``source`` columns).
    manifest : mapping
        Bundle manifest (``sources`` list).
    data_version : str
        Bundle data version.
    filters_description : str
        Filters in words.
    filters_params : mapping, optional
        Filters as query parameters.
    share_url : str
        Shareable URL.

    Returns
    -------
    ExportContext
        The context.
    """
    dates = pd.to_datetime(frame["date"]).dropna() if len(frame) else pd.Series([], dtype="datetime64[ns]")
    data_date = dates.max().date().isoformat() if len(dates) else str(manifest.get("built_at", ""))[:10]
    present = set(frame["source"].dropna().astype(str)) if len(frame) else set()
    sources = []
    for entry in manifest.get("sources", []):
        key = str(entry.get("key", ""))
        incident_source = key not in {"geoboundaries", "naturalearth", "deepstate"} and not entry.get("kind") == "geometry"
        if key in present or not incident_source:
            sources.append(dict(entry))
    for key in sorted(present - {str(s.get("key")) for s in sources}):
        sources.append(source_entry(key, manifest))
    sources = [_with_access_date(entry, manifest) for entry in sources]
    return ExportContext(
        filters_description=filters_description,
        filters_params=dict(filters_params or {}),
        data_version=data_version,
        data_date=data_date,
        sources=tuple(sources),
        share_url=public_url(share_url),
    )


def _with_access_date(entry: dict[str, Any], manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Fill a missing access date from the manifest: when the source's file was imported, else the build date."""
    if entry.get("accessed"):
        return entry
    key = str(entry.get("key", ""))
    imported = [str(i.get("imported_at") or "")[:10] for i in manifest.get("inputs", []) or []
                if str(i.get("format") or i.get("source") or "") == key and i.get("imported_at")]
    when = max(imported) if imported else str(manifest.get("built_at") or "")[:10]
    if when:
        entry = {**entry, "accessed": when, "accessed_kind": "imported"}
    return entry


def source_entry(key: str, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the provenance entry for a source key (manifest first, then the project's table).

    Parameters
    ----------
    key : str
        Source key as in the ``source`` column.
    manifest : mapping, optional
        Bundle manifest.

    Returns
    -------
    dict
        ``key, name, licence, attribution, url, accessed, redistribution``. Unknown
        user sources are assumed redistributable, as the data directory records them.
    """
    for entry in (manifest or {}).get("sources", []):
        if str(entry.get("key")) == key:
            return dict(entry)
    from geo.sources.registry import source_entry as registry_entry

    return registry_entry(key)


def caption_lines(context: ExportContext, width_chars: int = 150) -> list[str]:
    """Return the plain-text caption lines printed under every exported chart.

    Parameters
    ----------
    context : ExportContext
        View and provenance.
    width_chars : int
        Wrap width.

    Returns
    -------
    list of str
        Unescaped lines: filters, data date and version, sources, licences, tool.
    """
    credits = "; ".join(
        f"{s.get('attribution') or s.get('name')}"
        + (f" ({'imported' if s.get('accessed_kind') == 'imported' else 'accessed'} {s['accessed']})" if s.get("accessed") else "")
        for s in context.sources
    )
    licences = "; ".join(f"{s.get('name')}: {s.get('licence')}" for s in context.sources if s.get("licence"))
    lines = [
        f"Filters: {context.filters_description or 'none (all incidents)'}",
        f"Data as of {context.data_date} (data version {context.data_version}); exported {context.exported_at[:10]}",
        f"Sources: {credits or 'not recorded'}",
        f"Licences: {licences or 'not recorded'}. {CHART_LICENCE}",
        f"Made with {TOOL_NAME} {geo.__version__}" + (f" — {context.share_url}" if context.share_url else ""),
    ]
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(
            textwrap.wrap(line, width=width_chars, break_long_words=True, break_on_hyphens=False) or [""]
        )
    return wrapped


def prepare_figure_for_export(
    fig: go.Figure, context: ExportContext, title: str | None = None, width: int = EXPORT_WIDTH,
    notes: Sequence[str] = (),
) -> go.Figure:
    """Return a copy of ``fig`` with title, legend and caption drawn inside the image.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A figure from :mod:`geo.viz.charts` (not modified).
    context : ExportContext
        View and provenance for the caption.
    title : str, optional
        Title text (unescaped); the figure's own title by default.
    width : int
        Layout width in CSS pixels.
    notes : sequence of str
        Caveats printed first in the caption (e.g. how many incidents are not counted),
        so they travel with the image.

    Returns
    -------
    plotly.graph_objects.Figure
        Figure with fixed ``width``/``height``, a legend and caption annotations
        in the bottom margin. Traces with nothing to show are left out of the legend.
    """
    out = go.Figure(fig)
    for trace in out.data:
        values = getattr(trace, "y", None) if getattr(trace, "orientation", None) != "h" else getattr(trace, "x", None)
        if trace.type == "bar" and values is not None and not any(v for v in values if v == v):
            trace.showlegend = False
    title_text = html.escape(title, quote=False) if title is not None else (out.layout.title.text or "Chart")
    wrap = max(60, int(width / 7.2))
    lines = [part for note in notes for part in textwrap.wrap(f"Note: {note}", width=wrap)] + caption_lines(context, width_chars=wrap)
    line_px = 16
    base_height = int(out.layout.height or 520)
    margin = out.layout.margin
    has_axes = any(t.type in {"bar", "scatter"} for t in out.data)
    axis_room = 70 if has_axes else 10
    caption_px = line_px * len(lines) + 16
    out.update_layout(
        width=width,
        height=base_height + caption_px + axis_room,
        title={"text": title_text, "x": 0.01, "xanchor": "left", "y": 0.99, "yanchor": "top"},
        showlegend=True,
        legend={
            "orientation": "h",
            "x": 0.0,
            "xanchor": "left",
            "y": 1.0,
            "yanchor": "bottom",
            "bgcolor": "rgba(0,0,0,0)",
        },
        margin={
            "l": margin.l if margin.l is not None else 60,
            "r": margin.r if margin.r is not None else 20,
            "t": max(int(margin.t or 0), 110),
            "b": axis_room + caption_px,
        },
        paper_bgcolor="#FFFFFF",
    )
    out.add_annotation(
        text="<br>".join(html.escape(line, quote=False) for line in lines),
        xref="paper",
        yref="paper",
        x=0.0,
        y=0.0,
        xanchor="left",
        yanchor="top",
        yshift=-axis_room,
        xshift=-max(0, (margin.l if margin.l is not None else 60) - 12),
        align="left",
        showarrow=False,
        font={"size": 11, "color": "#444444"},
        name="export_caption",
    )
    return out


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
    raise ExportError(
        "Image export needs Chromium. Install it (Debian/Ubuntu: `apt-get install chromium`) or set "
        "CONFLICTMAP_BROWSER to the browser executable."
    )


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
            f"plotly.js not found at {path}; reinstall plotly (`pip install --force-reinstall plotly`)."
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
                raise ExportError(f"Chromium could not take the map snapshot: {shot['error']}")
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
                    raise ExportError(f"the export browser did not close cleanly: {exc}") from exc
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


def export_figure(
    fig: go.Figure,
    context: ExportContext,
    fmt: str = "png",
    *,
    title: str | None = None,
    engine: ExportEngine | None = None,
    scale: float = EXPORT_SCALE,
    width: int = EXPORT_WIDTH,
) -> bytes:
    """Render one chart with its caption to PNG or SVG (blocking).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Chart from :mod:`geo.viz.charts`.
    context : ExportContext
        View and provenance.
    fmt : {"png", "svg"}
        Output format.
    title : str, optional
        Title override.
    engine : ExportEngine, optional
        Engine to use (the process-wide one by default).
    scale : float
        PNG pixel ratio (at least 2 for print).
    width : int
        Layout width in CSS pixels.

    Returns
    -------
    bytes
        The image.
    """
    return submit_figure_export(
        fig, context, fmt, title=title, engine=engine, scale=scale, width=width
    ).result()


def submit_figure_export(
    fig: go.Figure,
    context: ExportContext,
    fmt: str = "png",
    *,
    title: str | None = None,
    engine: ExportEngine | None = None,
    scale: float = EXPORT_SCALE,
    width: int = EXPORT_WIDTH,
    notes: Sequence[str] = (),
) -> concurrent.futures.Future:
    """Start rendering one chart with its caption; return a future of the bytes.

    Parameters
    ----------
    fig, context, fmt, title, engine, scale, width
        As for :func:`export_figure`.
    notes : sequence of str
        Caveats printed inside the image (see :func:`prepare_figure_for_export`).

    Returns
    -------
    concurrent.futures.Future
        Resolves to the image bytes.
    """
    prepared = prepare_figure_for_export(fig, context, title=title, width=width, notes=notes)
    return (engine or get_export_engine()).render_figure(prepared, fmt=fmt, scale=scale)


def export_charts(
    charts: Mapping[str, go.Figure],
    context: ExportContext,
    out_dir: Path,
    formats: Sequence[str] = ("png", "svg"),
    engine: ExportEngine | None = None,
    progress=None,
) -> list[Path]:
    """Write every chart in every format to ``out_dir`` (``<stem>.<fmt>``).

    Parameters
    ----------
    charts : mapping of str to Figure
        Stem -> figure (:func:`geo.viz.charts.build_standard_charts`).
    context : ExportContext
        View and provenance.
    out_dir : Path
        Destination directory (created).
    formats : sequence of str
        Image formats.
    engine : ExportEngine, optional
        Engine (process-wide by default).
    progress : callable, optional
        Called as ``progress(done, total, name)`` after each file.

    Returns
    -------
    list of Path
        Written files.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    jobs = [(stem, fmt) for stem in charts for fmt in formats]
    futures = [
        (stem, fmt, submit_figure_export(charts[stem], context, fmt, engine=engine)) for stem, fmt in jobs
    ]
    written = []
    for done, (stem, fmt, future) in enumerate(futures, start=1):
        path = out_dir / f"{stem}.{fmt}"
        _write_atomic(path, future.result())
        written.append(path)
        if progress is not None:
            progress(done, len(futures), path.name)
    return written


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


_SCRIPT_SRC = re.compile(r"<script\b[^>]*\bsrc=[\"']([^\"']+)[\"'][^>]*>\s*</script>", re.IGNORECASE)
_LINK_CSS = re.compile(r"<link\b[^>]*\bhref=[\"']([^\"']+\.css[^\"']*)[\"'][^>]*/?>", re.IGNORECASE)
_CSS_URL = re.compile(r"url\(\s*[\"']?([^\"')]+)[\"']?\s*\)")


def find_local_asset(reference: str, asset_dirs: Iterable[Path] = ASSET_DIRS) -> Path | None:
    """Map a script or stylesheet reference (path or CDN URL) to a local file.

    Parameters
    ----------
    reference : str
        ``src``/``href`` value, e.g. a CDN URL ending in ``/leaflet@1.9.3/dist/leaflet.js``
        or ``/app/static/vendor/leaflet/leaflet.js``.
    asset_dirs : iterable of Path
        Directories to search (recursively, by file name).

    Returns
    -------
    Path or None
        The local file, or None when there is no local copy.
    """
    clean = reference.split("?")[0].split("#")[0]
    if clean.startswith("file://"):
        candidate = Path(clean[7:])
        return candidate if candidate.is_file() else None
    if not re.match(r"^(https?:)?//", clean):
        relative = clean.lstrip("/")
        if relative.startswith("app/static/"):
            relative = relative[len("app/") :]
        candidate = REPO_ROOT / relative
        if candidate.is_file():
            return candidate
    name = Path(clean).name
    if not name:
        return None
    for directory in asset_dirs:
        if (directory / name).is_file():
            return directory / name
        if directory.is_dir():
            for match in sorted(directory.rglob(name)):
                if match.is_file():
                    return match
    return None


def _inline_css(css_path: Path) -> str:
    text = css_path.read_text(encoding="utf-8")

    def _data_uri(match: re.Match) -> str:
        ref = match.group(1)
        if ref.startswith("data:"):
            return match.group(0)
        target = (css_path.parent / ref.split("?")[0].split("#")[0]).resolve()
        if not target.is_file():
            return match.group(0)
        mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        return f'url("data:{mime};base64,{base64.b64encode(target.read_bytes()).decode("ascii")}")'

    return _CSS_URL.sub(_data_uri, text)


def make_standalone_html(page: str, asset_dirs: Iterable[Path] = ASSET_DIRS) -> tuple[str, list[str]]:
    """Inline every script and stylesheet of a map page so it works offline.

    Each ``<script src>`` and stylesheet ``<link>`` is replaced by its local
    copy (Leaflet from ``static/vendor`` or ``node_modules/leaflet/dist``,
    images in CSS as data URIs). References with no local copy are removed,
    never left pointing at a CDN, and reported.

    Parameters
    ----------
    page : str
        HTML of a map (e.g. ``folium.Map.get_root().render()``).
    asset_dirs : iterable of Path
        Where local copies live.

    Returns
    -------
    tuple of (str, list of str)
        The standalone HTML and the references that were dropped.
    """
    dirs = tuple(asset_dirs)
    dropped: list[str] = []

    def _script(match: re.Match) -> str:
        local = find_local_asset(match.group(1), dirs)
        if local is None:
            dropped.append(match.group(1))
            return f"<!-- dropped external script: {html.escape(match.group(1))} -->"
        code = local.read_text(encoding="utf-8").replace("</script", "<\\/script")
        return f"<script>/* {local.name} */\n{code}\n</script>"

    def _link(match: re.Match) -> str:
        local = find_local_asset(match.group(1), dirs)
        if local is None:
            dropped.append(match.group(1))
            return f"<!-- dropped external stylesheet: {html.escape(match.group(1))} -->"
        return f"<style>/* {local.name} */\n{_inline_css(local)}\n</style>"

    return _LINK_CSS.sub(_link, _SCRIPT_SRC.sub(_script, page)), dropped


def write_map_html(page: str, path: Path) -> list[str]:
    """Write a standalone, offline map page.

    Parameters
    ----------
    page : str
        Map HTML.
    path : Path
        Destination ``.html``.

    Returns
    -------
    list of str
        External references that had no local copy and were dropped.
    """
    standalone, dropped = make_standalone_html(page)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    _write_atomic(Path(path), standalone.encode("utf-8"))
    return dropped


def snapshot_map_html(
    path: Path,
    engine: ExportEngine | None = None,
    width: int = 1200,
    height: int = 860,
    scale: float = EXPORT_SCALE,
) -> bytes:
    """Render a standalone map page to PNG with headless Chromium (blocking).

    Parameters
    ----------
    path : Path
        HTML written by :func:`write_map_html`.
    engine : ExportEngine, optional
        Engine (process-wide by default).
    width, height : int
        Viewport in CSS pixels.
    scale : float
        Device pixel ratio.

    Returns
    -------
    bytes
        PNG image.

    Raises
    ------
    ExportError
        When the page tried to reach the network (it would not be offline).
    """
    png, blocked = (engine or get_export_engine()).snapshot_html(path, width, height, scale).result()
    if blocked:
        raise ExportError(f"the map page tried to load external resources: {blocked[:3]}")
    return png


def neutralise_csv_cell(value: Any) -> Any:
    """Defuse a text cell that a spreadsheet would read as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote (OWASP CSV-injection guidance). Numbers are
    left alone, so negative distances stay numeric.

    Parameters
    ----------
    value : object
        Cell value.

    Returns
    -------
    object
        The value, prefixed with ``'`` when it is dangerous text.
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_redistributable(key: str, manifest: Mapping[str, Any]) -> bool:
    return bool(source_entry(key, manifest).get("redistribution", True))


def split_by_licence(frame: pd.DataFrame, manifest: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split incidents into rows that may be redistributed and rows that may not.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    manifest : mapping
        Bundle manifest (``sources[].redistribution``).

    Returns
    -------
    tuple of DataFrame
        ``(exportable, withheld)``.
    """
    keys = frame["source"].astype("string").fillna("")
    allowed = {key: _is_redistributable(key, manifest) for key in keys.unique()}
    mask = keys.map(allowed).astype(bool).to_numpy()
    return frame.loc[mask], frame.loc[~mask]


def aggregate_withheld(
    withheld: pd.DataFrame, manifest: Mapping[str, Any], max_links: int = 20
) -> pd.DataFrame:
    """Aggregate non-redistributable rows per source, oblast and month, with links.

    Parameters
    ----------
    withheld : pandas.DataFrame
        Incidents that may not be redistributed.
    manifest : mapping
        Bundle manifest (source names and URLs).
    max_links : int
        At most this many article links per aggregate row.

    Returns
    -------
    pandas.DataFrame
        ``source, source_name, source_url, admin1_iso, oblast, month, incidents,
        killed, injured, links``.
    """
    columns = [
        "source",
        "source_name",
        "source_url",
        "admin1_iso",
        "oblast",
        "month",
        "incidents",
        "killed",
        "injured",
        "links",
    ]
    if withheld.empty:
        return pd.DataFrame(columns=columns)
    work = pd.DataFrame(
        {
            "source": withheld["source"].astype(str),
            "admin1_iso": withheld["admin1_iso"].astype("string").fillna("unknown"),
            "month": pd.to_datetime(withheld["date"]).dt.strftime("%Y-%m"),
            "killed": withheld["killed"].astype("Int64"),
            "injured": withheld["injured"].astype("Int64"),
            "urls": list(withheld["source_urls"]),
        }
    )
    rows = []
    for (source, iso, month), group in work.groupby(["source", "admin1_iso", "month"], sort=True):
        entry = source_entry(source, manifest)
        links: list[str] = []
        for urls in group["urls"]:
            for url in urls:
                if url not in links and len(links) < max_links:
                    links.append(str(url))
        from geo.admin1 import ADMIN1

        rows.append(
            {
                "source": source,
                "source_name": entry.get("name", source),
                "source_url": entry.get("url", ""),
                "admin1_iso": iso,
                "oblast": ADMIN1[iso][0] if iso in ADMIN1 else "Outside the oblast layer",
                "month": month,
                "incidents": len(group),
                "killed": group["killed"].sum(min_count=1),
                "injured": group["injured"].sum(min_count=1),
                "links": " ".join(links),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    out["killed"] = out["killed"].astype("Int64")
    out["injured"] = out["injured"].astype("Int64")
    return out


def _cell(value: Any, column: str) -> Any:
    if column in LIST_COLUMNS:
        return " | ".join(str(v) for v in (value if isinstance(value, (list, tuple, np.ndarray)) else []))
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (np.bool_, bool)):
        return "true" if value else "false"
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def frame_to_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """Write a frame as UTF-8 CSV with formula-like text cells neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows to write.
    columns : sequence of str, optional
        Columns in order (all by default). List columns are joined with ``" | "``.

    Returns
    -------
    bytes
        CSV bytes (UTF-8 with BOM so spreadsheet programs detect the encoding).
    """
    columns = list(columns or frame.columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in frame[columns].itertuples(index=False, name=None):
        writer.writerow([neutralise_csv_cell(_cell(v, c)) for v, c in zip(record, columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _json_value(value.item())
    return value


def frame_to_geojson(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """Write incidents as a GeoJSON FeatureCollection of points (EPSG:4326).

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents with ``lon`` and ``lat``.
    columns : sequence of str, optional
        Properties to include (all but lon/lat by default).

    Returns
    -------
    bytes
        UTF-8 GeoJSON.
    """
    columns = [c for c in (columns or frame.columns) if c not in {"lon", "lat"}]
    features = []
    for record in frame.to_dict("records"):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(record["lon"]), float(record["lat"])]},
                "properties": {c: _json_value(record.get(c)) for c in columns},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def build_sidecar(
    context: ExportContext,
    exported: pd.DataFrame,
    withheld: pd.DataFrame,
    files: Sequence[str],
    manifest: Mapping[str, Any],
) -> dict[str, Any]:
    """Build the provenance record written next to every data export.

    Parameters
    ----------
    context : ExportContext
        View and provenance.
    exported : pandas.DataFrame
        Rows written raw.
    withheld : pandas.DataFrame
        Rows replaced by aggregates.
    files : sequence of str
        Names of the files in the export.
    manifest : mapping
        Bundle manifest.

    Returns
    -------
    dict
        JSON-serialisable record (tool, version, export time, data version and
        date, filters in words and as parameters, sources with licences and
        row counts, withheld rows and why, files, columns, CRS).
    """
    exported_counts = exported["source"].astype(str).value_counts().to_dict() if len(exported) else {}
    withheld_counts = withheld["source"].astype(str).value_counts().to_dict() if len(withheld) else {}
    keys = [str(s.get("key")) for s in context.sources]
    keys += sorted((set(exported_counts) | set(withheld_counts)) - set(keys))
    sources = []
    for key in keys:
        entry = source_entry(key, {"sources": list(context.sources) + list(manifest.get("sources", []))})
        sources.append(
            {
                **{
                    k: entry.get(k)
                    for k in ("key", "name", "licence", "attribution", "url", "accessed", "redistribution")
                },
                "rows_exported": int(exported_counts.get(key, 0)),
                "rows_withheld": int(withheld_counts.get(key, 0)),
            }
        )
    withheld_names = sorted({source_entry(k, manifest).get("name", k) for k in withheld_counts})
    return {
        "tool": TOOL_NAME,
        "version": geo.__version__,
        "exported_at": context.exported_at,
        "data_version": context.data_version,
        "data_date": context.data_date,
        "schema_version": manifest.get("schema_version"),
        "filters": {"description": context.filters_description, "params": dict(context.filters_params)},
        "share_url": context.share_url,
        "rows": {"exported": int(len(exported)), "withheld": int(len(withheld))},
        "sources": sources,
        "withheld": {
            "sources": withheld_names,
            "reason": WITHHELD_REASON.format(names=" and ".join(withheld_names), n=len(withheld))
            if len(withheld)
            else "",
        },
        "files": list(files),
        "columns": [c for c in ALL_COLUMNS],
        "column_meanings": {c: ALL_COLUMNS[c][1] for c in ALL_COLUMNS},
        "crs": "EPSG:4326",
        "notes": [
            "front_distance_km is signed: negative inside occupied territory, empty when no front line applies.",
            "killed/injured empty = not reported (not zero).",
            "killed is all deaths the source reports (ACLED fatalities and UCDP best include combatants); "
            "civilians_killed is filled only where the source counts civilians apart (UCDP deaths_civilians).",
            "Counting events (the default), each row is one event's headline record (most authoritative source "
            "reporting a figure: curated > UCDP > ACLED > other > Bellingcat); event_killed_min/max give the range "
            "across the event's records and event_sources the sources that reported it. See docs/FUSION.md.",
            "CSV text cells starting with = + - @ tab or CR are prefixed with ' to stop spreadsheet formulas.",
        ],
    }


def build_data_exports(
    frame: pd.DataFrame, context: ExportContext, manifest: Mapping[str, Any], stem: str = "incidents"
) -> dict[str, bytes]:
    """Build every data file of an export: CSV, GeoJSON, aggregates when needed, sidecar.

    Parameters
    ----------
    frame : pandas.DataFrame
        Filtered incidents (:data:`geo.schema.ALL_COLUMNS`; extra columns are dropped).
    context : ExportContext
        View and provenance.
    manifest : mapping
        Bundle manifest (licences).
    stem : str
        File-name stem.

    Returns
    -------
    dict of str to bytes
        File name -> content: ``<stem>.csv``, ``<stem>.geojson``,
        ``<stem>_withheld_aggregates.csv`` (only when rows were withheld) and
        ``<stem>.provenance.json``.
    """
    columns = [c for c in ALL_COLUMNS if c in frame.columns]
    exported, withheld = split_by_licence(frame, manifest)
    files: dict[str, bytes] = {
        f"{stem}.csv": frame_to_csv(exported, columns),
        f"{stem}.geojson": frame_to_geojson(exported, columns),
    }
    if len(withheld):
        files[f"{stem}_withheld_aggregates.csv"] = frame_to_csv(aggregate_withheld(withheld, manifest))
    sidecar_name = f"{stem}.provenance.json"
    sidecar = build_sidecar(context, exported, withheld, [*files, sidecar_name], manifest)
    files[sidecar_name] = json.dumps(sidecar, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    return files


def write_files(files: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write named byte blobs into ``out_dir`` atomically.

    Parameters
    ----------
    files : mapping of str to bytes
        File name -> content.
    out_dir : Path
        Destination (created).

    Returns
    -------
    list of Path
        Written paths.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        _write_atomic(out_dir / name, data)
        written.append(out_dir / name)
    return written


def export_filename(page: str, item: str, filters_description: str, when: dt.date | str | None, ext: str) -> str:
    """Return a descriptive download name: tool, page, item, filters and date.

    Parameters
    ----------
    page, item : str
        Where the export comes from (``"map"``, ``"trends"``) and what it is.
    filters_description : str
        Filters in words (shortened to a slug; "all" when empty).
    when : datetime.date or str, optional
        Date the export shows (map date, end of the range).
    ext : str
        Extension without the dot.

    Returns
    -------
    str
        Like ``conflictmap_map_incidents_targets-residential_2024-06-01.png`` (ASCII only).
    """
    import unicodedata

    def slug(text: str, limit: int) -> str:
        ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")

    filters = slug(filters_description, 60) if filters_description and filters_description != "All incidents" else "all"
    parts = [TOOL_NAME, slug(page, 20), slug(item, 30), filters or "all"]
    if when:
        parts.append(str(when)[:10])
    return "_".join(p for p in parts if p) + "." + ext


MAP_CREDIT = "Place names: GeoNames (CC BY 4.0). Reference layers drawn offline; no basemap service."
#: Viewport of the publishable map snapshot, in CSS pixels (the PNG is twice as large).
MAP_PAGE_SIZE = (1200, 860)


def map_header_html(title: str, context: ExportContext, subtitle: str = "") -> str:
    """Return the escaped header of a publishable map: title, filters in words, data date.

    Parameters
    ----------
    title : str
        Headline.
    context : ExportContext
        View and provenance.
    subtitle : str
        Extra line (e.g. how many incidents are drawn).

    Returns
    -------
    str
        HTML fragment, every text escaped.
    """
    lines = [f"<h1>{html.escape(title, quote=False)}</h1>"]
    if subtitle:
        lines.append(f"<div>{html.escape(subtitle, quote=False)}</div>")
    lines.append(f"<div>Filters: {html.escape(context.filters_description or 'none (all incidents)', quote=False)}"
                 f" · Data as of {html.escape(context.data_date, quote=False)}</div>")
    return "".join(lines)


def compose_map_page(
    fmap: Any,
    layers: Sequence[Any],
    context: ExportContext,
    title: str = "conflictmap: incidents",
    subtitle: str = "",
) -> str:
    """Turn a built map and its layers into one offline, publishable HTML page.

    The page is a single frame (header, map, footer) sized to the viewport, so a
    screenshot of it at :data:`MAP_PAGE_SIZE` holds the title, the legend, the scale
    bar, the front-line box and the credits.

    Parameters
    ----------
    fmap : folium.Map
        From :func:`geo.viz.map.build_base_map` (modified).
    layers : sequence of folium.FeatureGroup
        The same layers the screen shows.
    context : ExportContext
        View and provenance (header and footer).
    title, subtitle : str
        Headline and an extra header line (plain text).

    Returns
    -------
    str
        Self-contained HTML (Leaflet inlined, no network requests).
    """
    from geo.viz import map as fmap_mod

    footer_lines = [*caption_lines(context, width_chars=400), MAP_CREDIT]
    footer = "<br>".join(html.escape(line, quote=False) for line in footer_lines)
    page = fmap_mod.build_standalone_html(fmap, list(layers), title=title, footer_html=footer,
                                          header_html=map_header_html(title, context, subtitle))
    standalone, dropped = make_standalone_html(page)
    if dropped:
        raise ExportError(f"the map page references assets with no local copy: {dropped[:3]}")
    return standalone


def build_map_page(
    frame: pd.DataFrame,
    context: ExportContext,
    boundaries: Any = None,
    frontlines: pd.DataFrame | None = None,
    when: dt.date | None = None,
    title: str = "conflictmap: incidents",
    threshold: int | None = None,
) -> str:
    """Build the standalone offline map of a view with the map builders of :mod:`geo.viz.map`.

    Incidents are drawn one by one up to :func:`geo.viz.map.marker_threshold` (the rule
    the app's map follows) and as grid bins beyond; the front line is the snapshot in
    force on ``when`` (the last incident date by default); title, filters and credits
    frame the map.

    Parameters
    ----------
    frame : pandas.DataFrame
        Filtered incidents.
    context : ExportContext
        View and provenance (header and footer).
    boundaries : geopandas.GeoDataFrame, optional
        Oblast layer.
    frontlines : geopandas.GeoDataFrame or None
        Front-line snapshots.
    when : datetime.date, optional
        Map date for the front line.
    title : str
        Page title.
    threshold : int, optional
        Markers-or-cells threshold (default: :func:`geo.viz.map.marker_threshold`).

    Returns
    -------
    str
        Self-contained HTML (Leaflet inlined, no network requests).
    """
    from geo.viz import map as fmap_mod

    threshold = fmap_mod.marker_threshold() if threshold is None else threshold
    fmap = fmap_mod.build_base_map(boundaries)
    if when is None:
        dates = pd.to_datetime(frame["date"]).dropna()
        when = dates.max().date() if len(dates) else dt.date.today()
    layers = []
    if frontlines is not None and len(frontlines):
        layers.append(fmap_mod.build_frontline_layer(frontlines, when)[0])
    if len(frame) <= threshold:
        layers.append(fmap_mod.build_incident_layer(frame))
    else:
        bins = fmap_mod.aggregate_grid(
            frame["lon"].to_numpy(dtype="float64"),
            frame["lat"].to_numpy(dtype="float64"),
            frame["killed"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
            frame["injured"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
        )
        layers.append(fmap_mod.build_bin_layer(bins, note=f"{len(frame):,} incidents, counted per grid cell"))
    return compose_map_page(fmap, layers, context, title=title)


def write_view_export(
    out_dir: Path,
    frame: pd.DataFrame,
    context: ExportContext,
    manifest: Mapping[str, Any],
    charts: Mapping[str, go.Figure],
    *,
    boundaries: Any = None,
    frontlines: pd.DataFrame | None = None,
    citation_text: str = "",
    citation_bibtex: str = "",
    engine: ExportEngine | None = None,
    progress=None,
    with_map: bool = True,
) -> dict[str, Any]:
    """Write a complete export of a view: charts, map, data, citation.

    Parameters
    ----------
    out_dir : Path
        Destination directory (created).
    frame : pandas.DataFrame
        Filtered incidents.
    context : ExportContext
        View and provenance.
    manifest : mapping
        Bundle manifest (licences).
    charts : mapping of str to Figure
        From :func:`geo.viz.charts.build_standard_charts`.
    boundaries, frontlines : optional
        Map layers.
    citation_text, citation_bibtex : str
        From :func:`geo.citation.build_citation`.
    engine : ExportEngine, optional
        Engine (process-wide by default).
    progress : callable, optional
        ``progress(done, total, name)``.
    with_map : bool
        Also write ``map.html`` and ``map.png``.

    Returns
    -------
    dict
        ``files`` (list of Path) and ``seconds`` per step (charts, map, data).
    """
    import time

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    files = export_charts(charts, context, out_dir, engine=engine, progress=progress)
    timings["charts"] = time.perf_counter() - started
    if with_map:
        started = time.perf_counter()
        page = build_map_page(frame, context, boundaries, frontlines)
        _write_atomic(out_dir / "map.html", page.encode("utf-8"))
        _write_atomic(out_dir / "map.png", snapshot_map_html(out_dir / "map.html", engine=engine))
        files += [out_dir / "map.html", out_dir / "map.png"]
        timings["map"] = time.perf_counter() - started
    started = time.perf_counter()
    data = dict(build_data_exports(frame, context, manifest))
    if citation_text:
        data["citation.txt"] = (citation_text + "\n").encode("utf-8")
    if citation_bibtex:
        data["citation.bib"] = (citation_bibtex + "\n").encode("utf-8")
    files += write_files(data, out_dir)
    timings["data"] = time.perf_counter() - started
    return {"files": files, "seconds": timings}
