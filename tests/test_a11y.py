"""Accessibility: contrast ratios of our colours, text alternatives of charts and the map, the map's keyboard list."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import pytest

from geo.viz import a11y as ga
from geo.viz import charts
from geo.viz.map import TARGET_CLASSES
from tests.apptest import page_file, run_app, synthetic_data_dir
from tests.synthetic_data import build_incidents
from ui import a11y as ua

# --- contrast (WCAG 2.1 relative luminance) ---------------------------------------------------

def test_contrast_ratio_matches_the_wcag_reference_values():
    assert ga.contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert ga.contrast_ratio("#ffffff", "#ffffff") == pytest.approx(1.0)
    # WebAIM's checker: #767676 on white is the lightest grey that passes 4.5:1 (4.54:1).
    assert ga.contrast_ratio("#767676", "#fff") == pytest.approx(4.54, abs=0.01)
    assert ga.contrast_ratio("#777777", "#ffffff") < 4.5
    with pytest.raises(ValueError):
        ga.relative_luminance("#12345")


@pytest.mark.parametrize("background", ["#ffffff", "#f8f8f7", "#f0f2f6"])
def test_our_text_colours_reach_4_5_to_1(background):
    """Captions on the main area, the sidebar and Streamlit's secondary background; the focus ring."""
    assert ga.contrast_ratio(ua.CAPTION_COLOUR, background) >= 4.5
    assert ga.contrast_ratio(ua.FOCUS_COLOUR, background) >= 3.0  # non-text contrast (1.4.11)


def test_selected_segmented_option_reaches_4_5_to_1():
    assert ga.contrast_ratio(ua.SELECTED_OPTION_COLOUR, ua.SELECTED_OPTION_BACKGROUND) >= 4.5
    # Streamlit's own colour, measured by axe-core, fails: keep the reason for the override visible.
    assert ga.contrast_ratio("#c53948", ua.SELECTED_OPTION_BACKGROUND) < 4.5


def test_palettes_are_distinct_in_luminance_where_text_sits_on_them():
    """Marker colours are never text colours; record that each palette keeps distinct colours."""
    for palette in (charts.CATEGORICAL if hasattr(charts, "CATEGORICAL") else (), [c[2] for c in TARGET_CLASSES]):
        assert len(set(palette)) == len(palette)


# --- chart summaries ---------------------------------------------------------------------------

def test_figure_table_reads_bars_lines_and_horizontal_bars():
    fig = go.Figure([
        go.Bar(name="Missile", x=["Jan", "Feb", "Mar"], y=[3, 7, None]),
        go.Scatter(name="Drone", x=["Jan", "Feb", "Mar"], y=[1, 2, 9]),
        go.Bar(name="h", x=[5], y=["Kyiv"], orientation="h"),
    ])
    table = ga.figure_table(fig)
    assert len(table) == 6  # the missing March missile value is not a zero
    assert table[table.series == "h"].iloc[0].tolist() == ["h", "Kyiv", 5.0]


def test_summary_names_the_count_and_the_largest_values_in_both_languages():
    fig = go.Figure([go.Bar(x=["A", "B", "C", "D"], y=[4, 10, 1, 7])])
    fig.update_layout(title="Incidents by oblast")
    table = ga.figure_table(fig)
    en = ga.summarise_table(table, "Incidents by oblast", "en")
    assert en == "Incidents by oblast: 4 values; largest: B (10), D (7), A (4)."
    uk = ga.summarise_table(table, "Інциденти", "uk")
    assert uk.startswith("Інциденти: 4 значення") and "B (10), D (7), A (4)" in uk
    assert "no values" in ga.summarise_table(ga.figure_table(go.Figure()), "", "en")


def test_summary_adds_series_totals_per_category():
    fig = go.Figure([go.Bar(name="x", x=["A", "B"], y=[1, 5]), go.Bar(name="y", x=["A", "B"], y=[9, 1])])
    text = ga.summarise_table(ga.figure_table(fig), "T", "en")
    assert "2 series" in text and "largest: A (10), B (6)" in text


