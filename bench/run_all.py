"""Run every measurement of the scaling targets (issue 7) and write ``bench/results/latest.md`` + JSON.

    .venv/bin/python bench/run_all.py --sizes 10000 100000 1000000

For each size: build a data directory from the seeded generator with the real pipeline
(``python -m geo frontlines`` with the DeepStateMap exports read in place, ``ingest``,
``enrich``), then measure in a fresh child process (load, filter + KPIs + map data, whole
reruns with AppTest, the naive baseline's server side), then in a real ``streamlit run`` with
headless Chromium (first map, filter changes, websocket bytes, memory per session) for the
app and, at the sizes where it still finishes, the naive baseline. See ``BENCHMARKS.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.datasets import build_data_dir, run_timed, warm_os_cache  # noqa: E402

RESULTS = ROOT / "bench" / "results"
#: Marker threshold for "the app without aggregation" (every incident a marker at every size).
NO_AGGREGATION = 1_000_000_000
PACKAGES = ("streamlit", "streamlit-folium", "folium", "pandas", "pyarrow", "numpy", "geopandas", "shapely", "pyproj", "playwright")


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo ("unknown CPU" elsewhere); every bench result names it."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def machine_details() -> dict:
    """CPU, cores, RAM, load, Python, package versions, Chromium and git commit."""
    cpu = cpu_model()
    versions = {}
    for name in PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    try:
        chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=20).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        chromium = None
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout.strip())
    except OSError:
        commit, dirty = None, None
    return {
        "host": platform.node(),
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "ram_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "packages": versions,
        "chromium": chromium,
        "git_commit": commit,
        "git_dirty": dirty,
    }


def server_child(directory: Path, out: Path, naive: bool, timeout: float, quick: bool = False) -> None:
    """Fresh-process server-side measurements for one data directory (written as JSON to ``out``)."""
    from bench import server_bench

    result: dict = {}
    loading = server_bench.measure_loading(directory)
    data = loading.pop("data")
    result["loading"] = loading
    result["filters"] = server_bench.measure_filters(data, repeats=1 if quick else 3)
    from geo.filters import date_bounds
    from geo.viz import map as gmap

    bounds = date_bounds(data.columns)
    common = server_bench.common_scenarios(data.columns, gmap.MARKER_THRESHOLD)
    no_agg = {gmap.THRESHOLD_ENV: str(NO_AGGREGATION)}
    result["common_scenarios"] = [name for name, _ in common]
    result["common_changes"] = [name for name, _ in server_bench.common_changes(bounds)]
    # The app without aggregation: every matching incident a marker; budgeted, it may not finish.
    result["filters_no_aggregation"] = server_bench.measure_filters(
        data, repeats=1, threshold=NO_AGGREGATION, scenarios=common, budget=timeout / 2 if quick else timeout)
    del data
    result["reruns"] = server_bench.measure_reruns(ROOT / "app.py", directory, timeout=timeout, bounds=bounds, budget=timeout * 3)
    result["reruns_no_aggregation"] = server_bench.measure_reruns(
        ROOT / "app.py", directory, timeout=timeout, bounds=bounds, env=no_agg, common_only=True,
        budget=timeout / 2 if quick else timeout)
    if naive:
        for key, aggregate in (("naive_server", False), ("naive_grid_server", True)):
            result[key] = server_bench.measure_naive_server(
                directory, common, repeats=1 if quick else 2, budget=timeout, aggregate=aggregate)
        for key, env in (("naive_reruns", {}), ("naive_grid_reruns", {"NAIVE_GRID": "1"})):
            result[key] = server_bench.measure_reruns(
                ROOT / "bench" / "naive_app.py", directory, timeout=timeout, naive=True, bounds=bounds, env=env,
                budget=timeout / 2 if quick else timeout * 2,
            )
    out.write_text(json.dumps(result, indent=2, default=str), encoding="utf-8")


def run_server_child(directory: Path, naive: bool, timeout: float, work: Path, quick: bool = False) -> dict:
    out = work / f"server-{directory.name}.json"
    out.unlink(missing_ok=True)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--server-child", str(directory), str(out),
           "--timeout", str(timeout)] + (["--naive-child"] if naive else []) + (["--quick"] if quick else [])
    run = run_timed(cmd, timeout=timeout * 10)
    if out.exists():
        return json.loads(out.read_text(encoding="utf-8"))
    return {"error": f"server measurements failed (exit {run['returncode']})", "stderr": run["stderr_tail"]}


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def measure_size(size: int, args, work: Path, log) -> dict:
    from bench.browser_bench import measure_browser, measure_first_start
    from geo.tablecache import clear_copies

    entry: dict = {"size": size}
    log(f"[{size:,}] building the data directory")
    entry["build"] = build_data_dir(size, work, timeout=args.timeout * 10, reuse=args.reuse, log=log)
    directory = Path(entry["build"]["dir"])
    naive = size <= args.naive_max
    if not args.no_server:
        log(f"[{size:,}] server-side measurements (load, filters, AppTest reruns{', naive baseline' if naive else ''})")
        entry["server"] = run_server_child(directory, naive, args.timeout, work, args.quick)
    if not args.no_browser:
        warm_os_cache(directory)
        log(f"[{size:,}] browser: app, first start on this data version (no memory-mapped copy of the table yet)")
        clear_copies()
        cold = measure_first_start(ROOT / "app.py", directory, work / f"streamlit-app-cold-{size}.log", args.timeout)
        log(f"[{size:,}] browser: app, a later start (the copy written by the first)")
        entry["browser"] = measure_browser(
            ROOT / "app.py", directory, work / f"streamlit-app-{size}.log",
            start_timeout=args.timeout, change_timeout=args.timeout, toggles=args.toggles, sessions=args.sessions,
        )
        entry["browser"]["cold_start"] = cold
        if naive:
            log(f"[{size:,}] browser: naive baseline")
            entry["naive_browser"] = measure_browser(
                ROOT / "bench" / "naive_app.py", directory, work / f"streamlit-naive-{size}.log",
                start_timeout=args.naive_timeout, change_timeout=args.naive_timeout, toggles=min(args.toggles, 2), sessions=2,
            )
    return entry


def measure_distance(work: Path, timeout: float) -> dict:
    script = ROOT / "bench" / "bench_distance.py"
    if not script.exists():
        return {"skipped": "bench/bench_distance.py not present"}
    run = run_timed([sys.executable, str(script), "--no-write"], timeout=timeout)
    return {"run": run}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--work", type=Path, default=None, help="where data directories go (default: a temp dir)")
    parser.add_argument("--reuse", action="store_true", help="reuse data directories already in --work")
    parser.add_argument("--out", type=Path, default=RESULTS / "latest.md")
    parser.add_argument("--timeout", type=float, default=120.0, help="per step, seconds")
    parser.add_argument("--naive-max", type=int, default=100_000, help="largest size for the naive baseline")
    parser.add_argument("--naive-timeout", type=float, default=240.0)
    parser.add_argument("--toggles", type=int, default=6)
    parser.add_argument("--sessions", type=int, default=4)
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-server", action="store_true", help="browser measurements only (app start, memory, toggles)")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (CI): checks that everything runs")
    parser.add_argument("--distance", action="store_true", help="also run bench/bench_distance.py (1M x 200 snapshots)")
    parser.add_argument("--server-child", nargs=2, metavar=("DIR", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--naive-child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.quick:
        args.toggles, args.sessions = min(args.toggles, 2), min(args.sessions, 2)
    if args.server_child:
        server_child(Path(args.server_child[0]), Path(args.server_child[1]), args.naive_child, args.timeout, args.quick)
        return

    def log(message: str) -> None:
        print(message, flush=True)

    started = time.perf_counter()
    report: dict = {
        "run_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "command": "bench/run_all.py " + " ".join(sys.argv[1:]),
        "machine": machine_details(),
        "load_average_start": _load(),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory(prefix="conflictmap-bench-") as tmp:
        work = args.work or Path(tmp)
        # The app's memory-mapped table copies go here (children inherit it), so cold and warm starts are controlled.
        os.environ["CONFLICTMAP_CACHE_DIR"] = str(work / "cache")
        for size in args.sizes:
            report["sizes"].append(measure_size(size, args, work, log))
            report["load_average_after_" + str(size)] = _load()
        if args.distance:
            log("front distance benchmark (bench/bench_distance.py)")
            report["distance"] = measure_distance(work, timeout=args.timeout * 10)
    report["load_average_end"] = _load()
    report["total_seconds"] = round(time.perf_counter() - started, 1)
    from bench.report import write_report

    paths = write_report(report, args.out)
    for path in paths:
        log(str(path))


if __name__ == "__main__":
    main()
