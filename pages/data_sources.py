"""Data & sources: what is loaded, coverage, licences, the quarantine report, methodology, uploads."""

import streamlit as st

from ui.fetch import render_fetch_panel
from ui.sources import coverage_table, licence_table, quarantine_download, quarantine_summary, render_quality
from ui.text import escape_md
from ui.uploads import render_uploads
from ui.view import get_filtered

view = get_filtered()
bundle = view.bundle
st.title("Data & sources")
st.markdown(f"**Loaded:** {escape_md(view.data.label_text())} · data version {escape_md(bundle.version)} · "
            f"built {escape_md(bundle.manifest.get('built_at', 'unknown'))} · {view.kpis['total']:,} records, "
            f"{view.kpis['events_total']:,} events after fusion")
for notice in bundle.notices:
    st.info(escape_md(notice))

st.header("Coverage")
st.dataframe(coverage_table(view), hide_index=True, width="stretch")

st.header("Sources and licences")
st.dataframe(licence_table(bundle.manifest), hide_index=True, width="stretch",
             column_config={"Link": st.column_config.LinkColumn(display_text="open")})

st.header("Data quality")
render_quality(view)

st.header("Quarantine")
summary = quarantine_summary(bundle.quarantine)
if summary.empty:
    st.write("No rows were set aside.")
else:
    st.write(f"{len(bundle.quarantine):,} rows were not imported. Each reason, in plain words:")
    st.dataframe(summary, hide_index=True, width="stretch")
    st.download_button("Download the quarantined rows (CSV)", quarantine_download(bundle.quarantine),
                       file_name="quarantine.csv", mime="text/csv", key="src_quarantine_csv")

st.header("Methodology")
st.markdown(
    """
- **Incidents** come from the sources above, mapped to one table (see `docs/SCHEMA.md`) with
  canonical target types and weapons (`docs/TAXONOMIES.md`). Rows that cannot be placed or dated
  are quarantined with a reason, never silently dropped.
- **Events, not rows.** Records of one incident (same or adjacent day, within 2-10 km depending
  on location precision, compatible types, one record per source) are fused into one event and
  counted once; the sidebar's *Count* switch counts records instead (`docs/FUSION.md`).
- **Scope.** The default view is civilian harm: battles, protests, strikes on military or
  unstated targets and other events are excluded until you include them (`docs/TAXONOMIES.md`).
- **Casualties** are the source's own counts. *Not reported* is kept apart from zero everywhere.
  An event's headline figure is that of its most authoritative source reporting one (curated >
  UCDP > ACLED > other > Bellingcat); tables and popups show the range across its sources.
  *Killed* is all deaths reported (ACLED and UCDP include combatants); civilian deaths are
  shown apart where a source separates them (UCDP).
- **Oblast** is assigned by point-in-polygon against the boundary layer.
- **Distance from the front** is measured to the line of contact of the front-line snapshot in
  force on the incident's date (negative inside occupied territory).
- **Imprecise locations** (area, region, unknown) are drawn hollow with a dashed outline.
- **Maps** show one marker per incident up to 3,000 incidents; beyond that, incidents are counted
  per grid cell (about 22 km), and clicking a cell zooms into it.
"""
)

st.header("Update data")
render_fetch_panel()

st.header("Add your own file")
render_uploads(view)
