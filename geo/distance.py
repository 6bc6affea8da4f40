"""Geodesic distance from incidents to the line of contact and to Russian / occupied territory.

Method (``docs/GEOMETRY.md`` describes it with the measured error):

1. A line (a snapshot's contact line, the boundary of its occupied area, the
   boundary of Russia + Belarus) is densified to 0.01°, projected to the
   conformal working CRS (:data:`geo.boundaries.WORKING_CRS`), cut into chunks
   of :data:`CHUNK_SEGMENTS` segments with bounding boxes, and sampled (every
   vertex and points :data:`SAMPLE_SPACING_M` apart) into a k-d tree.
2. For each point the exact nearest point of the line in the plane is found
   from the nearest samples (:meth:`LineIndex.planar_nearest`: the same point
   GEOS's nearest-points query returns); it is taken back to
   longitude/latitude and measured with :meth:`pyproj.Geod.inv`.
3. The projection's scale factor lies in ``[k_min, k_max]``, so any point of the
   line that is geodesically nearer lies within ``planar * k_max / k_min`` in the
   plane. Chunks of *other branches* inside that band are measured the same way;
   the minimum wins.

Incidents are grouped by the snapshot in force; nothing loops over incidents in Python.
"""

from __future__ import annotations

import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pykdtree.kdtree import KDTree
from pyproj import Geod, Proj

from geo.boundaries import WORKING_CRS, load_neighbour_states, working_transformers
from geo.frontlines import snapshot_index_for_dates

GEOD = Geod(ellps="WGS84")
#: Segments per chunk of the other-branch search (about 30 km of line).
CHUNK_SEGMENTS = 32
#: Lines are densified to this segment length (degrees, about 1 km) before projection.
MAX_SEGMENT_DEG = 0.01
#: Chunks per super-box of the two-level bounding-box filter.
SUPER_CHUNKS = 8
#: A candidate nearest point this close (m) to the first-found one is the same branch.
LOCAL_M = 1000.0
#: Samples fetched per point for the exact nearest-point search, then again with more where needed.
NEAR_SAMPLES = (2, 8, 32)
#: Longest distance (m) between two samples of a segment in the nearest-point search.
SAMPLE_SPACING_M = 300.0
#: Nearest chunk centres fetched per point for the other-branch candidates (all chunks when needed).
NEAR_CHUNKS = 8
_LINE_LOCK = threading.Lock()
FRONT_ENRICHMENT_COLUMNS = ("front_snapshot_date", "front_distance_km", "in_occupied_territory", "distance_to_russia_km")


