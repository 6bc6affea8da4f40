"""The map widget: st_folium wrapper, map date control, click handling and the detail panel."""

from __future__ import annotations

import datetime as dt
import time

import numpy as np
import pandas as pd
import streamlit as st

from geo.admin1 import ADMIN1, oblast_label
from geo.filters import Filters, cell_mask, date_bounds
from geo.fusion import describe_sources, event_source_entries
from geo.i18n import N_
from geo.scope import EVENT_CATEGORIES
from geo.taxonomy import GEO_PRECISION_WORDS, TARGET_TYPES, WEAPONS
from geo.viz import map as gmap
from ui import maplink, state
from ui.data import FilteredView, LoadedData
from ui.i18n import _, current_language, date_format, error_text
from ui.text import escape_md, safe_link

MAP_KEY = "map_main"
MAP_HEIGHT = 620
RETURNED = ["last_object_clicked", "last_object_clicked_tooltip", *maplink.VIEW_RETURNED]
MARKER_COLUMNS = [
    "incident_id", "date", "lon", "lat", "geo_precision", "location", "target_types", "weapons",
    "killed", "injured", "description", "source_urls", "admin1_name", "admin1_iso", "front_distance_km",
]


def render_tile_settings() -> None:
    """Sidebar opt-in for online background tiles (kept out of the URL on purpose)."""
    with st.expander(_("Map background")):
        st.caption(_("Off by default: tiles are requested from a third-party server, which then sees your IP "
                     "address."))
        st.checkbox(_("Use online background tiles"), key="map_tiles_on")
        st.text_input(_("Tile URL template"), key=state.MAP_TILES, placeholder="https://tile.example.org/{z}/{x}/{y}.png")
        st.text_input(_("Attribution"), key=state.MAP_TILES_ATTR, placeholder=_("© the tile provider"))


def map_date_control(view: FilteredView) -> dt.date:
    """Draw the map-date picker (default: end of the filtered range) and return the date in force."""
    ss = st.session_state
    bounds = date_bounds(view.columns, view.mask) or date_bounds(view.columns) or (dt.date.today(),) * 2
    low, high = state.MAP_DATE_RANGE
    if ss.get(state.MAP_DATE_AUTO, True) or not isinstance(ss.get(state.MAP_DATE), dt.date):
        ss[state.MAP_DATE] = min(max(bounds[1], low), high)
        ss[state.MAP_DATE_AUTO] = True
    ss[state.MAP_DATE] = min(max(ss[state.MAP_DATE], low), high)

    def _picked() -> None:
        ss[state.MAP_DATE_AUTO] = False

    st.date_input(_("Front line as of"), key=state.MAP_DATE, on_change=_picked, format=date_format(),
                  min_value=low, max_value=high,
                  help=_("Defaults to the last day of the filtered date range."))
    if not ss.get(state.MAP_DATE_AUTO, True):
        st.button(_("Use end of filtered range"), key="map_date_reset",
                  on_click=lambda: ss.update({state.MAP_DATE_AUTO: True}))
    return ss[state.MAP_DATE]


@st.cache_data(max_entries=32, show_spinner=False)
def _layer_payload(_view: FilteredView, data_key: str, filters: Filters, cell, threshold: int, lang: str = "en"):
    mask = cell_mask(_view.columns, _view.mask, cell)
    idx = np.flatnonzero(mask)
    if len(idx) <= threshold:
        frame = _view.incidents[[c for c in MARKER_COLUMNS if c in _view.incidents.columns]].iloc[idx]
        colour = gmap.display_target(frame["target_types"], _view.filters.target_types, _view.columns.primary_target[idx])
        sources = None
        if "event_id" in _view.incidents.columns:
            sources = event_source_entries(_view.incidents, idx, _view.columns.event_code)
        rows, tables = gmap.incident_rows(frame, colour, sources=sources, lang=lang)
        return ("markers", rows, tables)
    cols = _view.columns
    if cell:
        size = max(cell[2] - cell[0], cell[3] - cell[1]) / gmap.DRILL_DIVISIONS
        bins = gmap.aggregate_grid(cols.lon[idx], cols.lat[idx], cols.killed[idx], cols.injured[idx], size, cell)
    else:
        bins = gmap.aggregate_grid(cols.lon[idx], cols.lat[idx], cols.killed[idx], cols.injured[idx])
    return ("bins", bins, None)


