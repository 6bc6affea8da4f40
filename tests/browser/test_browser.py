"""The dashboard in a real browser: offline map, click-to-select, shareable URLs, no foreign requests."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.app_driver import map_frame, open_app, open_page, settle
from tests.synthetic_data import SENTINEL

pytestmark = pytest.mark.browser


def _wait_text(page, pattern: str, timeout=30_000):
    page.get_by_text(re.compile(pattern)).first.wait_for(timeout=timeout)


def _assert_no_script_ran(page, frame):
    assert page.evaluate(f"() => window.{SENTINEL}") is None
    assert frame.evaluate(f"() => window.{SENTINEL}") is None


def test_map_renders_offline_with_leaflet_from_the_app(app_url, new_context):
    context, traffic = new_context()
    page = context.new_page()
    started = time.perf_counter()
    page.goto(app_url)
    frame = map_frame(page)
    elapsed = time.perf_counter() - started
    assert frame.evaluate("() => window.L && window.L.version") == "1.9.4"
    scripts = frame.evaluate("() => Array.from(document.scripts).map(s => s.src).filter(Boolean)")
    assert scripts and all("/app/static/vendor/leaflet/" in s or "/component/" in s for s in scripts), scripts
    expect(frame.locator("path.cm-incident")).to_have_count(48)
    assert frame.locator(".leaflet-control-scale").count() == 1
    assert "Primary target" in frame.locator(".cm-legend").inner_text()
    assert "Front line as of 2024-06-01" in frame.locator(".cm-caption").inner_text()
    assert frame.locator("path.leaflet-interactive").count() >= 48 + 27
    _wait_text(page, "48 of 48 events")
    _assert_no_script_ran(page, frame)
    traffic.check()
    print(f"first map render: {elapsed:.2f} s")


def test_clicking_a_marker_shows_its_details(app_url, new_context):
    page, traffic = open_page(new_context, app_url)
    frame = map_frame(page)
    marker = frame.locator("path.cm-incident").last
    marker.click()
    frame.wait_for_selector(".cm-popup", timeout=10_000)
    popup_text = frame.locator(".cm-popup").inner_text()
    assert "Strike number 47" in popup_text and "<svg" in popup_text
    _wait_text(page, r"Incident id:\s*syn:47")
    page.wait_for_url(re.compile(r"sel=syn(%3A|:)47"), timeout=15_000)
    _assert_no_script_ran(page, frame)
    traffic.check()


def test_shared_url_reproduces_the_view_in_a_fresh_context(app_url, new_context):
    page, traffic = open_page(new_context, app_url)
    map_frame(page)
    page.get_by_text("Precise locations only").click()
    _wait_text(page, "36 of 48 events")
    frame = map_frame(page)
    expect(frame.locator("path.cm-incident")).to_have_count(36, timeout=20_000)
    frame.locator("path.cm-incident").last.click()
    _wait_text(page, r"Incident id:\s*syn:46")
    page.wait_for_url(re.compile(r"precise=1.*sel=syn|sel=syn.*precise=1"), timeout=15_000)
    shared = page.url
    traffic.check()

    fresh, fresh_traffic = new_context()
    other = fresh.new_page()
    other.goto(shared)
    other_frame = map_frame(other)
    _wait_text(other, "36 of 48 events")
    _wait_text(other, r"Incident id:\s*syn:46")
    expect(other_frame.locator("path.cm-incident")).to_have_count(36)
    expect(other_frame.locator("path.cm-selected")).to_have_count(1)
    assert other.get_by_role("checkbox", name="Precise locations only").is_checked()
    _assert_no_script_ran(other, other_frame)
    fresh_traffic.check()


def test_above_the_threshold_cells_drill_down(binned_app_url, new_context):
    page, traffic = open_page(new_context, binned_app_url)
    frame = map_frame(page, "path.cm-bin")
    assert frame.locator("path.cm-incident").count() == 0
    assert "Incidents per cell (48 in" in frame.locator(".cm-legend").inner_text()
    zoom_before = frame.evaluate("() => window.map.getZoom()")
    frame.locator("path.cm-bin").first.click()
    page.wait_for_url(re.compile(r"cell="), timeout=15_000)
    frame.wait_for_function("(z) => window.map.getZoom() > z", arg=zoom_before, timeout=20_000)
    frame.wait_for_selector("path.cm-incident, path.cm-bin", timeout=15_000)
    # the zoomed map reports its new view (one more rerun): a click during that rerun can be lost
    settle(page)
    page.get_by_role("button", name="Back to the whole map").click()
    page.wait_for_url(lambda url: "cell=" not in url, timeout=15_000)
    traffic.check()


def _reruns(payloads: list) -> int:
    """How many of the messages the browser sent ask the server to rerun the script (heartbeats are not)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg

    count = 0
    for payload in payloads:
        message = BackMsg()
        message.ParseFromString(payload if isinstance(payload, bytes) else payload.encode("latin-1"))
        count += message.WhichOneof("type") == "rerun_script"
    return count


