"""Folium map builders that work offline: oblasts, front line as of a date, incidents or bins.

Every builder loads Leaflet from the app's own static server (``/app/static/vendor``) or,
for standalone exports, inlines it; nothing refers to a CDN. Incident and bin layers are
emitted as one compact JSON payload plus a short script instead of one folium object per
point (Python-side building dominates folium's cost at scale), and all untrusted text
reaches the browser only through ``textContent`` or after HTML escaping.

The changing parts (front line, incidents, legend) are :class:`folium.FeatureGroup` objects
so that ``st_folium(feature_group_to_add=...)`` can swap them without rebuilding the map.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Element, MacroElement
from folium.template import Template

from geo.admin1 import ADMIN1, oblast_label
from geo.filters import _short_label as short_label
from geo.frontlines import snapshot_index_for_dates
from geo.fusion import describe_sources
from geo.i18n import N_, Translator, translator
from geo.taxonomy import GEO_PRECISION_WORDS, TARGET_TYPES, WEAPONS
from geo.viz.mapcore import boundaries_geojson
from geo.viz.mapcore import html_text as _html_text
from geo.viz.mapcore import js_literal as _js_literal
from geo.viz.reference import add_reference_layer
from geo.viz.standalone import find_local_asset, make_standalone_html

LEAFLET_JS_URL = "/app/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS_URL = "/app/static/vendor/leaflet/leaflet.css"

#: Incidents drawn one by one up to this many; above it the map shows grid bins.
MARKER_THRESHOLD = 3000
#: Environment variable that overrides :data:`MARKER_THRESHOLD` (screen and exports alike).
THRESHOLD_ENV = "CONFLICTMAP_MARKER_THRESHOLD"
#: Grid cell size (degrees) for the national view; about 22 km north-south.
DEFAULT_CELL_DEG = 0.2
#: Cells per side when a selected bin is subdivided.
DRILL_DIVISIONS = 8
UKRAINE_CENTER = (48.6, 31.2)
#: Zoom that shows all of Ukraine in a map about 600 px wide (zoomSnap is 0.25).
NATIONAL_ZOOM = 5.5
UKRAINE_BOUNDS = ((44.3, 22.1), (52.4, 40.3))
DESCRIPTION_CHARS = 160
MAX_LINKS = 3

#: Display classes for the primary target type, coloured with Paul Tol's "muted" palette
#: (distinguishable with the common colour-vision deficiencies); grey = other/unknown.
TARGET_CLASSES: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("residential", N_("Residential"), "#CC6677", ("residential",)),
    ("education", N_("Education"), "#332288", ("education",)),
    ("healthcare", N_("Healthcare"), "#DDCC77", ("healthcare",)),
    ("utilities", N_("Energy and water"), "#117733", ("energy", "water")),
    ("transport", N_("Transport"), "#88CCEE", ("transport",)),
    ("economic", N_("Commercial, industrial, food"), "#882255", ("commercial", "industrial", "agriculture_food")),
    ("civic", N_("Cultural, religious, government"), "#44AA99", ("cultural", "religious", "government")),
    ("humanitarian", N_("Humanitarian"), "#999933", ("humanitarian",)),
    ("military", N_("Military"), "#AA4499", ("military",)),
    ("other", N_("Other or unknown"), "#BBBBBB", ("other", "unknown")),
)
#: Sequential, colour-blind-safe classes for bin counts (ColorBrewer YlOrRd).
BIN_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")
OCCUPIED_STYLE = {"color": "#7f2704", "weight": 0.5, "fillColor": "#7f2704", "fillOpacity": 0.18, "className": "cm-occupied"}
CONTACT_STYLE = {"color": "#000000", "weight": 2.5, "opacity": 0.9, "className": "cm-contact"}
CONTESTED_STYLE = {"color": "#7f2704", "weight": 0.5, "fillColor": "#fdae6b", "fillOpacity": 0.35, "dashArray": "4 3", "className": "cm-contested"}
TOKEN_OPEN, TOKEN_CLOSE = "\u27e6", "\u27e7"

_CLASS_OF_TARGET = np.array(
    [next(i for i, (_, _, _, codes) in enumerate(TARGET_CLASSES) if code in codes) for code in TARGET_TYPES], dtype=np.int16
)


def _offline(element) -> None:
    """Point a folium element's asset lists at the app's own Leaflet and nothing else."""
    element.default_js = [("leaflet", LEAFLET_JS_URL)]
    element.default_css = [("leaflet_css", LEAFLET_CSS_URL)]


def build_base_map(
    boundaries: gpd.GeoDataFrame | None,
    tiles: str | None = None,
    attribution: str | None = None,
    simplify_deg: float = 0.01,
    reference: bool = True,
    view: tuple[tuple[float, float], float] | None = None,
    lang: str = "en",
) -> folium.Map:
    """Build the map frame: offline Leaflet, oblast outlines, scale bar, optional tiles.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame or None
        Admin-1 units (``admin1_iso``, ``admin1_name``, geometry); drawn as the basemap.
    tiles : str, optional
        Tile URL template (``https://.../{z}/{x}/{y}.png``). None (default) = no tiles and
        no third-party request.
    attribution : str, optional
        Attribution for ``tiles`` (shown escaped).
    simplify_deg : float
        Simplification tolerance for the outlines, in degrees (display only).
    reference : bool
        Draw the offline reference layer (place names, seas, countries, Dnipro).
    view : tuple, optional
        ``((lat, lon), zoom)`` to open at; default: Ukraine fitted to the map's width.
    lang : str
        Language of every word on the frame (scale bar, zoom buttons, place and oblast names).

    Returns
    -------
    folium.Map
        Map whose only external assets are :data:`LEAFLET_JS_URL` and :data:`LEAFLET_CSS_URL`.

    Raises
    ------
    ValueError
        When ``tiles`` is not an http(s) URL template.
    """
    _ = translator(lang)
    fmap = folium.Map(
        location=list(UKRAINE_CENTER),
        zoom_start=6,
        tiles=None,
        zoom_control=False,
        min_zoom=4,
        max_zoom=16,
        zoom_snap=0.25,
        zoom_delta=0.5,
    )
    _offline(fmap)
    _FocusWithoutScroll().add_to(fmap)
    _ZoomAndScale(_).add_to(fmap)
    if view is None:
        _FitUkraine().add_to(fmap)
    else:
        fmap.location = [float(view[0][0]), float(view[0][1])]
        fmap.options["zoom"] = float(view[1])
    if tiles:
        if not re.match(r"^https?://[^\s\"'<>{}%#]*(\{[sxyzr]\}[^\s\"'<>{}%#]*)+$", tiles) or "{z}" not in tiles:
            raise ValueError(_("The tile URL must start with http:// or https:// and contain {z}, {x} and {y}."))
        folium.TileLayer(tiles=tiles, attr=_html_text(attribution or _("Tiles: see provider")), name="Tiles").add_to(fmap)
    if boundaries is not None and len(boundaries):
        add_boundaries(fmap, boundaries_geojson(boundaries, simplify_deg), lang=lang)
    if reference:
        add_reference_layer(fmap, lang=lang)
    return fmap


def marker_threshold(environ=None) -> int:
    """Return how many incidents are drawn one by one before the map switches to grid cells.

    The one home of the markers-or-cells rule: the app's map, the Map page's export and
    ``python -m geo export`` all call it, so an exported map shows what the screen shows.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read :data:`THRESHOLD_ENV` from (``os.environ`` by default).

    Returns
    -------
    int
        :data:`MARKER_THRESHOLD`, or the positive integer in the environment variable.
    """
    import os

    raw = (os.environ if environ is None else environ).get(THRESHOLD_ENV, "")
    try:
        return max(1, int(str(raw).strip())) if str(raw).strip() else MARKER_THRESHOLD
    except ValueError:
        return MARKER_THRESHOLD


class _FocusWithoutScroll(MacroElement):
    """Let a press on the map focus it (for the keyboard) without scrolling the page.

    Leaflet focuses the map container on ``mousedown``; when the map is partly below the
    fold, the browser scrolls the embedding page to show it, so the release lands
    elsewhere and the first click is lost. ``focus({preventScroll: true})`` keeps the
    keyboard handler working without moving anything under the pointer.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var kb = map.keyboard;
            if (!kb || !kb._onMouseDown) { return; }
            L.DomEvent.off(map._container, "mousedown", kb._onMouseDown, kb);
            kb._onMouseDown = function() {
                if (!this._focused) { this._map._container.focus({preventScroll: true}); }
            };
            L.DomEvent.on(map._container, "mousedown", kb._onMouseDown, kb);
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "FocusWithoutScroll"


class _FitUkraine(MacroElement):
    """Fit Ukraine to the map's own width, leaving the top-left corner to the legend.

    A phone gets a smaller zoom than a laptop; on a wide map the legend (top left) sits
    over Poland and Belarus instead of over incidents or the front.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var wide = map.getSize().x >= {{ this.wide_px }};
            map.fitBounds({{ this.bounds }}, {paddingTopLeft: [wide ? {{ this.legend_px }} : 0, 0], animate: false});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, wide_px: int = 520, legend_px: int = 170):
        super().__init__()
        self._name = "FitUkraine"
        self.bounds = _js_literal([list(UKRAINE_BOUNDS[0]), list(UKRAINE_BOUNDS[1])])
        self.wide_px = int(wide_px)
        self.legend_px = int(legend_px)


class _ZoomAndScale(MacroElement):
    """Leaflet's zoom buttons and scale bar with their words in the map's language.

    Leaflet writes "Zoom in", "m" and "km" itself; the control is built here with the
    translated titles and units (miles and feet only in English).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var T = {{ this.payload }};
            L.control.zoom({zoomInTitle: T.zoomIn, zoomOutTitle: T.zoomOut}).addTo(map);
            var scale = L.control.scale({imperial: T.imperial});
            scale._updateMetric = function(maxMeters) {
                var meters = this._getRoundNum(maxMeters);
                var label = meters < 1000 ? meters + " " + T.m : (meters / 1000) + " " + T.km;
                this._updateScale(this._mScale, label, meters / maxMeters);
            };
            scale.addTo(map);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, _: Translator):
        super().__init__()
        self._name = "ZoomAndScale"
        self.payload = _js_literal({"zoomIn": _("Zoom in"), "zoomOut": _("Zoom out"), "imperial": _.lang == "en",
                                    "m": _.pgettext("unit", "m"), "km": _.pgettext("unit", "km")})


