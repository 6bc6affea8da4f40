"""Every chart the app offers for export, built at once (the command line and the app share it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geo.viz.charts.bands import DEFAULT_BAND_EDGES
from geo.viz.charts.beyond import build_oblast_beyond_chart
from geo.viz.charts.distance import build_band_timeline, build_distance_histogram, build_weapon_mix_chart
from geo.viz.charts.oblasts import build_oblast_choropleth, compute_oblast_table
from geo.viz.charts.snapshots import compute_frontline_coverage, compute_snapshot_seams
from geo.viz.charts.trends import build_trend_chart


def build_standard_charts(
    frame: pd.DataFrame,
    *,
    boundaries: Any = None,
    frontlines: pd.DataFrame | None = None,
    population: Mapping[str, int] | None = None,
    previous: pd.DataFrame | None = None,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    threshold_km: float = 100.0,
    include_imprecise: bool = False,
    freq: str = "month",
    lang: str = "en",
) -> dict[str, go.Figure]:
    """Build every chart the app offers for export, keyed by a file-name stem.

    The command-line export and the app's download buttons both call this, so
    they produce the same figures.

    Parameters
    ----------
    frame : pandas.DataFrame
        Filtered incidents.
    boundaries : geopandas.GeoDataFrame or mapping, optional
        Oblast layer; the choropleth is skipped without it.
    frontlines : pandas.DataFrame or None
        Snapshots (coverage and seams); distance charts are skipped without them.
    population : mapping, optional
        ISO code -> population for the per-100,000 choropleth.
    previous : pandas.DataFrame or None
        Previous period for the oblast table (unused by the figures, accepted for symmetry).
    edges : sequence of float
        Distance band starts.
    threshold_km : float
        "Beyond N km" threshold.
    include_imprecise : bool
        See :func:`select_distance_rows`.
    freq : {"day", "week", "month"}
        Trend period.
    lang : str
        Language of every figure's text (``"en"`` or ``"uk"``).

    Returns
    -------
    dict of str to Figure
        Ordered mapping, stem -> figure.
    """
    coverage = compute_frontline_coverage(frontlines)
    seams = compute_snapshot_seams(frontlines)
    charts: dict[str, go.Figure] = {}
    has_distance = bool(frame["front_distance_km"].notna().any())
    if has_distance:
        charts["distance_bands"] = build_distance_histogram(frame, edges, include_imprecise, lang=lang)
        charts["distance_bands_monthly"] = build_band_timeline(
            frame, edges, "incidents", "month", include_imprecise, seams, lang=lang
        )
        charts["casualties_by_band_monthly"] = build_band_timeline(
            frame, edges, "casualties", "month", include_imprecise, seams, lang=lang
        )
        charts["weapon_mix_by_band"] = build_weapon_mix_chart(frame, edges, include_imprecise, lang=lang)
        charts["oblasts_beyond_threshold"] = build_oblast_beyond_chart(
            frame, threshold_km, include_imprecise, lang=lang
        )
    charts["trend_incidents"] = build_trend_chart(frame, freq, None, "incidents", coverage, seams, lang=lang)
    charts["trend_casualties"] = build_trend_chart(
        frame, freq, None, "casualties", coverage, seams, lang=lang
    )
    charts["trend_by_target"] = build_trend_chart(
        frame, freq, "target_types", "incidents", coverage, seams, lang=lang
    )
    charts["trend_by_weapon"] = build_trend_chart(
        frame, freq, "weapons", "incidents", coverage, seams, lang=lang
    )
    if boundaries is not None:
        table = compute_oblast_table(frame, previous, population)
        charts["oblast_choropleth"] = build_oblast_choropleth(table, boundaries, "incidents", lang=lang)
        if population:
            charts["oblast_choropleth_per_100k"] = build_oblast_choropleth(
                table, boundaries, "per_100k", lang=lang
            )
    return charts
