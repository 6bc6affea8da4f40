"""Data & sources: what is loaded, coverage, licences, the quarantine report, methodology, uploads."""

import datetime as dt

import streamlit as st

from ui.fetch import render_fetch_panel
from ui.i18n import _, current_language
from ui.sources import (
    coverage_table,
    header_config,
    licence_table,
    quarantine_download,
    quarantine_summary,
    render_quality,
)
from ui.text import escape_md
from ui.uploads import render_uploads
from ui.view import get_filtered


def _when(value) -> str:
    """Return a build time for the reader: the date as the language writes it, then the time (UTC)."""
    try:
        when = dt.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value)
    if when.tzinfo is not None:
        when = when.astimezone(dt.UTC)
    return f"{_.date(when.date())}, {when:%H:%M}" + (" UTC" if when.tzinfo is not None else "")


view = get_filtered()
bundle = view.bundle
lang = current_language()
st.title(_("Data & sources"))
st.markdown(_("**Loaded:** {data} · data version {version} · built {built} · {records} records, {events} events "
              "after fusion",
              data=escape_md(view.data.label_text()), version=escape_md(bundle.version),
              built=escape_md(_when(bundle.manifest["built_at"]) if bundle.manifest.get("built_at") else _("unknown")),
              records=view.kpis["total"], events=view.kpis["events_total"]))
for notice in bundle.notices:
    st.info(escape_md(notice))

st.header(_("Coverage"))
coverage = coverage_table(view)
st.dataframe(coverage, hide_index=True, width="stretch", column_config=header_config(coverage.columns))

st.header(_("Sources and licences"))
licences = licence_table(bundle.manifest, lang)
st.dataframe(licences, hide_index=True, width="stretch", column_config=header_config(licences.columns))

st.header(_("Data quality"))
render_quality(view)

st.header(_("Quarantine"))
summary = quarantine_summary(bundle.quarantine, lang)
if summary.empty:
    st.write(_("No rows were set aside."))
else:
    st.write(_.ngettext("{n} row was not imported. Each reason, in plain words:",
                        "{n} rows were not imported. Each reason, in plain words:", len(bundle.quarantine)))
    st.dataframe(summary, hide_index=True, width="stretch", column_config=header_config(summary.columns))
    st.download_button(_("Download the quarantined rows (CSV)"), quarantine_download(bundle.quarantine),
                       file_name="quarantine.csv", mime="text/csv", key="src_quarantine_csv")

st.header(_("Methodology"))
st.markdown(_(
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
  force on the incident's date (negative inside the temporarily occupied territory).
- **Imprecise locations** (area, region, unknown) are drawn hollow with a dashed outline.
- **Maps** show one marker per incident up to 3,000 incidents; beyond that, incidents are counted
  per grid cell (about 22 km), and clicking a cell zooms into it.
"""
))

st.header(_("Update data"))
render_fetch_panel()

st.header(_("Add your own file"))
render_uploads(view)
