"""The civilian-harm scope: event categories per source (the crosswalk in docs/TAXONOMIES.md)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.filters import Filters, filter_mask, prepare_columns
from geo.scope import CIVILIAN_HARM, EVENT_CATEGORIES, assign_event_category, describe_categories
from tests.synthetic_data import make_incidents

DOCS = Path(__file__).resolve().parents[1] / "docs" / "TAXONOMIES.md"


def _row(source, event_type, targets=("unknown",), target_raw=None, civilians=None, event_type_raw=None):
    return {"incident_id": f"{source}:1", "source": source, "source_id": "1", "date": "2023-01-01", "lon": 30.0,
            "lat": 50.0, "event_type": event_type, "target_types": list(targets), "target_raw": target_raw,
            "civilians_killed": civilians, "event_type_raw": event_type_raw}


CASES = [
    # ACLED
    (_row("acled", "battle", event_type_raw="Armed clash"), "battle"),
    (_row("acled", "shelling", target_raw="Civilian targeting"), "strike_civilian"),
    (_row("acled", "shelling", targets=("residential",)), "strike_civilian"),
    (_row("acled", "shelling"), "strike_military"),
    (_row("acled", "air_strike", targets=("military",)), "strike_military"),
    (_row("acled", "attack_on_civilians"), "attack_civilians"),
    (_row("acled", "protest"), "protest"),
    (_row("acled", "other"), "other"),
    # UCDP
    (_row("ucdp", "attack_on_civilians", event_type_raw="type_of_violence=3 (one-sided violence)"), "attack_civilians"),
    (_row("ucdp", "shelling", civilians=2), "strike_civilian"),
    (_row("ucdp", "battle", civilians=3), "attack_civilians"),
    (_row("ucdp", "shelling", civilians=0), "strike_military"),
    (_row("ucdp", "battle", civilians=0), "battle"),
    (_row("ucdp", "battle"), "battle"),
    # Bellingcat
    (_row("bellingcat", "explosion"), "strike_civilian"),
    (_row("bellingcat", "missile_strike", targets=("residential",)), "strike_civilian"),
    (_row("bellingcat", "attack_on_civilians"), "attack_civilians"),
    (_row("bellingcat", "shelling", targets=("military",)), "strike_military"),
    # curated
    (_row("curated", "missile_strike", targets=("education",)), "strike_civilian"),
    (_row("curated", "missile_strike", targets=("military", "education")), "strike_military"),
    # generic (a user label)
    (_row("my_ngo", "drone_strike"), "strike_civilian"),
    (_row("my_ngo", "battle"), "battle"),
    (_row("my_ngo", "protest"), "protest"),
    (_row("my_ngo", "other"), "other"),
]


@pytest.mark.parametrize(("row", "expected"), CASES, ids=[f"{r['source']}-{r['event_type']}-{e}" for r, e in CASES])
def test_crosswalk(row, expected):
    frame = make_incidents([row])
    assert assign_event_category(frame).tolist() == [expected]


def test_default_scope_excludes_battles_and_protests():
    rows = [_row("ucdp", "battle"), _row("acled", "protest"), _row("curated", "shelling", targets=("residential",)),
            _row("ucdp", "shelling", civilians=1)]
    frame = make_incidents(rows)
    frame["incident_id"] = [f"x:{i}" for i in range(len(frame))]
    cols = prepare_columns(frame)
    assert filter_mask(cols, Filters()).tolist() == [False, False, True, True]
    assert filter_mask(cols, Filters(categories=())).all()
    assert filter_mask(cols, Filters(categories=("battle",))).tolist() == [True, False, False, False]


def test_ucdp_battle_deaths_do_not_fill_civilian_harm_totals():
    """'Killed 18,998' was mostly UCDP battle deaths: in the default scope they no longer count."""
    from geo.filters import compute_kpis

    rows = [_row("ucdp", "battle", civilians=0), _row("ucdp", "shelling", civilians=2), _row("curated", "shelling")]
    frame = make_incidents(rows)
    frame["incident_id"] = ["u:1", "u:2", "c:1"]
    frame["killed"] = pd.array([500, 5, 3], dtype="Int64")
    cols = prepare_columns(frame)
    kpis = compute_kpis(cols, filter_mask(cols, Filters()))
    assert kpis["killed"] == 8 and kpis["civilians_killed"] == 2 and kpis["civilians_killed_reported"] == 1
    everything = compute_kpis(cols, filter_mask(cols, Filters(categories=())))
    assert everything["killed"] == 508


def test_docs_list_every_category():
    text = DOCS.read_text(encoding="utf-8")
    for code in EVENT_CATEGORIES:
        assert f"`{code}`" in text
    assert "civilian harm" in describe_categories(CIVILIAN_HARM)
    assert describe_categories(()) == "all event categories"


def test_vectorised_target_flags_equal_the_per_row_rules():
    """The pyarrow path gives what the per-row rules give, for every shape a list cell takes."""
    import numpy as np
    import pandas as pd

    from geo.scope import _any_civilian_target_loop, _first_target_loop, _target_flags

    rng = np.random.default_rng(7)
    codes = ["residential", "military", "energy", "unknown", "education", "infrastructure", "other", "transport"]
    cells = []
    for _ in range(3000):
        kind = rng.integers(0, 6)
        picked = [str(c) for c in rng.choice(codes, size=rng.integers(0, 4))]
        cells.append({0: None, 1: float("nan"), 2: [], 3: picked, 4: np.array(picked, dtype=object),
                      5: tuple(picked)}[int(kind)])
    series = pd.Series(cells, dtype=object)
    primary, civilian = _target_flags(series)
    assert primary.tolist() == _first_target_loop(series).tolist()
    assert civilian.tolist() == _any_civilian_target_loop(series).tolist()
    assert civilian.any() and not civilian.all() and (primary == "unknown").any()
    # a text cell (not a list) takes the per-row rules
    odd = pd.Series([["residential"], "military", None], dtype=object)
    assert _target_flags(odd)[0].tolist() == _first_target_loop(odd).tolist()
    assert _target_flags(odd)[1].tolist() == _any_civilian_target_loop(odd).tolist()
