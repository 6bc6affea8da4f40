"""What every map shares: text made safe for the browser and folium's templates, the oblast outlines."""

from __future__ import annotations

import html
import json
import re

import shapely


def js_literal(value) -> str:
    """Return ``value`` as JSON safe to embed in a script and immune to template rewriting.

    ``<``, ``>``, ``&`` and quotes cannot close a script element or start markup, U+2028/9
    cannot end a JS line, ``_`` is escaped so that streamlit-folium's renaming of folium
    variable suffixes never touches data, and a ``{`` inside a string is escaped because
    branca compiles every rendered script again as a Jinja template (``{{ 7*7 }}`` in a
    description would otherwise be evaluated). Structural ``{`` is always followed by ``"``
    or ``}``; inside a JSON string a ``"`` is always escaped, so the two never mix.
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    text = re.sub(r'\{(?!["}])', r"\\u007b", text)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("'", "\\u0027"),
        ("_", "\\u005f"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return text


def html_text(text) -> str:
    """Escape text for HTML and against Jinja re-rendering (see :func:`js_literal`)."""
    return html.escape(str(text)).replace("{", "&#123;").replace("}", "&#125;")


def boundaries_geojson(boundaries, simplify_deg: float = 0.01, escape: bool = True) -> dict:
    """Return the admin-1 layer as a small GeoJSON dict: the one outline rule of every map.

    The Leaflet map (:func:`geo.viz.map.build_base_map`) and the plotly choropleth
    (:func:`geo.viz.charts.build_oblast_choropleth`) draw the same outlines from this.

    Parameters
    ----------
    boundaries : geopandas.GeoDataFrame
        Admin-1 units (``admin1_iso``, ``admin1_name``, geometry in EPSG:4326).
    simplify_deg : float
        Douglas-Peucker tolerance in degrees (0 = none); 0.01° is about 1 km, under a pixel
        at the national zoom.
    escape : bool
        Escape the properties with :func:`html_text` (for folium, whose templates are
        rendered again); False keeps the raw codes a plotly ``featureidkey`` must match.

    Returns
    -------
    dict
        FeatureCollection with ``admin1_iso`` and ``label`` (the unit's name) properties;
        coordinates rounded to 1e-4 degrees; polygon exteriors clockwise, as d3-geo (plotly)
        needs (Leaflet draws either way); units with no geometry left out.
    """
    geoms = boundaries.geometry.to_numpy()
    if simplify_deg:
        geoms = shapely.simplify(geoms, simplify_deg, preserve_topology=True)
    geoms = shapely.set_precision(geoms, 1e-4)
    # d3-geo reads rings by spherical winding: a counter-clockwise exterior (RFC 7946) fills
    # the whole globe but the unit. Oriented after rounding, which may rebuild rings.
    geoms = shapely.orient_polygons(geoms, exterior_cw=True)
    text = html_text if escape else str
    features = []
    for iso, name, geom in zip(boundaries["admin1_iso"], boundaries["admin1_name"], geoms, strict=True):
        if geom is None or geom.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"admin1_iso": text(iso), "label": text(name)},
                "geometry": shapely.geometry.mapping(geom),
            }
        )
    return {"type": "FeatureCollection", "features": features}
