"""The map frame: offline Leaflet, oblast outlines, zoom buttons and scale bar, the reference layer.

Leaflet is loaded from the app's own static server (``/app/static/vendor``), never a CDN;
the zoom buttons, the scale bar and the oblast tooltips speak the map's language.
"""

from __future__ import annotations

import math
import re

import folium
import geopandas as gpd
from branca.element import MacroElement
from folium.template import Template

from geo.admin1 import ADMIN1, oblast_label
from geo.i18n import Translator, translator
from geo.viz.map.shared import LEGEND_FOLDED_PX, LEGEND_MARGIN_PX, LEGEND_OPEN_FROM_PX, LEGEND_WIDTH_PX
from geo.viz.mapcore import boundaries_geojson
from geo.viz.mapcore import html_text as _html_text
from geo.viz.mapcore import js_literal as _js_literal
from geo.viz.reference import add_reference_layer

LEAFLET_JS_URL = "/app/static/vendor/leaflet/leaflet.js"
LEAFLET_CSS_URL = "/app/static/vendor/leaflet/leaflet.css"
UKRAINE_CENTER = (48.6, 31.2)
#: Zoom that shows all of Ukraine in a map about 600 px wide (zoomSnap is 0.25).
NATIONAL_ZOOM = 5.5
UKRAINE_BOUNDS = ((44.3, 22.1), (52.4, 40.3))


def use_local_leaflet(element) -> None:
    """Point a folium element's asset lists at the app's own Leaflet and nothing else.

    Parameters
    ----------
    element : folium.Map or branca element
        The map (or element) whose ``default_js``/``default_css`` are replaced.
    """
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
    use_local_leaflet(fmap)
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

    A phone gets a smaller zoom than a laptop. The legend (top left) is open on a map at
    least :data:`LEGEND_OPEN_FROM_PX` wide: Ukraine is fitted to the width right of the
    legend's greatest width, so the legend sits over Poland and Belarus, never over Volyn,
    Lviv or Zakarpattia, in either language. A narrower map starts with the legend folded
    and leaves room for the folded box only; a phone leaves none.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var width = map.getSize().x;
            var pad = width >= {{ this.open_px }} ? {{ this.legend_px }} : (width >= {{ this.narrow_px }} ? {{ this.folded_px }} : 0);
            map.fitBounds({{ this.bounds }}, {paddingTopLeft: [pad, 0], animate: false});
        })();
        {% endmacro %}
        """
    )

    def __init__(self, narrow_px: int = 520):
        super().__init__()
        self._name = "FitUkraine"
        self.bounds = _js_literal([list(UKRAINE_BOUNDS[0]), list(UKRAINE_BOUNDS[1])])
        self.open_px = LEGEND_OPEN_FROM_PX
        self.legend_px = LEGEND_WIDTH_PX + LEGEND_MARGIN_PX
        self.folded_px = LEGEND_FOLDED_PX
        self.narrow_px = int(narrow_px)


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
        style_function=lambda _feature: {"color": "#555555", "weight": 1, "fillColor": "#f4f1ea", "fillOpacity": 0.6,
                                        "className": "cm-oblast"},
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
