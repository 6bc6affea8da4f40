"""Ingest benchmark: synthetic ACLED CSVs of 10k / 100k / 1M rows through ``python -m geo ingest``.

The DeepStateMap snapshots (read in place from ``../shared/data``) are imported first, so each
ingest computes the front distance of every row. Each ingest runs in a fresh process started by
a fresh helper (so the peak memory is that run's own), timing the whole command; the step times
come from the same run. Results go to ``bench/results/ingest.md``.

    .venv/bin/python bench/bench_ingest.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.generate import generate_acled  # noqa: E402


def machine_summary() -> str:
    """Describe the machine for the results table."""
    from bench.run_all import cpu_model

    cpu = cpu_model()
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def run_child(args: list[str], env: dict | None = None) -> dict:
    """Run one command in a child process; return its wall time, return code and output."""
    start = time.perf_counter()
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "returncode": proc.returncode, "stdout": out, "stderr": err}


def _measured(args: list[str], env: dict | None = None) -> dict:
    """Run ``args`` under a fresh helper process that reports the child's own peak RSS.

    ``RUSAGE_CHILDREN`` is the maximum over all of a process's children, so each measured
    command gets a helper whose only child it is. The helper also samples the child's
    resident memory (``/proc/PID/status``) every 50 ms, for the peak of each step.
    """
    helper = (
        "import json, os, resource, subprocess, sys, tempfile, time\n"
        "t = time.perf_counter()\n"
        "out, err = tempfile.TemporaryFile('w+'), tempfile.TemporaryFile('w+')\n"
        "p = subprocess.Popen(sys.argv[1:], stdout=out, stderr=err, text=True)\n"
        "samples = []\n"
        "while p.poll() is None:\n"
        "    try:\n"
        "        with open(f'/proc/{p.pid}/status') as f:\n"
        "            kb = next((int(x.split()[1]) for x in f if x.startswith('VmRSS')), None)\n"
        "    except OSError:\n"
        "        kb = None\n"
        "    if kb is not None:\n"
        "        samples.append((time.monotonic(), kb / 1024.0))\n"
        "    time.sleep(0.05)\n"
        "s = time.perf_counter() - t\n"
        "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
        "peak, cpu = u.ru_maxrss / 1024.0, u.ru_utime + u.ru_stime\n"
        "out.seek(0); err.seek(0); stdout, stderr = out.read(), err.read()\n"
        "print(json.dumps({'seconds': s, 'peak_mb': peak, 'cpu_s': cpu, 'returncode': p.returncode, "
        "'stdout': stdout[-4000:], 'stderr': stderr[-4000:], 'rss': samples}))\n"
    )
    run = run_child([sys.executable, "-c", helper, *args], env=env)
    import json

    return json.loads(run["stdout"])


#: Runs ``geo ingest`` as ``python -m geo`` does, printing the monotonic clock when the build starts
#: (stderr ``bench-start T``), so that the sampled memory can be cut into the build's steps.
_INGEST = (
    "import sys, time\n"
    "import geo.build as build\n"
    "from geo.cli import main\n"
    "ingest_into = build.ingest_into\n"
    "def marked(*args, **kwargs):\n"
    "    print(f'bench-start {time.monotonic()}', file=sys.stderr, flush=True)\n"
    "    return ingest_into(*args, **kwargs)\n"
    "build.ingest_into = marked\n"
    "sys.exit(main())\n"
)


def step_peaks(run: dict) -> str:
    """Return the peak RSS of each step of a measured ``geo ingest`` run ("" when it cannot be cut).

    Parameters
    ----------
    run : dict
        :func:`_measured` output of a run with ``CONFLICTMAP_TIMINGS=1`` under :data:`_INGEST`.

    Returns
    -------
    str
        ``step N MB, ...``: startup (imports), each build step, and the exit.
    """
    import re

    start = next((float(line.split()[1]) for line in run["stderr"].splitlines() if line.startswith("bench-start ")), None)
    timings = next((line.removeprefix("timings: ") for line in run["stderr"].splitlines()
                    if line.startswith("timings: ")), "")
    steps = [(name.strip(), float(wall)) for name, wall in re.findall(r"([^,]+?) ([\d.]+) s \(CPU [\d.]+ s\)", timings)]
    samples = run.get("rss") or []
    if start is None or not steps or not samples:
        return ""
    edges = [("startup", float("-inf"), start)]
    clock = start
    for name, wall in steps:
        edges.append((name, clock, clock + wall))
        clock += wall
    edges.append(("exit", clock, float("inf")))
    parts = []
    for name, low, high in edges:
        inside = [mb for t, mb in samples if low <= t < high]
        if inside:
            parts.append(f"{name} {max(inside):.0f} MB")
    return ", ".join(parts)


def main() -> None:
    """Run the benchmark and write the results table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--frontlines", type=Path, default=ROOT.parent / "shared" / "data" / "frontlines" / "deepstate",
                        help="front-line snapshots imported first (the ingest runs with them present)")
    parser.add_argument("--no-frontlines", action="store_true")
    parser.add_argument("--work", type=Path, default=None)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.md")
    args = parser.parse_args()
    rows = []
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        template = work / "frontlines-only"
        front = None
        snapshots = 0
        if not args.no_frontlines and args.frontlines.is_dir():
            shutil.rmtree(template, ignore_errors=True)
            front = _measured([py, "-m", "geo", "frontlines", str(args.frontlines), "--out", str(template)])
            if front["returncode"] != 0:
                raise RuntimeError(front["stderr"])
            snapshots = len(list(args.frontlines.glob("*.geojson")))
            print(f"front lines: {snapshots} snapshots in {front['seconds']:.1f} s, peak RSS {front['peak_mb']:.0f} MB")
        for size in args.sizes:
            csv_path = work / f"acled-{size}.csv"
            if not csv_path.exists():
                generate_acled(size).to_csv(csv_path, index=False)
            mb = csv_path.stat().st_size / 1e6
            directory = work / f"dir-{size}"
            shutil.rmtree(directory, ignore_errors=True)
            if front is not None:
                shutil.copytree(template, directory)
            run = _measured([py, "-c", _INGEST, "ingest", str(csv_path), "--format", "acled", "--out", str(directory)],
                            env={"CONFLICTMAP_TIMINGS": "1"})
            if run["returncode"] != 0:
                raise RuntimeError(run["stderr"])
            imported = next((line.split()[-1] for line in run["stdout"].splitlines() if line.startswith("imported")), "?")
            steps = next((line.removeprefix("timings: ") for line in run["stderr"].splitlines()
                          if line.startswith("timings: ")), "")
            peaks = step_peaks(run)
            rows.append((size, mb, run["seconds"], run["cpu_s"], run["peak_mb"], imported, steps, peaks))
            print(f"{size:>9,} rows ({mb:.0f} MB): {run['seconds']:.1f} s (CPU {run['cpu_s']:.1f} s), "
                  f"peak RSS {run['peak_mb']:.0f} MB, "
                  f"imported {imported}; {steps}; peak RSS per step: {peaks}")
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines = [
        "# Ingest benchmark",
        "",
        f"- run: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')} (load average at the end: {load})",
        f"- machine: {machine_summary()}",
        f"- front lines present: {snapshots} DeepStateMap snapshots (`python -m geo frontlines` first"
        + (f": {front['seconds']:.1f} s, peak {front['peak_mb']:.0f} MB)" if front else ")"),
        "- command, timed as a whole in a fresh process: `python -m geo ingest acled-N.csv --format acled --out DIR`",
        "  (run as `python -c` with `geo.cli.main`, marking when the build starts)",
        "  (read, parse, validate, quarantine, study-area check, oblast and front distance for every row,",
        "  fuse, write a new version); the step times come from the same run (`CONFLICTMAP_TIMINGS=1`)",
        "- target: 1,000,000 rows in under 15 s and 1.5 GB peak",
        "- CPU time = user + system of the ingest process (all threads); on a busy machine the wall time",
        "  grows with the load average while the CPU time does not",
        "- peak RSS per step: the child's resident memory sampled every 50 ms, cut at the step times",
        "  (startup = interpreter and imports before the build starts)",
        "",
        "| rows | CSV size | wall time | CPU time | peak RSS | imported | steps (wall) | peak RSS per step |",
        "|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    lines += [f"| {n:,} | {mb:.0f} MB | {s:.1f} s | {c:.1f} s | {p:.0f} MB | {imp} | {st} | {pk} |"
              for n, mb, s, c, p, imp, st, pk in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()
