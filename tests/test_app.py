"""App tests: every page from app.py, filter flows checked against KPI values, URL state."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.fusion import fuse_incidents
from geo.scope import CIVILIAN_HARM, assign_event_category
from tests.apptest import APP, ROOT, page_file, run_app, synthetic_data_dir
from tests.router import router_pages, router_url_paths
from tests.synthetic_data import build_incidents, write_data_dir

PAGES = router_pages()


def test_router_registers_every_page_script():
    """Every script in pages/ is in st.navigation (a stray one would become a phantom page) and vice versa."""
    on_disk = sorted(f"pages/{p.name}" for p in (ROOT / "pages").glob("*.py"))
    assert sorted(PAGES) == on_disk and len(PAGES) >= 6
    paths = router_url_paths()  # what the browser tests open: the map at "", the others by name
    assert paths[0] == "" and len(set(paths)) == len(PAGES) and all(p.isidentifier() for p in paths[1:])
    # AppTest runs app.py from tests/app_entry.py: no pages/ beside it, so Streamlit never falls
    # back to its legacy pages/ mode, which would run a page without the frame.
    assert not (Path(APP).parent / "pages").exists()


data_dir = synthetic_data_dir("appdata")


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    return build_incidents()


def _qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


KILLED = "Killed (all deaths reported)"


def _kpis(at: AppTest) -> dict[str, int | None]:
    """The sidebar metrics; "not reported" reads as None."""
    return {m.label: None if m.value == "not reported" else int(m.value.replace(",", "")) for m in at.sidebar.metric}


def _in_scope(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of the default civilian-harm scope (every synthetic record is its own event)."""
    return frame[pd.Series(assign_event_category(frame), index=frame.index).isin(CIVILIAN_HARM)]


def _expected(frame: pd.DataFrame) -> dict[str, int | None]:
    frame = _in_scope(frame)
    return {
        "Events": len(frame),
        KILLED: int(frame["killed"].sum(skipna=True)) if frame["killed"].notna().any() else None,
        "Injured": int(frame["injured"].sum(skipna=True)) if frame["injured"].notna().any() else None,
        "Oblasts affected": frame["admin1_iso"].nunique(),
    }


