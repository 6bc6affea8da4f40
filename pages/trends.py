"""Trends: incidents, killed and injured over time, by target type and by weapon."""

import streamlit as st

from geo.viz import charts
from ui import state
from ui.exports import render_export_panel, show_chart
from ui.i18n import _, current_language
from ui.text import escape_md
from ui.view import get_filtered

view = get_filtered()
st.title(_("Trends"))
st.caption(_("{count} · {filters}", count=view.count_text(), filters=escape_md(view.filters.describe(current_language()))))

frame = view.filtered()
if frame.empty:
    st.info(_("No incident matches the current filters."))
    st.stop()

c1, c2, c3 = st.columns(3)
freq_start = state.url_value("trd_freq", "month", state.parse_choice(charts.FREQUENCIES))
freq = c1.segmented_control(_("Period"), list(charts.FREQUENCIES), default=freq_start, key="trd_freq",
                            format_func=lambda f: _(charts.FREQUENCIES[f][1])) or "month"
measures = list(charts.MEASURES)
measure = c2.selectbox(_("Measure"), measures, format_func=lambda m: _(charts.MEASURES[m]), key="trd_measure",
                       index=measures.index(state.url_value("trd_measure", measures[0], state.parse_choice(measures))))
splits = [None, "target_types", "weapons"]
split = c3.selectbox(
    _("Split by"),
    splits,
    format_func=lambda v: _("Nothing") if v is None else _(charts.GROUPINGS[v][0]),
    key="trd_split",
    index=splits.index(state.url_value("trd_split", None, state.parse_choice(splits))),
)
state.keep_in_url("trd_freq", freq, "month")
state.keep_in_url("trd_measure", measure, measures[0])
state.keep_in_url("trd_split", split, None)

coverage = charts.compute_frontline_coverage(view.bundle.frontlines)
seams = charts.compute_snapshot_seams(view.bundle.frontlines)
keep = {"target_types": view.filters.target_types, "weapons": view.filters.weapons}.get(split, ())
fig = charts.build_trend_chart(frame, freq, split, measure, coverage, seams, keep=keep,
                              lang=current_language())
show_chart(fig, f"trend_{measure}_{split or 'total'}_{freq}", view, (freq, measure, split), page="trends")

if coverage is None:
    st.caption(_("No front-line snapshots are loaded, so no period has distances from the front."))
else:
    st.caption(_(
        "Shaded: front-line snapshots exist from {start} to {end}; "
        "distances from the front exist only for incidents in that period.",
        start=coverage[0].date(), end=coverage[1].date(),
    ))
if seams:
    st.caption(_("Dashed lines: the front-line source or method changes, so distances before and after are not "
                 "strictly comparable."))
st.caption(_(
    "Each incident counts once, under its first listed target type or weapon. Casualties are as reported; "
    "incidents with no reported count add nothing."
))
render_export_panel(view)
