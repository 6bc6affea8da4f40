"""The shared sidebar: every filter, the "N of M incidents" line and the KPI totals."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geo.admin1 import ADMIN1
from geo.filters import ALL_CATEGORIES, CASUALTY_BOUND_MAX, MAX_TEXT_LENGTH, Filters, date_bounds
from geo.scope import CIVILIAN_HARM, EVENT_CATEGORIES, describe_categories
from geo.taxonomy import TARGET_TYPES, WEAPONS
from ui import state
from ui.data import KNOWN_LOAD_ERRORS, FilteredView, LoadedData, compute_view, get_data, show_load_error
from ui.text import escape_md


def _reset_filters(bounds) -> None:
    state.set_widgets_from_filters(Filters(), bounds)
    st.session_state[state.MAP_CELL] = None


def _include_all_categories() -> None:
    st.session_state[state.K_CATS] = list(ALL_CATEGORIES)


def _civilian_harm_only() -> None:
    st.session_state[state.K_CATS] = list(CIVILIAN_HARM)


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
    if st.session_state.get(state.K_COUNTRIES):
        st.session_state[state.K_COUNTRIES] = [c for c in st.session_state[state.K_COUNTRIES] if c in cols.country_values]
    with st.sidebar:
        st.header("Filters")
        st.radio("Count", ["events", "records"], key=state.K_COUNT, horizontal=True,
                 format_func={"events": "Events", "records": "Records"}.get,
                 help="Events: an incident reported by several sources (or twice by one) counts once. "
                      "Records: every row of every source counts.")
        st.multiselect("Event categories", list(ALL_CATEGORIES), format_func=EVENT_CATEGORIES.get, key=state.K_CATS,
                       placeholder="All event categories")
        chosen = set(st.session_state.get(state.K_CATS) or ())
        if chosen == set(CIVILIAN_HARM):
            st.caption("Showing **civilian harm** only: battles, protests, strikes on military or unstated "
                       "targets and other events are excluded.")
            st.button("Include battles, protests and all other events", on_click=_include_all_categories,
                      key="flt_cats_all")
        elif chosen and chosen != set(ALL_CATEGORIES):
            st.button("Back to civilian harm only", on_click=_civilian_harm_only, key="flt_cats_civ")
        else:
            st.button("Civilian harm only", on_click=_civilian_harm_only, key="flt_cats_civ")
        if bounds is not None:
            st.date_input("Date range", min_value=bounds[0], max_value=bounds[1], key=state.K_DATES, format="YYYY-MM-DD")
        st.multiselect("Target types", list(TARGET_TYPES), format_func=TARGET_TYPES.get, key=state.K_TARGETS,
                       placeholder="All target types")
        st.multiselect("Weapons", list(WEAPONS), format_func=WEAPONS.get, key=state.K_WEAPONS, placeholder="All weapons")
        with st.expander("Casualties", expanded=any(st.session_state.get(k) is not None for k in
                                                      (state.K_KMIN, state.K_KMAX, state.K_IMIN, state.K_IMAX))):
            left, right = st.columns(2)
            for column, label, key in ((left, "Killed, at least", state.K_KMIN), (right, "Killed, at most", state.K_KMAX),
                                       (left, "Injured, at least", state.K_IMIN), (right, "Injured, at most", state.K_IMAX)):
                column.number_input(label, min_value=0, max_value=CASUALTY_BOUND_MAX, step=1, key=key)
            st.checkbox("Include incidents whose casualties were not reported", key=state.K_NOT_REPORTED,
                        help="Applies when a killed or injured range is set; off by default, so \"killed at least 10\" "
                             "lists only incidents that report a figure. Not reported is never counted as zero. "
                             "Counting events, the range applies to each event's headline figure.")
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
        if cols.country_values:
            st.multiselect("Countries", list(cols.country_values), key=state.K_COUNTRIES, placeholder="All countries",
                           help="ISO country code of the place hit (\"sea\" offshore); e.g. UA for strikes in Ukraine only.")
        st.text_input("Search place and description", key=state.K_TEXT, max_chars=MAX_TEXT_LENGTH)
        st.button("Reset filters", on_click=_reset_filters, args=(bounds,), key="flt_reset")
    filters = state.current_filters(bounds, front_ok)
    view = compute_view(data, filters)
    _render_totals(view)
    state.write_url(filters)
    return view


def casualty_value(total: int | None) -> str:
    """Format a casualty total; None (no selected incident reports one) reads "not reported"."""
    return "not reported" if total is None else f"{total:,}"


def _render_totals(view: FilteredView) -> None:
    kpis = view.kpis
    events = view.filters.count_by == "events"
    noun = "events" if events else "records"
    whole = kpis["events_total"] if events else kpis["total"]
    with st.sidebar:
        st.divider()
        st.markdown(f"**{kpis['incidents']:,} of {whole:,} {noun}**")
        if events:
            st.caption(f"{kpis['records']:,} records from all sources behind these events.")
        left, right = st.columns(2)
        left.metric(noun.capitalize(), f"{kpis['incidents']:,}")
        right.metric("Oblasts affected", f"{kpis['oblasts']:,}")
        left.metric("Killed (all deaths reported)", casualty_value(kpis["killed"]),
                    help="Headline figure of each event (most authoritative source that reports one). ACLED and "
                         "UCDP count every death, combatants included; curated figures are those of the named authority.")
        right.metric("Injured", casualty_value(kpis["injured"]))
        st.caption(f"Killed reported for {kpis['killed_reported']:,} and injured for {kpis['injured_reported']:,} of "
                   f"these {kpis['incidents']:,} {noun}; the others report no figure (never counted as zero).")
        if kpis.get("civilians_killed") is not None:
            st.metric("Civilians killed (where the source counts them apart)", casualty_value(kpis["civilians_killed"]),
                      help="UCDP's deaths_civilians; reported for "
                           f"{kpis['civilians_killed_reported']:,} of these {noun}.")
        st.caption(f"Scope: {escape_md(describe_categories(view.filters.categories))}.")
        st.caption(f"Data: {escape_md(view.data.label)}")
