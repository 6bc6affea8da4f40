"""Chart builders tested on their data (``fig.to_dict()``), with small frames built in code."""

import pandas as pd
import pytest

from geo.admin1 import ADMIN1
from geo.viz import charts
from tests.synthetic_data import chart_incidents, chart_snapshots, make_incidents


@pytest.fixture
def incidents():
    """Seven incidents: one per band, one imprecise at 500 km, one without a distance."""
    return chart_incidents()


def _bars(fig):
    return {t["name"]: list(t["y"]) for t in fig.to_dict()["data"]}


def test_band_labels_default_and_custom():
    assert charts.band_labels() == [charts.OCCUPIED_BAND, "0–25 km", "25–100 km", "100–300 km", "300+ km"]
    assert charts.band_labels((0, 50)) == [charts.OCCUPIED_BAND, "0–50 km", "50+ km"]


@pytest.mark.parametrize("edges", [(5, 10), (0, 10, 10), (0, 20, 10), ()])
def test_band_edges_are_validated(edges):
    with pytest.raises(ValueError):
        charts.band_labels(edges)


@pytest.mark.parametrize(
    ("distance", "band"),
    [(-0.1, charts.OCCUPIED_BAND), (0.0, "0–25 km"), (24.99, "0–25 km"), (25.0, "25–100 km"), (300.0, "300+ km")],
)
def test_band_edges_are_closed_on_the_left(distance, band):
    assert charts.assign_distance_band(pd.Series([distance]))[0] == band


def test_distance_histogram_counts_per_band(incidents):
    """Imprecise and distance-less rows are left out by default; the toggle brings the imprecise one in."""
    fig = charts.build_distance_histogram(incidents)
    assert _bars(fig) == {
        charts.OCCUPIED_BAND: [1],
        "0–25 km": [1],
        "25–100 km": [1],
        "100–300 km": [1],
        "300+ km": [1],
    }
    assert fig.to_dict()["layout"]["meta"]["excluded_rows"] == 2
    with_imprecise = charts.build_distance_histogram(incidents, include_imprecise=True)
    assert _bars(with_imprecise)["300+ km"] == [2]


def test_distance_histogram_custom_bands(incidents):
    fig = charts.build_distance_histogram(incidents, edges=(0, 100))
    assert _bars(fig) == {charts.OCCUPIED_BAND: [1], "0–100 km": [2], "100+ km": [2]}


def test_distance_colours_distinguish_occupied(incidents):
    colours = {t["name"]: t["marker"]["color"] for t in charts.build_distance_histogram(incidents).to_dict()["data"]}
    assert colours[charts.OCCUPIED_BAND] == charts.OCCUPIED_COLOUR
    assert len(set(colours.values())) == 5


def test_monthly_band_counts_and_casualties(incidents):
    fig = charts.build_band_timeline(incidents, measure="incidents")
    data = fig.to_dict()
    assert data["layout"]["barmode"] == "stack"
    bars = _bars(fig)
    assert bars[charts.OCCUPIED_BAND] == [1, 0, 0]
    assert bars["25–100 km"] == [0, 1, 0]
    assert bars["300+ km"] == [0, 0, 1]
    killed = _bars(charts.build_band_timeline(incidents, measure="killed"))
    assert killed["25–100 km"] == [0, 3, 0] and killed["0–25 km"] == [0, 0, 0]
    casualties = _bars(charts.build_band_timeline(incidents, measure="casualties"))
    assert casualties["25–100 km"] == [0, 5, 0]


def test_unknown_measure_is_rejected(incidents):
    with pytest.raises(ValueError, match="measure"):
        charts.build_band_timeline(incidents, measure="deaths")


def test_weapon_mix_counts_each_listed_weapon(incidents):
    table = charts.compute_weapon_mix(incidents)
    assert table.loc["25–100 km", "ballistic_missile"] == 1
    assert table.loc["25–100 km", "cluster_munition"] == 1
    assert table.loc["100–300 km", "cruise_missile"] == 1
    fig = charts.build_weapon_mix_chart(incidents, share=True)
    traces = {t["name"]: t for t in fig.to_dict()["data"]}
    band_index = list(traces["Ballistic missile"]["y"]).index("25–100 km")
    assert traces["Ballistic missile"]["x"][band_index] == 50.0
    assert all(t["orientation"] == "h" for t in traces.values())


def test_weapon_mix_pools_rare_weapons(incidents):
    fig = charts.build_weapon_mix_chart(incidents, share=False, max_categories=2)
    names = [t["name"] for t in fig.to_dict()["data"]]
    assert names[-1] == "Other weapons" and len(names) == 3


