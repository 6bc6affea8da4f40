"""The map's centre and zoom travel in the link: zoom and pan, reload the link, the same view."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from tests.browser.app_driver import MAP_IFRAME, map_frame, open_page, settle

pytestmark = pytest.mark.browser
VIEW_JS = "() => { const c = window.map.getCenter(); return [c.lat, c.lng, window.map.getZoom()]; }"
#: Marks, in the map's frame, whether the map is moving: Leaflet fires ``movestart`` when a drag or a
#: zoom begins and ``moveend`` when it ends, after any drag inertia.
TRACK_MOVES = """() => { if (window.__cmMoving === undefined) { window.__cmMoving = false;
  window.map.on('movestart', () => { window.__cmMoving = true; });
  window.map.on('moveend', () => { window.__cmMoving = false; }); } }"""


def _link_view(url: str):
    query = parse_qs(urlparse(url).query)
    if "mc" not in query or "mz" not in query:
        return None
    lat, lon = (float(v) for v in query["mc"][0].split(","))
    return lat, lon, float(query["mz"][0])


def _still_view(frame, zoom: float | None = None):
    """The map's view once it has stopped moving (at ``zoom``, if given)."""
    frame.wait_for_function("(z) => !window.__cmMoving && (z === null || window.map.getZoom() == z)",
                            arg=zoom, timeout=15_000, polling=50)
    return frame.evaluate(VIEW_JS)


def _close(a, b, tol=1e-4) -> bool:
    return abs(a[0] - b[0]) < tol and abs(a[1] - b[1]) < tol and a[2] == b[2]


def test_zoom_and_pan_are_in_the_link_and_a_reload_opens_the_same_view(app_url, new_context):
    page, traffic = open_page(new_context, f"{app_url}/?tt=residential", (1440, 900))
    frame = map_frame(page)
    frame.evaluate(TRACK_MOVES)
    page.get_by_text(re.compile(r"\d+ of 48 events")).first.wait_for(timeout=30_000)
    settle(page)  # the map's first report (its fitted view) is not a move: no rerun, no view in the link
    assert _link_view(page.url) is None, f"an untouched map put its view in the link: {page.url}"
    start = _still_view(frame)
    box = page.locator(MAP_IFRAME).bounding_box()
    for step in (1, 2):  # zoom in by 2 x 0.5 (the map's zoom step), each click once the last zoom has ended
        frame.locator("a.leaflet-control-zoom-in").click()
        _still_view(frame, zoom=start[2] + 0.5 * step)
    x, y = box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.6
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 6):
        page.mouse.move(x - 30 * step, y - 12 * step)
    page.mouse.up()
    moved = _still_view(frame)  # after any drag inertia: the view the map reports
    assert moved[2] == start[2] + 1 and (abs(moved[0] - start[0]) > 0.05 or abs(moved[1] - start[1]) > 0.05)
    page.wait_for_function(
        "([lat, lon, z]) => { const q = new URLSearchParams(location.search); const c = (q.get('mc') || '').split(',');"
        " return q.get('mz') == String(z) && Math.abs(c[0] - lat) < 1e-4 && Math.abs(c[1] - lon) < 1e-4; }",
        arg=moved, timeout=15_000)
    shared = page.url
    assert parse_qs(urlparse(shared).query).get("tt") == ["residential"], shared

    other = page.context.new_page()  # the shared link opened afresh: a new session
    other.set_viewport_size({"width": 1440, "height": 900})
    other.goto(shared)
    frame2 = map_frame(other)
    other.wait_for_function(
        "([lat, lon, z]) => { const f = document.querySelector(\"iframe[title='streamlit_folium.st_folium']\");"
        " const m = f && f.contentWindow.map; if (!m) return false; const c = m.getCenter();"
        " return m.getZoom() == z && Math.abs(c.lat - lat) < 1e-4 && Math.abs(c.lng - lon) < 1e-4; }",
        arg=list(_link_view(shared)), timeout=20_000)
    settle(other)  # and it stays there: the map's own first report does not undo it
    assert _close(frame2.evaluate(VIEW_JS), _link_view(shared), tol=1e-3)
    assert _close(_link_view(other.url), _link_view(shared))
    expect(frame2.locator("path.cm-incident").first).to_be_attached()
    traffic.check()


def test_a_bad_view_in_the_link_is_ignored(app_url, new_context):
    page, traffic = open_page(new_context, f"{app_url}/?mc=north,east&mz=7", (1440, 900))
    page.frame_locator(MAP_IFRAME).locator("path.cm-incident").first.wait_for(state="attached", timeout=60_000)
    expect(page.get_by_text(re.compile("Ignored the map view"))).to_be_visible(timeout=20_000)
    assert _link_view(page.url) is None
    assert page.get_by_text("Traceback").count() == 0
    traffic.check()
