"""The shared sidebar: every filter, the "N of M incidents" line and the KPI totals."""

from __future__ import annotations

import numpy as np
import streamlit as st

from geo.admin1 import ADMIN1, oblast_label
from geo.filters import ALL_CATEGORIES, CASUALTY_BOUND_MAX, MAX_TEXT_LENGTH, Filters, date_bounds
from geo.scope import CIVILIAN_HARM, EVENT_CATEGORIES, describe_categories
from geo.taxonomy import TARGET_TYPES, WEAPONS
from ui import state
from ui.data import KNOWN_LOAD_ERRORS, FilteredView, LoadedData, compute_view, get_data, show_load_error
from ui.i18n import _, current_language, date_format
from ui.text import escape_md


def _labels(names: dict[str, str]) -> dict[str, str]:
    """Translate option labels now: a format_func must not depend on the session when it is called later."""
    return {code: _(name) for code, name in names.items()}


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
            st.header(_("Filters"))
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
        st.header(_("Filters"))
        st.radio(_("Count"), ["events", "records"], key=state.K_COUNT, horizontal=True,
                 format_func={"events": _("Events"), "records": _("Records")}.get,
                 help=_("Events: an incident reported by several sources (or twice by one) counts once. "
                        "Records: every row of every source counts."))
        st.multiselect(_("Event categories"), list(ALL_CATEGORIES), format_func=_labels(EVENT_CATEGORIES).get,
                       key=state.K_CATS, placeholder=_("All event categories"))
        chosen = set(st.session_state.get(state.K_CATS) or ())
        if chosen == set(CIVILIAN_HARM):
            st.caption(_("Showing **civilian harm** only: battles, protests, strikes on military or unstated "
                         "targets and other events are excluded."))
            st.button(_("Include battles, protests and all other events"), on_click=_include_all_categories,
                      key="flt_cats_all")
        elif chosen and chosen != set(ALL_CATEGORIES):
            st.button(_("Back to civilian harm only"), on_click=_civilian_harm_only, key="flt_cats_civ")
        else:
            st.button(_("Civilian harm only"), on_click=_civilian_harm_only, key="flt_cats_civ")
        if bounds is not None:
            st.date_input(_("Date range"), min_value=bounds[0], max_value=bounds[1], key=state.K_DATES,
                          format=date_format())
        st.multiselect(_("Target types"), list(TARGET_TYPES), format_func=_labels(TARGET_TYPES).get,
                       key=state.K_TARGETS, placeholder=_("All target types"))
        st.multiselect(_("Weapons"), list(WEAPONS), format_func=_labels(WEAPONS).get, key=state.K_WEAPONS,
                       placeholder=_("All weapons"))
        with st.expander(_("Casualties"), expanded=any(st.session_state.get(k) is not None for k in
                                                      (state.K_KMIN, state.K_KMAX, state.K_IMIN, state.K_IMAX))):
            left, right = st.columns(2)
            for column, label, key in ((left, _("Killed, at least"), state.K_KMIN),
                                       (right, _("Killed, at most"), state.K_KMAX),
                                       (left, _("Injured, at least"), state.K_IMIN),
                                       (right, _("Injured, at most"), state.K_IMAX)):
                column.number_input(label, min_value=0, max_value=CASUALTY_BOUND_MAX, step=1, key=key)
            st.checkbox(_("Include incidents whose casualties were not reported"), key=state.K_NOT_REPORTED,
                        help=_("Applies when a killed or injured range is set; off by default, so \"killed at least "
                               "10\" lists only incidents that report a figure. Not reported is never counted as "
                               "zero. Counting events, the range applies to each event's headline figure."))
        st.multiselect(_("Oblasts"), list(ADMIN1), format_func={c: oblast_label(c, current_language()) for c in ADMIN1}.get,
                       key=state.K_OBLASTS, placeholder=_("All oblasts"))
        st.checkbox(_("Limit by distance from the front"), key=state.K_FRONT_ON, disabled=not front_ok)
        st.slider(_("Distance from the line of contact (km; negative = inside the temporarily occupied territory)"),
                  min_value=float(state.FRONT_RANGE[0]), max_value=float(state.FRONT_RANGE[1]), step=5.0,
                  key=state.K_FRONT, disabled=not (front_ok and st.session_state.get(state.K_FRONT_ON)))
        if not front_ok:
            st.caption(_("No front-line layer is loaded, so distances from the front are unknown. "
                         "See Data & sources for how to add one."))
        st.checkbox(_("Precise locations only"), key=state.K_PRECISE,
                    help=_("Keep incidents located exactly or near a named place; drop area, region and unknown."))
        st.multiselect(_("Sources"), list(cols.source_values), key=state.K_SOURCES, placeholder=_("All sources"))
        if cols.country_values:
            st.multiselect(_("Countries"), list(cols.country_values), key=state.K_COUNTRIES,
                           placeholder=_("All countries"),
                           help=_("ISO country code of the place hit (\"sea\" offshore); e.g. UA for strikes in "
                                  "Ukraine only."))
        st.text_input(_("Search place and description"), key=state.K_TEXT, max_chars=MAX_TEXT_LENGTH)
        st.button(_("Reset filters"), on_click=_reset_filters, args=(bounds,), key="flt_reset")
    filters = state.current_filters(bounds, front_ok)
    view = compute_view(data, filters)
    _render_totals(view)
    state.write_url(filters)
    return view


def casualty_value(total: int | None) -> str:
    """Format a casualty total; None (no selected incident reports one) reads "not reported"."""
    return _("not reported") if total is None else _.number(total)


def _render_totals(view: FilteredView) -> None:
    kpis = view.kpis
    events = view.filters.count_by == "events"
    with st.sidebar:
        st.divider()
        st.markdown("**" + view.count_text(of_total=True) + "**")
        if events:
            st.caption(_.ngettext("{n} record from all sources behind these events.",
                                  "{n} records from all sources behind these events.", kpis["records"]))
        left, right = st.columns(2)
        left.metric(_("Events") if events else _("Records"), _.number(kpis["incidents"]))
        right.metric(_("Oblasts affected"), _.number(kpis["oblasts"]))
        # Full width, so that "not reported" (and its translations) is shown whole, never cut to "not r…".
        st.metric(_("Killed (all deaths reported)"), casualty_value(kpis["killed"]),
                  help=_("Headline figure of each event (most authoritative source that reports one). ACLED and "
                         "UCDP count every death, combatants included; curated figures are those of the named "
                         "authority."))
        st.metric(_("Injured"), casualty_value(kpis["injured"]))
        if events:
            reported = _("Killed reported for {killed} and injured for {injured} of these {n} events; the others "
                         "report no figure (never counted as zero).", killed=kpis["killed_reported"],
                         injured=kpis["injured_reported"], n=kpis["incidents"])
        else:
            reported = _("Killed reported for {killed} and injured for {injured} of these {n} records; the others "
                         "report no figure (never counted as zero).", killed=kpis["killed_reported"],
                         injured=kpis["injured_reported"], n=kpis["incidents"])
        st.caption(reported)
        if kpis.get("civilians_killed") is not None:
            st.metric(_("Civilians killed (where the source counts them apart)"),
                      casualty_value(kpis["civilians_killed"]),
                      help=_("UCDP's deaths_civilians; reported for {n} of the {total} shown.",
                             n=kpis["civilians_killed_reported"], total=kpis["incidents"]))
        st.caption(_("Scope: {scope}.", scope=escape_md(describe_categories(view.filters.categories,
                                                                          lang=current_language()))))
        st.caption(_("Data: {label}", label=escape_md(view.data.label_text())))
