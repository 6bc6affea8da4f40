"""The map's centre and zoom in the shareable link (``mc=lat,lon``, ``mz=zoom``).

How the view travels, with streamlit-folium (its ``center``/``zoom`` returns):

- the map reports its centre and zoom when the reader pans or zooms (one rerun, debounced by
  streamlit-folium); :func:`handle_view` keeps a real move in the session and the link;
- a map opens at the link's view by itself: :class:`OpenAtLinkView` reads ``mc``/``mz`` from the
  page's address when the map is built (first load, a return to the page, a language switch),
  so no centre is ever sent to a mounted map, which would pull a map the reader is moving back;
- an untouched map reports nothing: the script tells streamlit-folium that the view it opened
  at is already known, so loading the page costs no second run and leaves no ``mc``/``mz``.
"""

from __future__ import annotations

import streamlit as st
from branca.element import MacroElement
from folium.template import Template

from geo.filters import Filters
from ui import state

#: What the map reports back besides clicks.
VIEW_RETURNED = ["center", "zoom"]
#: A reported view counts as a move when the zoom changed or the centre moved more than this
#: many screen pixels (a resized frame re-reports its centre up to a pixel off).
MOVE_PIXELS = 3


class OpenAtLinkView(MacroElement):
    """Open the map at the page link's ``mc``/``mz`` (validated, clamped) and report only moves.

    Runs inside streamlit-folium's frame, after the map is built and before streamlit-folium
    reads its first view: ``window.__GLOBAL_DATA__.previous_data`` is set to that view (same
    keys, same order as streamlit-folium's own report), so its first report is not sent.
    Nothing happens when the page's address cannot be read (another origin).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function() {
            var map = {{ this._parent.get_name() }};
            try {
                var query = new URLSearchParams(window.parent.location.search);
                var mc = (query.get("mc") || "").split(","), mz = query.get("mz");
                var lat = Number(mc[0]), lon = Number(mc[1]), zoom = mz === null ? {{ this.zoom }} : Number(mz);
                if (mc.length === 2 && mc[0] !== "" && mc[1] !== "" && isFinite(lat) && isFinite(lon) && isFinite(zoom)) {
                    lat = Math.min(Math.max(lat, -85), 85);
                    lon = Math.min(Math.max(lon, -180), 180);
                    zoom = Math.min(Math.max(zoom, {{ this.min_zoom }}), {{ this.max_zoom }});
                    map.setView([lat, lon], zoom, {animate: false});
                }
            } catch (error) { /* the page's address is not readable: keep the fitted view */ }
            var known = window.__GLOBAL_DATA__;
            if (known && known.returned_objects) {
                var now = {last_object_clicked: null, last_object_clicked_tooltip: null,
                           zoom: map.getZoom(), center: map.getCenter()};
                var first = {};
                for (var key in now) {
                    if (known.returned_objects.indexOf(key) !== -1) { first[key] = now[key]; }
                }
                known.previous_data = JSON.parse(JSON.stringify(first));
            }
        })();
        {% endmacro %}
        """
    )

    def __init__(self):
        super().__init__()
        self._name = "OpenAtLinkView"
        self.zoom = float(state.MAP_DEFAULT_ZOOM)
        self.min_zoom, self.max_zoom = (float(v) for v in state.MAP_ZOOM_RANGE)


def reported_view(returned) -> tuple[tuple[float, float], float] | None:
    """Return the centre and zoom a map reported (``st_folium``'s ``center``/``zoom``), validated, or None."""
    if not isinstance(returned, dict):
        return None
    center, zoom = returned.get("center"), returned.get("zoom")
    if not isinstance(center, dict) or isinstance(zoom, bool) or not isinstance(zoom, (int, float)):
        return None
    return state.parse_map_view(f"{center.get('lat')},{center.get('lng')}", str(zoom))


def is_move(reported, baseline) -> bool:
    """Say whether ``reported`` differs from ``baseline`` (both ``((lat, lon), zoom)``, or None) by a real move."""
    if baseline is None:
        return True
    (lat, lon), zoom = reported
    (lat0, lon0), zoom0 = baseline
    if zoom != zoom0:
        return True
    degrees_per_pixel = 360.0 / (256.0 * 2.0**zoom)
    return max(abs(lat - lat0), abs(lon - lon0)) > MOVE_PIXELS * degrees_per_pixel


def handle_view(filters: Filters, returned) -> None:
    """Keep the view the map reported, when it is a move, in the session and the link."""
    reported = reported_view(returned)
    if reported is None or not is_move(reported, st.session_state.get(state.MAP_VIEW)):
        return
    st.session_state[state.MAP_VIEW] = reported
    state.write_url(filters)
