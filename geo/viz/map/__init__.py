"""Folium map builders that work offline: oblasts, front line as of a date, incidents or grid cells.

One module per layer, so a reader finds one layer in one place:

- :mod:`~geo.viz.map.frame`: the map frame (offline Leaflet, oblast outlines, zoom buttons and
  scale bar, the reference layer of :mod:`geo.viz.reference`), ``zoom_for_bounds``;
- :mod:`~geo.viz.map.front`: the front line as of a date, its caption and key;
- :mod:`~geo.viz.map.markers`: one marker per incident, tooltips, popups, the marker legend;
- :mod:`~geo.viz.map.grid`: grid cells, the markers-or-cells rule (:func:`marker_threshold`),
  the cell legend;
- :mod:`~geo.viz.map.clicks`: what a click selected;
- :mod:`~geo.viz.map.shared`: the legend and caption box (:class:`MapControl`), script helpers,
  dates in the map's language;
- :mod:`~geo.viz.map.page`: the standalone, offline page (Leaflet inlined).

Every builder loads Leaflet from the app's own static server (``/app/static/vendor``) or,
for standalone exports, inlines it; nothing refers to a CDN. Incident and cell layers are
emitted as one compact JSON payload plus a short script instead of one folium object per
point, and all untrusted text reaches the browser only through ``textContent`` or after HTML
escaping. Every word the map shows is in the ``lang`` the builders are given.

The changing parts (front line, incidents, legend) are :class:`folium.FeatureGroup` objects
so that ``st_folium(feature_group_to_add=...)`` can swap them without rebuilding the map.
"""

from __future__ import annotations

from geo.viz.map.clicks import TOKEN_CLOSE, TOKEN_OPEN, MapClick, parse_map_click
from geo.viz.map.frame import (
    LEAFLET_CSS_URL,
    LEAFLET_JS_URL,
    NATIONAL_ZOOM,
    UKRAINE_BOUNDS,
    UKRAINE_CENTER,
    add_boundaries,
    boundaries_geojson,
    build_base_map,
    zoom_for_bounds,
)
from geo.viz.map.front import (
    CONTACT_STYLE,
    CONTESTED_STYLE,
    OCCUPIED_STYLE,
    FrontSnapshot,
    build_frontline_layer,
    front_legend_html,
    snapshot_for_date,
)
from geo.viz.map.grid import (
    BIN_COLORS,
    DEFAULT_CELL_DEG,
    DRILL_DIVISIONS,
    MARKER_THRESHOLD,
    THRESHOLD_ENV,
    GridBins,
    aggregate_grid,
    bin_color_breaks,
    bin_legend_html,
    build_bin_layer,
    marker_threshold,
)
from geo.viz.map.markers import (
    DESCRIPTION_CHARS,
    MAX_LINKS,
    TARGET_CLASSES,
    build_incident_layer,
    display_target,
    incident_rows,
    legend_html,
    marker_radius,
    target_class,
)
from geo.viz.map.page import build_standalone_html, leaflet_assets
from geo.viz.map.shared import MapControl, map_date_text

__all__ = [
    "BIN_COLORS",
    "CONTACT_STYLE",
    "CONTESTED_STYLE",
    "DEFAULT_CELL_DEG",
    "DESCRIPTION_CHARS",
    "DRILL_DIVISIONS",
    "LEAFLET_CSS_URL",
    "LEAFLET_JS_URL",
    "MARKER_THRESHOLD",
    "MAX_LINKS",
    "NATIONAL_ZOOM",
    "OCCUPIED_STYLE",
    "TARGET_CLASSES",
    "THRESHOLD_ENV",
    "TOKEN_CLOSE",
    "TOKEN_OPEN",
    "UKRAINE_BOUNDS",
    "UKRAINE_CENTER",
    "FrontSnapshot",
    "GridBins",
    "MapClick",
    "MapControl",
    "add_boundaries",
    "aggregate_grid",
    "bin_color_breaks",
    "bin_legend_html",
    "boundaries_geojson",
    "build_base_map",
    "build_bin_layer",
    "build_frontline_layer",
    "build_incident_layer",
    "build_standalone_html",
    "display_target",
    "front_legend_html",
    "incident_rows",
    "leaflet_assets",
    "legend_html",
    "map_date_text",
    "marker_radius",
    "marker_threshold",
    "parse_map_click",
    "snapshot_for_date",
    "target_class",
    "zoom_for_bounds",
]
