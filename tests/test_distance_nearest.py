"""The nearest-point search of geo.distance.LineIndex finds exactly the point GEOS finds, and its candidate chunks are the dense test's."""

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundaries import load_neighbour_states, working_transformers
from geo.distance import LineIndex, compute_front_enrichment
from geo.frontlines import FrontlineWarning, derive_front_geometry, read_frontlines
from tests.files import DEEPSTATE, realdata


def _points_around(index: LineIndex, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Points in the working CRS: uniform over Ukraine + 300 km, and next to the line's vertices (0.1 mm to 3 km off)."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-1_000_000, 1_000_000, n)
    y = rng.uniform(-800_000, 700_000, n)
    pick = rng.integers(0, len(index.vx), n)
    offset = 10.0 ** rng.uniform(-4, 3.5, n)
    angle = rng.uniform(0, 2 * np.pi, n)
    near_x = index.vx[pick] + offset * np.cos(angle)
    near_y = index.vy[pick] + offset * np.sin(angle)
    # and some exactly on vertices and on segment midpoints
    mid = pick[: n // 10] % (len(index.vx) - 1)
    return (
        np.r_[x, near_x, index.vx[pick[: n // 10]], (index.vx[mid] + index.vx[mid + 1]) / 2],
        np.r_[y, near_y, index.vy[pick[: n // 10]], (index.vy[mid] + index.vy[mid + 1]) / 2],
    )


def _geos_nearest(index: LineIndex, x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return shapely.get_coordinates(shapely.shortest_line(index.line, shapely.points(x, y)))[0::2]


def _assert_same_as_geos(index: LineIndex, x: np.ndarray, y: np.ndarray) -> None:
    qx, qy = index.planar_nearest(x, y)
    geos = _geos_nearest(index, x, y)
    # the same point, bit for bit: same segment, same arithmetic
    assert np.array_equal(qx, geos[:, 0]) and np.array_equal(qy, geos[:, 1])


def test_planar_nearest_on_constructed_lines():
    """Zigzags with long, short and zero-length segments, a two-vertex part, a closed ring and a part crossing another."""
    lines = shapely.MultiLineString([
        [(35.0, 46.5), (35.6, 47.3), (35.2, 48.1), (35.2, 48.1), (36.9, 48.6), (36.9001, 48.6001), (37.4, 50.2)],
        [(30.0, 50.0), (30.02, 50.0)],
        [(33.0, 45.0), (34.0, 45.2), (33.5, 45.9), (33.0, 45.0)],
        [(34.0, 47.0), (37.0, 48.0)],
    ])
    index = LineIndex(lines)
    x, y = _points_around(index, 4000, 1)
    _assert_same_as_geos(index, x, y)


def test_planar_nearest_at_the_centre_of_a_circle():
    """A circle drawn in the working plane: from its centre every sample is about as near, more than
    the tree is asked for, so those points go to GEOS itself; points just off the centre do not."""
    forward, inverse = working_transformers()
    cx, cy = (float(v) for v in forward.transform(33.0, 49.0))
    ring = shapely.get_coordinates(shapely.Point(cx, cy).buffer(10_000, quad_segs=64).exterior)
    lon, lat = inverse.transform(ring[:, 0], ring[:, 1])
    index = LineIndex(shapely.LineString(np.column_stack([lon, lat])))
    rng = np.random.default_rng(4)
    x = np.r_[cx, cx + rng.normal(0, 50, 300)]
    y = np.r_[cy, cy + rng.normal(0, 50, 300)]
    _assert_same_as_geos(index, x, y)


def test_planar_nearest_on_the_neighbour_border():
    """Russia + Belarus's border (tens of thousands of vertices, dense and sparse stretches)."""
    index = LineIndex(load_neighbour_states().boundary)
    x, y = _points_around(index, 3000, 2)
    _assert_same_as_geos(index, x, y)


@pytest.fixture(scope="module")
def real_fronts():
    files = [DEEPSTATE / n for n in ("2022-04-03_1648989208.geojson", "2023-12-01_1701451517.geojson")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FrontlineWarning)
        return read_frontlines(files)


@realdata
@pytest.mark.realdata
def test_planar_nearest_and_candidates_on_real_fronts(real_fronts):
    """Contact lines (arcs of the 500 m closing: many short segments) and occupied boundaries of two real exports."""
    for snap in real_fronts.itertuples():
        for lines in (snap.contact_line, snap.geometry.boundary):
            index = LineIndex(lines)
            x, y = _points_around(index, 3000, 3)
            _assert_same_as_geos(index, x, y)
            qx, qy = index.planar_nearest(x, y)
            band = np.hypot(x - qx, y - qy) * 1.004 + 1.0
            fast = index._candidates(x, y, band)
            dense = index._candidates_dense(x, y, band)
            assert all(np.array_equal(a, b) for a, b in zip(fast, dense, strict=True))


def test_snapshot_whose_incidents_all_lie_on_the_line():
    """Every free incident of a snapshot within metres of the front: no other branch to search, and no error."""
    area, contact = derive_front_geometry([shapely.box(37.5, 47.0, 41.0, 50.6)], [])[:2]
    fronts = gpd.GeoDataFrame({"snapshot_date": pd.to_datetime(["2023-01-01"]), "source": "test", "method": "test"},
                              geometry=[area], crs="EPSG:4326")
    fronts["contact_line"] = gpd.GeoSeries([contact], crs="EPSG:4326")
    fronts["contested"] = gpd.GeoSeries([None], crs="EPSG:4326")
    lon, lat = np.array([37.49999, 37.499995]), np.array([48.0, 49.0])
    out = compute_front_enrichment(lon, lat, np.full(2, np.datetime64("2023-02-01", "ns")), fronts)
    assert not out["in_occupied_territory"].to_numpy(dtype=bool).any()
    assert ((out["front_distance_km"] > 0) & (out["front_distance_km"] < 0.001)).all()
    assert (out["distance_to_russia_km"] == out["front_distance_km"]).all()
