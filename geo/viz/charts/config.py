"""The plotly config of the app (offline, in the page's language) and date ticks for static images.

plotly.js fetches nothing here: the topojson it asks for is an empty one inlined as a data URL.
Month names: the app passes a plotly.js locale in the chart config (:func:`plotly_config`);
the export engine (kaleido) drops a figure's config, so exported images get their date ticks
written into the figure (:func:`localise_date_axis`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import quote

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.i18n import N_, translator

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
