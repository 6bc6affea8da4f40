"""Prototype for docs/SCALING.md: the Map page's query answered by DuckDB straight from GeoParquet.

Needs ``pip install duckdb`` (not a project dependency). Compares, on one data directory:

- in memory (what the app does now): numpy mask + KPIs + grid bins over prepared columns;
- DuckDB over ``incidents.parquet`` (one file, nothing held in memory between queries);
- DuckDB over a copy partitioned by year (Hive layout), where a date filter skips whole files.

    .venv/bin/python bench/prototype_duckdb.py DATA_DIR
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

QUERY = """
SELECT count(*) AS incidents, sum(killed) AS killed, sum(injured) AS injured,
       count(DISTINCT admin1_iso) AS oblasts
FROM {src} WHERE date BETWEEN DATE '{start}' AND DATE '{end}' AND geo_precision IN ('exact', 'near')
"""
BINS = """
SELECT floor(lon / 0.2)::INT AS ix, floor(lat / 0.2)::INT AS iy, count(*) AS n,
       sum(coalesce(killed, 0)) AS killed, sum(coalesce(injured, 0)) AS injured
FROM {src} WHERE date BETWEEN DATE '{start}' AND DATE '{end}' AND geo_precision IN ('exact', 'near')
GROUP BY 1, 2
"""


def _time(fn, repeats: int = 5) -> tuple[float, object]:
    times, value = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times) * 1000, value


def main() -> None:
    import datetime as dt

    import duckdb

    from geo.datadir import load_bundle
    from geo.filters import Filters, compute_kpis, filter_mask, prepare_columns
    from geo.viz.map import aggregate_grid

    directory = Path(sys.argv[1])
    from geo.datadir import INCIDENTS_FILE, table_path

    parquet = table_path(directory, INCIDENTS_FILE)
    start, end = "2024-01-01", "2024-12-31"
    bundle = load_bundle(directory, skip_columns=("extra",))
    cols = prepare_columns(bundle.incidents)
    filters = Filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 12, 31), precise_only=True)

    def in_memory():
        mask = filter_mask(cols, filters)
        kpis = compute_kpis(cols, mask)
        bins = aggregate_grid(cols.lon[mask], cols.lat[mask], cols.killed[mask], cols.injured[mask])
        return kpis["incidents"], len(bins.count)

    con = duckdb.connect()
    con.execute("SET threads TO 2")
    single = f"read_parquet('{parquet}')"

    def duck(src):
        def run():
            kpis = con.execute(QUERY.format(src=src, start=start, end=end)).fetchone()
            bins = con.execute(BINS.format(src=src, start=start, end=end)).fetchall()
            return kpis[0], len(bins)

        return run

    rows = [("in memory (numpy, the app today)", *_time(in_memory))]
    rows.append(("DuckDB over incidents.parquet", *_time(duck(single))))
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        con.execute(
            f"COPY (SELECT * EXCLUDE (geometry), year(date) AS year FROM {single}) TO '{tmp}/parts' "
            "(FORMAT parquet, PARTITION_BY (year))"
        )
        partition_s = time.perf_counter() - t0
        parts = f"read_parquet('{tmp}/parts/*/*.parquet', hive_partitioning = true)"
        rows.append(("DuckDB over year partitions", *_time(duck(parts))))
        pruned = parts + " WHERE year = 2024"
        rows.append(("DuckDB, year partitions, pruned to 2024", *_time(duck(f"(SELECT * FROM {pruned})"))))
    print(f"{len(bundle.incidents):,} incidents; filter 2024, precise only; partitioning took {partition_s:.1f} s")
    print("| engine | median ms (KPIs + grid bins) | matching, cells |")
    print("|---|---:|---|")
    for name, ms, value in rows:
        print(f"| {name} | {ms:.0f} | {value} |")


if __name__ == "__main__":
    main()