def add_boundaries(fmap: folium.Map, geojson: dict, lang: str = "en") -> folium.GeoJson:
    """Add the admin-1 outlines (from :func:`boundaries_geojson`) to ``fmap`` as the basemap.

    Parameters
    ----------
    fmap : folium.Map
        Map to draw on.
    geojson : dict
        FeatureCollection with an escaped ``label`` property.
    lang : str
        Language of the oblast names in the tooltips: a unit with a known ISO 3166-2 code is
        named in Ukrainian from :data:`geo.admin1.ADMIN1`; English keeps the layer's own names.

    Returns
    -------
    folium.GeoJson
        The layer added.
    """
    if translator(lang).lang != "en":
        geojson = {**geojson, "features": [_renamed(feature, lang) for feature in geojson["features"]]}
    layer = folium.GeoJson(
        geojson,
        name="Oblasts",
        style_function=lambda _feature: {"color": "#555555", "weight": 1, "fillColor": "#f4f1ea", "fillOpacity": 0.6},
        tooltip=folium.GeoJsonTooltip(fields=["label"], labels=False),
        control=False,
    )
    layer.add_to(fmap)
    return layer


def _renamed(feature: dict, lang: str) -> dict:
    iso = feature["properties"].get("admin1_iso")
    if iso not in ADMIN1:
        return feature
    return {**feature, "properties": {**feature["properties"], "label": _html_text(oblast_label(iso, lang))}}


@dataclass(frozen=True)
class FrontSnapshot:
    """The front-line snapshot in force on a date.

    Attributes
    ----------
    index : int
        Row of the front-line table, -1 when no snapshot precedes the date.
    snapshot_date : datetime.date or None
        Date of the snapshot.
    source : str
        Publisher of the snapshot.
    """

    index: int
    snapshot_date: dt.date | None
    source: str

    def caption(self, when: dt.date, lang: str = "en") -> str:
        """Return the plain-language caption shown on the map, in ``lang`` (plain text, not escaped)."""
        _ = translator(lang)
        if self.snapshot_date is None:
            return _("No front-line snapshot on or before {date}", date=map_date_text(when, _))
        return _("Front line as of {date} (source: {source}); map date {when}",
                 date=map_date_text(self.snapshot_date, _), source=self.source, when=map_date_text(when, _))


def map_date_text(day: dt.date, _: Translator) -> str:
    """Return a date as the map writes it: ISO 8601 in English, "1 черв. 2024 р." in Ukrainian.

    Parameters
    ----------
    day : datetime.date
        The date.
    _ : Translator
        The map's translator (:func:`geo.i18n.translator`).

    Returns
    -------
    str
        The date in the map's style for the language.
    """
    return _.date(day, "iso" if _.lang == "en" else "medium")


