"""Measure how well event fusion links records: precision and recall on a labelled sample.

The labelled sample (``tests/data/fusion_labels.csv``) holds only pairs of incident ids, a
label and how the label was obtained, never a copy of a third-party row. Ids are those the
importers give the real files in ``../shared/data`` (a content hash for rows without a
publisher id). ``python -m geo.fusion_validation [DATA]`` rebuilds the fused table from
those files and prints the figures reported in ``docs/FUSION.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

#: The real files the labels refer to, relative to the shared data directory, in import order.
REAL_FILES: tuple[str, ...] = (
    "incidents/bellingcat/ukr-civharm-2024-02-26.csv",
    "incidents/bellingcat/timemap-api-2023-05-28/export_events.json",
    "incidents/bellingcat/incidents-2025-07-reduced.json",
    "incidents/ucdp/ucdp-ged-ukraine-2014-2022-02.csv",
    "incidents/ucdp/ucdp-ukraine-2014-2023-02-cp1252.csv",
)
LABELS = Path(__file__).resolve().parents[1] / "tests" / "data" / "fusion_labels.csv"
CURATED = Path(__file__).resolve().parents[1] / "data" / "curated" / "incidents.csv"


def build_real_table(data_dir: Path) -> pd.DataFrame:
    """Import the real files and the curated file, merge by id and fuse them.

    Parameters
    ----------
    data_dir : Path
        The shared data directory (``../shared/data``).

    Returns
    -------
    pandas.DataFrame
        The fused incident table (import columns, ``event_category`` and the event columns).
    """
    from geo.fusion import fuse_incidents
    from geo.ingest import merge_incidents, read_incidents

    table = None
    for name in (*REAL_FILES, None):
        path = CURATED if name is None else data_dir / name
        result = read_incidents([path])
        table = result.incidents if table is None else merge_incidents(table, result.incidents)
    return fuse_incidents(table)


def shared_url_pairs(fused: pd.DataFrame, max_days: int = 1, max_km: float = 10.0) -> pd.DataFrame:
    """Record pairs that share a cited URL no other record cites, close in time and place.

    This is how the ``shared_url_*`` label samples are derived: a specific URL cited by exactly
    these two records, within ``max_days`` days and ``max_km`` km (WGS84 geodesic). The labels
    follow the citations, so when a record stops citing a link (e.g. the curated audit removed
    links that were never read) its pair disappears from the sample.

    Parameters
    ----------
    fused : pandas.DataFrame
        Table with ``incident_id``, ``source``, ``date``, ``lon``, ``lat`` and ``source_urls``
        (a list of URLs per record, or None).
    max_days : int, default 1
        Largest difference between the two records' dates, in days.
    max_km : float, default 10.0
        Largest geodesic distance between the two records' points, in km.

    Returns
    -------
    pandas.DataFrame
        Columns ``a``, ``b`` (incident ids, ``a`` < ``b``), ``source_a``, ``source_b``, ``days``,
        ``km`` and ``url``; one row per pair (the first shared URL when they share several).
    """
    from pyproj import Geod

    frame = fused[["incident_id", "source", "date", "lon", "lat", "source_urls"]].reset_index(drop=True)
    links = frame[["source_urls"]].explode("source_urls").dropna()
    links = links.reset_index().rename(columns={"index": "row", "source_urls": "url"}).drop_duplicates()
    links = links[links["url"].astype(str).str.len() > 0]
    counts = links.groupby("url")["row"].transform("size")
    twice = links[counts == 2].sort_values(["url", "row"])
    first, second = twice.groupby("url")["row"].first(), twice.groupby("url")["row"].last()
    left, right = frame.loc[first.to_numpy()].reset_index(drop=True), frame.loc[second.to_numpy()].reset_index(drop=True)
    days = (pd.to_datetime(left["date"]) - pd.to_datetime(right["date"])).dt.days.abs().to_numpy()
    _, _, metres = Geod(ellps="WGS84").inv(left["lon"].to_numpy(float), left["lat"].to_numpy(float),
                                           right["lon"].to_numpy(float), right["lat"].to_numpy(float))
    out = pd.DataFrame({"a": left["incident_id"].astype(str), "b": right["incident_id"].astype(str),
                        "source_a": left["source"].astype(str), "source_b": right["source"].astype(str),
                        "days": days, "km": metres / 1000.0, "url": first.index.to_numpy()})
    swap = out["a"] > out["b"]
    out.loc[swap, ["a", "b", "source_a", "source_b"]] = out.loc[swap, ["b", "a", "source_b", "source_a"]].to_numpy()
    out = out[(out["days"] <= max_days) & (out["km"] <= max_km)]
    return out.drop_duplicates(["a", "b"]).sort_values(["a", "b"]).reset_index(drop=True)


def score_labels(fused: pd.DataFrame, labels: pd.DataFrame) -> pd.DataFrame:
    """Return precision and recall of the linking per label basis and overall.

    Parameters
    ----------
    fused : pandas.DataFrame
        Table with ``incident_id`` and ``event_id``.
    labels : pandas.DataFrame
        Columns ``a``, ``b`` (incident ids), ``label`` (match / nonmatch / unclear), ``basis``.

    Returns
    -------
    pandas.DataFrame
        One row per basis plus ``all``: ``pairs``, ``found`` (both ids present), ``tp``,
        ``fp``, ``fn``, ``tn``, ``precision``, ``recall`` (NaN when undefined); unclear
        pairs are counted in ``unclear_linked`` / ``unclear_apart`` only.
    """
    event = pd.Series(fused["event_id"].astype(str).to_numpy(), index=fused["incident_id"].astype(str).to_numpy())
    event = event[~event.index.duplicated()]
    frame = labels.copy()
    frame["found"] = frame["a"].isin(event.index) & frame["b"].isin(event.index)
    found = frame[frame["found"]].copy()
    found["linked"] = event.reindex(found["a"]).to_numpy() == event.reindex(found["b"]).to_numpy()
    rows = []
    for basis, group in [*found.groupby("basis"), ("all", found)]:
        match, nonmatch, unclear = (group["label"] == v for v in ("match", "nonmatch", "unclear"))
        tp = int((match & group["linked"]).sum())
        fn = int((match & ~group["linked"]).sum())
        fp = int((nonmatch & group["linked"]).sum())
        tn = int((nonmatch & ~group["linked"]).sum())
        rows.append({
            "basis": basis, "pairs": int((frame["basis"] == basis).sum()) if basis != "all" else len(frame),
            "found": len(group), "tp": tp, "fp": fp, "fn": fn, "tn": tn,
            "unclear_linked": int((unclear & group["linked"]).sum()), "unclear_apart": int((unclear & ~group["linked"]).sum()),
            "precision": tp / (tp + fp) if tp + fp else float("nan"),
            "recall": tp / (tp + fn) if tp + fn else float("nan"),
        })
    return pd.DataFrame(rows).set_index("basis")


def main(argv: list[str] | None = None) -> int:
    """Print the validation table for the shared data directory (default ``../shared/data``)."""
    args = sys.argv[1:] if argv is None else argv
    data_dir = Path(args[0]) if args else Path(__file__).resolve().parents[1].parent / "shared" / "data"
    fused = build_real_table(data_dir)
    labels = pd.read_csv(LABELS, dtype=str, comment="#")
    print(score_labels(fused, labels).to_string(float_format=lambda v: f"{v:.3f}"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
