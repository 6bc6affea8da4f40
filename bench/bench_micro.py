"""Micro-benchmarks that used to be timing asserts in the test suite (issue 18).

    .venv/bin/python bench/bench_micro.py [--n 1000000]

Prints CPU and wall time of the vectorised filter mask and of the admin-1 assignment on
``n`` rows; the tests check only their results. CPU time is reported beside wall time because
the machine is shared: wall time is not a property of the code.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.boundaries import assign_admin1, load_default_boundaries, load_ukraine_land  # noqa: E402
from geo.filters import Filters, filter_mask, prepare_columns  # noqa: E402
from tests.synthetic_data import build_incidents  # noqa: E402


def _timed(label: str, work) -> None:
    cpu, wall = time.process_time(), time.perf_counter()
    work()
    print(f"{label}: {time.perf_counter() - wall:.3f} s wall, {time.process_time() - cpu:.3f} s CPU")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    n = parser.parse_args(argv).n
    rng = np.random.default_rng(1)
    base = build_incidents(8)
    cols = prepare_columns(base.iloc[rng.integers(0, 8, n)].reset_index(drop=True))
    filters = Filters(target_types=("education",), killed_min=1, text="kyiv", oblasts=("UA-30",))
    _timed(f"filter_mask, {n:,} rows, 4 filters", lambda: filter_mask(cols, filters))

    land = load_ukraine_land()
    lon = rng.uniform(22.0, 40.3, 3 * n)
    lat = rng.uniform(44.3, 52.4, 3 * n)
    keep = shapely.contains_xy(land, lon, lat)
    lon, lat = lon[keep][:n], lat[keep][:n]
    boundaries = load_default_boundaries()
    _timed(f"assign_admin1, {len(lon):,} points", lambda: assign_admin1(lon, lat, boundaries))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