def snapshot_for_date(frontlines: gpd.GeoDataFrame | None, when: dt.date) -> FrontSnapshot:
    """Return the latest snapshot dated on or before ``when``.

    Parameters
    ----------
    frontlines : geopandas.GeoDataFrame or None
        Snapshots with a ``snapshot_date`` column.
    when : datetime.date
        Map date.

    Returns
    -------
    FrontSnapshot
        ``index`` -1 when there is none.
    """
    row = int(snapshot_index_for_dates(frontlines, np.array([np.datetime64(when, "D")]))[0])
    if row < 0:
        return FrontSnapshot(-1, None, "")
    dates = pd.to_datetime(frontlines["snapshot_date"]).to_numpy(dtype="datetime64[D]")
    source = str(frontlines["source"].iloc[row]) if "source" in frontlines.columns else ""
    return FrontSnapshot(row, pd.Timestamp(dates[row]).date(), source)


def build_frontline_layer(
    frontlines: gpd.GeoDataFrame | None, when: dt.date, simplify_deg: float = 0.005, lang: str = "en"
) -> tuple[folium.FeatureGroup, FrontSnapshot]:
    """Build the occupied area, contested area and line of contact as they stood on ``when``.

    Parameters
    ----------
    frontlines : geopandas.GeoDataFrame or None
        Snapshots (``snapshot_date``, ``source``, geometry = occupied area, ``contact_line``,
        ``contested``).
    when : datetime.date
        Map date.
    simplify_deg : float
        Display simplification tolerance in degrees.
    lang : str
        Language of the caption and the key.

    Returns
    -------
    folium.FeatureGroup
        The layers plus an on-map caption naming the snapshot date.
    FrontSnapshot
        Which snapshot was drawn.
    """
    group = folium.FeatureGroup(name="Front line", control=False)
    snap = snapshot_for_date(frontlines, when)
    if snap.index >= 0:
        row = frontlines.iloc[snap.index]
        for column, style in (("geometry", OCCUPIED_STYLE), ("contested", CONTESTED_STYLE), ("contact_line", CONTACT_STYLE)):
            geom = row.get(column) if column != "geometry" else frontlines.geometry.iloc[snap.index]
            if geom is None or not isinstance(geom, shapely.Geometry) or geom.is_empty:
                continue
            geom = shapely.set_precision(shapely.simplify(geom, simplify_deg, preserve_topology=True), 1e-4)
            folium.GeoJson(
                {"type": "Feature", "properties": {}, "geometry": shapely.geometry.mapping(geom)},
                style_function=lambda _f, s=style: s,
                interactive=False,
                control=False,
            ).add_to(group)
    head, body = front_legend_html(snap, when, lang)
    MapControl(body, position="bottomleft", css_class="cm-caption", width=300, summary=head).add_to(group)
    return group, snap


def _swatch(style: dict, line: bool = False) -> str:
    if line:
        return (f"<span style='display:inline-block;width:16px;height:0;border-top:{style['weight']}px solid {style['color']};"
                "margin-right:5px;vertical-align:middle'></span>")
    dash = "dashed" if style.get("dashArray") else "solid"
    return (f"<span style='display:inline-block;width:14px;height:10px;background:{style['fillColor']};"
            f"opacity:{min(1.0, style['fillOpacity'] * 2.5):.2f};border:1px {dash} {style['color']};"
            "margin-right:5px;vertical-align:middle'></span>")


def front_legend_html(snap: FrontSnapshot, when: dt.date, lang: str = "en") -> tuple[str, str]:
    """Return the front-line box: which snapshot is drawn, and what its three layers mean.

    Parameters
    ----------
    snap : FrontSnapshot
        The snapshot drawn (from :func:`snapshot_for_date`).
    when : datetime.date
        Map date.
    lang : str
        Language of the title and the key.

    Returns
    -------
    str
        The title as plain text (the caller inserts it as text).
    str
        The key to the layers as an HTML fragment (empty without a snapshot).
    """
    _ = translator(lang)
    head = snap.caption(when, lang)
    if snap.snapshot_date is None:
        return head, ""
    keys = ((_swatch(OCCUPIED_STYLE), _("Occupied area")), (_swatch(CONTESTED_STYLE), _("Contested area")),
            (_swatch(CONTACT_STYLE, line=True), _("Line of contact")))
    return head, "".join(f"<div>{swatch}{_html_text(text)}</div>" for swatch, text in keys)


class MapControl(MacroElement):
    """A Leaflet control holding app-drawn HTML, shown while its parent layer is on the map.

    Parameters
    ----------
    content_html : str
        Trusted HTML built by this module (every untrusted part already escaped).
    position : str
        Leaflet control position.
    css_class : str
        Class of the control's ``div``.
    summary : str, optional
        When given, the content folds under this title (a ``details`` element), open when
        the map is at least ``open_from_px`` wide (so a phone starts with it folded).
    width : int
        Maximum width in pixels.
    open_from_px : int
        Map width from which a foldable control starts open.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var spec = {{ this.payload }};
            var control = L.control({position: spec.position});
            control.onAdd = function(map) {
                var div = L.DomUtil.create("div", spec.cls);
                div.style.cssText = "background:rgba(255,255,255,.92);padding:4px 8px;border-radius:4px;"
                    + "font:12px/1.4 sans-serif;color:#222;box-shadow:0 1px 4px rgba(0,0,0,.3);max-width:"
                    + spec.width + "px";
                if (spec.summary) {
                    var details = L.DomUtil.create("details", "", div);
                    var summary = L.DomUtil.create("summary", "", details);
                    summary.textContent = spec.summary;
                    summary.style.cssText = "cursor:pointer;font-weight:bold";
                    var body = L.DomUtil.create("div", "", details);
                    body.innerHTML = spec.html;
                    details.open = map.getSize().x >= spec.openFrom;
                } else {
                    div.innerHTML = spec.html;
                }
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                return div;
            };
            function show() { if (parent._map && !control._map) { control.addTo(parent._map); } }
            parent.on("add", show);
            parent.on("remove", function() { control.remove(); });
            setTimeout(show, 0);
        })();
        {% endmacro %}
        """
    )

    def __init__(self, content_html: str, position: str = "topleft", css_class: str = "cm-legend",
                 summary: str | None = None, width: int = 260, open_from_px: int = 520):
        super().__init__()
        self._name = "MapControl"
        self.content_html = content_html
        self.summary = summary
        self.payload = _js_literal({"html": content_html, "position": position, "cls": css_class,
                                    "summary": summary, "width": width, "openFrom": open_from_px})


