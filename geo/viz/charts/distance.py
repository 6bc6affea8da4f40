"""Charts of distance from the line of contact: incidents per band, bands over time, weapon mix.

Every function here takes the same three first arguments, documented once here:

frame : pandas.DataFrame
    Incidents (columns :data:`geo.schema.ALL_COLUMNS`).
edges : sequence of float
    Band starts in km (default 0, 25, 100, 300; :func:`~geo.viz.charts.bands.band_labels`).
include_imprecise : bool
    Count approximate locations too (:func:`~geo.viz.charts.bands.select_distance_rows`).

Only rows with a distance and, unless ``include_imprecise``, a precise location are counted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.i18n import translator
from geo.taxonomy import WEAPONS, label
from geo.viz.charts.bands import (
    DEFAULT_BAND_EDGES,
    _band_colours,
    assign_distance_band,
    band_display,
    band_labels,
    select_distance_rows,
)
from geo.viz.charts.measures import (
    FREQUENCIES,
    MEASURES,
    _full_period_range,
    _measure_values,
    _period_index,
    _period_word,
)
from geo.viz.charts.snapshots import _add_seams
from geo.viz.charts.style import OKABE_ITO, OTHER_COLOUR, _base_layout, escape_label


def _banded_rows(
    frame: pd.DataFrame, edges: Sequence[float], include_imprecise: bool
) -> tuple[pd.DataFrame, pd.Series]:
    """Return the rows that enter distance statistics and the band of each."""
    rows = select_distance_rows(frame, include_imprecise)
    return rows, assign_distance_band(rows["front_distance_km"], edges)


def compute_distance_counts(
    frame: pd.DataFrame, edges: Sequence[float] = DEFAULT_BAND_EDGES, include_imprecise: bool = False
) -> pd.DataFrame:
    """Count incidents and reported casualties per distance band.

    Returns
    -------
    pandas.DataFrame
        One row per band of ``edges`` (all bands, zeros included): ``band``, ``incidents``,
        ``killed``, ``injured``; only the rows :func:`~geo.viz.charts.bands.select_distance_rows`
        keeps are counted.
    """
    rows, bands = _banded_rows(frame, edges, include_imprecise)
    grouped = (
        pd.DataFrame(
            {
                "band": bands,
                "incidents": 1,
                "killed": rows["killed"].fillna(0).astype("int64"),
                "injured": rows["injured"].fillna(0).astype("int64"),
            }
        )
        .groupby("band", observed=False)[["incidents", "killed", "injured"]]
        .sum()
    )
    return grouped.reindex(band_labels(edges), fill_value=0).rename_axis("band").reset_index()


def build_distance_histogram(
    frame: pd.DataFrame,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    include_imprecise: bool = False,
    lang: str = "en",
) -> go.Figure:
    """Bar chart of incidents per distance band from the line of contact.

    The bars are :func:`compute_distance_counts`; ``lang`` (``"en"`` or ``"uk"``) is the language of
    the title, the band names and the hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per band so each band has a legend entry and a colour; ``layout.meta``
        holds ``excluded_rows`` (rows of ``frame`` not counted).
    """
    _ = translator(lang)
    counts = compute_distance_counts(frame, edges, include_imprecise)
    colours = _band_colours(counts["band"].tolist())
    fig = go.Figure()
    for row in counts.itertuples(index=False):
        shown = band_display(row.band, lang)
        fig.add_trace(
            go.Bar(
                x=[shown],
                y=[row.incidents],
                name=shown,
                marker_color=colours[row.band],
                customdata=[[row.killed, row.injured]],
                hovertemplate=_("%{x}<br>%{y} incidents<br>%{customdata[0]} killed, %{customdata[1]} injured")
                + "<extra></extra>",
            )
        )
    excluded = len(frame) - int(counts["incidents"].sum())
    _base_layout(
        fig, _("Incidents by distance from the line of contact"), _("Distance band"), _("Incidents"), _
    )
    fig.update_layout(meta={"excluded_rows": excluded}, bargap=0.15)
    return fig


def compute_band_series(
    frame: pd.DataFrame, edges: Sequence[float] = DEFAULT_BAND_EDGES, measure: str = "incidents",
    freq: str = "month", include_imprecise: bool = False,
) -> pd.DataFrame:
    """Sum ``measure`` per period and distance band.

    Parameters
    ----------
    measure : {"incidents", "killed", "injured", "casualties"}
        What to sum (casualties = killed + injured, missing counted as 0).
    freq : {"day", "week", "month"}
        Period length.

    Returns
    -------
    pandas.DataFrame
        Index = period start, one column per band (all bands), no gaps in periods.
    """
    rows, bands = _banded_rows(frame, edges, include_imprecise)
    labels = band_labels(edges)
    periods = _period_index(rows["date"], freq)
    table = (
        pd.DataFrame(
            {
                "period": periods,
                "band": bands,
                "v": _measure_values(rows, measure),
            }
        )
        .pivot_table(index="period", columns="band", values="v", aggfunc="sum", fill_value=0, observed=False)
        .reindex(columns=labels, fill_value=0)
    )
    return table.reindex(_full_period_range(periods, freq), fill_value=0).astype("int64")


def build_band_timeline(
    frame: pd.DataFrame,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    measure: str = "incidents",
    freq: str = "month",
    include_imprecise: bool = False,
    seams: Sequence[Mapping[str, Any]] = (),
    lang: str = "en",
) -> go.Figure:
    """Stacked bars of ``measure`` per period, split by distance band (:func:`compute_band_series`).

    Parameters
    ----------
    seams : sequence of mapping
        Output of :func:`~geo.viz.charts.snapshots.compute_snapshot_seams`, drawn as dashed
        vertical lines.
    lang : str
        Language of the title, axes, band names and seam notes (``"en"`` or ``"uk"``).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per band, ``barmode="stack"``.
    """
    _ = translator(lang)
    table = compute_band_series(frame, edges, measure, freq, include_imprecise)
    colours = _band_colours(list(table.columns))
    fig = go.Figure()
    for band in table.columns:
        shown = band_display(band, lang)
        fig.add_trace(
            go.Bar(
                x=list(table.index),
                y=table[band].tolist(),
                name=shown,
                marker_color=colours[band],
                hovertemplate=escape_label(shown) + "<br>%{x|%Y-%m-%d}: %{y}<extra></extra>",
            )
        )
    _base_layout(
        fig,
        _(
            "{measure} per {period} by distance from the line of contact",
            measure=_(MEASURES[measure]),
            period=_period_word(freq, _),
        ),
        _(FREQUENCIES[freq][1]),
        _(MEASURES[measure]),
        _,
    )
    fig.update_layout(barmode="stack", bargap=0.1)
    _add_seams(fig, seams, _)
    return fig


def compute_weapon_mix(
    frame: pd.DataFrame,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    include_imprecise: bool = False,
) -> pd.DataFrame:
    """Count incidents per distance band and weapon.

    An incident listing two weapons (e.g. a cluster munition delivered by a
    ballistic missile) counts once for each.

    Returns
    -------
    pandas.DataFrame
        Index = band (all bands), columns = weapon codes, values = incident counts.
    """
    rows, bands = _banded_rows(frame, edges, include_imprecise)
    pairs = pd.DataFrame(
        {"band": bands, "weapon": [list(w) if len(w) else ["unknown"] for w in rows["weapons"]]}
    )
    pairs = pairs.explode("weapon")
    table = pd.crosstab(pairs["band"], pairs["weapon"]) if len(pairs) else pd.DataFrame()
    return table.reindex(band_labels(edges), fill_value=0).fillna(0).astype("int64")


def build_weapon_mix_chart(
    frame: pd.DataFrame,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    include_imprecise: bool = False,
    share: bool = True,
    max_categories: int = 7,
    lang: str = "en",
) -> go.Figure:
    """Horizontal stacked bars: which weapons reach how far (:func:`compute_weapon_mix`).

    Parameters
    ----------
    share : bool
        Show each weapon's share of the band's weapon mentions (%) rather than counts.
    max_categories : int
        Weapons beyond the most frequent ``max_categories`` are pooled as "Other"
        so every colour stays distinguishable.
    lang : str
        Language of the title, axes, weapon names and hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per weapon, ``barmode="stack"``, bands on the y axis.
    """
    _ = translator(lang)
    table = compute_weapon_mix(frame, edges, include_imprecise)
    keep = list(table.sum().sort_values(ascending=False, kind="stable").index[:max_categories])
    rest = [c for c in table.columns if c not in keep]
    if rest:
        table = table[keep].assign(other_pooled=table[rest].sum(axis=1))
    values = table.div(table.sum(axis=1).replace(0, np.nan), axis=0).fillna(0) * 100 if share else table
    fig = go.Figure()
    for i, code in enumerate(values.columns):
        name = _("Other weapons") if code == "other_pooled" else _(label(code, WEAPONS))
        colour = OTHER_COLOUR if code == "other_pooled" else OKABE_ITO[i % len(OKABE_ITO)]
        fig.add_trace(
            go.Bar(
                y=[band_display(band, lang) for band in values.index],
                x=values[code].round(1).tolist(),
                name=escape_label(name),
                orientation="h",
                marker_color=colour,
                customdata=table[code].tolist(),
                hovertemplate=escape_label(name)
                + _("<br>%{y}: %{customdata} incidents")
                + (" (%{x:.1f}%)" if share else "")
                + "<extra></extra>",
            )
        )
    _base_layout(
        fig,
        _("Weapon mix by distance from the line of contact"),
        _("Share of weapon mentions (%)") if share else _("Incidents"),
        _("Distance band"),
        _,
    )
    fig.update_layout(barmode="stack", yaxis={"autorange": "reversed"})
    return fig
