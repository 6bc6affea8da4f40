"""Front-line import speed-ups that must not change results: local opening, fast polygon reading, pipelined reading."""

import json
import warnings

import numpy as np
import pytest
import shapely
from shapely.geometry import shape

from geo.boundaries import polygon_parts, to_lonlat
from geo.frontlines import (
    CONTACT_TOLERANCE_M,
    GAP_CLOSING_M,
    SLIVER_OPENING_M,
    FrontlineWarning,
    _densified_working,
    _lineal,
    _neighbourhood,
    _polygonal,
    _read_deepstate,
    _working_reference,
    derive_front_geometry,
    read_frontlines,
)
from tests.files import DEEPSTATE, realdata


def test_neighbourhood_covers_every_point_within_the_margin():
    """Points at exactly the margin from a line (any direction, long and short edges) lie in the window."""
    line = shapely.MultiLineString([[(-1_000_000, -3_000), (5_000, 20_000), (400_000, 800_000)], [(0, 0), (10, 10)]])
    margin = 5_100.0
    window = _neighbourhood(line, margin)
    assert window.is_valid
    vertices = shapely.get_coordinates(shapely.segmentize(line, 300.0))
    angle = np.random.default_rng(0).uniform(0, 2 * np.pi, len(vertices))
    ring = shapely.points(vertices[:, 0] + margin * np.cos(angle), vertices[:, 1] + margin * np.sin(angle))
    assert shapely.contains(window, ring).all()
    assert window.area < shapely.buffer(line, 3 * margin).area  # a neighbourhood, not the plane


def _global_opening_contact(occupied):
    """The contact line as derived before the local opening (the whole free land opened), for comparison."""
    land, clip, outline_zone = _working_reference()
    published = polygon_parts(shapely.make_valid(shapely.union_all(occupied)))
    area = _densified_working(published)
    area = shapely.buffer(shapely.buffer(area, GAP_CLOSING_M), -GAP_CLOSING_M)
    area = polygon_parts(shapely.make_valid(area.intersection(clip)))
    core = land.difference(area).buffer(-SLIVER_OPENING_M).buffer(SLIVER_OPENING_M)
    boundary = area.boundary
    near = boundary.intersection(outline_zone).intersection(core.buffer(CONTACT_TOLERANCE_M))
    return to_lonlat(_lineal(shapely.union(boundary.difference(outline_zone), near)))


def _apart(a, b) -> float:
    """Hausdorff distance between two lines, measured at their vertices (degrees)."""
    worst = 0.0
    for one, other in ((a, b), (b, a)):
        shapely.prepare(other)
        worst = max(worst, float(shapely.distance(shapely.points(shapely.get_coordinates(one)), other).max()))
    return worst


@realdata
def test_local_opening_gives_the_same_line():
    """Opening only the free land near the outline gives the line of the whole-land opening (to a micrometre)."""
    path = DEEPSTATE / "2025-08-01_1754077960.geojson"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FrontlineWarning)
        _, occupied, _, _ = _read_deepstate(path)
    _, contact, _ = derive_front_geometry(occupied)
    expected = _global_opening_contact(occupied)
    assert contact.length > 1  # degrees: hundreds of km
    assert _apart(contact, expected) < 1e-8
    assert abs(contact.length - expected.length) < 1e-8


