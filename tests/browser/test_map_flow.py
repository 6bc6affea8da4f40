"""The selection flow in a real browser at laptop sizes: Incidents -> map keeps the filters; first clicks count."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
SIZES = [(1440, 900), (1280, 720)]


def _map_frame(page, timeout=60_000):
    handle = page.wait_for_selector(MAP_IFRAME, timeout=timeout)
    frame = handle.content_frame()
    frame.wait_for_selector("path.cm-incident", timeout=timeout)
    return frame


def _sized_page(new_context, size):
    context, traffic = new_context()
    page = context.new_page()
    page.set_viewport_size({"width": size[0], "height": size[1]})
    return page, traffic


def _main_scroll(page) -> float:
    return page.evaluate("() => { const m = document.querySelector('[data-testid=stMain]');"
                         " return (m ? m.scrollTop : 0) + window.scrollY; }")


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_show_on_the_map_keeps_every_filter_and_selects(app_url, new_context, size):
    page, traffic = _sized_page(new_context, size)
    page.goto(f"{app_url}/incidents?tt=education&q=Kyiv&kmin=1")
    page.get_by_text(re.compile(r"\d+ of 48 incidents")).first.wait_for(timeout=60_000)
    caption = page.get_by_text(re.compile(r"of 48 incidents ·")).first.inner_text()
    count = re.search(r"(\d+) of 48 incidents", caption).group(1)
    assert int(count) > 0
    grid = page.get_by_test_id("stDataFrame").first
    expect(grid).to_be_visible(timeout=30_000)
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 15, box["y"] + 36 + 17)
    page.get_by_role("button", name="Show on the map").click()
    frame = _map_frame(page)
    page.wait_for_url(re.compile(r"sel="), timeout=20_000)
    expect(page.get_by_role("heading", name="Incidents on the map")).to_be_visible()
    query = parse_qs(urlparse(page.url).query)
    assert query.get("tt") == ["education"] and query.get("q") == ["Kyiv"] and query.get("kmin") == ["1"], page.url
    assert not {"kmax", "imin", "imax", "nr"} & set(query), page.url
    page.get_by_text(re.compile(rf"^{count} of 48 incidents")).first.wait_for(timeout=20_000)
    expect(frame.locator("path.cm-incident")).to_have_count(int(count))
    expect(frame.locator("path.cm-selected")).to_have_count(1)
    assert page.get_by_text("outside the current filters").count() == 0
    selected = query["sel"][0]
    page.get_by_text(re.compile(rf"Incident id:\s*{re.escape(selected)}")).first.wait_for(timeout=20_000)
    traffic.check()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_first_click_on_the_map_selects(app_url, new_context, size):
    page, traffic = _sized_page(new_context, size)
    page.goto(app_url)
    frame = _map_frame(page)
    page.get_by_text(re.compile("48 of 48 incidents")).first.wait_for(timeout=30_000)
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
