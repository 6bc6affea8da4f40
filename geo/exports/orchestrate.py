"""One complete export of a view: charts, map, data files and citation in one folder."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geo.exports.charts import export_charts
from geo.exports.context import ExportContext
from geo.exports.datafiles import build_data_exports
from geo.exports.engine import ExportEngine
from geo.exports.files import write_bytes_atomic, write_files
from geo.exports.mappage import build_map_page, snapshot_map_html


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
        write_bytes_atomic(out_dir / "map.html", page.encode("utf-8"))
        write_bytes_atomic(out_dir / "map.png", snapshot_map_html(out_dir / "map.html", engine=engine))
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