def test_a_drag_is_drawn_in_the_browser_and_reported_once(app_url, new_context):
    """A drag of many steps moves the map without the server; only the view it ends at is sent, in one rerun.

    (streamlit-folium debounces the map's report; ``ui.maplink`` keeps the view in the link.)
    """
    page, traffic = open_page(new_context)
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
    open_app(page, app_url)
    frame = map_frame(page)
    _wait_text(page, "48 of 48 events")
    settle(page)
    assert _reruns(sent) >= 1  # the first visit's run: the count below reads the messages right
    sent.clear()
    assert "mz=" not in page.url
    box = frame.locator(".leaflet-container").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 150, box["y"] + box["height"] / 2 + 80, steps=8)
    page.mouse.up()
    page.wait_for_url(re.compile(r"mz="), timeout=15_000)
    settle(page)
    assert _reruns(sent) == 1, f"the drag asked for {_reruns(sent)} reruns, not one"
    traffic.check()


UPLOAD_CSV = (
    "source_id,date,date_precision,lat,lon,geo_precision,location,admin1_iso,target_types,target_raw,weapons,weapon_raw,"
    "event_type,killed,injured,casualty_source,casualty_note,description,source_urls,sources\n"
    'up-1,2024-03-02,day,50.45,30.52,exact,"Kyiv, <b>upload</b> one",UA-30,residential,flat,drone,Shahed,drone_strike,'
    '2,5,x,x,"Uploaded {{ 7*7 }} <script>window.__pwned=1</script>",https://example.org/u1,x\n'
    "up-2,2024-03-03,day,49.99,36.23,exact,Kharkiv upload two,UA-63,education,school,ballistic_missile,Iskander,"
    "missile_strike,,3,x,x,Uploaded two,https://example.org/u2,x\n"
    "up-3,2024-03-04,day,,,exact,No coordinates,UA-63,education,school,drone,x,drone_strike,1,1,x,x,bad row,,x\n"
)


def test_upload_is_explored_alongside_for_this_session_only(app_url, new_context):
    page, traffic = open_page(new_context, f"{app_url}/data_sources")
    _wait_text(page, "48 of 48 events")
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "my <file>.csv", "mimeType": "text/csv", "buffer": UPLOAD_CSV.encode()}]
    )
    page.get_by_role("button", name="Import").click()
    _wait_text(page, r"Imported 2 of 3 rows", timeout=60_000)
    _wait_text(page, "50 of 50 events")
    # Streamlit draws a rerun progressively: wait for the button, do not just count it
    expect(page.get_by_role("button", name="Download your quarantined rows (CSV)")).to_have_count(1, timeout=30_000)

    other, other_traffic = new_context()
    other_page = other.new_page()
    other_page.goto(app_url)
    map_frame(other_page)
    _wait_text(other_page, "48 of 48 events")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Map", exact=True).click()
    frame = map_frame(page)
    expect(frame.locator("path.cm-incident")).to_have_count(50, timeout=20_000)
    _assert_no_script_ran(page, frame)
    traffic.check()
    other_traffic.check()


def test_a_fresh_server_opened_at_a_page_link_still_shows_the_frame(fresh_app_url, new_context):
    """Streamlit's legacy pages/ mode must not take over when the first visit is a page link."""
    page, traffic = open_page(new_context, f"{fresh_app_url}/incidents?tt=education")
    _wait_text(page, "8 of 48 events")
    nav = page.get_by_test_id("stSidebarNav").inner_text()
    assert "Data & sources" in nav and "app" not in nav.split()
    expect(page.get_by_role("heading", name="Incidents").first).to_be_visible()
    traffic.check()