@dataclass(frozen=True)
class GridBins:
    """Incident counts and casualty sums per non-empty grid cell.

    Attributes
    ----------
    west, south, cell_deg : float
        Grid origin and cell size in degrees.
    ix, iy : numpy.ndarray
        Column and row of each non-empty cell.
    count, killed, injured : numpy.ndarray
        Incidents and reported casualties per cell.
    """

    west: float
    south: float
    cell_deg: float
    ix: np.ndarray
    iy: np.ndarray
    count: np.ndarray
    killed: np.ndarray
    injured: np.ndarray

    def cell_bounds(self, k: int) -> tuple[float, float, float, float]:
        """Return (west, south, east, north) of the ``k``-th non-empty cell."""
        w = self.west + int(self.ix[k]) * self.cell_deg
        s = self.south + int(self.iy[k]) * self.cell_deg
        return (round(w, 6), round(s, 6), round(w + self.cell_deg, 6), round(s + self.cell_deg, 6))


def aggregate_grid(
    lon: np.ndarray,
    lat: np.ndarray,
    killed: np.ndarray,
    injured: np.ndarray,
    cell_deg: float = DEFAULT_CELL_DEG,
    bounds: tuple[float, float, float, float] | None = None,
) -> GridBins:
    """Count incidents and sum casualties per square grid cell with ``numpy.bincount``.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Coordinates in degrees.
    killed, injured : numpy.ndarray
        Counts, NaN = not reported (counted as 0 in the sums).
    cell_deg : float
        Cell size in degrees.
    bounds : tuple, optional
        (west, south, east, north) of the grid; points outside are left out. Default: the
        extent of the points, snapped to multiples of ``cell_deg``.

    Returns
    -------
    GridBins
        Non-empty cells only.
    """
    ok = np.isfinite(lon) & np.isfinite(lat)
    if bounds is None:
        if not ok.any():
            return GridBins(0.0, 0.0, cell_deg, *(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0), np.zeros(0))
        west = math.floor(float(lon[ok].min()) / cell_deg) * cell_deg
        south = math.floor(float(lat[ok].min()) / cell_deg) * cell_deg
        east = float(lon[ok].max()) + cell_deg
        north = float(lat[ok].max()) + cell_deg
    else:
        west, south, east, north = bounds
    nx = max(1, math.ceil((east - west) / cell_deg - 1e-9))
    ny = max(1, math.ceil((north - south) / cell_deg - 1e-9))
    with np.errstate(invalid="ignore"):
        ix = np.floor((lon - west) / cell_deg).astype(np.int64, copy=False) if len(lon) else np.zeros(0, np.int64)
        iy = np.floor((lat - south) / cell_deg).astype(np.int64, copy=False) if len(lat) else np.zeros(0, np.int64)
    ok &= (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = iy[ok] * nx + ix[ok]
    size = nx * ny
    count = np.bincount(flat, minlength=size)
    killed_sum = np.bincount(flat, weights=np.nan_to_num(killed[ok]), minlength=size)
    injured_sum = np.bincount(flat, weights=np.nan_to_num(injured[ok]), minlength=size)
    cells = np.flatnonzero(count)
    return GridBins(
        west=float(west),
        south=float(south),
        cell_deg=float(cell_deg),
        ix=cells % nx,
        iy=cells // nx,
        count=count[cells],
        killed=killed_sum[cells].round().astype(np.int64),
        injured=injured_sum[cells].round().astype(np.int64),
    )


def bin_color_breaks(counts: np.ndarray) -> list[int]:
    """Return ascending lower bounds of the :data:`BIN_COLORS` classes (quantiles, distinct).

    Parameters
    ----------
    counts : numpy.ndarray
        Incidents per cell.

    Returns
    -------
    list of int
        Lower bound of each class; starts at 1.
    """
    if len(counts) == 0:
        return [1]
    qs = np.quantile(counts, np.linspace(0, 1, len(BIN_COLORS) + 1)[1:-1])
    return sorted({1, *(int(math.ceil(q)) for q in qs if q > 1)})


class _BinLayer(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var D = {{ this.payload }};
            {{ this.helpers }}
            D.cells.forEach(function(c) {
                var k = 0;
                while (k + 1 < D.breaks.length && c[4] >= D.breaks[k + 1]) { k++; }
                var r = L.rectangle([[c[1], c[0]], [c[3], c[2]]], {
                    color: "#444", weight: 0.6, fillColor: D.colors[k], fillOpacity: 0.75, className: "cm-bin"
                });
                var tip = D.tip.replace("{count}", function() { return num(c[4], D); })
                    .replace("{killed}", function() { return num(c[5], D); })
                    .replace("{injured}", function() { return num(c[6], D); });
                r.bindTooltip(esc(tip) + "<span style='display:none'> " + D.open + "bin:" + c.slice(0, 4).join(",")
                    + D.close + "</span>");
                parent.addLayer(r);
            });
        })();
        {% endmacro %}
        """
    )

    def __init__(self, bins: GridBins, breaks: list[int], lang: str = "en"):
        super().__init__()
        self._name = "BinLayer"
        _ = translator(lang)
        cells = [
            [*bins.cell_bounds(k), int(bins.count[k]), int(bins.killed[k]), int(bins.injured[k])] for k in range(len(bins.count))
        ]
        self.cell_count = len(cells)
        self.helpers = _JS_HELPERS
        self.payload = _js_literal(
            {"cells": cells, "breaks": breaks, "colors": list(BIN_COLORS), "open": TOKEN_OPEN, "close": TOKEN_CLOSE,
             "tip": _("{count} incidents · {killed} killed · {injured} injured (click to zoom in)"),
             **_number_symbols(_)}
        )


#: Script helpers shared by the marker and cell layers: HTML escaping and numbers written for the
#: map's language (``D.group`` and ``D.dec`` come from :func:`_number_symbols`).
_JS_HELPERS = """
            function esc(s) {
                return String(s).replace(/[&<>"']/g, function(ch) {
                    return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[ch];
                });
            }
            function num(v, D) {
                var parts = String(v).split(".");
                parts[0] = parts[0].replace(/\\B(?=(\\d{3})+(?!\\d))/g, D.group);
                return parts.join(D.dec);
            }
