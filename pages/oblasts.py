"""Oblasts: a choropleth and a sortable table per oblast, with rates and change."""

import pandas as pd
import streamlit as st

from geo.filters import date_bounds, filter_mask
from geo.population import POPULATION_CITATION
from geo.viz import charts
from ui import state
from ui.exports import get_population, render_export_panel, show_chart
from ui.i18n import _, current_language
from ui.text import escape_md
from ui.view import get_filtered


def oblast_styler(shown: pd.DataFrame):
    """Shown text of the oblast table: thousands separators, "not reported" casualties, "—" for no value.

    A Styler changes only what a cell shows: the columns stay numbers, so they sort as numbers.
    """
    def whole(value) -> str:
        return _.number(int(value))

    def tenths(value) -> str:
        return _.number(float(value), 1)

    def hundredths(value) -> str:
        return _.number(float(value), 2)

    present = set(shown.columns)
    styler = shown.style.format(whole, na_rep=_("not reported"), subset=[c for c in ("killed", "injured") if c in present])
    styler = styler.format(whole, na_rep="\u2014", subset=[c for c in ("incidents", "population", "previous_incidents",
                                                                         "change") if c in present])
    styler = styler.format(tenths, na_rep="\u2014", subset=[c for c in ("share_pct", "change_pct") if c in present])
    return styler.format(hundredths, na_rep="\u2014", subset=[c for c in ("per_100k",) if c in present])


view = get_filtered()
st.title(_("Oblasts"))
st.caption(_("{count} · {filters}", count=view.count_text(), filters=escape_md(view.filters.describe(current_language()))))

frame = view.filtered()
population = get_population()
bounds = date_bounds(view.columns, view.mask)
previous, period_note = None, _("No date range, so no previous period to compare with.")
if bounds is not None:
    start = pd.Timestamp(view.filters.date_from or bounds[0])
    end = pd.Timestamp(view.filters.date_to or bounds[1])
    prev_start, prev_end = charts.previous_period(start, end)
    coverage = date_bounds(view.columns)
    if coverage is not None and prev_start < pd.Timestamp(coverage[0]):
        period_note = _.ngettext(
            "No change is shown: the data starts on {first}, so the {n} day before {start} "
            "({prev_start}–{prev_end}) is not covered. "
            "Narrow the date range in the sidebar to compare with an earlier period.",
            "No change is shown: the data starts on {first}, so the {n} days before {start} "
            "({prev_start}–{prev_end}) are not covered. "
            "Narrow the date range in the sidebar to compare with an earlier period.",
            (end - start).days + 1, first=coverage[0], start=start.date(), prev_start=prev_start.date(),
            prev_end=prev_end.date(),
        )
    else:
        prev_filters = view.filters.replace(date_from=prev_start.date(), date_to=prev_end.date())
        previous = view.incidents[filter_mask(view.columns, prev_filters)]
        period_note = _.ngettext(
            "Change compares {start}–{end} with the {n} day before ({prev_start}–{prev_end}), same filters otherwise.",
            "Change compares {start}–{end} with the {n} days before ({prev_start}–{prev_end}), "
            "same filters otherwise.",
            (end - start).days + 1, start=start.date(), end=end.date(), prev_start=prev_start.date(),
            prev_end=prev_end.date(),
        )

table = charts.compute_oblast_table(frame, previous, population)
value = st.segmented_control(
    _("Colour by"),
    ["incidents", "per_100k", "killed", "injured"],
    default=state.url_value("obl_value", "incidents", state.parse_choice(["incidents", "per_100k", "killed", "injured"])),
    format_func=lambda v: {"incidents": _("Incidents"), "per_100k": _("Per 100,000 people (pre-war)"), "killed": _("Killed"),
                           "injured": _("Injured")}[v],
    key="obl_value",
) or "incidents"
state.keep_in_url("obl_value", value, "incidents")
show_chart(charts.build_oblast_choropleth(table, view.bundle.boundaries, value, lang=current_language()), f"oblasts_{value}", view, (value,), page="oblasts")

if previous is None:
    st.info(period_note)
shown = table if previous is not None else table.drop(columns=["previous_incidents", "change", "change_pct"], errors="ignore")
shown = shown[[c for c in shown.columns if c != "admin1_iso"] + ["admin1_iso"]]  # names first, the ISO code last
st.dataframe(
    oblast_styler(shown),
    hide_index=True,
    column_config={
        "admin1_iso": st.column_config.TextColumn("ISO"),
        "oblast": st.column_config.TextColumn(_("Oblast")),
        "incidents": st.column_config.NumberColumn(_("Incidents"), format="localized"),
        "killed": st.column_config.NumberColumn(_("Killed"), format="localized"),
        "injured": st.column_config.NumberColumn(_("Injured"), format="localized"),
        "share_pct": st.column_config.NumberColumn(_("Share %"), format="%.1f"),
        "population": st.column_config.NumberColumn(_("Population (pre-war)"), format="localized"),
        "per_100k": st.column_config.NumberColumn(_("Per 100,000"), format="%.2f"),
        "previous_incidents": st.column_config.NumberColumn(_("Previous period"), format="localized"),
        "change": st.column_config.NumberColumn(_("Change"), format="localized"),
        "change_pct": st.column_config.NumberColumn(_("Change %"), format="%.1f"),
    },
)
if previous is not None:
    st.caption(period_note)
st.caption(_(
    "Population: {citation} Pre-war figures ignore displacement since February 2022; "
    "Crimea and Sevastopol use the last Ukrainian estimate (1 January 2014).",
    citation=POPULATION_CITATION,
))
render_export_panel(view)
