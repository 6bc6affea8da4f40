"""The on-disk copy of the study area is the very polygon the construction gives (issue 12 speed work)."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from geo import studyarea


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(tmp_path))
    studyarea.load_study_area.cache_clear()
    yield tmp_path
    studyarea.load_study_area.cache_clear()


@pytest.fixture(scope="module")
def built():
    return studyarea.build_study_area(50.0)


def test_cached_polygon_equals_the_built_one_exactly(cache_dir, built):
    first = studyarea.load_study_area(50.0)  # builds and writes the cache
    files = list(cache_dir.glob("study-area-*.wkb"))
    assert len(files) == 1
    assert list(cache_dir.iterdir()) == files  # written through geo.atomic: no temporary file left
    studyarea.load_study_area.cache_clear()
    second = studyarea.load_study_area(50.0)  # reads the cache
    assert shapely.to_wkb(first) == shapely.to_wkb(built) == shapely.to_wkb(second)
    # the same points fall inside: a grid over the buffer's edge region
    lon, lat = np.meshgrid(np.linspace(21.0, 41.5, 120), np.linspace(43.5, 53.5, 80))
    assert np.array_equal(studyarea.points_in_area(lon.ravel(), lat.ravel(), second),
                          studyarea.points_in_area(lon.ravel(), lat.ravel(), built))


def test_each_buffer_has_its_own_entry(cache_dir):
    small = studyarea.load_study_area(0.0)
    large = studyarea.load_study_area(1.0)
    assert len(list(cache_dir.glob("study-area-*.wkb"))) == 2
    assert large.area > small.area


def test_damaged_cache_file_is_rebuilt(cache_dir):
    studyarea.load_study_area(1.0)
    (path,) = cache_dir.glob("study-area-*.wkb")
    path.write_bytes(b"not wkb at all")
    studyarea.load_study_area.cache_clear()
    area = studyarea.load_study_area(1.0)
    assert shapely.to_wkb(area) == shapely.to_wkb(studyarea.build_study_area(1.0))
    assert path.read_bytes() == shapely.to_wkb(area)  # rewritten


def test_cache_off_and_unwritable_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", "off")
    studyarea.load_study_area.cache_clear()
    try:
        assert studyarea.study_area_cache_dir() is None
        off = studyarea.load_study_area(0.0)
        blocker = tmp_path / "file"
        blocker.write_text("x")
        monkeypatch.setenv("CONFLICTMAP_CACHE_DIR", str(blocker / "below-a-file"))
        studyarea.load_study_area.cache_clear()
        unwritable = studyarea.load_study_area(0.0)
        assert shapely.to_wkb(off) == shapely.to_wkb(unwritable)
    finally:
        studyarea.load_study_area.cache_clear()
