"""Far from the front: the deepest strikes and the oblasts hit beyond a distance threshold.

Every function here takes the same arguments, documented once here:

frame : pandas.DataFrame
    Incidents.
threshold_km : float
    Keep incidents with ``front_distance_km >= threshold_km``.
include_imprecise : bool
    Count approximate locations too (:func:`~geo.viz.charts.bands.select_distance_rows`).
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from geo.i18n import translator
from geo.taxonomy import TARGET_TYPES, WEAPONS, label
from geo.viz.charts.bands import _decimal, select_distance_rows
from geo.viz.charts.oblasts import _casualty_labels, _oblast_name, _oblast_sums, _ranked, _shown_oblast
from geo.viz.charts.style import OKABE_ITO, _base_layout, escape_label


def _beyond(frame: pd.DataFrame, threshold_km: float, include_imprecise: bool) -> pd.DataFrame:
    """Return the rows that enter distance statistics and lie ``threshold_km`` or more from the line."""
    rows = select_distance_rows(frame, include_imprecise)
    return rows.loc[(rows["front_distance_km"] >= float(threshold_km)).to_numpy(dtype=bool)]


def compute_deepest_strikes(
    frame: pd.DataFrame, threshold_km: float = 100.0, limit: int | None = 100, include_imprecise: bool = False
) -> pd.DataFrame:
    """Rank the incidents farthest from the line of contact beyond a threshold.

    Parameters
    ----------
    limit : int or None
        Maximum rows (``None`` = all).

    Returns
    -------
    pandas.DataFrame
        Columns ``incident_id, date, place, oblast, target, weapon, killed,
        injured, distance_km, sources, lon, lat``, farthest first. Text is left
        unescaped (it is for tables, not plotly labels).
    """
    rows = _beyond(frame, threshold_km, include_imprecise)
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

    Returns
    -------
    pandas.DataFrame
        ``admin1_iso, oblast, incidents, killed, injured``, only oblasts with at
        least one incident, most incidents first.
    """
    rows = _beyond(frame, threshold_km, include_imprecise)
    return _ranked(_oblast_sums(rows))


def build_oblast_beyond_chart(
    frame: pd.DataFrame, threshold_km: float = 100.0, include_imprecise: bool = False, lang: str = "en"
) -> go.Figure:
    """Horizontal bar chart of incidents per oblast beyond ``threshold_km``.

    The bars are :func:`compute_oblast_counts_beyond`; ``lang`` (``"en"`` or ``"uk"``) is the
    language of the title, the oblast names and the hover text.

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace, oblasts sorted by count (largest on top).
    """
    _ = translator(lang)
    table = compute_oblast_counts_beyond(frame, threshold_km, include_imprecise)
    km = _decimal(f"{threshold_km:g}", _)
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
