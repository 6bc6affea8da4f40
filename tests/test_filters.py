"""Filters: URL round trips, invalid links, the vectorised mask against a plain pandas oracle, KPIs."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from geo.filters import Filters, cell_mask, compute_kpis, date_bounds, filter_mask, prepare_columns
from geo.scope import assign_event_category
from tests.synthetic_data import build_incidents


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    """48 synthetic incidents over 2024 in four cities (see tests.synthetic_data)."""
    return build_incidents()


@pytest.fixture(scope="module")
def cols(frame):
    return prepare_columns(frame)


def _oracle(frame: pd.DataFrame, f: Filters) -> np.ndarray:
    """The same semantics, written row by row in plain Python (every record its own event here)."""
    keep = []
    categories = assign_event_category(frame)
    for i, row in enumerate(frame.itertuples()):
        ok = f.all_categories or categories[i] in f.categories
        day = row.date.date()
        ok &= f.date_from is None or day >= f.date_from
        ok &= f.date_to is None or day <= f.date_to
        ok &= not f.target_types or bool(set(row.target_types) & set(f.target_types))
        ok &= not f.weapons or bool(set(row.weapons) & set(f.weapons))
        for value, low, high in ((row.killed, f.killed_min, f.killed_max), (row.injured, f.injured_min, f.injured_max)):
            if low is None and high is None:
                continue
            if pd.isna(value):
                ok &= f.include_not_reported
            else:
                ok &= (low is None or value >= low) and (high is None or value <= high)
        ok &= not f.oblasts or row.admin1_iso in f.oblasts
        if f.front_min_km is not None or f.front_max_km is not None:
            d = row.front_distance_km
            ok &= not pd.isna(d) and (f.front_min_km is None or d >= f.front_min_km) and (f.front_max_km is None or d <= f.front_max_km)
        ok &= not f.precise_only or row.geo_precision in ("exact", "near")
        ok &= not f.sources or row.source in f.sources
        ok &= not f.text or f.text.lower() in (f"{row.location}\n{row.description}").lower()
        keep.append(ok)
    return np.array(keep)


CASES = [
    Filters(),
    Filters(date_from=dt.date(2024, 3, 1), date_to=dt.date(2024, 6, 30)),
    Filters(target_types=("education",)),
    Filters(target_types=("residential",), weapons=("drone", "cruise_missile")),
    Filters(killed_min=1, killed_max=2),
    Filters(killed_min=1, include_not_reported=False),
    Filters(injured_max=4, include_not_reported=True),
    Filters(oblasts=("UA-63", "UA-30")),
    Filters(front_min_km=0, front_max_km=100),
    Filters(precise_only=True, sources=("testsrc",)),
    Filters(text="KHARKIV district 1"),
    Filters(text="<script>"),
    Filters(target_types=("military",)),
]


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.describe())
def test_mask_matches_the_row_by_row_oracle(frame, cols, filters):
    np.testing.assert_array_equal(filter_mask(cols, filters), _oracle(frame, filters))


def test_mask_accepts_a_plain_frame(frame):
    f = Filters(target_types=("education",))
    np.testing.assert_array_equal(filter_mask(frame, f), _oracle(frame, f))


def test_kpis(frame, cols):
    mask = filter_mask(cols, Filters(oblasts=("UA-63",), categories=()))
    sub = frame[mask]
    kpis = compute_kpis(cols, mask)
    assert {k: kpis[k] for k in ("incidents", "total", "killed", "injured", "killed_not_reported",
                                 "injured_not_reported", "killed_reported", "injured_reported", "oblasts")} == {
        "incidents": 12,
        "total": 48,
        "killed": int(sub["killed"].sum()),
        "injured": int(sub["injured"].sum()),
        "killed_not_reported": int(sub["killed"].isna().sum()),
        "injured_not_reported": int(sub["injured"].isna().sum()),
        "killed_reported": int(sub["killed"].notna().sum()),
        "injured_reported": int(sub["injured"].notna().sum()),
        "oblasts": 1,
    }


def test_kpis_of_an_empty_selection(cols):
    """Nothing selected: counts are 0, casualty totals are "not reported" (None), never 0."""
    kpis = compute_kpis(cols, np.zeros(len(cols), dtype=bool))
    assert kpis["incidents"] == kpis["oblasts"] == kpis["killed_reported"] == 0
    assert kpis["killed"] is None and kpis["injured"] is None


def test_a_total_with_no_reported_figure_is_none_not_zero(frame):
    """A selection whose rows report no injuries gives injured None ("not reported"), not 0."""
    sub = frame.copy()
    sub["injured"] = pd.array([pd.NA] * len(sub), dtype="Int64")
    cols = prepare_columns(sub)
    kpis = compute_kpis(cols, filter_mask(cols, Filters(categories=())))
    assert kpis["injured"] is None and kpis["injured_reported"] == 0
    assert kpis["injured_not_reported"] == kpis["incidents"] > 0


def test_date_bounds(cols):
    assert date_bounds(cols) == (dt.date(2024, 1, 1), dt.date(2024, 1, 1) + dt.timedelta(days=7 * 47))


@pytest.mark.parametrize("filters", CASES, ids=lambda f: f.describe())
def test_query_params_round_trip(filters):
    again, notices = Filters.from_query_params(filters.to_query_params())
    assert again == filters and notices == []


def test_default_filters_have_no_params():
    assert Filters().to_query_params() == {}
    assert Filters().describe().endswith("counting events (sources merged)")
    assert "civilian harm only" in Filters().describe()


@pytest.mark.parametrize(
    ("params", "expected", "notice"),
    [
        ({"from": "2024-02-30"}, Filters(), "YYYY-MM-DD"),
        ({"from": "2024-05-01", "to": "2024-01-01"}, Filters(date_from=dt.date(2024, 1, 1), date_to=dt.date(2024, 5, 1)), "swapped"),
        ({"tt": "education,bogus"}, Filters(target_types=("education",)), "bogus"),
        ({"tt": ["education", "education"]}, Filters(target_types=("education",)), None),
        ({"ob": "ua-63"}, Filters(oblasts=("UA-63",)), None),
        ({"kmin": "-1"}, Filters(), "whole number"),
        ({"kmin": "1.5"}, Filters(), "whole number"),
        ({"kmin": "9", "kmax": "2"}, Filters(killed_min=2, killed_max=9), "reversed"),
        ({"nr": "yes"}, Filters(), "0 or 1"),
        ({"fmin": "nan"}, Filters(), "km"),
        ({"fmin": "1e9"}, Filters(), "km"),
        ({"precise": "2"}, Filters(), "0 or 1"),
        ({"q": "x" * 500}, Filters(text="x" * 200), "cut"),
        ({"q": "a\u202eb\x00c"}, Filters(text="abc"), None),
        ({"src": "nope"}, Filters(), "nope"),
        ({"unrelated": "1"}, Filters(), None),
    ],
)
def test_invalid_params_fall_back_with_notices(params, expected, notice):
    filters, notices = Filters.from_query_params(params, known_sources=("curated",))
    assert filters == expected
    if notice is None:
        assert notices == []
    else:
        assert any(notice in n for n in notices), notices


def test_hostile_param_in_a_notice_is_cut_and_stripped_of_controls():
    _, notices = Filters.from_query_params({"tt": "<script>alert(1)</script>" + "\u202e" * 3 + "y" * 100})
    assert len(notices) == 1 and "\u202e" not in notices[0] and len(notices[0]) < 200


def test_describe_in_plain_words():
    text = Filters(
        date_from=dt.date(2024, 1, 1), target_types=("education",), killed_min=1, include_not_reported=False,
        oblasts=("UA-63",), front_max_km=50.0, precise_only=True, text="school",
    ).describe()
    assert text == (
        "1 Jan 2024 to the latest date; targets: Education; killed at least 1 (not reported excluded); "
        "oblasts: Kharkiv Oblast; distance from the front at most 50 km; precise locations only; text contains \u201cschool\u201d; "
        "civilian harm only (battles, protests, military and other events excluded); counting events (sources merged)"
    )


def test_prepared_columns_are_read_only(cols):
    with pytest.raises(ValueError):
        cols.killed[0] = 1.0


def test_filter_at_scale_matches_the_small_table():
    """200k rows drawn from 8 filter exactly like the 8 they repeat (speed is measured in bench/)."""
    rng = np.random.default_rng(1)
    n = 200_000
    base = build_incidents(8)
    rows = rng.integers(0, 8, n)
    big = base.iloc[rows].reset_index(drop=True)
    cols = prepare_columns(big)
    # Repeated rows share an event id, so compare record by record.
    filters = Filters(target_types=("education",), killed_min=1, text="kyiv", oblasts=("UA-30",), count_by="records")
    mask = filter_mask(cols, filters)
    small = filter_mask(prepare_columns(base), filters)
    assert mask.dtype == bool and len(mask) == n
    assert (mask == small[rows]).all()


def test_an_empty_table_filters_to_nothing():
    cols = prepare_columns(build_incidents().iloc[:0])
    mask = filter_mask(cols, Filters(target_types=("education",), text="x", oblasts=("UA-63",)))
    assert mask.shape == (0,)
    assert compute_kpis(cols, mask)["incidents"] == 0
    assert date_bounds(cols) is None


def test_country_filter_and_its_url(frame):
    """The country column (geo.countries) filters like oblasts; cn= round-trips; bad codes are dropped."""
    table = frame.copy()
    table["country"] = pd.array(["UA"] * (len(table) - 2) + ["PL", "RU"], dtype="string")
    cols = prepare_columns(table)
    both = Filters(categories=(), countries=("PL", "RU"))
    assert filter_mask(cols, both).sum() == 2
    assert filter_mask(cols, both.replace(countries=("UA",))).sum() == len(table) - 2
    again, notices = Filters.from_query_params({"cn": ["pl", "bogus", "UA"]})
    assert again.countries == ("PL", "UA") and notices
    back = Filters.from_query_params(both.to_query_params())[0]
    assert back.countries == ("PL", "RU") and back.all_categories
    assert "countries: PL, RU" in both.describe()


def test_cell_mask_is_half_open_like_the_grid_bins(frame):
    """A map cell keeps lon in [west, east) and lat in [south, north), within the filtered rows only."""
    table = frame.iloc[:4].copy()
    table["lon"], table["lat"] = [30.0, 30.5, 31.0, 30.2], [50.0, 50.5, 50.2, 51.0]
    cols = prepare_columns(table)
    everything = np.ones(4, dtype=bool)
    assert cell_mask(cols, everything, None) is everything
    assert cell_mask(cols, everything, (30.0, 50.0, 31.0, 51.0)).tolist() == [True, True, False, False]
    some = np.array([False, True, True, True])
    assert cell_mask(cols, some, (30.0, 50.0, 31.0, 51.0)).tolist() == [False, True, False, False]
