"""A short version of ``bench/load_test.py`` for CI: 4 simultaneous sessions for 15 seconds.

Each session keeps its own filter (checked against its own KPI after every action); no errors,
no foreign or failed requests, and the server's memory returns near its peak level only.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


def test_four_sessions_keep_their_own_filters_without_errors():
    if not Path("/usr/bin/chromium").exists():
        pytest.skip("/usr/bin/chromium not found")
    from bench.load_test import format_report, run_load

    # Its own thread: the other browser tests' sync Playwright keeps an event loop running in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        figures = pool.submit(lambda: asyncio.run(run_load(sessions=4, seconds=15))).result()
    print(format_report(figures))
    assert figures["errors"] == []
    assert figures["min_actions_per_session"] >= 2
    assert figures["kpi_checks"] == figures["actions"]
    assert figures["p95"] < 30
    assert figures["memory_peak_mb"] < 2_000
