"""Load test: many simultaneous browser sessions against a real ``streamlit run`` on 127.0.0.1.

One headless Chromium, one browser context per session. Each session opens the app with its own
date filter in the URL (so each expects its own incident count), then for a fixed time alternates
two actions: toggling "Precise locations only" and changing the map date. After every action it
waits until both the sidebar KPI ("N of M records", opened with count=records) and the map (marker count, or the map date
in the map caption) show the result, records the time taken, and checks that the KPI is the one
its own filters imply (another session's filters would give another number).

Reported: errors (must be 0: exceptions, wrong KPIs, Streamlit exception boxes, page errors,
failed or non-local requests), p50/p95 time from a filter change to the updated map, actions per
session, and the server's resident memory (psutil) before, at peak and after.

Usage::

    python -m bench.load_test --sessions 20 --seconds 60 --out bench/results/load_test.md
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import platform
import statistics
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import psutil

from geo.filters import Filters, filter_mask, prepare_columns
from tests.browser.server import streamlit_server
from tests.synthetic_data import build_incidents, write_data_dir

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
MAP_IFRAME = "iframe[title='streamlit_folium.st_folium']"
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
ACTION_TIMEOUT_MS = 60_000


@dataclass
class SessionResult:
    """What one browser session saw."""

    index: int
    date_to: dt.date
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    actions: int = 0
    kpi_checks: int = 0


class MemorySampler:
    """Sample a process's resident memory (RSS, MB) on a background thread."""

    def __init__(self, pid: int, interval: float = 0.25):
        self.process = psutil.Process(pid)
        self.interval = interval
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def rss_mb(self) -> float:
        """Current RSS of the process and its children, in MB."""
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.NoSuchProcess:
                continue
        return total / 1e6

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.rss_mb())
            except psutil.NoSuchProcess:
                return
            self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def expected_count(frame_columns, date_to: dt.date, precise: bool) -> int:
    """Incidents the app must report for a session's own filters."""
    return int(filter_mask(frame_columns, Filters(date_to=date_to, precise_only=precise)).sum())


async def _wait_kpi(page, shown: int, total: int) -> None:
    text = f"{shown:,} of {total:,} records"
    await page.wait_for_function("t => document.body && document.body.innerText.includes(t)", arg=text,
                                 polling=150, timeout=ACTION_TIMEOUT_MS)


async def _map_frame(page):
    handle = await page.wait_for_selector(MAP_IFRAME, timeout=ACTION_TIMEOUT_MS)
    return await handle.content_frame()


async def _wait_markers(page, expected: int) -> None:
    deadline = time.monotonic() + ACTION_TIMEOUT_MS / 1000
    while True:
        frame = await _map_frame(page)
        try:
            await frame.wait_for_function(
                "n => document.querySelectorAll('path.cm-incident').length === n", arg=expected, polling=150,
                timeout=max(1000, int((deadline - time.monotonic()) * 1000)),
            )
            return
        except Exception:
            if time.monotonic() > deadline:
                raise
            # The component iframe can be replaced while we wait; look it up again.


async def _wait_map_date(page, when: dt.date) -> None:
    frame = await _map_frame(page)
    try:
        await frame.wait_for_function(
            "d => { const c = document.querySelector('.cm-caption'); return c && c.innerText.includes(d); }",
            arg=when.isoformat(), polling=150, timeout=ACTION_TIMEOUT_MS,
        )
    except Exception as exc:
        caption = await frame.evaluate("() => (document.querySelector('.cm-caption') || {}).innerText")
        raise TimeoutError(f"map date {when} not shown; map caption: {caption!r}") from exc


