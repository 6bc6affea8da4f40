"""Tables for the Data & sources page."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from geo.filters import _day_to_date
from geo.i18n import N_, translator
from geo.schema import QUARANTINE_REASONS
from geo.taxonomy import DATE_PRECISIONS, GEO_PRECISIONS
from ui.data import FilteredView
from ui.i18n import _


def header_config(columns) -> dict:
    """Return ``column_config`` that shows each English column key as its header in the session's language."""
    labels = {
        "Source": _("Source"), "Incidents": _("Incidents"), "First date": _("First date"),
        "Last date": _("Last date"), "Key": _("Key"), "Licence": _("Licence"), "Attribution": _("Attribution"),
        "Redistribution": _("Redistribution"), "Link": _("Link"), "Reason": _("Reason"), "Rows": _("Rows"),
        "What it means": _("What it means"),
        # geo.quality.summarise_quality
        "source": _("Source"), "incidents": _("Records"),
        "killed_reported_pct": _("Killed reported, %"), "injured_reported_pct": _("Injured reported, %"),
        "with_oblast_pct": _("With an oblast, %"),
        # geo.quality.find_cross_source_duplicates
        "incident_id_a": _("Incident A"), "incident_id_b": _("Incident B"), "source_a": _("Source A"),
        "source_b": _("Source B"), "date_a": _("Date A"), "date_b": _("Date B"), "days": _("Days apart"),
        "km": _("Kilometres apart"),
    }
    location = {"exact": _("Location exact, %"), "near": _("Location near a named place, %"),
                "area": _("Location: settlement or district, %"), "region": _("Location: region, %"),
                "unknown": _("Location not known, %")}
    dates = {"day": _("Date to the day, %"), "week": _("Date to the week, %"), "month": _("Date to the month, %"),
             "unknown": _("Date not known, %")}
    labels.update({f"geo_{level}_pct": location.get(level, level) for level in GEO_PRECISIONS})
    labels.update({f"date_{level}_pct": dates.get(level, level) for level in DATE_PRECISIONS})
    config = {column: st.column_config.Column(label=labels[column]) for column in columns if column in labels}
    if "Link" in config:
        config["Link"] = st.column_config.LinkColumn(labels["Link"], display_text=_("open"))
    return config


def coverage_table(view: FilteredView) -> pd.DataFrame:
    """Return incidents, first and last date per source (all loaded rows)."""
    cols = view.columns
    frame = pd.DataFrame({"code": cols.source_codes, "day": cols.day})
    grouped = frame.groupby("code")["day"].agg(["size", "min", "max"]).reset_index()
    return pd.DataFrame(
        {
            "Source": [cols.source_values[c] if c >= 0 else _("unknown") for c in grouped["code"]],
            "Incidents": grouped["size"].astype(np.int64),
            "First date": [_day_to_date(int(d)) for d in grouped["min"]],
            "Last date": [_day_to_date(int(d)) for d in grouped["max"]],
        }
    )


def licence_table(manifest: dict, lang: str = "en") -> pd.DataFrame:
    """Return the manifest's sources with licence, attribution and redistribution terms (words in ``lang``)."""
    tr = translator(lang)
    rows = []
    for source in manifest.get("sources", []):
        url = str(source.get("url") or "")
        rows.append(
            {
                "Source": str(source.get("name") or source.get("key") or ""),
                "Key": str(source.get("key") or ""),
                "Licence": str(source.get("licence") or tr(N_("unknown"))),
                "Attribution": str(source.get("attribution") or ""),
                "Redistribution": tr(N_("allowed")) if source.get("redistribution") else tr(N_("aggregates and links only")),
                "Link": url if url.lower().startswith(("http://", "https://")) else None,
            }
        )
    return pd.DataFrame(rows, columns=["Source", "Key", "Licence", "Attribution", "Redistribution", "Link"])


def quarantine_summary(quarantine: pd.DataFrame, lang: str = "en") -> pd.DataFrame:
    """Return quarantined rows counted by reason, with the reason in plain words (in ``lang``)."""
    if quarantine is None or quarantine.empty:
        return pd.DataFrame(columns=["Reason", "Rows", "What it means"])
    tr = translator(lang)
    counts = quarantine["reason"].astype("string").fillna("unknown").value_counts()
    return pd.DataFrame(
        {
            "Reason": counts.index.astype(str),
            "Rows": counts.to_numpy(),
            "What it means": [tr(QUARANTINE_REASONS[r]) if r in QUARANTINE_REASONS else tr(N_("See the detail column."))
                              for r in counts.index],
        }
    )


def quarantine_download(quarantine: pd.DataFrame) -> bytes:
    """Return the quarantine as CSV with formula-like cells defused."""
    return frame_csv(quarantine)


@st.cache_data(max_entries=4, show_spinner=False)
def _quality(key: str, _incidents: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    # keyed on the data key (path + version); the frame itself is never hashed
    from geo.quality import find_cross_source_duplicates, summarise_quality

    return summarise_quality(_incidents), find_cross_source_duplicates(_incidents)


def render_quality(view: FilteredView) -> None:
    """Show precision and reporting per source, and likely duplicates across sources."""
    with st.spinner(_("Checking for duplicates across sources…")):
        summary, pairs = _quality(view.key, view.incidents)
    st.dataframe(summary, hide_index=True, width="stretch", column_config=header_config(summary.columns))
    st.caption(_(
        "Shares in % of each source's rows. An exact point or a place near a named settlement is a precise "
        "location; a settlement, district or region is an area. Reported shares count the rows where the source "
        "gives a figure (not reported is not zero)."
    ))
    if pairs.empty:
        st.write(_("No likely duplicates across sources (same or next day, within 5 km)."))
        return
    st.write(_.ngettext(
        "{n} pair of incidents from different sources lies within 5 km and one day of each other: it may be the "
        "same event counted twice when sources are combined. Pairs are listed, not removed.",
        "{n} pairs of incidents from different sources lie within 5 km and one day of each other: they may be the "
        "same event counted twice when sources are combined. They are listed, not removed.",
        len(pairs)))
    st.dataframe(pairs.head(500), hide_index=True, width="stretch", column_config=header_config(pairs.columns))
    st.download_button(_("Download the likely duplicate pairs (CSV)"), frame_csv(pairs),
                       file_name="cross_source_duplicates.csv", mime="text/csv", key="src_duplicates_csv")


def frame_csv(frame: pd.DataFrame) -> bytes:
    """Return a frame as CSV with formula-like cells defused."""
    from geo.exports import frame_to_csv

    return frame_to_csv(frame)
