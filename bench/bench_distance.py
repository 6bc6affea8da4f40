"""Benchmark: front-line enrichment of 1,000,000 incidents against 200 snapshots.

Usage: ``.venv/bin/python bench/bench_distance.py [--points N] [--snapshots S] [--seed K]``

Points are drawn uniformly (seeded) over Ukraine's land, dates uniformly over
2022-03-01 … 2026-01-31 (a few fall before the first snapshot). Snapshots are the
real DeepStateMap exports from ``../shared/data`` when present (read in place,
cycled and shifted by up to ±0.01° so every snapshot differs), otherwise
synthetic fronts (a wavy north-south occupation boundary east of 35-38°E).
Prints the timings and writes ``bench/results/distance.md``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import shapely

from geo.boundaries import assign_admin1, load_default_boundaries, load_ukraine_land
from geo.distance import compute_front_enrichment
from geo.frontlines import FrontlineWarning, derive_front_geometry, read_frontlines

ROOT = Path(__file__).resolve().parent.parent
SHARED_DEEPSTATE = ROOT.parent / "shared" / "data" / "frontlines" / "deepstate"
RESULTS = ROOT / "bench" / "results" / "distance.md"


def random_points(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    land = load_ukraine_land()
    lon, lat = np.empty(0), np.empty(0)
    while len(lon) < n:
        x = rng.uniform(22.1, 40.3, 2 * n)
        y = rng.uniform(44.3, 52.4, 2 * n)
        keep = shapely.contains_xy(land, x, y)
        lon, lat = np.r_[lon, x[keep]], np.r_[lat, y[keep]]
    return lon[:n], lat[:n]


def synthetic_snapshots(count: int, rng: np.random.Generator) -> list:
    snapshots = []
    lat = np.linspace(44.0, 52.6, 400)
    for i in range(count):
        base = 35.0 + 3.0 * i / max(count - 1, 1)
        lon = base + 0.6 * np.sin(lat * 3.0 + i * 0.1) + rng.normal(0, 0.02, len(lat))
        ring = np.r_[np.c_[lon, lat], [[41.0, 52.6], [41.0, 44.0]]]
        snapshots.append(derive_front_geometry([shapely.Polygon(ring)], []))
    return snapshots


def build_snapshots(count: int, rng: np.random.Generator) -> tuple[pd.DataFrame, str]:
    import geopandas as gpd

    dates = pd.date_range("2022-04-03", periods=count, freq="7D")
    if SHARED_DEEPSTATE.exists():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FrontlineWarning)
            real = read_frontlines(SHARED_DEEPSTATE)
        rows = []
        for i in range(count):
            src = real.iloc[i % len(real)]
            dx, dy = rng.uniform(-0.01, 0.01, 2)
            rows.append([shapely.affinity.translate(src[c], dx, dy) if src[c] is not None else None for c in ("geometry", "contact_line")])
        origin = f"the {len(real)} real DeepStateMap snapshots cycled, each shifted by up to ±0.01°"
    else:
        rows = [(a, c) for a, c, _ in synthetic_snapshots(count, rng)]
        origin = "synthetic wavy fronts (../shared/data absent)"
    frame = gpd.GeoDataFrame(
        {"snapshot_date": dates, "source": "bench", "method": "bench"},
        geometry=[r[0] for r in rows],
        crs="EPSG:4326",
    )
    frame["contact_line"] = gpd.GeoSeries([r[1] for r in rows], crs="EPSG:4326")
    frame["contested"] = gpd.GeoSeries([None] * count, crs="EPSG:4326")
    return frame, origin


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--snapshots", type=int, default=200)
    parser.add_argument("--seed", type=int, default=20240224)
    parser.add_argument("--no-write", action="store_true", help="print only, do not write bench/results/distance.md")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)

    start = time.perf_counter()
    frontlines, origin = build_snapshots(args.snapshots, rng)
    t_snapshots = time.perf_counter() - start
    lon, lat = random_points(args.points, rng)
    days = rng.integers(0, (pd.Timestamp("2026-01-31") - pd.Timestamp("2022-03-01")).days, args.points)
    dates = (pd.Timestamp("2022-03-01") + pd.to_timedelta(days, unit="D")).to_numpy()

    boundaries = load_default_boundaries()
    start, cpu = time.perf_counter(), time.process_time()
    iso, _ = assign_admin1(lon, lat, boundaries)
    t_admin1, c_admin1 = time.perf_counter() - start, time.process_time() - cpu

    load_before = os.getloadavg()[0]
    start, cpu = time.perf_counter(), time.process_time()
    result = compute_front_enrichment(lon, lat, dates, frontlines)
    t_front, c_front = time.perf_counter() - start, time.process_time() - cpu
    load_after = os.getloadavg()[0]

    assigned = int(result["front_snapshot_date"].notna().sum())
    occupied = int(result["in_occupied_territory"].fillna(False).sum())
    lines = [
        "# Distance benchmark",
        "",
        f"- date: {dt.datetime.now().isoformat(timespec='seconds')}",
        f"- machine: {platform.machine()}, {os.cpu_count()} logical CPUs (shared), {platform.platform()}",
        f"- python {platform.python_version()}, shapely {shapely.__version__}, numpy {np.__version__}",
        f"- command: `.venv/bin/python bench/bench_distance.py --points {args.points} --snapshots {args.snapshots} --seed {args.seed}`",
        f"- snapshots: {args.snapshots}, {origin}",
        f"- points: {args.points:,} uniform over Ukraine's land; {assigned:,} on or after the first snapshot, {occupied:,} in occupied territory",
        "",
        f"- load average (1 min) before / after the enrichment: {load_before:.1f} / {load_after:.1f} on {os.cpu_count()} CPUs",
        "",
        "| step | wall s | CPU s |",
        "|---|---|---|",
        f"| build snapshots (not part of enrichment) | {t_snapshots:.2f} | |",
        f"| assign_admin1, {args.points:,} points | {t_admin1:.2f} | {c_admin1:.2f} |",
        f"| compute_front_enrichment, {args.points:,} points x {args.snapshots} snapshots | {t_front:.2f} | {c_front:.2f} |",
        "",
        f"Target: under 15 s for the front enrichment — {'met' if t_front < 15 else 'NOT met'} (wall clock); "
        "CPU time is the figure to compare when the machine is shared.",
        f"Unassigned oblasts: {int(pd.isna(iso).sum())}.",
    ]
    print("\n".join(lines))
    if not args.no_write:
        RESULTS.parent.mkdir(parents=True, exist_ok=True)
        RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")
        print(f"written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