@pytest.mark.parametrize(
    "geometry",
    [
        {"type": "Polygon", "coordinates": [[[30, 50, 0], [31, 50, 0], [31, 51, 0], [30, 50, 0]]]},
        {"type": "Polygon", "coordinates": [[[30, 50], [32, 50], [32, 52], [30, 52], [30, 50]],
                                            [[30.5, 50.5], [31, 50.5], [31, 51], [30.5, 50.5]]]},
        {"type": "MultiPolygon", "coordinates": [[[[30, 50], [31, 50], [31, 51], [30, 50]]],
                                                 [[[33, 50, 1], [34, 50, 1], [34, 51, 1], [33, 50, 1]]]]},
        {"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [31, 51]]]},  # not closed
        {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": [[[30, 50], [31, 50], [31, 51], [30, 50]]]}]},
    ],
)
def test_polygonal_equals_shape(geometry):
    """The fast polygon builder gives shapely.shape's geometry without Z, byte for byte."""
    expected = shapely.force_2d(shape(geometry))
    assert shapely.to_wkb(_polygonal(geometry)) == shapely.to_wkb(expected)


@pytest.mark.parametrize(
    "coordinates",
    [[[[30, 50], [31, 50]]], [[[30, 50], [31], [31, 51], [30, 50]]], [[["a", 50], [31, 50], [31, 51], ["a", 50]]], []],
)
def test_polygonal_malformed_fails_as_shape_does(coordinates):
    """Malformed coordinates fall back to shapely.shape, so they fail with its error type (or parse the same)."""
    geometry = {"type": "Polygon", "coordinates": coordinates}
    try:
        expected = shapely.force_2d(shape(geometry))
    except Exception as exc:  # noqa: BLE001 - whatever shape raises, _polygonal must raise too
        with pytest.raises(type(exc)):
            _polygonal(geometry)
    else:
        assert shapely.to_wkb(_polygonal(geometry)) == shapely.to_wkb(expected)


def _export(path, lon0, lon1):
    ring = [[lon0, 47.5], [lon1, 47.5], [lon1, 48.5], [lon0, 48.5], [lon0, 47.5]]
    feature = {"type": "Feature", "properties": {"name": "Окуповано /// Occupied /// geoJSON.status.occupied"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")


def test_pipelined_read_keeps_the_newest_export_of_a_day(tmp_path):
    """Snapshots derived while later files are read: the newer export of a day still wins, in any order."""
    _export(tmp_path / "2023-06-01_1685600000.geojson", 37.0, 38.5)
    _export(tmp_path / "2023-06-02_1685700000.geojson", 36.8, 38.5)
    _export(tmp_path / "2023-06-02_1685650000.geojson", 36.0, 38.5)  # older export of 2 June, read first
    _export(tmp_path / "2023-06-03_1685800000.geojson", 37.0, 38.5)  # same map as 1 June
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = read_frontlines(tmp_path, workers=2)
    assert [str(d.date()) for d in frame["snapshot_date"]] == ["2023-06-01", "2023-06-02", "2023-06-03"]
    assert frame.geometry.iloc[1].bounds[0] == pytest.approx(36.8)
    assert frame.geometry.iloc[0].equals(frame.geometry.iloc[2])
    assert any("replaces an older DeepStateMap export" in str(w.message) for w in caught)
    one_by_one = [derive_front_geometry(list(frame.geometry.iloc[i].geoms)) for i in range(3)]
    for i, (occupied, contact, _) in enumerate(one_by_one):
        assert frame.geometry.iloc[i].equals(occupied) and frame["contact_line"].iloc[i].equals(contact)


def test_generic_file_joins_a_deepstate_snapshot_of_the_same_key(tmp_path):
    """With one --source, a generic file's polygons of a DeepStateMap date join that snapshot (read after it)."""
    _export(tmp_path / "2023-06-01_1685600000.geojson", 37.0, 38.0)
    generic = {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"date": "2023-06-01"},
               "geometry": {"type": "Polygon", "coordinates": [[[38.0, 47.5], [38.5, 47.5], [38.5, 48.5], [38.0, 48.5], [38.0, 47.5]]]}}]}
    (tmp_path / "zz-extra.geojson").write_text(json.dumps(generic), encoding="utf-8")
    frame = read_frontlines(tmp_path, source="mine", workers=2)
    assert len(frame) == 1
    assert frame.geometry.iloc[0].bounds == pytest.approx((37.0, 47.5, 38.5, 48.5))
