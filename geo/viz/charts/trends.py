"""Trends: incidents or casualties per day, week or month, split by target type or weapon."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.i18n import translator
from geo.taxonomy import label
from geo.viz.charts.measures import (
    FREQUENCIES,
    GROUPINGS,
    MEASURES,
    _full_period_range,
    _measure_values,
    _period_index,
    _period_word,
)
from geo.viz.charts.snapshots import _add_seams
from geo.viz.charts.style import OKABE_ITO, OTHER_COLOUR, _base_layout, escape_label


def _primary(values: Any, keep: Sequence[str] = ()) -> str:
    """First listed code, or the first one the filter keeps (so no excluded category is shown)."""
    if isinstance(values, (list, tuple, np.ndarray)) and len(values):
        if keep:
            hit = next((str(v) for v in values if str(v) in keep), None)
            if hit is not None:
                return hit
        return str(values[0])
    return "unknown"


def _top_categories(series: pd.Series, weights: pd.Series, max_categories: int) -> list[str]:
    totals = weights.groupby(series).sum().sort_values(ascending=False, kind="stable")
    return list(totals.index[:max_categories])


def compute_trend_series(
    frame: pd.DataFrame,
    freq: str = "month",
    by: str | None = None,
    measure: str = "incidents",
    max_categories: int = 7,
    keep: Sequence[str] = (),
) -> pd.DataFrame:
    """Sum ``measure`` per period, optionally split by primary target type or weapon.

    Each incident counts once, under its primary (first listed) category, so
    the stacked series add up to the total.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    freq : {"day", "week", "month"}
        Period length.
    by : {None, "target_types", "weapons"}
        Split; ``None`` gives one column ``total``.
    measure : {"incidents", "killed", "injured", "casualties"}
        What to sum.
    max_categories : int
        Categories beyond the largest ``max_categories`` are pooled as ``other_pooled``.
    keep : sequence of str
        Codes the filter keeps: an incident listing several is counted under the first
        kept one, so the legend never names a category the filter excluded.

    Returns
    -------
    pandas.DataFrame
        Index = period start (no gaps), one column per category code.
    """
    periods = _period_index(frame["date"], freq)
    values = _measure_values(frame, measure)
    if by is None:
        category = pd.Series("total", index=frame.index)
    elif by in GROUPINGS:
        wanted = set(keep)
        category = pd.Series([_primary(v, wanted) for v in frame[by]], index=frame.index, dtype="object")
        top = _top_categories(category, pd.Series(1, index=frame.index), max_categories)
        category = category.where(category.isin(top), "other_pooled")
    else:
        raise ValueError(f"unknown grouping {by!r}; choose None, 'target_types' or 'weapons'")
    table = pd.DataFrame({"period": periods, "cat": category, "v": values}).pivot_table(
        index="period", columns="cat", values="v", aggfunc="sum", fill_value=0
    )
    order = list(table.sum().sort_values(ascending=False, kind="stable").index)
    if "other_pooled" in order:
        order = [c for c in order if c != "other_pooled"] + ["other_pooled"]
    table = table[order] if len(table.columns) else table
    return table.reindex(_full_period_range(periods, freq), fill_value=0).astype("int64")


def build_trend_chart(
    frame: pd.DataFrame,
    freq: str = "month",
    by: str | None = None,
    measure: str = "incidents",
    coverage: tuple[pd.Timestamp, pd.Timestamp] | None = None,
    seams: Sequence[Mapping[str, Any]] = (),
    max_categories: int = 7,
    keep: Sequence[str] = (),
    lang: str = "en",
) -> go.Figure:
    """Incidents (or casualties) over time, with the front-line coverage shaded.

    Parameters
    ----------
    frame, freq, by, measure
        As for :func:`compute_trend_series` (``by`` splits the bars into stacks).
    coverage : tuple of Timestamp or None
        First and last front-line snapshot dates (:func:`compute_frontline_coverage`);
        shaded so readers see which periods have distances at all.
    seams : sequence of mapping
        Snapshot source/method changes (:func:`compute_snapshot_seams`).
    max_categories, keep
        See :func:`compute_trend_series`.
    lang : str
        Language of titles, legend, hover text and annotations (``"en"`` or ``"uk"``).

    Returns
    -------
    plotly.graph_objects.Figure
        Stacked bars, one trace per category.
    """
    _ = translator(lang)
    table = compute_trend_series(frame, freq, by, measure, max_categories, keep)
    fig = go.Figure()
    taxonomy = GROUPINGS[by][1] if by else {}
    for i, code in enumerate(table.columns):
        if code == "total":
            name, colour = _(MEASURES[measure]), OKABE_ITO[0]
        elif code == "other_pooled":
            name, colour = _.pgettext("chart legend", "Other"), OTHER_COLOUR
        else:
            name, colour = _(label(code, taxonomy)), OKABE_ITO[i % len(OKABE_ITO)]
        fig.add_trace(
            go.Bar(
                x=list(table.index),
                y=table[code].tolist(),
                name=escape_label(name),
                marker_color=colour,
                hovertemplate=escape_label(name) + "<br>%{x|%Y-%m-%d}: %{y}<extra></extra>",
            )
        )
    what, period = _(MEASURES[measure]), _period_word(freq, _)
    if by == "target_types":
        title = _("{measure} per {period} by target type", measure=what, period=period)
    elif by == "weapons":
        title = _("{measure} per {period} by weapon", measure=what, period=period)
    else:
        title = _("{measure} per {period}", measure=what, period=period)
    _base_layout(fig, title, _(FREQUENCIES[freq][1]), what, _)
    fig.update_layout(barmode="stack", bargap=0.1, showlegend=True)
    if coverage is not None:
        start, end = (pd.Timestamp(coverage[0]), pd.Timestamp(coverage[1]))
        fig.add_vrect(
            x0=start,
            x1=end,
            fillcolor="#56B4E9",
            opacity=0.12,
            line_width=0,
            layer="below",
            annotation_text=_("front-line snapshots available"),
            annotation_position="top left",
            annotation_font_size=11,
        )
    _add_seams(fig, seams, _)
    return fig
