"""Chart images: the caption drawn inside the picture and the PNG/SVG render through the engine.

Every exported image carries, inside the picture: the title, the active
filters in words, the data date, source credits and licence lines, and the
legend (:func:`prepare_figure_for_export`).
"""

from __future__ import annotations

import concurrent.futures
import html
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

import plotly.graph_objects as go

from geo.exports.context import ExportContext, caption_lines
from geo.exports.engine import EXPORT_SCALE, EXPORT_WIDTH, ExportEngine, get_export_engine
from geo.exports.files import write_bytes_atomic
from geo.i18n import translator
from geo.viz.charts import localise_date_axis


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
    out = localise_date_axis(go.Figure(fig), context.lang)
    for trace in out.data:
        values = getattr(trace, "y", None) if getattr(trace, "orientation", None) != "h" else getattr(trace, "x", None)
        if trace.type == "bar" and values is not None and not any(v for v in values if v == v):
            trace.showlegend = False
    _ = translator(context.lang)
    title_text = html.escape(title, quote=False) if title is not None else (out.layout.title.text or _("Chart"))
    wrap = max(60, int(width / 7.2))
    lines = [part for note in notes for part in textwrap.wrap(_("Note: {note}", note=note), width=wrap)]
    lines += caption_lines(context, width_chars=wrap)
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


def export_figure(fig: go.Figure, context: ExportContext, fmt: str = "png", **options) -> bytes:
    """Render one chart with its caption to PNG or SVG (blocking).

    Parameters
    ----------
    fig, context, fmt
        As for :func:`submit_figure_export`.
    **options
        Its keyword arguments: ``title``, ``engine``, ``scale``, ``width``, ``notes``.

    Returns
    -------
    bytes
        The image.
    """
    return submit_figure_export(fig, context, fmt, **options).result()


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
    fig : plotly.graph_objects.Figure
        Chart from :mod:`geo.viz.charts`.
    context : ExportContext
        View and provenance (its ``lang`` is the language of the caption and the date ticks).
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
        The images written, one per chart and format, in the order of ``charts``.
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
        write_bytes_atomic(path, future.result())
        written.append(path)
        if progress is not None:
            progress(done, len(futures), path.name)
    return written
