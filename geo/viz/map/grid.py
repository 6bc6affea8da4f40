"""The aggregated view: incidents counted per grid cell, the markers-or-cells rule, the cell legend."""

from __future__ import annotations

import math
from dataclasses import dataclass

import folium
import numpy as np

from geo.i18n import translator
from geo.viz.map.clicks import TOKEN_CLOSE, TOKEN_OPEN
from geo.viz.map.shared import LEGEND_OPEN_FROM_PX, LEGEND_WIDTH_PX, MapControl, PayloadLayer, number_symbols
from geo.viz.mapcore import html_text as _html_text
from geo.viz.mapcore import js_literal as _js_literal

#: Incidents drawn one by one up to this many; above it the map shows grid bins.
MARKER_THRESHOLD = 3000
#: Environment variable that overrides :data:`MARKER_THRESHOLD` (screen and exports alike).
THRESHOLD_ENV = "CONFLICTMAP_MARKER_THRESHOLD"
#: Grid cell size (degrees) for the national view; about 22 km north-south.
DEFAULT_CELL_DEG = 0.2
#: Cells per side when a selected bin is subdivided.
DRILL_DIVISIONS = 8
#: Sequential, colour-blind-safe classes for bin counts (ColorBrewer YlOrRd).
BIN_COLORS = ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026")


def marker_threshold(environ=None) -> int:
    """Return how many incidents are drawn one by one before the map switches to grid cells.

    The one home of the markers-or-cells rule: the app's map, the Map page's export and
    ``python -m geo export`` all call it, so an exported map shows what the screen shows.

    Parameters
    ----------
    environ : mapping, optional
        Environment to read :data:`THRESHOLD_ENV` from (``os.environ`` by default).

    Returns
    -------
    int
        :data:`MARKER_THRESHOLD`, or the positive integer in the environment variable.
    """
    import os

    raw = (os.environ if environ is None else environ).get(THRESHOLD_ENV, "")
    try:
        return max(1, int(str(raw).strip())) if str(raw).strip() else MARKER_THRESHOLD
    except ValueError:
        return MARKER_THRESHOLD


@dataclass(frozen=True)
class GridBins:
    """Incident counts and casualty sums per non-empty grid cell.

    Attributes
    ----------
    west, south, cell_deg : float
        Grid origin and cell size in degrees.
    ix, iy : numpy.ndarray
        Column and row of each non-empty cell.
    count, killed, injured : numpy.ndarray
        Incidents and reported casualties per cell.
    """

    west: float
    south: float
    cell_deg: float
    ix: np.ndarray
    iy: np.ndarray
    count: np.ndarray
    killed: np.ndarray
    injured: np.ndarray

    def cell_bounds(self, k: int) -> tuple[float, float, float, float]:
        """Return (west, south, east, north) of the ``k``-th non-empty cell."""
        w = self.west + int(self.ix[k]) * self.cell_deg
        s = self.south + int(self.iy[k]) * self.cell_deg
        return (round(w, 6), round(s, 6), round(w + self.cell_deg, 6), round(s + self.cell_deg, 6))


