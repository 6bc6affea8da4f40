"""How every chart looks: colour-blind-safe palettes, the font, the shared layout, safe labels.

Plotly renders a subset of HTML in titles, tick labels, legends and hover text, so every label
that comes from the data goes through :func:`escape_label` first.

Colours: categorical series use the Okabe-Ito palette (distinguishable with the common
colour-vision deficiencies); ordered distance bands use a sequential ramp sampled from cividis,
which is designed for the same purpose.
"""

from __future__ import annotations

import html
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from geo.i18n import Translator

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
_FONT = {"family": "Arial, Helvetica, sans-serif", "size": 13, "color": "#222222"}


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
