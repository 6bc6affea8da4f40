"""Turn a ``bench/run_all.py`` result into ``latest.md`` (tables) and ``latest.json`` (everything)."""

from __future__ import annotations

import json
from pathlib import Path

NOT_MEASURED = "–"

TARGETS = {
    "start_to_first_map_s": ("app start to first rendered map", 3.0, "s"),
    "cold_start_to_first_map_s": ("the same, first start on a new data version (memory-mapped copy written then)", 3.0, "s"),
    "server_filter_ms": ("filter change: filter + KPIs + map data on the server (median)", 100.0, "ms"),
    "rerun_s": ("filter change: whole script rerun on the server (median)", 0.4, "s"),
    "browser_update_s": ("filter change: until the browser shows the updated map (median)", 1.5, "s"),
    "map_payload_mb": ("map data sent to the browser, worst filter", 1.5, "MB"),
    "rss_one_session_mb": ("server memory, one session", 1000.0, "MB"),
    "rss_per_extra_session_mb": ("server memory, each additional session", 50.0, "MB"),
    "ingest_s": ("`geo ingest` of 1M rows with the snapshots present (read, parse, quarantine, enrich, fuse, write), measured", 15.0, "s"),
    "ingest_peak_mb": ("`geo ingest` of 1M rows: peak memory of that process", 1500.0, "MB"),
    "enrich_s": ("`geo enrich` of 1M rows (oblast, front distance, rewrite)", 15.0, "s"),
}



def _get(data: dict | None, *keys):
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _scenario(entry: dict, name: str) -> dict | None:
    for row in _get(entry, "server", "filters", "scenarios") or []:
        if row["scenario"] == name:
            return row
    return None


def app_metrics(entry: dict) -> dict:
    """The target metrics of one size for the app."""
    build = entry.get("build", {})
    real = str(build.get("pipeline", "")).startswith("real")
    reruns = _get(entry, "server", "reruns") or {}
    all_row = _scenario(entry, "all incidents") or {}
    base = None
    if reruns.get("first_payload_bytes") and all_row.get("layer_js_bytes"):
        base = reruns["first_payload_bytes"] - all_row["layer_js_bytes"]
    worst_layers = _get(entry, "server", "filters", "max_layer_js_bytes")
    candidates = [reruns.get("max_payload_bytes"), (base + worst_layers) if base and worst_layers else None]
    payload = max((c for c in candidates if c), default=None)
    ingest, enrich = _get(build, "ingest_run", "seconds"), _get(build, "enrich_run", "seconds")  # each measured
    return {
        "start_to_first_map_s": _get(entry, "browser", "start_to_first_map_s"),
        "cold_start_to_first_map_s": _get(entry, "browser", "cold_start", "start_to_first_map_s"),
        "server_filter_ms": _get(entry, "server", "filters", "median_total_ms"),
        "rerun_s": reruns.get("median_rerun_s"),
        "browser_update_s": _get(entry, "browser", "median_update_s"),
        "map_payload_mb": round(payload / 1e6, 3) if payload else None,
        "rss_one_session_mb": _get(entry, "browser", "rss_one_session_mb"),
        "rss_per_extra_session_mb": _get(entry, "browser", "rss_per_extra_session_mb"),
        "ingest_s": ingest if real else None,
        "ingest_peak_mb": _get(build, "ingest_run", "peak_rss_mb") if real else None,
        "enrich_s": enrich if real else None,
    }


def naive_metrics(entry: dict) -> dict:
    """The same metrics for the naive baseline (None where it did not run or finish)."""
    payloads = [_get(entry, "server", "naive_server", "max_map_html_bytes"), _get(entry, "server", "naive_reruns", "max_payload_bytes")]
    payload = max((p for p in payloads if p), default=None)
    return {
        "start_to_first_map_s": _get(entry, "naive_browser", "start_to_first_map_s"),
        "server_filter_ms": _get(entry, "server", "naive_server", "median_total_ms"),
        "rerun_s": _get(entry, "server", "naive_reruns", "median_rerun_s"),
        "browser_update_s": _get(entry, "naive_browser", "median_update_s"),
        "map_payload_mb": round(payload / 1e6, 3) if payload else None,
        "rss_one_session_mb": _get(entry, "naive_browser", "rss_one_session_mb"),
        "rss_per_extra_session_mb": _get(entry, "naive_browser", "rss_per_extra_session_mb"),
    }