"""


def _number_symbols(_: Translator) -> dict[str, str]:
    """Return the digit-group and decimal signs of the translator's language (for the map's scripts)."""
    return {"group": _.number(1000)[1], "dec": _.number(0.5, 1)[1]}


class _IncidentMarkers(MacroElement):
    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var parent = {{ this._parent.get_name() }};
            var D = {{ this.payload }};
            {{ this.helpers }}
            function el(tag, text, css) {
                var e = document.createElement(tag);
                if (text !== null && text !== undefined) { e.textContent = String(text); }
                if (css) { e.style.cssText = css; }
                return e;
            }
            function names(idx, table) {
                return idx.length ? idx.map(function(i) { return table[i]; }).join(", ") : D.nr;
            }
            function count(v) { return v === null ? D.nr : num(v, D); }
            function fill(text, values) {
                return text.replace(/\\{(\\w+)\\}/g, function(all, key) { return key in values ? values[key] : all; });
            }
            function eventSources(ev) {
                var wrap = el("div", null, "margin:4px 0;border-top:1px solid #ddd;padding-top:4px");
                wrap.className = "cm-event-sources";
                wrap.appendChild(el("div", ev[0], "font-weight:bold"));
                var list = el("ul", null, "margin:2px 0;padding-left:16px");
                ev[1].forEach(function(s) {
                    var li = el("li", null, "");
                    var fig = fill(D.words.fig, {killed: count(s[1]), injured: count(s[2])});
                    if (s[3] !== null) { fig += ", " + fill(D.words.civ, {n: count(s[3])}); }
                    li.appendChild(el("span", s[0] + ": " + fig, ""));
                    if (s[5]) { li.appendChild(el("div", s[5] + (s[6] ? " (" + s[6] + ")" : ""), "color:#555")); }
                    s[4].forEach(function(u) {
                        var a = el("a", u.replace(/^https?:\\/\\//i, "").split("/")[0] || u, "margin-right:6px");
                        a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
                        li.appendChild(document.createTextNode(" ")); li.appendChild(a);
                    });
                    list.appendChild(li);
                });
                wrap.appendChild(list);
                return wrap;
            }
            function popup(r) {
                var box = el("div", null, "font:12px/1.4 sans-serif;max-width:300px");
                box.className = "cm-popup";
                box.appendChild(el("div", r[7], "font-weight:bold;font-size:13px"));
                var W = D.words;
                var rows = [[W.date, r[6]], [W.oblast, D.o[r[8]]], [W.target, names(r[9], D.t)],
                            [W.weapon, names(r[10], D.w)], [W.killed, count(r[11])], [W.injured, count(r[12])],
                            [W.front, r[13] === null ? D.na : fill(W.km, {km: num(r[13], D)})],
                            [W.precision, D.p[r[16]]]];
                var table = el("table", null, "border-collapse:collapse;margin:4px 0");
                rows.forEach(function(pair) {
                    var tr = document.createElement("tr");
                    tr.appendChild(el("th", pair[0], "text-align:left;padding-right:6px;font-weight:normal;color:#555"));
                    tr.appendChild(el("td", pair[1], ""));
                    table.appendChild(tr);
                });
                box.appendChild(table);
                if (r[14]) { box.appendChild(el("p", r[14], "margin:4px 0;white-space:pre-wrap")); }
                if (r[17] && r[17][1].length) { box.appendChild(eventSources(r[17])); }
                r[15].forEach(function(u) {
                    if (!/^https?:\\/\\//i.test(u)) { return; }
                    var a = el("a", u.replace(/^https?:\\/\\//i, "").split("/")[0] || u, "display:inline-block;margin-right:6px");
                    a.href = u; a.target = "_blank"; a.rel = "noopener noreferrer";
                    box.appendChild(a);
                });
                return box;
            }
            D.rows.forEach(function(r) {
                var color = D.colors[r[2]];
                var opts = r[4]
                    ? {radius: r[3], color: color, weight: 2, dashArray: "3 3", fill: true, fillColor: color,
                       fillOpacity: 0.08, className: "cm-incident cm-imprecise"}
                    : {radius: r[3], color: "#222", weight: 1, fillColor: color, fillOpacity: 0.85, className: "cm-incident"};
                var m = L.circleMarker([r[0], r[1]], opts);
                m.bindTooltip("<b>" + esc(r[7]) + "</b><br>" + esc(r[6]) + " \u00b7 " + esc(names(r[9], D.t))
                    + "<span style='display:none'> " + D.open + esc(r[5]) + D.close + "</span>");
                m.bindPopup(function() { return popup(r); }, {maxWidth: 320});
                parent.addLayer(m);
            });
            if (D.selected) {
                parent.addLayer(L.circleMarker([D.selected[0], D.selected[1]], {
                    radius: D.selected[2] + 5, color: "#000", weight: 3, fill: false, interactive: false,
                    className: "cm-selected"
                }));
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self, rows: list[list], tables: dict[str, list[str]], selected: list | None, lang: str = "en"):
        super().__init__()
        self._name = "IncidentMarkers"
        self.rows = rows
        self.helpers = _JS_HELPERS
        _ = translator(lang)
        words = {"date": _("Date"), "oblast": _("Oblast"), "target": _("Target"), "weapon": _("Weapon"),
                 "killed": _("Killed"), "injured": _("Injured"), "front": _("From the front"),
                 "precision": _("Location precision"), "km": _("{km} km"),
                 "fig": _("killed {killed}, injured {injured}"), "civ": _("civilians killed {n}")}
        self.payload = _js_literal(
            {
                "rows": rows,
                **tables,
                "colors": [color for _key, _label, color, _codes in TARGET_CLASSES],
                "selected": selected,
                "nr": _("not reported"),
                "na": _("not available"),
                "words": words,
                **_number_symbols(_),
                "open": TOKEN_OPEN,
                "close": TOKEN_CLOSE,
            }
        )


def marker_radius(killed: np.ndarray, injured: np.ndarray) -> np.ndarray:
    """Return marker radii in pixels: 4 px plus the square root of reported casualties, at most 18.

    Parameters
    ----------
    killed, injured : numpy.ndarray
        Counts, NaN = not reported.

    Returns
    -------
    numpy.ndarray
        float radii, rounded to 0.5 px.
    """
    total = np.nan_to_num(killed) + np.nan_to_num(injured)
    return np.round(np.minimum(4 + 1.6 * np.sqrt(total), 18) * 2) / 2


def target_class(primary_target: np.ndarray) -> np.ndarray:
    """Map primary target-type indices (into ``TARGET_TYPES``) to :data:`TARGET_CLASSES` indices.

    Parameters
    ----------
    primary_target : numpy.ndarray
        int indices into :data:`geo.taxonomy.TARGET_TYPES`.

    Returns
    -------
    numpy.ndarray
        int16 class indices.
    """
    return _CLASS_OF_TARGET[np.asarray(primary_target, dtype=np.int64)]


def incident_rows(
    incidents: pd.DataFrame, primary_target: np.ndarray | None = None, sources: list[list] | None = None,
    lang: str = "en",
) -> tuple[list[list], dict[str, list[str]]]:
    """Turn incidents into the compact marker records the incident layer draws.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents (a few thousand at most).
    primary_target : numpy.ndarray, optional
        Index of each row's first target type in ``TARGET_TYPES``; derived when omitted.
    sources : list of list, optional
        Per row, its event's records (:func:`geo.fusion.event_source_entries`); the popup
        then lists every source with its own figures and links.
    lang : str
        Language of the words in the records and tables (dates, oblast names, target and weapon
        labels, location precision, the sources sentence); data text is never translated.

    Returns
    -------
    list of list
        ``[lat, lon, class, radius, imprecise, id, date, place, oblast, targets, weapons,
        killed, injured, front_km, description, urls, precision, event]`` (``event`` is
        ``[sentence, entries]`` or None); ``oblast``,
        ``targets``, ``weapons`` and ``precision`` are indices into the lookup tables. Text
        is raw: the browser inserts it as text, never as markup.
    dict
        Lookup tables ``o`` (oblast names), ``t`` (target labels), ``w`` (weapon labels),
        ``p`` (location precisions).
    """
    n = len(incidents)
    _ = translator(lang)
    tables: dict[str, list[str]] = {
        "t": [short_label(code, TARGET_TYPES, lang) for code in TARGET_TYPES],
        "w": [short_label(code, WEAPONS, lang) for code in WEAPONS],
        "o": [],
        "p": [],
    }
    if n == 0:
        return [], tables
    codes = {code: i for i, code in enumerate(TARGET_TYPES)}
    if primary_target is None:
        primary_target = np.array(
            [codes.get(v[0], codes["other"]) if v is not None and len(v) else codes["unknown"] for v in incidents["target_types"]],
            dtype=np.int16,
        )
    killed = pd.to_numeric(incidents["killed"]).to_numpy(dtype=np.float64, na_value=np.nan)
    injured = pd.to_numeric(incidents["injured"]).to_numpy(dtype=np.float64, na_value=np.nan)
    radius = marker_radius(killed, injured)
    cls = target_class(primary_target)
    precision = incidents["geo_precision"].astype("string").fillna("unknown")
    imprecise = ~precision.isin(["exact", "near"]).to_numpy(dtype=bool)
    front = (
        pd.to_numeric(incidents["front_distance_km"]).to_numpy(dtype=np.float64, na_value=np.nan)
        if "front_distance_km" in incidents.columns
        else np.full(n, np.nan)
    )
    dates = _date_texts(incidents["date"], _)
    oblast_cat = pd.Categorical(_oblast_names(incidents, _))
    tables["o"] = [str(v) for v in oblast_cat.categories]
    oblast = oblast_cat.codes.tolist()
    precision_cat = pd.Categorical(precision)
    tables["p"] = [_(GEO_PRECISION_WORDS[v]) if v in GEO_PRECISION_WORDS else str(v) for v in precision_cat.categories]
    precision_idx = precision_cat.codes.tolist()
    target_index = {code: i for i, code in enumerate(TARGET_TYPES)}
    weapon_index = {code: i for i, code in enumerate(WEAPONS)}
    place = incidents["location"].astype("string").fillna(_("place not given")).tolist()
    ids = incidents["incident_id"].astype("string").fillna("").tolist()
    desc = incidents["description"].astype("string").fillna("").tolist()
    lat = np.round(incidents["lat"].to_numpy(dtype=np.float64), 5).tolist()
    lon = np.round(incidents["lon"].to_numpy(dtype=np.float64), 5).tolist()
    url_lists = incidents["source_urls"].tolist()
    target_lists = incidents["target_types"].tolist()
    weapon_lists = incidents["weapons"].tolist()
    killed_list = [None if math.isnan(v) else int(v) for v in killed.tolist()]
    injured_list = [None if math.isnan(v) else int(v) for v in injured.tolist()]
    front_list = [None if math.isnan(v) else round(v, 1) for v in front.tolist()]
    radius_list = radius.tolist()
    cls_list = cls.tolist()
    imprecise_list = imprecise.astype(int).tolist()
    http = re.compile(r"^https?://", re.IGNORECASE)
    rows = []
    for i in range(n):
        text = str(desc[i])
        if len(text) > DESCRIPTION_CHARS:
            text = text[: DESCRIPTION_CHARS - 1].rstrip() + "\u2026"
        listed = url_lists[i]
        urls = [str(u) for u in (listed if listed is not None else ()) if http.match(str(u))]
        rows.append(
            [
                lat[i],
                lon[i],
                cls_list[i],
                radius_list[i],
                imprecise_list[i],
                str(ids[i]),
                dates[i],
                str(place[i]),
                oblast[i],
                _indices(target_lists[i], target_index),
                _indices(weapon_lists[i], weapon_index),
                killed_list[i],
                injured_list[i],
                front_list[i],
                text,
                [u[:500] for u in urls[:MAX_LINKS]],
                precision_idx[i],
                [describe_sources(sources[i], sentence=True, lang=lang), sources[i]]
                if sources is not None and sources[i] else None,
            ]
        )
    return rows, tables


def _date_texts(values: pd.Series, _: Translator) -> list[str]:
    """Each incident's date as the map writes it (:func:`map_date_text`); each distinct date formatted once."""
    days = pd.to_datetime(values).dt.normalize()
    if _.lang == "en":
        return days.dt.strftime("%Y-%m-%d").fillna(_("date unknown")).tolist()
    shown = {day: map_date_text(day.date(), _) for day in days.dropna().unique()}
    return days.map(shown).fillna(_("date unknown")).tolist()


