"""The publishable offline map page of a view and its PNG snapshot.

The map is drawn with the builders of :mod:`geo.viz.map` (the same layers and the
same markers-or-cells rule as the app), framed by a header (title, filters, data
date) and a footer (credits, licences), inlined for offline use
(:mod:`geo.exports.standalone`) and photographed by the export engine.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from geo.exports.context import ExportContext, ExportError, caption_lines
from geo.exports.engine import EXPORT_SCALE, ExportEngine, get_export_engine
from geo.i18n import N_, normalise_language, translator

MAP_CREDIT = N_("Place names: GeoNames (CC BY 4.0). Reference layers drawn offline; no basemap service.")
#: Default headline of a map page (translated where the page is built).
MAP_TITLE = N_("conflictmap: incidents")
#: Viewport of the publishable map snapshot, in CSS pixels (the PNG is twice as large).
MAP_PAGE_SIZE = (1200, 860)


def snapshot_map_html(
    path: Path,
    engine: ExportEngine | None = None,
    width: int = 1200,
    height: int = 860,
    scale: float = EXPORT_SCALE,
) -> bytes:
    """Render a standalone map page to PNG with headless Chromium (blocking).

    Parameters
    ----------
    path : Path
        A standalone map page (:func:`compose_map_page`, :func:`build_map_page`).
    engine : ExportEngine, optional
        Engine (process-wide by default).
    width, height : int
        Viewport in CSS pixels.
    scale : float
        Device pixel ratio.

    Returns
    -------
    bytes
        PNG image.

    Raises
    ------
    ExportError
        When the page tried to reach the network (it would not be offline).
    """
    png, blocked = (engine or get_export_engine()).snapshot_html(path, width, height, scale).result()
    if blocked:
        raise ExportError(N_("the map page tried to load external resources: {addresses}"),
                          addresses=str(blocked[:3]))
    return png


def map_language(context: ExportContext, lang: str | None = None) -> str:
    """Return the language of a map page: ``lang`` when given, else the context's, else English.

    Parameters
    ----------
    context : ExportContext
        View and provenance (its ``lang``, when it has one, is the export's language).
    lang : str, optional
        Explicit language.

    Returns
    -------
    str
        A key of :data:`geo.i18n.LANGUAGES`.
    """
    return normalise_language(lang) or normalise_language(getattr(context, "lang", None)) or "en"


def map_header_html(title: str, context: ExportContext, subtitle: str = "", lang: str | None = None) -> str:
    """Return the escaped header of a publishable map: title, filters in words, data date.

    Parameters
    ----------
    title : str
        Headline.
    context : ExportContext
        View and provenance.
    subtitle : str
        Extra line (e.g. how many incidents are drawn).
    lang : str, optional
        Language of the words (default: :func:`map_language`).

    Returns
    -------
    str
        HTML fragment, every text escaped.
    """
    from geo.viz.map import map_date_text

    _ = translator(map_language(context, lang))
    lines = [f"<h1>{html.escape(title, quote=False)}</h1>"]
    if subtitle:
        lines.append(f"<div>{html.escape(subtitle, quote=False)}</div>")
    try:
        data_date = map_date_text(dt.date.fromisoformat(str(context.data_date)[:10]), _)
    except ValueError:
        data_date = str(context.data_date)
    line = _("Filters: {filters} · Data as of {date}",
             filters=context.filters_description or _("none (all incidents)"), date=data_date)
    lines.append(f"<div>{html.escape(line, quote=False)}</div>")
    return "".join(lines)


def compose_map_page(
    fmap: Any,
    layers: Sequence[Any],
    context: ExportContext,
    title: str | None = None,
    subtitle: str = "",
    lang: str | None = None,
) -> str:
    """Turn a built map and its layers into one offline, publishable HTML page.

    The page is a single frame (header, map, footer) sized to the viewport, so a
    screenshot of it at :data:`MAP_PAGE_SIZE` holds the title, the legend, the scale
    bar, the front-line box and the credits.

    Parameters
    ----------
    fmap : folium.Map
        From :func:`geo.viz.map.build_base_map` (modified).
    layers : sequence of folium.FeatureGroup
        The same layers the screen shows.
    context : ExportContext
        View and provenance (header and footer).
    title, subtitle : str
        Headline (default: :data:`MAP_TITLE` in the page's language) and an extra header line
        (plain text).
    lang : str, optional
        Language of the page's own words (default: :func:`map_language`); the layers are
        built in it by the caller.

    Returns
    -------
    str
        Self-contained HTML (Leaflet inlined, no network requests).
    """
    from geo.viz import map as fmap_mod

    lang = map_language(context, lang)
    _ = translator(lang)
    title = _(MAP_TITLE) if title is None else title
    footer_lines = [*caption_lines(context, width_chars=400), _(MAP_CREDIT)]
    footer = "<br>".join(html.escape(line, quote=False) for line in footer_lines)
    try:
        return fmap_mod.build_standalone_html(fmap, list(layers), title=title, footer_html=footer,
                                              header_html=map_header_html(title, context, subtitle, lang), lang=lang)
    except FileNotFoundError as exc:
        raise ExportError(str(exc)) from exc


def build_map_page(
    frame: pd.DataFrame,
    context: ExportContext,
    boundaries: Any = None,
    frontlines: pd.DataFrame | None = None,
    when: dt.date | None = None,
    title: str | None = None,
    threshold: int | None = None,
    lang: str | None = None,
) -> str:
    """Build the standalone offline map of a view with the map builders of :mod:`geo.viz.map`.

    Incidents are drawn one by one up to :func:`geo.viz.map.marker_threshold` (the rule
    the app's map follows) and as grid bins beyond; the front line is the snapshot in
    force on ``when`` (the last incident date by default); title, filters and credits
    frame the map.

    Parameters
    ----------
    frame : pandas.DataFrame
        Filtered incidents.
    context : ExportContext
        View and provenance (header and footer).
    boundaries : geopandas.GeoDataFrame, optional
        Oblast layer.
    frontlines : geopandas.GeoDataFrame or None
        Front-line snapshots.
    when : datetime.date, optional
        Map date for the front line.
    title : str, optional
        Page title (default: :data:`MAP_TITLE` in the page's language).
    threshold : int, optional
        Markers-or-cells threshold (default: :func:`geo.viz.map.marker_threshold`).
    lang : str, optional
        Language of every word on the page (default: :func:`map_language`).

    Returns
    -------
    str
        Self-contained HTML (Leaflet inlined, no network requests).
    """
    from geo.viz import map as fmap_mod

    lang = map_language(context, lang)
    threshold = fmap_mod.marker_threshold() if threshold is None else threshold
    fmap = fmap_mod.build_base_map(boundaries, lang=lang)
    if when is None:
        dates = pd.to_datetime(frame["date"]).dropna()
        when = dates.max().date() if len(dates) else dt.date.today()
    layers = []
    if frontlines is not None and len(frontlines):
        layers.append(fmap_mod.build_frontline_layer(frontlines, when, lang=lang)[0])
    if len(frame) <= threshold:
        layers.append(fmap_mod.build_incident_layer(frame, lang=lang))
    else:
        bins = fmap_mod.aggregate_grid(
            frame["lon"].to_numpy(dtype="float64"),
            frame["lat"].to_numpy(dtype="float64"),
            frame["killed"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
            frame["injured"].astype("Float64").to_numpy(dtype="float64", na_value=np.nan),
        )
        _ = translator(lang)
        note = _("{n} incidents counted per grid cell", n=len(frame))
        layers.append(fmap_mod.build_bin_layer(bins, note=note, lang=lang))
    return compose_map_page(fmap, layers, context, title=title, lang=lang)
