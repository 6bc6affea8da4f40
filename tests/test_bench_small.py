"""The benchmark suite at 10k incidents, so that it cannot rot.

These tests check that ``bench/run_all.py`` completes and writes its results table with
every measurement filled in; they never assert timings (the full run on a quiet machine
checks the targets, see BENCHMARKS.md).
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUN_ALL = ROOT / "bench" / "run_all.py"

pytestmark = pytest.mark.slow


def _run(tmp_path: Path, *extra: str) -> tuple[str, dict]:
    out = tmp_path / "latest.md"
    proc = subprocess.run(
        [sys.executable, str(RUN_ALL), "--sizes", "10000", "--naive-max", "10000", "--work", str(tmp_path / "work"),
         "--out", str(out), "--timeout", "180", "--naive-timeout", "180", "--quick", *extra],
        cwd=ROOT, capture_output=True, text=True, timeout=1500, check=False,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return out.read_text(encoding="utf-8"), json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))


def _check_common(markdown: str, report: dict) -> dict:
    assert "## Targets" in markdown and "## Against the naive baseline" in markdown
    for label in ("app start to first rendered map", "whole script rerun", "server memory, one session"):
        assert label in markdown
    assert report["machine"]["cores"] and report["machine"]["packages"]["streamlit"]
    entry = report["sizes"][0]
    assert entry["size"] == 10_000
    if importlib.util.find_spec("geo.enrich") is not None:
        assert entry["build"]["pipeline"] == "real", entry["build"]
    server = entry["server"]
    assert "error" not in server, server
    assert server["loading"]["rows"] > 9_000
    scenarios = server["filters"]["scenarios"]
    assert len(scenarios) >= 8 and all(row["error"] is None for row in scenarios), scenarios
    assert {row["map_kind"] for row in scenarios} == {"bins", "markers"}
    reruns = server["reruns"]
    assert "error" not in reruns and len(reruns["runs"]) >= 6, reruns
    assert reruns["max_payload_bytes"] > 10_000
    assert server["naive_server"]["scenarios"] and server["naive_reruns"]["runs"]
    return entry


@pytest.mark.bench
def test_suite_server_side_at_10k(tmp_path):
    """Build the directory, measure load, filters, AppTest reruns and the naive baseline; write the table."""
    markdown, report = _run(tmp_path, "--no-browser")
    _check_common(markdown, report)


@pytest.mark.browser
@pytest.mark.bench
def test_suite_with_browser_at_10k(tmp_path):
    """The whole suite including a real `streamlit run` and headless Chromium, app and naive baseline."""
    markdown, report = _run(tmp_path)
    entry = _check_common(markdown, report)
    for key in ("browser", "naive_browser"):
        browser = entry[key]
        assert "error" not in browser, browser
        assert browser["start_to_first_map_s"] > 0 and browser["median_update_s"] > 0
        assert len(browser["rss_by_sessions_mb"]) == 2


def test_micro_benchmarks_still_run(capsys):
    """bench/bench_micro.py (the former timing asserts) runs on a small table and prints both timings."""
    from bench import bench_micro

    assert bench_micro.main(["--n", "2000"]) == 0
    out = capsys.readouterr().out
    assert "filter_mask, 2,000 rows" in out and "assign_admin1" in out


def test_animation_benchmark_still_runs(tmp_path):
    """bench/bench_animate.py on a small synthetic directory writes its results row."""
    from bench import bench_animate
    from tests.synthetic_data import write_data_dir

    directory = write_data_dir(tmp_path / "d")
    results = tmp_path / "animate.md"
    assert bench_animate.main(["--dir", str(directory), "--work", str(tmp_path), "--from", "2024-01-01",
                               "--to", "2024-03-01", "--results", str(results)]) == 0
    text = results.read_text(encoding="utf-8")
    assert "| d |" in text and "frames" in text
