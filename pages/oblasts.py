"""Oblasts: a choropleth and a sortable table per oblast, with rates and change."""

import pandas as pd
import streamlit as st

from geo.filters import date_bounds, filter_mask
from geo.population import POPULATION_CITATION
from geo.viz import charts
from ui import state
from ui.exports import get_population, render_export_panel, show_chart
from ui.text import escape_md
from ui.view import get_filtered

view = get_filtered()
st.title("Oblasts")
st.caption(f"{view.count_text()} · {escape_md(view.filters.describe())}")

frame = view.filtered()
population = get_population()
bounds = date_bounds(view.columns, view.mask)
previous, period_note = None, "No date range, so no previous period to compare with."
if bounds is not None:
    start = pd.Timestamp(view.filters.date_from or bounds[0])
    end = pd.Timestamp(view.filters.date_to or bounds[1])
    prev_start, prev_end = charts.previous_period(start, end)
    coverage = date_bounds(view.columns)
    if coverage is not None and prev_start < pd.Timestamp(coverage[0]):
        period_note = (
            f"No change is shown: the data starts on {coverage[0]:%d %b %Y}, so the {(end - start).days + 1} days "
            f"before {start:%d %b %Y} ({prev_start:%d %b %Y}–{prev_end:%d %b %Y}) are not covered. "
            "Narrow the date range in the sidebar to compare with an earlier period."
        )
    else:
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
    default=state.url_value("obl_value", "incidents", state.parse_choice(["incidents", "per_100k", "killed", "injured"])),
    format_func={"incidents": "Incidents", "per_100k": "Per 100,000 residents", "killed": "Killed",
                 "injured": "Injured"}.get,
    key="obl_value",
) or "incidents"
state.keep_in_url("obl_value", value, "incidents")
show_chart(charts.build_oblast_choropleth(table, view.bundle.boundaries, value), f"oblasts_{value}", view, (value,), page="oblasts")

if previous is None:
    st.info(period_note)
st.dataframe(
    table if previous is not None else table.drop(columns=["previous_incidents", "change", "change_pct"], errors="ignore"),
    hide_index=True,
    column_config={
        "admin1_iso": st.column_config.TextColumn("ISO"),
        "oblast": st.column_config.TextColumn("Oblast"),
        "incidents": st.column_config.NumberColumn("Incidents", format="localized"),
        "killed": st.column_config.NumberColumn("Killed", format="localized"),
        "injured": st.column_config.NumberColumn("Injured", format="localized"),
        "share_pct": st.column_config.NumberColumn("Share %", format="%.1f"),
        "population": st.column_config.NumberColumn("Population (pre-war)", format="localized"),
        "per_100k": st.column_config.NumberColumn("Per 100,000", format="%.2f"),
        "previous_incidents": st.column_config.NumberColumn("Previous period", format="localized"),
        "change": st.column_config.NumberColumn("Change", format="localized"),
        "change_pct": st.column_config.NumberColumn("Change %", format="%.1f"),
    },
)
if previous is not None:
    st.caption(period_note)
st.caption(
    "Population: " + POPULATION_CITATION + " Pre-war figures ignore displacement since February 2022; "
    "Crimea and Sevastopol use the last Ukrainian estimate (1 January 2014)."
)
render_export_panel(view)
