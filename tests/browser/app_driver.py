"""Drive the running app like a user, cheaply: navigate in the app, switch language, wait on conditions.

A page is *settled* when the script is not running, no element is stale (faded) or a skeleton, every
plotly chart has drawn its SVG, and the page's DOM has not changed for ``QUIET_MS`` (a condition
measured in the page, not a fixed sleep: it ends as soon as the page is still). Actions that make
the app rerun (a sidebar page link, the language switch) wait until the app has really started a new
run before waiting for it to settle, so a check never reads the page it came from.
"""

from __future__ import annotations

from urllib.parse import urlparse

from tests.router import router_url_paths

QUIET_MS = 300
#: Installed in every document before its own scripts: counts the app's run-state changes and
#: stamps the time of the last DOM change.
WATCH_SCRIPT = """(() => {
  window.__cmRuns = 0; window.__cmLast = performance.now();
  new MutationObserver((records) => {
    window.__cmLast = performance.now();
    for (const r of records) {
      if (r.type === 'attributes' && r.attributeName === 'data-test-script-state') window.__cmRuns += 1;
    }
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
})();"""
_SETTLED = """(quiet) => {
  const app = document.querySelector('.stApp');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning' || window.__cmRuns < 1) return false;
  if (document.querySelector('[data-stale="true"], [data-testid="stSkeleton"]')) return false;
  for (const chart of document.querySelectorAll('[data-testid="stPlotlyChart"]')) {
    if (!chart.querySelector('svg.main-svg')) return false;
  }
  return performance.now() - window.__cmLast > quiet;
}"""
_STATE = """() => { const app = document.querySelector('.stApp');
  return {runs: window.__cmRuns, state: app && app.getAttribute('data-test-script-state'),
          stale: document.querySelectorAll('[data-stale="true"]').length,
          skeletons: document.querySelectorAll('[data-testid="stSkeleton"]').length,
          charts: document.querySelectorAll('[data-testid="stPlotlyChart"]').length,
          drawn: document.querySelectorAll('[data-testid="stPlotlyChart"] svg.main-svg').length,
          quiet_ms: Math.round(performance.now() - window.__cmLast)}; }"""
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
#: URL path of every page, read from the router (app.py's st.navigation order; "" is the map).
PAGES = router_url_paths()
LANGUAGE_NAMES = {"en": "English", "uk": "Українська"}


def new_app_page(context):
    """A page of ``context`` with the run watcher installed in every document it loads."""
    context.add_init_script(WATCH_SCRIPT)
    return context.new_page()


def open_page(new_context, url: str | None = None, size: tuple[int, int] | None = None,
              init_script: str | None = None):
    """Open ``url`` in a fresh context of the ``new_context`` fixture; return ``(page, traffic)``.

    The run watcher is installed (so :func:`settle` works), then ``init_script`` if given; ``size`` is
    the viewport's (width, height).
    """
    context, traffic = new_context()
    if init_script:
        context.add_init_script(init_script)
    page = new_app_page(context)
    if size:
        page.set_viewport_size({"width": size[0], "height": size[1]})
    if url is not None:
        page.goto(url)
    return page, traffic


def map_frame(page, marks: str = "path.cm-incident", timeout: float = 60_000):
    """Return the map component's frame once it has drawn ``marks`` (markers; ``path.cm-bin`` for cells)."""
    frame = page.wait_for_selector(MAP_IFRAME, timeout=timeout).content_frame()
    frame.wait_for_selector(marks, timeout=timeout)
    return frame


def runs(page) -> int:
    return page.evaluate("() => window.__cmRuns || 0")


def settle(page, since: int | None = None, timeout: float = 60_000, quiet: float = QUIET_MS) -> None:
    """Wait until the app has run (after ``since`` run-state changes, if given) and the page is settled.

    ``quiet`` is how many milliseconds the page's DOM must stay unchanged; to show that something
    periodic has stopped, make it longer than its period.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        if since is not None:
            page.wait_for_function("(n) => (window.__cmRuns || 0) > n", arg=since, timeout=timeout, polling=50)
        page.wait_for_function(_SETTLED, arg=quiet, timeout=timeout, polling=100)
    except PlaywrightTimeout:
        state = page.evaluate(_STATE)
        raise AssertionError(f"the page did not settle in {timeout / 1000:.0f} s: {page.url} {state}") from None
    if urlparse(page.url).path in ("", "/"):  # the map page: its component frame comes last
        page.wait_for_selector(MAP_IFRAME, state="attached", timeout=timeout)


def open_app(page, base: str, path: str = "", lang: str = "en", query: str = "") -> None:
    """Load ``base/path?lang=..`` (a new session) and wait until it has settled."""
    page.goto(f"{base}/{path}?lang={lang}{'&' + query if query else ''}")
    settle(page)


def _sidebar_open(page) -> bool:
    return page.get_by_test_id("stSidebar").get_attribute("data-collapsed") == "false"


def open_sidebar(page) -> bool:
    """Open the sidebar if it is collapsed (phone sizes); return whether it had to be opened."""
    if _sidebar_open(page):
        return False
    page.get_by_test_id("stExpandSidebarButton").click()
    page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                           ".getAttribute('data-collapsed') === 'false'", polling=50)
    return True


def close_sidebar(page) -> None:
    """Collapse the sidebar again (as a phone shows a page) if it is open."""
    if _sidebar_open(page):
        page.get_by_test_id("stSidebar").hover()
        page.get_by_test_id("stSidebarCollapseButton").locator("button").click()
        page.wait_for_function("() => document.querySelector('[data-testid=stSidebar]')"
                               ".getAttribute('data-collapsed') === 'true'", polling=50)


def go_to(page, base: str, path: str) -> None:
    """Open page ``path`` through its link in the sidebar navigation (no reload) and wait for it."""
    opened = open_sidebar(page)
    before, title = runs(page), _title(page)
    page.get_by_test_id("stSidebarNav").locator(f'a[href="{base}/{path}"]').click()
    page.wait_for_url(f"{base}/{path}?*", timeout=30_000)
    # The new page has started once a run began or the page's heading changed: a quick run can go from
    # "running" to "notRunning" within one React commit, leaving no attribute change to count.
    page.wait_for_function(
        "([n, t]) => (window.__cmRuns || 0) > n || ((document.querySelector('h1') || {}).textContent || '') !== t",
        arg=[before, title], timeout=30_000, polling=50)
    settle(page)
    if opened:
        close_sidebar(page)


def _title(page) -> str:
    return page.evaluate("() => (document.querySelector('h1') || {}).textContent || ''")


def switch_language(page, lang: str) -> None:
    """Choose ``lang`` with the sidebar's language switch and wait for the page in that language."""
    opened = open_sidebar(page)
    page.get_by_test_id("stSidebar").get_by_text(LANGUAGE_NAMES[lang], exact=True).click()
    # the new run has begun once it set the page's language (the run count can miss a quick run, see go_to)
    page.wait_for_function("(lang) => document.documentElement.lang === lang", arg=lang, timeout=30_000)
    settle(page)
    if opened:
        close_sidebar(page)
