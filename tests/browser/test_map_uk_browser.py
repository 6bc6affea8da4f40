"""The Map page in Ukrainian in a real browser: legend, front-line box, labels, tooltip, popup and caption."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_the_map_speaks_ukrainian(app_url, new_context):
    """A link with lang=uk opens a map whose every word is Ukrainian (data text stays as published)."""
    context, traffic = new_context()
    page = context.new_page()
    page.goto(f"{app_url}/?lang=uk")
    frame = page.wait_for_selector("iframe[title='streamlit_folium.st_folium']", timeout=60_000).content_frame()
    frame.wait_for_selector("path.cm-incident", timeout=60_000)
    legend = frame.locator(".cm-legend").inner_text()
    assert "Основна ціль (48 інцидентів)" in legend and "Порожнисті: приблизне місце" in legend, legend
    key = frame.locator(".cm-caption").inner_text().replace("\u00a0", " ").replace("\u202f", " ")
    assert "Лінія фронту станом на 1 черв. 2024 р." in key and "Лінія зіткнення" in key, key
    assert "Тимчасово окупована територія" in key and "Line of contact" not in key
    expect(frame.locator(".cm-label-place").first).to_be_attached(timeout=15_000)
    assert {"Київ", "Харків", "Одеса"} <= set(frame.locator(".cm-label-place").all_inner_texts())
    assert {"Чорне море", "Дніпро"} <= set(frame.locator(".cm-label-water").all_inner_texts())
    assert "РОСІЯ" in frame.locator(".cm-label-country").all_inner_texts()
    assert frame.locator(".leaflet-control-zoom-in").get_attribute("title") == "Збільшити"
    assert re.fullmatch(r"\d+ к?м", frame.locator(".leaflet-control-scale-line").first.inner_text().strip())
    marker = frame.locator("path.cm-incident").nth(frame.evaluate(
        "() => [...document.querySelectorAll('path.cm-incident')].findIndex(p => { const r = p.getBoundingClientRect();"
        " return document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2) === p; })"))
    marker.hover()
    tooltip = frame.locator(".leaflet-tooltip").first
    expect(tooltip).to_be_visible(timeout=10_000)
    assert re.search(r"\d{1,2} [а-яґєії]+\.? 20\d\d", tooltip.inner_text().replace("\u00a0", " ")), tooltip.inner_text()
    marker.click()
    popup = frame.locator(".cm-popup")
    expect(popup).to_be_visible(timeout=10_000)
    words = popup.inner_text()
    assert "Дата" in words and "Область" in words and "Date" not in words, words
    expect(page.get_by_text(re.compile("клацніть позначку")).first).to_be_visible(timeout=10_000)
    traffic.check()
