"""Plotly figure builders for the analysis pages and the static exports.

Every builder is a pure function of a filtered incident frame (columns
:data:`geo.schema.ALL_COLUMNS`) and a few simple arguments; it returns a
:class:`plotly.graph_objects.Figure` or, for tables, a :class:`pandas.DataFrame`.
Nothing here draws map tiles or fetches anything: the choropleth uses the
boundary GeoJSON passed in, so it renders offline and in the static exports.

Plotly renders a subset of HTML in titles, tick labels, legends and hover
text, so every label that comes from the data goes through
:func:`escape_label` first.

Colours: categorical series use the Okabe-Ito palette (distinguishable with
the common colour-vision deficiencies); ordered distance bands use a
sequential ramp sampled from cividis, which is designed for the same purpose.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.admin1 import ADMIN1, oblast_label
from geo.i18n import N_, Translator, translator
from geo.taxonomy import PRECISE_GEO, TARGET_TYPES, WEAPONS, label
from geo.viz.mapcore import boundaries_geojson

#: Upper edges (km) of the default distance bands; the last band is open-ended.
DEFAULT_BAND_EDGES: tuple[float, ...] = (0.0, 25.0, 100.0, 300.0)
#: Label of the band holding negative distances (inside occupied territory).
OCCUPIED_BAND = N_("Inside occupied territory")
#: Okabe & Ito (2008) colour-blind-safe categorical palette; the "Other" bucket is grey.
OKABE_ITO: tuple[str, ...] = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#000000",
)
OTHER_COLOUR = "#999999"
#: Sequential, colour-blind-safe ramp (cividis) for ordered distance bands, near to far.
BAND_RAMP: tuple[str, ...] = ("#00224E", "#35456C", "#666970", "#948E77", "#C8B866", "#FEE838")
OCCUPIED_COLOUR = "#BBBBBB"
CHOROPLETH_SCALE = "Cividis"
MEASURES: dict[str, str] = {
    "incidents": N_("Incidents"),
    "killed": N_("Killed (reported)"),
    "injured": N_("Injured (reported)"),
    "casualties": N_("Killed and injured (reported)"),
}
FREQUENCIES: dict[str, tuple[str, str]] = {
    "day": ("D", N_("Day")),
    "week": ("W-MON", N_("Week")),
    "month": ("MS", N_("Month")),
}
GROUPINGS: dict[str, tuple[str, dict[str, str]]] = {
    "target_types": (N_("Target type"), TARGET_TYPES),
    "weapons": (N_("Weapon"), WEAPONS),
}
#: plotly.js fetches a world topojson for every ``geo`` subplot, even with no base layers
#: drawn, from plotly's CDN by default. The choropleth draws only the boundary GeoJSON it is
#: given, so an empty topology inlined as a data URL satisfies it without any network.
#: Pass :data:`PLOTLY_OFFLINE_CONFIG` as the plotly config (``st.plotly_chart(config=...)``).
OFFLINE_TOPOJSON_URL = "data:application/json," + quote('{"type":"Topology","objects":{},"arcs":[]}') + "#"
PLOTLY_OFFLINE_CONFIG: dict[str, Any] = {"topojsonURL": OFFLINE_TOPOJSON_URL, "displaylogo": False}
#: Words plotly.js itself shows (tool bar, hints), looked up in the locale's dictionary by their English text.
PLOTLY_UI_WORDS: tuple[str, ...] = (
    N_("Zoom"),
    N_("Pan"),
    N_("Box Select"),
    N_("Lasso Select"),
    N_("Zoom in"),
    N_("Zoom out"),
    N_("Autoscale"),
    N_("Reset axes"),
    N_("Reset view"),
    N_("Download plot as a PNG"),
    N_("Toggle Spike Lines"),
    N_("Show closest data on hover"),
    N_("Compare data on hover"),
    N_("Double-click to zoom back out"),
    N_("Double-click on legend to isolate one trace"),
)
_FONT = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#222222"}


def _calendar(lang: str, kind: str, width: str) -> dict[int, str]:
    """Month (1-12) or weekday (0 = Monday) names of ``lang`` from Babel's calendar data."""
    from babel.dates import get_day_names, get_month_names

    from geo.i18n import _FORMAT_LOCALES

    locale = _FORMAT_LOCALES[translator(lang).lang]
    if kind == "month":
        return dict(get_month_names(width, context="stand-alone", locale=locale))
    return dict(get_day_names(width, context="format", locale=locale))