class LineIndex:
    """A (multi)line prepared for geodesic nearest-distance queries from many points.

    Parameters
    ----------
    lines : shapely geometry
        Lines (or a polygon's ``.boundary``) in EPSG:4326; empty allowed.
    """

    def __init__(self, lines: shapely.Geometry):
        # segments are straight in longitude/latitude (GeoJSON semantics); densified so the
        # working-CRS chord of each stays within centimetres of it
        parts = _line_parts(shapely.segmentize(lines, MAX_SEGMENT_DEG) if lines is not None else None)
        self.empty = not parts
        if self.empty:
            self.lat_range = (90.0, -90.0)
            return
        coords = np.concatenate(parts)
        self.lat_range = (float(coords[:, 1].min()), float(coords[:, 1].max()))
        forward, _ = working_transformers()
        x, y = forward.transform(coords[:, 0], coords[:, 1])
        sizes = np.array([len(p) for p in parts])
        offsets = np.r_[0, np.cumsum(sizes)]
        # segments grouped in chunks of CHUNK_SEGMENTS per part (padded by repeating the part's last one)
        n_segs = sizes - 1
        count = -(-n_segs // CHUNK_SEGMENTS)
        self.part = np.repeat(np.arange(len(parts)), count)
        local = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
        first = offsets[self.part, None] + local[:, None] * CHUNK_SEGMENTS + np.arange(CHUNK_SEGMENTS)
        first = np.minimum(first, (offsets[self.part] + n_segs[self.part] - 1)[:, None])
        n_chunks = len(first)
        self.x0, self.y0, self.x1, self.y1 = x[first], y[first], x[first + 1], y[first + 1]
        self.vx, self.vy = np.asarray(x, dtype="float64"), np.asarray(y, dtype="float64")
        # segment i joins vertices i and i + 1 when both belong to the same part
        part_id = np.repeat(np.arange(len(parts)), sizes)
        self.seg_ok = np.r_[part_id[1:] == part_id[:-1], False]
        self._build_samples()
        self._sizes, self._line = sizes, None
        self.boxes = np.stack(
            [np.minimum(self.x0, self.x1).min(1), np.minimum(self.y0, self.y1).min(1),
             np.maximum(self.x0, self.x1).max(1), np.maximum(self.y0, self.y1).max(1)], axis=1
        )
        n_super = -(-n_chunks // SUPER_CHUNKS)
        pad = np.resize(np.arange(n_chunks), n_super * SUPER_CHUNKS)
        pad[n_chunks:] = n_chunks - 1
        grouped = self.boxes[pad].reshape(n_super, SUPER_CHUNKS, 4)
        self.super_boxes = np.concatenate([grouped[:, :, :2].min(1), grouped[:, :, 2:].max(1)], axis=1)
        self.n_chunks = n_chunks
        centres = (self.boxes[:, :2] + self.boxes[:, 2:]) / 2
        half = (self.boxes[:, 2:] - self.boxes[:, :2]) / 2
        self.chunk_reach = float(np.hypot(half[:, 0], half[:, 1]).max())
        self.chunk_tree = KDTree(np.ascontiguousarray(centres), leafsize=8)

    def _build_samples(self) -> None:
        """Build the samples of :meth:`planar_nearest` and their tree.

        Every vertex, and points along each segment at most :data:`SAMPLE_SPACING_M`
        apart; each sample knows its segment(s) (a vertex: the one or two it joins).
        """
        vx, vy, seg_ok = self.vx, self.vy, self.seg_ok
        segs = np.flatnonzero(seg_ok)
        length = np.hypot(vx[segs + 1] - vx[segs], vy[segs + 1] - vy[segs])
        pieces = np.maximum(np.ceil(length / SAMPLE_SPACING_M), 1).astype(np.intp)
        inner = pieces - 1
        own = np.repeat(segs, inner)
        step = np.arange(inner.sum()) - np.repeat(np.cumsum(inner) - inner, inner) + 1
        t = step / np.repeat(pieces, inner)
        n = len(vx)
        before_ok = np.r_[False, seg_ok[:-1]]
        self.seg_a = np.r_[np.where(before_ok, np.arange(n) - 1, 0), own]
        self.seg_a_ok = np.r_[before_ok, np.ones(len(own), dtype=bool)]
        self.seg_b = np.r_[np.arange(n), own]
        self.seg_b_ok = np.r_[seg_ok, np.zeros(len(own), dtype=bool)]
        self.sample_gap2 = float(((length / pieces) ** 2).max()) if len(segs) else 0.0
        samples = np.column_stack([np.r_[vx, vx[own] + t * (vx[own + 1] - vx[own])], np.r_[vy, vy[own] + t * (vy[own + 1] - vy[own])]])
        self.sample_tree = KDTree(samples, leafsize=16)

    def distance_m(self, lon: np.ndarray, lat: np.ndarray, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """Geodesic distance (metres, WGS84) from each point to the nearest point of the line.

        Parameters
        ----------
        lon, lat, x, y : numpy.ndarray
            The points in degrees and in the working CRS (metres), as for :meth:`nearest`.

        Returns
        -------
        numpy.ndarray of float64
            NaN when the line is empty.
        """
        return self.nearest(lon, lat, x, y)[0]

    def nearest(self, lon: np.ndarray, lat: np.ndarray, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, ...]:
        """Geodesic distance to the line and the working-CRS coordinates of the nearest point.

        Parameters
        ----------
        lon, lat : numpy.ndarray
            Point coordinates, degrees.
        x, y : numpy.ndarray
            The same points in the working CRS (metres).

        Returns
        -------
        (distance, nx, ny) : tuple of numpy.ndarray
            Metres (NaN when the line is empty) and the nearest point in metres.
        """
        n = len(lon)
        if self.empty or n == 0:
            return np.full(n, np.nan), np.full(n, np.nan), np.full(n, np.nan)
        _, inverse = working_transformers()
        qx, qy = self.planar_nearest(x, y)
        qlon, qlat = inverse.transform(qx, qy)
        _, _, result = GEOD.inv(lon, lat, qlon, qlat)
        ratio = _scale_ratio(min(self.lat_range[0], float(lat.min())), max(self.lat_range[1], float(lat.max())))
        planar = np.hypot(x - qx, y - qy)
        band = planar * ratio + 1.0
        # another branch can only be nearer by the projection's distortion, (ratio - 1) * distance:
        # below a metre there is nothing to look for
        search = np.flatnonzero(planar * (ratio - 1.0) > 1.0)
        point, chunk = self._other_branches(x[search], y[search], qx[search], qy[search], band[search])
        point = search[point]
        if point.size == 0:
            return result, qx, qy
        px, py = x[point], y[point]
        x0, y0, x1, y1 = self.x0[chunk], self.y0[chunk], self.x1[chunk], self.y1[chunk]
        dx, dy = x1 - x0, y1 - y0
        length2 = dx * dx + dy * dy
        t = np.clip(((px[:, None] - x0) * dx + (py[:, None] - y0) * dy) / np.where(length2 > 0, length2, 1.0), 0.0, 1.0)
        fx, fy = x0 + t * dx, y0 + t * dy
        d2 = (fx - px[:, None]) ** 2 + (fy - py[:, None]) ** 2
        best = d2.argmin(axis=1)
        rows = np.arange(len(point))
        cx, cy, cd = fx[rows, best], fy[rows, best], np.sqrt(d2[rows, best])
        far = (cd <= band[point]) & (np.hypot(cx - qx[point], cy - qy[point]) > LOCAL_M)
        if far.any():
            point, cx, cy = point[far], cx[far], cy[far]
            clon, clat = inverse.transform(cx, cy)
            _, _, other = GEOD.inv(lon[point], lat[point], clon, clat)
            # keep the best candidate per point, then update where it beats the first
            order = np.lexsort((other, point))
            point, other, cx, cy = point[order], other[order], cx[order], cy[order]
            first = np.r_[True, point[1:] != point[:-1]]
            point, other, cx, cy = point[first], other[first], cx[first], cy[first]
            better = other < result[point]
            result[point[better]] = other[better]
            qx[point[better]], qy[point[better]] = cx[better], cy[better]
        return result, qx, qy

    def planar_nearest(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Nearest point of the line in the working CRS: the point GEOS's nearest-points query returns.

        Exact by construction. Every segment carries samples (its ends and points
        at most ``s`` apart along it, :data:`SAMPLE_SPACING_M`). If the nearest point
        of the line lies on a segment at distance ``d``, a sample of that segment
        lies within ``sqrt(d**2 + s**2 / 4)`` of the query point, and ``d`` is at most
        the distance to the nearest sample. Every segment with a sample inside
        that radius is evaluated with GEOS's ``LineSegment::closestPoint``
        arithmetic, so the result is the same point GEOS finds. Points with more
        samples inside the radius than fetched are fetched again with more; the
        few left go to GEOS itself.

        Parameters
        ----------
        x, y : numpy.ndarray
            Points in the working CRS (metres); the line must not be empty.

        Returns
        -------
        (qx, qy) : tuple of numpy.ndarray
        """
        qx, qy = np.empty(len(x)), np.empty(len(x))
        todo = np.arange(len(x))
        n_samples = len(self.seg_a)
        for k in NEAR_SAMPLES:
            k = min(k, n_samples)
            if todo.size == 0:
                break
            dist2, sample = self.sample_tree.query(np.column_stack([x[todo], y[todo]]), k=k, sqr_dists=True)
            dist2, sample = dist2.reshape(len(todo), k), sample.reshape(len(todo), k).astype(np.intp)
            # margin for the rounding of the samples and distances: a larger radius only adds candidates
            radius2 = (dist2[:, 0] + self.sample_gap2 / 4) * (1 + 1e-9) + 1e-6
            done = np.ones(len(todo), dtype=bool) if k == n_samples else dist2[:, -1] > radius2
            single = done & (dist2[:, 1] > radius2) if k > 1 else done
            for rows, cols in ((single, slice(0, 1)), (done & ~single, slice(None))):
                picked, near = sample[rows, cols], dist2[rows, cols] <= radius2[rows, None]
                seg = np.concatenate([self.seg_a[picked], self.seg_b[picked]], axis=1)
                ok = np.concatenate([near & self.seg_a_ok[picked], near & self.seg_b_ok[picked]], axis=1)
                rows = todo[rows]
                qx[rows], qy[rows] = _closest_on_segments(self.vx, self.vy, seg, ok, x[rows], y[rows])
            todo = todo[~done]
        if todo.size:
            got = shapely.get_coordinates(shapely.shortest_line(self.line, shapely.points(x[todo], y[todo])))[0::2]
            qx[todo], qy[todo] = got[:, 0], got[:, 1]
        return qx, qy

    @property
    def line(self) -> shapely.Geometry:
        """The line in the working CRS as one prepared MultiLineString (built on first use).

        Built under a lock, with one query run before it is handed out: GEOS builds a
        prepared geometry's index lazily, and the neighbour-state index is shared by threads.
        """
        with _LINE_LOCK:
            if self._line is None:
                line = shapely.multilinestrings(shapely.linestrings(np.column_stack([self.vx, self.vy]), indices=np.repeat(np.arange(len(self._sizes)), self._sizes)))
                shapely.prepare(line)
                shapely.shortest_line(line, shapely.points(self.vx[:1], self.vy[:1]))
                self._line = line
        return self._line

    def lower_bound_m(self, x: np.ndarray, y: np.ndarray, ratio: float) -> np.ndarray:
        """Return a cheap lower bound of the geodesic distance (bounding boxes, scale ``ratio``).

        Parameters
        ----------
        x, y : numpy.ndarray
            Points in the working CRS.
        ratio : float
            An upper bound of the projection's scale factor over the region.

        Returns
        -------
        numpy.ndarray of float64
            Metres; +inf when the line is empty.
        """
        if self.empty or len(x) == 0:
            return np.full(len(x), np.inf)
        out = np.empty(len(x))
        step = max(1, 2_000_000 // len(self.super_boxes))
        for lo in range(0, len(x), step):
            d2 = _box_distance2(x[lo:lo + step, None], y[lo:lo + step, None], self.super_boxes)
            out[lo:lo + step] = np.sqrt(d2.min(axis=1)) / ratio
        return out

    def _other_branches(self, x, y, qx, qy, band) -> tuple[np.ndarray, np.ndarray]:
        """(point, chunk) pairs that may hold a nearer point on another branch of the line.

        Candidates are the chunks whose bounding box lies within ``band`` of the
        point. Runs of consecutive chunks (along one part) that include a chunk
        whose box holds the first-found nearest point are that point's own
        branch and are dropped; everything else is returned for evaluation.
        """
        point, chunk = self._candidates(x, y, band)
        if point.size == 0:
            return point, chunk
        box = self.boxes[chunk]
        px, py = qx[point], qy[point]
        holds = (box[:, 0] - 1e-3 <= px) & (px <= box[:, 2] + 1e-3) & (box[:, 1] - 1e-3 <= py) & (py <= box[:, 3] + 1e-3)
        new_run = np.r_[True, (point[1:] != point[:-1]) | (chunk[1:] != chunk[:-1] + 1) | (self.part[chunk[1:]] != self.part[chunk[:-1]])]
        run = np.cumsum(new_run) - 1
        own = np.zeros(run[-1] + 1, dtype=bool)
        own[run[holds]] = True
        keep = ~own[run]
        return point[keep], chunk[keep]

    def _candidates(self, x: np.ndarray, y: np.ndarray, band: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, chunk) pairs whose chunk bounding box lies within ``band`` of the point, sorted.

        The chunks nearest by box centre are tested first: when the last of them is
        farther than ``band`` plus the largest box half-diagonal, no other chunk's box
        can be within ``band``. Other points test every chunk (:meth:`_candidates_dense`).
        """
        k = NEAR_CHUNKS
        if self.n_chunks <= k or len(x) == 0:
            return self._candidates_dense(x, y, band)
        dist, chunk = self.chunk_tree.query(np.column_stack([x, y]), k=k)
        chunk = chunk.astype(np.intp)
        done = dist[:, -1] - self.chunk_reach > band * (1 + 1e-9) + 1e-6
        rows = np.flatnonzero(done)
        chunk = chunk[rows]
        box = self.boxes[chunk]
        px, py, bb = x[rows, None], y[rows, None], band[rows, None]
        gx = np.maximum(np.maximum(box[..., 0] - px, px - box[..., 2]), 0.0)
        gy = np.maximum(np.maximum(box[..., 1] - py, py - box[..., 3]), 0.0)
        keep = gx * gx + gy * gy <= bb * bb
        chunk = np.sort(np.where(keep, chunk, self.n_chunks), axis=1)
        keep = chunk < self.n_chunks
        points = np.repeat(rows, keep.sum(axis=1))
        chunks = chunk[keep]
        rest = np.flatnonzero(~done)
        if rest.size:
            p_rest, c_rest = self._candidates_dense(x[rest], y[rest], band[rest])
            points, chunks = np.r_[points, rest[p_rest]], np.r_[chunks, c_rest]
            order = np.argsort(points, kind="stable")
            points, chunks = points[order], chunks[order]
        return points, chunks

    def _candidates_dense(self, x: np.ndarray, y: np.ndarray, band: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(point, chunk) pairs whose chunk bounding box lies within ``band``: every super-box, then its chunks."""
        points, chunks = [np.empty(0, dtype=np.intp)], [np.empty(0, dtype=np.intp)]
        step = max(1, 2_000_000 // max(len(self.super_boxes), 1))
        offsets = np.arange(SUPER_CHUNKS)
        for lo in range(0, len(x), step):
            bx, by, bb = x[lo:lo + step, None], y[lo:lo + step, None], band[lo:lo + step, None]
            near = _box_distance2(bx, by, self.super_boxes) <= bb * bb
            p_idx, s_idx = np.nonzero(near)
            c_idx = (s_idx[:, None] * SUPER_CHUNKS + offsets).ravel()
            p_idx = np.repeat(p_idx, SUPER_CHUNKS)
            valid = c_idx < self.n_chunks
            p_idx, c_idx = p_idx[valid], c_idx[valid]
            box = self.boxes[c_idx]
            px, py = x[lo + p_idx], y[lo + p_idx]
            gx = np.maximum(np.maximum(box[:, 0] - px, px - box[:, 2]), 0.0)
            gy = np.maximum(np.maximum(box[:, 1] - py, py - box[:, 3]), 0.0)
            keep = gx * gx + gy * gy <= band[lo + p_idx] ** 2
            points.append(lo + p_idx[keep])
            chunks.append(c_idx[keep])
        return np.concatenate(points), np.concatenate(chunks)


def _closest_on_segments(vx, vy, seg, ok, px, py) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the nearest of the candidate segments' closest points (GEOS ``LineSegment::closestPoint``).

    ``seg`` (rows x candidates) holds segment numbers (segment i joins vertices i
    and i + 1), ``ok`` which of them count.
    """
    seg = np.where(ok, seg, 0)
    px, py = px[:, None], py[:, None]
    x0, y0, x1, y1 = vx[seg], vy[seg], vx[seg + 1], vy[seg + 1]
    dx, dy = x1 - x0, y1 - y0
    with np.errstate(invalid="ignore", divide="ignore"):
        r = ((px - x0) * dx + (py - y0) * dy) / (dx * dx + dy * dy)
    inner = (r > 0) & (r < 1)
    start = ~inner & ~(r >= 1)  # before the segment, or a zero-length one: its first end
    fx = np.where(inner, x0 + r * dx, np.where(start, x0, x1))
    fy = np.where(inner, y0 + r * dy, np.where(start, y0, y1))
    d2 = np.where(ok, (fx - px) ** 2 + (fy - py) ** 2, np.inf)
    best = d2.argmin(axis=1)
    rows = np.arange(len(best))
    return fx[rows, best], fy[rows, best]


def _box_distance2(x: np.ndarray, y: np.ndarray, boxes: np.ndarray) -> np.ndarray:
    gx = np.maximum(np.maximum(boxes[:, 0] - x, x - boxes[:, 2]), 0.0)
    gy = np.maximum(np.maximum(boxes[:, 1] - y, y - boxes[:, 3]), 0.0)
    return gx * gx + gy * gy


def _line_parts(lines: shapely.Geometry) -> list[np.ndarray]:
    """Longitude/latitude coordinate arrays of every linear part (two or more vertices)."""
    if lines is None or lines.is_empty:
        return []
    parts = []
    for part in shapely.get_parts(lines):
        if part.geom_type in ("MultiLineString", "GeometryCollection"):
            parts.extend(_line_parts(part))
        elif part.geom_type in ("LineString", "LinearRing"):
            coords = shapely.get_coordinates(part)
            if len(coords) >= 2:
                parts.append(coords)
        elif part.geom_type in ("Polygon", "MultiPolygon"):
            parts.extend(_line_parts(part.boundary))
    return parts


@lru_cache(maxsize=64)
def _scale_ratio_cached(lat_lo: float, lat_hi: float) -> float:
    lats = np.linspace(lat_lo, lat_hi, 400)
    factors = Proj(WORKING_CRS).get_factors(np.full(len(lats), 31.5), lats)
    scale = np.asarray(factors.meridional_scale)
    return float(scale.max() / scale.min())


def _scale_ratio(lat_lo: float, lat_hi: float) -> float:
    """k_max / k_min of the (conformal, latitude-only) working CRS over a latitude band.

    The band is widened by 0.5° (a geodesic across all of Ukraine bulges
    poleward by about 0.2°) and rounded outward to 0.5° so the cache stays
    small; a 0.05 % safety margin is added.
    """
    lo = max(np.floor((lat_lo - 0.5) * 2) / 2, -80.0)
    hi = min(np.ceil((lat_hi + 0.5) * 2) / 2, 84.0)
    return _scale_ratio_cached(float(lo), float(hi)) * 1.0005


@lru_cache(maxsize=1)
def _neighbour_index() -> tuple[LineIndex, shapely.Geometry]:
    neighbours = load_neighbour_states()
    shapely.prepare(neighbours)
    return LineIndex(neighbours.boundary), neighbours


#: Grid of lower bounds for the distance to Russia/Belarus: (west, south, step) in degrees.
FLOOR_GRID = (20.0, 43.0, 0.1)
FLOOR_SHAPE = (110, 225)  # rows (latitude), columns (longitude): 43-54°N, 20-42.5°E


@lru_cache(maxsize=1)
def _neighbour_floor() -> np.ndarray:
    """Lower bound (m) of the distance to Russia/Belarus for every 0.1° cell of the study region.

    Triangle inequality on the geodesic metric: for P in a cell with centre C,
    d(P) >= d(C) - |PC| >= d(C) - (the cell's half-diagonal). Computed once per process.
    """
    west, south, step = FLOOR_GRID
    rows, cols = FLOOR_SHAPE
    lat = south + (np.arange(rows) + 0.5) * step
    lon = west + (np.arange(cols) + 0.5) * step
    grid_lon, grid_lat = np.meshgrid(lon, lat)
    glon, glat = grid_lon.ravel(), grid_lat.ravel()
    lines, neighbours = _neighbour_index()
    x, y = (np.asarray(v) for v in working_transformers()[0].transform(glon, glat))
    centre = lines.distance_m(glon, glat, x, y)
    centre[shapely.intersects_xy(neighbours, glon, glat)] = 0.0
    # the corner nearer the equator is the farthest point of the cell from its centre
    _, _, half_diagonal = GEOD.inv(glon, glat, glon + step / 2, glat - np.sign(glat) * step / 2)
    return np.maximum(centre - half_diagonal - 5.0, 0.0).reshape(rows, cols)


def _neighbour_lower_bound(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    west, south, step = FLOOR_GRID
    rows, cols = FLOOR_SHAPE
    i = np.floor((lat - south) / step).astype("int64")
    j = np.floor((lon - west) / step).astype("int64")
    inside = (i >= 0) & (i < rows) & (j >= 0) & (j < cols)
    out = np.zeros(len(lon))
    out[inside] = _neighbour_floor()[i[inside], j[inside]]
    return out


def geodesic_distance_to_lines(lon, lat, lines: shapely.Geometry) -> np.ndarray:
    """Geodesic distance (km) from points to the nearest point of some lines.

    Parameters
    ----------
    lon, lat : array_like
        Point coordinates in degrees.
    lines : shapely geometry
        Lines in EPSG:4326 (a polygon's ``.boundary`` works too).

    Returns
    -------
    numpy.ndarray of float64
        Kilometres; NaN for non-finite coordinates or empty lines.
    """
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    out = np.full(len(lon), np.nan)
    ok = np.isfinite(lon) & np.isfinite(lat)
    if ok.any():
        x, y = working_transformers()[0].transform(lon[ok], lat[ok])
        out[ok] = LineIndex(lines).distance_m(lon[ok], lat[ok], np.asarray(x), np.asarray(y)) / 1000.0
    return out


def compute_front_enrichment(lon, lat, dates, frontlines, workers: int | None = None) -> pd.DataFrame:
    """Distance from the front as it stood on each incident's date.

    Parameters
    ----------
    lon, lat : array_like
        Incident coordinates, degrees (EPSG:4326).
    dates : array_like of datetime64
        Incident dates.
    frontlines : geopandas.GeoDataFrame or None
        Snapshots from :func:`geo.frontlines.read_frontlines`.
    workers : int, optional
        Threads over snapshot groups (GEOS, PROJ and numpy release the GIL);
        default: the number of CPUs.

    Returns
    -------
    pandas.DataFrame
        One row per incident, columns :data:`FRONT_ENRICHMENT_COLUMNS`:
        ``front_snapshot_date`` (datetime64[ns]), ``front_distance_km`` (float64,
        geodesic distance to the line of contact, negative inside occupied
        territory), ``in_occupied_territory`` (boolean), ``distance_to_russia_km``
        (float64, to the nearest point of Russia, Belarus or that snapshot's
        occupied territory; 0 inside them). All missing (NaT / NaN / <NA>) for
        incidents before the first snapshot, without coordinates, or when
        ``frontlines`` is None.
    """
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    n = len(lon)
    snapshot_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")
    front = np.full(n, np.nan)
    occupied = np.zeros(n, dtype=bool)
    russia = np.full(n, np.nan)
    known = np.zeros(n, dtype=bool)
    if frontlines is not None and len(frontlines) and n:
        index = snapshot_index_for_dates(frontlines, dates)
        valid = np.flatnonzero((index >= 0) & np.isfinite(lon) & np.isfinite(lat))
        known[valid] = True
        # incidents often share coordinates (geocoded to a town): compute each (place, snapshot) once
        rows, expand = _unique_rows(lon[valid], lat[valid], index[valid])
        rows = valid[rows]
        if rows.size:
            vlon, vlat = lon[rows], lat[rows]
            neighbour_lines, neighbours = _neighbour_index()
            snaps = index[rows]
            snapshot_dates = pd.to_datetime(frontlines["snapshot_date"]).astype("datetime64[ns]").to_numpy()
            # by snapshot, then in strips of 0.2° of latitude by longitude: neighbouring queries reuse
            # the same index nodes
            order = np.lexsort((vlon, np.floor(vlat * 5.0), snaps))
            cuts = np.flatnonzero(np.r_[True, snaps[order][1:] != snaps[order][:-1], True])
            # warm the shared index, the point locator of the neighbour states and the floor grid up
            # front (cached, built once per process; GEOS builds a prepared geometry's index lazily)
            forward = working_transformers()[0]
            x1, y1 = (np.asarray(v) for v in forward.transform(vlon[:1], vlat[:1]))
            neighbour_lines.nearest(vlon[:1], vlat[:1], x1, y1)
            shapely.intersects_xy(neighbours, vlon[:1], vlat[:1])
            _neighbour_floor()
            groups = [order[start:stop] for start, stop in zip(cuts[:-1], cuts[1:], strict=True)]
            groups.sort(key=len, reverse=True)  # largest first: the threads finish together

            def run(members: np.ndarray) -> tuple:
                snap = int(snaps[members[0]])
                mlon, mlat = vlon[members], vlat[members]
                x, y = (np.asarray(v) for v in forward.transform(mlon, mlat))
                return members, snap, _snapshot_distances(
                    frontlines.geometry.iloc[snap], frontlines["contact_line"].iloc[snap], neighbour_lines,
                    mlon, mlat, x, y, shapely.intersects_xy(neighbours, mlon, mlat),
                )

            workers = max(1, min(workers if workers is not None else (os.cpu_count() or 1), len(groups)))
            with ThreadPoolExecutor(max_workers=workers) as pool:
                for members, snap, got in pool.map(run, groups):
                    front[rows[members]], occupied[rows[members]], russia[rows[members]] = got
                    snapshot_date[rows[members]] = snapshot_dates[snap]
            for column in (front, occupied, russia, snapshot_date):
                column[valid] = column[rows][expand]
    in_occupied = pd.array(occupied, dtype="boolean")
    in_occupied[~known] = pd.NA
    return pd.DataFrame(
        {
            "front_snapshot_date": pd.Series(snapshot_date, dtype="datetime64[ns]"),
            "front_distance_km": pd.Series(front, dtype="float64"),
            "in_occupied_territory": pd.Series(in_occupied, dtype="boolean"),
            "distance_to_russia_km": pd.Series(russia, dtype="float64"),
        }
    )


def _unique_rows(lon: np.ndarray, lat: np.ndarray, snap: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of the distinct (lon, lat, snapshot) triples and the map back to every row."""
    with np.errstate(over="ignore"):
        key = (
            pd.util.hash_array(lon)
            ^ (pd.util.hash_array(lat) * np.uint64(0x9E3779B97F4A7C15))
            ^ (snap.astype("uint64") * np.uint64(0xC2B2AE3D27D4EB4F))
        )
    codes, _ = pd.factorize(key)
    first = np.unique(codes, return_index=True)[1]
    same = (lon[first][codes] == lon) & (lat[first][codes] == lat) & (snap[first][codes] == snap)
    if not same.all():  # a 64-bit hash collision: compute every row
        return np.arange(len(lon)), np.arange(len(lon))
    return first, codes


def _snapshot_distances(area, contact, neighbour_lines, lon, lat, x, y, in_neighbours) -> tuple[np.ndarray, ...]:
    """Front distance (km, signed), occupied flag and distance to Russia (km) for one snapshot's incidents.

    The occupied boundary contains the contact line, so for a point outside the
    occupied area whose nearest occupied point lies on the contact line, the two
    distances are the same number and the contact line is not searched again.
    Russia / Belarus is searched only where its bounding boxes could be nearer
    than the occupied area.
    """
    n = len(lon)
    inside = _inside(area, lon, lat)
    free = ~inside
    contact_index = LineIndex(contact)
    front = np.full(n, np.nan)
    to_area = np.where(inside, 0.0, np.inf)
    need_contact = np.ones(n, dtype=bool)
    if free.any() and area is not None and not area.is_empty:
        g, nx, ny = LineIndex(area.boundary).nearest(lon[free], lat[free], x[free], y[free])
        to_area[free] = g
        if not contact_index.empty:
            cx, cy = contact_index.planar_nearest(nx, ny)
            on_contact = np.hypot(cx - nx, cy - ny) <= 0.5
            idx = np.flatnonzero(free)[on_contact]
            front[idx] = g[on_contact]
            need_contact[idx] = False
    if need_contact.any() and not contact_index.empty:
        front[need_contact] = contact_index.nearest(
            lon[need_contact], lat[need_contact], x[need_contact], y[need_contact]
        )[0]
    to_russia = np.where(in_neighbours, 0.0, to_area)
    ratio = _scale_ratio(float(lat.min()), float(lat.max()))
    check = ~in_neighbours & free
    if check.any():
        sel = np.flatnonzero(check)
        sel = sel[_neighbour_lower_bound(lon[sel], lat[sel]) < to_area[sel]]
        sel = sel[neighbour_lines.lower_bound_m(x[sel], y[sel], ratio) < to_area[sel]]
        if sel.size:
            to_russia[sel] = np.minimum(to_area[sel], neighbour_lines.nearest(lon[sel], lat[sel], x[sel], y[sel])[0])
    front = np.where(inside, -front, front) / 1000.0
    return front, inside, to_russia / 1000.0


def _inside(area, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    if area is None or area.is_empty:
        return np.zeros(len(lon), dtype=bool)
    shapely.prepare(area)
    return shapely.intersects_xy(area, lon, lat)


def snapshot_keys(frontlines) -> np.ndarray:
    """Content key of each snapshot: its date, source and the bytes of its two geometries.

    Parameters
    ----------
    frontlines : geopandas.GeoDataFrame or None
        Snapshots (columns of :data:`geo.frontlines.FRONT_COLUMNS`).

    Returns
    -------
    numpy.ndarray of object
        One ``bytes`` digest per row; two snapshots with equal keys give equal
        front columns for any incident.
    """
    if frontlines is None or len(frontlines) == 0:
        return np.array([], dtype=object)
    dates = pd.to_datetime(frontlines["snapshot_date"]).astype("datetime64[ns]").astype("int64").to_numpy()
    area = shapely.to_wkb(np.asarray(frontlines.geometry.values, dtype=object))
    contact = shapely.to_wkb(np.asarray(frontlines["contact_line"].values, dtype=object))
    keys = []
    for date, source, a, c in zip(dates, frontlines["source"].astype(str), area, contact, strict=True):
        digest = hashlib.sha256(int(date).to_bytes(8, "little", signed=True) + source.encode() + b"\0")
        digest.update(a or b"")
        digest.update(b"\0")
        digest.update(c or b"")
        keys.append(digest.digest())
    return np.array(keys, dtype=object)


def update_front_enrichment(lon, lat, dates, current: pd.DataFrame, old_frontlines, new_frontlines, workers: int | None = None) -> tuple[pd.DataFrame, np.ndarray]:
    """Re-measure only the incidents whose snapshot in force changed between two sets of front lines.

    ``current`` holds the front columns computed with ``old_frontlines``. An
    incident is re-measured when the snapshot in force on its date is a
    different one (by date, source and geometry: :func:`snapshot_keys`) in
    ``new_frontlines`` than in ``old_frontlines`` — e.g. after a new snapshot is
    added, the incidents dated from it up to the next one. Every other row keeps
    its values, so the result equals a full :func:`compute_front_enrichment`
    with ``new_frontlines`` (tested).

    Parameters
    ----------
    lon, lat : array_like
        Incident coordinates, degrees.
    dates : array_like of datetime64
        Incident dates.
    current : pandas.DataFrame
        Columns :data:`FRONT_ENRICHMENT_COLUMNS`, one row per incident, computed
        with ``old_frontlines``.
    old_frontlines, new_frontlines : geopandas.GeoDataFrame or None
        The snapshots before and after the change.
    workers : int, optional
        Threads, as in :func:`compute_front_enrichment`.

    Returns
    -------
    (pandas.DataFrame, numpy.ndarray of bool)
        The updated columns (same index as ``current``) and which rows were re-measured.
    """
    lon = np.asarray(lon, dtype="float64").ravel()
    lat = np.asarray(lat, dtype="float64").ravel()
    dates = pd.to_datetime(pd.Series(np.asarray(dates).ravel())).astype("datetime64[ns]").to_numpy()
    old_index = snapshot_index_for_dates(old_frontlines, dates)
    new_index = snapshot_index_for_dates(new_frontlines, dates)
    old_keys = np.r_[snapshot_keys(old_frontlines), np.array([None], dtype=object)]
    new_keys = np.r_[snapshot_keys(new_frontlines), np.array([None], dtype=object)]
    # compare the key of the snapshot in force per distinct (old, new) pair; -1 picks the trailing None
    # (one int64 code per pair: np.unique over rows of a 2-column array sorts a structured view, 1.7 s at 1M)
    width = len(new_keys) + 1
    codes, inverse = np.unique((old_index.astype(np.int64) + 1) * width + (new_index + 1), return_inverse=True)
    pairs = zip(codes // width - 1, codes % width - 1, strict=True)
    differs = np.array([old_keys[o] != new_keys[n] for o, n in pairs], dtype=bool)
    pair_changed = differs[inverse.ravel()] if len(codes) else np.zeros(len(lon), dtype=bool)
    out = current[list(FRONT_ENRICHMENT_COLUMNS)].copy()
    rows = np.flatnonzero(pair_changed)
    if rows.size:
        fresh = compute_front_enrichment(lon[rows], lat[rows], dates[rows], new_frontlines, workers=workers)
        for column in FRONT_ENRICHMENT_COLUMNS:
            values = out[column].array.copy()
            values[rows] = fresh[column].array
            out[column] = values
    return out, pair_changed