#: The four rows of the comparison: (key, label, server filter result, rerun result).
ROWS = (
    ("app", "app", ("server", "filters"), ("server", "reruns")),
    ("app_no_agg", "app without aggregation", ("server", "filters_no_aggregation"), ("server", "reruns_no_aggregation")),
    ("naive_grid", "naive with grid aggregation", ("server", "naive_grid_server"), ("server", "naive_grid_reruns")),
    ("naive", "naive", ("server", "naive_server"), ("server", "naive_reruns")),
)
#: Ratio = first / second over the scenarios (or widget changes) both finished; what each isolates.
RATIOS = (
    ("naive", "app", "everything together (the old headline)"),
    ("naive", "naive_grid", "aggregation alone, in the naive code"),
    ("app_no_agg", "app", "aggregation alone, in the app"),
    ("naive", "app_no_agg", "caching + vectorised filtering + partial map update, both drawing every incident"),
    ("naive_grid", "app", "caching + vectorised filtering + partial map update, both drawing grid cells"),
)


def _by_name(result: dict | None, list_key: str, name_key: str, value_key: str) -> dict:
    rows = (result or {}).get(list_key) or []
    return {r[name_key]: r[value_key] for r in rows if r.get(value_key) is not None and not r.get("error")}


def _median(values) -> float | None:
    values = sorted(values)
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def compare_measures(entry: dict) -> dict:
    """Per row: {scenario: ms} of the server filter step and {change: s} of the reruns, plus payloads."""
    out = {}
    scen, chg = _get(entry, "server", "common_scenarios"), _get(entry, "server", "common_changes")
    for key, _label, filt, rerun in ROWS:
        f, r = _get(entry, *filt), _get(entry, *rerun)
        runs = [x for x in (r or {}).get("runs") or [] if chg is None or x["change"] in chg]
        payloads = [p for p in [(r or {}).get("first_payload_bytes")] + [x.get("payload_bytes") for x in runs] if p]
        stopped = [x for x in ((f or {}).get("stopped"), (r or {}).get("stopped"), (r or {}).get("error")) if x]
        filters, matching = _by_name(f, "scenarios", "scenario", "total_ms"), _by_name(f, "scenarios", "scenario", "matching")
        if scen is not None:
            filters = {k: v for k, v in filters.items() if k in scen}
            matching = {k: v for k, v in matching.items() if k in scen}
        out[key] = {
            "filters": filters,
            "matching": matching,
            "reruns": {x["change"]: x["seconds"] for x in runs},
            "payload": max(payloads) if payloads else None,
            "cpu_s": [(f or {}).get("cpu_s"), (r or {}).get("cpu_s")],
            "stopped": "; ".join(str(x)[:200] for x in stopped),
            "ran": f is not None or r is not None,
        }
    return out


def _ratio(n, a) -> str:
    if not a or not n:
        return NOT_MEASURED
    return f"{n / a:,.0f}×" if n / a >= 10 else f"{n / a:.1f}×"


_LOAD: dict = {}