def plotly_locale(lang: str) -> dict[str, Any] | None:
    """Return a plotly.js locale for ``lang``: month and day names, date formats, tool-bar words.

    plotly.js writes date tick labels ("Jan 2024") and its tool bar in English unless the page
    registers a locale; none is bundled here, so the app passes it inline in the chart's config
    (plotly.js's ``config.locales``). The export engine (kaleido) drops a figure's config, so
    exported images get their date ticks from :func:`localise_date_axis` instead.

    Parameters
    ----------
    lang : str
        Language of the interface (``"en"`` or ``"uk"``).

    Returns
    -------
    dict or None
        ``{"dictionary": ..., "format": ...}``; None for English (plotly.js's own words).
    """
    _ = translator(lang)
    if _.lang == "en":
        return None
    months, short_months = _calendar(lang, "month", "wide"), _calendar(lang, "month", "abbreviated")
    days, short_days = _calendar(lang, "day", "wide"), _calendar(lang, "day", "abbreviated")
    sunday_first = (6, 0, 1, 2, 3, 4, 5)  # Babel counts from Monday, plotly.js from Sunday
    return {
        "dictionary": {word: _(word) for word in PLOTLY_UI_WORDS},
        "format": {
            "days": [days[i] for i in sunday_first],
            "shortDays": [short_days[i] for i in sunday_first],
            "months": [months[i] for i in range(1, 13)],
            "shortMonths": [short_months[i] for i in range(1, 13)],
            "date": "%d.%m.%Y",
            "decimal": ",",
            "thousands": "\u00a0",
            "year": "%Y",
            "month": "%b %Y",
            "dayMonth": "%-d %b",
            "dayMonthYear": "%-d %b %Y",
        },
    }


def plotly_config(lang: str = "en") -> dict[str, Any]:
    """Return the config to pass to ``st.plotly_chart``: offline and in the language of the page.

    Parameters
    ----------
    lang : str
        ``"en"`` or ``"uk"`` (see :func:`plotly_locale`).

    Returns
    -------
    dict
        :data:`PLOTLY_OFFLINE_CONFIG` plus, other than in English, ``locale`` and ``locales``
        (month names on date axes, the tool bar's words).
    """
    config = dict(PLOTLY_OFFLINE_CONFIG)
    locale = plotly_locale(lang)
    if locale is not None:
        code = translator(lang).lang
        config.update(locale=code, locales={code: locale})
    return config


def date_ticks(start: Any, end: Any, lang: str = "en") -> tuple[list[pd.Timestamp], list[str]]:
    """Return tick dates and their labels for a date axis from ``start`` to ``end``, in ``lang``.

    Months are named from the language's calendar (Babel), so a static image needs no plotly.js
    locale: weekly ticks ("5 лют.") up to 45 days, monthly ("лют. 2024") up to 14 months,
    quarterly up to four years, then yearly ("2024").

    Parameters
    ----------
    start, end : date-like
        First and last date on the axis.
    lang : str
        Language of the month names (``"en"`` or ``"uk"``).

    Returns
    -------
    tuple of (list of Timestamp, list of str)
        Tick positions (inside ``[start, end]``, at least one) and labels.
    """
    start, end = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if end < start:
        start, end = end, start
    months = _calendar(lang, "month", "abbreviated")
    span = (end - start).days
    if span <= 45:
        ticks = pd.date_range(start, end, freq="7D")
        return list(ticks), [f"{t.day} {months[t.month]}" for t in ticks]
    freq = "MS" if span <= 426 else "QS" if span <= 4 * 366 else "YS"
    ticks = pd.date_range(start, end, freq=freq)
    ticks = ticks if len(ticks) else pd.DatetimeIndex([start])
    if freq == "YS":
        return list(ticks), [str(t.year) for t in ticks]
    return list(ticks), [f"{months[t.month]} {t.year}" for t in ticks]


