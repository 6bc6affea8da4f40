"""Benchmark: event fusion (:func:`geo.fusion.assign_events`) of 1,000,000 records.

Usage: ``.venv/bin/python bench/bench_fusion.py [--records N] [--seed K]``

Records come from the synthetic ACLED generator (``bench/generate.py``: 72 % of points near
the front, the rest around cities, ~800 records a day), relabelled across five sources so
cross-source pairs exist, with 10 % of the records re-emitted by a second export of the same
source without publisher ids (jittered by up to ~300 m) so the same-source duplicate path is
exercised too. Prints the timings and writes ``bench/results/fusion.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from pathlib import Path

import numpy as np
import pandas as pd

from bench.datasets import canonical_from_generator
from geo.fusion import assign_events, fusion_summary


def build_records(size: int, seed: int) -> pd.DataFrame:
    """Return ``size`` canonical records over five sources, 10 % of them same-source re-exports."""
    rng = np.random.default_rng(seed)
    base_size = int(size / 1.1)
    frame = canonical_from_generator(base_size)
    sources = np.array(["acled", "ucdp", "bellingcat", "curated", "generic"], dtype=object)
    frame["source"] = sources[rng.choice(5, size=base_size, p=[0.55, 0.2, 0.15, 0.02, 0.08])]
    frame["incident_id"] = frame["source"] + ":" + frame["source_id"].astype(str)
    frame["source_urls"] = [[f"https://example.org/{i}"] for i in range(base_size)]
    copies = frame.sample(n=size - base_size, random_state=seed).copy()
    copies["lon"] = copies["lon"] + rng.normal(0, 0.002, len(copies))
    copies["lat"] = copies["lat"] + rng.normal(0, 0.002, len(copies))
    copies["source_id"] = [f"sha1-{i:016x}" for i in range(len(copies))]
    copies["incident_id"] = copies["source"] + ":" + copies["source_id"]
    return pd.concat([frame, copies], ignore_index=True)


def main() -> None:
    """Run the benchmark once and write the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    records = build_records(args.records, args.seed)
    t_build = time.perf_counter() - t0
    load_before = os.getloadavg()
    t0, c0 = time.perf_counter(), time.process_time()
    fused = assign_events(records)
    t_fuse, c_fuse = time.perf_counter() - t0, time.process_time() - c0
    summary = fusion_summary(fused)
    lines = [
        "# Fusion benchmark",
        "",
        f"- run: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}; command: `bench/bench_fusion.py --records {args.records} --seed {args.seed}`",
        f"- machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; Python {platform.python_version()}; "
        f"numpy {np.__version__}, pandas {pd.__version__}",
        f"- load average (1/5/15 min) before fusion {tuple(round(v, 2) for v in load_before)}, after "
        f"{tuple(round(v, 2) for v in os.getloadavg())}: above 2 the two cores were shared with other work, and the wall "
        "time overstates what fusion costs on an idle machine; the CPU time does not (fusion is single-threaded numpy).",
        "",
        "| what | value |",
        "|---|---:|",
        f"| records | {summary['records']:,} |",
        f"| events after fusion | {summary['events']:,} |",
        f"| events with 2+ records | {summary['multi_record_events']:,} |",
        f"| events seen in 2+ sources | {summary['multi_source_events']:,} |",
        f"| generating the records (not part of fusion) | {t_build:.1f} s |",
        f"| **assign_events, wall time** (candidate pairs, geodesic distances, linking, event columns) | **{t_fuse:.1f} s** |",
        f"| **assign_events, CPU time of the process** | **{c_fuse:.1f} s** |",
        "",
    ]
    text = "\n".join(lines)
    print(text)
    out = Path(__file__).resolve().parent / "results" / "fusion.md"
    out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
