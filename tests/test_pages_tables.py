"""Tables and comparisons on the analysis pages: Oblasts comparison period, deepest strikes, Incidents export."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, page_file, synthetic_data_dir

data_dir = synthetic_data_dir("pagesdata")


def _page(page: str, **params) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=90)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    at.switch_page(page_file(page)).run()
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


def _table_with(at: AppTest, column: str):
    return next(d for d in at.dataframe if column in d.value.columns)


@pytest.mark.parametrize(("lang", "words"), [("en", "not reported"), ("uk", "не повідомлялося")])
def test_incidents_table_says_not_reported_in_the_chosen_language(lang, words):
    at = _page("pages/incidents.py", lang=lang)
    table = _table_with(at, "Killed")
    assert table.value["Killed"].isna().any(), "the synthetic data should hold an unreported figure"
    assert table.proto.placeholder == words  # what a missing cell shows, instead of "None"
    assert list(table.value.columns[:4]) == ["Date", "Place", "Killed", "Injured"]
    for column in ("Casualty note", "Description", "Oblast"):  # not casualties: no "not reported" there
        assert not table.value[column].isna().any(), column


def test_deepest_strikes_and_the_map_table_put_readers_columns_first():
    at = _page("pages/far_from_front.py")
    deepest = _table_with(at, "distance_km")
    assert list(deepest.value.columns[:5]) == ["date", "place", "oblast", "killed", "injured"]
    assert deepest.value.columns[-1] == "incident_id" and deepest.proto.placeholder == "not reported"
    at = _page("pages/map.py")
    listed = _table_with(at, "Incident id")
    assert listed.value.columns[-1] == "Incident id" and listed.proto.placeholder == "not reported"


def test_oblast_table_shows_separators_and_not_reported_but_sorts_as_numbers():
    from streamlit import dataframe_util

    at = _page("pages/oblasts.py", lang="uk")
    table = next(d for d in at.dataframe if "oblast" in d.value.columns and "incidents" in d.value.columns)
    assert table.value["incidents"].dtype.kind in "iu"  # the data stay numbers (they sort as numbers)
    assert list(table.value.columns[:2]) == ["oblast", "incidents"] and table.value.columns[-1] == "admin1_iso"
    shown = dataframe_util.convert_arrow_bytes_to_pandas_df(table.proto.arrow_data.styler.display_values)
    shown.columns = table.value.columns
    population = table.value["population"].dropna()
    big = population[population >= 1000].index[0]
    assert shown.loc[big, "population"] == f"{int(population[big]):,}".replace(",", "\u00a0"), shown.loc[big, "population"]
    for column in ("killed", "injured"):
        missing = table.value[column].isna()
        assert (shown.loc[missing, column] == "не повідомлялося").all()
        assert "None" not in set(shown[column]) and "nan" not in set(shown[column])


def test_map_and_chart_downloads_are_named_after_what_they_hold(monkeypatch):
    import datetime as dt
    from types import SimpleNamespace

    from geo.filters import Filters
    from ui import exports as ui_exports

    monkeypatch.setattr(ui_exports, "date_bounds", lambda columns, mask: (dt.date(2024, 1, 1), dt.date(2024, 11, 25)))
    view = SimpleNamespace(columns=None, mask=None, filters=Filters(target_types=("residential",)))
    name = ui_exports.download_name(view, "far", "deepest-strikes-map", "png")
    assert name.startswith("conflictmap_far_deepest-strikes-map_targets-residential") and name.endswith("_2024-11-25.png")
    view.filters = Filters(date_to=dt.date(2024, 6, 30))
    assert ui_exports.download_name(view, "far", "deepest-strikes-map", "html").endswith("_2024-06-30.html")