def build_layers(view: FilteredView, map_date: dt.date, selected: str | None, cell, threshold: int):
    """Return the changing feature groups (front line, incidents or bins) and the snapshot drawn."""
    lang = current_language()
    front, snap = gmap.build_frontline_layer(view.bundle.frontlines, map_date, lang=lang)
    kind, payload, tables = _layer_payload(view, view.key, view.filters, cell, threshold, lang)
    if kind == "markers":
        layer = gmap.build_incident_layer(None, selected_id=selected, rows_tables=(payload, tables), lang=lang)
    else:
        note = (_("Showing one selected cell, subdivided.") if cell
                else _("More than {n} incidents: aggregated.", n=threshold))
        layer = gmap.build_bin_layer(payload, note, lang=lang)
    return [front, layer], snap, kind


@st.cache_resource(max_entries=4, show_spinner=False)
def _boundaries_geojson(data_key: str, _boundaries) -> dict:
    return gmap.boundaries_geojson(_boundaries)


def warm_map_frame(data: LoadedData) -> None:
    """Fill the caches of the map's frame for ``data`` (the outlines), ahead of its first drawing."""
    _boundaries_geojson(data.key, data.bundle.boundaries)


def marker_threshold() -> int:
    """Markers up to this many incidents, grid cells above (the rule lives in geo.viz.map)."""
    return gmap.marker_threshold()


def render_map(view: FilteredView, map_date: dt.date, threshold: int | None = None) -> str:
    """Draw the map (a click on an incident selects it, on a cell zooms in); return its caption."""
    threshold = marker_threshold() if threshold is None else threshold
    ss = st.session_state
    selected = ss.get(state.MAP_SELECTED)
    cell = ss.get(state.MAP_CELL)
    started = time.perf_counter()
    tiles = ss.get(state.MAP_TILES) if ss.get("map_tiles_on") else None
    lang = current_language()
    try:
        fmap = gmap.build_base_map(None, tiles=tiles or None, attribution=ss.get(state.MAP_TILES_ATTR), lang=lang)
    except ValueError as exc:
        st.error(escape_md(error_text(exc)))
        fmap = gmap.build_base_map(None, lang=lang)
    gmap.add_boundaries(fmap, _boundaries_geojson(view.key, view.bundle.boundaries), lang=lang)
    maplink.OpenAtLinkView().add_to(fmap)
    layers, snap, kind = build_layers(view, map_date, selected, cell, threshold)
    if cell:
        center = [(cell[1] + cell[3]) / 2, (cell[0] + cell[2]) / 2]
        zoom = gmap.zoom_for_bounds(cell)
        if st.button(_("Back to the whole map"), key="map_cell_clear"):
            ss[state.MAP_CELL] = ss[state.MAP_VIEW] = None
            st.rerun()
        ss["map_was_drilled"] = True
    elif ss.get(state.MAP_VIEW):
        center = zoom = None  # the map opens at the link's view by itself (maplink.OpenAtLinkView)
    elif ss.get("map_was_drilled"):
        center, zoom = list(gmap.UKRAINE_CENTER), gmap.NATIONAL_ZOOM
    else:
        center = zoom = None  # the map fits Ukraine to its own width (a phone gets a smaller zoom)
    # Imported here, in the script run: streamlit_folium declares its component when imported, and a
    # declaration outside a script run (the server's warm-up imports this module) is never registered.
    from streamlit_folium import st_folium

    returned = st_folium(
        fmap,
        key=MAP_KEY,
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=RETURNED,
        feature_group_to_add=layers,
        center=center,
        zoom=zoom,
    )
    ss["map_build_seconds"] = time.perf_counter() - started
    maplink.handle_view(view.filters, returned)
    _handle_click(view, returned)
    hint = _("click a cell to zoom in") if kind == "bins" else _("click a marker for details")
    caption = snap.caption(map_date, lang)
    if not snap.loaded:
        caption += ": " + _("none can be bundled under an open licence; add DeepStateMap's with "
                            "\u201cFetch DeepStateMap front lines\u201d below, or your own with "
                            "python -m geo frontlines (see the README)")
    return caption + " · " + hint


