"""Date parsing and keyword classification at scale (issue 12): per-column day/month decision, vectorised.

    .venv/bin/python bench/bench_parse.py [--n 1000000]

Times :func:`geo.parsing.parse_dates` on ``n`` values of several layouts (3,000 distinct days,
as in a multi-year export) and the English + Ukrainian keyword rules on ``n`` short texts.
CPU time is printed beside wall time because the machine is shared.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geo.parsing import AmbiguousDateOrder, parse_dates  # noqa: E402
from geo.sources import keywords  # noqa: E402


def _timed(label: str, work) -> object:
    cpu, wall = time.process_time(), time.perf_counter()
    out = work()
    print(f"{label}: {time.perf_counter() - wall:.2f} s wall, {time.process_time() - cpu:.2f} s CPU")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    n = parser.parse_args(argv).n
    rng = np.random.default_rng(0)
    days = pd.date_range("2018-01-01", periods=3000)
    pick = rng.integers(0, len(days), n)
    for layout in ("%d/%m/%Y 00:00:00", "%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y", "%Y-%m-%d", "%d %B %Y"):
        values = pd.Series(days.strftime(layout)).take(pick).reset_index(drop=True).astype(object)
        out = _timed(f"parse_dates {n:,} x {layout!r}", lambda values=values: parse_dates(values))
        assert out.notna().all()
    early = days[days.day <= 12]
    values = pd.Series(early.strftime("%d/%m/%Y")).take(pick % len(early)).reset_index(drop=True).astype(object)

    def ambiguous():
        try:
            parse_dates(values)
        except AmbiguousDateOrder:
            return None
        raise AssertionError("expected an ambiguous column")

    _timed(f"detect ambiguous column of {n:,} (all fields <= 12, unsorted) and stop", ambiguous)
    words = ["обстріл", "лікарні", "ракетний", "удар", "по", "вокзалу", "shelling", "of", "a", "hospital", "drone",
             "strike", "on", "residential", "building", "КАБ", "school", "житловому", "будинку", "Iskander"]
    texts = pd.Series([" ".join(rng.choice(words, 12)) for _ in range(20_000)]).take(
        rng.integers(0, 20_000, n)).reset_index(drop=True)

    def classify():
        compact = keywords.compact_keywords(texts)
        keywords.weapon_matrix(texts, compact)
        keywords.match_rules(texts, keywords.TARGET_RULES, compact)

    _timed(f"keyword rules (EN+UK) on {n:,} texts (20,000 distinct)", classify)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
