"""Oblasts: the per-oblast table (counts, share, rate per 100,000, change) and its choropleth.

The choropleth draws only the boundary GeoJSON it is given (no tiles), so it renders offline and
in the static exports.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.admin1 import ADMIN1, oblast_label
from geo.i18n import N_, Translator, translator
from geo.viz.charts.style import CHOROPLETH_SCALE, _base_layout, escape_label
from geo.viz.mapcore import boundaries_geojson


def previous_period(start: pd.Timestamp, end: pd.Timestamp) -> tuple[pd.Timestamp, pd.Timestamp]:
    """Return the period of equal length that ends the day before ``start``.

    Parameters
    ----------
    start, end : Timestamp
        Inclusive first and last day of the current period.

    Returns
    -------
    tuple of Timestamp
        ``(previous_start, previous_end)``, both inclusive.
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        raise ValueError(f"period end {end.date()} is before its start {start.date()}")
    length = end - start
    prev_end = start - pd.Timedelta(days=1)
    return prev_end - length, prev_end


def compute_oblast_table(
    frame: pd.DataFrame,
    previous: pd.DataFrame | None = None,
    population: Mapping[str, int] | pd.Series | None = None,
) -> pd.DataFrame:
    """Per-oblast table: counts, casualties, share, rate per 100,000, change.

    All 27 units are listed (zeros included); incidents outside the oblast
    layer get an extra ``unknown`` row when there are any.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents of the current period.
    previous : pandas.DataFrame or None
        The same filters applied to the previous period of equal length
        (:func:`previous_period`); ``None`` leaves the change columns empty.
    population : mapping or Series, optional
        ISO code -> pre-war population (:func:`geo.population.load_population`).

    Returns
    -------
    pandas.DataFrame
        ``admin1_iso, oblast, incidents, killed, injured, share_pct, population,
        per_100k, previous_incidents, change, change_pct``, most incidents first.
    """
    current = _oblast_sums(frame)
    isos = list(ADMIN1)
    if "unknown" in current.index:
        isos.append("unknown")
    table = current.reindex(isos, fill_value=0)
    total = int(table["incidents"].sum())
    table["share_pct"] = (table["incidents"] / total * 100).round(1) if total else 0.0
    pop = pd.Series(population if population is not None else {}, dtype="float64")
    table["population"] = pop.reindex(table.index).astype("Int64")
    table["per_100k"] = (table["incidents"] / table["population"].astype("float64") * 100_000).round(2)
    if previous is not None:
        prev = _oblast_sums(previous)["incidents"].reindex(table.index, fill_value=0)
        table["previous_incidents"] = prev.astype("Int64")
        table["change"] = (table["incidents"] - prev).astype("Int64")
        table["change_pct"] = ((table["incidents"] - prev) / prev.replace(0, np.nan) * 100).round(1)
    else:
        table["previous_incidents"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["change"] = pd.array([pd.NA] * len(table), dtype="Int64")
        table["change_pct"] = np.nan
    return _ranked(table)


def _ranked(table: pd.DataFrame) -> pd.DataFrame:
    """Return a per-oblast table (indexed by ISO code) with oblast names, most incidents first."""
    table = table.rename_axis("admin1_iso").reset_index()
    table.insert(1, "oblast", [_oblast_name(iso) for iso in table["admin1_iso"]])
    return table.sort_values(["incidents", "admin1_iso"], ascending=[False, True], kind="stable").reset_index(
        drop=True
    )


def _oblast_sums(frame: pd.DataFrame) -> pd.DataFrame:
    return (
        pd.DataFrame(
            {
                "iso": frame["admin1_iso"].astype("string").fillna("unknown"),
                "incidents": 1,
                "killed": frame["killed"].astype("Int64"),
                "injured": frame["injured"].astype("Int64"),
            }
        )
        .groupby("iso")[["incidents", "killed", "injured"]]
        # min_count=1: an oblast where no row reports a figure shows "not reported", never 0
        .sum(min_count=1)
    )


def _casualty_labels(table: pd.DataFrame, _: Translator | None = None) -> list[list]:
    """Killed and injured per row for hover text, "not reported" where no row gave a figure."""
    missing = (_ or translator("en"))(N_("not reported"))
    return [
        [int(v) if pd.notna(v) else missing for v in pair]
        for pair in table[["killed", "injured"]].itertuples(index=False, name=None)
    ]


def _oblast_name(iso: str) -> str:
    return ADMIN1[iso][0] if iso in ADMIN1 else N_("Outside the oblast layer")


def _shown_oblast(iso: str, name: str, _: Translator) -> str:
    """Oblast name in the translator's language (the table's English name in English)."""
    if _.lang == "en" or iso not in ADMIN1:
        return _(name)
    return oblast_label(iso, _.lang)


def build_oblast_choropleth(
    table: pd.DataFrame, boundaries: Any, value: str = "incidents", lang: str = "en"
) -> go.Figure:
    """Choropleth of a per-oblast value on the boundary layer (no tiles, works offline).

    Parameters
    ----------
    table : pandas.DataFrame
        Output of :func:`compute_oblast_table`.
    boundaries : geopandas.GeoDataFrame or mapping
        Oblast layer (outlines by :func:`geo.viz.mapcore.boundaries_geojson`) or an already
        built FeatureCollection keyed by ``properties.admin1_iso``.
    value : str
        Column to colour by, e.g. ``incidents``, ``killed``, ``per_100k``.
    lang : str
        Language of titles, oblast names and hover text (``"en"`` or ``"uk"``).

    Returns
    -------
    plotly.graph_objects.Figure
        One ``choropleth`` trace with ``locationmode="geojson-id"``; the geo
        subplot has no base layers and ``fitbounds="geojson"``.
    """
    _ = translator(lang)
    titles = {
        "incidents": _("Incidents"),
        "killed": _("Killed (reported)"),
        "injured": _("Injured (reported)"),
        "per_100k": _("Incidents per 100,000 people (pre-war present population)"),
        "share_pct": _("Share of incidents (%)"),
    }
    by_oblast = {
        "incidents": _("Incidents by oblast"),
        "killed": _("Killed (reported) by oblast"),
        "injured": _("Injured (reported) by oblast"),
        "per_100k": _("Incidents per 100,000 people by oblast (pre-war present population)"),
        "share_pct": _("Share of incidents (%) by oblast"),
    }
    rows = table[table["admin1_iso"].isin(list(ADMIN1))]
    z = pd.to_numeric(rows[value], errors="coerce").astype("float64")
    geojson = dict(boundaries) if isinstance(boundaries, Mapping) else boundaries_geojson(boundaries, escape=False)
    fig = go.Figure(
        go.Choropleth(
            geojson=geojson,
            featureidkey="properties.admin1_iso",
            locationmode="geojson-id",
            locations=rows["admin1_iso"].tolist(),
            z=[None if np.isnan(v) else v for v in z],
            text=[
                escape_label(_shown_oblast(iso, n, _))
                for iso, n in zip(rows["admin1_iso"], rows["oblast"], strict=True)
            ],
            customdata=[
                [n, *pair]
                for n, pair in zip(rows["incidents"].tolist(), _casualty_labels(rows, _), strict=True)
            ],
            colorscale=CHOROPLETH_SCALE,
            marker_line_color="#FFFFFF",
            marker_line_width=0.6,
            colorbar={"title": {"text": titles.get(value, escape_label(value))}},
            hovertemplate=_(
                "%{text}<br>%{z}<br>%{customdata[0]} incidents, killed: %{customdata[1]}, injured: %{customdata[2]}"
            )
            + "<extra></extra>",
            name=titles.get(value, escape_label(value)),
        )
    )
    fig.update_geos(
        fitbounds="geojson",
        visible=False,
        projection_type="mercator",
        bgcolor="rgba(0,0,0,0)",
    )
    title = by_oblast.get(value) or _("{measure} by oblast", measure=titles.get(value, value))
    _base_layout(fig, title, "", "", _)
    fig.update_layout(margin={"l": 10, "r": 10, "t": 60, "b": 10}, height=520)
    return fig