def _handle_click(view: FilteredView, returned) -> None:
    ss = st.session_state
    if not isinstance(returned, dict):
        return
    signature = repr((returned.get("last_object_clicked"), returned.get("last_object_clicked_tooltip")))
    if signature == ss.get(state.MAP_LAST_CLICK):
        return
    ss[state.MAP_LAST_CLICK] = signature
    click = gmap.parse_map_click(returned, known_ids=view.data.id_to_row)
    if click is None:
        return
    if click.kind == "incident" and click.value != ss.get(state.MAP_SELECTED):
        ss[state.MAP_SELECTED] = click.value
    elif click.kind == "bin" and click.value != ss.get(state.MAP_CELL):
        ss[state.MAP_CELL] = click.value
    else:
        return
    state.write_url(view.filters)
    st.rerun()


def _current_view_of_map(view: FilteredView):
    ss = st.session_state
    cell = ss.get(state.MAP_CELL)
    if cell:
        return ((cell[1] + cell[3]) / 2, (cell[0] + cell[2]) / 2), gmap.zoom_for_bounds(cell)
    return ss.get(state.MAP_VIEW) or None


def render_map_export(view: FilteredView, map_date: dt.date) -> None:
    """Offer the map on screen (same date, markers or cells, selection, cell) as offline HTML and PNG."""
    ss = st.session_state
    threshold = marker_threshold()
    selected, cell = ss.get(state.MAP_SELECTED), ss.get(state.MAP_CELL)
    token = f"mapview:{state.export_token(view, map_date, selected, cell, threshold, ss.get(state.MAP_VIEW))}"
    files = state.stored_export(token)
    # The export modules (plotly, the export engine) load only when an export is asked for or offered.
    if files is None:
        if st.button(_("Prepare map HTML + PNG"), key="exp_map_prep_view",
                     help=_("The map as on screen, with title, legend, scale, front-line date, filters and credits")):
            from geo import exports
            from ui import exports as ui_exports

            try:
                lang = current_language()
                layers, snap, kind = build_layers(view, map_date, selected, cell, threshold)
                fmap = gmap.build_base_map(None, view=_current_view_of_map(view), lang=lang)
                gmap.add_boundaries(fmap, _boundaries_geojson(view.key, view.bundle.boundaries), lang=lang)
                shown = int(view.kpis["incidents"])
                drawn = (_("{n} incidents drawn one by one", n=shown) if kind == "markers"
                         else _("{n} incidents counted per grid cell", n=shown))
                subtitle = f"{drawn} · {snap.caption(map_date, lang)}"
                page = exports.compose_map_page(fmap, layers, ui_exports.export_context(view),
                                                title=_("Attacks affecting civilians in Ukraine"), subtitle=subtitle,
                                                lang=lang)
                with st.spinner(_("Rendering the map snapshot…")):
                    png = ui_exports.snapshot_page(page)
                state.store_export(token, {"html": page.encode("utf-8"), "png": png})
            except exports.ExportError as exc:
                st.error(escape_md(error_text(exc)))
                return
            st.rerun()
        return
    from geo import exports

    describe = view.filters.describe()
    left, right = st.columns(2)
    left.download_button(_("Map HTML"), files["html"], exports.export_filename("map", "incidents", describe, map_date, "html"),
                         "text/html", key="exp_map_html_view")
    right.download_button(_("Map PNG (2x)"), files["png"], exports.export_filename("map", "incidents", describe, map_date, "png"),
                          "image/png", key="exp_map_png_view")


