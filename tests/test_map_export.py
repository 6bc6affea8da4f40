"""The publishable map: one frame holding title, legend, scale, front-line date, filters and credits.

Rendered by Debian's Chromium (Playwright for the layout boxes, the export engine for the
PNG), at the export's own size and at 2x: nothing may fall outside the image.
"""

from __future__ import annotations

import datetime as dt
import shutil
import struct
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from geo import exports
from geo.boundaries import load_default_boundaries
from geo.viz import map as gmap
from tests.synthetic_data import build_frontlines, build_incidents

CHROMIUM = "/usr/bin/chromium"
needs_chromium = pytest.mark.skipif(not (Path(CHROMIUM).exists() or shutil.which("chromium")), reason="needs Chromium")
MANIFEST = {"sources": [{"key": "curated", "name": "conflictmap curated incidents", "licence": "CC BY 4.0",
                         "attribution": "conflictmap contributors", "url": "https://example.org/data",
                         "accessed": "2026-11-01", "redistribution": True}]}
BOXES = (".cm-header", ".cm-footer", ".cm-legend", ".cm-caption", ".leaflet-control-scale")


def _context(frame):
    return exports.build_export_context(frame, MANIFEST, "v-test", "targets: Residential <&>", {"tt": "residential"})


def test_threshold_rule_exists_once_and_reads_the_environment():
    """The screen and every export ask geo.viz.map.marker_threshold; a bad value falls back."""
    assert gmap.marker_threshold({}) == gmap.MARKER_THRESHOLD
    assert gmap.marker_threshold({gmap.THRESHOLD_ENV: "10"}) == 10
    assert gmap.marker_threshold({gmap.THRESHOLD_ENV: "ten"}) == gmap.MARKER_THRESHOLD
    assert gmap.marker_threshold({gmap.THRESHOLD_ENV: "0"}) == 1


def test_map_export_follows_the_threshold(monkeypatch):
    """Above CONFLICTMAP_MARKER_THRESHOLD the exported map shows cells, like the screen."""
    frame = build_incidents(48)
    context = _context(frame)
    monkeypatch.setenv(gmap.THRESHOLD_ENV, "10")
    cells = exports.build_map_page(frame, context, load_default_boundaries())
    monkeypatch.setenv(gmap.THRESHOLD_ENV, "100")
    markers = exports.build_map_page(frame, context, load_default_boundaries())
    assert "BinLayer" not in markers and "cm-bin" in cells and "cm-incident" in markers and "cm-incident" not in cells


def test_export_file_names_say_what_they_hold():
    name = exports.export_filename("map", "incidents", "targets: Residential; oblasts: Kyiv", dt.date(2024, 6, 1), "png")
    assert name == "conflictmap_map_incidents_targets-residential-oblasts-kyiv_2024-06-01.png"
    assert exports.export_filename("trends", "monthly", "All incidents", None, "svg") == "conflictmap_trends_monthly_all.svg"


@needs_chromium
def test_publishable_map_png_holds_every_part_inside_the_frame(tmp_path):
    from playwright.sync_api import sync_playwright

    frame = build_incidents(48)
    page_html = exports.build_map_page(frame, _context(frame), load_default_boundaries(), build_frontlines(),
                                       when=dt.date(2024, 11, 25), title="Attacks <b>in</b> Ukraine")
    path = tmp_path / "map.html"
    path.write_text(page_html, encoding="utf-8")
    width, height = exports.MAP_PAGE_SIZE

    def check_in_chromium():
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
            try:
                page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=2)
                requests = []
                page.on("request", lambda r: requests.append(r.url))
                page.goto(path.as_uri())
                page.wait_for_selector(".cm-legend", timeout=20_000)
                page.wait_for_selector(".cm-caption", timeout=20_000)
                for selector in BOXES:
                    box = page.locator(selector).first.bounding_box()
                    assert box is not None, f"{selector} is missing"
                    assert box["x"] >= 0 and box["y"] >= 0, (selector, box)
                    assert box["x"] + box["width"] <= width and box["y"] + box["height"] <= height, f"{selector} is clipped: {box}"
                header = page.locator(".cm-header").inner_text()
                assert "Attacks <b>in</b> Ukraine" in header and "targets: Residential <&>" in header and "Data as of 2024-11-25" in header
                footer = page.locator(".cm-footer").inner_text()
                assert "conflictmap contributors" in footer and "CC BY 4.0" in footer and "GeoNames" in footer
                assert "Front line as of 2024-06-01" in page.locator(".cm-caption").inner_text()
                legend = page.locator(".cm-legend").inner_text()
                assert "Primary target (48 incidents)" in legend and "approximate location" in legend
                assert "Black Sea" in page.locator(".cm-label-water").all_inner_texts()
                assert all(u.startswith(("file:", "data:", "about:")) for u in requests), requests
            finally:
                browser.close()

    # Its own thread: a browser test on this worker may keep a sync Playwright loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(check_in_chromium).result()
    engine = exports.ExportEngine().start()
    try:
        png = exports.snapshot_map_html(path, engine=engine)
    finally:
        engine.close()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", png[16:24]) == (width * 2, height * 2)
