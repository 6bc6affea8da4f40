"""Fusion's candidate search misses no pair: the blocked search gives the same events as trying every pair."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import geo.fusion as fusion


def crowded_table(n: int, seed: int) -> pd.DataFrame:
    """Records on a coarse lattice (many exact ties of distance), five sources, ids with and without publisher ids."""
    rng = np.random.default_rng(seed)
    lon = 35.0 + rng.integers(0, 10, n) * 0.013
    lat = 48.5 + rng.integers(0, 10, n) * 0.009
    moved = rng.random(n) < 0.3
    lon[moved] += rng.normal(0, 0.0006, moved.sum())
    source = rng.choice(["acled", "ucdp", "bellingcat", "curated", "generic"], n, p=[0.3, 0.2, 0.3, 0.1, 0.1])
    derived = rng.random(n) < 0.3
    source_id = np.where(derived, [f"sha1-{i:08x}" for i in range(n)], [f"p{i}" for i in range(n)])
    return pd.DataFrame({
        "incident_id": [f"{s}:{i}" for s, i in zip(source, source_id, strict=True)],
        "source": source,
        "source_id": source_id,
        "date": pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 10, n), unit="D"),
        "date_precision": rng.choice(["day", "week", "month"], n, p=[0.75, 0.2, 0.05]),
        "lon": lon,
        "lat": lat,
        "geo_precision": rng.choice(["exact", "near", "area", "region"], n, p=[0.4, 0.35, 0.2, 0.05]),
        "event_type": rng.choice(["shelling", "missile_strike", "attack_on_civilians", "battle", "protest", "other"], n),
        "description": rng.choice(["a", "b", "c", None], n),
        "source_urls": [list(rng.choice(["u1", "u2", "u3"], rng.integers(0, 3))) for _ in range(n)],
        "killed": rng.choice([0.0, 1.0, np.nan], n),
        "injured": rng.choice([0.0, 3.0, np.nan], n),
    })


def every_pair(day, lon, lat, eligible, *_args, **_kwargs):
    """All pairs (i < j) of eligible records: the search :func:`geo.fusion._linkable_pairs` must not lose any."""
    rows = np.flatnonzero(eligible)
    i, j = np.triu_indices(len(rows), k=1)
    return rows[i], rows[j]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_blocked_search_equals_every_pair(seed, monkeypatch):
    table = crowded_table(400, seed)
    blocked = fusion.link_records(table)
    assert len(np.unique(blocked)) < len(table) * 0.9  # the table is crowded enough to link many records
    monkeypatch.setattr(fusion, "_linkable_pairs", every_pair)
    assert np.array_equal(fusion.link_records(table), blocked)


def test_blocked_search_finds_far_and_week_pairs(monkeypatch):
    """Wide tolerances and week-precise records, spread over more days and a larger area."""
    table = crowded_table(400, 9)
    rng = np.random.default_rng(9)
    table["lon"] = table["lon"] + rng.integers(0, 3, len(table)) * 0.08
    table["date"] = table["date"] + pd.to_timedelta(rng.integers(0, 3, len(table)) * 5, unit="D")
    blocked = fusion.link_records(table)
    monkeypatch.setattr(fusion, "_linkable_pairs", every_pair)
    assert np.array_equal(fusion.link_records(table), blocked)


def test_candidate_order_decides_ties(monkeypatch):
    """Reversing the candidates changes some events: the order reproduced by _candidate_pairs matters."""
    tables = [crowded_table(300, seed) for seed in (4, 5, 6)]
    labels = [fusion.link_records(table) for table in tables]
    original = fusion._candidate_pairs
    monkeypatch.setattr(fusion, "_candidate_pairs", lambda *a, **k: tuple(v[::-1] for v in original(*a, **k)))
    assert any(not np.array_equal(fusion.link_records(t), expected) for t, expected in zip(tables, labels, strict=True))