def test_map_summary_counts_incidents_casualties_and_top_oblasts():
    frame = pd.DataFrame({
        "killed": [1, None, 3], "injured": [None, None, 2],
        "admin1_name": ["Kharkiv", "Kharkiv", "Odesa"],
    })
    text = ga.summarise_incidents(frame, "en")
    assert text.startswith("The map shows 3 incidents (one marker each): 4 killed and 2 injured reported.")
    assert "Kharkiv (2), Odesa (1)" in text
    assert "На мапі 3 інциденти" in ga.summarise_incidents(frame, "uk")
    assert "Харківська область (2), Одеська область (1)" in ga.summarise_incidents(frame, "uk")
    # No source reports the injured: "not reported", never 0.
    none_injured = frame.assign(injured=[None, None, None])
    assert "injured: not reported" in ga.summarise_incidents(none_injured, "en")
    assert "поранені: не повідомлялося" in ga.summarise_incidents(none_injured, "uk")
    assert "no incident" in ga.summarise_incidents(frame.iloc[:0], "en")


# --- the app: the keyboard list and the text alternatives are there ------------------------------

data_dir = synthetic_data_dir("a11ydata")


def test_map_has_a_keyboard_list_in_step_with_the_selection():
    at = run_app()
    assert not at.exception
    pick = at.selectbox(key=ua.LIST_KEY)
    frame = build_incidents()
    assert len(pick.options) > 0 and len(pick.options) <= len(frame)
    assert pick.value is None
    assert any(c.value.startswith("The map shows") for c in at.caption)
    chosen = pick.options[-1]
    incident_id = next(i for i in frame["incident_id"].astype(str) if pick.format_func(i) == chosen) \
        if hasattr(pick, "format_func") else None
    pick.set_value(incident_id or frame["incident_id"].astype(str).iloc[0]).run()
    assert not at.exception
    assert at.session_state["map_selected"] == (incident_id or frame["incident_id"].astype(str).iloc[0])
    assert "sel" in at.query_params
    assert any("Data behind this map" in e.label for e in at.expander)


def test_trends_chart_has_a_summary_and_its_data_one_click_away():
    at = run_app()
    at.switch_page(page_file("pages/trends.py")).run()
    assert not at.exception
    assert any("Data behind this chart" in e.label for e in at.expander)
    assert any("largest" in c.value and "values" in c.value for c in at.caption), [c.value for c in at.caption]


def test_page_language_and_accessibility_page_in_ukrainian():
    at = run_app(lang="uk")
    at.switch_page(page_file("pages/accessibility.py")).run()
    assert not at.exception
    assert at.title[0].value == "Заява про доступність"
    assert any('document.documentElement.lang = "uk"' in h.proto.body for h in at.get("html"))


def test_map_list_labels_survive_missing_place_and_target():
    """Real data has missing places (pandas NA, which has no truth value): the label names the gap."""
    from ui.a11y import _labels

    table = pd.DataFrame({
        "date": pd.to_datetime(["2024-02-20", None, "2024-02-20"]),
        "location": pd.array([pd.NA, "Kharkiv", ""], dtype="string"),
        "target_types": ["", "Residential", pd.NA],
        "killed": pd.array([pd.NA, 3, 0], dtype="Int64"),
        "injured": [2.0, float("nan"), 1.0],
    })
    assert _labels(table) == [
        "20 Feb 2024 · Place not given · target not given · killed –, injured 2",
        "date not given · Kharkiv · Residential · killed 3, injured –",
        "20 Feb 2024 · Place not given · target not given · killed 0, injured 1",
    ]
    assert _labels(table[["date", "killed"]]) == [
        "20 Feb 2024 · Place not given · target not given · killed –, injured –",
        "date not given · Place not given · target not given · killed 3, injured –",
        "20 Feb 2024 · Place not given · target not given · killed 0, injured –",
    ]


def test_map_table_for_readers_shows_dates_and_oblasts_in_the_language():
    from ui.a11y import _readable

    table = pd.DataFrame({"date": pd.to_datetime(["2024-02-20"]), "admin1_name": ["Donetsk Oblast"],
                          "geo_precision": ["near"]})
    uk = _readable(table, "uk")
    assert str(uk.loc[0, "date"]) == "2024-02-20" and uk.loc[0, "admin1_name"] == "Донецька область"
    assert _readable(table, "en").loc[0, "admin1_name"] == "Donetsk Oblast"
