"""Benchmark: importing daily front-line snapshots, and adding one snapshot to 1,000,000 incidents.

Usage::

    .venv/bin/python bench/bench_frontlines.py [--days 1300] [--distinct 60] [--points 1000000]

1. **Import.** ``--days`` daily DeepStateMap snapshots are synthesised by re-dating the 41 real
   exports of ``../shared/data/frontlines/deepstate`` (cycled; file names
   ``YYYY-MM-DD_<unix time>.geojson`` from 2022-04-03 on) in a temporary directory, never
   committed, and imported with :func:`geo.frontlines.read_frontlines`. Re-dated copies repeat
   41 geometries, which the importer derives once each, so a second run makes ``--distinct``
   snapshots that all differ (every coordinate shifted by a different multiple of 1e-6°) to
   measure the full per-snapshot cost.
2. **Re-measure.** ``--points`` incidents uniform over Ukraine's land, dates uniform
   2022-03-01 … 2026-01-31, measured against the first 40 real snapshots; then the last one is
   added and :func:`geo.distance.update_front_enrichment` re-measures only the incidents it
   applies to (timed), checked against a full recompute on a sample.

Prints the figures and writes ``bench/results/frontlines.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.boundaries import load_ukraine_land  # noqa: E402
from geo.distance import compute_front_enrichment, update_front_enrichment  # noqa: E402
from geo.frontlines import FrontlineWarning, read_frontlines  # noqa: E402

SHARED_DEEPSTATE = ROOT.parent / "shared" / "data" / "frontlines" / "deepstate"
RESULTS = ROOT / "bench" / "results" / "frontlines.md"


def _timed(function):
    wall, cpu = time.perf_counter(), time.process_time()
    result = function()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def synthesise(out: Path, days: int, shift: bool) -> list[Path]:
    """Write ``days`` daily exports re-dated from the real ones (optionally each shifted slightly)."""
    real = sorted(SHARED_DEEPSTATE.glob("*.geojson"))
    start = dt.date(2022, 4, 3)
    paths = []
    for day in range(days):
        source = real[day % len(real)]
        date = start + dt.timedelta(days=day)
        stamp = int(dt.datetime(date.year, date.month, date.day, 12, tzinfo=dt.UTC).timestamp())
        target = out / f"{date.isoformat()}_{stamp}.geojson"
        if shift:
            data = json.loads(source.read_text(encoding="utf-8"))
            offset = (day + 1) * 1e-6
            for feature in data["features"]:
                geometry = feature.get("geometry")
                if geometry and geometry.get("type") in ("Polygon", "MultiPolygon"):
                    geometry["coordinates"] = _shift(geometry["coordinates"], offset)
            target.write_text(json.dumps(data), encoding="utf-8")
        else:
            target.symlink_to(source)
        paths.append(target)
    return paths


def _shift(value, offset):
    if isinstance(value, (int, float)):
        return value + offset
    return [_shift(v, offset) for v in value]


def random_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    import shapely

    land = load_ukraine_land()
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x, y = rng.uniform(22.1, 40.3, 2 * n), rng.uniform(44.3, 52.4, 2 * n)
        keep = shapely.contains_xy(land, x, y)
        lon, lat = np.r_[lon, x[keep]], np.r_[lat, y[keep]]
    return lon[:n], lat[:n]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--days", type=int, default=1300)
    parser.add_argument("--distinct", type=int, default=60)
    parser.add_argument("--points", type=int, default=1_000_000)
    args = parser.parse_args()
    if not SHARED_DEEPSTATE.exists():
        raise SystemExit(f"{SHARED_DEEPSTATE} not found: the benchmark needs the real exports.")
    warnings.simplefilter("ignore", FrontlineWarning)
    load_ukraine_land()
    lines = [f"# Front-line import and incremental re-measure ({dt.date.today().isoformat()})", ""]
    lines += [f"Machine: {platform.machine()}, {os.cpu_count()} CPUs, load average at start {os.getloadavg()[0]:.1f} "
              "(shared with other jobs: wall times are inflated accordingly).", ""]
    lines += ["| step | wall s | CPU s | note |", "|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "redated"
        folder.mkdir()
        synthesise(folder, args.days, shift=False)
        frame, wall, cpu = _timed(lambda: read_frontlines(folder))
        assert len(frame) == args.days
        lines.append(f"| import {args.days:,} daily snapshots (re-dated real exports, 41 distinct) | {wall:.1f} | {cpu:.1f} | "
                     f"{1000 * wall / args.days:.0f} ms per snapshot |")
        print(lines[-1], flush=True)
        distinct = Path(tmp) / "distinct"
        distinct.mkdir()
        synthesise(distinct, args.distinct, shift=True)
        frame, wall, cpu = _timed(lambda: read_frontlines(distinct))
        assert len(frame) == args.distinct
        lines.append(f"| import {args.distinct} snapshots that all differ | {wall:.1f} | {cpu:.1f} | "
                     f"{1000 * wall / args.distinct:.0f} ms per snapshot; 1,300 such: ≈{1.3 * wall / args.distinct * 1000:.0f} s |")
        print(lines[-1], flush=True)
    real, wall, cpu = _timed(lambda: read_frontlines(SHARED_DEEPSTATE))
    lines.append(f"| import the 41 real exports | {wall:.1f} | {cpu:.1f} | {1000 * wall / 41:.0f} ms per snapshot |")
    print(lines[-1], flush=True)
    rng = np.random.default_rng(1)
    lon, lat = random_points(args.points, rng)
    days = (pd.Timestamp("2026-01-31") - pd.Timestamp("2022-03-01")).days
    dates = (pd.Timestamp("2022-03-01") + pd.to_timedelta(rng.integers(0, days + 1, args.points), unit="D")).to_numpy()
    old = real.iloc[:-1].reset_index(drop=True)
    current, wall, cpu = _timed(lambda: compute_front_enrichment(lon, lat, dates, old))
    lines.append(f"| full front enrichment, {args.points:,} incidents x 40 snapshots | {wall:.1f} | {cpu:.1f} | the cost avoided |")
    print(lines[-1], flush=True)
    (updated, changed), wall, cpu = _timed(lambda: update_front_enrichment(lon, lat, dates, current, old, real))
    lines.append(f"| add the 41st snapshot: re-measure only its incidents | {wall:.1f} | {cpu:.1f} | "
                 f"{int(changed.sum()):,} of {args.points:,} re-measured |")
    print(lines[-1], flush=True)
    sample = rng.choice(args.points, 20_000, replace=False)
    check = compute_front_enrichment(lon[sample], lat[sample], dates[sample], real)
    for column in check.columns:
        pd.testing.assert_series_equal(updated[column].iloc[sample].reset_index(drop=True), check[column], check_names=False)
    lines += ["", "The re-measured columns equal a full recompute (checked on a 20,000-incident sample here, "
              "exactly in `tests/test_remeasure.py`)."]
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
