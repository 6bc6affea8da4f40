"""Map: incidents against oblasts and the front line as it stood on the map date."""

import streamlit as st

from ui.a11y import render_map_alternative, render_skip_map_link
from ui.fetch import render_frontline_offer
from ui.i18n import _, current_language
from ui.mapview import map_date_control, marker_threshold, render_details, render_map, render_map_export
from ui.playback import render_playback
from ui.sidebar import casualty_value
from ui.text import escape_md
from ui.view import get_filtered

view = get_filtered()
st.title(_("Incidents on the map"))
kpis = view.kpis
st.caption(_("**{count}** · reported killed: {killed} · reported injured: {injured} · {filters}",
             count=view.count_text(of_total=True), killed=casualty_value(kpis["killed"]),
             injured=casualty_value(kpis["injured"]), filters=escape_md(view.filters.describe(current_language()))))
# Controls live beside the map, not above it, so the map fits a laptop's first screen.
left, right = st.columns([3, 1], gap="medium")
with right:
    played = render_playback(view)
    if played:
        view, map_date = played
    else:
        map_date = map_date_control(view)
with left:
    render_skip_map_link()
    caption = render_map(view, map_date)
    render_map_alternative(view, marker_threshold())
with right:
    st.caption(escape_md(caption))
    with st.expander(_("Export this map"), icon=":material/download:"):
        render_map_export(view, map_date)
    if view.bundle.frontlines is None:
        render_frontline_offer()
    st.subheader(_("Selected incident"))
    render_details(view)
