"""Fused events in a real browser: one marker per event, a popup listing every source, the events/records switch."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from playwright.sync_api import expect

from geo.fusion import fuse_incidents
from geo.schema import ALL_COLUMNS, coerce_incidents
from tests.browser.app_driver import map_frame, open_page
from tests.browser.conftest import ROOT
from tests.browser.server import streamlit_server
from tests.synthetic_data import build_incidents, write_data_dir

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def fused_app_url(tmp_path_factory):
    """The 48 synthetic incidents plus a UCDP record of incident 47 (same place and day): 49 records, 48 events."""
    if not (ROOT / "static" / "vendor" / "leaflet" / "leaflet.js").exists():
        pytest.fail("static/vendor/leaflet is missing: run `bash scripts/setup.sh` first")
    frame = build_incidents()
    copy = frame.iloc[[47]].copy()
    copy["incident_id"], copy["source"], copy["source_id"] = "ucdp:9047", "ucdp", "9047"
    copy["event_type"], copy["killed"], copy["civilians_killed"] = "shelling", 9, 2
    copy["description"] = "UCDP: shelling, nine dead."
    copy["source_urls"] = [["https://ucdp.example.org/9047"]]
    both = coerce_incidents(fuse_incidents(pd.concat([frame, copy], ignore_index=True)), ALL_COLUMNS)
    assert both["event_id"].nunique() == 48
    data = write_data_dir(tmp_path_factory.mktemp("fuseddata") / "data", incidents=both)
    log_path = tmp_path_factory.mktemp("fusedlog") / "streamlit.log"
    with streamlit_server(data, log_path, timeout=60) as (url, _proc):
        yield url


def test_a_fused_event_is_one_marker_whose_popup_lists_its_sources(fused_app_url, new_context):
    page, traffic = open_page(new_context, fused_app_url)
    frame = map_frame(page)
    expect(frame.locator("path.cm-incident")).to_have_count(48)
    page.get_by_text(re.compile("48 of 48 events")).first.wait_for(timeout=30_000)
    frame.locator("path.cm-incident").last.click()
    frame.wait_for_selector(".cm-event-sources", timeout=10_000)
    text = frame.locator(".cm-popup").inner_text()
    assert "Strike number 47" in text
    assert "Seen in 2 datasets: curated, UCDP" in text
    assert "ucdp: killed 9" in text and "civilians killed 2" in text
    assert "curated: killed 3" in text
    traffic.check()


def test_the_count_switch_changes_the_counts_and_the_url(fused_app_url, new_context):
    page, traffic = open_page(new_context, fused_app_url)
    frame = map_frame(page)
    expect(frame.locator("path.cm-incident")).to_have_count(48)
    page.locator("section[data-testid='stSidebar']").get_by_text("Records", exact=True).click()
    page.get_by_text(re.compile("49 of 49 records")).first.wait_for(timeout=30_000)
    frame = map_frame(page)
    expect(frame.locator("path.cm-incident")).to_have_count(49, timeout=30_000)
    assert "count=records" in page.url
    page.locator("section[data-testid='stSidebar']").get_by_text("Events", exact=True).click()
    page.get_by_text(re.compile("48 of 48 events")).first.wait_for(timeout=30_000)
    traffic.check()
