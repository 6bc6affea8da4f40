"""Deterministic synthetic ACLED-shaped incident exports for benchmarks.

The spatial mix follows the shape of the real war: most events in a band along
the eastern and southern front, a long tail of strikes on cities across the
country, a few in the far west. Dates run from 2022-02-24 to 2025-07-31 with
more events in 2022 and in later escalation periods. Categories, casualty
counts and notes follow ACLED's codebook and the mix of real exports (most
events have 0 fatalities). Same seed, same bytes.

    python bench/generate.py --rows 1000000 --out /tmp/acled-1m.csv
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

# A rough 2023 line of contact (lon, lat), north to south then west along the Dnipro.
_FRONT = np.array(
    [
        [37.6, 50.1], [37.9, 49.6], [38.1, 49.1], [38.0, 48.6], [37.8, 48.1], [37.5, 47.8],
        [36.9, 47.7], [36.2, 47.5], [35.6, 47.5], [35.0, 47.3], [34.3, 47.1], [33.6, 46.8], [32.8, 46.6],
    ]
)
# (lon, lat, weight) of cities hit far from the front.
_CITIES = np.array(
    [
        [30.52, 50.45, 10], [36.23, 49.99, 14], [35.05, 48.46, 6], [30.73, 46.48, 7], [31.99, 46.97, 6],
        [34.80, 50.91, 5], [32.62, 46.64, 5], [35.14, 47.84, 6], [24.03, 49.84, 2], [28.47, 49.23, 1.5],
        [31.29, 51.50, 1.5], [34.55, 49.59, 1.5], [33.39, 47.91, 2], [32.06, 49.44, 1], [28.66, 50.25, 1],
        [25.33, 50.74, 0.5], [26.25, 50.62, 0.6], [25.59, 49.55, 0.5], [24.71, 48.92, 0.6], [22.29, 48.62, 0.2],
    ]
)
_OBLAST_OF_CITY = [
    "Kyiv", "Kharkiv", "Dnipropetrovsk", "Odesa", "Mykolaiv", "Sumy", "Kherson", "Zaporizhia", "Lviv",
    "Vinnytsia", "Chernihiv", "Poltava", "Dnipropetrovsk", "Cherkasy", "Zhytomyr", "Volyn", "Rivne",
    "Ternopil", "Ivano-Frankivsk", "Zakarpattia",
]
_SUB_EVENTS = [
    ("Explosions/Remote violence", "Shelling/artillery/missile attack", 0.55),
    ("Explosions/Remote violence", "Air/drone strike", 0.22),
    ("Explosions/Remote violence", "Remote explosive/landmine/IED", 0.03),
    ("Battles", "Armed clash", 0.12),
    ("Violence against civilians", "Attack", 0.02),
    ("Protests", "Peaceful protest", 0.04),
    ("Strategic developments", "Disrupted weapons use", 0.02),
]
_NOTES = [
    "On {d}, Russian forces shelled {p} with artillery; a residential building was damaged.",
    "On {d}, Russian forces struck {p} with Shahed drones; energy infrastructure was hit.",
    "On {d}, a Kalibr cruise missile hit an industrial facility in {p}.",
    "On {d}, Russian forces fired Grad MLRS at {p}; a school was damaged.",
    "On {d}, an Iskander ballistic missile struck {p}, hitting a hospital.",
    "On {d}, Russian aircraft dropped KAB guided bombs on {p}.",
    "On {d}, S-300 missiles hit {p}; houses and a shop were damaged.",
    "On {d}, clashes between Russian and Ukrainian forces took place near {p}.",
    "On {d}, residents of {p} held a rally.",
    "On {d}, a civilian was injured by a landmine near {p}.",
]


def _dates(rng: np.random.Generator, n: int) -> np.ndarray:
    start = np.datetime64("2022-02-24")
    days = int((np.datetime64("2025-07-31") - start).astype(int)) + 1
    t = np.arange(days)
    weight = 1.0 + 2.5 * np.exp(-t / 60.0) + 0.6 * np.sin(t / 58.0) ** 2 + t / days
    weight /= weight.sum()
    return start + rng.choice(days, size=n, p=weight).astype("timedelta64[D]")


def _points(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    near_front = rng.random(n) < 0.72
    lon = np.empty(n)
    lat = np.empty(n)
    oblast = np.empty(n, dtype=object)
    k = int(near_front.sum())
    seg = rng.integers(0, len(_FRONT) - 1, size=k)
    t = rng.random(k)
    base = _FRONT[seg] * (1 - t)[:, None] + _FRONT[seg + 1] * t[:, None]
    offset = rng.normal(0.0, 0.25, size=(k, 2)) * np.array([1.4, 1.0])
    lon[near_front] = base[:, 0] + offset[:, 0]
    lat[near_front] = base[:, 1] + offset[:, 1]
    oblast[near_front] = np.where(base[:, 1] > 48.7, "Kharkiv", np.where(base[:, 0] > 36.5, "Donetsk", "Zaporizhia"))
    m = n - k
    weights = _CITIES[:, 2] / _CITIES[:, 2].sum()
    city = rng.choice(len(_CITIES), size=m, p=weights)
    spread = rng.normal(0.0, 0.08, size=(m, 2))
    lon[~near_front] = _CITIES[city, 0] + spread[:, 0]
    lat[~near_front] = _CITIES[city, 1] + spread[:, 1]
    oblast[~near_front] = np.array(_OBLAST_OF_CITY, dtype=object)[city]
    return np.round(lon, 4), np.round(lat, 4), oblast


def generate_acled(rows: int, seed: int = 20220224) -> pd.DataFrame:
    """Return a synthetic ACLED export (current column set) with ``rows`` rows.

    Parameters
    ----------
    rows : int
        Number of events.
    seed : int
        Random seed; the same seed gives the same frame.

    Returns
    -------
    pandas.DataFrame
        ACLED columns as in a real export.
    """
    rng = np.random.default_rng(seed)
    dates = _dates(rng, rows)
    lon, lat, oblast = _points(rng, rows)
    probs = np.array([p for _, _, p in _SUB_EVENTS])
    kind = rng.choice(len(_SUB_EVENTS), size=rows, p=probs / probs.sum())
    event_type = np.array([e for e, _, _ in _SUB_EVENTS], dtype=object)[kind]
    sub_event = np.array([s for _, s, _ in _SUB_EVENTS], dtype=object)[kind]
    fatalities = np.where(rng.random(rows) < 0.82, 0, rng.geometric(0.35, size=rows))
    note_idx = np.where(kind == 3, 7, np.where(kind == 5, 8, np.where(kind == 2, 9, rng.integers(0, 7, size=rows))))
    date_text = pd.to_datetime(dates).strftime("%d %B %Y").to_numpy()
    place = np.array([f"Place-{i % 5000}" for i in range(rows)], dtype=object)
    templates = np.array(_NOTES, dtype=object)[note_idx]
    notes = [tpl.format(d=d, p=p) for tpl, d, p in zip(templates, date_text, place, strict=True)]
    civ = np.where(rng.random(rows) < 0.3, "Civilian targeting", "")
    return pd.DataFrame(
        {
            "event_id_cnty": [f"UKR{i + 1}" for i in range(rows)],
            "event_date": date_text,
            "year": pd.to_datetime(dates).year,
            "time_precision": rng.choice([1, 2, 3], size=rows, p=[0.9, 0.08, 0.02]),
            "disorder_type": np.where(kind == 5, "Demonstrations", "Political violence"),
            "event_type": event_type,
            "sub_event_type": sub_event,
            "actor1": "Military Forces of Russia (2000-)",
            "assoc_actor_1": "",
            "inter1": 8,
            "actor2": np.where(civ != "", "Civilians (Ukraine)", ""),
            "assoc_actor_2": "",
            "inter2": np.where(civ != "", 7, 0),
            "interaction": 87,
            "civilian_targeting": civ,
            "iso": 804,
            "region": "Europe",
            "country": "Ukraine",
            "admin1": oblast,
            "admin2": "",
            "admin3": "",
            "location": place,
            "latitude": lat,
            "longitude": lon,
            "geo_precision": rng.choice([1, 2, 3], size=rows, p=[0.75, 0.2, 0.05]),
            "source": "Synthetic source",
            "source_scale": "National",
            "notes": notes,
            "fatalities": fatalities,
            "tags": "",
            "timestamp": 1700000000,
        }
    )


def main() -> None:
    """Write a synthetic ACLED CSV."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=20220224)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    generate_acled(args.rows, args.seed).to_csv(args.out, index=False)
    print(args.out)


if __name__ == "__main__":
    main()
