"""Tables for the Data & sources page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from geo.filters import _day_to_date
from geo.schema import QUARANTINE_REASONS
from ui.data import FilteredView


def coverage_table(view: FilteredView) -> pd.DataFrame:
    """Return incidents, first and last date per source (all loaded rows)."""
    cols = view.columns
    frame = pd.DataFrame({"code": cols.source_codes, "day": cols.day})
    grouped = frame.groupby("code")["day"].agg(["size", "min", "max"]).reset_index()
    return pd.DataFrame(
        {
            "Source": [cols.source_values[c] if c >= 0 else "unknown" for c in grouped["code"]],
            "Incidents": grouped["size"].astype(np.int64),
            "First date": [_day_to_date(int(d)) for d in grouped["min"]],
            "Last date": [_day_to_date(int(d)) for d in grouped["max"]],
        }
    )


def licence_table(manifest: dict) -> pd.DataFrame:
    """Return the manifest's sources with licence, attribution and redistribution terms."""
    rows = []
    for source in manifest.get("sources", []):
        url = str(source.get("url") or "")
        rows.append(
            {
                "Source": str(source.get("name") or source.get("key") or ""),
                "Key": str(source.get("key") or ""),
                "Licence": str(source.get("licence") or "unknown"),
                "Attribution": str(source.get("attribution") or ""),
                "Redistribution": "allowed" if source.get("redistribution") else "aggregates and links only",
                "Link": url if url.lower().startswith(("http://", "https://")) else None,
            }
        )
    return pd.DataFrame(rows, columns=["Source", "Key", "Licence", "Attribution", "Redistribution", "Link"])


def quarantine_summary(quarantine: pd.DataFrame) -> pd.DataFrame:
    """Return quarantined rows counted by reason, with the reason in plain words."""
    if quarantine is None or quarantine.empty:
        return pd.DataFrame(columns=["Reason", "Rows", "What it means"])
    counts = quarantine["reason"].astype("string").fillna("unknown").value_counts()
    return pd.DataFrame(
        {
            "Reason": counts.index.astype(str),
            "Rows": counts.to_numpy(),
            "What it means": [QUARANTINE_REASONS.get(r, "See the detail column.") for r in counts.index],
        }
    )


def quarantine_download(quarantine: pd.DataFrame) -> bytes:
    """Return the quarantine as CSV with formula-like cells defused."""
    from geo.exports import frame_to_csv

    return frame_to_csv(quarantine)
