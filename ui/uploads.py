"""Uploads: import a user's file with the command line's importers, for this session only.

Files are written to a per-session temporary folder that is deleted as soon as the import
returns; the imported rows live in this session's state and nowhere else.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.datadir import add_bitsets
from geo.schema import ALL_COLUMNS, QUARANTINE_REASONS, UnreadableFileError, coerce_incidents
from ui.data import SESSION_DATA_KEY, FilteredView, get_shared_data, prepare_loaded
from ui.sources import quarantine_download, quarantine_summary
from ui.text import escape_md

FORMATS = ("auto", "acled", "ucdp", "bellingcat", "bellingcat_timemap", "curated", "generic")


def _env_limit(name: str, default: float, kind: type) -> float:
    """Read a positive limit from the environment; a malformed value falls back to the default."""
    try:
        value = kind(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


UPLOAD_MAX_MB = _env_limit("CONFLICTMAP_UPLOAD_MAX_MB", 50.0, float)
UPLOAD_MAX_ROWS = _env_limit("CONFLICTMAP_UPLOAD_MAX_ROWS", 200_000, int)
SUMMARY_KEY = "upl_summary"


def _safe_name(name: str) -> str:
    base = Path(str(name)).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[:120]


DATE_ORDERS = {"auto": "decide from the dates", "dayfirst": "day first (03/04/2022 = 3 April)",
               "monthfirst": "month first (03/04/2022 = 4 March)"}


def import_files(files: list[tuple[str, bytes]], fmt: str, mode: str, date_order: str = "auto") -> dict:
    """Import uploaded (name, bytes) pairs into this session's data; return a summary dict."""
    from geo.ingest import read_incidents

    total = sum(len(data) for _, data in files)
    if total > UPLOAD_MAX_MB * 1024 * 1024:
        raise UnreadableFileError(
            f"The upload is {total / 1e6:.1f} MB; the limit is {UPLOAD_MAX_MB:g} MB "
            "(set CONFLICTMAP_UPLOAD_MAX_MB, or import large files with `python -m geo ingest`)."
        )
    shared = get_shared_data()
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="conflictmap-upload-") as folder:
        paths = []
        for i, (name, data) in enumerate(files):
            path = Path(folder) / f"{i:02d}-{_safe_name(name)}"
            path.write_bytes(data)
            digest.update(data)
            paths.append(path)
        result = read_incidents(paths, fmt=fmt, max_rows=UPLOAD_MAX_ROWS, max_bytes=int(UPLOAD_MAX_MB * 1024 * 1024),
                                date_order=None if date_order == "auto" else date_order)
    if len(result.incidents) > UPLOAD_MAX_ROWS:
        raise UnreadableFileError(
            f"The upload holds {len(result.incidents):,} incidents; the limit is {UPLOAD_MAX_ROWS:,} "
            "(set CONFLICTMAP_UPLOAD_MAX_ROWS, or use `python -m geo ingest` for large files)."
        )
    incidents = coerce_incidents(_enrich(result.incidents, shared.bundle), ALL_COLUMNS)
    if mode == "alongside":
        # Like geo.ingest.merge_incidents (new rows win), but keeping the enrichment columns.
        existing = shared.bundle.incidents[[c for c in ALL_COLUMNS if c in shared.bundle.incidents.columns]]
        kept = existing[~existing["incident_id"].isin(set(incidents["incident_id"].dropna()))]
        incidents = pd.concat([kept, incidents], ignore_index=True)
    incidents = add_bitsets(coerce_incidents(incidents, ALL_COLUMNS))
    manifest = dict(shared.bundle.manifest) if mode == "alongside" else {}
    known = {s.get("key") for s in manifest.get("sources", [])}
    upload_sources = sorted(result.incidents["source"].dropna().astype(str).unique())
    manifest["sources"] = list(manifest.get("sources", [])) + [
        {"key": key, "name": f"Your upload ({key})", "licence": "Your own file: check its terms before sharing",
         "attribution": key, "url": "", "redistribution": True}
        for key in upload_sources
        if key not in known
    ]
    version = f"upload-{digest.hexdigest()[:12]}-{mode}-{shared.bundle.version}"
    bundle = dataclasses.replace(
        shared.bundle,
        incidents=incidents,
        quarantine=result.quarantine,
        manifest=manifest,
        version=version,
        is_default=False,
    )
    label = "your upload " + ("together with " + shared.label if mode == "alongside" else "(instead of the loaded data)")
    st.session_state[SESSION_DATA_KEY] = prepare_loaded(bundle, key=f"session:{version}", label=label)
    return {
        "files": [name for name, _ in files],
        "rows_read": int(result.rows_read),
        "imported": len(result.incidents),
        "quarantined": len(result.quarantine),
        "messages": list(result.messages),
        "quarantine": result.quarantine,
        "mode": mode,
    }


