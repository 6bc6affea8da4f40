"""Browser measurements: a real ``streamlit run`` and headless Debian Chromium via Playwright.

- app start to first rendered map: from launching the server process (data directory in
  the OS cache) until the map iframe holds the incident layer (bins or markers);
- filter change until the browser shows the updated map: click "Precise locations only",
  wait until the sidebar count changes and the map's legend (or, for the naive baseline,
  its number of markers) shows the new count;
- bytes received over the app's websocket for each change (the map payload and the rest
  of the page delta);
- server memory (psutil RSS of the server process) with one session and after each
  additional browser context that renders the map.
"""

from __future__ import annotations

import contextlib
import os
import re
import statistics
import sys
import time
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser.server import streamlit_server  # noqa: E402 - one way to start the app, shared with the browser tests

CHROMIUM = os.environ.get("CONFLICTMAP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
LAYER_SELECTOR = ".cm-bin, path.cm-incident, path.naive-marker"
COUNT_RE = re.compile(r"([\d,]+) of ([\d,]+) (?:incidents|events|records)")
MB = 1e6


def _tree(pid: int) -> list[psutil.Process]:
    proc = psutil.Process(pid)
    return [proc, *proc.children(recursive=True)]


def server_memory(pid: int) -> tuple[float, float]:
    """Resident memory of the server process (and children), MB: (all, of which mapped files)."""
    rss = files = 0
    for proc in _tree(pid):
        try:
            info = proc.memory_info()
        except psutil.NoSuchProcess:
            continue
        rss += info.rss
        files += getattr(info, "shared", 0)  # Linux: resident pages backed by files (libraries, memory-mapped tables)
    return round(rss / MB, 1), round(files / MB, 1)


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) the server process and its children have used so far."""
    total = 0.0
    for proc in _tree(pid):
        try:
            times = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return round(total, 2)


@contextlib.contextmanager
def _server(script: Path, directory: Path, log_path: Path, timeout: float):
    """The app (or the naive baseline) under `streamlit run`: yields (url, process, launch time)."""
    launched = time.perf_counter()
    with streamlit_server(directory, log_path, timeout=timeout, script=script,
                          args=("--server.maxMessageSize", "2000")) as (url, proc):
        yield url, proc, launched


class Traffic:
    """Websocket bytes received by one page, with timestamps."""

    def __init__(self, page):
        self.frames: list[tuple[float, int]] = []
        page.on("websocket", self._on_socket)

    def _on_socket(self, ws) -> None:
        if "_stcore/stream" in ws.url:
            ws.on("framereceived", lambda payload: self.frames.append((time.perf_counter(), len(payload))))

    def since(self, t0: float) -> tuple[int, int]:
        sizes = [n for t, n in self.frames if t >= t0]
        return sum(sizes), max(sizes, default=0)


def _map_frame(page, timeout_ms: float):
    handle = page.wait_for_selector(MAP_IFRAME, state="attached", timeout=timeout_ms)
    frame = handle.content_frame()
    frame.wait_for_selector(LAYER_SELECTOR, state="attached", timeout=timeout_ms)
    return frame


def _count(page) -> int | None:
    text = page.evaluate("() => document.body.innerText")
    match = COUNT_RE.search(text)
    return int(match.group(1).replace(",", "")) if match else None


def _map_shows(page, expected: int) -> bool:
    """True when the map's legend (or the naive map's marker count) shows ``expected`` incidents."""
    try:
        frame = page.wait_for_selector(MAP_IFRAME, state="attached", timeout=1000).content_frame()
        return bool(
            frame.evaluate(
                """(n) => {
                    const fmt = n.toLocaleString('en-US');
                    const legend = Array.from(document.querySelectorAll('.cm-legend')).map(e => e.innerText).join(' ');
                    if (legend) {
                        return legend.includes('(' + fmt + ' in ') || legend.includes('(' + fmt + ' incidents)');
                    }
                    const map = window.map_div;
                    if (!map) { return false; }
                    const naive = Object.values(map._layers).filter(l => l.options && l.options.className === 'naive-marker');
                    return naive.length === n;
                }""",
                expected,
            )
        )
    except Exception:  # noqa: BLE001 - the iframe is replaced during a rerun; try again
        return False


def _first_map(browser, url: str, proc, launched: float, timeout: float, result: dict):
    """Open the app in a new context and wait for the first map; record when, the server's CPU and memory."""
    result["server_healthy_s"] = round(time.perf_counter() - launched, 3)
    context = browser.new_context(viewport={"width": 1500, "height": 1000})
    page = context.new_page()
    traffic = Traffic(page)
    t_goto = time.perf_counter()
    page.goto(url, timeout=timeout * 1000)
    _map_frame(page, timeout_ms=max(1.0, timeout - (time.perf_counter() - launched)) * 1000)
    result["start_to_first_map_s"] = round(time.perf_counter() - launched, 3)
    result["page_to_first_map_s"] = round(time.perf_counter() - t_goto, 3)
    result["server_cpu_s"] = server_cpu(proc.pid)
    result["first_load_ws_bytes"], result["first_load_max_frame"] = traffic.since(t_goto)
    time.sleep(1.0)
    result["rss_one_session_mb"], result["rss_file_mb"] = server_memory(proc.pid)
    return context, page, traffic


