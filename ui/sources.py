"""Tables for the Data & sources page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

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
    return frame_csv(quarantine)


@st.cache_data(max_entries=4, show_spinner="Checking for duplicates across sources…")
def _quality(key: str, _incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    # keyed on the data key (path + version); the frame itself is never hashed
    from geo.quality import find_cross_source_duplicates, summarise_quality

    return summarise_quality(_incidents), find_cross_source_duplicates(_incidents)


def render_quality(view: FilteredView) -> None:
    """Show precision and reporting per source, and likely duplicates across sources."""
    summary, pairs = _quality(view.key, view.incidents)
    st.dataframe(summary, hide_index=True, width="stretch")
    st.caption(
        "Shares in % of each source's rows. geo_exact/near = a precise location; area/region = a settlement or "
        "larger area. *_reported_pct = rows where the source gives a figure (not reported is not zero)."
    )
    if pairs.empty:
        st.write("No likely duplicates across sources (same or next day, within 5 km).")
        return
    st.write(
        f"{len(pairs):,} pairs of incidents from different sources lie within 5 km and one day of each other: "
        "they may be the same event counted twice when sources are combined. They are listed, not removed."
    )
    st.dataframe(pairs.head(500), hide_index=True, width="stretch")
    st.download_button("Download the likely duplicate pairs (CSV)", frame_csv(pairs),
                       file_name="cross_source_duplicates.csv", mime="text/csv", key="src_duplicates_csv")


def frame_csv(frame: pd.DataFrame) -> bytes:
    """Return a frame as CSV with formula-like cells defused."""
    from geo.exports import frame_to_csv

    return frame_to_csv(frame)
