"""Oblasts: a choropleth and a sortable table per oblast, with rates and change."""

import pandas as pd
import streamlit as st

from geo.filters import date_bounds, filter_mask
from geo.population import POPULATION_CITATION
from geo.viz import charts
from ui.exports import get_population, render_export_panel, show_chart
from ui.text import escape_md
from ui.view import get_filtered

view = get_filtered()
st.title("Oblasts")
st.caption(f"{view.kpis['incidents']:,} incidents · {escape_md(view.filters.describe())}")

frame = view.filtered()
population = get_population()
bounds = date_bounds(view.columns, view.mask)
previous, period_note = None, "No date range, so no previous period to compare with."
if bounds is not None:
    start = pd.Timestamp(view.filters.date_from or bounds[0])
    end = pd.Timestamp(view.filters.date_to or bounds[1])
    prev_start, prev_end = charts.previous_period(start, end)
    prev_filters = view.filters.replace(date_from=prev_start.date(), date_to=prev_end.date())
    previous = view.incidents[filter_mask(view.columns, prev_filters)]
    period_note = (
        f"Change compares {start:%d %b %Y}–{end:%d %b %Y} with the {(end - start).days + 1} days before "
        f"({prev_start:%d %b %Y}–{prev_end:%d %b %Y}), same filters otherwise."
    )

table = charts.compute_oblast_table(frame, previous, population)
value = st.segmented_control(
    "Colour by",
    ["incidents", "per_100k", "killed", "injured"],
    default="incidents",
    format_func={"incidents": "Incidents", "per_100k": "Per 100,000 residents", "killed": "Killed",
                 "injured": "Injured"}.get,
    key="obl_value",
) or "incidents"
show_chart(charts.build_oblast_choropleth(table, view.bundle.boundaries, value), f"oblasts_{value}", view, (value,), page="oblasts")

st.dataframe(
    table,
    hide_index=True,
    column_config={
        "admin1_iso": st.column_config.TextColumn("ISO"),
        "oblast": st.column_config.TextColumn("Oblast"),
        "incidents": st.column_config.NumberColumn("Incidents"),
        "killed": st.column_config.NumberColumn("Killed"),
        "injured": st.column_config.NumberColumn("Injured"),
        "share_pct": st.column_config.NumberColumn("Share %", format="%.1f"),
        "population": st.column_config.NumberColumn("Population (pre-war)"),
        "per_100k": st.column_config.NumberColumn("Per 100,000", format="%.2f"),
        "previous_incidents": st.column_config.NumberColumn("Previous period"),
        "change": st.column_config.NumberColumn("Change"),
        "change_pct": st.column_config.NumberColumn("Change %", format="%.1f"),
    },
)
st.caption(period_note)
st.caption(
    "Population: " + POPULATION_CITATION + " Pre-war figures ignore displacement since February 2022; "
    "Crimea and Sevastopol use the last Ukrainian estimate (1 January 2014)."
)
render_export_panel(view)
