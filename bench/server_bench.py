"""Server-side measurements, in process: load, filter + KPIs + map data, whole script reruns.

Filter timings call the same functions the Map page calls (``geo.filters.filter_mask``,
``compute_kpis``, ``ui.mapview.build_layers`` with its cache cleared so every call does the
work) and render the changing layers to the JavaScript ``st_folium`` sends. Whole reruns use
``streamlit.testing.v1.AppTest`` on ``app.py`` (the real script, run through ``tests/app_entry.py``:
all pages' shared sidebar and the Map page), changing one widget at a time; the component's
arguments are captured to measure the map payload exactly.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import json
import os
import statistics
import sys
import time
import traceback
from pathlib import Path

import numpy as np
import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 4) if values else None


def _marker_end(cols, threshold: int) -> dt.date:
    """Last day of the longest range from the first day that still shows individual markers."""
    days = np.sort(cols.day)
    start = int(days[0])
    lo, hi = 0, int(days[-1]) - start
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if int(np.searchsorted(days, start + mid, side="right")) <= threshold:
            lo = mid
        else:
            hi = mid - 1
    return dt.date(1970, 1, 1) + dt.timedelta(days=start + lo)


def common_scenarios(cols, threshold: int) -> list[tuple[str, object]]:
    """The filter scenarios both the app and the naive baseline can express (dates, precise, targets).

    The app, the app without aggregation, the naive baseline and the naive baseline with grid
    aggregation are all timed over exactly these, so their ratios compare the same work.
    """
    from geo.filters import Filters, date_bounds

    first, last = date_bounds(cols)
    year_ago = max(first, last - dt.timedelta(days=365))
    marker_end = _marker_end(cols, threshold)
    return [
        ("all incidents", Filters()),
        ("last 365 days", Filters(date_from=year_ago, date_to=last)),
        ("targets: residential, education", Filters(target_types=("residential", "education"))),
        ("precise locations only", Filters(precise_only=True)),
        ("precise, last 365 days", Filters(date_from=year_ago, date_to=last, precise_only=True)),
        (f"markers: {first} to {marker_end}", Filters(date_from=first, date_to=marker_end)),
    ]


def filter_scenarios(cols, threshold: int) -> list[tuple[str, object]]:
    """Typical filter changes plus the worst case for the map payload (as many markers as allowed).

    Starts with :func:`common_scenarios` (same names, compared with the naive baseline), then
    filters only the app has.
    """
    from geo.filters import Filters

    scenarios = common_scenarios(cols, threshold) + [
        ("weapons: drone", Filters(weapons=("drone",))),
        ("oblast: Kharkiv", Filters(oblasts=("UA-63",))),
        ("killed at least 1", Filters(killed_min=1, include_not_reported=False)),
        ("text: hospital", Filters(text="hospital")),
    ]
    if np.isfinite(cols.front_km).any():
        scenarios.append(("0-30 km from the front", Filters(front_min_km=0.0, front_max_km=30.0)))
    return scenarios


def _feature_group_js(layers) -> str:
    """Return the JavaScript st_folium sends for the changing layers."""
    import streamlit_folium as stf

    from geo.viz import map as gmap

    fmap = gmap.build_base_map(None)
    return "".join(stf._get_feature_group_string(layer, map=fmap, idx=i) for i, layer in enumerate(layers))


def measure_loading(directory: Path) -> dict:
    """Time what the app's ``cache_resource`` does once per data version (``ui.data.load_shared_data``).

    Twice: without the memory-mapped copy of the incident table (cold: the first start on a
    new data version, which writes the copy) and with it (warm: every later start).
    """
    from geo.datadir import data_stamp
    from geo.tablecache import clear_copies
    from ui.data import load_shared_data

    proc = psutil.Process()
    result: dict = {}
    for run in ("cold", "warm"):
        if run == "cold":
            clear_copies()
        gc.collect()
        rss0 = proc.memory_info().rss
        start, cpu0 = time.perf_counter(), time.process_time()
        data = load_shared_data(str(directory), data_stamp(directory))
        result[f"{run}_load_s"] = round(time.perf_counter() - start, 3)
        result[f"{run}_load_cpu_s"] = round(time.process_time() - cpu0, 3)
        result[f"{run}_rss_growth_mb"] = round((proc.memory_info().rss - rss0) / 1e6, 1)
        if run == "cold":
            del data
    result.update(data=data, rows=len(data.bundle.incidents))
    return result


def measure_filters(data, repeats: int = 3, threshold: int | None = None, scenarios=None, budget: float | None = None) -> dict:
    """Time filter_mask + compute_kpis + the page's map data for each scenario (uncached).

    ``threshold`` overrides the marker threshold (a huge one = the app without aggregation);
    ``scenarios`` defaults to :func:`filter_scenarios`; after ``budget`` seconds the remaining
    scenarios are skipped and ``stopped`` says so.
    """
    from geo.filters import compute_kpis, date_bounds, filter_mask
    from geo.viz import map as gmap
    from ui import mapview
    from ui.data import FilteredView

    default = getattr(gmap, "MARKER_THRESHOLD", 3000)
    threshold = default if threshold is None else threshold
    if scenarios is None:
        scenarios = filter_scenarios(data.columns, default)
    rows = []
    out: dict = {"threshold": threshold}
    cpu0 = time.process_time()
    deadline = time.monotonic() + budget if budget else None
    for name, filters in scenarios:
        if deadline is not None and time.monotonic() > deadline:
            out["stopped"] = f"stopped after {budget:.0f} s (time budget): {len(scenarios) - len(rows)} scenario(s) not run"
            break
        totals, filt, kp, mapdata, render = [], [], [], [], []
        kind, payload, count, error = None, None, None, None
        for _ in range(repeats):
            t0 = time.perf_counter()
            mask = filter_mask(data.columns, filters)
            t1 = time.perf_counter()
            kpis = compute_kpis(data.columns, mask)
            t2 = time.perf_counter()
            try:
                view = FilteredView(data=data, filters=filters, mask=mask, kpis=kpis)
                bounds = date_bounds(data.columns, mask) or date_bounds(data.columns)
                mapview._layer_payload.clear()
                layers, _snap, kind = mapview.build_layers(view, bounds[1], None, None, threshold)
                t3 = time.perf_counter()
                js = _feature_group_js(layers)
                t4 = time.perf_counter()
                payload = len(js.encode())
            except Exception as exc:  # noqa: BLE001 - the UI layer changes under us; report, do not hide
                error = f"{type(exc).__name__}: {exc}"
                t3 = t4 = time.perf_counter()
            filt.append(t1 - t0)
            kp.append(t2 - t1)
            mapdata.append(t3 - t2)
            render.append(t4 - t3)
            totals.append(t4 - t0)
            count = kpis["incidents"]
        rows.append(
            {
                "scenario": name,
                "matching": count,
                "map_kind": kind,
                "filter_ms": round(1000 * _median(filt), 2),
                "kpis_ms": round(1000 * _median(kp), 2),
                "map_data_ms": round(1000 * _median(mapdata), 2),
                "layer_js_ms": round(1000 * _median(render), 2),
                "total_ms": round(1000 * _median(totals), 2),
                "layer_js_bytes": payload,
                "error": error,
            }
        )
    out.update(
        scenarios=rows,
        median_total_ms=round(statistics.median(r["total_ms"] for r in rows), 2) if rows else None,
        max_layer_js_bytes=max((r["layer_js_bytes"] or 0) for r in rows) if rows else None,
        cpu_s=round(time.process_time() - cpu0, 2),
    )
    return out


def apptest_script(script: Path) -> Path:
    """The file AppTest runs for ``script``: app.py goes through ``tests/app_entry.py``.

    A ``pages/`` folder beside the main script makes Streamlit run a page without app.py (legacy
    multipage mode) until ``st.navigation`` has run, and AppTest forgets that before every run; the
    entry script, in a folder without ``pages/``, runs the real app.py on every rerun.
    """
    if script.resolve() == (ROOT / "app.py").resolve():
        return ROOT / "tests" / "app_entry.py"
    return script


@contextlib.contextmanager
def capture_component_payload(sizes: list[int]):
    """Record the JSON size of every st_folium component call (what goes to the browser)."""
    import streamlit_folium as stf

    original = stf._component_func

    def recording(**kwargs):
        sent = {k: v for k, v in kwargs.items() if not callable(v)}
        sizes.append(len(json.dumps(sent, default=str).encode()))
        return original(**kwargs)

    stf._component_func = recording
    try:
        yield
    finally:
        stf._component_func = original


def common_changes(bounds) -> list[tuple[str, callable]]:
    """Widget changes both scripts have (same keys): dates, precise, targets; used for every rerun row."""
    last = bounds[1] if bounds else dt.date.today()
    start = bounds[0] if bounds else last
    quarter = max(start, last - dt.timedelta(days=90))
    return [
        ("precise on", lambda at: at.checkbox(key="flt_precise").check()),
        ("targets: residential", lambda at: at.multiselect(key="flt_targets").set_value(["residential"])),
        ("last 90 days", lambda at: at.date_input(key="flt_dates").set_value((quarter, last))),
        ("precise off", lambda at: at.checkbox(key="flt_precise").uncheck()),
        ("targets: all", lambda at: at.multiselect(key="flt_targets").set_value([])),
        ("all dates", lambda at: at.date_input(key="flt_dates").set_value((start, last))),
        ("precise on again", lambda at: at.checkbox(key="flt_precise").check()),
    ]


def _app_changes(bounds) -> list[tuple[str, callable]]:
    """The common changes, then the app's own widgets (left out of the comparison)."""
    return common_changes(bounds) + [
        ("weapons: drone", lambda at: at.multiselect(key="flt_weapons").set_value(["drone"])),
        ("weapons: all", lambda at: at.multiselect(key="flt_weapons").set_value([])),
    ]


