"""Plotly figure builders for the analysis pages and the static exports, one module per chart family.

Every builder is a pure function of a filtered incident frame (columns
:data:`geo.schema.ALL_COLUMNS`) and a few simple arguments; it returns a
:class:`plotly.graph_objects.Figure` or, for tables, a :class:`pandas.DataFrame`. Builders take
``lang`` (``"en"`` or ``"uk"``) for every word they write. Nothing here draws map tiles or fetches
anything.

Where to look:

- :mod:`~geo.viz.charts.distance` — incidents per distance band, bands over time, weapon mix by band;
- :mod:`~geo.viz.charts.beyond` — far from the front: deepest strikes, oblasts beyond a threshold;
- :mod:`~geo.viz.charts.trends` — incidents or casualties over time, split by target type or weapon;
- :mod:`~geo.viz.charts.oblasts` — the per-oblast table and its choropleth;
- :mod:`~geo.viz.charts.standard` — every exportable chart at once (app and command line);
- :mod:`~geo.viz.charts.bands` — distance bands (edges, labels, which rows count, colours);
- :mod:`~geo.viz.charts.measures` — measures (incidents, killed, ...) and periods (day, week, month);
- :mod:`~geo.viz.charts.snapshots` — front-line snapshot coverage and seams on time charts;
- :mod:`~geo.viz.charts.style` — palettes, font, the shared layout, :func:`escape_label`;
- :mod:`~geo.viz.charts.config` — the plotly config (offline, localised) and date ticks for images.

``from geo.viz import charts`` gives every public name below, as when this was one module.
"""

from __future__ import annotations

from geo.viz.charts.bands import (
    DEFAULT_BAND_EDGES,
    OCCUPIED_BAND,
    assign_distance_band,
    band_display,
    band_labels,
    select_distance_rows,
)
from geo.viz.charts.beyond import (
    build_oblast_beyond_chart,
    compute_deepest_strikes,
    compute_oblast_counts_beyond,
)
from geo.viz.charts.config import (
    OFFLINE_TOPOJSON_URL,
    PLOTLY_OFFLINE_CONFIG,
    PLOTLY_UI_WORDS,
    date_ticks,
    localise_date_axis,
    plotly_config,
    plotly_locale,
)
from geo.viz.charts.distance import (
    build_band_timeline,
    build_distance_histogram,
    build_weapon_mix_chart,
    compute_band_series,
    compute_distance_counts,
    compute_weapon_mix,
)
from geo.viz.charts.measures import FREQUENCIES, GROUPINGS, MEASURES, PERIOD_WORDS
from geo.viz.charts.oblasts import build_oblast_choropleth, compute_oblast_table, previous_period
from geo.viz.charts.snapshots import compute_frontline_coverage, compute_snapshot_seams
from geo.viz.charts.standard import build_standard_charts
from geo.viz.charts.style import (
    BAND_RAMP,
    CHOROPLETH_SCALE,
    OCCUPIED_COLOUR,
    OKABE_ITO,
    OTHER_COLOUR,
    escape_label,
)
from geo.viz.charts.trends import build_trend_chart, compute_trend_series

__all__ = [
    "BAND_RAMP",
    "CHOROPLETH_SCALE",
    "DEFAULT_BAND_EDGES",
    "FREQUENCIES",
    "GROUPINGS",
    "MEASURES",
    "OCCUPIED_BAND",
    "OCCUPIED_COLOUR",
    "OFFLINE_TOPOJSON_URL",
    "OKABE_ITO",
    "OTHER_COLOUR",
    "PERIOD_WORDS",
    "PLOTLY_OFFLINE_CONFIG",
    "PLOTLY_UI_WORDS",
    "assign_distance_band",
    "band_display",
    "band_labels",
    "build_band_timeline",
    "build_distance_histogram",
    "build_oblast_beyond_chart",
    "build_oblast_choropleth",
    "build_standard_charts",
    "build_trend_chart",
    "build_weapon_mix_chart",
    "compute_band_series",
    "compute_deepest_strikes",
    "compute_distance_counts",
    "compute_frontline_coverage",
    "compute_oblast_counts_beyond",
    "compute_oblast_table",
    "compute_snapshot_seams",
    "compute_trend_series",
    "compute_weapon_mix",
    "date_ticks",
    "escape_label",
    "localise_date_axis",
    "plotly_config",
    "plotly_locale",
    "previous_period",
    "select_distance_rows",
]
