"""Data-quality summaries and cross-source duplicate candidates."""

import numpy as np
import pandas as pd
from pyproj import Geod

from geo.quality import find_cross_source_duplicates, summarise_quality


def _frame(rows):
    """Incidents from (id, source, date, lon, lat) tuples."""
    frame = pd.DataFrame(rows, columns=["incident_id", "source", "date", "lon", "lat"])
    frame["date"] = pd.to_datetime(frame["date"])
    return frame


def test_pairs_found_only_across_sources_within_distance_and_days():
    frame = _frame(
        [
            ("a:1", "a", "2023-01-10", 30.50, 50.45),
            ("b:1", "b", "2023-01-11", 30.53, 50.45),  # ~2.1 km, one day later: a pair
            ("b:2", "b", "2023-01-10", 30.60, 50.45),  # ~7 km: too far
            ("b:3", "b", "2023-01-13", 30.50, 50.45),  # same place, 3 days later: too late
            ("a:2", "a", "2023-01-10", 30.501, 50.45),  # same source as a:1: never a pair
        ]
    )
    pairs = find_cross_source_duplicates(frame, max_km=5, max_days=1)
    assert sorted(zip(pairs["incident_id_a"], pairs["incident_id_b"], strict=True)) == [("a:1", "b:1"), ("a:2", "b:1")]
    km = Geod(ellps="WGS84").inv(30.50, 50.45, 30.53, 50.45)[2] / 1000
    row = pairs[pairs["incident_id_a"] == "a:1"].iloc[0]
    assert abs(row["km"] - km) < 0.02 and row["days"] == 1


def test_pairs_match_brute_force_on_random_points():
    rng = np.random.default_rng(3)
    n = 600
    frame = _frame(
        [
            (f"s{i % 3}:{i}", f"s{i % 3}", str(np.datetime64("2023-03-01") + int(rng.integers(0, 6))),
             30 + rng.random() * 0.6, 50 + rng.random() * 0.4)
            for i in range(n)
        ]
    )
    pairs = find_cross_source_duplicates(frame, max_km=4, max_days=1)
    found = {tuple(sorted(p)) for p in zip(pairs["incident_id_a"], pairs["incident_id_b"], strict=True)}
    geod = Geod(ellps="WGS84")
    expected = set()
    rows = frame.to_dict("records")
    for i in range(n):
        for j in range(i + 1, n):
            a, b = rows[i], rows[j]
            if a["source"] == b["source"] or abs((a["date"] - b["date"]).days) > 1:
                continue
            if geod.inv(a["lon"], a["lat"], b["lon"], b["lat"])[2] <= 3990:  # margin for haversine vs ellipsoid
                expected.add(tuple(sorted((a["incident_id"], b["incident_id"]))))
    assert expected <= found
    assert len(found - expected) <= max(2, len(expected) // 50)


def test_single_source_has_no_pairs():
    frame = _frame([("a:1", "a", "2023-01-10", 30.5, 50.45), ("a:2", "a", "2023-01-10", 30.5, 50.45)])
    assert find_cross_source_duplicates(frame).empty


def test_quality_summary_per_source():
    frame = _frame([("a:1", "a", "2023-01-10", 30.5, 50.4), ("a:2", "a", "2023-01-11", 30.5, 50.4),
                    ("b:1", "b", "2023-01-10", 30.5, 50.4)])
    frame["geo_precision"] = ["exact", "region", "near"]
    frame["date_precision"] = ["day", "week", "day"]
    frame["killed"] = pd.array([1, pd.NA, 0], dtype="Int64")
    frame["injured"] = pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64")
    frame["admin1_iso"] = pd.array(["UA-30", None, "UA-30"], dtype="string")
    summary = summarise_quality(frame).set_index("source")
    assert summary.loc["a", "incidents"] == 2
    assert summary.loc["a", "geo_exact_pct"] == 50.0 and summary.loc["a", "geo_region_pct"] == 50.0
    assert summary.loc["a", "killed_reported_pct"] == 50.0 and summary.loc["b", "killed_reported_pct"] == 100.0
    assert summary.loc["a", "injured_reported_pct"] == 0.0
    assert summary.loc["a", "with_oblast_pct"] == 50.0
