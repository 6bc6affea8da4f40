"""Front-line snapshots on time charts: the period they cover and the seams where their source changes."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go

from geo.i18n import Translator, translator
from geo.viz.charts.style import escape_label


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
