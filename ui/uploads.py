"""Uploads: import a user's file with the command line's importers, for this session only.

Files are written to a per-session temporary folder that is deleted as soon as the import
returns; the imported rows live in this session's state and nowhere else.
"""

from __future__ import annotations

import os

import streamlit as st

from geo.build import NothingImportedError
from geo.i18n import N_
from geo.schema import QUARANTINE_REASONS, UnreadableFileError
from geo.sources.registry import format_keys
from ui.data import SESSION_DATA_KEY, FilteredView, get_shared_data, prepare_loaded
from ui.sources import quarantine_download, quarantine_summary
from ui.text import escape_md


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


DATE_ORDERS = {"auto": "decide from the dates", "dayfirst": "day first (03/04/2022 = 3 April)",
               "monthfirst": "month first (03/04/2022 = 4 March)"}


def import_files(files: list[tuple[str, bytes]], fmt: str, mode: str, date_order: str = "auto") -> dict:
    """Import uploaded (name, bytes) pairs into this session's data through the build pipeline; return a summary."""
    from geo.build import build_upload

    total = sum(len(data) for _, data in files)
    if total > UPLOAD_MAX_MB * 1024 * 1024:
        raise UnreadableFileError(
            f"The upload is {total / 1e6:.1f} MB; the limit is {UPLOAD_MAX_MB:g} MB "
            "(set CONFLICTMAP_UPLOAD_MAX_MB, or import large files with `python -m geo ingest`)."
        )
    shared = get_shared_data()
    options = {} if date_order == "auto" else {"date_order": date_order}
    bundle, summary = build_upload(files, fmt, shared.bundle, mode, max_rows=UPLOAD_MAX_ROWS,
                                   max_bytes=int(UPLOAD_MAX_MB * 1024 * 1024), **options)
    if summary["imported"] > UPLOAD_MAX_ROWS:
        raise UnreadableFileError(
            f"The upload holds {summary['imported']:,} incidents; the limit is {UPLOAD_MAX_ROWS:,} "
            "(set CONFLICTMAP_UPLOAD_MAX_ROWS, or use `python -m geo ingest` for large files)."
        )
    if mode == "alongside":
        label, values = N_("your upload together with {base}"), (("base", (shared.label, shared.label_values)),)
    else:
        label, values = N_("your upload (instead of the loaded data)"), ()
    st.session_state[SESSION_DATA_KEY] = prepare_loaded(bundle, key=f"session:{bundle.version}", label=label,
                                                        label_values=values)
    return {**summary, "files": [name for name, _ in files], "mode": mode}


def _reasons_markdown(text: str) -> str:
    """Turn a multi-line import explanation into escaped markdown: first line, then one bullet per reason."""
    lines = text.splitlines()
    return escape_md(lines[0]) + "\n\n" + "\n".join(f"- {escape_md(line.strip(' -'))}" for line in lines[1:])


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
        fmt = st.selectbox("Format", ("auto", *format_keys()), key="upl_format", help="auto = detect from the columns.")
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
            except NothingImportedError as exc:  # every row of a file quarantined: say why, change nothing
                st.error(_reasons_markdown(str(exc)))
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
            f"Now exploring {escape_md(view.data.label_text())}."
        )
        for warning in summary.get("warnings", []):
            st.warning(_reasons_markdown(warning))
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
