"""Incidents: the filtered incidents as a searchable, sortable table; select one to see it on the map."""

import streamlit as st

from ui import state
from ui.exports import render_export_panel
from ui.i18n import _, current_language, date_format
from ui.table import column_labels, incidents_table, select_on_map
from ui.text import escape_md, in_language
from ui.view import PAGES_DIR, get_filtered

view = get_filtered()
st.title(_("Incidents"))
described = in_language(view.filters.describe, lang=current_language())
st.caption(_("{count} · {filters}. Use the sidebar search to find a place or words in the description.",
             count=view.count_text(of_total=True), filters=escape_md(described)))
table, shown = incidents_table(view)
if shown < view.kpis["incidents"]:
    if view.noun == "records":
        st.info(_.ngettext("Showing the {shown} most recent of {n} matching record; narrow the filters to see the rest.",
                           "Showing the {shown} most recent of {n} matching records; narrow the filters to see the rest.",
                           view.kpis["incidents"], shown=shown))
    else:
        st.info(_.ngettext("Showing the {shown} most recent of {n} matching event; narrow the filters to see the rest.",
                           "Showing the {shown} most recent of {n} matching events; narrow the filters to see the rest.",
                           view.kpis["incidents"], shown=shown))
labels = column_labels()
if table["From the front (km)"].isna().all():  # no front-line layer: nothing to show in that column
    table = table.drop(columns=["From the front (km)"])
not_reported = _("\u201cnot reported\u201d: the source gave no figure (never counted as zero)")
column_config = {key: st.column_config.Column(label=label) for key, label in labels.items()}
column_config.update({
    "Date": st.column_config.DateColumn(labels["Date"], format=date_format()),
    "Source link": st.column_config.LinkColumn(labels["Source link"], display_text=_("open")),
    "Killed": st.column_config.NumberColumn(labels["Killed"], help=not_reported, format="localized"),
    "Injured": st.column_config.NumberColumn(labels["Injured"], help=not_reported, format="localized"),
    "From the front (km)": st.column_config.NumberColumn(labels["From the front (km)"], format="%.1f"),
})
event = st.dataframe(
    table,
    hide_index=True,
    width="stretch",
    on_select="rerun",
    selection_mode="single-row",
    key="inc_table",
    column_config=column_config,
    placeholder=_("not reported"),
)
rows = event.selection.rows if event is not None else []
if rows:
    incident_id = table["Incident id"].iat[rows[0]]
    st.write(_("Selected: {id}", id=escape_md(incident_id)))
    if st.button(_("Show on the map"), key="inc_show_on_map"):
        select_on_map(incident_id)
        state.switch_page(PAGES_DIR / "map.py", view.filters)
st.caption(_("\u201cNot reported\u201d under {killed} or {injured} means the source gave no figure; it is never "
             "counted as zero.", killed=labels["Killed"], injured=labels["Injured"]))
render_export_panel(view)
