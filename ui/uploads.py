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
from ui.i18n import _, current_language, error_text, shown
from ui.sources import header_config, quarantine_download, quarantine_summary
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


#: Import formats (geo.sources.registry.format_keys) in words; proper names stay as they are.
FORMAT_LABELS = {"auto": N_("detect from the columns"), "bellingcat_timemap": "Bellingcat TimeMap",
                 "curated": N_("curated dataset"), "acled": "ACLED", "ucdp": "UCDP GED", "bellingcat": "Bellingcat",
                 "generic": N_("any table with dates and coordinates")}
DATE_ORDERS = {"auto": N_("decide from the dates"), "dayfirst": N_("day first (03/04/2022 = 3 April)"),
               "monthfirst": N_("month first (03/04/2022 = 4 March)")}


def import_files(files: list[tuple[str, bytes]], fmt: str, mode: str, date_order: str = "auto") -> dict:
    """Import uploaded (name, bytes) pairs into this session's data through the build pipeline; return a summary."""
    from geo.build import build_upload

    total = sum(len(data) for _, data in files)
    if total > UPLOAD_MAX_MB * 1024 * 1024:
        raise UnreadableFileError(
            _("The upload is {size} MB; the limit is {limit} MB (set CONFLICTMAP_UPLOAD_MAX_MB, or import large "
              "files with `python -m geo ingest`).", size=round(total / 1e6, 1), limit=UPLOAD_MAX_MB)
        )
    shared = get_shared_data()
    options = {} if date_order == "auto" else {"date_order": date_order}
    bundle, summary = build_upload(files, fmt, shared.bundle, mode, max_rows=UPLOAD_MAX_ROWS,
                                   max_bytes=int(UPLOAD_MAX_MB * 1024 * 1024), **options)
    if summary["imported"] > UPLOAD_MAX_ROWS:
        raise UnreadableFileError(
            _("The upload holds {n} incidents; the limit is {limit} (set CONFLICTMAP_UPLOAD_MAX_ROWS, or use "
              "`python -m geo ingest` for large files).", n=summary["imported"], limit=UPLOAD_MAX_ROWS)
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


def show_import_error(exc: BaseException) -> None:
    """Say why an import failed, in the session's language; nothing was changed (never a traceback)."""
    if isinstance(exc, NothingImportedError):  # every row of a file quarantined: say why, change nothing
        st.error(_reasons_markdown(error_text(exc)))
    else:  # UnreadableFileError, AmbiguousDateOrder and bad options: a message
        st.error(escape_md(error_text(exc)))


def render_uploads(view: FilteredView) -> None:
    """Upload form, import summary, quarantine download and a way back to the shared data."""
    ss = st.session_state
    st.write(_(
        "Add a CSV, Excel or JSON export (ACLED, UCDP GED, Bellingcat, or any table with dates and coordinates). "
        "It is imported with the same importers as the command line and kept for this browser session only: "
        "nothing is written on the server. Limits: {mb} MB and {rows} incidents.",
        mb=UPLOAD_MAX_MB, rows=UPLOAD_MAX_ROWS))
    with st.form("upl_form"):
        files = st.file_uploader(_("Files"), accept_multiple_files=True, key="upl_files",
                                 type=["csv", "tsv", "txt", "xlsx", "json", "geojson"])
        formats = ("auto", *format_keys())
        fmt = st.selectbox(_("Format"), formats, key="upl_format",
                           format_func={k: _(FORMAT_LABELS.get(k, k)) for k in formats}.get,
                           help=_("Detect from the columns, or name the source the file was exported from."))
        date_order = st.radio(_("Numeric dates (03/04/2022)"), list(DATE_ORDERS), key="upl_date_order",
                              horizontal=True, format_func={k: _(v) for k, v in DATE_ORDERS.items()}.get,
                              help=_("Only needed when every date could be read either way; the import tells you."))
        mode = st.radio(_("Explore it"), ["alongside", "instead"], key="upl_mode", horizontal=True,
                        format_func={"alongside": _("alongside the loaded data"),
                                     "instead": _("instead of the loaded data")}.get)
        submitted = st.form_submit_button(_("Import"))
    if submitted:
        if not files:
            st.warning(_("Choose at least one file first."))
        else:
            try:
                with st.spinner(_("Importing…")):
                    ss[SUMMARY_KEY] = import_files([(f.name, f.getvalue()) for f in files], fmt, mode, date_order)
            except ValueError as exc:
                show_import_error(exc)
            else:
                st.rerun()
    summary = ss.get(SUMMARY_KEY)
    if summary and ss.get(SESSION_DATA_KEY) is not None:
        st.success(_.ngettext(
            "Imported {imported} of {n} row from {files}; {quarantined} set aside. Now exploring {data}.",
            "Imported {imported} of {n} rows from {files}; {quarantined} set aside. Now exploring {data}.",
            summary["rows_read"], imported=summary["imported"], quarantined=summary["quarantined"],
            files=escape_md(", ".join(summary["files"])), data=escape_md(view.data.label_text())))
        for warning in summary.get("warnings", []):
            st.warning(_reasons_markdown(shown(warning)))
        for message in summary["messages"]:
            st.caption(escape_md(shown(message)))
        if summary["quarantined"]:
            table = quarantine_summary(summary["quarantine"], current_language())
            st.dataframe(table, hide_index=True, width="stretch", column_config=header_config(table.columns))
            st.download_button(_("Download your quarantined rows (CSV)"), quarantine_download(summary["quarantine"]),
                               file_name="upload-quarantine.csv", mime="text/csv", key="upl_quarantine_csv")
        if st.button(_("Stop using my upload"), key="upl_clear"):
            ss.pop(SESSION_DATA_KEY, None)
            ss.pop(SUMMARY_KEY, None)
            st.rerun()
    reasons = "; ".join(escape_md(_(v).rstrip(".")) for v in list(QUARANTINE_REASONS.values())[:4])
    st.caption(_("Reasons a row can be set aside: {reasons}; and more.", reasons=reasons))
