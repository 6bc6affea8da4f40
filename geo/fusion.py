"""Event fusion: link records that describe the same incident, within and across sources.

A *record* is one row of one publisher's file; an *event* is what happened. Two records are
linked when they fall in the same spatio-temporal window and their event types are
compatible, in the spirit of MELTT (Donnay et al. 2019: a temporal window in days, a spatial
window in km, taxonomy compatibility, each event matched at most once per dataset) and of
xSub's multi-source files (1 km / 5 km and 1 day / 2 days windows). The rule, its parameters
and its measured precision and recall are in ``docs/FUSION.md``.

Everything is vectorised: candidate pairs come from blocking on the day and a spatial grid,
distances are geodesic (WGS84) on the candidate pairs only, and events are the connected
components of the accepted links, with bounds that stop chaining.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pyproj import Geod

from geo.i18n import N_, translator
from geo.schema import FUSION_COLUMNS as SCHEMA_FUSION_COLUMNS

_GEOD = Geod(ellps="WGS84")
#: Two records this close (km) are "on the same point" (coordinates rounded differently).
_SAME_POINT_KM = 0.1
_EPOCH = np.datetime64("1970-01-01", "D")

#: Columns :func:`assign_events` adds (the event columns of :data:`geo.schema.FUSION_COLUMNS`).
EVENT_COLUMNS: dict[str, tuple[str, str]] = {k: v for k, v in SCHEMA_FUSION_COLUMNS.items() if k != "event_category"}

#: Headline authority, most authoritative first; any other source key ranks after these
#: except ``bellingcat`` (which publishes no figures) which ranks last.
AUTHORITY: tuple[str, ...] = ("curated", "ucdp", "acled")
_LAST = ("bellingcat",)

#: Event-type groups for compatibility (protests only match protests, battles only battles).
_TYPE_GROUP: dict[str, str] = {
    "missile_strike": "remote",
    "air_strike": "remote",
    "drone_strike": "remote",
    "shelling": "remote",
    "explosion": "remote",
    "mine": "remote",
    "attack_on_civilians": "attack",
    "battle": "battle",
    "protest": "protest",
    "other": "other",
}
_COMPATIBLE_GROUPS: frozenset[tuple[str, str]] = frozenset(
    {("remote", "attack"), ("attack", "remote"), ("other", "remote"), ("remote", "other"), ("other", "attack"),
     ("attack", "other"), ("other", "battle"), ("battle", "other")}
)


@dataclass(frozen=True)
class FusionRule:
    """Windows and bounds of the linking rule (defaults are documented in docs/FUSION.md).

    Attributes
    ----------
    radius_km : dict
        Spatial tolerance per ``geo_precision``; a pair may be at most the larger of its
        two tolerances apart. Precisions not listed are never linked.
    day_window : int
        Days apart two day-precise records may be (1 = same or adjacent day).
    week_window : int
        A week-precise record (its date is the week's start) matches records dated from
        ``day_window`` days before its start to ``week_window`` days after it.
    duplicate_km, duplicate_days : float, int
        Window of a same-source duplicate (the same report imported twice).
    max_span_days : int
        An event never spans more days than this (else its links are re-done greedily).
    max_extent_factor : float
        An event's bounding box diagonal stays within this many times the largest tolerance.
    """

    radius_km: tuple[tuple[str, float], ...] = (("exact", 2.0), ("near", 5.0), ("area", 10.0))
    day_window: int = 1
    week_window: int = 7
    duplicate_km: float = 1.0
    duplicate_days: int = 1
    max_span_days: int = 8
    max_extent_factor: float = 2.0

    def radius(self) -> dict[str, float]:
        """Return the tolerance per geo precision."""
        return dict(self.radius_km)


DEFAULT_RULE = FusionRule()


def _day_numbers(dates: pd.Series) -> np.ndarray:
    values = pd.to_datetime(dates, errors="coerce").to_numpy(dtype="datetime64[D]")
    out = (values - _EPOCH).astype(np.int64)
    out[np.isnat(values)] = np.iinfo(np.int64).min
    return out


def _hash_strings(values: pd.Series) -> np.ndarray:
    text = values.astype("string").fillna("")
    hashed = pd.util.hash_array(text.to_numpy(dtype=object)).astype(np.int64)
    hashed[(text == "").to_numpy()] = 0
    return hashed


def _description_keys(descriptions: pd.Series) -> np.ndarray:
    norm = descriptions.astype("string").str.lower().str.replace(r"[\W_]+", " ", regex=True).str.strip()
    return _hash_strings(norm)


def _url_keys(urls: pd.Series, width: int = 3) -> np.ndarray:
    """Hashes of each record's first ``width`` URLs (normalised), 0 = none."""
    n = len(urls)
    out = np.zeros((n, width), dtype=np.int64)
    lengths = np.fromiter((len(v) if v is not None and not isinstance(v, float) else 0 for v in urls), dtype=np.int64,
                          count=n)
    if not lengths.any():
        return out
    flat = pd.Series(urls.to_numpy(dtype=object)).explode()
    position = flat.groupby(level=0).cumcount().to_numpy()
    keep = (position < width) & flat.notna().to_numpy()
    rows = flat.index.to_numpy()[keep]
    norm = (flat[keep].astype("string").str.strip().str.lower()
            .str.replace(r"^https?://(www\.)?", "", regex=True).str.rstrip("/"))
    out[rows, position[keep]] = _hash_strings(norm)
    return out


def _grid_cells(lon: np.ndarray, lat: np.ndarray, rows: np.ndarray, members: np.ndarray,
                cell_km: float) -> tuple[np.ndarray, np.ndarray]:
    """Cell (y, x) of the records ``rows`` on the grid of a blocking pass over ``members``.

    Cells are at least ``cell_km`` wide up to the highest latitude of ``members`` plus 1°.
    """
    lat_max = min(80.0, float(np.nanmax(np.abs(lat[members]))) + 1.0)
    cell_lat = cell_km / 110.0 * 1.05
    cell_lon = cell_km / (111.32 * np.cos(np.radians(lat_max))) * 1.05
    return np.floor(lat[rows] / cell_lat).astype(np.int64), np.floor(lon[rows] / cell_lon).astype(np.int64)


def _neighbour_pairs(day: np.ndarray, lon: np.ndarray, lat: np.ndarray, left_idx: np.ndarray, right_idx: np.ndarray,
                     cell_km: float, offsets: range) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i, j), i from ``left_idx``, j from ``right_idx``, in neighbouring grid cells and close days.

    Blocks the right side on (day, cell_y, cell_x) with cells at least ``cell_km`` wide, then
    looks up, for every left record, the 3 x 3 cells around it on each day offset: any two
    points closer than ``cell_km`` are found. Pairs come back in no particular order; (i, i)
    and reversed pairs come back when the two sides overlap. When ``left_idx is right_idx``
    (and ``offsets`` is symmetric) each unordered pair is looked up from one end only.
    """
    empty = (np.zeros(0, np.int64), np.zeros(0, np.int64))
    if len(left_idx) == 0 or len(right_idx) == 0:
        return empty
    both = np.concatenate([left_idx, right_idx])
    cy, cx = _grid_cells(lon, lat, both, both, cell_km)
    cy0, cx0 = cy.min() - 2, cx.min() - 2
    d0 = day[both].min() - max(abs(offsets.start), abs(offsets.stop)) - 1
    ny, nx = int(cy.max() - cy0 + 3), int(cx.max() - cx0 + 3)
    # (day, cell row, cell column) packed into one integer; the padding keeps neighbours apart
    key = ((day[both] - d0) * ny + (cy - cy0)) * nx + (cx - cx0)
    lkey, rkey = key[:len(left_idx)], key[len(left_idx):]
    order = np.argsort(rkey, kind="stable")
    rmembers, rsorted = right_idx[order], rkey[order]
    starts = np.flatnonzero(np.r_[True, rsorted[1:] != rsorted[:-1]])
    ukeys, counts = rsorted[starts], np.diff(np.r_[starts, len(rsorted)])
    step = np.arange(-1, 2)
    deltas = ((np.asarray(offsets)[:, None, None] * ny + step[None, :, None]) * nx + step[None, None, :]).ravel()
    if left_idx is right_idx:  # a self-join: each unordered pair is found from one of its two ends
        deltas = deltas[deltas >= 0]
    lorder = np.argsort(lkey, kind="stable")  # needles in sorted runs: each search starts where the last ended
    target = (deltas[:, None] + lkey[lorder]).ravel()
    pos = np.minimum(np.searchsorted(ukeys, target), len(ukeys) - 1)
    hit = np.flatnonzero(ukeys[pos] == target)
    if not len(hit):
        return empty
    group = pos[hit]
    sizes = counts[group]
    within = np.arange(int(sizes.sum())) - np.repeat(np.cumsum(sizes) - sizes, sizes)
    return np.repeat(left_idx[lorder][hit % len(lkey)], sizes), rmembers[np.repeat(starts[group], sizes) + within]


def _linkable_pairs(day: np.ndarray, lon: np.ndarray, lat: np.ndarray, eligible: np.ndarray, weekly: np.ndarray,
                    tol: np.ndarray, src: np.ndarray, derived: np.ndarray, rule: FusionRule) -> tuple[np.ndarray, np.ndarray]:
    """Every pair (i < j) of eligible records that may pass the tests of :func:`link_records`.

    Each kind of pair is blocked on the window of its own test, so the pairs grow with the
    records, not with the square of the records of a day and place:

    - two sources: within the larger tolerance and the time window (wider for week-precise
      records), on cells as wide as that tolerance;
    - one source, a record without a publisher id: within ``duplicate_km`` and ``duplicate_days``;
    - one source, both with a publisher id: the same day and the same point (``_SAME_POINT_KM``).

    Every window carries a margin over its test (the tests themselves are done by the caller),
    so the result may hold pairs that fail them, never miss one that passes.
    """
    near = range(-rule.day_window, rule.day_window + 1)
    week = range(-rule.day_window, max(rule.day_window, rule.week_window) + 1)
    lefts: list[np.ndarray] = []
    rights: list[np.ndarray] = []

    def add(a_mask: np.ndarray, b_mask: np.ndarray, cell_km: float, offsets: range) -> None:
        a, b = _neighbour_pairs(day, lon, lat, np.flatnonzero(a_mask), np.flatnonzero(b_mask), cell_km, offsets)
        lefts.append(a)
        rights.append(b)

    codes, counts = np.unique(src[eligible], return_counts=True)
    later = eligible.copy()
    for code in codes[np.argsort(-counts, kind="stable")]:  # the largest source never sits on the right
        mine = eligible & (src == code)
        later &= ~mine
        if later.any():
            for level in np.unique(tol[mine | later]):
                cell = float(level) * 1.02 + 0.02
                # pairs whose larger tolerance is `level`, from either side
                for side, other in ((mine & (tol == level), later & (tol <= level)),
                                    (later & (tol == level), mine & (tol < level))):
                    add(side & ~weekly, other & ~weekly, cell, near)
                    # a week-precise record looks from the day before its week to the week's end
                    add(side & weekly, other, cell, week)
                    add(other & weekly, side, cell, week)
        add(mine & derived, mine, rule.duplicate_km * 1.02 + 0.02,
            range(-rule.duplicate_days, rule.duplicate_days + 1))
        published = np.flatnonzero(mine & ~derived)
        a, b = _neighbour_pairs(day, lon, lat, published, published, _SAME_POINT_KM * 1.02 + 0.02, range(0, 1))
        lefts.append(a)
        rights.append(b)
    a, b = np.concatenate(lefts), np.concatenate(rights)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    n = len(day)
    key = np.unique(lo[lo != hi] * n + hi[lo != hi])
    return key // n, key % n


def _candidate_pairs(day: np.ndarray, lon: np.ndarray, lat: np.ndarray, eligible: np.ndarray, weekly: np.ndarray,
                     tol: np.ndarray, src: np.ndarray, derived: np.ndarray,
                     rule: FusionRule) -> tuple[np.ndarray, np.ndarray]:
    """Candidate pairs (i, j), each as often and in the order of the tiered blocking that defines their order.

    The best-match choices of :func:`link_records` break exact ties of score by the order of
    the candidates (first listed wins), so that order is part of the result. It is the order
    of a blocking on the whole table, tiered so that a few wide-tolerance records do not widen
    every block (tolerances of 5 km and less share one 5 km level; a level's cells are as wide
    as it and ``duplicate_km``), run level by level, each level in three passes:

    0. the records of this level against those of this level and below, ``day_window`` /
       ``duplicate_days`` around (a pair of two records of this level listed once, as
       (smaller, larger) position);
    1. its week-precise records against the same, ``day_window`` before to ``week_window`` after;
    2. (above the first level) the week-precise records of lower levels against this level's,
       in the same window;

    and, in each pass, the order of :func:`_neighbour_pairs`. That blocking lists every pair of
    a day and place; here only the pairs of :func:`_linkable_pairs` are placed where it would
    list them (a pair may stand in more than one pass, and reversed), so the tests of
    :func:`link_records` see the same candidates in the same order.
    """
    i, j = _linkable_pairs(day, lon, lat, eligible, weekly, tol, src, derived, rule)
    short = max(rule.day_window, rule.duplicate_days)
    level_tol = np.where(tol <= 5.0, 5.0, tol)
    levels = np.unique(level_tol[eligible])
    level_of = np.searchsorted(levels, np.maximum(level_tol[i], level_tol[j]))
    parts: list[tuple[np.ndarray, ...]] = []
    for k, level in enumerate(levels):
        cell = max(float(level), rule.duplicate_km)
        here = eligible & (level_tol == level)
        upto = np.flatnonzero(eligible & (level_tol <= level))
        lower_weekly = eligible & weekly & (level_tol < level)
        grid_members = (upto, upto, np.flatnonzero(lower_weekly | here))
        mine = level_of == k
        for a, b in ((i[mine], j[mine]), (j[mine], i[mine])):
            dd = day[b] - day[a]
            listed = (
                here[a] & ((level_tol[b] < level) | (a < b)) & (np.abs(dd) <= short),
                here[a] & weekly[a] & (dd >= -rule.day_window) & (dd <= rule.week_window),
                (k > 0) & lower_weekly[a] & here[b] & (dd >= -rule.day_window) & (dd <= rule.week_window),
            )
            for step, (members, ok) in enumerate(zip(grid_members, listed, strict=True)):
                pa, pb = a[ok], b[ok]
                if not len(pa):
                    continue
                ay, ax = _grid_cells(lon, lat, pa, members, cell)
                by, bx = _grid_cells(lon, lat, pb, members, cell)
                near = (np.abs(by - ay) <= 1) & (np.abs(bx - ax) <= 1)
                parts.append((np.full(near.sum(), k), np.full(near.sum(), step), day[pb[near]] - day[pa[near]],
                              (by - ay)[near], (bx - ax)[near], day[pa[near]], ay[near], ax[near], pa[near], pb[near]))
    if not parts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    keys = [np.concatenate(column) for column in zip(*parts, strict=True)]
    order = np.lexsort(keys[::-1])
    return keys[-2][order], keys[-1][order]


def _haversine_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    p1, p2 = np.radians(lat1), np.radians(lat2)
    a = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(np.radians(lon2 - lon1) / 2) ** 2
    return 2 * 6371.0088 * np.arcsin(np.sqrt(np.clip(a, 0, 1)))


def _geodesic_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    if len(lon1) == 0:
        return np.zeros(0)
    _, _, metres = _GEOD.inv(lon1, lat1, lon2, lat2)
    return np.asarray(metres) / 1000.0


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Label the connected components of an undirected graph by their smallest node index."""
    labels = np.arange(n, dtype=np.int64)
    if len(a) == 0:
        return labels
    while True:
        la, lb = labels[a], labels[b]
        low = np.minimum(la, lb)
        np.minimum.at(labels, la, low)
        np.minimum.at(labels, lb, low)
        while True:
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
        if np.array_equal(labels[a], labels[b]):
            return labels


