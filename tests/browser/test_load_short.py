"""``bench/load_test.py`` in CI: one session for a few seconds (the code still runs and counts right).

The 4-session run (minutes on 2 cores) is a benchmark: ``pytest -m bench`` runs it. Each session
keeps its own filter (checked against its own KPI after every action); no errors, no foreign or
failed requests.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def _run(sessions: int, seconds: float) -> dict:
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not found")
    from bench.load_test import format_report, run_load

    # Its own thread: the other browser tests' sync Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        figures = pool.submit(lambda: asyncio.run(run_load(sessions=sessions, seconds=seconds))).result()
    print(format_report(figures))
    assert figures["errors"] == []
    assert figures["min_actions_per_session"] >= 2
    assert figures["kpi_checks"] == figures["actions"]
    return figures


def test_one_session_keeps_its_filter_and_every_kpi_is_right():
    _run(sessions=1, seconds=6)


@pytest.mark.bench
def test_four_sessions_keep_their_own_filters_without_errors():
    figures = _run(sessions=4, seconds=15)
    assert figures["p95"] < 30
    assert figures["memory_peak_mb"] < 2_000
