"""Cross-day reuse of the line of contact: updating only where the occupied area changed gives the whole derivation's line."""

import warnings

import numpy as np
import pytest
import shapely

from geo.frontlines import (
    FrontlineWarning,
    _changed_boxes,
    _contact_line,
    _published,
    _read_deepstate,
    _started_outside,
    _stitched,
    _update_contact,
    derive_front_geometry,
    derive_many,
)
from tests.files import DEEPSTATE, realdata


def _bumped(polygons, sites, push=0.004, radius=0.08):
    """The polygons with every vertex within ``radius`` degrees of a site pushed by up to ``push`` (a smooth bump)."""
    sites = np.asarray(sites, dtype=float)

    def move(xy):
        d2 = ((xy[:, None, :] - sites[None, :, :]) ** 2).sum(axis=2) / radius**2
        return xy + (np.clip(1 - d2, 0, None) ** 2).sum(axis=1)[:, None] * push

    return [shapely.transform(polygon, move) for polygon in polygons]


def _occupied(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FrontlineWarning)
        return _read_deepstate(DEEPSTATE / name)[1]


def _same_line(a, b):
    """The same point set, and the same vertices (so distances measured along them agree)."""
    return a.equals(b) and {tuple(p) for p in shapely.get_coordinates(a)} == {tuple(p) for p in shapely.get_coordinates(b)}


def test_changed_boxes_cover_the_difference():
    """The boxes cover where two areas differ; the same area gives none; a different one gives None (derive whole)."""
    square = _published([shapely.box(30, 47, 34, 49)])
    notched = _published([shapely.box(30, 47, 34, 49).difference(shapely.box(31, 48.5, 31.2, 49.5))])
    assert _changed_boxes(square, notched) is None  # most of the few edges changed
    boxes = _changed_boxes(square, notched, max_share=1.0)
    assert boxes.shape == (1, 4)
    assert shapely.box(*boxes[0]).contains(square.symmetric_difference(notched))
    assert _changed_boxes(square, _published([shapely.box(30, 47, 34, 49)])).shape == (0, 4)
    assert _changed_boxes(square, _published([shapely.box(35, 47, 36, 49)])) is None


def test_changed_boxes_join_loops_across_parts():
    """An island added inside a hole is one more loop; a moved part is one loop of old and new edges."""
    frame = shapely.box(30, 47, 34, 49).difference(shapely.box(31, 47.5, 33, 48.5))
    holed = _published([frame, shapely.box(36, 47, 37, 48)])
    island = _published([frame, shapely.box(36, 47, 37, 48), shapely.box(31.5, 47.8, 32, 48.2)])
    boxes = _changed_boxes(holed, island, max_share=1.0)
    assert boxes.tolist() == [[31.5, 47.8, 32.0, 48.2]]
    shifted = _published([frame, shapely.box(36, 47, 37.1, 48)])
    (box,) = _changed_boxes(holed, shifted, max_share=1.0)
    assert shapely.box(*box).contains(holed.symmetric_difference(shifted))


@pytest.mark.parametrize("away", [shapely.box(-1, -1, 5, 5), shapely.box(-100, -100, 100, 100), shapely.box(50, 50, 60, 60)])
def test_rings_started_outside(away):
    """Rings start at their first vertex outside the window (unchanged when all or none are inside); same polygons."""
    area = shapely.MultiPolygon([shapely.box(0, 0, 10, 10).difference(shapely.box(2, 2, 4, 4)), shapely.box(20, 0, 21, 1)])
    shapely.prepare(away)
    started = _started_outside(area, away)
    assert started.equals(area) and started.is_valid
    for ring in shapely.get_rings(shapely.get_parts(started)):
        points = shapely.get_coordinates(ring)
        inside = shapely.contains_xy(away, points[:, 0], points[:, 1])
        assert not inside[0] or inside.all()


def test_stitch_refuses_lines_that_differ_at_the_seam():
    """When the two lines do not share the segments crossing the cut's edge, the stitch gives None."""
    cut = shapely.box(1, -1, 2, 1)
    before = shapely.MultiLineString([[(0, 0), (1.5, 0), (3, 0)]])
    same = _stitched(before, shapely.MultiLineString([[(0, 0), (1.5, 0.1), (3, 0)]]), cut)
    assert same is None  # the crossing segments (0,0)-(1.5,0.1) and (0,0)-(1.5,0) differ
    fresh = shapely.MultiLineString([[(0.9, 0), (1.2, 0), (1.5, 0.1), (1.8, 0), (2.1, 0)]])
    before = shapely.MultiLineString([[(0, 0), (0.9, 0), (1.2, 0), (1.5, 0), (1.8, 0), (2.1, 0), (3, 0)]])
    joined = _stitched(before, fresh, cut)
    assert joined.equals(shapely.MultiLineString([[(0, 0), (0.9, 0), (1.2, 0), (1.5, 0.1), (1.8, 0), (2.1, 0), (3, 0)]]))


@realdata
def test_reuse_gives_the_whole_derivation_on_a_day_with_local_changes():
    """A day moved at three places: the updated line equals the line derived whole, vertex for vertex."""
    occupied = _occupied("2025-08-01_1754077960.geojson")
    before = _published(occupied)
    before_line = _contact_line(before)
    points = shapely.get_coordinates(before_line)  # places on the front
    sites = points[np.random.default_rng(3).integers(0, len(points), 3)]
    after = _published(_bumped(occupied, sites))
    updated = _update_contact(after, before, lambda: before_line)
    assert updated is not None  # the local path was taken
    whole = _contact_line(after)
    assert not whole.equals(before_line)
    assert _same_line(updated, whole)


@realdata
def test_reuse_on_a_redrawn_day_and_in_a_chain(monkeypatch):
    """derive_many over a chain (a day, a locally changed day, a redrawn map, an unchanged area with a new grey zone)
    gives each snapshot's whole derivation."""
    import geo.frontlines

    stitched = []
    monkeypatch.setattr(geo.frontlines, "_stitched", lambda *args: stitched.append(1) or _stitched(*args))
    names = sorted(p.name for p in DEEPSTATE.glob("*.geojson"))
    first = _occupied(names[-2])
    second = _bumped(first, [shapely.get_coordinates(_contact_line(_published(first)))[100]])
    redrawn = _occupied(names[-1])
    grey = [shapely.box(37.0, 47.0, 37.1, 47.1)]
    snapshots = [(first, []), (second, []), (redrawn, []), (redrawn, grey)]
    results = derive_many(snapshots, workers=2, reuse=True)
    assert stitched  # the locally changed day was updated, not derived whole
    assert results[3][1] is results[2][1]  # same occupied area: the same line
    for (occupied, contested), (published, line, zone) in zip(snapshots, results, strict=True):
        expected = derive_front_geometry(occupied, contested)
        assert published.equals(expected[0])
        assert _same_line(line, expected[1])
        assert (zone is None and expected[2] is None) or zone.equals(expected[2])


@pytest.mark.parametrize("empty_first", [True, False])
def test_reuse_with_an_empty_area(empty_first):
    """An empty occupied area before or after: the whole derivation, no error."""
    area = [shapely.box(37.0, 47.5, 38.5, 48.5)]
    snapshots = [([], []), (area, [])] if empty_first else [(area, []), ([], [])]
    results = derive_many(snapshots, workers=1, reuse=True)
    for (occupied, contested), result in zip(snapshots, results, strict=True):
        expected = derive_front_geometry(occupied, contested)
        assert result[1].equals(expected[1]) or (result[1].is_empty and expected[1].is_empty)
