"""The main flows in Ukrainian, by mouse and by keyboard alone (the English flows: test_browser, test_map_flow).

One server (the session's ``app_url``) and one context per test, opened with ``?lang=uk``. The
expected words come from the message catalogue (``geo.i18n``), not copied strings, and the checks
are on structure and language: a Cyrillic label where the English one was, ``lang=uk`` kept in the
link, counts read from the map, never a long sentence another helper may reword.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from geo.i18n import translator
from geo.taxonomy import TARGET_TYPES, label
from tests.browser.app_driver import MAP_IFRAME, new_app_page, open_app, settle

pytestmark = pytest.mark.browser
UK = translator("uk")
CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")
LIST_LABEL = "Incidents on the map (keyboard: choose one to see its details)"


def _uk_page(new_context, app_url, path="", query=""):
    context, traffic = new_context()
    page = new_app_page(context)
    page.set_viewport_size({"width": 1440, "height": 900})
    open_app(page, app_url, path, "uk", query)
    return page, traffic


def _query(page) -> dict:
    return parse_qs(urlparse(page.url).query)


def _markers(page):
    frame = page.wait_for_selector(MAP_IFRAME, timeout=60_000).content_frame()
    frame.wait_for_selector("path.cm-incident", timeout=60_000)
    return frame.locator("path.cm-incident")


def test_filtering_by_a_target_type_in_ukrainian(app_url, new_context):
    page, traffic = _uk_page(new_context, app_url)
    expect(_markers(page)).to_have_count(48, timeout=30_000)
    education = label("education", TARGET_TYPES, "uk")
    assert CYRILLIC.search(education)
    box = page.get_by_role("combobox", name=UK("Target types"), exact=True)
    box.click()
    box.press_sequentially(education.split()[0])
    page.get_by_role("option", name=education).click()
    page.wait_for_url(re.compile(r"tt=education"), timeout=30_000)
    settle(page)
    query = _query(page)
    assert query.get("tt") == ["education"] and query.get("lang") == ["uk"], page.url
    expect(_markers(page)).to_have_count(8, timeout=30_000)  # the synthetic data holds 8 education incidents
    chips = page.get_by_test_id("stMultiSelect").filter(has=page.get_by_role("combobox", name=UK("Target types")))
    expect(chips.get_by_text(education)).to_be_visible(timeout=30_000)
    assert page.evaluate("document.documentElement.lang") == "uk"
    traffic.check()


_FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body || e.tagName === 'IFRAME') return {tag: e ? e.tagName : null};
  const style = getComputedStyle(e);
  let opacity = 1;
  for (let n = e; n && n.nodeType === 1; n = n.parentElement) opacity *= parseFloat(getComputedStyle(n).opacity);
  const group = e.closest('[role="radiogroup"]');
  const box = e.getBoundingClientRect();
  return {tag: e.tagName, type: e.type || '', role: e.getAttribute('role') || '',
          name: e.getAttribute('aria-label') || '', group: group ? group.innerText : '',
          focusVisible: e.matches(':focus-visible'), outline: style.outlineStyle,
          outlineWidth: parseFloat(style.outlineWidth), opacity: opacity, size: box.width * box.height,
          html: e.outerHTML.slice(0, 100)};
}"""


def test_keyboard_alone_reaches_the_switch_the_filters_and_the_map_list_with_visible_focus(app_url, new_context):
    """Tab from the top of the map page; every stop in the app's document shows a focus ring."""
    page, traffic = _uk_page(new_context, app_url)
    _markers(page)
    list_name = UK(LIST_LABEL)
    reached, invisible = [], []
    for _ in range(250):
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED)
        if focused["tag"] in (None, "BODY", "IFRAME"):
            continue  # the page itself, or inside the map's frame (Leaflet's own controls)
        reached.append(focused)
        if not (focused["focusVisible"] and focused["outline"] != "none" and focused["outlineWidth"] >= 2
                and focused["opacity"] > 0.5 and focused["size"] > 0):
            invisible.append(focused)
        if focused["role"] == "combobox" and focused["name"] == list_name:
            break
    names = [f["name"] for f in reached]
    assert any(f["type"] == "radio" and "Українська" in f["group"] and "English" in f["group"] for f in reached), \
        "the language switch is not reachable with Tab"
    assert UK("Target types") in names, f"the target-type filter is not reachable with Tab: {names}"
    assert names[-1] == list_name, f"the map's incident list is not reachable with Tab: {names[-5:]}"
    assert not invisible, f"focus is not visible on: {json.dumps(invisible, ensure_ascii=False, indent=1)}"

    # operate the list from the keyboard: its first incident, the details in Ukrainian
    settle(page)
    if page.evaluate(_FOCUSED)["name"] != list_name:
        # a late rerun (e.g. the map's first report on a loaded machine) re-drew the list after Tab reached it
        page.get_by_role("combobox", name=list_name).focus()
    option = page.get_by_role("option").first
    for attempt in range(3):  # ArrowDown opens the list; a keypress during a rerun can be lost
        page.keyboard.press("ArrowDown")
        try:
            option.wait_for(timeout=5_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    page.keyboard.press("Enter")
    page.wait_for_function("() => /[?&]sel=syn/.test(location.search)", timeout=30_000)
    settle(page)
    selected = _query(page)["sel"][0]
    details = page.get_by_text(re.compile(rf"{re.escape(UK('Incident id'))}:\s*{re.escape(selected)}"))
    expect(details.first).to_be_visible(timeout=30_000)
    assert page.get_by_text(re.compile(r"Incident id:")).count() == 0
    assert _query(page).get("lang") == ["uk"]
    traffic.check()


def test_the_data_export_in_ukrainian(app_url, new_context):
    page, traffic = _uk_page(new_context, app_url, "incidents", query="tt=education")
    page.get_by_text(UK("Export data and cite this view"), exact=True).click()
    page.get_by_role("button", name=UK("Prepare data export")).click()
    provenance = page.get_by_role("button", name=UK("Provenance"))
    expect(provenance).to_be_visible(timeout=60_000)
    with page.expect_download() as info:
        provenance.click()
    record = json.loads(Path(info.value.path()).read_text(encoding="utf-8"))
    assert "education" in json.dumps(record["filters"]["params"]), "the provenance file does not record the filter"
    description = record["filters"]["description"]
    assert CYRILLIC.search(description) and label("education", TARGET_TYPES, "uk").split()[0] in description, \
        f"the provenance's filter summary is not in Ukrainian: {description}"
    # the citation block under the downloads (geo.citation): in Ukrainian, with the filter summary
    citation = page.get_by_test_id("stCode").first.inner_text()
    assert len(CYRILLIC.findall(citation)) > 20, f"the citation is not in Ukrainian: {citation}"
    assert _query(page).get("lang") == ["uk"]
    traffic.check()