def _as_dates(values: Any) -> pd.DatetimeIndex | None:
    """Return the values of a trace's axis as dates, or None when they are not dates (categories, numbers)."""
    if values is None or len(values) == 0:
        return None
    first = values[0]
    if isinstance(first, str):
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([ T].*)?", first):
            return None
    elif not isinstance(first, (dt.date, np.datetime64)):
        return None
    dates = pd.to_datetime(pd.Series(list(values)), errors="coerce")
    return None if dates.isna().all() else pd.DatetimeIndex(dates.dropna())


def localise_date_axis(fig: go.Figure, lang: str) -> go.Figure:
    """Write the x axis's date ticks in ``lang`` (for static images, where no plotly.js locale applies).

    English figures are left to plotly's own ticks. The figure is changed in place.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        A chart whose vertical bars or lines are placed on dates.
    lang : str
        Language of the month names.

    Returns
    -------
    plotly.graph_objects.Figure
        ``fig``.
    """
    if translator(lang).lang == "en":
        return fig
    found = [_as_dates(t.x) for t in fig.data if getattr(t, "orientation", None) != "h" and hasattr(t, "x")]
    found = [d for d in found if d is not None and len(d)]
    if not found:
        return fig
    start = min(d.min() for d in found)
    end = max(d.max() for d in found)
    values, labels = date_ticks(start, end, lang)
    fig.update_xaxes(tickmode="array", tickvals=values, ticktext=labels)
    return fig


def escape_label(value: Any) -> str:
    """Return ``value`` as text safe to hand to plotly as a label.

    Plotly interprets ``<br>``, ``<b>``, ``<a href>`` and entities in titles,
    tick labels, legend entries and hover text, so ``&``, ``<`` and ``>`` in
    data-derived text are replaced by entities.

    Parameters
    ----------
    value : object
        Any value; ``None`` and missing values become an empty string.

    Returns
    -------
    str
        The escaped text.
    """
    if value is None or (not isinstance(value, (list, tuple, np.ndarray)) and pd.isna(value)):
        return ""
    return html.escape(str(value), quote=False)


def band_labels(edges: Sequence[float] = DEFAULT_BAND_EDGES) -> list[str]:
    """Return the ordered band labels for ``edges``, occupied band first.

    Parameters
    ----------
    edges : sequence of float
        Ascending band starts in km, the first one 0 (e.g. ``(0, 25, 100, 300)``
        gives 0-25, 25-100, 100-300 and 300+ km).

    Returns
    -------
    list of str
        ``[OCCUPIED_BAND, "0–25 km", ..., "300+ km"]``.
    """
    edges = _check_edges(edges)
    labels = [OCCUPIED_BAND]
    for low, high in zip(edges[:-1], edges[1:], strict=True):
        labels.append(f"{low:g}–{high:g} km")
    labels.append(f"{edges[-1]:g}+ km")
    return labels


def _check_edges(edges: Sequence[float]) -> list[float]:
    values = [float(e) for e in edges]
    if not values or values[0] != 0.0:
        raise ValueError("distance bands must start at 0 km (negative distances form their own band)")
    if any(b <= a for a, b in zip(values[:-1], values[1:], strict=True)):
        raise ValueError(f"distance band edges must be strictly ascending, got {list(edges)}")
    return values


def assign_distance_band(distances: pd.Series, edges: Sequence[float] = DEFAULT_BAND_EDGES) -> pd.Series:
    """Assign each signed distance to a band.

    Bands are closed on the left: 25 km belongs to 25-100 km. Negative
    distances (inside occupied territory) get :data:`OCCUPIED_BAND`; missing
    distances stay missing.

    Parameters
    ----------
    distances : pandas.Series
        Signed distance to the line of contact in km.
    edges : sequence of float
        Band starts, see :func:`band_labels`.

    Returns
    -------
    pandas.Series
        Ordered categorical with the labels of :func:`band_labels`.
    """
    labels = band_labels(edges)
    bins = [-np.inf, *_check_edges(edges), np.inf]
    values = pd.to_numeric(distances, errors="coerce").astype("float64")
    return pd.cut(values, bins=bins, labels=labels, right=False, ordered=True)