def _render_event_records(view: FilteredView, row: int) -> None:
    """List every record of the selected incident's event: source, own figures, note, link."""
    if "event_id" not in view.incidents.columns:
        return
    entries = event_source_entries(view.incidents, np.array([row]), view.columns.event_code)[0]
    if len(entries) < 2:
        return
    st.markdown(f"**{escape_md(describe_sources(entries, sentence=True))}.** "
                + _("Killed and injured per record (the headline figures above are the first record's):"))
    lines = []
    not_reported = _("not reported")
    for source, killed, injured, civilians, links, note, authority, incident_id in entries:
        figures = _("killed {killed}, injured {injured}", killed=not_reported if killed is None else killed,
                    injured=not_reported if injured is None else injured)
        if civilians is not None:
            figures += ", " + _("civilians killed {n}", n=civilians)
        extra = f" — {escape_md(note)}" if note else ""
        extra += f" ({escape_md(authority)})" if authority else ""
        link = next((safe_link(u) for u in links if safe_link(u)), "")
        lines.append(f"- {escape_md(source)}: {escape_md(figures)}{extra} {link} · {escape_md(incident_id)}")
    st.markdown("\n".join(lines))


def render_details(view: FilteredView) -> None:
    """Show the selected incident's details (all text escaped), or how to select one."""
    ss = st.session_state
    row = view.row_of(ss.get(state.MAP_SELECTED))
    if row is None:
        st.info(_("Click an incident on the map to see its details here."))
        return
    record = view.incidents.iloc[row]
    st.subheader(escape_md(record.get("location") or _("Place not given")))
    if not view.mask[row]:
        st.caption(_("This incident is outside the current filters."))

    def count(value) -> str:
        return _("not reported") if pd.isna(value) else _.number(int(value))

    def labels(codes, taxonomy) -> str:
        return ", ".join(_(taxonomy[c]).split(" (")[0] if c in taxonomy else str(c) for c in codes) or _("not reported")

    front = record.get("front_distance_km")
    category = str(record.get("event_category"))
    oblast = record.get("admin1_iso")
    lines = {
        _("Category"): _(EVENT_CATEGORIES[category]) if category in EVENT_CATEGORIES else _("unknown"),
        _("Date"): _.date(record["date"], "long") if record.get("date") is not None else _("unknown"),
        _("Oblast"): (oblast_label(oblast, current_language()) if isinstance(oblast, str) and oblast in ADMIN1
                      else record.get("admin1_name") or _("outside the oblast layer")),
        _("Target"): labels(record["target_types"], TARGET_TYPES),
        _("Weapon"): labels(record["weapons"], WEAPONS),
        _("Killed"): count(record.get("killed")),
        _("Injured"): count(record.get("injured")),
        _("Civilians killed"): count(record.get("civilians_killed")),
        _("Casualty figures by"): (record.get("casualty_source") if not pd.isna(record.get("casualty_source"))
                                   else _("not named")),
        _("Casualty note"): record.get("casualty_note") if not pd.isna(record.get("casualty_note")) else _("none"),
        _("From the front"): _("not available") if pd.isna(front) else _("{km} km", km=_.number(float(front), 1)),
        _("Location precision"): _(GEO_PRECISION_WORDS.get(str(record.get("geo_precision")), N_("unknown"))),
        _("Source"): record.get("source") or _("unknown"),
        _("Incident id"): record["incident_id"],
    }
    st.markdown("  \n".join(f"**{name}:** {escape_md(value)}" for name, value in lines.items()))
    if record.get("description"):
        st.markdown(escape_md(record["description"]))
    links = [link for link in (safe_link(u) for u in record["source_urls"]) if link]
    if links:
        st.markdown("**" + _("Sources:") + "** " + " · ".join(links))
    _render_event_records(view, row)
    if st.button(_("Clear selection"), key="map_sel_clear"):
        ss[state.MAP_SELECTED] = None
        st.rerun()