def comparison_lines(sizes: list[dict]) -> list[str]:
    """The "against the naive baseline" section: four rows, matched scenarios, attributed ratios."""
    lines = [
        "", "## Against the naive baseline (same machine, same run, same work)", "",
        "Four variants, each timed over the **same** filter scenarios (those the naive app can express: "
        "dates, precise locations, target types; `server_bench.common_scenarios`) and the **same** widget "
        "changes (`server_bench.common_changes`):",
        "",
        "- **app**: the project as shipped (vectorised `filter_mask` on prepared columns, cached layers, "
        "only the changing layers sent to the map; grid cells above the marker threshold).",
        "- **app without aggregation**: the same app with the marker threshold raised to 10⁹ "
        "(`CONFLICTMAP_MARKER_THRESHOLD`), so every matching incident is a marker; time-budgeted, it may stop.",
        "- **naive with grid aggregation**: `bench/naive_app.py` (pandas filtering, `st.cache_data` hashing "
        "the DataFrame, whole folium map rebuilt) drawing the project's grid cells (`geo.viz.map.aggregate_grid` "
        "+ `build_bin_layer`, `NAIVE_GRID=1`) instead of markers.",
        "- **naive**: the same naive app, one `folium.CircleMarker` with a tooltip per incident.",
        "",
        "Medians are over the scenarios/changes each variant finished (count in brackets); every ratio is "
        "computed only over the scenarios (or changes) **both** of its variants finished. Ratio = slower / faster; "
        "the last column says which cause it isolates. CPU seconds are this process's own CPU time for "
        "the measurement (the app's filter figure covers all its scenarios, not only the shared ones): on a "
        "shared machine they are steadier than wall times. Load average: "
        f"{_LOAD.get('start')} at the start, {_LOAD.get('end')} at the end.",
    ]
    for entry in sizes:
        size = entry["size"]
        m = compare_measures(entry)
        lines += ["", f"### {size:,} incidents", "",
                  "| measure | " + " | ".join(label for _k, label, _f, _r in ROWS) + " |",
                  "|---|" + "---:|" * len(ROWS)]
        lines.append("| filter change on the server, median ms | " + " | ".join(
            f"{_fmt(_median(m[k]['filters'].values()))} ({len(m[k]['filters'])})" if m[k]["filters"] else NOT_MEASURED
            for k, *_ in ROWS) + " |")
        lines.append("| whole script rerun (AppTest), median s | " + " | ".join(
            f"{_fmt(_median(m[k]['reruns'].values()))} ({len(m[k]['reruns'])})" if m[k]["reruns"] else NOT_MEASURED
            for k, *_ in ROWS) + " |")
        lines.append("| largest map component payload, MB | " + " | ".join(
            _fmt(round(m[k]["payload"] / 1e6, 3)) if m[k]["payload"] else NOT_MEASURED for k, *_ in ROWS) + " |")
        lines.append("| CPU seconds of the measurement (filters; reruns) | " + " | ".join(
            "; ".join(_fmt(c) for c in m[k]["cpu_s"]) for k, *_ in ROWS) + " |")
        notes = [f"{label}: {m[k]['stopped']}" for k, label, *_ in ROWS if m[k]["stopped"]]
        notes += [f"{label}: not run at this size" for k, label, *_ in ROWS if not m[k]["ran"]]
        lines += ["", "| ratio | filter change (scenarios) | rerun (changes) | payload | isolates |", "|---|---:|---:|---:|---|"]
        labels = {k: label for k, label, *_ in ROWS}
        for slow, fast, cause in RATIOS:
            cells = []
            for measure in ("filters", "reruns"):
                both = sorted(set(m[slow][measure]) & set(m[fast][measure]))
                n = _median(m[slow][measure][x] for x in both)
                a = _median(m[fast][measure][x] for x in both)
                cells.append(f"{_ratio(n, a)} ({len(both)})" if both else NOT_MEASURED)
            cells.append(_ratio(m[slow]["payload"], m[fast]["payload"]))
            lines.append(f"| {labels[slow]} / {labels[fast]} | " + " | ".join(cells) + f" | {cause} |")
        mismatch = [
            f"{name}: app {m['app']['matching'][name]:,}, naive {m['naive']['matching'][name]:,}"
            for name in sorted(set(m["app"]["matching"]) & set(m["naive"]["matching"]))
            if m["app"]["matching"][name] != m["naive"]["matching"][name]
        ]
        if mismatch:
            notes.append("matching incidents differ between app and naive (the naive filter reads the raw columns): "
                         + "; ".join(mismatch))
        lines += [""] + [f"- {note}" for note in notes] if notes else []
        browser = [(key, _get(entry, "browser", key), _get(entry, "naive_browser", key)) for key in
                   ("start_to_first_map_s", "browser_update_s", "rss_one_session_mb", "rss_per_extra_session_mb")]
        app_b, naive_b = app_metrics(entry), naive_metrics(entry)
        if any(naive_b.get(k) for k, *_ in browser):
            lines += ["", "Browser (app vs naive with markers, same toggles of precise locations):", "",
                      "| what | app | naive | ratio |", "|---|---:|---:|---:|"]
            for key, *_ in browser:
                label, _, unit = TARGETS[key]
                lines.append(f"| {label} | {_fmt(app_b.get(key), unit)} | {_fmt(naive_b.get(key), unit)} | "
                             f"{_ratio(naive_b.get(key), app_b.get(key))} |")
    return lines


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return NOT_MEASURED
    if isinstance(value, float):
        text = f"{value:,.3f}" if abs(value) < 10 else f"{value:,.1f}"
    else:
        text = f"{value:,}"
    return f"{text} {unit}".strip()


