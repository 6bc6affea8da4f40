"""Turn a ``bench/run_all.py`` result into ``latest.md`` (tables) and ``latest.json`` (everything)."""

from __future__ import annotations

import json
from pathlib import Path

NOT_MEASURED = "–"

TARGETS = {
    "start_to_first_map_s": ("app start to first rendered map", 3.0, "s"),
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
    lines += ["", "## Against the naive baseline (same machine, same run)", ""]
    lines += [
        "Naive = one folium marker with a tooltip per incident, no aggregation, `st.cache_data` with a DataFrame "
        "argument (`bench/naive_app.py`). Ratio = naive / app (higher = the app is that many times faster or smaller).",
        "",
        "| size | what | app | naive | ratio |",
        "|---:|---|---:|---:|---:|",
    ]
    for entry, app in zip(sizes, metrics, strict=True):
        naive = naive_metrics(entry)
        if not any(v is not None for v in naive.values()):
            error = _get(entry, "naive_browser", "error")
            lines.append(f"| {entry['size']:,} | naive baseline not run at this size{': ' + error if error else ''} | | | |")
            continue
        for key in naive:
            label, _, unit = TARGETS[key]
            a, n = app.get(key), naive.get(key)
            ratio = f"{n / a:,.0f}×" if a and n and n / a >= 10 else (f"{n / a:.1f}×" if a and n else NOT_MEASURED)
            lines.append(f"| {entry['size']:,} | {label} | {_fmt(a, unit)} | {_fmt(n, unit)} | {ratio} |")
        error = _get(entry, "naive_browser", "error")
        if error:
            lines.append(f"| {entry['size']:,} | naive in the browser stopped: {error} | | | |")
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
            f"- load once per data version: load_bundle {loading['load_bundle_s']} s + prepare {loading['prepare_s']} s; "
            f"process memory grew {loading['rss_growth_mb']} MB"
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
    for key, title in (("reruns", "Whole script reruns (AppTest, app.py, Map page)"), ("naive_reruns", "Naive baseline reruns (AppTest)")):
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
        lines += ["", f"{title}: server healthy after {_fmt(b.get('server_healthy_s'), 's')}, first map after "
                  f"{_fmt(b.get('start_to_first_map_s'), 's')} ({_fmt(b.get('page_to_first_map_s'), 's')} from opening the page); "
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
