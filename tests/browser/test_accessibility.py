"""axe-core (from the npm registry, node_modules/axe-core) on every page: no serious or critical WCAG 2.1 A/AA finding.

Default suite: every page in both languages at desktop size (1440x900) and every page in Ukrainian
at phone size (390x844); ``-m bench`` adds every page in English at phone size, and the fresh-load
matrix below. One server and one browser serve everything; each walk gets one browser context and
one page that moves through the app as a user does: it opens the map once, then for each page audits
it, switches the language with the sidebar switch (desktop), audits it again, and goes on to the next
page through the sidebar navigation in the language it is in (every page is seen in both languages
with one navigation and one switch, and the language surviving navigation is checked on the way). axe is injected once per
document and runs only the WCAG 2.0/2.1 A and AA rules. Findings of lower impact are printed
(docs/ACCESSIBILITY.md lists them with reasons).

The fresh-load matrix (``-m bench``): every page opened by its own link (a new session each time, as
a shared link opens) in both languages at both sizes, 28 audits.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.browser.app_driver import PAGES, go_to, new_app_page, open_app, switch_language

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}
BLOCKING = {"serious", "critical"}

_RUN_AXE = """async (tags) => {
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ') + ' :: ' + n.html.slice(0, 120))}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `bash scripts/setup.sh` (npm ci)")
    return AXE.read_text(encoding="utf-8")


class Audit:
    """Runs axe on the page as it is now and collects blocking findings and a one-line report per audit."""

    def __init__(self, axe_source: str):
        self.axe_source = axe_source
        self.failures: list[str] = []
        self.report: list[str] = []
        self.started = self.last = time.perf_counter()

    def __call__(self, page, name: str, lang: str, viewport: dict) -> None:
        label = f"{name or 'map'} {lang} {viewport['width']}x{viewport['height']}"
        assert page.evaluate("document.documentElement.lang") == lang, f"{label}: the page language attribute"
        assert parse_qs(urlparse(page.url).query).get("lang") == [lang], f"{label}: lang= in the link: {page.url}"
        assert urlparse(page.url).path.strip("/") == name, f"{label}: on {page.url}"
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.add_script_tag(content=self.axe_source)
        axe_started = time.perf_counter()
        found = page.evaluate(_RUN_AXE, TAGS)
        now = time.perf_counter()
        timing = f"[{now - self.last:.1f} s, axe {now - axe_started:.1f} s]"
        self.last = now
        self.report.append(f"{label}: " + (", ".join(f"{v['impact']} {v['id']} x{len(v['nodes'])}" for v in found)
                                           or "clean") + f" {timing}")
        self.failures += [f"{label}: {v['impact']} {v['id']} ({v['help']}): {v['nodes'][:3]}"
                          for v in found if v["impact"] in BLOCKING]

    def check(self) -> None:
        print("\n".join(self.report) + f"\n{len(self.report)} audits in {time.perf_counter() - self.started:.1f} s")
        assert not self.failures, json.dumps(self.failures, indent=1, ensure_ascii=False)


def _walk(chromium, app_url, audit: Audit, viewport: dict, languages: tuple[str, ...]) -> None:
    """Audit every page in ``languages`` (in one context, navigating in the app); see the module docstring."""
    context = chromium.new_context(viewport=viewport)
    try:
        page = new_app_page(context)
        order = list(languages)
        open_app(page, app_url, PAGES[0], order[0])
        for index, name in enumerate(PAGES):
            if index:
                go_to(page, app_url, name)  # keeps the language the page was left in
            for step, lang in enumerate(order):
                if step:
                    switch_language(page, lang)
                audit(page, name, lang, viewport)
            order.reverse()  # the next page starts in the language this one ended in
    finally:
        context.close()
    assert len(audit.report) == len(PAGES) * len(languages)


def test_axe_every_page_both_languages_desktop(app_url, chromium, axe_source):
    audit = Audit(axe_source)
    _walk(chromium, app_url, audit, DESKTOP, ("en", "uk"))
    audit.check()


def test_axe_every_page_in_ukrainian_phone(app_url, chromium, axe_source):
    """Phone size in Ukrainian (its longer words are the likelier to overflow); English at phone size: -m bench."""
    audit = Audit(axe_source)
    _walk(chromium, app_url, audit, PHONE, ("uk",))
    audit.check()


@pytest.mark.bench  # CI time: the default suite covers phone size in Ukrainian
def test_axe_every_page_in_english_phone(app_url, chromium, axe_source):
    audit = Audit(axe_source)
    _walk(chromium, app_url, audit, PHONE, ("en",))
    audit.check()


@pytest.mark.bench  # 28 fresh sessions: ~2-3 minutes
def test_axe_fresh_load_matrix(app_url, chromium, axe_source):
    audit = Audit(axe_source)
    for viewport in (DESKTOP, PHONE):
        for lang in ("en", "uk"):
            context = chromium.new_context(viewport=viewport)
            try:
                page = new_app_page(context)
                for name in PAGES:
                    open_app(page, app_url, name, lang)
                    audit(page, name, lang, viewport)
            finally:
                context.close()
    audit.check()