def measure_reruns(
    script: Path, directory: Path, timeout: float, naive: bool = False, bounds=None, budget: float = 600,
    env: dict[str, str] | None = None, common_only: bool = False,
) -> dict:
    """Run ``script`` with AppTest: first run, then one widget change per rerun (timed, median).

    ``env`` is set for the measurement only (e.g. the marker threshold, ``NAIVE_GRID``);
    ``common_only`` limits the app to :func:`common_changes`.
    """
    from streamlit.testing.v1 import AppTest

    os.environ["CONFLICTMAP_DATA"] = str(directory)
    saved = {k: os.environ.get(k) for k in env or {}}
    os.environ.update(env or {})
    sizes: list[int] = []
    result: dict = {"script": str(script.relative_to(ROOT)), "env": env or {}, "runs": []}
    deadline = time.monotonic() + budget
    cpu0 = time.process_time()
    try:
        with capture_component_payload(sizes):
            at = AppTest.from_file(str(apptest_script(script)), default_timeout=timeout)
            start = time.perf_counter()
            at.run()
            result["first_run_s"] = round(time.perf_counter() - start, 3)
            result["first_payload_bytes"] = sizes[-1] if sizes else None
            if at.exception:
                result["error"] = str(at.exception[0].message)[:500]
                return result
            changes = common_changes(bounds) if naive or common_only else _app_changes(bounds)
            for name, change in changes:
                if time.monotonic() > deadline:
                    result["stopped"] = f"stopped after {budget:.0f} s (time budget): {len(changes) - len(result['runs'])} change(s) not run"
                    break
                before = len(sizes)
                change(at)
                t0 = time.perf_counter()
                at.run()
                elapsed = time.perf_counter() - t0
                if at.exception:
                    result["error"] = f"{name}: {at.exception[0].message}"[:500]
                    break
                if not naive and not at.sidebar.children:
                    result["error"] = f"{name}: the rerun did not draw the sidebar (AppTest ran the page alone)"
                    break
                result["runs"].append(
                    {"change": name, "seconds": round(elapsed, 4), "payload_bytes": sizes[-1] if len(sizes) > before else None}
                )
    except Exception as exc:  # noqa: BLE001 - a timeout or a broken page is a result, not a crash of the suite
        result["error"] = f"{type(exc).__name__}: {exc}"[:500]
        result["traceback"] = traceback.format_exc()[-1500:]
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    result["cpu_s"] = round(time.process_time() - cpu0, 2)
    seconds = [r["seconds"] for r in result["runs"]]
    result["median_rerun_s"] = _median(seconds)
    result["max_payload_bytes"] = max(sizes) if sizes else None
    return result


