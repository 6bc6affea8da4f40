"""Ingest benchmark: synthetic ACLED CSVs of 10k / 100k / 1M rows through ``python -m geo ingest``.

Each size runs in a fresh subprocess (so peak memory is that run's own), timing the
whole command: read, parse, validate, quarantine, assign oblasts, write GeoParquet.
Results go to ``bench/results/ingest.md``.

    .venv/bin/python bench/bench_ingest.py --sizes 10000 100000 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import resource
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
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1e9
    return f"{platform.node()}: {os.cpu_count()} cores ({cpu}), {mem_gb:.0f} GB RAM, Python {platform.python_version()}"


def run_ingest(csv_path: Path, out_dir: Path) -> tuple[float, float, str]:
    """Run one ingest in a child process; return (seconds, peak RSS in MB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "geo", "ingest", str(csv_path), "--format", "acled", "--out", str(out_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    return seconds, max(peak, before) / 1024.0, proc.stdout


def main() -> None:
    """Run the benchmark and write the results table."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "ingest.md")
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            csv_path = Path(tmp) / f"acled-{size}.csv"
            generate_acled(size).to_csv(csv_path, index=False)
            mb = csv_path.stat().st_size / 1e6
            seconds, peak_mb, stdout = run_ingest(csv_path, Path(tmp) / f"dir-{size}")
            imported = next((line.split()[-1] for line in stdout.splitlines() if line.startswith("imported")), "?")
            rows.append((size, mb, seconds, peak_mb, imported))
            print(f"{size:>9,} rows ({mb:.0f} MB): {seconds:.1f} s, peak RSS {peak_mb:.0f} MB, imported {imported}")
    lines = [
        "# Ingest benchmark",
        "",
        f"- run: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
        f"- machine: {machine_summary()}",
        "- command: `python -m geo ingest acled-N.csv --format acled --out DIR` (fresh process each; read,",
        "  parse, validate, quarantine, study-area check, oblast assignment, GeoParquet write)",
        "- target: 1,000,000 rows in under 20 s",
        "",
        "| rows | CSV size | wall time | peak RSS | imported |",
        "|---:|---:|---:|---:|---:|",
    ]
    lines += [f"| {n:,} | {mb:.0f} MB | {s:.1f} s | {p:.0f} MB | {imp} |" for n, mb, s, p, imp in rows]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(args.out)


if __name__ == "__main__":
    main()