def test_deepest_strikes_ranked_beyond_threshold(incidents):
    table = charts.compute_deepest_strikes(incidents, threshold_km=100)
    assert table["distance_km"].tolist() == [400.0, 150.0]
    assert table.loc[0, "place"] == "Lviv <b>&"  # tables keep raw text; plotly labels are escaped
    assert table.loc[0, "oblast"] == "Lviv Oblast"
    assert table.loc[1, "weapon"] == "Cruise missile"
    assert len(charts.compute_deepest_strikes(incidents, 100, include_imprecise=True)) == 3
    assert len(charts.compute_deepest_strikes(incidents, 100, limit=1)) == 1


def test_oblast_counts_beyond_threshold(incidents):
    table = charts.compute_oblast_counts_beyond(incidents, threshold_km=100)
    assert dict(zip(table["admin1_iso"], table["incidents"], strict=True)) == {"UA-30": 1, "UA-46": 1}
    fig = charts.build_oblast_beyond_chart(incidents, threshold_km=100, include_imprecise=True)
    trace = fig.to_dict()["data"][0]
    assert list(trace["y"]) == ["Lviv Oblast", "Kyiv"] and list(trace["x"]) == [2, 1]


def test_trend_by_weapon_weekly_sums_to_total(incidents):
    table = charts.compute_trend_series(incidents, freq="week", by="weapons")
    assert table.to_numpy().sum() == len(incidents)
    assert table.index[0] == pd.Timestamp("2023-01-02")  # weeks start on Monday
    assert (table.index.to_series().diff().dropna() == pd.Timedelta(days=7)).all()


def test_trend_chart_shows_coverage_and_seams(incidents):
    frontlines = chart_snapshots()
    coverage = charts.compute_frontline_coverage(frontlines)
    seams = charts.compute_snapshot_seams(frontlines)
    assert coverage == (pd.Timestamp("2023-01-01"), pd.Timestamp("2023-03-01"))
    assert [s["date"] for s in seams] == [pd.Timestamp("2023-03-01")]
    assert seams[0]["from_source"] == "deepstate" and seams[0]["to_source"] == "isw"
    fig = charts.build_trend_chart(incidents, "month", "target_types", coverage=coverage, seams=seams).to_dict()
    shapes = fig["layout"]["shapes"]
    rects = [s for s in shapes if s["type"] == "rect"]
    lines = [s for s in shapes if s["type"] == "line"]
    assert len(rects) == 1 and str(rects[0]["x0"]).startswith("2023-01-01")
    assert len(lines) == 1 and str(lines[0]["x0"]).startswith("2023-03-01")
    names = {t["name"]: sum(t["y"]) for t in fig["data"]}
    assert names == {"Residential": 6, "Energy": 1}


def test_no_frontlines_means_no_coverage_or_seams():
    assert charts.compute_frontline_coverage(None) is None
    assert charts.compute_snapshot_seams(None) == []


def test_labels_from_data_are_escaped():
    frame = make_incidents([{"date": "2023-01-01", "weapons": ["<img src=x onerror=alert(1)>"]}])
    fig = charts.build_trend_chart(frame, by="weapons").to_dict()
    assert fig["data"][0]["name"] == "&lt;img src=x onerror=alert(1)&gt;"
    assert charts.escape_label("A & B <i>") == "A &amp; B &lt;i&gt;"
    assert charts.escape_label(None) == ""


def test_previous_period_has_equal_length():
    assert charts.previous_period(pd.Timestamp("2024-03-01"), pd.Timestamp("2024-03-31")) == (
        pd.Timestamp("2024-01-30"),
        pd.Timestamp("2024-02-29"),
    )
    with pytest.raises(ValueError):
        charts.previous_period(pd.Timestamp("2024-03-31"), pd.Timestamp("2024-03-01"))


def test_oblast_table(incidents):
    population = {iso: 100_000 for iso in ADMIN1}
    previous = make_incidents([{"date": "2022-12-01", "admin1_iso": "UA-30"}] * 2)
    previous["incident_id"] = ["p:0", "p:1"]
    table = charts.compute_oblast_table(incidents, previous, population).set_index("admin1_iso")
    assert len(table) == 28  # 27 units + incidents outside the layer
    assert table.loc["UA-30", "incidents"] == 2
    assert table.loc["UA-30", "killed"] == 2
    assert table.loc["UA-63", "injured"] == 2
    assert table.loc["UA-30", "share_pct"] == round(2 / 7 * 100, 1)
    assert table.loc["UA-30", "per_100k"] == 2.0
    assert table.loc["UA-30", "previous_incidents"] == 2
    assert table.loc["UA-30", "change"] == 0 and table.loc["UA-30", "change_pct"] == 0.0
    assert table.loc["UA-46", "change"] == 2 and pd.isna(table.loc["UA-46", "change_pct"])
    assert table.loc["UA-05", "incidents"] == 0
    assert table["share_pct"].sum() == pytest.approx(100, abs=0.5)


