"""The shared sidebar: every filter, the "N of M incidents" line and the KPI totals."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geo.admin1 import ADMIN1
from geo.filters import MAX_TEXT_LENGTH, Filters, date_bounds
from geo.taxonomy import TARGET_TYPES, WEAPONS
from ui import state
from ui.data import KNOWN_LOAD_ERRORS, FilteredView, LoadedData, compute_view, get_data, show_load_error
from ui.text import escape_md


def _reset_filters(bounds) -> None:
    state.set_widgets_from_filters(Filters(), bounds)
    st.session_state[state.MAP_CELL] = None


def _front_available(data: LoadedData) -> bool:
    return data.bundle.frontlines is not None and bool(np.isfinite(data.columns.front_km).any())


def _keep_valid(bounds, sources: tuple[str, ...]) -> None:
    """Clamp widget state to the current data (it can change under a session, e.g. after an upload)."""
    ss = st.session_state
    dates = ss.get(state.K_DATES)
    if bounds is not None:
        if not isinstance(dates, (tuple, list)) or not dates:
            ss[state.K_DATES] = bounds
        else:
            ss[state.K_DATES] = tuple(min(max(d, bounds[0]), bounds[1]) for d in dates)
    if ss.get(state.K_SOURCES):
        ss[state.K_SOURCES] = [s for s in ss[state.K_SOURCES] if s in sources]


def render_sidebar() -> FilteredView | None:
    """Draw the filters, compute the filtered view and keep the URL in step; None when no data."""
    try:
        data = get_data()
    except KNOWN_LOAD_ERRORS as exc:
        with st.sidebar:
            st.header("Filters")
        show_load_error(exc)
        return None
    cols = data.columns
    bounds = date_bounds(cols)
    front_ok = _front_available(data)
    state.read_url_once(bounds, cols.source_values, data.id_to_row, front_ok)
    state.restore_carried(bounds)
    _keep_valid(bounds, cols.source_values)
    with st.sidebar:
        st.header("Filters")
        if bounds is not None:
            st.date_input("Date range", min_value=bounds[0], max_value=bounds[1], key=state.K_DATES, format="YYYY-MM-DD")
        st.multiselect("Target types", list(TARGET_TYPES), format_func=TARGET_TYPES.get, key=state.K_TARGETS,
                       placeholder="All target types")
        st.multiselect("Weapons", list(WEAPONS), format_func=WEAPONS.get, key=state.K_WEAPONS, placeholder="All weapons")
        with st.expander("Casualties", expanded=any(st.session_state.get(k) is not None for k in
                                                      (state.K_KMIN, state.K_KMAX, state.K_IMIN, state.K_IMAX))):
            left, right = st.columns(2)
            left.number_input("Killed, at least", min_value=0, step=1, key=state.K_KMIN)
            right.number_input("Killed, at most", min_value=0, step=1, key=state.K_KMAX)
            left.number_input("Injured, at least", min_value=0, step=1, key=state.K_IMIN)
            right.number_input("Injured, at most", min_value=0, step=1, key=state.K_IMAX)
            st.checkbox("Include incidents whose casualties were not reported", key=state.K_NOT_REPORTED,
                        help="Applies when a killed or injured range is set. Not reported is never counted as zero.")
        st.multiselect("Oblasts", list(ADMIN1), format_func=lambda c: ADMIN1[c][0], key=state.K_OBLASTS,
                       placeholder="All oblasts")
        st.checkbox("Limit by distance from the front", key=state.K_FRONT_ON, disabled=not front_ok)
        st.slider("Distance from the line of contact (km; negative = inside occupied territory)",
                  min_value=float(state.FRONT_RANGE[0]), max_value=float(state.FRONT_RANGE[1]), step=5.0,
                  key=state.K_FRONT, disabled=not (front_ok and st.session_state.get(state.K_FRONT_ON)))
        if not front_ok:
            st.caption("No front-line layer is loaded, so distances from the front are unknown. "
                       "See Data & sources for how to add one.")
        st.checkbox("Precise locations only", key=state.K_PRECISE,
                    help="Keep incidents located exactly or near a named place; drop area, region and unknown.")
        st.multiselect("Sources", list(cols.source_values), key=state.K_SOURCES, placeholder="All sources")
        st.text_input("Search place and description", key=state.K_TEXT, max_chars=MAX_TEXT_LENGTH)
        st.button("Reset filters", on_click=_reset_filters, args=(bounds,), key="flt_reset")
    filters = state.current_filters(bounds, front_ok)
    view = compute_view(data, filters)
    _render_totals(view)
    state.write_url(filters)
    return view


def _render_totals(view: FilteredView) -> None:
    kpis = view.kpis
    with st.sidebar:
        st.divider()
        st.markdown(f"**{kpis['incidents']:,} of {kpis['total']:,} incidents**")
        left, right = st.columns(2)
        left.metric("Incidents", f"{kpis['incidents']:,}")
        right.metric("Oblasts affected", f"{kpis['oblasts']:,}")
        left.metric("Killed", f"{kpis['killed']:,}")
        right.metric("Injured", f"{kpis['injured']:,}")
        if kpis["killed_not_reported"] or kpis["injured_not_reported"]:
            st.caption(f"Not reported: killed in {kpis['killed_not_reported']:,} and injured in "
                       f"{kpis['injured_not_reported']:,} of these incidents (not counted as zero).")
        st.caption(f"Data: {escape_md(view.data.label)}")
