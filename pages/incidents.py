"""Incidents: the filtered incidents as a searchable, sortable table; select one to see it on the map."""

import streamlit as st

from ui import state
from ui.exports import render_export_panel
from ui.table import incidents_table, select_on_map
from ui.text import escape_md
from ui.view import get_filtered

view = get_filtered()
st.title("Incidents")
st.caption(f"{view.count_text(of_total=True)} · {escape_md(view.filters.describe())}. "
           "Use the sidebar search to find a place or words in the description.")
table, shown = incidents_table(view)
if shown < view.kpis["incidents"]:
    st.info(f"Showing the {shown:,} most recent of {view.kpis['incidents']:,} matching {view.noun}; narrow the filters to see the rest.")
event = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="inc_table",
    column_config={
        "Date": st.column_config.DateColumn(format="YYYY-MM-DD"),
        "Source link": st.column_config.LinkColumn(display_text="open"),
        "Killed": st.column_config.NumberColumn(help="Empty = not reported (never counted as zero)", format="localized"),
        "Injured": st.column_config.NumberColumn(help="Empty = not reported (never counted as zero)", format="localized"),
        "From the front (km)": st.column_config.NumberColumn(format="%.1f"),
    },
)
rows = event.selection.rows if event is not None else []
if rows:
    incident_id = table["Incident id"].iat[rows[0]]
    st.write(f"Selected: {escape_md(incident_id)}")
    if st.button("Show on the map", key="inc_show_on_map"):
        select_on_map(incident_id)
        state.switch_page("pages/map.py", view.filters)
st.caption("An empty Killed or Injured cell means the source reported no figure; it is never counted as zero.")
render_export_panel(view)