def measure_naive_server(directory: Path, scenarios, repeats: int = 2, budget: float = 300, aggregate: bool = False) -> dict:
    """Time the naive filter + KPIs + map build (+ HTML render), the way the naive app does it.

    ``scenarios`` are :func:`common_scenarios` (the app's Filters, of which the naive app reads
    dates, precise and targets); ``aggregate`` draws grid cells instead of markers.
    """
    from bench import naive
    from geo.datadir import INCIDENTS_FILE, table_path

    path = str(table_path(directory, INCIDENTS_FILE))
    out: dict = {"scenarios": [], "aggregate": aggregate}
    cpu0 = time.process_time()
    start = time.perf_counter()
    table = naive.load_table(path)
    out["load_s"] = round(time.perf_counter() - start, 3)
    deadline = time.monotonic() + budget
    for name, flt in scenarios:
        if time.monotonic() > deadline:
            out["stopped"] = f"stopped after {budget:.0f} s (time budget): {len(scenarios) - len(out['scenarios'])} scenario(s) not run"
            break
        times, build, sizes = [], [], []
        for _ in range(repeats):
            if times and time.monotonic() > deadline:
                break
            t0 = time.perf_counter()
            frame = naive.filter_table(naive.load_table(path), flt.precise_only, tuple(flt.target_types), flt.date_from, flt.date_to)
            naive.kpis(frame)
            fmap = naive.build_map(frame, aggregate=aggregate)
            t1 = time.perf_counter()
            html = fmap.get_root().render()
            t2 = time.perf_counter()
            times.append(t2 - t0)
            build.append(t1 - t0)
            sizes.append(len(html.encode()))
            naive.filter_table.clear()
        out["scenarios"].append(
            {
                "scenario": name,
                "matching": len(frame),
                "total_ms": round(1000 * _median(times), 1),
                "filter_and_build_ms": round(1000 * _median(build), 1),
                "map_html_bytes": max(sizes),
            }
        )
    rows = out["scenarios"]
    out["median_total_ms"] = round(statistics.median(r["total_ms"] for r in rows), 1) if rows else None
    out["max_map_html_bytes"] = max((r["map_html_bytes"] for r in rows), default=None)
    out["cpu_s"] = round(time.process_time() - cpu0, 2)
    del table
    return out
