"""The front-line layer: occupied area, contested area and line of contact as they stood on a date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.frontlines import snapshot_index_for_dates
from geo.i18n import translator
from geo.viz.map.shared import MapControl, map_date_text
from geo.viz.mapcore import html_text as _html_text

OCCUPIED_STYLE = {"color": "#7f2704", "weight": 0.5, "fillColor": "#7f2704", "fillOpacity": 0.18, "className": "cm-occupied"}
CONTACT_STYLE = {"color": "#000000", "weight": 2.5, "opacity": 0.9, "className": "cm-contact"}
CONTESTED_STYLE = {"color": "#7f2704", "weight": 0.5, "fillColor": "#fdae6b", "fillOpacity": 0.35, "dashArray": "4 3", "className": "cm-contested"}


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
    loaded : bool
        Whether any snapshot is loaded at all (the bundled default data has none: no front line
        can be bundled under an open licence).
    """

    index: int
    snapshot_date: dt.date | None
    source: str
    loaded: bool = True

    def caption(self, when: dt.date, lang: str = "en") -> str:
        """Return the plain-language caption shown on the map, in ``lang`` (plain text, not escaped)."""
        _ = translator(lang)
        if not self.loaded:
            return _("No front line loaded")
        if self.snapshot_date is None:
            return _("No front-line snapshot on or before {date}", date=map_date_text(when, _))
        return _("Front line as of {date} (source: {source}); map date {when}",
                 date=map_date_text(self.snapshot_date, _), source=self.source, when=map_date_text(when, _))


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
        return FrontSnapshot(-1, None, "", loaded=frontlines is not None and len(frontlines) > 0)
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