def measure_first_start(script: Path, directory: Path, log_path: Path, start_timeout: float = 120) -> dict:
    """Start the app once and time its first map only (e.g. on a new data version: the cold start)."""
    from playwright.sync_api import sync_playwright

    result: dict = {}
    if not Path(CHROMIUM).exists():
        return {"error": f"{CHROMIUM} not found"}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            with _server(script, directory, log_path, start_timeout) as (url, proc, launched):
                context, _page, _traffic = _first_map(browser, url, proc, launched, start_timeout, result)
                context.close()
        except Exception as exc:  # noqa: BLE001 - a timeout is a result
            result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        finally:
            browser.close()
    return result


def measure_browser(
    script: Path,
    directory: Path,
    log_path: Path,
    start_timeout: float = 120,
    change_timeout: float = 60,
    toggles: int = 6,
    sessions: int = 4,
) -> dict:
    """Start the app, time the first map, filter changes, websocket bytes and memory per session."""
    from playwright.sync_api import sync_playwright

    result: dict = {"script": str(script.relative_to(ROOT))}
    if not Path(CHROMIUM).exists():
        result["error"] = f"{CHROMIUM} not found"
        return result
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    contexts = []
    launched = time.perf_counter()
    try:
        with _server(script, directory, log_path, start_timeout) as (url, proc, launched):
            context, page, traffic = _first_map(browser, url, proc, launched, start_timeout, result)
            contexts.append(context)
            result["changes"] = _toggle_precise(page, traffic, toggles, change_timeout)
            ok = [c["map_updated_s"] for c in result["changes"] if "map_updated_s" in c]
            result["median_update_s"] = round(statistics.median(ok), 3) if ok else None
            result["max_change_ws_bytes"] = max((c.get("ws_bytes", 0) for c in result["changes"]), default=None)
            rss = [result["rss_one_session_mb"]]
            for _ in range(sessions - 1):
                extra = browser.new_context(viewport={"width": 1500, "height": 1000})
                contexts.append(extra)
                extra_page = extra.new_page()
                extra_page.goto(url, timeout=start_timeout * 1000)
                _map_frame(extra_page, timeout_ms=start_timeout * 1000)
                time.sleep(1.0)
                rss.append(server_memory(proc.pid)[0])
            result["rss_by_sessions_mb"] = rss
            if len(rss) > 1:
                result["rss_per_extra_session_mb"] = round((rss[-1] - rss[0]) / (len(rss) - 1), 1)
            for context in contexts:
                context.close()
            contexts.clear()
    except Exception as exc:  # noqa: BLE001 - a timeout is a result (e.g. the naive baseline at 100k)
        result["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:300]}"
        result["elapsed_s"] = round(time.perf_counter() - launched, 1)
    finally:
        for context in contexts:
            context.close()
        browser.close()
        playwright.stop()
    return result


def _toggle_precise(page, traffic: Traffic, toggles: int, change_timeout: float) -> list[dict]:
    """Click "Precise locations only" ``toggles`` times; time each until the map shows the new count."""
    changes = []
    for k in range(toggles):
        before = _count(page)
        t0 = time.perf_counter()
        page.get_by_text("Precise locations only").first.click()
        deadline = t0 + change_timeout
        after = before
        while after == before and time.perf_counter() < deadline:
            time.sleep(0.02)
            after = _count(page)
        t_count = time.perf_counter()
        while after is not None and not _map_shows(page, after) and time.perf_counter() < deadline:
            time.sleep(0.02)
        t1 = time.perf_counter()
        if t1 >= deadline:
            changes.append({"toggle": k, "error": f"no map update within {change_timeout:.0f} s"})
            break
        total, biggest = traffic.since(t0)
        changes.append({"toggle": k, "incidents": after, "count_shown_s": round(t_count - t0, 3),
                        "map_updated_s": round(t1 - t0, 3), "ws_bytes": total, "max_frame_bytes": biggest})
        time.sleep(0.3)
    return changes