def _enrich(incidents: pd.DataFrame, bundle) -> pd.DataFrame:
    try:
        from geo.enrich import enrich_incidents
    except ImportError:
        # Until the enrichment module is installed: oblasts only, no front distances.
        from geo.boundaries import assign_admin1

        frame = coerce_incidents(incidents, ALL_COLUMNS)
        iso, name = assign_admin1(frame["lon"].to_numpy(), frame["lat"].to_numpy(), bundle.boundaries)
        frame["admin1_iso"] = pd.array(iso, dtype="string")
        frame["admin1_name"] = pd.array(name, dtype="string")
        return frame
    return enrich_incidents(incidents, bundle.boundaries, bundle.frontlines)


def render_uploads(view: FilteredView) -> None:
    """Upload form, import summary, quarantine download and a way back to the shared data."""
    ss = st.session_state
    st.write(
        f"Add a CSV, Excel or JSON export (ACLED, UCDP GED, Bellingcat, or any table with dates and coordinates). "
        f"It is imported with the same importers as the command line and kept for this browser session only: "
        f"nothing is written on the server. Limits: {UPLOAD_MAX_MB:g} MB and {UPLOAD_MAX_ROWS:,} incidents."
    )
    with st.form("upl_form"):
        files = st.file_uploader("Files", accept_multiple_files=True, key="upl_files",
                                 type=["csv", "tsv", "txt", "xlsx", "json", "geojson"])
        fmt = st.selectbox("Format", FORMATS, key="upl_format", help="auto = detect from the columns.")
        date_order = st.radio("Numeric dates (03/04/2022)", list(DATE_ORDERS), key="upl_date_order", horizontal=True,
                              format_func=DATE_ORDERS.get,
                              help="Only needed when every date could be read either way; the import tells you.")
        mode = st.radio("Explore it", ["alongside", "instead"], key="upl_mode", horizontal=True,
                        format_func={"alongside": "alongside the loaded data", "instead": "instead of the loaded data"}.get)
        submitted = st.form_submit_button("Import")
    if submitted:
        if not files:
            st.warning("Choose at least one file first.")
        else:
            try:
                with st.spinner("Importing…"):
                    ss[SUMMARY_KEY] = import_files([(f.name, f.getvalue()) for f in files], fmt, mode, date_order)
            except ValueError as exc:  # UnreadableFileError and bad options: a message, never a traceback
                st.error(escape_md(str(exc)))
            except ImportError:
                st.error("Importing files is not available in this installation (the importers are missing).")
            else:
                st.rerun()
    summary = ss.get(SUMMARY_KEY)
    if summary and ss.get(SESSION_DATA_KEY) is not None:
        st.success(
            f"Imported {summary['imported']:,} of {summary['rows_read']:,} rows from "
            f"{escape_md(', '.join(summary['files']))}; {summary['quarantined']:,} set aside. "
            f"Now exploring {escape_md(view.data.label)}."
        )
        for message in summary["messages"]:
            st.caption(escape_md(message))
        if summary["quarantined"]:
            st.dataframe(quarantine_summary(summary["quarantine"]), hide_index=True, width="stretch")
            st.download_button("Download your quarantined rows (CSV)", quarantine_download(summary["quarantine"]),
                               file_name="upload-quarantine.csv", mime="text/csv", key="upl_quarantine_csv")
        if st.button("Stop using my upload", key="upl_clear"):
            ss.pop(SESSION_DATA_KEY, None)
            ss.pop(SUMMARY_KEY, None)
            st.rerun()
    st.caption("Reasons a row can be set aside: " + "; ".join(escape_md(v) for v in list(QUARANTINE_REASONS.values())[:4]) + "; and more.")