def _status(value, limit) -> str:
    if value is None:
        return "not measured"
    return "met" if value < limit else "**missed**"


def render_markdown(report: dict) -> str:
    """Return the results as Markdown."""
    m = report["machine"]
    sizes = report["sizes"]
    lines = [
        "# Benchmark results (latest run)",
        "",
        f"- run: {report['run_at']}, {report.get('total_seconds', '?')} s in all; command: `{report['command']}`",
        f"- machine: {m['cpu']}, {m['cores']} cores ({m['usable_cores']} usable), {m['ram_gb']} GB RAM, {m['os']}",
        f"- Python {m['python']}; " + ", ".join(f"{k} {v}" for k, v in m["packages"].items() if v) + f"; {m.get('chromium') or 'no chromium'}",
        f"- code: git {m.get('git_commit')}{' (with uncommitted changes)' if m.get('git_dirty') else ''}",
        f"- load average (1/5/15 min) at start {report.get('load_average_start')}, at end {report.get('load_average_end')}: "
        "other processes shared the cores, so timings are noisy; compare the app and the baseline within one run.",
        "",
        "## Targets",
        "",
        "| what | target | " + " | ".join(f"{e['size']:,}" for e in sizes) + " | at the largest size |",
        "|---|---:|" + "---:|" * len(sizes) + "---|",
    ]
    metrics = [app_metrics(e) for e in sizes]
    for key, (label, limit, unit) in TARGETS.items():
        values = [mt.get(key) for mt in metrics]
        lines.append(
            f"| {label} | < {_fmt(limit, unit)} | " + " | ".join(_fmt(v, unit) for v in values) + f" | {_status(values[-1], limit) if values else ''} |"
        )
    _LOAD.update(start=report.get("load_average_start"), end=report.get("load_average_end"))
    lines += comparison_lines(sizes)
    for entry in sizes:
        lines += _details(entry)
    if report.get("distance"):
        lines += ["", "## Front distance, 1M incidents × 200 snapshots (bench/bench_distance.py)", "", "```",
                  json.dumps(report["distance"], indent=2)[:3000], "```"]
    return "\n".join(lines) + "\n"


