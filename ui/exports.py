"""Download buttons for charts, data and the map, and the "Cite this view" block.

Rendering runs on the process-wide export engine (one headless Chromium held in
``st.cache_resource``); the page submits the job, shows a progress bar while the
engine works on its own thread, and keeps the bytes in session state so reruns
do not render again.
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import plotly.graph_objects as go
import streamlit as st

from geo import exports
from geo.citation import build_citation, share_link
from geo.filters import date_bounds
from geo.population import load_population
from geo.viz.charts import plotly_config
from ui import state
from ui.a11y import render_chart_alternative
from ui.data import FilteredView
from ui.i18n import _, current_language, error_text
from ui.state import state_params
from ui.text import escape_md


@st.cache_resource(show_spinner=False)
def get_engine() -> exports.ExportEngine:
    """Return the one export engine of this process (started once, kept alive)."""
    return exports.get_export_engine()


def _engine() -> exports.ExportEngine:
    with st.spinner(_("Starting the export engine…")):
        return get_engine()


@st.cache_data(show_spinner=False)
def get_population() -> dict[str, int]:
    """Return the pre-war population per ISO code (read once)."""
    return load_population()


def share_url(view: FilteredView) -> str:
    """Return the public URL that reopens this view, or "" (never a localhost link)."""
    query = urlencode(state_params(view.filters), doseq=True)
    return share_link(query, str(getattr(st.context, "url", "") or ""))


def described_filters(view: FilteredView) -> str:
    """The filters in words, with open date ends replaced by the data's real first and last dates."""
    bounds = date_bounds(view.columns)
    filters = view.filters
    if bounds is not None:
        filters = filters.replace(date_from=filters.date_from or bounds[0], date_to=filters.date_to or bounds[1])
    return filters.describe(current_language())


def export_context(view: FilteredView) -> exports.ExportContext:
    """Return the caption/provenance context of the current view."""
    return exports.build_export_context(
        view.filtered(["date", "source"]),
        view.bundle.manifest,
        view.bundle.version,
        described_filters(view),
        view.filters.to_query_params(),
        share_url=share_url(view),
        lang=current_language(),
    )


def snapshot_page(page: str) -> bytes:
    """Render a standalone page to a PNG at 2x on the export engine."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "map.html"
        path.write_text(page, encoding="utf-8")
        return exports.snapshot_map_html(path, engine=_engine())


def _wait(futures: dict, label: str) -> dict[str, bytes]:
    bar = st.progress(0.0, text=label)
    results: dict[str, bytes] = {}
    while len(results) < len(futures):
        for name, future in futures.items():
            if name not in results and future.done():
                results[name] = future.result()
        bar.progress(len(results) / len(futures), text=_("{label} ({done} of {total})", label=label, done=len(results), total=len(futures)))
        if len(results) < len(futures):
            time.sleep(0.1)
    bar.empty()
    return results


def download_name(view: FilteredView, page: str, item: str, ext: str) -> str:
    """Return a download's descriptive name: page, item, filters and the last date shown."""
    bounds = date_bounds(view.columns, view.mask)
    last = view.filters.date_to or (bounds[1] if bounds else None)
    return exports.export_filename(page, item, view.filters.describe(current_language()), last, ext)


def show_chart(fig: go.Figure, stem: str, view: FilteredView, settings: tuple = (), page: str = "",
               notes: tuple[str, ...] = ()) -> None:
    """Show a plotly chart (offline config) with PNG and SVG downloads; ``notes`` go inside the images."""
    st.plotly_chart(fig, config=plotly_config(current_language()), key=f"chart_{stem}")
    render_chart_alternative(fig, stem)
    token = f"{stem}:{state.export_token(view, settings, notes)}"
    files = state.stored_export(token)
    cols = st.columns([1, 1, 1, 3])
    if files is None:
        if cols[0].button(_("Prepare PNG + SVG"), key=f"exp_prep_{stem}", help=_("Renders the chart with its caption")):
            try:
                engine = _engine()
                context = export_context(view)
                futures = {
                    fmt: exports.submit_figure_export(fig, context, fmt, engine=engine, notes=notes) for fmt in ("png", "svg")
                }
                state.store_export(token, _wait(futures, _("Rendering")))
            except exports.ExportError as exc:
                st.error(escape_md(error_text(exc)))
                return
            st.rerun()
        return
    name = {fmt: download_name(view, page or "chart", stem, fmt) for fmt in ("png", "svg")}
    cols[0].download_button(_("PNG (2x)"), files["png"], name["png"], "image/png", key=f"exp_png_{stem}")
    cols[1].download_button("SVG", files["svg"], name["svg"], "image/svg+xml", key=f"exp_svg_{stem}")