def select_distance_rows(frame: pd.DataFrame, include_imprecise: bool = False) -> pd.DataFrame:
    """Return the rows that enter distance statistics.

    Rows without a distance (no front line loaded for their date) never enter;
    rows whose location is only approximate (``geo_precision`` not ``exact`` or
    ``near``) are left out unless ``include_imprecise`` is true, because their
    point may lie tens of kilometres from where the strike happened.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    include_imprecise : bool
        Keep rows with area/region/unknown precision.

    Returns
    -------
    pandas.DataFrame
        A filtered view (same columns).
    """
    keep = frame["front_distance_km"].notna()
    if not include_imprecise:
        keep &= frame["geo_precision"].isin(PRECISE_GEO).fillna(False).astype(bool)
    return frame.loc[keep.to_numpy(dtype=bool)]


def _measure_values(frame: pd.DataFrame, measure: str) -> pd.Series:
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {sorted(MEASURES)}")
    if measure == "incidents":
        return pd.Series(1, index=frame.index, dtype="int64")
    if measure == "casualties":
        return frame["killed"].fillna(0).astype("int64") + frame["injured"].fillna(0).astype("int64")
    return frame[measure].fillna(0).astype("int64")


def band_display(band: str, lang: str = "en") -> str:
    """Return a distance-band label (from :func:`band_labels`) as shown in ``lang``.

    Parameters
    ----------
    band : str
        An English band label, the key used in tables (``"0–25 km"``, :data:`OCCUPIED_BAND`).
    lang : str
        Language of the interface (``"en"`` or ``"uk"``).

    Returns
    -------
    str
        The label in ``lang``; English labels are returned unchanged.
    """
    _ = translator(lang)
    if band == OCCUPIED_BAND:
        return _(OCCUPIED_BAND)
    if band.endswith(" km"):
        number = band[: -len(" km")]
        return (number.replace(".", ",") if _.lang == "uk" else number) + " " + _.pgettext("unit", "km")
    return band


def _uk_numbers(fig: go.Figure, _: Translator) -> None:
    """Ukrainian separators for numbers plotly formats itself (English output stays unchanged)."""
    if _.lang != "en":
        fig.update_layout(separators=", ")


def _base_layout(
    fig: go.Figure, title: str, x_title: str, y_title: str, _: Translator | None = None
) -> go.Figure:
    if _ is not None:
        _uk_numbers(fig, _)
    fig.update_layout(
        title={"text": escape_label(title), "x": 0.0, "xanchor": "left"},
        template="plotly_white",
        font=_FONT,
        xaxis_title=x_title,
        yaxis_title=y_title,
        legend={"title": {"text": ""}},
        margin={"l": 60, "r": 20, "t": 60, "b": 50},
    )
    return fig


def _band_colours(labels: Sequence[str]) -> dict[str, str]:
    ordered = [lab for lab in labels if lab != OCCUPIED_BAND]
    ramp = _sample_ramp(len(ordered))
    colours = dict(zip(ordered, ramp, strict=True))
    colours[OCCUPIED_BAND] = OCCUPIED_COLOUR
    return colours


def _sample_ramp(n: int) -> list[str]:
    if n <= len(BAND_RAMP):
        idx = np.linspace(0, len(BAND_RAMP) - 1, n).round().astype(int) if n > 1 else [0]
        return [BAND_RAMP[i] for i in idx]
    from plotly.colors import sample_colorscale

    return sample_colorscale("Cividis", [i / (n - 1) for i in range(n)])


def compute_distance_counts(
    frame: pd.DataFrame, edges: Sequence[float] = DEFAULT_BAND_EDGES, include_imprecise: bool = False
) -> pd.DataFrame:
    """Count incidents and reported casualties per distance band.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    edges : sequence of float
        Band starts in km.
    include_imprecise : bool
        See :func:`select_distance_rows`.

    Returns
    -------
    pandas.DataFrame
        One row per band (all bands, zeros included): ``band``, ``incidents``,
        ``killed``, ``injured``.
    """
    rows = select_distance_rows(frame, include_imprecise)
    bands = assign_distance_band(rows["front_distance_km"], edges)
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

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    edges : sequence of float
        Band starts in km (default 0, 25, 100, 300).
    include_imprecise : bool
        Count approximate locations too.
    lang : str
        Language of titles, legend and hover text (``"en"`` or ``"uk"``).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per band so each band has a legend entry and a colour.
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