def _oblast_names(incidents: pd.DataFrame, _: Translator) -> pd.Series:
    """Each incident's oblast as the popup names it: the table's name in English, the Ukrainian name by code."""
    if "admin1_name" not in incidents.columns and "admin1_iso" not in incidents.columns:
        return pd.Series([_("not assigned")] * len(incidents), dtype="string")
    names = (incidents["admin1_name"].astype("string") if "admin1_name" in incidents.columns
             else pd.Series(pd.NA, index=incidents.index, dtype="string"))
    if _.lang != "en" and "admin1_iso" in incidents.columns:
        local = {iso: oblast_label(iso, _.lang) for iso in ADMIN1}
        names = incidents["admin1_iso"].map(local).astype("string").fillna(names)
    return names.fillna(_("outside the oblast layer"))


def display_target(target_lists, selected: tuple[str, ...], primary: np.ndarray) -> np.ndarray:
    """Return the target type that colours each marker: a selected one when the filter names any.

    An incident hitting a school and homes is coloured as Residential when the filter
    asks for Residential, so the legend never shows a class the filter excluded.

    Parameters
    ----------
    target_lists : sequence of list of str
        Each incident's target type codes (only the markers drawn: a few thousand at most).
    selected : tuple of str
        Target types the filter keeps (empty = all).
    primary : numpy.ndarray
        Index in ``TARGET_TYPES`` of each incident's first target type.

    Returns
    -------
    numpy.ndarray
        Index in ``TARGET_TYPES`` per incident.
    """
    out = np.asarray(primary, dtype=np.int16).copy()
    if not selected:
        return out
    index = {code: i for i, code in enumerate(TARGET_TYPES)}
    chosen = set(selected)
    for k, targets in enumerate(target_lists):
        hit = next((code for code in (targets if targets is not None else ()) if code in chosen), None)
        if hit is not None:
            out[k] = index[hit]
    return out


