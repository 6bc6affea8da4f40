"""Distance bands from the line of contact: edges, labels, which rows count, colours.

Bands are closed on the left (25 km belongs to 25-100 km); negative distances (inside the
temporarily occupied territory) form their own band, :data:`OCCUPIED_BAND`. Labels are keyed in
English and shown in the page's language by :func:`band_display`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from geo.i18n import N_, Translator, translator
from geo.taxonomy import PRECISE_GEO
from geo.viz.charts.style import BAND_RAMP, OCCUPIED_COLOUR

#: Upper edges (km) of the default distance bands; the last band is open-ended.
DEFAULT_BAND_EDGES: tuple[float, ...] = (0.0, 25.0, 100.0, 300.0)
#: Label of the band holding negative distances (inside occupied territory).
OCCUPIED_BAND = N_("Inside occupied territory")


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
        return _decimal(band[: -len(" km")], _) + " " + _.pgettext("unit", "km")
    return band


def _decimal(number: str, _: Translator) -> str:
    """Write the decimal point of a number written by Python (``"12.5"``) as the language does."""
    return number.replace(".", ",") if _.lang == "uk" else number


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
