"""Publication-ready exports: chart images, the offline map, the data with provenance.

One module per concern; this package re-exports their public names, so
``from geo import exports; exports.build_map_page(...)`` works as before.

- :mod:`geo.exports.context` — :class:`ExportContext` (filters in words, data date, sources),
  the caption printed under every export, download names, :class:`ExportError`;
- :mod:`geo.exports.engine` — the headless Chromium (kaleido) that renders images, one per process;
- :mod:`geo.exports.charts` — chart images with their caption drawn inside;
- offline HTML (scripts and stylesheets inlined from local copies) is :mod:`geo.viz.standalone`,
  shared with the map builders and re-exported here;
- :mod:`geo.exports.mappage` — the publishable map page of a view and its PNG snapshot;
- :mod:`geo.exports.datafiles` — CSV, GeoJSON, withheld aggregates, provenance sidecar (licence-aware);
- :mod:`geo.exports.files` — atomic file writes;
- :mod:`geo.exports.orchestrate` — :func:`write_view_export`, a complete export of a view.
"""

from __future__ import annotations

from geo.exports.charts import export_charts, export_figure, prepare_figure_for_export, submit_figure_export
from geo.exports.context import (
    CHART_LICENCE,
    TOOL_NAME,
    ExportContext,
    ExportError,
    build_export_context,
    caption_lines,
    export_filename,
    source_entry,
    transliterate,
)
from geo.exports.datafiles import (
    CSV_FORMULA_PREFIXES,
    WITHHELD_REASON,
    aggregate_withheld,
    build_data_exports,
    build_sidecar,
    frame_to_csv,
    frame_to_geojson,
    neutralise_csv_cell,
    split_by_licence,
)
from geo.exports.engine import (
    EXPORT_SCALE,
    EXPORT_WIDTH,
    ExportEngine,
    get_export_engine,
    kaleido_page_html,
    plotlyjs_path,
    resolve_browser_path,
    shutdown_export_engine,
)
from geo.exports.files import write_bytes_atomic, write_files
from geo.exports.mappage import (
    MAP_CREDIT,
    MAP_PAGE_SIZE,
    build_map_page,
    compose_map_page,
    map_header_html,
    snapshot_map_html,
)
from geo.exports.orchestrate import write_view_export
from geo.viz.standalone import ASSET_DIRS, REPO_ROOT, find_local_asset, make_standalone_html

__all__ = [
    "ASSET_DIRS",
    "CHART_LICENCE",
    "CSV_FORMULA_PREFIXES",
    "EXPORT_SCALE",
    "EXPORT_WIDTH",
    "MAP_CREDIT",
    "MAP_PAGE_SIZE",
    "REPO_ROOT",
    "TOOL_NAME",
    "WITHHELD_REASON",
    "ExportContext",
    "ExportEngine",
    "ExportError",
    "aggregate_withheld",
    "build_data_exports",
    "build_export_context",
    "build_map_page",
    "build_sidecar",
    "caption_lines",
    "compose_map_page",
    "export_charts",
    "export_figure",
    "export_filename",
    "find_local_asset",
    "frame_to_csv",
    "frame_to_geojson",
    "get_export_engine",
    "kaleido_page_html",
    "make_standalone_html",
    "map_header_html",
    "neutralise_csv_cell",
    "plotlyjs_path",
    "prepare_figure_for_export",
    "resolve_browser_path",
    "shutdown_export_engine",
    "snapshot_map_html",
    "source_entry",
    "split_by_licence",
    "submit_figure_export",
    "transliterate",
    "write_bytes_atomic",
    "write_files",
    "write_view_export",
]
