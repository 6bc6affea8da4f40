"""Far from the front: how far from the line of contact incidents happen, and the deepest strikes."""

import streamlit as st

from geo import exports
from geo.countries import keep_ukraine
from geo.viz import charts
from ui import state
from ui.exports import export_context, render_export_panel, render_map_downloads, show_chart
from ui.fetch import render_frontline_offer
from ui.i18n import _
from ui.text import escape_md
from ui.view import get_filtered

DEEPEST_SHOWN = 200
DEFAULT_BANDS = "0, 25, 100, 300"

view = get_filtered()
frontlines = view.bundle.frontlines
st.title("Far from the front")
st.caption(f"{view.count_text()} · {escape_md(view.filters.describe())}")

METHOD = """
**Which front line applies.** Each incident is measured against the front-line snapshot in force on
its date: the latest snapshot dated on or before the incident. Incidents before the first snapshot
have no distance and are left out of every chart on this page.

**Signed distance.** The distance is measured along the Earth's surface to the line of contact.
It is positive on the Ukrainian-controlled side and **negative inside occupied territory**; those
incidents form their own band.

**Imprecise locations.** Incidents located only to an area, a region or not at all can lie tens of
kilometres from where the strike happened. They are left out of distance statistics unless you
switch them on below.

**Seams.** When the front-line source or its method changes, the line can jump without anything
moving on the ground. Charts over time mark those dates with a dashed orange line.
"""

if frontlines is None or not len(frontlines) or not view.incidents["front_distance_km"].notna().any():
    st.info(
        "No front lines are loaded, so distance from the front cannot be measured yet. Add snapshots with\n\n"
        "`python -m geo frontlines INPUT... --out DIR`\n\n"
        "where INPUT is DeepStateMap GeoJSON exports or any dated polygons of occupied territory "
        "(GeoJSON/GeoPackage with a date property or a date in the file name), then restart the app "
        "with `CONFLICTMAP_DATA=DIR`."
    )
    render_frontline_offer()
    with st.expander("How distance is measured"):
        st.markdown(METHOD)
    st.stop()

frame, elsewhere = keep_ukraine(view.filtered(), view.filters.countries)
if elsewhere:
    st.caption(_("Distances are about Ukraine: {n} in other countries or at sea ({which}) are left out of this page. "
                 "Choose countries in the sidebar to include them.",
                 n=sum(elsewhere.values()), which=", ".join(f"{k} {v}" for k, v in elsewhere.items())))
c1, c2, c3 = st.columns([2, 2, 1])
threshold = c1.slider("Beyond N km from the line of contact", 0, 1000,
                      state.url_value("far_threshold", 100, state.parse_int_in(0, 1000)), step=25, key="far_threshold")
bands_text = c2.text_input("Distance bands (km, band starts)", state.url_value("far_bands", DEFAULT_BANDS, str),
                           key="far_bands", max_chars=200)
include_imprecise = c3.toggle("Include imprecise locations", state.url_value("far_imprecise", False, state.parse_bool),
                              key="far_imprecise")
state.keep_in_url("far_threshold", threshold, 100)
state.keep_in_url("far_bands", bands_text, DEFAULT_BANDS)
state.keep_in_url("far_imprecise", include_imprecise, False)
try:
    edges = tuple(float(x) for x in bands_text.split(",") if x.strip())
    charts.band_labels(edges)
except ValueError as exc:
    st.error(f"Distance bands: {exc}. Using the default bands.")
    edges = charts.DEFAULT_BAND_EDGES
settings = (edges, include_imprecise)
seams = charts.compute_snapshot_seams(frontlines)

hist = charts.build_distance_histogram(frame, edges, include_imprecise)
left_out = hist.layout.meta["excluded_rows"] if hist.layout.meta else 0
left_out_note = f"{left_out:,} incidents without a distance or with an imprecise location are not counted."
st.caption(left_out_note)
show_chart(hist, "distance_bands", view, settings, page="far", notes=(left_out_note,))

measure = st.segmented_control(
    "Over time", ["incidents", "casualties"], key="far_measure", format_func=lambda m: charts.MEASURES[m],
    default=state.url_value("far_measure", "incidents", state.parse_choice(["incidents", "casualties"])),
) or "incidents"
state.keep_in_url("far_measure", measure, "incidents")
show_chart(
    charts.build_band_timeline(frame, edges, measure, "month", include_imprecise, seams),
    f"{measure}_by_band_monthly", view, settings, page="far", notes=(left_out_note,),
)
show_chart(charts.build_weapon_mix_chart(frame, edges, include_imprecise), "weapon_mix_by_band", view, settings,
           page="far", notes=(left_out_note,))

st.subheader(f"Deepest strikes: {threshold:,} km or more from the line of contact")
every_deep = charts.compute_deepest_strikes(frame, threshold, limit=None, include_imprecise=include_imprecise)
show_all = st.toggle(f"Show all {len(every_deep):,}", False, key="far_deep_all") if len(every_deep) > DEEPEST_SHOWN else True
deepest = every_deep if show_all else every_deep.head(DEEPEST_SHOWN)
if deepest.empty:
    st.info("No incident in the current filters lies this far from the line of contact.")
else:
    st.caption(f"{len(every_deep):,} incidents lie {threshold:,} km or more from the line of contact"
               + ("" if show_all else f"; the {DEEPEST_SHOWN:,} deepest are listed") + ".")
    st.download_button(f"All {len(every_deep):,} as CSV", exports.frame_to_csv(every_deep.drop(columns=["lon", "lat"])),
                       exports.export_filename("far", f"deepest-strikes-{threshold}km", view.filters.describe(), None, "csv"),
                       "text/csv", key="far_deep_csv")
    st.dataframe(
        deepest.drop(columns=["lon", "lat"]),
        hide_index=True,
        column_config={
            "date": st.column_config.DateColumn("Date"),
            "distance_km": st.column_config.NumberColumn("Distance (km)", format="%.1f"),
            "sources": st.column_config.TextColumn("Sources"),
        },
    )
    subset = frame[frame["incident_id"].isin(set(deepest["incident_id"]))]
    page = exports.build_map_page(subset, export_context(view), view.bundle.boundaries, frontlines)
    st.iframe(page, height=520)
    render_map_downloads(view, subset, key="deepest_strikes_map")
    show_chart(
        charts.build_oblast_beyond_chart(frame, threshold, include_imprecise),
        "oblasts_beyond_threshold", view, (*settings, threshold), page="far",
    )

with st.expander("How distance is measured", expanded=False):
    st.markdown(METHOD)
    for seam in seams:
        st.markdown(f"- {seam['date'].date().isoformat()}: {escape_md(seam['text'])}")
render_export_panel(view)
