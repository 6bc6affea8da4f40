"""Rules that used to exist twice: the oblast outlines of every map and the offline HTML inliner."""

from __future__ import annotations

import folium
import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo import exports
from geo.boundaries import load_default_boundaries
from geo.viz import charts
from geo.viz import map as gmap
from geo.viz.mapcore import boundaries_geojson


@pytest.fixture(scope="module")
def boundaries() -> gpd.GeoDataFrame:
    return load_default_boundaries()


def _outlines(collection: dict) -> dict[str, shapely.Geometry]:
    return {f["properties"]["admin1_iso"]: shapely.geometry.shape(f["geometry"]) for f in collection["features"]}


def test_leaflet_map_and_choropleth_draw_the_same_outlines(boundaries):
    """The base map's oblast layer and the choropleth's GeoJSON hold the same units and the same rings."""
    fmap = gmap.build_base_map(boundaries)
    layer = next(child for child in fmap._children.values() if isinstance(child, folium.GeoJson))
    table = charts.compute_oblast_table(pd.DataFrame(
        {"admin1_iso": ["UA-32"], "killed": [1], "injured": [pd.NA], "date": [pd.Timestamp("2024-01-01")]}
    ))
    figure = charts.build_oblast_choropleth(table, boundaries)
    on_map, on_chart = _outlines(layer.data), _outlines(figure.data[0].geojson)
    assert set(on_map) == set(on_chart) == set(boundaries["admin1_iso"])
    for iso, geom in on_map.items():
        assert shapely.equals_exact(geom, on_chart[iso], tolerance=0), iso
        for polygon in getattr(geom, "geoms", [geom]):
            assert not polygon.exterior.is_ccw, iso  # d3-geo (plotly) needs clockwise exteriors


def test_outline_properties_escaped_for_folium_raw_for_plotly(boundaries):
    """Names reach folium escaped (its templates are rendered again), plotly's join key stays raw."""
    two = boundaries.iloc[:3].copy()
    two["admin1_iso"] = ["UA-{{7*7}}", "UA-<b>", "UA-empty"]
    two["admin1_name"] = ["{{ 6*7 }}", "<script>x</script>", "nothing"]
    two.loc[two.index[2], "geometry"] = shapely.Polygon()
    escaped = boundaries_geojson(two)
    raw = boundaries_geojson(two, escape=False)
    assert [f["properties"]["admin1_iso"] for f in raw["features"]] == ["UA-{{7*7}}", "UA-<b>"]
    assert [f["properties"]["label"] for f in raw["features"]] == ["{{ 6*7 }}", "<script>x</script>"]
    labels = [f["properties"]["label"] + f["properties"]["admin1_iso"] for f in escaped["features"]]
    assert len(labels) == 2 and not any(c in text for text in labels for c in "<>{}")


def test_boundaries_simplified_and_rounded(boundaries):
    collection = boundaries_geojson(boundaries)
    coords = shapely.get_coordinates([shapely.geometry.shape(f["geometry"]) for f in collection["features"]])
    assert len(coords) < len(shapely.get_coordinates(boundaries.geometry.to_numpy()))
    assert abs(coords * 1e4 - (coords * 1e4).round()).max() < 1e-6


def test_offline_page_with_an_asset_that_has_no_local_copy_is_refused(boundaries):
    """One inliner: a script with no local copy stops the page instead of pointing at a CDN."""
    fmap = gmap.build_base_map(None)
    fmap.get_root().header.add_child(folium.JavascriptLink("https://cdn.example.org/no-such-plugin.js"))
    with pytest.raises(FileNotFoundError, match="no-such-plugin.js"):
        gmap.build_standalone_html(fmap, [])
    fmap = gmap.build_base_map(None)
    fmap.get_root().header.add_child(folium.JavascriptLink("https://cdn.example.org/no-such-plugin.js"))
    context = exports.ExportContext(filters_description="", data_version="v1", data_date="2024-01-01")
    with pytest.raises(exports.ExportError, match="no local copy"):
        exports.compose_map_page(fmap, [], context)


def test_offline_page_inlines_leaflet_with_its_images(boundaries):
    page = gmap.build_standalone_html(gmap.build_base_map(boundaries), [], title="t")
    assert "<script>/* leaflet.js */" in page and "<style>/* leaflet.css */" in page
    assert "data:image/png;base64," in page and "/app/static/vendor" not in page


def test_one_short_label_for_filter_descriptions_and_the_map():
    """The filter description and the map's popups name a target or weapon with the same short label."""
    from geo.filters import Filters
    from geo.taxonomy import TARGET_TYPES, WEAPONS, label, short_label
    from geo.viz.map.markers import incident_rows
    from tests.synthetic_data import make_incidents

    assert short_label("education", TARGET_TYPES) == "Education" != label("education", TARGET_TYPES)
    assert short_label("no-such-code", WEAPONS) == "no-such-code"
    for lang in ("en", "uk"):
        _rows, tables = incident_rows(make_incidents([{"date": "2024-01-01"}]), lang=lang)
        assert tables["t"] == [short_label(code, TARGET_TYPES, lang) for code in TARGET_TYPES]
        assert tables["w"] == [short_label(code, WEAPONS, lang) for code in WEAPONS]
        description = Filters(target_types=("education",), weapons=("drone",)).describe(lang)
        assert short_label("education", TARGET_TYPES, lang) in description
        assert label("education", TARGET_TYPES, lang) not in description