def _best_per_key(keys: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Boolean mask of the lowest-score row for each key (ties: first in input order)."""
    order = np.lexsort((np.arange(len(keys)), score, keys))
    first = np.ones(len(order), dtype=bool)
    first[1:] = keys[order][1:] != keys[order][:-1]
    out = np.zeros(len(keys), dtype=bool)
    out[order[first]] = True
    return out


def link_records(incidents: pd.DataFrame, rule: FusionRule = DEFAULT_RULE) -> np.ndarray:
    """Return, for each record, the position of its event's first record (a component label).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents: ``source``, ``source_id``, ``date``, ``date_precision``, ``lon``,
        ``lat``, ``geo_precision``, ``event_type``, ``description``, ``source_urls``.
    rule : FusionRule
        Windows and bounds.

    Returns
    -------
    numpy.ndarray
        int64 labels; records with the same label describe the same event.
    """
    n = len(incidents)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    day = _day_numbers(incidents["date"])
    lon = pd.to_numeric(incidents["lon"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    lat = pd.to_numeric(incidents["lat"], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    dprec = incidents["date_precision"].astype("string").fillna("unknown").to_numpy(dtype=object)
    radius_map = rule.radius()
    codes, keys = pd.factorize(incidents["geo_precision"].astype("string").fillna("unknown"))
    tol = np.array([radius_map.get(k, np.nan) for k in keys], dtype=np.float64)[codes]
    weekly = dprec == "week"
    eligible = (
        np.isfinite(lon) & np.isfinite(lat) & np.isfinite(tol) & (day != np.iinfo(np.int64).min)
        & ((dprec == "day") | weekly)
    )
    if eligible.sum() < 2:
        return np.arange(n, dtype=np.int64)
    source_cat = pd.Categorical(incidents["source"].astype("string").fillna(""))
    src = source_cat.codes.astype(np.int64)
    derived = incidents["source_id"].astype("string").fillna("").str.startswith("sha1-").to_numpy(dtype=bool)
    left, right = _candidate_pairs(day, lon, lat, eligible, weekly, tol, src, derived, rule)
    type_cat = pd.Categorical(incidents["event_type"].astype("string").fillna("other"))
    etype = type_cat.codes.astype(np.int16)
    group_names = ("remote", "attack", "battle", "protest", "other")
    group_of_code = np.array([group_names.index(_TYPE_GROUP.get(str(c), "other")) for c in type_cat.categories] or [4],
                             dtype=np.int8)
    group = group_of_code[etype] if len(type_cat.categories) else np.full(n, 4, dtype=np.int8)
    table = np.eye(len(group_names), dtype=bool)
    for g1, g2 in _COMPATIBLE_GROUPS:
        table[group_names.index(g1), group_names.index(g2)] = True

    # Distance first (the most selective test): a cheap spherical prefilter on every
    # candidate pair, then the WGS84 geodesic on the survivors.
    same_source = src[left] == src[right]
    thr = np.where(same_source, rule.duplicate_km, np.maximum(tol[left], tol[right]))
    rough = _haversine_km(lon[left], lat[left], lon[right], lat[right])
    keep = (rough <= thr * 1.01 + 0.01) & (left != right)
    left, right, same_source, thr, rough = left[keep], right[keep], same_source[keep], thr[keep], rough[keep]
    # Time window: day-precise pairs within day_window; a week-precise record covers
    # [start - day_window, start + week_window].
    dday = day[right] - day[left]
    wl, wr = weekly[left], weekly[right]
    in_time = np.abs(dday) <= rule.day_window
    in_time |= wl & (dday >= -rule.day_window) & (dday <= rule.week_window)
    in_time |= wr & (-dday >= -rule.day_window) & (-dday <= rule.week_window)
    compatible = table[group[left], group[right]]
    # Two records a publisher gave their own ids are two events unless the publisher repeated
    # itself: same day and the same point (then the text is checked in stage 1).
    both_published = same_source & ~derived[left] & ~derived[right]
    keep = in_time & compatible & (~both_published | ((dday == 0) & (rough <= _SAME_POINT_KM * 1.01)))
    left, right, dday, same_source, thr = left[keep], right[keep], dday[keep], same_source[keep], thr[keep]
    dist = _geodesic_km(lon[left], lat[left], lon[right], lat[right])
    keep = dist <= thr
    left, right, dday, same_source, thr, dist = (v[keep] for v in (left, right, dday, same_source, thr, dist))
    type_penalty = np.where(etype[left] == etype[right], 0.0, np.where(group[left] == group[right], 0.5, 1.0))
    score = dist / np.maximum(thr, 1e-9) + np.abs(dday) / max(rule.day_window, 1) + type_penalty

    # Stage 1: same-source duplicates (the same report imported twice, or repeated by its
    # publisher). A record with no publisher id is a duplicate of a record of its source within
    # duplicate_km and duplicate_days that shares a URL or the description, or sits on the same
    # point; it links to its single best match, preferring a record with a publisher id. Two
    # records with their own ids are one only when the publisher repeated itself: same day,
    # same point (within 100 m), the same description and a shared URL.
    dup = same_source & (np.abs(dday) <= rule.duplicate_days)
    if dup.any():
        dl, dr = left[dup], right[dup]
        involved = np.unique(np.concatenate([dl, dr]))
        urls = np.zeros((n, 3), dtype=np.int64)
        desc = np.zeros(n, dtype=np.int64)
        urls[involved] = _url_keys(incidents["source_urls"].iloc[involved].reset_index(drop=True))
        desc[involved] = _description_keys(incidents["description"].iloc[involved].reset_index(drop=True))
        shared_url = np.zeros(len(dl), dtype=bool)
        for i in range(urls.shape[1]):
            for j in range(urls.shape[1]):
                shared_url |= (urls[dl, i] != 0) & (urls[dl, i] == urls[dr, j])
        same_desc = (desc[dl] != 0) & (desc[dl] == desc[dr])
        same_point = dist[dup] < _SAME_POINT_KM
        published = ~derived[dl] & ~derived[dr]
        repeated = published & same_point & (dday[dup] == 0) & shared_url & same_desc
        ok = (shared_url | same_desc | same_point) & ~published
        rl, rr = dl[repeated], dr[repeated]
        dl, dr, dscore = dl[ok], dr[ok], score[dup][ok] - shared_url[ok] - same_desc[ok]
        # Directed edges from a derived record to a candidate.
        frm = np.concatenate([dl, dr])
        to = np.concatenate([dr, dl])
        sc = np.concatenate([dscore, dscore])
        directed = derived[frm]
        frm, to, sc = frm[directed], to[directed], sc[directed]
        sc = sc + np.where(derived[to], 100.0, 0.0)
        best = _best_per_key(frm, sc)
        node = _components(n, np.concatenate([frm[best], rl]), np.concatenate([to[best], rr]))
    else:
        node = np.arange(n, dtype=np.int64)

    # Stage 2: across sources, mutual best match per (record group, other source).
    cross = ~same_source
    cl, cr, cs = node[left[cross]], node[right[cross]], score[cross]
    differ = cl != cr
    cl, cr, cs = cl[differ], cr[differ], cs[differ]
    nsrc = int(src.max()) + 1
    a = np.concatenate([cl, cr])
    b = np.concatenate([cr, cl])
    s = np.concatenate([cs, cs])
    # Collapse repeated node pairs to their best score.
    pair_key = a * n + b
    best_pair = _best_per_key(pair_key, s)
    a, b, s = a[best_pair], b[best_pair], s[best_pair]
    key = a * nsrc + src[b]
    best = _best_per_key(key, s)
    chosen = pd.Index(a[best] * n + b[best])
    mutual = best & pd.Series(b * n + a).isin(chosen).to_numpy(dtype=bool)
    ea, eb, es = a[mutual], b[mutual], s[mutual]
    keep = ea < eb
    ea, eb, es = ea[keep], eb[keep], es[keep]
    labels = _components(n, np.concatenate([np.flatnonzero(node != np.arange(n)), ea]),
                         np.concatenate([node[node != np.arange(n)], eb]))
    return _enforce_bounds(labels, node, ea, eb, es, src, day, lon, lat, tol, rule)


def _enforce_bounds(labels, node, ea, eb, es, src, day, lon, lat, tol, rule: FusionRule) -> np.ndarray:
    """Turn every event that breaks a bound into a star around one anchor record group.

    An event breaks a bound when it spans more than ``max_span_days``, its bounding box is
    wider than ``max_extent_factor`` times its largest tolerance, or one source appears in
    two of its record groups (chaining). Such an event keeps only the links of its anchor
    (the record group with most links, then the lowest position); the other groups fall back
    to their own events. A star is bounded by construction: every member is within one
    window of the anchor, and the anchor has at most one link per source.
    """
    n = len(labels)
    multi = np.bincount(labels, minlength=n)[labels] > 1
    if not multi.any():
        return labels
    sub = pd.DataFrame({"label": labels[multi], "node": node[multi], "src": src[multi], "day": day[multi],
                        "lon": lon[multi], "lat": lat[multi], "tol": np.nan_to_num(tol[multi], nan=0.0)})
    stats = sub.groupby("label").agg(dmin=("day", "min"), dmax=("day", "max"), x0=("lon", "min"), x1=("lon", "max"),
                                     y0=("lat", "min"), y1=("lat", "max"), tol=("tol", "max"))
    groups = sub.drop_duplicates(["label", "node"])
    per_source = groups.groupby(["label", "src"]).size()
    chained = per_source[per_source > 1].index.get_level_values(0).unique()
    diag = _haversine_km(stats["x0"].to_numpy(), stats["y0"].to_numpy(), stats["x1"].to_numpy(), stats["y1"].to_numpy())
    bad = ((stats["dmax"] - stats["dmin"]).to_numpy() > rule.max_span_days) | (
        diag > rule.max_extent_factor * np.maximum(stats["tol"].to_numpy(), rule.duplicate_km))
    bad_labels = np.union1d(stats.index.to_numpy()[bad], chained.to_numpy())
    if not len(bad_labels):
        return labels
    in_bad = np.isin(labels, bad_labels)
    edge_bad = in_bad[ea]
    ba, bb = ea[edge_bad], eb[edge_bad]
    degree = np.bincount(np.concatenate([ba, bb]), minlength=n)
    # Anchor of each bad event: the record group with the highest degree, then lowest position.
    cand = pd.DataFrame({"label": labels[np.concatenate([ba, bb])], "node": np.concatenate([ba, bb])})
    cand["degree"] = degree[cand["node"].to_numpy()]
    cand = cand.sort_values(["label", "degree", "node"], ascending=[True, False, True]).drop_duplicates("label")
    anchor_of = pd.Series(cand["node"].to_numpy(), index=cand["label"].to_numpy())
    anchors = anchor_of.reindex(labels[ba]).to_numpy()
    keep = (ba == anchors) | (bb == anchors)
    good_edges = ~edge_bad
    ka = np.concatenate([ea[good_edges], ba[keep]])
    kb = np.concatenate([eb[good_edges], bb[keep]])
    self_links = np.flatnonzero(node != np.arange(n))
    return _components(n, np.concatenate([self_links, ka]), np.concatenate([node[self_links], kb]))


def _authority_rank(sources: pd.Series) -> np.ndarray:
    ranks = {key: i for i, key in enumerate(AUTHORITY)}
    base = len(AUTHORITY)
    codes, keys = pd.factorize(sources.astype("string").fillna(""))
    per_key = np.array([ranks.get(k, base + 1 if k in _LAST else base) for k in keys], dtype=np.int64)
    return per_key[codes]


def assign_events(incidents: pd.DataFrame, rule: FusionRule = DEFAULT_RULE) -> pd.DataFrame:
    """Return a copy of ``incidents`` with the event columns of :data:`EVENT_COLUMNS`.

    Headline rule: the event's headline record (``event_head``) is the record from the most
    authoritative source that reports a death toll, in the order :data:`AUTHORITY` (curated,
    UCDP, ACLED), then any other source (user files), then Bellingcat; when no record reports
    deaths, the same order decides among all records. Ties go to the smallest incident id.
    Charts and totals use that record's killed and injured figures; tables and popups also
    show the range across all records (``event_killed_min`` .. ``event_killed_max``).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents (see :func:`link_records`, plus ``incident_id``, ``killed``,
        ``injured``).
    rule : FusionRule
        Windows and bounds.

    Returns
    -------
    pandas.DataFrame
        Same rows and order, with the event columns added or replaced.
    """
    out = incidents.copy(deep=False)  # copy-on-write: columns are shared until changed
    n = len(out)
    if n == 0:
        for name, (dtype, _) in EVENT_COLUMNS.items():
            out[name] = pd.Series([], dtype=dtype)
        return out
    labels = link_records(out, rule)
    # incident ids as ranks (Arrow sorts the strings by their UTF-8 bytes, i.e. as Python compares them)
    ids = pa.array(out["incident_id"].astype("string").fillna(""))
    id_rank = pc.rank(ids, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(np.int64)
    killed = pd.to_numeric(out["killed"], errors="coerce").astype("Float64")
    injured = pd.to_numeric(out["injured"], errors="coerce").astype("Float64")
    source = out["source"].astype("string").fillna("")
    frame = pd.DataFrame({"label": labels, "killed": killed.to_numpy(dtype=np.float64, na_value=np.nan),
                          "injured": injured.to_numpy(dtype=np.float64, na_value=np.nan)})
    grouped = frame.groupby("label", sort=False)
    # event_id: the smallest incident id of the event
    lowest = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(lowest, labels, id_rank)
    position = np.zeros(int(id_rank.max()) + 1, dtype=np.int64)
    position[id_rank] = np.arange(n)
    event_id = ids.take(pa.array(position[lowest[labels]]))
    size = np.bincount(labels, minlength=n)[labels]
    no_figure = np.isnan(frame["killed"].to_numpy()).astype(np.int8)
    order = np.lexsort((id_rank, _authority_rank(source), no_figure, labels))
    first = np.ones(n, dtype=bool)
    first[1:] = labels[order][1:] != labels[order][:-1]
    head = np.zeros(n, dtype=bool)
    head[order[first]] = True
    sources = _event_sources(labels, source)
    out["event_id"] = pd.array(event_id, dtype="string")
    out["event_size"] = pd.array(size, dtype="Int64")
    out["event_sources"] = pd.array(sources, dtype="string")
    out["event_head"] = pd.array(head, dtype="boolean")
    for column in ("killed", "injured"):
        low = grouped[column].transform("min")
        high = grouped[column].transform("max")
        out[f"event_{column}_min"] = pd.array(low.round().to_numpy(), dtype="Float64").astype("Int64")
        out[f"event_{column}_max"] = pd.array(high.round().to_numpy(), dtype="Float64").astype("Int64")
    return out


def _event_sources(labels: np.ndarray, sources: pd.Series) -> np.ndarray:
    """Sorted distinct source keys of each record's event, joined by commas (vectorised)."""
    cat = pd.Categorical(sources.astype(str))
    names = np.asarray(cat.categories, dtype=object)
    order = np.argsort(names)
    rank = np.empty(len(names), dtype=np.int64)
    rank[order] = np.arange(len(names))
    code = rank[cat.codes]
    sorted_names = names[order]
    if len(names) <= 62:
        bits = np.zeros(len(labels), dtype=np.int64)
        np.bitwise_or.at(bits, labels, np.left_shift(np.int64(1), code))
        event_bits = bits[labels]
        uniq, inverse = np.unique(event_bits, return_inverse=True)
        texts = np.array([",".join(sorted_names[[k for k in range(len(names)) if (int(u) >> k) & 1]]) for u in uniq],
                         dtype=object)
        return texts[inverse]
    frame = pd.DataFrame({"label": labels, "code": code}).drop_duplicates().sort_values(["label", "code"])
    joined = frame.groupby("label")["code"].agg(lambda c: ",".join(sorted_names[c.to_numpy()]))
    return pd.Series(labels).map(joined).to_numpy(dtype=object)


def event_members(incidents: pd.DataFrame, event_id: str) -> pd.DataFrame:
    """Return the records of one event, headline record first, then by source authority.

    Parameters
    ----------
    incidents : pandas.DataFrame
        A table with the :data:`EVENT_COLUMNS`.
    event_id : str
        The event's id.

    Returns
    -------
    pandas.DataFrame
        The member records (possibly empty).
    """
    if "event_id" not in incidents.columns:
        return incidents.iloc[0:0]
    rows = incidents[(incidents["event_id"] == event_id).fillna(False).to_numpy(dtype=bool)]
    if rows.empty:
        return rows
    rank = _authority_rank(rows["source"])
    head = rows["event_head"].fillna(False).to_numpy(dtype=bool) if "event_head" in rows.columns else np.zeros(len(rows), bool)
    order = np.lexsort((rows["incident_id"].astype("string").fillna("").to_numpy(dtype=object), rank, ~head))
    return rows.iloc[order]


def fusion_summary(incidents: pd.DataFrame) -> dict[str, int]:
    """Return counts before and after fusion.

    Parameters
    ----------
    incidents : pandas.DataFrame
        A fused table (with the :data:`EVENT_COLUMNS`); without them every record is its own event.

    Returns
    -------
    dict of str to int
        ``records``, ``events``, ``multi_record_events`` (events of two or more records) and
        ``multi_source_events`` (events seen in two or more sources).
    """
    if "event_id" not in incidents.columns or incidents.empty:
        return {"records": len(incidents), "events": len(incidents), "multi_record_events": 0, "multi_source_events": 0}
    heads = incidents[incidents["event_head"].fillna(False).to_numpy(dtype=bool)]
    return {
        "records": len(incidents),
        "events": int(incidents["event_id"].nunique()),
        "multi_record_events": int((heads["event_size"] > 1).sum()),
        "multi_source_events": int(heads["event_sources"].str.contains(",", regex=False).sum()),
    }


def fuse_incidents(incidents: pd.DataFrame, rule: FusionRule = DEFAULT_RULE) -> pd.DataFrame:
    """Add ``event_category`` and the event columns (the build pipeline's fuse step).

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents (all sources of the data directory together: fusion links across
        them, so it must see every record at once).
    rule : FusionRule
        Windows and bounds.

    Returns
    -------
    pandas.DataFrame
        A copy with :data:`geo.schema.FUSION_COLUMNS` (``event_category`` and :data:`EVENT_COLUMNS`).
    """
    from geo.scope import assign_event_category

    out = incidents.copy(deep=False)  # copy-on-write: columns are shared until changed
    # the category reads other columns than the event linking and is computed beside it, on a
    # thread (Arrow, pandas and numpy release the GIL); the column keeps its place
    with ThreadPoolExecutor(max_workers=1) as pool:
        category = pool.submit(assign_event_category, incidents)
        out["event_category"] = pd.array(np.full(len(out), None, dtype=object), dtype="string")
        out = assign_events(out, rule)
        out["event_category"] = pd.array(category.result(), dtype="string")
    return out


def event_source_entries(incidents: pd.DataFrame, rows: np.ndarray, event_code: np.ndarray,
                         max_links: int = 2) -> list[list]:
    """Return, for each record position in ``rows``, the list of records of its event, for a popup.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The whole incident table (``source``, ``killed``, ``injured``, ``source_urls``,
        ``incident_id``; ``casualty_note``, ``casualty_source``, ``civilians_killed`` when present).
    rows : numpy.ndarray
        Positions of the records drawn (one per event when counting events).
    event_code : numpy.ndarray
        Event index of every record of ``incidents`` (:attr:`geo.filters.IncidentColumns.event_code`).
    max_links : int
        Links kept per record.

    Returns
    -------
    list of list
        For each drawn record, its event's records in headline order (the headline record
        first, then by source authority), each as ``[source, killed, injured, civilians_killed,
        first_links, casualty_note, casualty_source, incident_id]`` (None = not reported).
        Text is raw: the map inserts it as text, never as markup.
    """
    rows = np.asarray(rows, dtype=np.int64)
    if len(rows) == 0:
        return []
    wanted = event_code[rows]
    member_pos = np.flatnonzero(np.isin(event_code, wanted))
    members = incidents.iloc[member_pos]
    codes = event_code[member_pos]
    head = (members["event_head"].fillna(False).to_numpy(dtype=bool) if "event_head" in members.columns
            else np.zeros(len(members), dtype=bool))
    rank = _authority_rank(members["source"])
    ids = members["incident_id"].astype("string").fillna("").to_numpy(dtype=object)
    order = np.lexsort((ids, rank, ~head, codes))

    def column(name):
        return members[name].to_numpy(dtype=object) if name in members.columns else np.full(len(members), None)

    def number(name):
        if name not in members.columns:
            return [None] * len(members)
        values = pd.to_numeric(members[name], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
        return [None if np.isnan(v) else int(v) for v in values]

    sources = members["source"].astype("string").fillna("").to_numpy(dtype=object)
    killed, injured, civilians = number("killed"), number("injured"), number("civilians_killed")
    notes, authorities, urls = column("casualty_note"), column("casualty_source"), column("source_urls")
    by_event: dict[int, list] = {}
    for k in order:
        links = [str(u)[:500] for u in (urls[k] if urls[k] is not None and not isinstance(urls[k], float) else ())
                 if str(u).lower().startswith(("http://", "https://"))][:max_links]
        by_event.setdefault(int(codes[k]), []).append([
            str(sources[k]), killed[k], injured[k], civilians[k], links,
            None if pd.isna(notes[k]) else str(notes[k]), None if pd.isna(authorities[k]) else str(authorities[k]),
            str(ids[k]),
        ])
    return [by_event.get(int(code), []) for code in wanted]


def describe_sources(entries: list[list], sentence: bool = False, lang: str = "en") -> str:
    """Return "seen in 3 datasets: curated, UCDP, Bellingcat" for an event's source entries.

    Parameters
    ----------
    entries : list of list
        One event's entries from :func:`event_source_entries`.
    sentence : bool
        Start with a capital letter ("Seen in ...").
    lang : str
        Language of the words (English by default).

    Returns
    -------
    str
        The sentence ("1 record" / "seen in 1 dataset: curated" style).
    """
    _ = translator(lang)
    names = list(dict.fromkeys(_(_SOURCE_NAMES[e[0]]) if e[0] in _SOURCE_NAMES else e[0] for e in entries))
    records = len(entries)
    if sentence:
        text = _.ngettext("Seen in {n} dataset: {names}", "Seen in {n} datasets: {names}", len(names),
                          names=", ".join(names))
    else:
        text = _.ngettext("seen in {n} dataset: {names}", "seen in {n} datasets: {names}", len(names),
                          names=", ".join(names))
    if records > len(names):
        text += " (" + _.ngettext("{n} record", "{n} records", records) + ")"
    return text


_SOURCE_NAMES = {"curated": N_("curated"), "ucdp": "UCDP", "acled": "ACLED", "bellingcat": "Bellingcat"}