def _no_errors(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


@pytest.mark.parametrize("page", PAGES)
def test_every_registered_page_renders(page):
    at = run_app()
    at.switch_page(page_file(page)).run()
    _no_errors(at)
    assert at.title, f"{page} shows no title"
    assert len(at.sidebar.metric) == 4, f"{page} ran without the frame's sidebar"


def test_default_view_kpis_match_the_data(frame):
    at = run_app()
    _no_errors(at)
    assert _kpis(at) == _expected(frame)
    assert any(f"{len(_in_scope(frame))} of 48 events" in m.value for m in at.sidebar.markdown)
    assert any("civilian harm" in c.value for c in at.sidebar.caption)
    assert dict(at.query_params) == {"lang": "en"}  # the language is always in the link


def test_battles_and_protests_are_out_by_default_and_one_click_away(tmp_path):
    """Default scope = civilian harm; the button includes every category, and the URL says so."""
    frame = build_incidents()
    frame.loc[frame.index[:6], "event_type"] = ["battle", "battle", "protest", "protest", "battle", "other"]
    frame = fuse_incidents(frame)  # recompute the categories, as the build does
    directory = write_data_dir(tmp_path / "scope", incidents=frame)
    old = os.environ["CONFLICTMAP_DATA"]
    os.environ["CONFLICTMAP_DATA"] = str(directory)
    try:
        at = run_app()
        _no_errors(at)
        assert _kpis(at)["Events"] == len(frame) - 6 == len(_in_scope(frame))
        assert any("Showing **civilian harm** only" in c.value for c in at.sidebar.caption)
        at.sidebar.button(key="flt_cats_all").click().run()
        _no_errors(at)
        assert _kpis(at)["Events"] == len(frame)
        assert _qp(at, "cat") == ["all"]
        assert _kpis(run_app(cat="all"))["Events"] == len(frame)
        assert _kpis(run_app(cat="battle"))["Events"] == 3
    finally:
        os.environ["CONFLICTMAP_DATA"] = old


def test_count_switch_is_in_the_url(frame):
    at = run_app()
    at.sidebar.radio(key="flt_count").set_value("records").run()
    _no_errors(at)
    assert "Records" in _kpis(at) and _qp(at, "count") == ["records"]
    assert run_app(count="records").sidebar.radio(key="flt_count").value == "records"


def test_huge_numbers_in_the_url_fall_back_with_a_notice():
    """Issue 17 item 3: 309 nines in imin= once raised OverflowError on every page."""
    at = run_app(imin="9" * 309, kmax="9" * 400, fmin="1e400")
    _no_errors(at)
    assert at.warning and "1,000,000" in at.warning[0].value
    for page in PAGES:
        at.switch_page(page_file(page)).run()
        _no_errors(at)


def test_target_filter_changes_kpis_and_url(frame):
    at = run_app()
    at.sidebar.multiselect(key="flt_targets").set_value(["education"]).run()
    _no_errors(at)
    expected = frame[frame["target_types"].map(lambda v: "education" in list(v))]
    assert _kpis(at) == _expected(expected)
    assert _qp(at, "tt") == ["education"]


def test_casualty_range_with_and_without_not_reported(frame):
    at = run_app()
    at.sidebar.number_input(key="flt_kmin").set_value(2).run()
    reported = frame[frame["killed"].fillna(-1) >= 2]
    with_unreported = frame[(frame["killed"].fillna(-1) >= 2) | frame["killed"].isna()]
    # By default a threshold keeps only incidents that report a figure.
    _no_errors(at)
    assert _kpis(at) == _expected(reported)
    assert _qp(at, "kmin") == ["2"] and "nr" not in at.query_params
    at.sidebar.checkbox(key="flt_not_reported").check().run()
    assert _kpis(at)["Events"] == len(_in_scope(with_unreported)) > len(_in_scope(reported))
    assert _qp(at, "nr") == ["1"]


def test_text_search_and_oblast_filter(frame):
    at = run_app()
    at.sidebar.multiselect(key="flt_oblasts").set_value(["UA-63"]).run()
    at.sidebar.text_input(key="flt_text").input("district 1").run()
    _no_errors(at)
    expected = frame[(frame["admin1_iso"] == "UA-63") & frame["location"].str.contains("district 1", regex=False)]
    assert _kpis(at)["Events"] == len(_in_scope(expected)) > 0


def test_shared_url_reproduces_filters_and_selection(frame):
    at = run_app(tt=["education", "healthcare"], precise="1", sel="syn:1", md="2024-03-01")
    _no_errors(at)
    assert at.sidebar.multiselect(key="flt_targets").value == ["education", "healthcare"]
    assert at.sidebar.checkbox(key="flt_precise").value is True
    expected = frame[
        frame["target_types"].map(lambda v: bool({"education", "healthcare"} & set(v))) & frame["geo_precision"].isin(["exact", "near"])
    ]
    assert _kpis(at) == _expected(expected)
    assert at.date_input(key="map_date").value.isoformat() == "2024-03-01"
    assert any("syn:1" in m.value.replace("\\", "") for m in at.markdown), "selected incident's details are not shown"
    assert _qp(at, "sel") == ["syn:1"] and _qp(at, "md") == ["2024-03-01"]


def test_invalid_query_params_fall_back_with_a_notice(frame):
    at = run_app(tt="bogus", wp="drone", **{"from": "2024-13-45"}, kmin="-3", sel="nope", cell="a,b", precise="maybe")
    _no_errors(at)
    assert at.warning, "no notice about the invalid link"
    text = at.warning[0].value
    for fragment in ("bogus", "2024", "nope", "cell", "precise"):
        assert fragment in text
    drones = frame[frame["weapons"].map(lambda v: "drone" in list(v))]
    assert _kpis(at) == _expected(drones)
    assert "tt" not in at.query_params and _qp(at, "wp") == ["drone"]


def test_out_of_range_dates_are_clamped_with_a_notice(frame):
    at = run_app(**{"from": "1999-01-01", "to": "2024-02-01"})
    _no_errors(at)
    assert "outside the data" in at.warning[0].value
    assert _kpis(at)["Events"] == len(_in_scope(frame[frame["date"] <= "2024-02-01"]))


def test_untrusted_text_is_escaped_in_details():
    at = run_app(sel="syn:11")
    _no_errors(at)
    bodies = [m.value for m in at.markdown] + [c.value for c in at.caption]
    joined = "\n".join(bodies)
    assert "pwned" in joined
    our_links = re.compile(r"\[(?:\\.|[^\]\\])*\]\(https?://[^()\s<>]*\)")
    for body in bodies:
        body = our_links.sub("", body)
        for pos, ch in enumerate(body):
            if ch in "<[":
                assert pos > 0 and body[pos - 1] == "\\", f"unescaped {ch!r} in {body!r}"
    assert "javascript:" not in joined.replace("javascript\\:", "")


def test_incidents_page_selects_for_the_map():
    at = run_app()
    at.switch_page(page_file("pages/incidents.py")).run()
    _no_errors(at)
    assert len(at.dataframe[0].value) == len(_in_scope(build_incidents()))


def test_distance_band_and_front_line_caption(frame):
    at = run_app()
    assert any("Front line as of 2024-06-01" in c.value.replace("\\", "") for c in at.caption)
    at.sidebar.checkbox(key="flt_front_on").check().run()
    at.sidebar.slider(key="flt_front").set_value((0.0, 200.0)).run()
    _no_errors(at)
    expected = frame[frame["front_distance_km"].between(0, 200)]
    assert _kpis(at) == _expected(expected)
    assert _qp(at, "fmin") == ["0"] and _qp(at, "fmax") == ["200"]


def test_map_date_picks_the_snapshot_in_force():
    at = run_app(md="2024-03-15")
    _no_errors(at)
    assert any("Front line as of 2024-02-01" in c.value.replace("\\", "") for c in at.caption)
    at = run_app(md="2023-12-31")
    assert any("No front-line snapshot on or before 2023-12-31" in c.value.replace("\\", "") for c in at.caption)


def test_without_front_lines_the_distance_filter_is_disabled(tmp_path):
    directory = write_data_dir(tmp_path / "nofront", frontlines=False)
    old = os.environ["CONFLICTMAP_DATA"]
    os.environ["CONFLICTMAP_DATA"] = str(directory)
    try:
        at = run_app(fmin="10")
    finally:
        os.environ["CONFLICTMAP_DATA"] = old
    _no_errors(at)
    assert at.sidebar.checkbox(key="flt_front_on").disabled
    assert any("No front-line layer is loaded" in c.value for c in at.sidebar.caption)
    assert _kpis(at)["Events"] == len(_in_scope(build_incidents()))
    assert "no front-line layer" in at.warning[0].value.replace("\\", "")


def test_missing_data_directory_is_a_clear_error(tmp_path):
    old = os.environ["CONFLICTMAP_DATA"]
    os.environ["CONFLICTMAP_DATA"] = str(tmp_path / "does-not-exist")
    try:
        at = run_app()
    finally:
        os.environ["CONFLICTMAP_DATA"] = old
    assert not at.exception
    assert at.error and "does not exist" in at.error[0].value
    assert at.button(key="data_fallback")


HOSTILE_VALUES = ["", " ", "<script>alert(1)</script>", "[x](javascript:alert(1))", "{{ 7*7 }}", "1e309", "-0", "NaN",
                  "1900-01-01", "2200-12-31", "0000-00-00", "\u202e\u0000", "x" * 5000, "UA-99", "syn:1,syn:2"]


@pytest.mark.parametrize("key", ["from", "to", "tt", "wp", "kmin", "kmax", "imin", "imax", "nr", "ob", "fmin", "fmax",
                                 "precise", "src", "q", "md", "sel", "cell"])
def test_any_value_of_any_param_never_raises(key):
    for value in HOSTILE_VALUES:
        at = run_app(**{key: value})
        assert not at.exception, (key, value, [e.value for e in at.exception])
        assert len(at.sidebar.metric) == 4


def test_empty_data_directory_renders_every_page(tmp_path):
    directory = write_data_dir(tmp_path / "empty", incidents=build_incidents().iloc[:0])
    from geo.datadir import load_bundle

    assert len(load_bundle(directory).incidents) == 0
    old = os.environ["CONFLICTMAP_DATA"]
    os.environ["CONFLICTMAP_DATA"] = str(directory)
    try:
        for page in PAGES:
            at = run_app()
            at.switch_page(page_file(page)).run()
            assert not at.exception, (page, [e.value for e in at.exception])
            assert _kpis(at)["Events"] == 0
    finally:
        os.environ["CONFLICTMAP_DATA"] = old


def test_bundled_default_data_runs_every_page():
    old = os.environ.pop("CONFLICTMAP_DATA")
    try:
        at = run_app()
        _no_errors(at)
        assert _kpis(at)["Events"] > 100
        assert any("bundled default data" in c.value for c in at.sidebar.caption)
        for page in PAGES:
            at.switch_page(page_file(page)).run()
            _no_errors(at)
    finally:
        os.environ["CONFLICTMAP_DATA"] = old


def test_data_page_lists_cross_source_duplicates(tmp_path):
    """Two sources recording the same strike show up as a likely duplicate pair on Data & sources."""
    frame = build_incidents().iloc[:4].copy()
    frame["source"] = ["alpha", "beta", "alpha", "beta"]
    frame["incident_id"] = [f"{s}:{i}" for i, s in enumerate(frame["source"])]
    frame["date"] = pd.Timestamp("2023-05-01")
    frame["lon"] = [30.50, 30.52, 24.0, 36.2]
    frame["lat"] = [50.45, 50.45, 49.8, 49.9]
    directory = write_data_dir(tmp_path / "dups", incidents=frame)
    old = os.environ["CONFLICTMAP_DATA"]
    os.environ["CONFLICTMAP_DATA"] = str(directory)
    try:
        at = run_app()
        at.switch_page(page_file("pages/data_sources.py")).run()
        _no_errors(at)
        texts = " ".join(m.value for m in at.markdown)
        assert "1 pair of incidents from different sources" in texts
    finally:
        os.environ["CONFLICTMAP_DATA"] = old


def test_a_data_change_between_reruns_pairs_every_mask_with_its_own_data(tmp_path, monkeypatch):
    """Rebuild the directory between two reruns: the second run shows the new data, never a mixed view."""
    directory = write_data_dir(tmp_path / "changing")
    monkeypatch.setenv("CONFLICTMAP_DATA", str(directory))
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params["ob"] = "UA-30"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    before = _kpis(at)
    smaller = build_incidents(20)
    write_data_dir(directory, incidents=smaller)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    after = _kpis(at)
    expected = int((smaller["admin1_iso"] == "UA-30").sum())
    assert after != before
    assert any(value == expected for value in after.values()), (after, expected)