def _period_index(dates: pd.Series, freq: str) -> pd.Series:
    if freq not in FREQUENCIES:
        raise ValueError(f"unknown frequency {freq!r}; choose day, week or month")
    dates = pd.to_datetime(dates)
    if freq == "day":
        return dates.dt.normalize()
    if freq == "week":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    return dates.dt.to_period("M").dt.to_timestamp()


def _full_period_range(periods: pd.Series, freq: str) -> pd.DatetimeIndex:
    if periods.empty:
        return pd.DatetimeIndex([])
    return pd.date_range(periods.min(), periods.max(), freq=FREQUENCIES[freq][0])


def compute_band_series(
    frame: pd.DataFrame,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    measure: str = "incidents",
    freq: str = "month",
    include_imprecise: bool = False,
) -> pd.DataFrame:
    """Sum ``measure`` per period and distance band.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    edges : sequence of float
        Band starts in km.
    measure : {"incidents", "killed", "injured", "casualties"}
        What to sum (casualties = killed + injured, missing counted as 0).
    freq : {"day", "week", "month"}
        Period length.
    include_imprecise : bool
        See :func:`select_distance_rows`.

    Returns
    -------
    pandas.DataFrame
        Index = period start, one column per band (all bands), no gaps in periods.
    """
    rows = select_distance_rows(frame, include_imprecise)
    labels = band_labels(edges)
    periods = _period_index(rows["date"], freq)
    table = (
        pd.DataFrame(
            {
                "period": periods,
                "band": assign_distance_band(rows["front_distance_km"], edges),
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
    """Stacked bars of ``measure`` per period, split by distance band.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    edges : sequence of float
        Band starts in km.
    measure : {"incidents", "killed", "injured", "casualties"}
        What to stack.
    freq : {"day", "week", "month"}
        Period length (monthly by default).
    include_imprecise : bool
        See :func:`select_distance_rows`.
    seams : sequence of mapping
        Output of :func:`compute_snapshot_seams`, drawn as dashed vertical lines.
    lang : str
        Language of titles, legend and hover text (``"en"`` or ``"uk"``).

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


def _period_word(freq: str, _: Translator) -> str:
    """Return the period as written in running text ("month" in "Incidents per month")."""
    words = {"day": N_("day"), "week": N_("week"), "month": N_("month")}
    return _(words[freq])


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


def compute_weapon_mix(
    frame: pd.DataFrame,
    edges: Sequence[float] = DEFAULT_BAND_EDGES,
    include_imprecise: bool = False,
) -> pd.DataFrame:
    """Count incidents per distance band and weapon.

    An incident listing two weapons (e.g. a cluster munition delivered by a
    ballistic missile) counts once for each.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    edges : sequence of float
        Band starts in km.
    include_imprecise : bool
        See :func:`select_distance_rows`.

    Returns
    -------
    pandas.DataFrame
        Index = band (all bands), columns = weapon codes, values = incident counts.
    """
    rows = select_distance_rows(frame, include_imprecise)
    bands = assign_distance_band(rows["front_distance_km"], edges)
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
    """Horizontal stacked bars: which weapons reach how far.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    edges : sequence of float
        Band starts in km.
    include_imprecise : bool
        See :func:`select_distance_rows`.
    share : bool
        Show each weapon's share of the band's weapon mentions (%) rather than counts.
    max_categories : int
        Weapons beyond the most frequent ``max_categories`` are pooled as "Other"
        so every colour stays distinguishable.
    lang : str
        Language of titles, legend and hover text (``"en"`` or ``"uk"``).

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


def compute_deepest_strikes(
    frame: pd.DataFrame, threshold_km: float = 100.0, limit: int | None = 100, include_imprecise: bool = False
) -> pd.DataFrame:
    """Rank the incidents farthest from the line of contact beyond a threshold.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    threshold_km : float
        Keep incidents with ``front_distance_km >= threshold_km``.
    limit : int or None
        Maximum rows (``None`` = all).
    include_imprecise : bool
        See :func:`select_distance_rows`.

    Returns
    -------
    pandas.DataFrame
        Columns ``incident_id, date, place, oblast, target, weapon, killed,
        injured, distance_km, sources, lon, lat``, farthest first. Text is left
        unescaped (it is for tables, not plotly labels).
    """
    rows = select_distance_rows(frame, include_imprecise)
    rows = rows.loc[(rows["front_distance_km"] >= float(threshold_km)).to_numpy(dtype=bool)]
    rows = rows.sort_values(["front_distance_km", "date"], ascending=[False, True], kind="stable")
    if limit is not None:
        rows = rows.head(int(limit))
    return pd.DataFrame(
        {
            "incident_id": rows["incident_id"].astype("string"),
            "date": pd.to_datetime(rows["date"]),
            "place": rows["location"].astype("string"),
            "oblast": [
                name if isinstance(name, str) and name else _oblast_name(str(iso))
                for name, iso in zip(
                    rows["admin1_name"].astype("object"), rows["admin1_iso"].astype("object"), strict=True
                )
            ],
            "target": [", ".join(label(c, TARGET_TYPES) for c in v) for v in rows["target_types"]],
            "weapon": [", ".join(label(c, WEAPONS) for c in v) for v in rows["weapons"]],
            "killed": rows["killed"].astype("Int64"),
            "injured": rows["injured"].astype("Int64"),
            "distance_km": rows["front_distance_km"].round(1),
            "sources": [" ".join(v) for v in rows["source_urls"]],
            "lon": rows["lon"],
            "lat": rows["lat"],
        }
    ).reset_index(drop=True)


def compute_oblast_counts_beyond(
    frame: pd.DataFrame, threshold_km: float = 100.0, include_imprecise: bool = False
) -> pd.DataFrame:
    """Count incidents per oblast at or beyond ``threshold_km`` from the line of contact.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    threshold_km : float
        Distance threshold in km.
    include_imprecise : bool
        See :func:`select_distance_rows`.

    Returns
    -------
    pandas.DataFrame
        ``admin1_iso, oblast, incidents, killed, injured``, only oblasts with at
        least one incident, most incidents first.
    """
    rows = select_distance_rows(frame, include_imprecise)
    rows = rows.loc[(rows["front_distance_km"] >= float(threshold_km)).to_numpy(dtype=bool)]
    grouped = _oblast_sums(rows).rename_axis("admin1_iso").reset_index()
    grouped.insert(1, "oblast", [_oblast_name(iso) for iso in grouped["admin1_iso"]])
    return grouped.sort_values(
        ["incidents", "admin1_iso"], ascending=[False, True], kind="stable"
    ).reset_index(drop=True)


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


def build_oblast_beyond_chart(
    frame: pd.DataFrame, threshold_km: float = 100.0, include_imprecise: bool = False, lang: str = "en"
) -> go.Figure:
    """Horizontal bar chart of incidents per oblast beyond ``threshold_km``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    threshold_km : float
        Distance threshold in km.
    include_imprecise : bool
        See :func:`select_distance_rows`.
    lang : str
        Language of titles, oblast names and hover text (``"en"`` or ``"uk"``).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace, oblasts sorted by count (largest on top).
    """
    _ = translator(lang)
    table = compute_oblast_counts_beyond(frame, threshold_km, include_imprecise)
    km = f"{threshold_km:g}".replace(".", ",") if _.lang == "uk" else f"{threshold_km:g}"
    fig = go.Figure(
        go.Bar(
            y=[
                escape_label(_shown_oblast(iso, n, _))
                for iso, n in zip(table["admin1_iso"], table["oblast"], strict=True)
            ],
            x=table["incidents"].tolist(),
            orientation="h",
            name=_("Incidents {km}+ km from the line of contact", km=km),
            marker_color=OKABE_ITO[0],
            customdata=_casualty_labels(table, _),
            hovertemplate=_("%{y}: %{x} incidents<br>killed: %{customdata[0]}, injured: %{customdata[1]}")
            + "<extra></extra>",
        )
    )
    _base_layout(
        fig, _("Incidents {km} km or more from the line of contact, by oblast", km=km), _("Incidents"), "", _
    )
    fig.update_layout(
        yaxis={"autorange": "reversed"}, showlegend=True, height=max(350, 28 * len(table) + 120)
    )
    return fig


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
    frame : pandas.DataFrame
        Incidents.
    freq : {"day", "week", "month"}
        Period length.
    by : {None, "target_types", "weapons"}
        Split into stacked bars by primary category.
    measure : {"incidents", "killed", "injured", "casualties"}
        What to plot.
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


def compute_frontline_coverage(frontlines: pd.DataFrame | None) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """Return the first and last snapshot dates of a front-line table.

    Parameters
    ----------
    frontlines : pandas.DataFrame or None
        Snapshots with a ``snapshot_date`` column (GeoDataFrame accepted).

    Returns
    -------
    tuple of Timestamp or None
        ``(first, last)``, or ``None`` when there are no snapshots.
    """
    if frontlines is None or len(frontlines) == 0:
        return None
    dates = pd.to_datetime(frontlines["snapshot_date"]).dropna()
    if dates.empty:
        return None
    return dates.min(), dates.max()


def compute_snapshot_seams(frontlines: pd.DataFrame | None) -> list[dict[str, Any]]:
    """Find dates where the front-line snapshot source or method changes.

    A change of source (say from one mapping project to another) can move the
    line on the map without anything moving on the ground; marking it keeps
    readers from reading a seam as a real shift.

    Parameters
    ----------
    frontlines : pandas.DataFrame or None
        Snapshots with ``snapshot_date``, ``source`` and ``method`` columns.

    Returns
    -------
    list of dict
        ``{"date", "from_source", "to_source", "from_method", "to_method", "text"}``
        in date order; empty when there is at most one source/method.
    """
    if frontlines is None or len(frontlines) < 2:
        return []
    snaps = (
        pd.DataFrame(
            {
                "date": pd.to_datetime(frontlines["snapshot_date"]),
                "source": frontlines["source"].astype("string").fillna("unknown"),
                "method": frontlines["method"].astype("string").fillna("unknown")
                if "method" in frontlines
                else "unknown",
            }
        )
        .sort_values("date", kind="stable")
        .reset_index(drop=True)
    )
    seams = []
    for prev, cur in zip(snaps.iloc[:-1].itertuples(), snaps.iloc[1:].itertuples(), strict=True):
        if (prev.source, prev.method) != (cur.source, cur.method):
            text = f"front-line source changes: {prev.source} ({prev.method}) → {cur.source} ({cur.method})"
            seams.append(
                {
                    "date": cur.date,
                    "from_source": prev.source,
                    "to_source": cur.source,
                    "from_method": prev.method,
                    "to_method": cur.method,
                    "text": text,
                }
            )
    return seams


def _add_seams(fig: go.Figure, seams: Iterable[Mapping[str, Any]], _: Translator | None = None) -> None:
    _ = _ or translator("en")
    for seam in seams:
        fig.add_vline(x=pd.Timestamp(seam["date"]), line_dash="dash", line_color="#D55E00", line_width=1.5)
        fig.add_annotation(
            x=pd.Timestamp(seam["date"]),
            y=1.0,
            yref="paper",
            text=escape_label(_("source change: {source}", source=seam["to_source"])),
            hovertext=escape_label(_seam_text(seam, _)),
            showarrow=False,
            xanchor="left",
            yanchor="bottom",
            font={"size": 10, "color": "#D55E00"},
            name="seam",
        )


def _seam_text(seam: Mapping[str, Any], _: Translator) -> str:
    """Describe the seam in the translator's language (source names and methods as recorded)."""
    if not {"from_source", "to_source"} <= set(seam):
        return str(seam.get("text", ""))
    return _(
        "front-line source changes: {before} → {after}",
        before=f"{seam['from_source']} ({seam.get('from_method', 'unknown')})",
        after=f"{seam['to_source']} ({seam.get('to_method', 'unknown')})",
    )


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
        "per_100k": _("Incidents per 100,000 residents"),
        "share_pct": _("Share of incidents (%)"),
    }
    by_oblast = {
        "incidents": _("Incidents by oblast"),
        "killed": _("Killed (reported) by oblast"),
        "injured": _("Injured (reported) by oblast"),
        "per_100k": _("Incidents per 100,000 residents by oblast"),
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
