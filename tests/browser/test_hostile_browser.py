"""Hostile data in a real browser: nothing from the data runs, opens a dialog or calls another host.

The server reads a data directory whose every text field carries a payload from
:mod:`tests.hostile.payloads` (incidents, manifest, quarantine, front-line sources; also a CSV
with hostile column names and a hostile file name imported by ``geo.build.ingest_into``). Each payload that would run sets ``window.__pwned``; an init script
also turns ``alert``/``confirm``/``prompt`` into the sentinel. The tests open every page, click
markers and open popups and tooltips, then read the sentinel in the page and in every frame.
"""

from __future__ import annotations

import re

import pytest

from geo.build import ingest_into
from tests.browser.app_driver import MAP_IFRAME, map_frame, open_page, settle
from tests.browser.server import streamlit_server
from tests.hostile.data import build_hostile_incidents, write_hostile_data_dir
from tests.hostile.payloads import JS, SENTINEL

pytestmark = pytest.mark.browser
TRAP = f"""
for (const name of ["alert", "confirm", "prompt", "print"]) {{
    window[name] = function() {{ window.{SENTINEL} = "dialog:" + name; }};
}}
"""
HANDLER_SCAN = """
() => {
    const bad = [];
    for (const el of document.querySelectorAll("*")) {
        for (const attr of el.attributes) {
            const name = attr.name.toLowerCase(), value = String(attr.value).toLowerCase();
            if ((name.startsWith("on") && value.includes("__pwned"))
                || ((name === "href" || name === "src" || name === "xlink:href" || name === "action" || name === "srcdoc")
                    && /^\\s*(javascript|vbscript|data:text\\/html)/.test(value))) {
                bad.push(el.tagName + " " + name + "=" + value.slice(0, 60));
            }
        }
    }
    return bad;
}
"""


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    """A server on a data directory full of hostile text."""
    data = write_hostile_data_dir(tmp_path_factory.mktemp("hostile") / "data")
    upload = data.parent / f"<img src=x onerror={JS}> {{{{7*7}}}}.csv"
    upload.write_text(
        f'date,latitude,longitude,description,"<script>{JS}</script>","=cmd|\' /C calc\'!A0"\n'
        f'2024-03-01,50.45,30.52,"<svg onload={JS}>","[x](javascript:{JS})","@SUM(1)"\n',
        encoding="utf-8",
    )
    ingest_into(data, [upload])
    log = tmp_path_factory.mktemp("hostilelog") / "streamlit.log"
    with streamlit_server(data, log) as (url, _proc):
        yield url


def _assert_clean(page, traffic):
    """No sentinel, no handler or dangerous URL from data in any frame, no dialog, no foreign request."""
    for frame in page.frames:
        try:
            value = frame.evaluate(f"() => window.{SENTINEL} === undefined ? null : String(window.{SENTINEL})")
            bad = frame.evaluate(HANDLER_SCAN)
        except Exception as exc:  # noqa: BLE001 - a frame detached while we looked: nothing ran in it
            if "detached" in str(exc).lower() or "destroyed" in str(exc).lower():
                continue
            raise
        assert value is None, f"sentinel set in frame {frame.url[:80]}: {value}"
        assert bad == [], f"{frame.url[:80]}: {bad[:5]}"
    traffic.check()


def test_map_popups_tooltips_and_details_stay_inert(hostile_url, new_context):
    page, traffic = open_page(new_context, hostile_url, init_script=TRAP)
    frame = map_frame(page, timeout=90_000)
    markers = frame.locator("path.cm-incident")
    total = markers.count()
    assert total >= len(build_hostile_incidents())
    shown = []
    for k in range(0, total, max(1, total // 12)):
        marker = markers.nth(k)
        marker.dispatch_event("mouseover")
        marker.dispatch_event("click")
        frame.wait_for_selector(".cm-popup", timeout=10_000)
        # all_inner_texts never waits: the next click may close this popup at any moment
        shown.extend(frame.locator(".cm-popup").all_inner_texts())
        shown.extend(frame.locator(".leaflet-tooltip").all_inner_texts())
    text = "\n".join(shown)
    assert "<script>" in text or "<img" in text or "<svg" in text, "payloads should show as literal text"
    page.get_by_text(re.compile(r"Incident id:")).first.wait_for(timeout=30_000)
    settle(page)  # the selection's rerun has drawn its details: any payload in them has had its chance
    _assert_clean(page, traffic)
    assert frame.locator(".cm-legend").count() == 1
    caption = frame.locator(".cm-caption").inner_text()
    assert "source:" in caption


@pytest.mark.parametrize("title", ["Incidents", "Data & sources", "Far from the front", "Trends", "Oblasts"])
def test_other_pages_stay_inert(hostile_url, new_context, title):
    page, traffic = open_page(new_context, hostile_url, init_script=TRAP)
    page.wait_for_selector(MAP_IFRAME, timeout=90_000)
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for(timeout=60_000)
    page.wait_for_selector("[data-testid='stStatusWidget']", state="detached", timeout=60_000)
    if title == "Incidents":
        grid = page.locator("[data-testid='stDataFrame']").first
        grid.wait_for(timeout=30_000)
        grid.click(position={"x": 60, "y": 50})
    if title == "Far from the front":
        page.wait_for_selector("iframe", timeout=60_000).content_frame().wait_for_load_state("load")
    settle(page)
    _assert_clean(page, traffic)