def _indices(codes, index: dict[str, int]) -> list[int]:
    items = list(codes) if codes is not None else []
    return [index.get(str(c), index["other"]) for c in items]


def build_incident_layer(
    incidents: pd.DataFrame | None,
    primary_target: np.ndarray | None = None,
    selected_id: str | None = None,
    rows_tables: tuple[list[list], dict[str, list[str]]] | None = None,
    lang: str = "en",
) -> folium.FeatureGroup:
    """Build one marker per incident, styled by primary target type and sized by casualties.

    Imprecise locations (area, region, unknown) are hollow with a dashed outline. Each
    marker has a tooltip ending in the incident id between ``⟦ ⟧`` (read back by
    :func:`parse_map_click`) and a popup with the incident's details.

    Parameters
    ----------
    incidents : pandas.DataFrame or None
        The incidents to draw (keep it below :data:`MARKER_THRESHOLD`); ignored when
        ``rows_tables`` is given.
    primary_target : numpy.ndarray, optional
        Index of each row's first target type in ``TARGET_TYPES``.
    selected_id : str, optional
        Incident to ring.
    rows_tables : tuple, optional
        Precomputed :func:`incident_rows` output (lets the app cache it; made in ``lang``).
    lang : str
        Language of the legend, tooltips and popups.

    Returns
    -------
    folium.FeatureGroup
        The markers and the legend.
    """
    group = folium.FeatureGroup(name="Incidents", control=False)
    rows, tables = rows_tables if rows_tables is not None else incident_rows(incidents, primary_target, lang=lang)
    selected = next(([r[0], r[1], r[3]] for r in rows if r[5] == selected_id), None) if selected_id else None
    _IncidentMarkers(rows, tables, selected, lang).add_to(group)
    present = sorted({r[2] for r in rows})
    _ = translator(lang)
    MapControl(legend_html(present, len(rows), lang), summary=_("Legend")).add_to(group)
    return group


def build_bin_layer(bins: GridBins, note: str = "", lang: str = "en") -> folium.FeatureGroup:
    """Build the aggregated view: one rectangle per non-empty grid cell, coloured by count.

    Parameters
    ----------
    bins : GridBins
        From :func:`aggregate_grid`.
    note : str
        Extra legend line (plain text in ``lang``, escaped here).
    lang : str
        Language of the legend and the tooltips.

    Returns
    -------
    folium.FeatureGroup
        The cells and their legend.
    """
    group = folium.FeatureGroup(name="Incident bins", control=False)
    breaks = bin_color_breaks(bins.count)
    _BinLayer(bins, breaks, lang).add_to(group)
    _ = translator(lang)
    MapControl(bin_legend_html(breaks, bins, note, lang), summary=_("Legend")).add_to(group)
    return group


def legend_html(classes_present: list[int] | None = None, n_markers: int | None = None, lang: str = "en") -> str:
    """Return the marker legend as HTML (colour per target class, size, precision).

    Parameters
    ----------
    classes_present : list of int, optional
        Indices into :data:`TARGET_CLASSES` to list; all when None.
    n_markers : int, optional
        Number of markers drawn, shown in the title.
    lang : str
        Language of the legend.

    Returns
    -------
    str
        HTML fragment; contains no untrusted text.
    """
    _ = translator(lang)
    indices = range(len(TARGET_CLASSES)) if classes_present is None else classes_present
    title = (_("Primary target") if n_markers is None
             else _.ngettext("Primary target ({n} incident)", "Primary target ({n} incidents)", n_markers))
    lines = [f"<div style='font-weight:bold'>{html.escape(title)}</div>"]
    for i in indices:
        label, color = _(TARGET_CLASSES[i][1]), TARGET_CLASSES[i][2]
        lines.append(
            f"<div><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
            f"background:{color};border:1px solid #222;margin-right:5px;vertical-align:middle'></span>{html.escape(label)}</div>"
        )
    hollow, size = html.escape(_("Hollow: approximate location")), html.escape(_("Size: killed + injured (reported)"))
    lines.append(
        "<div style='margin-top:3px'><span style='display:inline-block;width:11px;height:11px;border-radius:50%;"
        f"border:2px dashed #555;margin-right:5px;vertical-align:middle'></span>{hollow}</div>"
        f"<div>{size}</div>"
    )
    return "".join(lines)


def bin_legend_html(breaks: list[int], bins: GridBins, note: str = "", lang: str = "en") -> str:
    """Return the legend of the aggregated view as HTML.

    Parameters
    ----------
    breaks : list of int
        Lower bounds of the colour classes.
    bins : GridBins
        The cells drawn.
    note : str
        Extra line (plain text; escaped here).
    lang : str
        Language of the legend.

    Returns
    -------
    str
        HTML fragment.
    """
    _ = translator(lang)
    title = _.ngettext("Incidents per cell ({count} in {n} cell, about {km} km north-south)",
                       "Incidents per cell ({count} in {n} cells, about {km} km north-south)",
                       len(bins.count), count=int(bins.count.sum()), km=round(bins.cell_deg * 111.0))
    lines = [f"<div style='font-weight:bold'>{_html_text(title)}</div>"]
    for k, low in enumerate(breaks):
        high = breaks[k + 1] - 1 if k + 1 < len(breaks) else None
        if high == low:
            text = _.number(low)
        elif high is not None:
            text = f"{_.number(low)}\u2013{_.number(high)}"
        else:
            text = _("{n} or more", n=low)
        lines.append(
            f"<div><span style='display:inline-block;width:14px;height:10px;background:{BIN_COLORS[k]};"
            f"border:1px solid #444;margin-right:5px'></span>{_html_text(text)}</div>"
        )
    click = _("Click a cell to zoom in.")
    lines.append(f"<div>{_html_text(click)}</div>")
    if note:
        lines.append(f"<div>{_html_text(note)}</div>")
    return "".join(lines)


