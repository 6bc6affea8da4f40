"""Playback in a real browser: pressing Play moves the date, the URL and the front line on the map."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.app_driver import MAP_IFRAME, open_page, settle
from ui.playback import SPEEDS

pytestmark = pytest.mark.browser


def test_play_moves_the_date_and_the_map(app_url, new_context):
    page, traffic = open_page(new_context, f"{app_url}/?play=2024-01-15&pwin=30&pstep=month")
    frame = page.wait_for_selector(MAP_IFRAME, timeout=60_000).content_frame()
    caption = frame.locator(".cm-caption")
    expect(caption).to_contain_text("No front-line snapshot", timeout=60_000)
    expect(page.get_by_text(re.compile(r"in the 30 days up to 15 Jan 2024"))).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="▶ Play").click()
    # The ticker steps one month every 1.5 s: wait for the URL and the map to follow.
    page.wait_for_url(re.compile(r"play=2024-0[3-9]"), timeout=60_000)
    expect(caption).to_contain_text("2024-02-01", timeout=30_000)
    page.get_by_role("button", name="⏸ Pause").click()
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible(timeout=30_000)
    settle(page)
    stopped = re.search(r"play=([0-9-]+)", page.url).group(1)
    # Stopped: the page stays unchanged for longer than the slowest playback step.
    settle(page, quiet=max(SPEEDS.values()) * 1000 + 500)
    assert re.search(r"play=([0-9-]+)", page.url).group(1) == stopped
    traffic.check()
