"""Accessibility helpers without Streamlit: colour contrast and text alternatives for charts and the map.

Contrast follows WCAG 2.1 (relative luminance of sRGB colours, ratio ``(L1 + 0.05) / (L2 + 0.05)``).
The text alternatives turn what a chart or the map shows into one summary sentence in the chosen
language and a plain table, so a screen-reader user gets the same numbers as a sighted one.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.admin1 import iso_for_name, oblast_label
from geo.i18n import translator

#: The most values named in a summary sentence.
TOP_N = 3


def relative_luminance(colour: str) -> float:
    """Return the WCAG relative luminance of an sRGB colour.

    Parameters
    ----------
    colour : str
        ``#rgb`` or ``#rrggbb``.

    Returns
    -------
    float
        0 (black) to 1 (white).
    """
    text = colour.strip().lstrip("#")
    if len(text) == 3:
        text = "".join(c * 2 for c in text)
    if len(text) != 6:
        raise ValueError(f"not a #rrggbb colour: {colour!r}")
    channels = np.array([int(text[i:i + 2], 16) for i in (0, 2, 4)], dtype=float) / 255.0
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def contrast_ratio(foreground: str, background: str) -> float:
    """Return the WCAG contrast ratio of two colours (1 to 21).

    Parameters
    ----------
    foreground, background : str
        ``#rrggbb`` colours (the order does not matter).

    Returns
    -------
    float
        ``(L_lighter + 0.05) / (L_darker + 0.05)``.
    """
    a, b = relative_luminance(foreground), relative_luminance(background)
    high, low = max(a, b), min(a, b)
    return (high + 0.05) / (low + 0.05)


def _values(values) -> np.ndarray:
    if values is None:
        return np.array([])
    return np.asarray(values).ravel()


def figure_table(fig) -> pd.DataFrame:
    """Return the data a plotly figure draws as a long table (series, category, value).

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        Bar, scatter/line and choropleth traces are read; other traces (and shapes) are skipped.

    Returns
    -------
    pandas.DataFrame
        Columns ``series`` (trace name, empty for an unnamed trace), ``category`` (x, or the location
        of a choropleth; the y label for horizontal bars) and ``value`` (numeric); rows without a
        number are left out.
    """
    parts = []
    for trace in fig.data:
        kind = trace.type
        if kind == "choropleth" or kind == "choroplethmapbox" or kind == "choroplethmap":
            cats, vals = _values(trace.locations), _values(trace.z)
            text = _values(getattr(trace, "text", None))
            if len(text) == len(cats):
                cats = text
        elif kind in ("bar", "scatter", "scattergl"):
            x, y = _values(trace.x), _values(trace.y)
            if getattr(trace, "orientation", None) == "h":
                cats, vals = y, x
            else:
                cats, vals = x, y
        else:
            continue
        n = min(len(cats), len(vals))
        if n == 0:
            continue
        frame = pd.DataFrame({"series": trace.name or "", "category": cats[:n], "value": pd.to_numeric(pd.Series(vals[:n]), errors="coerce")})
        parts.append(frame.dropna(subset=["value"]))
    if not parts:
        return pd.DataFrame({"series": pd.Series(dtype=str), "category": pd.Series(dtype=object),
                             "value": pd.Series(dtype=float)})
    return pd.concat(parts, ignore_index=True)


def _category_text(value, _) -> str:
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return _.date(pd.Timestamp(value).date())
    return str(value)


def summarise_table(table: pd.DataFrame, title: str, lang: str | None) -> str:
    """Return one sentence: what the chart shows, how many values, the largest ones.

    Parameters
    ----------
    table : pandas.DataFrame
        As returned by :func:`figure_table`.
    title : str
        The chart's title (already in the chosen language; may be empty).
    lang : str or None
        Language code for the sentence (``"en"``, ``"uk"``).

    Returns
    -------
    str
        Plain text (no Markdown).
    """
    _ = translator(lang)
    name = title.strip() or _("Chart")
    if table.empty:
        return _("{title}: no values to show.", title=name)
    series = [s for s in pd.unique(table["series"]) if s]
    totals = table.groupby("category", sort=False)["value"].sum().sort_values(ascending=False, kind="stable")
    top = [
        _("{category} ({value})", category=_category_text(cat, _), value=_.number(val, 0 if float(val).is_integer() else 1))
        for cat, val in totals.head(TOP_N).items()
    ]
    text = _.ngettext("{title}: {n} value", "{title}: {n} values", len(totals), title=name, n=_.number(len(totals)))
    if len(series) > 1:
        text += "; " + _.ngettext("{n} series", "{n} series", len(series), n=_.number(len(series)))
    return text + "; " + _("largest: {values}.", values=", ".join(top))


def _oblast_name(name: str, lang: str | None) -> str:
    """Return the oblast's name in ``lang`` (the data holds the boundary layer's English name)."""
    code = iso_for_name(name) if lang not in (None, "en") else None
    return oblast_label(code, lang) if code else name


def summarise_incidents(frame: pd.DataFrame, lang: str | None, kind: str = "markers") -> str:
    """Return one sentence on the incidents the map shows: how many, casualties, the top oblasts.

    Parameters
    ----------
    frame : pandas.DataFrame
        The incidents on the map; uses ``killed``, ``injured`` and ``admin1_name`` when present
        (a missing casualty figure is not counted as zero: it adds nothing to the sum).
    lang : str or None
        Language code.
    kind : {"markers", "bins"}
        Whether the map draws one marker per incident or aggregated grid cells.

    Returns
    -------
    str
        Plain text (no Markdown).
    """
    _ = translator(lang)
    n = len(frame)
    if n == 0:
        return _("The map shows no incident for the current filters.")
    killed = pd.to_numeric(frame.get("killed", pd.Series(dtype=float)), errors="coerce")
    injured = pd.to_numeric(frame.get("injured", pd.Series(dtype=float)), errors="coerce")
    how = _("one marker each") if kind == "markers" else _("aggregated in grid cells")
    if killed.notna().any() and injured.notna().any():
        text = _.ngettext(
            "The map shows {n} incident ({how}): {killed} killed and {injured} injured reported.",
            "The map shows {n} incidents ({how}): {killed} killed and {injured} injured reported.",
            n, n=_.number(n), how=how, killed=_.number(killed.sum()), injured=_.number(injured.sum()),
        )
    else:  # a figure no source reported is "not reported", never 0
        shown = {name: _.number(values.sum()) if values.notna().any() else _("not reported")
                 for name, values in (("killed", killed), ("injured", injured))}
        text = _.ngettext(
            "The map shows {n} incident ({how}); reported killed: {killed}; injured: {injured}.",
            "The map shows {n} incidents ({how}); reported killed: {killed}; injured: {injured}.",
            n, n=_.number(n), how=how, **shown,
        )
    if "admin1_name" in frame.columns:
        counts = frame["admin1_name"].dropna().astype(str).value_counts().head(TOP_N)
        if len(counts):
            top = ", ".join(_("{category} ({value})", category=_oblast_name(name, lang), value=_.number(c))
                            for name, c in counts.items())
            text += " " + _("Most incidents: {values}.", values=top)
    return text