@dataclass(frozen=True)
class MapClick:
    """What a click on the map selected.

    Attributes
    ----------
    kind : str
        ``"incident"`` or ``"bin"``.
    value : str or tuple of float
        Incident id, or the cell's (west, south, east, north).
    """

    kind: str
    value: object


def parse_map_click(returned: dict | None, known_ids=None) -> MapClick | None:
    """Read what was clicked from an ``st_folium`` return value.

    Parameters
    ----------
    returned : dict or None
        The component's value; only ``last_object_clicked_tooltip`` is read.
    known_ids : container of str, optional
        Valid incident ids; when given, a token naming another id is ignored.

    Returns
    -------
    MapClick or None
        None when nothing selectable was clicked.
    """
    if not isinstance(returned, dict):
        return None
    text = returned.get("last_object_clicked_tooltip")
    if not isinstance(text, str):
        return None
    text = text.strip()
    if not text.endswith(TOKEN_CLOSE):
        return None
    body = text[: -len(TOKEN_CLOSE)]
    starts = [m.start() for m in re.finditer(re.escape(TOKEN_OPEN), body)]
    for start in starts:
        token = body[start + len(TOKEN_OPEN) :]
        if token.startswith("bin:"):
            try:
                west, south, east, north = (float(v) for v in token[4:].split(","))
            except ValueError:
                continue
            if all(math.isfinite(v) for v in (west, south, east, north)) and west < east and south < north:
                return MapClick("bin", (west, south, east, north))
            continue
        if token and (known_ids is None or token in known_ids):
            return MapClick("incident", token)
    return None


def zoom_for_bounds(bounds: tuple[float, float, float, float]) -> int:
    """Return a Leaflet zoom level that shows ``bounds`` (west, south, east, north) in ~700 px.

    Parameters
    ----------
    bounds : tuple of float
        Extent in degrees.

    Returns
    -------
    int
        Zoom between 5 and 14.
    """
    span = max(bounds[2] - bounds[0], (bounds[3] - bounds[1]) * 1.5, 1e-6)
    return int(min(14, max(5, math.floor(math.log2(700 / 256 * 360 / span)))))


def leaflet_assets() -> tuple[str, str]:
    """Return Leaflet's JavaScript and CSS text from the app's vendored copy.

    The files are found by the inliner's rule (:func:`geo.viz.standalone.find_local_asset`).

    Returns
    -------
    tuple of str
        ``(js, css)``.

    Raises
    ------
    FileNotFoundError
        When neither ``static/vendor/leaflet`` nor ``node_modules/leaflet/dist`` exists
        (run ``bash scripts/setup.sh``).
    """
    js, css = find_local_asset(LEAFLET_JS_URL), find_local_asset(LEAFLET_CSS_URL)
    if js is None or css is None:
        raise FileNotFoundError("Leaflet is not installed: run `bash scripts/setup.sh` (it copies Leaflet into static/vendor).")
    return js.read_text(encoding="utf-8"), css.read_text(encoding="utf-8")


def build_standalone_html(
    fmap: folium.Map, layers: list[folium.FeatureGroup] | None = None, title: str = "conflictmap", footer_html: str = "",
    header_html: str = "", lang: str = "en",
) -> str:
    """Render a map with its layers as one self-contained, offline HTML page (Leaflet inlined).

    Parameters
    ----------
    fmap : folium.Map
        From :func:`build_base_map`; it is modified (layers added, assets inlined).
    layers : list of folium.FeatureGroup, optional
        From :func:`build_frontline_layer`, :func:`build_incident_layer`, :func:`build_bin_layer`.
    title : str
        Page title (escaped).
    footer_html : str
        Trusted HTML shown below the map (e.g. credits already escaped by the caller).
    header_html : str
        Trusted HTML shown above the map (title, filters in words).
    lang : str
        Language of the page, written in its ``lang`` attribute (for screen readers).

    Returns
    -------
    str
        A complete HTML document that makes no network request: every script and stylesheet
        is inlined by :func:`geo.viz.standalone.make_standalone_html`.

    Raises
    ------
    FileNotFoundError
        When a script or stylesheet of the page has no local copy (run ``bash scripts/setup.sh``).
    """
    for layer in layers or []:
        layer.add_to(fmap)
    fmap.default_js = [("leaflet", LEAFLET_JS_URL)]
    fmap.default_css = [("leaflet_css", LEAFLET_CSS_URL)]
    root = fmap.get_root()
    root.header.add_child(_RawHtml(f"<title>{html.escape(title)}</title>"), name="cm_title")
    if header_html:
        root.html.add_child(_RawHtml(f"<div class='cm-header'>{header_html}</div>"))
    if footer_html:
        root.html.add_child(_RawHtml(f"<div class='cm-footer'>{footer_html}</div>"))
    # One frame: header, map and footer share the viewport, so a screenshot of it holds all three.
    root.header.add_child(_RawHtml(
        "<style>html,body{height:100%;margin:0}body{display:flex;flex-direction:column;background:#fff}"
        ".folium-map{order:1;flex:1 1 auto;height:auto!important;min-height:0}"
        ".leaflet-control-zoom{display:none}"
        ".cm-header{order:0;font:14px/1.35 sans-serif;color:#222;padding:8px 12px 6px}"
        ".cm-header h1{font-size:20px;margin:0 0 2px}"
        ".cm-footer{order:2;font:11px/1.35 sans-serif;color:#333;padding:5px 12px 7px;border-top:1px solid #ddd}</style>"
    ), name="cm_layout")
    page, dropped = make_standalone_html(root.render().replace("<html>", f'<html lang="{translator(lang).lang}">', 1))
    if dropped:
        raise FileNotFoundError(f"the map page references assets with no local copy: {dropped[:3]}; "
                                "run `bash scripts/setup.sh` (it copies Leaflet into static/vendor).")
    return page


class _RawHtml(Element):
    """Prebuilt HTML inserted verbatim.

    ``branca.element.Element(text)`` compiles ``text`` as a Jinja2 template, so data in it
    (``{{ ... }}`` in a search text or source name) would be evaluated on the server.
    Here the text is a template *variable*, which Jinja2 never evaluates.
    """

    def __init__(self, content: str):
        super().__init__("{{ this.content }}")
        self.content = content