def render_data_downloads(view: FilteredView) -> None:
    """Offer the filtered incidents as CSV/GeoJSON with the provenance sidecar."""
    token = f"data:{state.export_token(view)}"
    files = state.stored_export(token)
    if files is None:
        if st.button(_("Prepare data export"), key="exp_data_prep"):
            with st.spinner(_("Preparing CSV, GeoJSON and provenance…")):
                state.store_export(token, exports.build_data_exports(view.filtered(), export_context(view), view.bundle.manifest))
            st.rerun()
        return
    sidecar_name = next(n for n in files if n.endswith(".provenance.json"))
    if any(n.endswith("_withheld_aggregates.csv") for n in files):
        st.warning(_(
            "Some sources do not allow their raw rows to be redistributed; those incidents are exported "
            "as counts per oblast and month with links. The provenance file says which and why."
        ))
    mimes = {".csv": "text/csv", ".geojson": "application/geo+json", ".json": "application/json"}
    cols = st.columns(len(files))
    for col, (name, data) in zip(cols, files.items(), strict=True):
        mime = next((m for ext, m in mimes.items() if name.endswith(ext)), "application/octet-stream")
        label = _("Provenance") if name == sidecar_name else name
        col.download_button(label, data, name, mime, key=f"exp_dl_{name}")


def render_map_downloads(view: FilteredView, frame, key: str = "map", page: str = "map") -> None:
    """Offer an offline HTML map of ``frame`` and its PNG snapshot (named by page, ``key``, filters, date)."""
    token = f"{key}:{state.export_token(view, len(frame))}"
    files = state.stored_export(token)
    if files is None:
        if st.button(_("Prepare map HTML + PNG"), key=f"exp_map_prep_{key}"):
            try:
                context = export_context(view)
                page = exports.build_map_page(frame, context, view.bundle.boundaries, view.bundle.frontlines,
                                              lang=current_language())
                engine = _engine()
                with st.spinner(_("Rendering the map snapshot…")):
                    import tempfile
                    from pathlib import Path

                    with tempfile.TemporaryDirectory() as tmp:
                        path = Path(tmp) / "map.html"
                        path.write_text(page, encoding="utf-8")
                        png = exports.snapshot_map_html(path, engine=engine)
                state.store_export(token, {"html": page.encode("utf-8"), "png": png})
            except exports.ExportError as exc:
                st.error(escape_md(error_text(exc)))
                return
            st.rerun()
        return
    cols = st.columns([1, 1, 4])
    item = key.replace("_", "-")
    cols[0].download_button(_("Map HTML"), files["html"], download_name(view, page, item, "html"), "text/html",
                            key=f"exp_map_html_{key}")
    cols[1].download_button(_("Map PNG"), files["png"], download_name(view, page, item, "png"), "image/png",
                            key=f"exp_map_png_{key}")


def render_citation(view: FilteredView) -> None:
    """Show the "Cite this view" block as plain text and BibTeX."""
    context = export_context(view)
    citation = build_citation(
        filters_description=context.filters_description,
        share_url=context.share_url,
        data_version=context.data_version,
        sources=context.sources,
        lang=context.lang,
    )
    st.code(citation.text, language=None, wrap_lines=True)
    with st.expander("BibTeX"):
        st.code(citation.bibtex, language="bibtex", wrap_lines=True)


def render_export_panel(view: FilteredView) -> None:
    """Data downloads and the citation, for the bottom of an analysis page."""
    with st.expander(_("Export data and cite this view"), icon=":material/download:"):
        render_data_downloads(view)
        st.markdown("**" + _("Cite this view") + "**")
        render_citation(view)
