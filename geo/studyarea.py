"""The study area: Ukraine's territory (all 27 first-level units) plus a buffer.

Incidents outside it are quarantined as ``outside_study_area``; a point that is
outside but lands inside once latitude and longitude are swapped is
quarantined as ``latlon_swapped`` instead. The buffer keeps cross-border
strikes near the border (Belgorod, Bryansk) and coastal incidents at sea.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from geo.cachedir import cache_dir

#: Lambert azimuthal equal-area centred on Ukraine: buffers in km stay honest everywhere in the country.
_LAEA_UKRAINE = "+proj=laea +lat_0=48.5 +lon_0=31.5 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs"
DEFAULT_BUFFER_KM = 50.0
#: Bump when the construction below changes: the on-disk copies of older constructions are then ignored.
_CONSTRUCTION = "union-laea-buffer8-simplify500-v1"


@lru_cache(maxsize=8)
def load_study_area(buffer_km: float = DEFAULT_BUFFER_KM) -> BaseGeometry:
    """Return Ukraine's territory plus ``buffer_km`` as one prepared WGS84 polygon.

    The territory is the union of :func:`geo.boundaries.load_default_boundaries`
    (Crimea and Sevastopol included). The buffer is computed in an equal-area
    projection centred on Ukraine and the result simplified to about 500 m,
    which is negligible next to any buffer and makes point tests fast.

    Building it takes about a second of CPU (the buffer of the detailed
    outline), so the result is also kept on disk (:func:`study_area_cache_dir`),
    keyed by the bundled boundary file's bytes, the buffer, the GEOS and PROJ
    versions and the construction: a later process reads the same polygon back
    (WKB keeps every coordinate exactly) instead of building it again. Any
    problem with the cache (missing, unwritable, damaged) falls back to building.

    Parameters
    ----------
    buffer_km : float
        Buffer in kilometres (0 = the territory itself).

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        Prepared (multi)polygon in EPSG:4326.
    """
    if buffer_km < 0 or not np.isfinite(buffer_km):
        raise ValueError(f"study area buffer must be a non-negative number of km, got {buffer_km}")
    path = _cache_path(float(buffer_km))
    area = _read_cached(path) if path is not None else None
    if area is None:
        area = build_study_area(buffer_km)
        if path is not None:
            _write_cached(path, area)
    shapely.prepare(area)
    return area


def build_study_area(buffer_km: float = DEFAULT_BUFFER_KM) -> BaseGeometry:
    """Build the study area polygon without any cache: what :func:`load_study_area` caches.

    Parameters
    ----------
    buffer_km : float, optional
        As for :func:`load_study_area` (default :data:`DEFAULT_BUFFER_KM`).

    Returns
    -------
    shapely.geometry.base.BaseGeometry
        The same (multi)polygon, not prepared.
    """
    from geo.boundaries import load_default_boundaries

    frame = load_default_boundaries()
    territory = frame.to_crs(_LAEA_UKRAINE).geometry.union_all()
    if buffer_km > 0:
        territory = territory.buffer(buffer_km * 1000.0, quad_segs=8)
    territory = territory.simplify(500.0)
    import geopandas as gpd

    area = gpd.GeoSeries([territory], crs=_LAEA_UKRAINE).to_crs("EPSG:4326").iloc[0]
    return shapely.make_valid(area)


def study_area_cache_dir() -> Path | None:
    """Folder of the on-disk study-area cache, or None when caching is off.

    The project's cache folder, :func:`geo.cachedir.cache_dir` (``CONFLICTMAP_CACHE_DIR``;
    ``off`` turns the cache off).

    Returns
    -------
    pathlib.Path or None
        The folder (it may not exist yet).
    """
    return cache_dir()


def _cache_path(buffer_km: float) -> Path | None:
    folder = study_area_cache_dir()
    if folder is None:
        return None
    try:
        import pyproj

        from geo.boundaries import DEFAULT_BOUNDARIES

        digest = hashlib.sha256(Path(DEFAULT_BOUNDARIES).read_bytes())
    except OSError:
        return None
    digest.update(f"\0{buffer_km!r}\0{shapely.geos_version_string}\0{pyproj.proj_version_str}\0{_CONSTRUCTION}".encode())
    return folder / f"study-area-{digest.hexdigest()[:40]}.wkb"


def _read_cached(path: Path) -> BaseGeometry | None:
    try:
        area = shapely.from_wkb(path.read_bytes())
    except (OSError, shapely.errors.GEOSException, ValueError, TypeError):
        return None
    if area is None or area.is_empty or area.geom_type not in ("Polygon", "MultiPolygon", "GeometryCollection"):
        return None
    return area


def _write_cached(path: Path, area: BaseGeometry) -> None:
    from geo.atomic import write_bytes

    try:
        write_bytes(path, shapely.to_wkb(area))
    except OSError:
        pass  # an unwritable cache only means building again next time


def points_in_area(lon: np.ndarray, lat: np.ndarray, area: BaseGeometry) -> np.ndarray:
    """Vectorised point-in-polygon test with a bounding-box pre-filter.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Coordinates in degrees (NaN gives False).
    area : shapely geometry
        Prepared polygon (see :func:`load_study_area`).

    Returns
    -------
    numpy.ndarray
        Boolean array, True inside or on the boundary.
    """
    lon = np.asarray(lon, dtype="float64")
    lat = np.asarray(lat, dtype="float64")
    minx, miny, maxx, maxy = area.bounds
    inside = (lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy)
    idx = np.flatnonzero(inside)
    if len(idx):
        inside[idx] = shapely.contains_xy(area, lon[idx], lat[idx]) | shapely.intersects_xy(area, lon[idx], lat[idx])
    return inside


def classify_points(lon: np.ndarray, lat: np.ndarray, buffer_km: float = DEFAULT_BUFFER_KM) -> tuple[np.ndarray, np.ndarray]:
    """Split valid coordinates into inside the study area, swapped, and outside.

    Parameters
    ----------
    lon, lat : numpy.ndarray
        Coordinates in degrees, already range-checked.
    buffer_km : float
        Study-area buffer in km.

    Returns
    -------
    inside : numpy.ndarray
        True where the point is in the study area.
    swapped : numpy.ndarray
        True where the point is outside but (lat, lon) read as (lon, lat) is inside.
    """
    area = load_study_area(float(buffer_km))
    inside = points_in_area(lon, lat, area)
    swapped = np.zeros_like(inside)
    outside = np.flatnonzero(~inside)
    if len(outside):
        swapped[outside] = points_in_area(np.asarray(lat)[outside], np.asarray(lon)[outside], area)
    return inside, swapped
