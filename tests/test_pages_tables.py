"""Tables and comparisons on the analysis pages: Oblasts comparison period, deepest strikes, Incidents export."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.apptest import APP, synthetic_data_dir

data_dir = synthetic_data_dir("pagesdata")


def _page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def _oblast_table(at: AppTest):
    """The per-oblast table (each chart now has its data table too, drawn before it)."""
    return next(d.value for d in at.dataframe if "oblast" in d.value.columns and "incidents" in d.value.columns)


def test_oblasts_say_so_when_the_previous_period_lies_before_the_data():
    at = _page("pages/oblasts.py")
    assert any("No change is shown: the data starts on" in i.value for i in at.info)
    assert "change" not in _oblast_table(at).columns


def test_oblasts_compare_with_a_period_inside_the_data():
    at = _page("pages/oblasts.py", **{"from": "2024-07-01", "to": "2024-11-25"})
    assert not any("No change is shown" in i.value for i in at.info)
    table = _oblast_table(at)
    assert {"previous_incidents", "change"} <= set(table.columns)
    assert int(table["previous_incidents"].sum()) > 0


def test_deepest_strikes_state_their_total():
    at = _page("pages/far_from_front.py")
    assert any("km or more from the line of contact" in c.value and "incidents lie" in c.value for c in at.caption)
    assert any(b.label.startswith("All ") and b.label.endswith(" as CSV") for b in at.get("download_button"))


def test_incidents_page_offers_the_data_export():
    at = _page("pages/incidents.py")
    assert any("Export data and cite this view" in e.label for e in at.expander)


def test_trends_controls_come_from_the_link_and_go_back_into_it():
    at = _page("pages/trends.py", tf="week", tm="killed", ts="weapons")
    assert at.selectbox(key="trd_measure").value == "killed" and at.selectbox(key="trd_split").value == "weapons"
    assert at.query_params["tf"] in ("week", ["week"]) and at.query_params["ts"] in ("weapons", ["weapons"])
    at.selectbox(key="trd_measure").set_value("incidents").run()
    assert "tm" not in at.query_params


def test_far_page_controls_come_from_the_link_and_bad_values_fall_back():
    at = _page("pages/far_from_front.py", ft="300", fb="0, 50, 200", fi="1")
    assert at.slider(key="far_threshold").value == 300
    assert at.text_input(key="far_bands").value == "0, 50, 200"
    assert at.toggle(key="far_imprecise").value is True
    bad = _page("pages/far_from_front.py", fi="maybe", ft="lots")
    assert bad.toggle(key="far_imprecise").value is False and bad.slider(key="far_threshold").value == 100