def aggregate_grid(
    lon: np.ndarray,
    lat: np.ndarray,
    killed: np.ndarray,
    injured: np.ndarray,
    cell_deg: float = DEFAULT_CELL_DEG,
    bounds: tuple[float, float, float, float] | None = None,
) -> GridBins:
    """Count incidents and sum casualties per square grid cell with ``numpy.bincount``.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Coordinates in degrees.
    killed, injured : numpy.ndarray
        Counts, NaN = not reported (counted as 0 in the sums).
    cell_deg : float
        Cell size in degrees.
    bounds : tuple, optional
        (west, south, east, north) of the grid; points outside are left out. Default: the
        extent of the points, snapped to multiples of ``cell_deg``.

    Returns
    -------
    GridBins
        Non-empty cells only.
    """
    ok = np.isfinite(lon) & np.isfinite(lat)
    if bounds is None:
        if not ok.any():
            return GridBins(0.0, 0.0, cell_deg, *(np.zeros(0, dtype=np.int64),) * 3, np.zeros(0), np.zeros(0))
        west = math.floor(float(lon[ok].min()) / cell_deg) * cell_deg
        south = math.floor(float(lat[ok].min()) / cell_deg) * cell_deg
        east = float(lon[ok].max()) + cell_deg
        north = float(lat[ok].max()) + cell_deg
    else:
        west, south, east, north = bounds
    nx = max(1, math.ceil((east - west) / cell_deg - 1e-9))
    ny = max(1, math.ceil((north - south) / cell_deg - 1e-9))
    with np.errstate(invalid="ignore"):
        ix = np.floor((lon - west) / cell_deg).astype(np.int64, copy=False) if len(lon) else np.zeros(0, np.int64)
        iy = np.floor((lat - south) / cell_deg).astype(np.int64, copy=False) if len(lat) else np.zeros(0, np.int64)
    ok &= (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
    flat = iy[ok] * nx + ix[ok]
    size = nx * ny
    count = np.bincount(flat, minlength=size)
    killed_sum = np.bincount(flat, weights=np.nan_to_num(killed[ok]), minlength=size)
    injured_sum = np.bincount(flat, weights=np.nan_to_num(injured[ok]), minlength=size)
    cells = np.flatnonzero(count)
    return GridBins(
        west=float(west),
        south=float(south),
        cell_deg=float(cell_deg),
        ix=cells % nx,
        iy=cells // nx,
        count=count[cells],
        killed=killed_sum[cells].round().astype(np.int64),
        injured=injured_sum[cells].round().astype(np.int64),
    )


def bin_color_breaks(counts: np.ndarray) -> list[int]:
    """Return ascending lower bounds of the :data:`BIN_COLORS` classes (quantiles, distinct).

    Parameters
    ----------
    counts : numpy.ndarray
        Incidents per cell.

    Returns
    -------
    list of int
        Lower bound of each class; starts at 1.
    """
    if len(counts) == 0:
        return [1]
    qs = np.quantile(counts, np.linspace(0, 1, len(BIN_COLORS) + 1)[1:-1])
    return sorted({1, *(int(math.ceil(q)) for q in qs if q > 1)})


class _BinLayer(PayloadLayer):
    script_body = """
            D.cells.forEach(function(c) {
                var k = 0;
                while (k + 1 < D.breaks.length && c[4] >= D.breaks[k + 1]) { k++; }
                var r = L.rectangle([[c[1], c[0]], [c[3], c[2]]], {
                    color: "#444", weight: 0.6, fillColor: D.colors[k], fillOpacity: 0.75, className: "cm-bin"
                });
                var tip = D.tip.replace("{count}", function() { return num(c[4], D); })
                    .replace("{killed}", function() { return num(c[5], D); })
                    .replace("{injured}", function() { return num(c[6], D); });
                r.bindTooltip(esc(tip) + "<span style='display:none'> " + D.open + "bin:" + c.slice(0, 4).join(",")
                    + D.close + "</span>");
                parent.addLayer(r);
            });
    """

    def __init__(self, bins: GridBins, breaks: list[int], lang: str = "en"):
        super().__init__()
        self._name = "BinLayer"
        _ = translator(lang)
        cells = [
            [*bins.cell_bounds(k), int(bins.count[k]), int(bins.killed[k]), int(bins.injured[k])] for k in range(len(bins.count))
        ]
        self.cell_count = len(cells)
        self.payload = _js_literal(
            {"cells": cells, "breaks": breaks, "colors": list(BIN_COLORS), "open": TOKEN_OPEN, "close": TOKEN_CLOSE,
             "tip": _("{count} incidents · {killed} killed · {injured} injured (click to zoom in)"),
             **number_symbols(_)}
        )


def build_bin_layer(bins: GridBins, note: str = "", lang: str = "en") -> folium.FeatureGroup:
    """Build the aggregated view: one rectangle per non-empty grid cell, coloured by count.

    Parameters
    ----------
    bins : GridBins
        From :func:`aggregate_grid`.
    note : str
        Extra legend line (plain text in ``lang``, escaped here).
    lang : str
        Language of the legend and the tooltips.

    Returns
    -------
    folium.FeatureGroup
        The cells and their legend.
    """
    group = folium.FeatureGroup(name="Incident bins", control=False)
    breaks = bin_color_breaks(bins.count)
    _BinLayer(bins, breaks, lang).add_to(group)
    _ = translator(lang)
    MapControl(bin_legend_html(breaks, bins, note, lang), summary=_("Legend"), width=LEGEND_WIDTH_PX,
               open_from_px=LEGEND_OPEN_FROM_PX).add_to(group)
    return group


def bin_legend_html(breaks: list[int], bins: GridBins, note: str = "", lang: str = "en") -> str:
    """Return the legend of the aggregated view as HTML.

    Parameters
    ----------
    breaks : list of int
        Lower bounds of the colour classes.
    bins : GridBins
        The cells drawn.
    note : str
        Extra line (plain text; escaped here).
    lang : str
        Language of the legend.

    Returns
    -------
    str
        HTML fragment.
    """
    _ = translator(lang)
    title = _.ngettext("Incidents per cell ({count} in {n} cell, about {km} km north-south)",
                       "Incidents per cell ({count} in {n} cells, about {km} km north-south)",
                       len(bins.count), count=int(bins.count.sum()), km=round(bins.cell_deg * 111.0))
    lines = [f"<div style='font-weight:bold'>{_html_text(title)}</div>"]
    for k, low in enumerate(breaks):
        high = breaks[k + 1] - 1 if k + 1 < len(breaks) else None
        if high == low:
            text = _.number(low)
        elif high is not None:
            text = f"{_.number(low)}\u2013{_.number(high)}"
        else:
            text = _("{n} or more", n=low)
        lines.append(
            f"<div><span style='display:inline-block;width:14px;height:10px;background:{BIN_COLORS[k]};"
            f"border:1px solid #444;margin-right:5px'></span>{_html_text(text)}</div>"
        )
    click = _("Click a cell to zoom in.")
    lines.append(f"<div>{_html_text(click)}</div>")
    if note:
        lines.append(f"<div>{_html_text(note)}</div>")
    return "".join(lines)