async def open_session(browser, url: str, result: SessionResult, columns, total: int):
    """Open the app with the session's own filter and wait for its KPI and map; return (context, page)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 950})
    page = await context.new_page()

    def on_request(request):
        host = urlparse(request.url).hostname
        if not request.url.startswith(("data:", "blob:", "about:")) and host not in LOCAL_HOSTS:
            result.errors.append(f"non-local request {request.url[:100]}")

    def on_failed(request):
        if "/_stcore/stream" not in request.url:
            result.errors.append(f"failed request {request.url[:100]} ({request.failure})")

    page.on("request", on_request)
    page.on("requestfailed", on_failed)
    page.on("pageerror", lambda exc: result.errors.append(f"page error: {str(exc)[:160]}"))
    try:
        await page.goto(f"{url}/?to={result.date_to.isoformat()}&count=records", timeout=ACTION_TIMEOUT_MS)
        expected = expected_count(columns, result.date_to, False)
        await _wait_kpi(page, expected, total)
        await _wait_markers(page, expected)
    except Exception as exc:  # noqa: BLE001 - every failure of a session is an error of the run
        result.errors.append(f"opening: {type(exc).__name__}: {str(exc).splitlines()[0][:200]}")
    return context, page


async def drive_session(page, result: SessionResult, columns, total: int, deadline: float) -> None:
    """Alternate filter toggles and map-date changes until ``deadline``, timing each and checking the KPI."""
    precise = False
    expected = expected_count(columns, result.date_to, precise)
    step = 0
    try:
        while time.monotonic() < deadline:
            step += 1
            started = time.perf_counter()
            if step % 2:
                precise = not precise
                await page.get_by_text("Precise locations only").first.click()
                expected = expected_count(columns, result.date_to, precise)
                await _wait_kpi(page, expected, total)
                await _wait_markers(page, expected)
            else:
                when = dt.date(2024, 1, 1) + dt.timedelta(days=(result.index * 11 + step * 5) % 330)
                # Streamlit's date field is a row of spin buttons; typing fills year, month and day
                # in turn and leaving the field commits the value.
                await page.get_by_role("spinbutton", name="year, Front line as of").click()
                await page.keyboard.type(when.strftime("%Y%m%d"))
                await page.keyboard.press("Enter")
                await page.get_by_role("heading", name="Incidents on the map").click()
                await _wait_map_date(page, when)
                await _wait_kpi(page, expected, total)
            result.latencies.append(time.perf_counter() - started)
            result.actions += 1
            result.kpi_checks += 1
            if await page.locator("[data-testid='stException']").count():
                result.errors.append("a Streamlit exception is shown")
            if f"to={result.date_to.isoformat()}" not in page.url:
                result.errors.append(f"URL lost the session's own filter: {page.url}")
    except Exception as exc:  # noqa: BLE001 - every failure of a session is an error of the run
        result.errors.append(f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}")


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


async def run_load(sessions: int, seconds: float) -> dict:
    """Start the server, run ``sessions`` browser sessions for ``seconds``, return the figures."""
    from playwright.async_api import async_playwright

    work = Path(tempfile.mkdtemp(prefix="conflictmap-load-"))
    frame = build_incidents()
    data = write_data_dir(work / "data", frame)
    columns = prepare_columns(frame)
    total = len(frame)
    first = frame["date"].min().date()
    results = [SessionResult(i, first + dt.timedelta(days=7 * (10 + (i % 37)))) for i in range(sessions)]
    with streamlit_server(data, work / "streamlit.log") as (url, proc):
        sampler = MemorySampler(proc.pid)
        time.sleep(1.0)
        before = sampler.rss_mb()
        sampler.start()
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            opened_at = time.monotonic()
            opened = await asyncio.gather(*(open_session(browser, url, r, columns, total) for r in results))
            open_seconds = time.monotonic() - opened_at
            started = time.monotonic()
            server_cpu = psutil.Process(proc.pid).cpu_times()
            psutil.cpu_percent(None)
            deadline = started + seconds
            await asyncio.gather(*(drive_session(page, r, columns, total, deadline)
                                   for (_, page), r in zip(opened, results, strict=True)))
            wall = time.monotonic() - started
            cpu_after = psutil.Process(proc.pid).cpu_times()
            server_cpu_seconds = (cpu_after.user + cpu_after.system) - (server_cpu.user + server_cpu.system)
            machine_cpu_percent = psutil.cpu_percent(None)
            for context, _ in opened:
                await context.close()
            await browser.close()
        time.sleep(3.0)
        sampler.stop()
        after = sampler.rss_mb()
        peak = max(sampler.peak, before, after)
    latencies = [v for r in results for v in r.latencies]
    errors = [f"session {r.index}: {e}" for r in results for e in r.errors]
    return {
        "sessions": sessions,
        "seconds": seconds,
        "wall_seconds": wall,
        "open_seconds": open_seconds,
        "server_cpu_seconds": server_cpu_seconds,
        "machine_cpu_percent": machine_cpu_percent,
        "actions": sum(r.actions for r in results),
        "min_actions_per_session": min((r.actions for r in results), default=0),
        "kpi_checks": sum(r.kpi_checks for r in results),
        "errors": errors,
        "p50": _percentile(latencies, 0.50),
        "p95": _percentile(latencies, 0.95),
        "max": max(latencies, default=float("nan")),
        "mean": statistics.fmean(latencies) if latencies else float("nan"),
        "memory_before_mb": before,
        "memory_peak_mb": peak,
        "memory_after_mb": after,
        "incidents": total,
        "distinct_filters": len({r.date_to for r in results}),
    }


def format_report(figures: dict) -> str:
    """Return the figures as a Markdown section."""
    errors = figures["errors"]
    lines = [
        f"## {figures['sessions']} sessions x {figures['seconds']:.0f} s "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC)",
        "",
        f"- Machine: {psutil.cpu_count()} CPU cores, {psutil.virtual_memory().total / 1e9:.0f} GB RAM, "
        f"{platform.python_implementation()} {platform.python_version()}; server, Chromium and sessions on the same host.",
        f"- Data: synthetic data directory, {figures['incidents']} incidents; each session has its own date filter "
        f"({figures['distinct_filters']} distinct expected counts).",
        f"- All sessions opened (page, KPI and map shown) within {figures['open_seconds']:.1f} s; then the timed phase ran "
        f"{figures['wall_seconds']:.0f} s.",
        f"- Actions: {figures['actions']} (filter toggles and map-date changes), at least "
        f"{figures['min_actions_per_session']} per session; every one verified against the session's own KPI.",
        f"- **Errors: {len(errors)}**",
        f"- Filter change to updated map (KPI + map): p50 **{figures['p50']:.2f} s**, p95 **{figures['p95']:.2f} s**, "
        f"mean {figures['mean']:.2f} s, max {figures['max']:.2f} s",
        f"- CPU during the timed phase: the server process used {figures['server_cpu_seconds']:.0f} s of CPU in "
        f"{figures['wall_seconds']:.0f} s ({100 * figures['server_cpu_seconds'] / max(figures['wall_seconds'], 1e-9):.0f}% "
        f"of one core); the whole machine was {figures['machine_cpu_percent']:.0f}% busy (Chromium renders all sessions).",
        f"- Server memory (RSS): before {figures['memory_before_mb']:.0f} MB, peak {figures['memory_peak_mb']:.0f} MB, "
        f"after {figures['memory_after_mb']:.0f} MB",
    ]
    if errors:
        lines += ["", "Errors:", ""] + [f"- {e}" for e in errors[:30]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--out", type=Path, default=None, help="Append the report to this Markdown file.")
    args = parser.parse_args(argv)
    figures = asyncio.run(run_load(args.sessions, args.seconds))
    report = format_report(figures)
    print(report)
    if args.out is not None:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        header = "" if args.out.exists() else (
            "# Load test results\n\nProduced by `python -m bench.load_test` (see its docstring). Newest last.\n\n"
        )
        with open(args.out, "a", encoding="utf-8") as handle:
            handle.write(header + report + "\n")
    return 0 if not figures["errors"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
