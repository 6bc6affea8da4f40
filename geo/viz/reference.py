"""Reference layers a reader needs to find places without a tile server.

Place names come from :mod:`geo.places` (GeoNames, CC BY 4.0, read in place). The sea and country label positions and the schematic
course of the Dnipro are facts authored by the project (see data/README.md): the river
is a line through the GeoNames coordinates of towns on its banks, good for orientation
at national scale, not for measuring.

In Ukrainian the labels are the places' Ukrainian names: GeoNames' Ukrainian spelling
(``name_uk``), corrected where GeoNames has none or gives the Russian one, and the names
of the river, seas and countries, from ``data/reference/names_uk.csv`` (authored by the
project, keyed by the feature ids below: ``river:dnipro``, ``sea:<id>``, ``country:<ISO>``,
``place:<geonameid>``).

The layer is drawn in the browser as one JSON payload: labels are added or removed as
the zoom changes (oblast centres always, larger towns as one zooms in), all on panes
that never take a click.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

import folium
import numpy as np
import pandas as pd
from branca.element import MacroElement
from folium.template import Template

from geo.i18n import normalise_language
from geo.places import load_places
from geo.viz.mapcore import html_text, js_literal

#: Seas and neighbouring countries: (id, English label, lat, lon), placed where the national view
#: shows them. Country labels are drawn in capitals.
SEAS = (("black_sea", "Black Sea", 43.9, 32.2), ("azov_sea", "Sea of Azov", 46.2, 36.75))
COUNTRIES = (
    ("PL", "Poland", 51.2, 22.3), ("BY", "Belarus", 52.0, 27.3), ("RU", "Russia", 51.6, 38.2),
    ("MD", "Moldova", 47.4, 28.4), ("RO", "Romania", 45.6, 26.3), ("SK", "Slovakia", 48.85, 21.4),
    ("HU", "Hungary", 47.95, 21.45),
)
RIVER_ID, RIVER_NAME = "river:dnipro", "Dnipro"
#: Ukrainian names of the reference features, authored by the project (see the module docstring).
NAMES_UK_FILE = Path(__file__).resolve().parents[2] / "data" / "reference" / "names_uk.csv"
#: The Dnipro from Vyshhorod to its estuary, through riverside towns (lat, lon; GeoNames coordinates).
DNIPRO = (
    (50.58, 30.49), (50.45, 30.55), (50.12, 30.70), (49.97, 31.04), (49.75, 31.47), (49.44, 32.06),
    (49.20, 32.70), (49.06, 33.25), (49.06, 33.40), (49.01, 33.63), (48.70, 34.20), (48.52, 34.61),
    (48.47, 35.04), (47.84, 35.14), (47.57, 34.90), (47.52, 34.50), (47.10, 33.95), (46.76, 33.36),
    (46.64, 32.61), (46.56, 32.30),
)
#: (minimum population, zoom from which the label shows); oblast centres show at every zoom.
PLACE_TIERS = ((100_000, 6.75), (30_000, 8.0), (5_000, 9.5))
#: A place closer than this (degrees) to a more populous one is a district of it, not a town.
DISTRICT_RADIUS_DEG = 0.09
def label_places(places: pd.DataFrame) -> pd.DataFrame:
    """Choose the places to label and the zoom from which each shows.

    Oblast centres always show; other places by :data:`PLACE_TIERS`. A place within
    :data:`DISTRICT_RADIUS_DEG` of a more populous one (GeoNames lists city districts as
    places) is left out.

    Parameters
    ----------
    places : pandas.DataFrame
        From :func:`load_places` (most populous first).

    Returns
    -------
    pandas.DataFrame
        ``name, lat, lon, population, centre_of, min_zoom`` (and ``geonameid``, ``name_uk`` when
        ``places`` has them).
    """
    columns = [c for c in ("geonameid", "name", "name_uk", "lat", "lon", "population", "centre_of") if c in places.columns]
    if places.empty:
        return places.assign(min_zoom=pd.Series(dtype=float))[[*columns, "min_zoom"]]
    lat = places["lat"].to_numpy()
    lon = places["lon"].to_numpy()
    centre = places["centre_of"].notna().to_numpy()
    near = (np.abs(lat[:, None] - lat[None, :]) < DISTRICT_RADIUS_DEG) & (np.abs(lon[:, None] - lon[None, :]) < DISTRICT_RADIUS_DEG * 1.5)
    bigger_before = np.tril(near, k=-1).any(axis=1)
    keep = centre | ~bigger_before
    population = places["population"].to_numpy()
    min_zoom = np.full(len(places), np.inf)
    for low, zoom in reversed(PLACE_TIERS):
        min_zoom[population >= low] = zoom
    min_zoom[centre] = 0.0
    keep &= np.isfinite(min_zoom)
    out = places.loc[keep, columns].copy()
    out["min_zoom"] = min_zoom[keep]
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class ReferencePayload:
    """Everything the reference layer draws, as plain lists (see :func:`reference_payload`)."""

    places: list[list]
    water: list[list]
    countries: list[list]
    river: list[list[float]]


    river_label: str = RIVER_NAME


@functools.lru_cache(maxsize=1)
def names_uk() -> dict[str, str]:
    """Return the project's Ukrainian names of reference features, keyed by feature id.

    Returns
    -------
    dict
        ``{"river:dnipro": "Дніпро", "sea:black_sea": "Чорне море", "country:PL": "Польща",
        "place:706369": "Хмельницький", ...}`` from :data:`NAMES_UK_FILE`.
    """
    with NAMES_UK_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["id"].strip(): row["name_uk"].strip() for row in csv.DictReader(handle) if row.get("name_uk")}


def place_names(labelled: pd.DataFrame, lang: str = "en") -> list[str]:
    """Return the label of each place in ``lang`` (unescaped).

    Parameters
    ----------
    labelled : pandas.DataFrame
        From :func:`label_places`.
    lang : str
        ``"uk"``: the project's name (:func:`names_uk`), else GeoNames' Ukrainian spelling, else
        the English name; any other language: the English name.

    Returns
    -------
    list of str
        One name per row.
    """
    names = labelled["name"].astype(str).tolist()
    if normalise_language(lang) != "uk" or "name_uk" not in labelled.columns:
        return names
    own = names_uk()
    ids = labelled["geonameid"].tolist() if "geonameid" in labelled.columns else [None] * len(names)
    return [own.get(f"place:{ident}") or (uk if isinstance(uk, str) and uk else name)
            for ident, uk, name in zip(ids, labelled["name_uk"], names, strict=True)]


@functools.lru_cache(maxsize=4)
def reference_payload(lang: str = "en") -> ReferencePayload:
    """Return the reference layer's content: labelled places, seas, countries, the Dnipro.

    Parameters
    ----------
    lang : str
        Language of the labels (``"uk"`` or English).

    Returns
    -------
    ReferencePayload
        ``places`` rows are ``[lat, lon, escaped label, min zoom, is oblast centre]``.
    """
    uk = normalise_language(lang) == "uk"
    own = names_uk() if uk else {}
    labelled = label_places(load_places())
    places = [
        [round(float(r.lat), 4), round(float(r.lon), 4), html_text(name), float(r.min_zoom), int(r.centre_of is not None)]
        for r, name in zip(labelled.itertuples(index=False), place_names(labelled, lang), strict=True)
    ]
    water = [[lat, lon, html_text(own.get(f"sea:{ident}", name))] for ident, name, lat, lon in SEAS]
    countries = [[lat, lon, html_text(own.get(f"country:{ident}", name).upper())] for ident, name, lat, lon in COUNTRIES]
    return ReferencePayload(places, water, countries, [list(p) for p in DNIPRO],
                            html_text(own.get(RIVER_ID, RIVER_NAME)))


class ReferenceLayer(MacroElement):
    """Place names, seas, neighbouring countries and the Dnipro, drawn offline under the data.

    Labels live on a pane that ignores the pointer, so they never take a click meant for
    an incident; place labels are shown or hidden by zoom (``min_zoom`` per place).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            var D = {{ this.payload }};
            function pane(name, z) {
                var p = map.getPane(name) || map.createPane(name);
                p.style.zIndex = z; p.style.pointerEvents = "none";
                return name;
            }
            var water = pane("cm-water", 350), labels = pane("cm-labels", 450);
            var halo = "text-shadow:0 0 2px #fff,0 0 2px #fff,0 0 3px #fff;white-space:nowrap;";
            L.polyline(D.river, {pane: water, color: "#6f9fd8", weight: 2.5, opacity: 0.9, interactive: false,
                                 className: "cm-river"}).addTo(map);
            function label(lat, lon, html, css, cls, anchor) {
                return L.marker([lat, lon], {pane: labels, interactive: false, keyboard: false,
                    icon: L.divIcon({className: "cm-label " + cls, iconSize: null, iconAnchor: anchor,
                                     html: "<span style='" + halo + css + "'>" + html + "</span>"})});
            }
            var mid = D.river[Math.floor(D.river.length * 0.35)];
            label(mid[0], mid[1], D.riverLabel, "font:italic 11px sans-serif;color:#3b6fb6", "cm-label-water", [-6, 4]).addTo(map);
            D.water.forEach(function(w) {
                label(w[0], w[1], w[2], "font:italic 13px sans-serif;color:#3b6fb6;letter-spacing:1px", "cm-label-water", [30, 8]).addTo(map);
            });
            D.countries.forEach(function(c) {
                label(c[0], c[1], c[2], "font:600 11px sans-serif;color:#8a8a8a;letter-spacing:2px", "cm-label-country", [25, 7]).addTo(map);
            });
            var tiers = D.places.map(function(p) {
                var css = p[4] ? "font:600 11px sans-serif;color:#222" : "font:10px sans-serif;color:#333";
                var dot = L.circleMarker([p[0], p[1]], {pane: labels, radius: p[4] ? 2.5 : 1.8, color: "#222", weight: 1,
                    fillColor: "#fff", fillOpacity: 1, interactive: false, className: "cm-place-dot"});
                return [p[3], label(p[0], p[1], p[2], css, "cm-label-place", [-4, 7]), dot];
            });
            function update() {
                var z = map.getZoom();
                tiers.forEach(function(t) {
                    var on = z >= t[0];
                    [t[1], t[2]].forEach(function(layer) {
                        if (on && !map.hasLayer(layer)) { layer.addTo(map); }
                        if (!on && map.hasLayer(layer)) { map.removeLayer(layer); }
                    });
                });
            }
            map.on("zoomend", update);
            update();
        })();
        {% endmacro %}
        """
    )

    def __init__(self, payload: ReferencePayload | None = None, lang: str = "en"):
        super().__init__()
        self._name = "ReferenceLayer"
        data = payload or reference_payload(normalise_language(lang) or "en")
        self.place_count = len(data.places)
        self.payload = js_literal({"places": data.places, "water": data.water, "countries": data.countries,
                                   "river": data.river, "riverLabel": data.river_label})


def add_reference_layer(fmap: folium.Map, lang: str = "en") -> ReferenceLayer:
    """Add the offline reference layer (places, seas, countries, Dnipro) to ``fmap``.

    Parameters
    ----------
    fmap : folium.Map
        Map to draw on.
    lang : str
        Language of the labels.

    Returns
    -------
    ReferenceLayer
        The element added.
    """
    layer = ReferenceLayer(lang=lang)
    layer.add_to(fmap)
    return layer