def _details(entry: dict) -> list[str]:
    size = entry["size"]
    build = entry.get("build", {})
    lines = ["", f"## Details at {size:,} incidents", ""]
    lines.append(f"- data directory built by the {build.get('pipeline', '?')} pipeline; front lines: {build.get('frontlines', '?')}")
    for step in ("frontlines_run", "ingest_run", "enrich_run"):
        run = build.get(step)
        if run:
            note = "" if run["returncode"] == 0 else f" (failed: {run['stderr_tail'].strip().splitlines()[-1] if run['stderr_tail'].strip() else run['returncode']})"
            if run.get("reused"):
                lines.append(f"- `geo {step[:-4]}`: imported once for all sizes (copied from {run['reused']})")
                continue
            lines.append(f"- `geo {step[:-4]}`: {_fmt(run['seconds'], 's')}, peak RSS {_fmt(run.get('peak_rss_mb'), 'MB')}{note}")
    if build.get("fallback_seconds"):
        lines.append(f"- direct fallback build: {build['fallback_seconds']} s (approximate enrichment)")
    loading = _get(entry, "server", "loading")
    if loading:
        lines.append(
            f"- load + prepare (the app's cache_resource, once per data version and process): without the "
            f"memory-mapped copy {_fmt(loading.get('cold_load_s'), 's')} ({_fmt(loading.get('cold_load_cpu_s'), 's')} CPU, "
            f"memory +{_fmt(loading.get('cold_rss_growth_mb'), 'MB')}), with it {_fmt(loading.get('warm_load_s'), 's')} "
            f"({_fmt(loading.get('warm_load_cpu_s'), 's')} CPU, memory +{_fmt(loading.get('warm_rss_growth_mb'), 'MB')})"
        )
    if _get(entry, "server", "error"):
        lines.append(f"- server measurements failed: {entry['server']['error']}")
    rows = _get(entry, "server", "filters", "scenarios") or []
    if rows:
        lines += ["", "Filter change on the server (median of 3, uncached; ms):", "",
                  "| filter | matching | map | filter | KPIs | map data | layer JS | total | layer JS bytes |",
                  "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
        for r in rows:
            lines.append(
                f"| {r['scenario']} | {r['matching']:,} | {r['map_kind'] or r.get('error')} | {r['filter_ms']} | {r['kpis_ms']} | "
                f"{r['map_data_ms']} | {r['layer_js_ms']} | {r['total_ms']} | {_fmt(r['layer_js_bytes'])} |"
            )
    for key, title in (("reruns", "Whole script reruns (AppTest, app.py, Map page)"),
                       ("reruns_no_aggregation", "App without aggregation reruns (AppTest)"),
                       ("naive_grid_reruns", "Naive with grid aggregation reruns (AppTest)"),
                       ("naive_reruns", "Naive baseline reruns (AppTest)")):
        rr = _get(entry, "server", key)
        if not rr:
            continue
        lines += ["", f"{title}: first run {_fmt(rr.get('first_run_s'), 's')}, median rerun {_fmt(rr.get('median_rerun_s'), 's')}"
                  + (f"; error: {rr['error']}" if rr.get("error") else "") + (f"; {rr['stopped']}" if rr.get("stopped") else ""), ""]
        if rr.get("runs"):
            lines += ["| change | seconds | component payload |", "|---|---:|---:|"]
            lines += [f"| {r['change']} | {r['seconds']} | {_fmt(r['payload_bytes'])} |" for r in rr["runs"]]
    for key, title in (("browser", "Browser (app)"), ("naive_browser", "Browser (naive baseline)")):
        b = entry.get(key)
        if not b:
            continue
        cold = b.get("cold_start") or {}
        if cold:
            lines += ["", f"{title}, first start on this data version (no memory-mapped copy yet): first map after "
                      f"{_fmt(cold.get('start_to_first_map_s'), 's')}, server CPU {_fmt(cold.get('server_cpu_s'), 's')}, "
                      f"memory {_fmt(cold.get('rss_one_session_mb'), 'MB')}"
                      + (f"; error: {cold['error']}" if cold.get("error") else "")]
        lines += ["", f"{title}: server healthy after {_fmt(b.get('server_healthy_s'), 's')}, first map after "
                  f"{_fmt(b.get('start_to_first_map_s'), 's')} ({_fmt(b.get('page_to_first_map_s'), 's')} from opening the page; "
                  f"server CPU until then {_fmt(b.get('server_cpu_s'), 's')}); "
                  f"memory with one session {_fmt(b.get('rss_one_session_mb'), 'MB')} "
                  f"(of which mapped files {_fmt(b.get('rss_file_mb'), 'MB')}); "
                  f"first load received {_fmt(b.get('first_load_ws_bytes'))} websocket bytes; memory by sessions "
                  f"{b.get('rss_by_sessions_mb')} MB" + (f"; error: {b['error']}" if b.get("error") else ""), ""]
        if b.get("changes"):
            lines += ["| toggle | incidents | count shown | map updated | websocket bytes |", "|---:|---:|---:|---:|---:|"]
            for c in b["changes"]:
                if "error" in c:
                    lines.append(f"| {c['toggle']} | {c['error']} | | | |")
                else:
                    lines.append(f"| {c['toggle']} | {_fmt(c['incidents'])} | {c['count_shown_s']} s | {c['map_updated_s']} s | {_fmt(c['ws_bytes'])} |")
    return lines


def write_report(report: dict, out: Path) -> list[Path]:
    """Write Markdown to ``out`` and JSON next to it; return both paths."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_markdown(report), encoding="utf-8")
    json_path = out.with_suffix(".json")
    json_path.write_text(json.dumps(report, indent=2, default=str), encoding="utf-8")
    return [out, json_path]
