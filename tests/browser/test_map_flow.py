"""The selection flow in a real browser at laptop sizes: Incidents -> map keeps the filters; first clicks count."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

from geo.viz.map.shared import LEGEND_OPEN_FROM_PX
from tests.browser.app_driver import MAP_IFRAME, map_frame, open_page

pytestmark = pytest.mark.browser
SIZES = [(1440, 900), (1280, 720)]


def _main_scroll(page) -> float:
    return page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                         " return (m ? m.scrollTop : 0) + window.scrollY; }")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_show_on_the_map_keeps_every_filter_and_selects(app_url, new_context, size):
    page, traffic = open_page(new_context, f"{app_url}/incidents?tt=education&q=Kyiv&kmin=1", size)
    page.get_by_text(re.compile(r"\d+ of 48 events")).first.wait_for(timeout=60_000)
    caption = page.get_by_text(re.compile(r"of 48 events ·")).first.inner_text()
    count = re.search(r"(\d+) of 48 events", caption).group(1)
    assert int(count) > 0
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=30_000)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 36 + 17)
    page.get_by_role("button", name="Show on the map").click()
    frame = map_frame(page)
    page.wait_for_url(re.compile(r"sel="), timeout=20_000)
    expect(page.get_by_role("heading", name="Incidents on the map")).to_be_visible()
    query = parse_qs(urlparse(page.url).query)
    assert query.get("tt") == ["education"] and query.get("q") == ["Kyiv"] and query.get("kmin") == ["1"], page.url
    assert not {"kmax", "imin", "imax", "nr"} & set(query), page.url
    page.get_by_text(re.compile(rf"^{count} of 48 events")).first.wait_for(timeout=20_000)
    expect(frame.locator("path.cm-incident")).to_have_count(int(count))
    expect(frame.locator("path.cm-selected")).to_have_count(1)
    assert page.get_by_text("outside the current filters").count() == 0
    selected = query["sel"][0]
    page.get_by_text(re.compile(rf"Incident id:\s*{re.escape(selected)}")).first.wait_for(timeout=20_000)
    traffic.check()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_first_click_on_the_map_selects(app_url, new_context, size):
    page, traffic = open_page(new_context, app_url, size)
    frame = map_frame(page)
    page.get_by_text(re.compile("48 of 48 events")).first.wait_for(timeout=30_000)
    iframe_box = page.locator(MAP_IFRAME).bounding_box()
    if size == (1440, 900):
        assert iframe_box["y"] + iframe_box["height"] <= size[1], f"the map ends below the fold: {iframe_box}"
    markers = frame.locator("path.cm-incident")
    expect(markers).to_have_count(48)
    # the lowest marker still on screen: pressing there used to scroll the page away from the pointer
    boxes = [(markers.nth(i).bounding_box(), i) for i in range(48)]
    visible = [(b, i) for b, i in boxes if b and b["y"] + b["height"] < size[1] - 4 and b["y"] > 0]
    assert visible, "no marker is visible in the first screen"
    box, index = max(visible, key=lambda item: item[0]["y"])
    before = _main_scroll(page)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert _main_scroll(page) == before, "pressing on the map scrolled the page"
    page.wait_for_url(re.compile(r"sel=syn"), timeout=15_000)
    page.get_by_text(re.compile(r"Incident id:\s*syn:\d+")).first.wait_for(timeout=15_000)
    traffic.check()


def _box_of(locator):
    return locator.evaluate("e => { const r = e.getBoundingClientRect(); return {x: r.left, y: r.top, w: r.width, h: r.height}; }")


def _box(frame, selector):
    return _box_of(frame.locator(selector).first)


def _overlap(a, b) -> bool:
    return a["x"] < b["x"] + b["w"] and b["x"] < a["x"] + a["w"] and a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]


@pytest.mark.parametrize("size", [(1440, 900), (1280, 720), (390, 844)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_map_is_readable_and_its_legend_hides_no_front(app_url, new_context, size):
    page, traffic = open_page(new_context, app_url, size)
    frame = map_frame(page)
    expect(frame.locator(".cm-label-place").first).to_be_attached(timeout=15_000)
    places = frame.locator(".cm-label-place").all_inner_texts()
    assert {"Kyiv", "Kharkiv", "Vinnytsia", "Zaporizhzhia", "Odesa", "Lviv"} <= set(places)
    water = set(frame.locator(".cm-label-water").all_inner_texts())
    assert {"Black Sea", "Sea of Azov", "Dnipro"} <= water
    assert {"RUSSIA", "BELARUS", "POLAND", "MOLDOVA"} <= set(frame.locator(".cm-label-country").all_inner_texts())
    legend = frame.locator(".cm-legend details")
    caption = frame.locator(".cm-caption details")
    map_width = frame.evaluate("() => window.map.getSize().x")
    if map_width < LEGEND_OPEN_FROM_PX:
        assert legend.get_attribute("open") is None, "the legend must start folded on a narrow map"
    else:
        assert legend.get_attribute("open") is not None
    legend_box = _box(frame, ".cm-legend")
    oblasts = frame.locator("path.cm-oblast")
    assert oblasts.count() >= 27
    hidden = [i for i in range(oblasts.count()) if _overlap(legend_box, _box_of(oblasts.nth(i)))]
    assert hidden == [], f"the legend lies over {len(hidden)} oblast(s) at {size}"
    if size[0] < 500:
        ukraine = frame.evaluate("() => { const b = window.map.getBounds(); return [b.getWest(), b.getEast()]; }")
        assert ukraine[0] <= 22.2 and ukraine[1] >= 40.2, f"Ukraine does not fit the phone's width: {ukraine}"
        expect(page.get_by_text(re.compile(r"48 of 48 events\*{0,2} · reported killed: [\d,]+"))).to_be_visible()
    else:
        text = " ".join(frame.locator(".cm-legend").text_content().split())
        assert "Hollow: approximate location" in text and "Primary target (48 incidents)" in text
        key = frame.locator(".cm-caption").inner_text()
        assert "Occupied area" in key and "Contested area" in key and "Line of contact" in key
        occupied = frame.locator("path.cm-occupied")
        expect(occupied).to_have_count(1)
        occupied_box = _box(frame, "path.cm-occupied")
        assert not _overlap(_box(frame, ".cm-legend"), occupied_box), "the legend hides the occupied area"
        assert not _overlap(_box(frame, ".cm-caption"), occupied_box), "the front-line box hides the occupied area"
    assert "Front line as of 2024-06-01" in caption.inner_text()
    marker = frame.locator("path.cm-incident").last
    marker.hover()
    tooltip = frame.locator(".leaflet-tooltip").first
    expect(tooltip).to_be_visible(timeout=10_000)
    words = tooltip.inner_text()
    assert "\u27e6" not in words and "syn:" not in words, words
    assert re.search(r"\d{4}-\d\d-\d\d", words) and re.search(r"Residential|Education|Healthcare|Energy|Transport|Cultural", words)
    traffic.check()


def test_marker_colour_and_legend_follow_the_target_filter(app_url, new_context):
    page, traffic = open_page(new_context, f"{app_url}/?tt=residential", (1440, 900))
    frame = map_frame(page)
    page.get_by_text(re.compile(r"\d+ of 48 events")).first.wait_for(timeout=30_000)
    legend = frame.locator(".cm-legend").inner_text()
    assert "Residential" in legend
    assert not re.search(r"Education|Cultural|Healthcare|Energy|Transport", legend), legend
    traffic.check()


def test_the_map_page_exports_the_view_on_screen(binned_app_url, new_context):
    """Above the threshold the screen shows cells, and so does the exported map (same rule)."""
    import struct

    page, traffic = open_page(new_context, f"{binned_app_url}/?tt=residential", (1440, 900))
    map_frame(page, "path.cm-bin")
    page.get_by_text("Export this map").click()
    page.get_by_role("button", name="Prepare map HTML + PNG").click()
    png_button = page.get_by_role("button", name="Map PNG (2x)")
    expect(png_button).to_be_visible(timeout=90_000)
    with page.expect_download() as info:
        png_button.click()
    download = info.value
    assert re.fullmatch(r"conflictmap_map_incidents_targets-residential[-a-z]*_\d{4}-\d\d-\d\d\.png", download.suggested_filename)
    data = Path(download.path()).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (2400, 1720)
    with page.expect_download() as info:
        page.get_by_role("button", name="Map HTML").click()
    html = Path(info.value.path()).read_text(encoding="utf-8")
    assert "cm-bin" in html and "<script src=" not in html and "targets: Residential" in html
    traffic.check()


@pytest.mark.parametrize("query", ["Kharkiv", "Kharkov", "Харків"])
def test_search_finds_a_place_in_any_spelling_and_the_incidents_page_exports(app_url, new_context, query):
    page, traffic = open_page(new_context, f"{app_url}/incidents", (1440, 900))
    page.get_by_text(re.compile(r"48 of 48 events")).first.wait_for(timeout=60_000)
    box = page.get_by_label("Search place and description")
    box.fill(query)
    box.press("Enter")
    page.get_by_text(re.compile(r"^12 of 48 events")).first.wait_for(timeout=30_000)
    expect(page.get_by_text("Export data and cite this view")).to_be_visible()
    traffic.check()


@pytest.fixture(scope="module")
def nofront_app_url(tmp_path_factory):
    """The app on data without front lines (the Map page then offers to fetch them)."""
    from tests.browser.server import streamlit_server
    from tests.synthetic_data import write_data_dir

    data = write_data_dir(tmp_path_factory.mktemp("nofront") / "data", frontlines=False)
    with streamlit_server(data, tmp_path_factory.mktemp("nofrontlog") / "streamlit.log", timeout=60) as (url, _proc):
        yield url


def test_the_map_fits_the_first_screen_with_every_control_shown(nofront_app_url, new_context):
    """Playback, the front-line offer and the export sit beside the map, not above it."""
    page, traffic = open_page(new_context, nofront_app_url, (1440, 900))
    map_frame(page)
    expect(page.get_by_text("Play over time")).to_be_visible(timeout=30_000)
    box = page.locator(MAP_IFRAME).bounding_box()
    assert box["y"] + box["height"] <= 900, f"the map ends below the fold: {box}"
    traffic.check()


def test_skip_the_map_link_takes_the_keyboard_past_the_map_to_its_list(app_url, new_context):
    page, traffic = open_page(new_context, app_url, (1440, 900))
    map_frame(page)
    link = page.locator("a.cm-skip")
    expect(link).to_have_count(1)
    assert link.bounding_box()["width"] <= 1, "the skip link shows only when it has the keyboard focus"
    link.focus()
    expect(link).to_be_visible()
    assert link.bounding_box()["width"] > 100
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => { const e = document.activeElement;"
                            " return [e.tagName, e.getAttribute('aria-label') || '', e.closest('[data-testid=stSelectbox]') !== null]; }")
    assert focused[0] == "INPUT" and focused[2] and focused[1].startswith("Incidents on the map"), focused
    traffic.check()