def test_choropleth_uses_geojson_without_base_layers(incidents):
    from geo.boundaries import load_default_boundaries
    from geo.population import load_population

    table = charts.compute_oblast_table(incidents, None, load_population())
    fig = charts.build_oblast_choropleth(table, load_default_boundaries(), "per_100k").to_dict()
    trace = fig["data"][0]
    assert trace["type"] == "choropleth"
    assert trace["locationmode"] == "geojson-id" and trace["featureidkey"] == "properties.admin1_iso"
    assert len(trace["locations"]) == 27 and len(trace["geojson"]["features"]) == 27
    kyiv = trace["locations"].index("UA-30")
    assert trace["z"][kyiv] == pytest.approx(2 / 2952301 * 100_000, abs=0.01)
    geo_layout = fig["layout"]["geo"]
    assert geo_layout["fitbounds"] == "geojson" and geo_layout["visible"] is False
    assert "mapbox" not in fig["layout"] and "map" not in fig["layout"]
    assert charts.PLOTLY_OFFLINE_CONFIG["topojsonURL"].startswith("data:application/json,")


def test_standard_charts_skip_distance_without_frontlines():
    frame = make_incidents([{"date": "2023-01-01", "front_distance_km": None}])
    stems = set(charts.build_standard_charts(frame))
    assert "distance_bands" not in stems and "trend_incidents" in stems


def test_population_covers_27_units():
    from geo.population import NATIONAL_TOTAL_2022, load_population_table

    table = load_population_table()
    assert sorted(table["admin1_iso"]) == sorted(ADMIN1)
    covered = table[table["reference_date"] == pd.Timestamp("2022-01-01")]
    assert len(covered) == 25 and covered["population"].sum() == NATIONAL_TOTAL_2022


def test_choropleth_rings_run_clockwise_for_d3():
    """d3-geo fills the whole globe around a counter-clockwise ring; every exterior must be clockwise."""
    import shapely

    from geo.boundaries import load_default_boundaries
    from geo.viz.mapcore import boundaries_geojson

    collection = boundaries_geojson(load_default_boundaries())
    assert len(collection["features"]) == 27
    for feature in collection["features"]:
        geom = shapely.geometry.shape(feature["geometry"])
        for polygon in getattr(geom, "geoms", [geom]):
            assert not polygon.exterior.is_ccw, feature["properties"]["admin1_iso"]


def test_oblast_table_keeps_not_reported_apart_from_zero():
    import pandas as pd

    from geo.viz.charts import compute_oblast_table

    frame = pd.DataFrame(
        {
            "admin1_iso": ["UA-05", "UA-05", "UA-46"],
            "killed": pd.array([3, pd.NA, 0], dtype="Int64"),
            "injured": pd.array([pd.NA, pd.NA, pd.NA], dtype="Int64"),
        }
    )
    table = compute_oblast_table(frame).set_index("admin1_iso")
    assert table.loc["UA-05", "killed"] == 3 and table.loc["UA-46", "killed"] == 0
    assert pd.isna(table.loc["UA-05", "injured"]) and pd.isna(table.loc["UA-46", "injured"])
    assert table.loc["UA-05", "incidents"] == 2


def test_the_charts_package_keeps_one_name_per_rule():
    """``from geo.viz import charts`` still gives every builder; each lives in its chart family's module."""
    import importlib

    import geo.animation
    from geo.viz.charts import measures

    for name in charts.__all__:
        assert getattr(charts, name) is not None, name
    families = {"build_distance_histogram": "distance", "build_band_timeline": "distance",
                "build_weapon_mix_chart": "distance", "build_oblast_beyond_chart": "beyond",
                "compute_deepest_strikes": "beyond", "build_trend_chart": "trends",
                "build_oblast_choropleth": "oblasts", "build_standard_charts": "standard"}
    for name, module in families.items():
        assert getattr(charts, name).__module__ == f"geo.viz.charts.{module}", name
        assert getattr(importlib.import_module(f"geo.viz.charts.{module}"), name) is getattr(charts, name)
    # the period words of chart titles and of the film's title card are one table
    assert geo.animation.PERIOD_WORDS is measures.PERIOD_WORDS is charts.PERIOD_WORDS


def test_beyond_and_deepest_select_the_same_rows(incidents):
    """The deepest-strikes list and the per-oblast counts beyond a threshold count the same incidents."""
    for threshold in (0.0, 25.0, 100.0):
        for imprecise in (False, True):
            deepest = charts.compute_deepest_strikes(incidents, threshold, None, imprecise)
            per_oblast = charts.compute_oblast_counts_beyond(incidents, threshold, imprecise)
            assert len(deepest) == int(per_oblast["incidents"].sum())
            assert (deepest["distance_km"] >= threshold).all()
