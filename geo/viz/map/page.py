"""The standalone, offline map page: Leaflet inlined, header and footer in one frame."""

from __future__ import annotations

import html

import folium
from branca.element import Element

from geo.i18n import translator
from geo.viz.map.frame import LEAFLET_CSS_URL, LEAFLET_JS_URL, use_local_leaflet
from geo.viz.standalone import find_local_asset, make_standalone_html


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
    use_local_leaflet(fmap)
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
