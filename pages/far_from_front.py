"""Far from the front: how far from the line of contact incidents happen, and the deepest strikes."""

import streamlit as st

from geo import exports
from geo.countries import keep_ukraine
from geo.i18n import N_
from geo.viz import charts
from ui import state
from ui.exports import export_context, render_export_panel, render_map_downloads, show_chart
from ui.fetch import render_frontline_offer
from ui.i18n import _, current_language
from ui.text import escape_md
from ui.view import get_filtered

DEEPEST_SHOWN = 200
DEFAULT_BANDS = "0, 25, 100, 300"

view = get_filtered()
frontlines = view.bundle.frontlines
st.title(_("Far from the front"))
st.caption(_("{count} · {filters}", count=view.count_text(), filters=escape_md(view.filters.describe(current_language()))))

METHOD = N_("""
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
""")

if frontlines is None or not len(frontlines) or not view.incidents["front_distance_km"].notna().any():
    st.info(_(
        "No front lines are loaded, so distance from the front cannot be measured yet. Add snapshots with\n\n"
        "`{command}`\n\n"
        "where INPUT is DeepStateMap GeoJSON exports or any dated polygons of occupied territory "
        "(GeoJSON/GeoPackage with a date property or a date in the file name), then restart the app "
        "with `{setting}`.",
        command="python -m geo frontlines INPUT... --out DIR", setting="CONFLICTMAP_DATA=DIR",
    ))
    render_frontline_offer()
    with st.expander(_("How distance is measured")):
        st.markdown(_(METHOD))
    st.stop()

frame, elsewhere = keep_ukraine(view.filtered(), view.filters.countries)
if elsewhere:
    st.caption(_("Distances are about Ukraine: {n} in other countries or at sea ({which}) are left out of this page. "
                 "Choose countries in the sidebar to include them.",
                 n=sum(elsewhere.values()), which=", ".join(f"{k} {v}" for k, v in elsewhere.items())))
c1, c2, c3 = st.columns([2, 2, 1])
threshold = c1.slider(_("Beyond N km from the line of contact"), 0, 1000,
                      state.url_value("far_threshold", 100, state.parse_int_in(0, 1000)), step=25, key="far_threshold")
bands_text = c2.text_input(_("Distance bands (km, band starts)"), state.url_value("far_bands", DEFAULT_BANDS, str),
                           key="far_bands", max_chars=200)
include_imprecise = c3.toggle(_("Include imprecise locations"), state.url_value("far_imprecise", False, state.parse_bool),
                              key="far_imprecise")
state.keep_in_url("far_threshold", threshold, 100)
state.keep_in_url("far_bands", bands_text, DEFAULT_BANDS)
state.keep_in_url("far_imprecise", include_imprecise, False)
try:
    edges = tuple(float(x) for x in bands_text.split(",") if x.strip())
    charts.band_labels(edges)
except ValueError:
    st.error(_("Distance bands must be numbers in km, starting at 0 and rising, such as {example}. "
               "Using the default bands.", example=DEFAULT_BANDS))
    edges = charts.DEFAULT_BAND_EDGES
settings = (edges, include_imprecise)
seams = charts.compute_snapshot_seams(frontlines)

lang = current_language()
hist = charts.build_distance_histogram(frame, edges, include_imprecise, lang=lang)
left_out = hist.layout.meta["excluded_rows"] if hist.layout.meta else 0
left_out_note = _.ngettext("{n} incident without a distance or with an imprecise location is not counted.",
                            "{n} incidents without a distance or with an imprecise location are not counted.",
                            left_out)
st.caption(left_out_note)
show_chart(hist, "distance_bands", view, settings, page="far", notes=(left_out_note,))

measure = st.segmented_control(
    _("Over time"), ["incidents", "casualties"], key="far_measure", format_func=lambda m: _(charts.MEASURES[m]),
    default=state.url_value("far_measure", "incidents", state.parse_choice(["incidents", "casualties"])),
) or "incidents"
state.keep_in_url("far_measure", measure, "incidents")
show_chart(
    charts.build_band_timeline(frame, edges, measure, "month", include_imprecise, seams, lang=lang),
    f"{measure}_by_band_monthly", view, settings, page="far", notes=(left_out_note,),
)
show_chart(charts.build_weapon_mix_chart(frame, edges, include_imprecise, lang=lang), "weapon_mix_by_band", view, settings,
           page="far", notes=(left_out_note,))

st.subheader(_("Deepest strikes: {km} km or more from the line of contact", km=threshold))
every_deep = charts.compute_deepest_strikes(frame, threshold, limit=None, include_imprecise=include_imprecise)
show_all = st.toggle(_("Show all {n}", n=len(every_deep)), False, key="far_deep_all") if len(every_deep) > DEEPEST_SHOWN else True
deepest = every_deep if show_all else every_deep.head(DEEPEST_SHOWN)
if deepest.empty:
    st.info(_("No incident in the current filters lies this far from the line of contact."))
else:
    lie = _.ngettext("{n} incident lies {km} km or more from the line of contact.",
                     "{n} incidents lie {km} km or more from the line of contact.", len(every_deep), km=threshold)
    st.caption(lie if show_all else lie + " " + _("The {shown} deepest are listed.", shown=DEEPEST_SHOWN))
    st.download_button(_("All {n} as CSV", n=len(every_deep)), exports.frame_to_csv(every_deep.drop(columns=["lon", "lat"])),
                       exports.export_filename("far", f"deepest-strikes-{threshold}km", view.filters.describe(lang), None, "csv"),
                       "text/csv", key="far_deep_csv")
    st.dataframe(
        # what a reader looks for first: when, where, how many hurt, how far; the internal id last
        deepest[["date", "place", "oblast", "killed", "injured", "distance_km", "target", "weapon", "sources",
                 "incident_id"]],
        hide_index=True,
        placeholder=_("not reported"),
        column_config={
            "incident_id": st.column_config.TextColumn(_("Incident id")),
            "date": st.column_config.DateColumn(_("Date")),
            "place": st.column_config.TextColumn(_("Place")),
            "oblast": st.column_config.TextColumn(_("Oblast")),
            "target": st.column_config.TextColumn(_("Target")),
            "weapon": st.column_config.TextColumn(_("Weapon")),
            "killed": st.column_config.NumberColumn(_("Killed"), format="localized"),
            "injured": st.column_config.NumberColumn(_("Injured"), format="localized"),
            "distance_km": st.column_config.NumberColumn(_("Distance (km)"), format="%.1f"),
            "sources": st.column_config.TextColumn(_("Sources")),
        },
    )
    subset = frame[frame["incident_id"].isin(set(deepest["incident_id"]))]
    page = exports.build_map_page(subset, export_context(view), view.bundle.boundaries, frontlines, lang=lang)
    st.iframe(page, height=520)
    render_map_downloads(view, subset, key="deepest_strikes_map", page="far")
    show_chart(
        charts.build_oblast_beyond_chart(frame, threshold, include_imprecise, lang=lang),
        "oblasts_beyond_threshold", view, (*settings, threshold), page="far",
    )

with st.expander(_("How distance is measured"), expanded=False):
    st.markdown(_(METHOD))
    for seam in seams:
        st.markdown(f"- {seam['date'].date().isoformat()}: {escape_md(seam['text'])}")
render_export_panel(view)
