"""Map builders: offline assets only, layers and payloads, escaping, binning, click parsing."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundaries import load_default_boundaries
from geo.filters import prepare_columns
from geo.taxonomy import TARGET_TYPES
from geo.viz import map as gmap
from tests.synthetic_data import HOSTILE, build_frontlines, build_incidents


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return load_default_boundaries()


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    """48 synthetic incidents, four of them with hostile text."""
    return build_incidents()


@pytest.fixture(scope="module")
def frontlines() -> gpd.GeoDataFrame:
    """The synthetic two snapshots (a small occupied square in the east, then a larger one), one source name hostile."""
    frame = build_frontlines()
    frame["source"] = ["test <b>source</b>", "test"]
    frame["method"] = ["raw", "raw"]
    return frame


def _walk(element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


def _asset_urls(*elements) -> list[str]:
    urls = []
    for root in elements:
        for element in _walk(root):
            urls += [u for _, u in getattr(element, "default_js", [])] + [u for _, u in getattr(element, "default_css", [])]
    return urls


def _payload(layer: folium.FeatureGroup, cls) -> dict:
    element = next(e for e in _walk(layer) if isinstance(e, cls))
    return json.loads(element.payload)


def test_base_map_is_offline_with_oblasts_and_scale(boundaries):
    fmap = gmap.build_base_map(boundaries)
    # zoom buttons and scale bar are built with their words in the map's language
    assert not fmap.control_scale and fmap.options.get("zoom_control") is False
    assert "L.control.scale(" in fmap.get_root().render() and "L.control.zoom(" in fmap.get_root().render()
    assert not any(isinstance(e, folium.TileLayer) for e in _walk(fmap))
    assert set(_asset_urls(fmap)) == {gmap.LEAFLET_JS_URL, gmap.LEAFLET_CSS_URL}
    layer = next(e for e in _walk(fmap) if isinstance(e, folium.GeoJson))
    assert len(layer.data["features"]) == 27
    html = fmap.get_root().render()
    srcs = re.findall(r"<script[^>]+src=\"([^\"]+)\"", html) + re.findall(r"<link[^>]+href=\"([^\"]+)\"", html)
    assert srcs and all(s.startswith("/app/static/vendor/leaflet/") for s in srcs), srcs


def test_oblast_payload_is_small(boundaries):
    size = len(json.dumps(gmap.boundaries_geojson(boundaries)))
    assert size < 200_000


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://tile.example.org/{z}/{x}/{y}.png", True),
        ("javascript:alert(1)//{z}", False),
        ("https://tile.example.org/no-placeholders.png", False),
        ("https://x.org/{z}/{x}/{y}.png\" onerror=\"alert(1)", False),
    ],
)
def test_tiles_are_opt_in_and_validated(url, ok):
    if ok:
        fmap = gmap.build_base_map(None, tiles=url, attribution="<b>Tiles</b>")
        tiles = [e for e in _walk(fmap) if isinstance(e, folium.TileLayer)]
        assert len(tiles) == 1 and "<b>" not in tiles[0].options["attribution"]
    else:
        with pytest.raises(ValueError, match="tile URL"):
            gmap.build_base_map(None, tiles=url)


def test_incident_layer_payload(incidents):
    cols = prepare_columns(incidents)
    layer = gmap.build_incident_layer(incidents, cols.primary_target, selected_id="syn:1")
    data = _payload(layer, gmap.markers._IncidentMarkers)
    assert len(data["rows"]) == 48
    row = data["rows"][1]
    assert row[5] == "syn:1" and row[6] == "2024-01-08" and row[7] == "Kyiv district 1"
    assert data["o"][row[8]] == "Kyiv"
    assert [data["t"][i] for i in row[9]] == ["Education", "Residential"]
    assert row[2] == 1, "coloured by the primary (first) target type"
    assert row[11] == 1 and row[12] == 2 and row[13] == 421.0
    assert row[15] == ["https://example.org/report/1"], "javascript: links must be dropped"
    assert data["selected"] == [row[0], row[1], row[3]]
    imprecise = [r[4] for r in data["rows"]]
    assert imprecise == [int(i % 4 == 3) for i in range(48)]
    assert set(_asset_urls(layer)) == set()


def test_not_reported_is_not_zero(incidents):
    rows, _ = gmap.incident_rows(incidents)
    assert rows[4][11] is None and incidents["killed"].isna().iat[4]
    assert rows[0][11] == 0


def test_hostile_text_never_reaches_the_script_as_markup(incidents):
    layer = gmap.build_incident_layer(incidents)
    element = next(e for e in _walk(layer) if isinstance(e, gmap.markers._IncidentMarkers))
    script = element._template.module.script(element)
    for needle in ("<script", "<img", "<svg", "</", "onerror=\"", "'"):
        assert needle not in element.payload
    assert "<svg" not in script.replace("<svg onload", "")
    decoded = json.loads(element.payload)
    assert any(HOSTILE[0] in r[7] for r in decoded["rows"]), "text must survive, as text"
    assert "textContent" in script and "innerHTML" not in script


def test_payload_survives_streamlit_folium_renaming(incidents, boundaries):
    from streamlit_folium import _get_feature_group_string

    frame = incidents.copy()
    frame.loc[0, "description"] = "x_div y_0 {{'map_div'}} _feature_group_0"
    layer = gmap.build_incident_layer(frame)
    text = _get_feature_group_string(layer, gmap.build_base_map(None))
    assert "x\\u005fdiv y\\u005f0 \\u007b\\u007b\\u0027map\\u005fdiv\\u0027}}" in text


@pytest.mark.parametrize("payload", ["{{ 7*7 }}", "{% for i in range(3) %}x{% endfor %}", "{# c #}", "{{{%", "{}"])
def test_template_syntax_in_data_is_never_evaluated(incidents, payload):
    """branca compiles rendered scripts as Jinja templates again: data must not be template code."""
    from streamlit_folium import _get_feature_group_string

    frame = incidents.copy()
    frame.loc[0, "description"] = payload
    frame.loc[0, "location"] = payload
    fmap = gmap.build_base_map(None)
    text = _get_feature_group_string(gmap.build_incident_layer(frame), fmap)
    decoded = json.loads(re.search(r"var D = (\{.*?\});\n", text).group(1))
    assert decoded["rows"][0][14] == payload and decoded["rows"][0][7] == payload


def test_marker_radius_grows_with_casualties_and_is_capped():
    radius = gmap.marker_radius(np.array([np.nan, 0, 4, 1000.0]), np.array([np.nan, 0, 5, 0.0]))
    assert radius[0] == radius[1] == 4 and radius[1] < radius[2] < radius[3] == 18


def test_every_target_type_has_a_colour_class():
    classes = gmap.target_class(np.arange(len(TARGET_TYPES)))
    assert classes.min() >= 0 and classes.max() < len(gmap.TARGET_CLASSES)
    colours = [c for _, _, c, _ in gmap.TARGET_CLASSES]
    assert len(set(colours)) == len(colours)


def test_aggregate_grid_counts_and_sums():
    lon = np.array([30.01, 30.02, 30.25, 31.5, np.nan])
    lat = np.array([50.01, 50.02, 50.01, 49.1, 50.0])
    killed = np.array([1, np.nan, 2, 5, 9.0])
    injured = np.array([0, 3, np.nan, 1, 9.0])
    bins = gmap.aggregate_grid(lon, lat, killed, injured, cell_deg=0.2)
    assert bins.count.sum() == 4 and len(bins.count) == 3
    first = int(np.flatnonzero(bins.count == 2)[0])
    assert bins.killed[first] == 1 and bins.injured[first] == 3
    west, south, east, north = bins.cell_bounds(first)
    assert west <= 30.01 < east and south <= 50.01 < north and east - west == pytest.approx(0.2)


def test_aggregate_grid_with_bounds_drops_outside_points():
    bins = gmap.aggregate_grid(np.array([30.05, 30.15, 32.0]), np.array([50.05, 50.15, 50.0]),
                               np.zeros(3), np.zeros(3), cell_deg=0.1, bounds=(30.0, 50.0, 30.2, 50.2))
    assert bins.count.tolist() == [1, 1]


def test_aggregate_grid_empty():
    bins = gmap.aggregate_grid(np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    assert len(bins.count) == 0


def test_bin_payload_is_bounded_at_a_million_points(boundaries):
    from streamlit_folium import _get_feature_group_string, _get_map_string

    rng = np.random.default_rng(7)
    n = 1_000_000
    lon, lat = rng.uniform(22.2, 40.2, n), rng.uniform(44.4, 52.3, n)
    killed = np.where(rng.random(n) < 0.3, np.nan, rng.integers(0, 5, n))
    bins = gmap.aggregate_grid(lon, lat, killed, np.zeros(n))
    assert bins.count.sum() == n
    fmap = gmap.build_base_map(boundaries)
    fmap.render()
    base = _get_map_string(fmap)
    layer = _get_feature_group_string(gmap.build_bin_layer(bins), fmap)
    assert len(base) + len(layer) < 1_500_000, (len(base), len(layer))


def test_bin_colour_breaks():
    assert gmap.bin_color_breaks(np.array([], dtype=int)) == [1]
    breaks = gmap.bin_color_breaks(np.arange(1, 1001))
    assert breaks[0] == 1 and breaks == sorted(breaks) and len(breaks) <= len(gmap.BIN_COLORS)


@pytest.mark.parametrize(
    ("returned", "known", "expected"),
    [
        (None, None, None),
        ({}, None, None),
        ({"last_object_clicked_tooltip": None}, None, None),
        ({"last_object_clicked_tooltip": "Kyiv Oblast"}, None, None),
        ({"last_object_clicked_tooltip": "Kyiv · 2024-01-01 ⟦syn:3⟧"}, None, gmap.MapClick("incident", "syn:3")),
        ({"last_object_clicked_tooltip": "Kyiv · 2024-01-01 ⟦syn:3⟧"}, {"syn:4"}, None),
        ({"last_object_clicked_tooltip": "a ⟦b · c ⟦odd⟦id⟧"}, {"odd⟦id"}, gmap.MapClick("incident", "odd⟦id")),
        ({"last_object_clicked_tooltip": "3 incidents ⟦bin:30,50,30.2,50.2⟧"}, None, gmap.MapClick("bin", (30, 50, 30.2, 50.2))),
        ({"last_object_clicked_tooltip": "⟦bin:30,50,nan,50.2⟧"}, None, None),
        ({"last_object_clicked_tooltip": "⟦bin:31,50,30,50.2⟧"}, None, None),
        ({"last_object_clicked_tooltip": "⟦bin:x⟧"}, None, None),
        ({"last_object_clicked_tooltip": 5}, None, None),
    ],
)
def test_parse_map_click(returned, known, expected):
    assert gmap.parse_map_click(returned, known) == expected


@pytest.mark.parametrize(
    ("when", "index", "date"),
    [
        (dt.date(2024, 1, 1), -1, None),
        (dt.date(2024, 2, 1), 0, dt.date(2024, 2, 1)),
        (dt.date(2024, 5, 31), 0, dt.date(2024, 2, 1)),
        (dt.date(2025, 1, 1), 1, dt.date(2024, 6, 1)),
    ],
)
def test_snapshot_for_date(frontlines, when, index, date):
    snap = gmap.snapshot_for_date(frontlines, when)
    assert (snap.index, snap.snapshot_date) == (index, date)


def test_frontline_layer_as_of_a_date(frontlines):
    layer, snap = gmap.build_frontline_layer(frontlines, dt.date(2024, 3, 1))
    geojsons = [e for e in _walk(layer) if isinstance(e, folium.GeoJson)]
    assert len(geojsons) == 2, "occupied area and contact line (no contested area in snapshot 0)"
    control = next(e for e in _walk(layer) if isinstance(e, gmap.MapControl))
    # the title is plain text (the browser sets it with textContent); the key is app-built HTML
    assert "2024-02-01" in control.summary and "<b>source</b>" in control.summary
    assert "Occupied area" in control.content_html and "Line of contact" in control.content_html
    assert "summary.textContent = spec.summary" in Path(gmap.shared.__file__).read_text(encoding="utf-8")
    occupied = shapely.geometry.shape(geojsons[0].data["features"][0]["geometry"])
    assert occupied.equals(frontlines.geometry.iloc[0])


def test_frontline_layer_without_frontlines():
    layer, snap = gmap.build_frontline_layer(None, dt.date(2024, 3, 1))
    assert snap.index == -1
    control = next(e for e in _walk(layer) if isinstance(e, gmap.MapControl))
    assert control.summary == "No front line loaded" and control.content_html == ""
    assert not snap.loaded and snap.caption(dt.date(2024, 3, 1), "uk") == "Лінію фронту не завантажено"


def test_frontline_layer_before_the_first_snapshot_names_the_date(frontlines):
    layer, snap = gmap.build_frontline_layer(frontlines, dt.date(2000, 1, 1))
    assert snap.index == -1 and snap.loaded
    control = next(e for e in _walk(layer) if isinstance(e, gmap.MapControl))
    assert "No front-line snapshot on or before 2000-01-01" in control.summary


def test_legend_lists_classes_and_precision():
    html = gmap.legend_html([0, 1])
    assert "Residential" in html and "Education" in html and "Healthcare" not in html and "approximate location" in html


@pytest.mark.parametrize(("bounds", "low", "high"), [((22, 44, 40, 52.5), 5, 6), ((30, 50, 30.2, 50.2), 9, 11)])
def test_zoom_for_bounds(bounds, low, high):
    assert low <= gmap.zoom_for_bounds(bounds) <= high


def test_standalone_html_is_self_contained(boundaries, incidents, frontlines):
    fmap = gmap.build_base_map(boundaries)
    front, _ = gmap.build_frontline_layer(frontlines, dt.date(2024, 7, 1))
    page = gmap.build_standalone_html(fmap, [front, gmap.build_incident_layer(incidents)], title="<t>",
                                      footer_html="Credits")
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=\"https?:", page)
    assert "https://cdn" not in page and "&lt;t&gt;" in page
    assert 'L.version="1.9.4"' in page.replace(" ", "") or "1.9.4" in page


def test_marker_colour_follows_the_target_filter():
    """An incident listing education then residential is coloured Residential under a Residential filter."""
    codes = list(TARGET_TYPES)
    lists = [["education", "residential"], ["cultural"], None]
    primary = np.array([codes.index("education"), codes.index("cultural"), codes.index("unknown")])
    assert gmap.display_target(lists, (), primary).tolist() == primary.tolist()
    chosen = gmap.display_target(lists, ("residential",), primary)
    assert [codes[i] for i in chosen] == ["residential", "cultural", "unknown"]
    rows, _ = gmap.incident_rows(_frame_for_colour(), chosen[:1])
    assert gmap.TARGET_CLASSES[rows[0][2]][1] == "Residential"


def _frame_for_colour() -> pd.DataFrame:
    return pd.DataFrame({
        "incident_id": ["a"], "date": [pd.Timestamp("2024-01-01")], "lat": [50.0], "lon": [30.0],
        "geo_precision": ["exact"], "location": ["Kyiv"], "target_types": [["education", "residential"]],
        "weapons": [["drone"]], "killed": [1], "injured": [None], "description": [""], "source_urls": [[]],
        "admin1_name": ["Kyiv"],
    })


def test_reference_layer_labels_oblast_centres_in_english_and_keeps_ukrainian_names():
    """Oblast centres show at every zoom under the project's names; districts of big cities are dropped."""
    from geo import places as reference_places
    from geo.viz import reference

    places = reference_places.load_places()
    assert len(places) > 500
    labelled = reference.label_places(places)
    centres = labelled[labelled["centre_of"].notna()]
    assert set(centres["centre_of"]) == set(reference_places.OBLAST_CENTRES) and (centres["min_zoom"] == 0).all()
    assert {"Vinnytsia", "Zaporizhzhia", "Mykolaiv", "Kharkiv"} <= set(centres["name"])
    vinnytsia = places[places["name"] == "Vinnytsia"].iloc[0]
    assert vinnytsia["name_uk"] == "Вінниця" and "Vinitsa" in vinnytsia["aliases"]
    assert places.loc[places["name"] == "Kharkiv", "name_uk"].iloc[0] == "Харків"
    assert "Kyivskyi" not in set(labelled["name"])
    assert (labelled.loc[labelled["centre_of"].isna(), "min_zoom"] > gmap.NATIONAL_ZOOM).all()
    fmap = gmap.build_base_map(None)
    html = fmap.get_root().render()
    assert "Sea of Azov" in html and "Black Sea" in html and "BELARUS" in html and "cm-river" in html
