"""Front-line snapshots: import publisher files, derive the line of contact, store and look up by date.

One snapshot is one row: ``snapshot_date``, ``source``, ``method``, the occupied
area (``geometry``, MultiPolygon), the line of contact (``contact_line``,
MultiLineString) and the contested / grey zone (``contested``, MultiPolygon or
None), all EPSG:4326. ``docs/GEOMETRY.md`` explains the derivation.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import re
import warnings
from collections import Counter
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import orjson
import pandas as pd
import shapely
from shapely.geometry import shape

from geo.atomic import atomic_write
from geo.boundaries import (
    load_neighbour_states,
    load_ukraine_land,
    polygon_parts,
    read_vector_file,
    to_lonlat,
    to_working,
)
from geo.safejson import MAX_JSON_DEPTH, JsonTooDeepError, json_depth, load_json_file

FRONTLINES_FILE = "frontlines.parquet"
FRONT_COLUMNS = ("snapshot_date", "source", "method", "geometry", "contact_line", "contested")

#: Occupied polygons are clipped to Ukraine's land plus this margin (coastal water,
#: coarse shorelines), minus Russia and Belarus.
CLIP_MARGIN_M = 2000.0
#: Gaps narrower than twice this between a publisher's adjacent occupied polygons are closed.
GAP_CLOSING_M = 500.0
#: Free land narrower than twice this is a sliver when it lies near the state border or coast.
SLIVER_OPENING_M = 2000.0
#: "Near the state border or coast": within this distance of Ukraine's outline.
OUTLINE_ZONE_M = 5000.0
#: The occupied boundary counts as contact where it lies within this of (cleaned) free land.
CONTACT_TOLERANCE_M = 100.0
DERIVATION = (
    f"occupied area as published; contact-line v2: clip a copy to land+{CLIP_MARGIN_M / 1000:g} km, close gaps <{2 * GAP_CLOSING_M / 1000:g} km, "
    f"drop border/coast slivers <{2 * SLIVER_OPENING_M / 1000:g} km"
)

_FRONT_FILE_SUFFIXES = (".geojson", ".json", ".gpkg")
_POLYGONAL_TYPES = ("Polygon", "MultiPolygon", "GeometryCollection")
_DEEPSTATE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d+)\.(geo)?json$", re.IGNORECASE)
_DATE_IN_NAME = re.compile(r"(\d{4})-?(\d{2})-?(\d{2})")
#: Earliest snapshot date accepted (the war began in 2014); later than today is refused too.
FIRST_SNAPSHOT_DATE = pd.Timestamp("2014-01-01")
_DATE_COLUMNS = ("snapshot_date", "date", "Date", "DATE", "as_of", "valid_from", "datetime", "day")


class FrontlineWarning(UserWarning):
    """Something in a front-line file was skipped or guessed; the message says what and where."""


# DeepStateMap class keys (``geoJSON.status.*`` / ``geoJSON.territories.*``) and their meaning here.
_DEEPSTATE_KEYS = {
    "status.occupied": "occupied",
    "territories.ordlo": "occupied",
    "territories.crimea": "occupied",
    "territories.tuzla": "occupied",
    "status.unknown": "contested",
    "status.contested": "contested",
    "status.dismissed": "liberated",
    "status.dismissed_at": "liberated",
    "status.liberated": "liberated",
    "zmiinyi_island": "liberated",
}
_FOREIGN_KEYS = (
    "transnistria", "abkhazia", "tskhinvali", "petsamo", "salla", "estonia", "latvia", "pechorsky",
    "kuril", "prussia", "karelia", "ichkeria",
)
# Words (lower case, Ukrainian and English) in order of precedence.
_WORDS = (
    ("foreign", (
        "придністров", "transnistria", "абхаз", "abkhaz", "цхінвал", "tskhinval", "петсамо", "petsamo",
        "салла", "salla", "естоні", "estonia", "латві", "latvia", "печорськ", "pechorsk", "курил", "kuril",
        "пруссі", "prussia", "карелі", "karelia", "ічкері", "ichkeri",
    )),
    ("contested", (
        "під питанням", "contested", "невідом", "unknown", "сіра зона", "grey zone", "gray zone", "начебто",
    )),
    ("liberated", (
        "звільн", "liberated", "taken back", "під контролем зсу", "орки відсутні", "ukrainian-controlled",
        "ukrainian controlled", "ukrainian control", "counteroffensive", "counter-offensive",
    )),
    ("occupied", (
        "окупов", "occupied", "ордло", "ordlo", "cadr", "calr", "крим", "crimea", "зайняті ворогом", "тузла", "tuzla",
        "russian-controlled", "russian controlled", "russian control", "controlled by russia", "annexed",
    )),
)
# Column names a generic file is searched for a control status when no values are given.
_STATUS_COLUMNS = ("status", "Status", "control", "Control", "class", "category", "type", "layer", "name", "Name")
# DeepStateMap's fill palette, used only when neither a key nor a word says the class.
_DEEPSTATE_FILLS = {
    "#a52714": "occupied", "#000000": "occupied", "#880e4f": "occupied",
    "#bcaaa4": "contested", "#bdbdbd": "contested",
    "#0288d1": "liberated", "#0f9d58": "liberated", "#01579b": "liberated",
    "#ff5252": "foreign",
}


def classify_deepstate(name: str | None, fill: str | None = None) -> tuple[str | None, str]:
    """Return the class of a DeepStateMap polygon and how it was decided.

    Order: the ``geoJSON.status.*`` / ``geoJSON.territories.*`` key when present;
    else words in the Ukrainian / English name (foreign territory first, then
    contested, liberated, occupied); else DeepStateMap's fill colour.

    Parameters
    ----------
    name : str or None
        The feature's ``name`` property (``"Окуповано /// Occupied /// geoJSON.status.occupied"``).
    fill : str or None
        The feature's ``fill`` property (``"#a52714"``).

    Returns
    -------
    (str or None, str)
        ``"occupied"``, ``"contested"``, ``"liberated"``, ``"foreign"`` or ``None``
        (unknown), and ``"key"``, ``"words"``, ``"fill"`` or ``"unknown"``.
    """
    text = (name or "").replace("\xa0", " ")
    match = re.search(r"geoJSON\.([A-Za-z_.]+[A-Za-z_])", text)
    if match:
        key = match.group(1)
        if key in _DEEPSTATE_KEYS:
            return _DEEPSTATE_KEYS[key], "key"
        if key.startswith("territories.") and key.split(".", 1)[1] in _FOREIGN_KEYS:
            return "foreign", "key"
    klass = _classify_words(text)
    if klass is not None:
        return klass, "words"
    colour = (fill or "").strip().lower()
    if colour in _DEEPSTATE_FILLS:
        return _DEEPSTATE_FILLS[colour], "fill"
    return None, "unknown"


def read_frontlines(
    paths,
    fmt: str = "auto",
    occupied_values: Iterable[str] | None = None,
    date_property: str | None = None,
    status_property: str | None = None,
    source: str | None = None,
    contested_values: Iterable[str] | None = None,
    workers: int | None = None,
    reuse: bool = False,
) -> gpd.GeoDataFrame:
    """Import front-line snapshots from DeepStateMap exports or generic dated polygons.

    Parameters
    ----------
    paths : Path, str or iterable of them
        Files or folders (folders are read for ``*.geojson``, ``*.json``, ``*.gpkg``).
    fmt : {"auto", "deepstate", "generic"}
        ``"auto"`` recognises DeepStateMap raw exports by file name
        (``YYYY-MM-DD_<unix time>.geojson``) or by their bilingual ``name`` fields.
    occupied_values : iterable of str, optional
        Generic format: values of ``status_property`` that mean occupied. Without
        them every polygon counts as occupied.
    date_property : str, optional
        Generic format: property holding the snapshot date; default: a column named
        like ``date`` / ``snapshot_date``, else a date in the file name.
    status_property : str, optional
        Generic format: property holding the control status; auto-detected when
        ``occupied_values`` is given.
    source : str, optional
        Source key to record (default ``"deepstate"`` or ``"generic"``).
    contested_values : iterable of str, optional
        Generic format: status values that mean contested / grey zone.
    workers : int, optional
        Threads deriving snapshots while the calling thread reads the files (default: the number of CPUs).
    reuse : bool
        Derive each snapshot's line of contact from the previous one's where their occupied areas
        differ only in places (:func:`_update_contact`: several times faster for daily series). The
        line can then differ from a whole derivation by millimetres in rare places (GEOS's buffer
        input simplification depends on where rings start); off by default.

    Returns
    -------
    geopandas.GeoDataFrame
        One row per (source, snapshot date), sorted by date, columns
        :data:`FRONT_COLUMNS`, EPSG:4326.

    Raises
    ------
    ValueError
        When a file cannot be read or dated; the message names the file and the fix.
    """
    if fmt not in ("auto", "deepstate", "generic"):
        raise ValueError(f"unknown front-line format {fmt!r}; use auto, deepstate or generic.")
    files = _expand_paths(paths)
    # The date a file's snapshot will have, when the file name says it without reading the file
    # (DeepStateMap exports); None = unknown until read. A snapshot is complete, and its
    # derivation starts on the worker threads while later files are still being read, once
    # no unread file has its date or an unknown date.
    hints = [_date_hint(path, fmt) for path in files]
    unread = Counter(hints)
    pieces: dict[tuple[str, pd.Timestamp], dict] = {}
    pending: list[dict] = []  # snapshots not yet handed to the deriver
    with _Deriver(workers, reuse) as deriver:
        for path, hint in zip(files, hints, strict=True):
            kind = fmt if fmt != "auto" else detect_frontline_format(path)
            if kind == "deepstate":
                snapshots = [_read_deepstate(path)]
                key_source = source or "deepstate"
                method = f"DeepStateMap raw export: occupied+ORDLO+Crimea classes; {DERIVATION}"
            else:
                snapshots, rule = _read_generic(path, occupied_values, date_property, status_property, contested_values)
                key_source = source or "generic"
                method = f"generic polygons ({rule}); {DERIVATION}"
            for date, occupied, contested, stamp in snapshots:
                key = (key_source, date)
                entry = pieces.get(key)
                if entry is not None and kind == "deepstate":
                    if stamp <= entry["stamp"]:
                        warnings.warn(f"{path}: another DeepStateMap export for {date.date()} is newer; this one is ignored.", FrontlineWarning, stacklevel=2)
                        continue
                    warnings.warn(f"{path}: replaces an older DeepStateMap export for {date.date()}.", FrontlineWarning, stacklevel=2)
                    pending = [item for item in pending if item is not entry]
                    entry = None
                if entry is None:
                    entry = pieces[key] = {"occupied": [], "contested": [], "method": method, "stamp": stamp,
                                             "date": date, "result": None}
                    pending.append(entry)
                entry["occupied"].extend(occupied)
                entry["contested"].extend(contested)
            unread[hint] -= 1
            if not unread[None]:
                waiting = []
                for entry in pending:
                    if unread[entry["date"]]:
                        waiting.append(entry)
                    else:
                        entry["result"] = deriver.submit(entry["occupied"], entry["contested"])
                pending = waiting
        for entry in pieces.values():
            if entry["result"] is None:
                entry["result"] = deriver.submit(entry["occupied"], entry["contested"])
        ordered = sorted(pieces.items(), key=lambda item: (item[0][1], item[0][0]))
        derived = [entry["result"].result() for _, entry in ordered]
    rows = [{"snapshot_date": date, "source": key_source, "method": entry["method"]} for (key_source, date), entry in ordered]
    return _frame(rows, [d[0] for d in derived], [d[1] for d in derived], [d[2] for d in derived])


def _date_hint(path: Path, fmt: str) -> pd.Timestamp | None:
    """Return the snapshot date of a DeepStateMap export from its name alone; None when only reading tells."""
    if fmt == "generic" or (fmt == "auto" and not _DEEPSTATE_NAME.match(path.name)):
        return None
    return _date_from_name(path.name)


class _Deriver:
    """Derive snapshots on worker threads, each distinct (occupied, contested) content once.

    GEOS releases the GIL, so derivations run in parallel with each other and with the
    file reading of the calling thread. With ``reuse``, each snapshot's line of contact is
    updated from the previously submitted one's where their occupied areas differ only in
    places (:func:`_update_contact`), else derived whole. Use as a context manager;
    :meth:`submit` returns a future of :func:`derive_front_geometry`'s result.
    """

    def __init__(self, workers: int | None = None, reuse: bool = False) -> None:
        _working_reference()  # build the cached reference once, before the threads start
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers if workers is not None else (os.cpu_count() or 1)))
        self._by_content: dict[bytes, Future] = {}
        self._reuse = reuse
        self._last: _Link | None = None

    def submit(self, occupied: list, contested: list) -> Future:
        key = _content_key(occupied, contested)
        future = self._by_content.get(key)
        if future is None and not self._reuse:
            future = self._by_content[key] = self._pool.submit(derive_front_geometry, occupied, contested)
        if future is None:
            # the pool starts tasks in submission order, so the base's task is running or done
            # before this one waits for it
            link = _Link()
            self._pool.submit(_derive_linked, occupied, contested, link, self._last)
            self._last = link
            future = self._by_content[key] = link.result
        return future

    def __enter__(self) -> _Deriver:
        return self

    def __exit__(self, *exc) -> None:
        self._pool.shutdown(wait=True, cancel_futures=exc[0] is not None)


class _Link:
    """One snapshot's derivation: its occupied area as soon as it is known, then the whole result."""

    __slots__ = ("published", "result")

    def __init__(self) -> None:
        self.published: Future = Future()
        self.result: Future = Future()


def _derive_linked(occupied: list, contested: list, link: _Link, base: _Link | None) -> None:
    """:func:`derive_front_geometry` into ``link``'s futures, the line of contact updated from ``base``'s when it can be."""
    try:
        published = _published(occupied)
        link.published.set_result(published)
        grey = _grey_zone(contested, published)  # first: the next snapshot waits only for the line
        contact = None
        if base is not None and base.published.exception() is None:

            def before_contact():
                return base.result.result()[1] if base.result.exception() is None else None

            contact = _update_contact(published, base.published.result(), before_contact)
        if contact is None:
            contact = _contact_line(published)
        link.result.set_result((published, contact, grey))
    except BaseException as exc:  # handed to whoever waits for this snapshot (or a later one)
        for future in (link.published, link.result):
            if not future.done():
                future.set_exception(exc)


def derive_many(snapshots: list[tuple[list, list]], workers: int | None = None, reuse: bool = False) -> list[tuple]:
    """Run :func:`derive_front_geometry` over many snapshots, on threads, each distinct one once.

    GEOS releases the GIL, so snapshots are derived in parallel. Snapshots whose
    occupied and contested polygons are identical to an earlier one's (a
    publisher re-issuing an unchanged map) reuse its result.

    Parameters
    ----------
    snapshots : list of (occupied, contested)
        Lists of EPSG:4326 polygons per snapshot.
    workers : int, optional
        Threads; default the number of CPUs.
    reuse : bool
        Update each line of contact from the previous snapshot's where the areas differ only in
        places (as :func:`read_frontlines`).

    Returns
    -------
    list of tuple
        :func:`derive_front_geometry`'s result per snapshot, in order.
    """
    with _Deriver(workers, reuse) as deriver:
        futures = [deriver.submit(occupied, contested) for occupied, contested in snapshots]
        return [future.result() for future in futures]


def _content_key(occupied: list, contested: list) -> bytes:
    digest = hashlib.sha256()
    for group in (occupied, contested):
        digest.update(b"|")
        for geometry in group:
            digest.update(shapely.to_wkb(geometry))
    return digest.digest()


def _frame(rows: list[dict], occupied: list, contact: list, contested: list) -> gpd.GeoDataFrame:
    table = pd.DataFrame(rows, columns=["snapshot_date", "source", "method"])
    table["snapshot_date"] = pd.to_datetime(table["snapshot_date"]).astype("datetime64[ns]")
    table["source"] = table["source"].astype(str)
    table["method"] = table["method"].astype(str)
    frame = gpd.GeoDataFrame(table, geometry=gpd.GeoSeries(occupied, crs="EPSG:4326"), crs="EPSG:4326")
    frame["contact_line"] = gpd.GeoSeries(contact, crs="EPSG:4326")
    frame["contested"] = gpd.GeoSeries(contested, crs="EPSG:4326")
    return frame[list(FRONT_COLUMNS)]


def _expand_paths(paths) -> list[Path]:
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    files: list[Path] = []
    for item in paths:
        path = Path(item)
        if path.is_dir():
            found = sorted(p for p in path.iterdir() if p.suffix.lower() in _FRONT_FILE_SUFFIXES and p.is_file())
            if not found:
                raise ValueError(f"{path}: folder holds no .geojson, .json or .gpkg front-line files.")
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            raise ValueError(f"{path}: file or folder not found.")
    if not files:
        raise ValueError("no front-line files given.")
    return files


def detect_frontline_format(path: Path) -> str:
    """Say whether a file is a DeepStateMap raw export (``"deepstate"``) or generic polygons.

    Parameters
    ----------
    path : Path
        A front-line file.

    Returns
    -------
    str
        ``"deepstate"`` or ``"generic"``.
    """
    path = Path(path)
    if _DEEPSTATE_NAME.match(path.name):
        return "deepstate"
    if path.suffix.lower() not in (".geojson", ".json"):
        return "generic"
    try:
        data = load_json_file(path, encoding="utf-8")
    except (UnicodeDecodeError, json.JSONDecodeError, JsonTooDeepError):
        return "generic"
    features = data.get("features", []) if isinstance(data, dict) else []
    names = [str((f.get("properties") or {}).get("name", "")) for f in features[:500] if isinstance(f, dict)]
    if any("geoJSON.status" in n or "geoJSON.territories" in n or "///" in n for n in names):
        return "deepstate"
    return "generic"


def _read_deepstate(path: Path) -> tuple[pd.Timestamp, list, list, int]:
    match = _DEEPSTATE_NAME.match(path.name)
    date = _date_from_name(path.name)
    if date is None:
        raise ValueError(
            f"{path}: cannot tell the snapshot date; DeepStateMap exports are named YYYY-MM-DD_<unix time>.geojson. "
            "Rename the file or import it with --format generic --date-property."
        )
    check_snapshot_date(path, date)
    stamp = int(match.group(2)) if match else 0
    with _gc_paused():
        try:
            data = _load_export(path)
        except JsonTooDeepError as exc:
            raise ValueError(str(exc)) from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ValueError(f"{path}: not valid GeoJSON ({exc}); re-download the export.") from exc
        if not isinstance(data, dict) or "features" not in data:
            raise ValueError(f"{path}: not a GeoJSON FeatureCollection; re-download the export.")
        occupied, contested, unknown = _deepstate_polygons(data["features"])
        del data  # freed by reference counting while the collector is paused
    if unknown:
        warnings.warn(
            f"{path}: {len(unknown)} polygon(s) with an unrecognised class were ignored: {unknown[:5]}. "
            "If they are occupied territory, re-export or import with --format generic.",
            FrontlineWarning,
            stacklevel=3,
        )
    if not occupied:
        warnings.warn(f"{path}: no occupied polygons found.", FrontlineWarning, stacklevel=3)
    return date, occupied, contested, stamp


def _deepstate_polygons(features) -> tuple[list, list, list]:
    """Occupied and contested polygons of a DeepStateMap export's features, and the labels of unclassified ones."""
    occupied, contested, unknown = [], [], []
    for feature in features:
        geometry = feature.get("geometry") if isinstance(feature, dict) else None
        # points (positions, labels) are most of an export: skip them, and build geometries only
        # for the classes that are kept or must be reported
        if not isinstance(geometry, dict) or geometry.get("type") not in _POLYGONAL_TYPES:
            continue
        props = feature.get("properties") or {}
        klass, _ = classify_deepstate(props.get("name") or props.get("Name") or props.get("title"), props.get("fill"))
        if klass in ("liberated", "foreign"):
            continue
        polygons = polygon_parts(shapely.make_valid(_polygonal(geometry)))
        if polygons.is_empty:
            continue
        label = " ".join(str(props.get("name") or props.get("Name") or "").split())[:80]
        if klass is None:
            unknown.append(label)
            continue
        if klass == "occupied":
            occupied.append(polygons)
        elif klass == "contested":
            contested.append(polygons)
    return occupied, contested, unknown


@contextmanager
def _gc_paused():
    """Pause Python's cyclic garbage collector (restored as it was on leaving).

    A parsed export is a tree of some 10^5 lists and dicts, freed by reference counting once
    read; while it is built the collector would traverse it again and again (half of the
    reading time, measured).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load_export(path: Path):
    """Parse a JSON export as :func:`geo.safejson.load_json_file` does, with orjson when it accepts the file.

    The depth rule comes first, as there. orjson returns the same values as the standard
    parser for any file it accepts (strict UTF-8 JSON) and parses several times faster; a file
    it refuses (a byte-order mark, NaN, huge integers, invalid text) goes to the standard reader,
    which accepts it or words the error as before.
    """
    data = path.read_bytes()
    if json_depth(data, limit=MAX_JSON_DEPTH) <= MAX_JSON_DEPTH:
        try:
            return orjson.loads(data)
        except orjson.JSONDecodeError:
            pass
    return load_json_file(path, encoding="utf-8")


def _polygonal(geometry: dict) -> shapely.Geometry:
    """Build a GeoJSON Polygon / MultiPolygon / GeometryCollection as a 2-D shapely geometry.

    Rings go to shapely as numpy arrays (``shape`` converts every vertex in Python, the
    larger part of reading an export); anything the fast path cannot take (ragged or
    non-numeric coordinates, short rings, collections) goes through ``shape``, so malformed
    input fails exactly as it always did.
    """
    try:
        if geometry["type"] == "Polygon":
            return _polygon(geometry["coordinates"])
        if geometry["type"] == "MultiPolygon":
            return shapely.multipolygons([_polygon(rings) for rings in geometry["coordinates"]])
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.ShapelyError):
        pass
    return shapely.force_2d(shape(geometry))


def _polygon(rings: list) -> shapely.Polygon:
    arrays = [np.asarray(ring, dtype=float) for ring in rings]
    if not arrays or any(a.ndim != 2 or a.shape[1] not in (2, 3) for a in arrays):
        raise ValueError("not a GeoJSON polygon")
    shell, *holes = (shapely.linearrings(a[:, :2]) for a in arrays)
    return shapely.polygons(shell, holes or None)


def check_snapshot_date(path: Path | str, date: pd.Timestamp, where: str = "the file name") -> pd.Timestamp:
    """Refuse a snapshot date outside :data:`FIRST_SNAPSHOT_DATE` ... today (UTC).

    Parameters
    ----------
    path : Path or str
        The file the date came from (named in the message).
    date : pandas.Timestamp
        The snapshot date found.
    where : str
        Where the date was read (``"the file name"``, ``"property 'date'"``).

    Returns
    -------
    pandas.Timestamp
        ``date`` unchanged when it is in range.

    Raises
    ------
    ValueError
        Naming the file, the date found and the valid range.
    """
    today = pd.Timestamp.now(tz="UTC").tz_localize(None).normalize()
    if date > today or date < FIRST_SNAPSHOT_DATE:
        side = "after today" if date > today else f"before {FIRST_SNAPSHOT_DATE.date()}"
        raise ValueError(
            f"{path}: snapshot date {date.date()} (from {where}) is {side}; front-line snapshots must be dated "
            f"{FIRST_SNAPSHOT_DATE.date()} to {today.date()}. Fix the date (rename the file or correct the property)."
        )
    return date


def _date_from_name(name: str) -> pd.Timestamp | None:
    """Snapshot date from a file name: YYYY-MM-DD / YYYYMMDD, else a 10-digit Unix time (UTC).

    Any calendar date is returned (range checks are :func:`check_snapshot_date`'s job),
    so a misnamed ``2202-02-02.geojson`` is refused by name rather than misread.
    """
    for match in _DATE_IN_NAME.finditer(name):
        year, month, day = (int(g) for g in match.groups())
        if 1000 <= year <= 9999 and 1 <= month <= 12 and 1 <= day <= 31:
            try:
                return pd.Timestamp(year=year, month=month, day=day)
            except ValueError:
                continue
    unix = re.search(r"(?<!\d)(1\d{9})(?!\d)", name)
    if unix:
        return pd.Timestamp(int(unix.group(1)), unit="s").normalize()
    return None


def _read_generic(path: Path, occupied_values, date_property, status_property, contested_values) -> tuple[list[tuple], str]:
    frame = read_vector_file(path, layer="front-line snapshots", formats="GeoJSON or GeoPackage")
    if frame.crs is None:
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    geometry = [polygon_parts(shapely.make_valid(shapely.force_2d(g))) if g is not None else shapely.MultiPolygon() for g in frame.geometry.values]
    keep = np.array([not g.is_empty for g in geometry], dtype=bool)
    if not keep.any():
        raise ValueError(f"{path}: no polygons found; front-line snapshots are polygons of occupied territory.")
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs="EPSG:4326"))[keep].reset_index(drop=True)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    if date_property is not None and date_property not in columns:
        raise ValueError(f"{path}: date property {date_property!r} not found; properties are {columns}.")
    date_column = date_property or next((c for c in _DATE_COLUMNS if c in columns), None)
    if date_column is not None:
        dates = pd.to_datetime(frame[date_column], errors="coerce", utc=True).dt.tz_localize(None).dt.normalize()
        if dates.isna().any():
            bad = frame.loc[dates.isna(), date_column].astype(str).head(3).tolist()
            raise ValueError(f"{path}: {int(dates.isna().sum())} polygon(s) have an unreadable {date_column!r}: {bad}.")
        for date in (dates.min(), dates.max()):
            check_snapshot_date(path, date, f"property {date_column!r}")
    else:
        date = _date_from_name(path.stem)
        if date is None:
            raise ValueError(
                f"{path}: no date; put YYYY-MM-DD in the file name or pass --date-property with the property holding it."
            )
        check_snapshot_date(path, date)
        dates = pd.Series([date] * len(frame))
    occupied_set = {str(v).strip().casefold() for v in occupied_values} if occupied_values else None
    contested_set = {str(v).strip().casefold() for v in contested_values} if contested_values else set()
    if status_property is not None and status_property not in columns:
        raise ValueError(f"{path}: status property {status_property!r} not found; properties are {columns}.")
    if status_property is None and (occupied_set or contested_set):
        wanted = (occupied_set or set()) | contested_set
        status_property = next((c for c in columns if frame[c].astype(str).str.strip().str.casefold().isin(wanted).any()), None)
        if status_property is None:
            raise ValueError(f"{path}: no property holds any of the values {sorted(wanted)}; pass --status-property.")
    inferred = None
    if status_property is None and not occupied_set and not contested_set:
        inferred = _infer_status(frame, columns)
    if inferred is not None:
        status_property, classes = inferred
        is_occupied = classes == "occupied"
        is_contested = classes == "contested"
        unknown = frame.loc[classes.isna(), status_property].astype(str).unique().tolist()
        if unknown:
            warnings.warn(
                f"{path}: {status_property!r} values not recognised as a control status, ignored: {unknown[:5]}. "
                "Pass --occupied-values to say which values are occupied.",
                FrontlineWarning,
                stacklevel=3,
            )
    elif status_property is not None:
        status = frame[status_property].astype(str).str.strip().str.casefold()
        is_occupied = status.isin(occupied_set) if occupied_set else pd.Series(True, index=frame.index)
        is_contested = status.isin(contested_set) & ~is_occupied
    else:
        is_occupied = pd.Series(True, index=frame.index)
        is_contested = pd.Series(False, index=frame.index)
    snapshots = []
    for date, group in frame.groupby(dates.to_numpy(), sort=True):
        occupied = list(group.geometry[is_occupied.loc[group.index]])
        contested = list(group.geometry[is_contested.loc[group.index]])
        if not occupied:
            warnings.warn(f"{path}: no occupied polygons for {pd.Timestamp(date).date()}.", FrontlineWarning, stacklevel=3)
        snapshots.append((pd.Timestamp(date), occupied, contested, 0))
    if inferred is not None:
        rule = f"status read from the words in {status_property!r}"
    elif status_property is not None and occupied_set:
        rule = f"occupied where {status_property} in {sorted(occupied_set)}"
    else:
        rule = "all polygons occupied"
    return snapshots, rule


def _infer_status(frame: gpd.GeoDataFrame, columns: list[str]) -> tuple[str, pd.Series] | None:
    """Find a text column whose values read as control statuses (the DeepStateMap word lists).

    Used only when the caller gave no status values. A column qualifies when
    every non-empty value is recognised or at least one value reads as occupied
    and one as something else.
    """
    candidates = [c for c in _STATUS_COLUMNS if c in columns] + [c for c in columns if c not in _STATUS_COLUMNS]
    for column in candidates:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        classes = values.map(lambda v: _classify_words(v) if isinstance(v, str) else None)
        found = set(classes.dropna())
        if "occupied" in found and (classes.notna().all() or len(found) > 1):
            return column, classes
    return None


def _classify_words(text: str) -> str | None:
    lowered = text.replace("\xa0", " ").lower()
    for klass, words in _WORDS:
        if any(word in lowered for word in words):
            return klass
    return None


@lru_cache(maxsize=1)
def _working_reference() -> tuple[shapely.Geometry, shapely.Geometry, shapely.Geometry]:
    """Ukraine's land, the clip region and the outline zone, in the working CRS (cached)."""
    land = _densified_working(load_ukraine_land())
    neighbours = _densified_working(load_neighbour_states())
    clip = land.buffer(CLIP_MARGIN_M, quad_segs=4).difference(neighbours)
    outline_zone = land.boundary.buffer(OUTLINE_ZONE_M, quad_segs=2)
    for geometry in (land, clip, outline_zone):
        shapely.prepare(geometry)
    return land, clip, outline_zone


def _densified_working(geometry: shapely.Geometry) -> shapely.Geometry:
    """Project to the working CRS after densifying to 0.01° (edges are straight in lon/lat)."""
    return to_working(shapely.segmentize(geometry, 0.01))


#: Extra margin of the window the opening runs in (the buffers are polygonal approximations).
_WINDOW_SLACK_M = 1000.0


def _neighbourhood(lines: shapely.Geometry, margin: float) -> shapely.Geometry:
    """Return a union of grid squares covering every point within ``margin`` of ``lines`` (working CRS).

    The lines are densified to a quarter of the square size ``s = 8/7 x margin``; every point within
    ``margin`` of a line lies within ``margin + s/8 = s`` of a vertex, hence in the 3 x 3 squares
    around that vertex's square. Much cheaper than buffering the lines.
    """
    size = margin * 8 / 7
    points = shapely.get_coordinates(shapely.segmentize(lines, size / 4))
    # one int64 per square (column in the high 32 bits), so np.unique runs on a flat array
    cells = np.floor(points / size).astype(np.int64) + (1 << 30)
    cells = np.unique((cells[:, 0] << 32) | cells[:, 1])
    steps = np.array([(dx << 32) + dy for dx in (-1, 0, 1) for dy in (-1, 0, 1)], dtype=np.int64)
    cells = np.unique((cells[:, None] + steps[None, :]).ravel())
    column, row = (cells >> 32) - (1 << 30), (cells & 0xFFFFFFFF) - (1 << 30)
    squares = shapely.box(column * size, row * size, (column + 1) * size, (row + 1) * size)
    return shapely.coverage_union_all(squares)  # squares meet edge to edge: a valid coverage


def _lineal(geometry: shapely.Geometry) -> shapely.MultiLineString:
    lines = []
    for part in shapely.get_parts(geometry):
        if part.geom_type == "LineString" and part.length > 0:
            lines.append(part)
        elif part.geom_type in ("MultiLineString", "GeometryCollection"):
            lines.extend(shapely.get_parts(_lineal(part)))
    if not lines:
        return shapely.MultiLineString()
    merged = shapely.line_merge(shapely.MultiLineString(lines))
    return merged if merged.geom_type == "MultiLineString" else shapely.MultiLineString([merged])


def derive_front_geometry(occupied: list, contested: list | None = None) -> tuple:
    """Derive one snapshot's occupied area, line of contact and contested zone.

    The **occupied area is the publisher's**: the union of the occupied polygons
    as drawn (longitude/latitude, repaired with ``make_valid``), water and all,
    so its area is the publisher's area. The line of contact is derived from a
    land-clipped working copy, in :data:`geo.boundaries.WORKING_CRS` (metres):

    1. copy = the occupied area with gaps narrower than 2 x :data:`GAP_CLOSING_M`
       closed (morphological closing), clipped to Ukraine's land plus
       :data:`CLIP_MARGIN_M` minus Russia and Belarus;
    2. free = land - copy; its "core" is what an opening with radius
       :data:`SLIVER_OPENING_M` keeps (strips narrower than 4 km removed);
    3. contact line = the copy's boundary farther than :data:`OUTLINE_ZONE_M`
       from Ukraine's outline (there the other side is always free land),
       plus the boundary within that zone that lies within
       :data:`CONTACT_TOLERANCE_M` of the core. Thin free strips along the state
       border or coast are slivers between two sources' borders / coastlines, so
       the line never follows the border or the coast and stops where the front
       meets them.

    Parameters
    ----------
    occupied : list of shapely geometries
        Occupied polygons, EPSG:4326.
    contested : list of shapely geometries, optional
        Contested / grey-zone polygons, EPSG:4326.

    Returns
    -------
    (MultiPolygon, MultiLineString, MultiPolygon or None)
        Occupied area (as published), line of contact, contested area (minus
        occupied; None when empty), EPSG:4326.
    """
    published = _published(occupied)
    return published, _contact_line(published), _grey_zone(contested, published)


def _published(occupied: list) -> shapely.MultiPolygon:
    """Return the union of the occupied polygons as drawn (repaired), EPSG:4326."""
    return polygon_parts(shapely.make_valid(shapely.union_all(occupied))) if occupied else shapely.MultiPolygon()


def _grey_zone(contested: list | None, published: shapely.MultiPolygon) -> shapely.MultiPolygon | None:
    """Return the contested polygons' union minus the occupied area; None when empty."""
    if not contested:
        return None
    zone = polygon_parts(shapely.make_valid(shapely.union_all(contested)))
    zone = polygon_parts(shapely.make_valid(zone.difference(published) if not published.is_empty else zone))
    return zone if not zone.is_empty else None


def _contact_line(published: shapely.MultiPolygon) -> shapely.MultiLineString:
    """Return the line of contact of an occupied area (EPSG:4326): steps 1-3 of :func:`derive_front_geometry`."""
    if published.is_empty:
        return shapely.MultiLineString()
    lines = _contact_working(_densified_working(published))
    return to_lonlat(_lineal(lines)) if lines is not None else shapely.MultiLineString()


def _contact_working(area: shapely.Geometry, away: shapely.Geometry | None = None) -> shapely.Geometry | None:
    """Contact lines (un-merged, working CRS) of a densified occupied area in the working CRS; None when none.

    ``away`` (prepared, working CRS): start every ring handed to a buffer at a vertex outside it
    (see :func:`_started_outside`); None for the whole derivation, which leaves rings as they are.
    """
    land, clip, outline_zone = _working_reference()

    def start(geometry):
        return _started_outside(geometry, away) if away is not None else geometry

    if GAP_CLOSING_M > 0:
        area = shapely.buffer(start(shapely.buffer(start(area), GAP_CLOSING_M)), -GAP_CLOSING_M)
    area = polygon_parts(shapely.make_valid(area.intersection(clip)))
    if area.is_empty:
        return None
    boundary = area.boundary
    # away from the outline the other side of the boundary is always free land (the land
    # layer has no holes); near it only the core counts
    inland = boundary.difference(outline_zone)
    coastal = boundary.intersection(outline_zone)
    near = shapely.MultiLineString()
    if not coastal.is_empty:
        # the core within CONTACT_TOLERANCE_M of `coastal` depends only on the free land within
        # 2 x SLIVER_OPENING_M of that, so the opening runs on the free land near `coastal` only
        window = _neighbourhood(coastal, 2 * SLIVER_OPENING_M + CONTACT_TOLERANCE_M + _WINDOW_SLACK_M)
        free = land.intersection(window).difference(area)
        core = start(start(start(free).buffer(-SLIVER_OPENING_M)).buffer(SLIVER_OPENING_M))
        near = coastal.intersection(core.buffer(CONTACT_TOLERANCE_M))
    return shapely.union(inland, near)


def _started_outside(geometry: shapely.Geometry, away: shapely.Geometry) -> shapely.Geometry:
    """Return the polygons of ``geometry`` with each ring starting at its first vertex outside ``away``.

    GEOS simplifies a buffer's input ring in one sweep from its first vertex, so where a ring
    starts can move the buffer by up to 1 % of its distance near that vertex. A windowed
    derivation starts its (clipped) rings away from the part of the window it keeps.
    """
    polygons = shapely.get_parts(polygon_parts(geometry))
    if not len(polygons):
        return geometry
    rings, owner = shapely.get_rings(polygons, return_index=True)
    coords, ring = shapely.get_coordinates(rings, return_index=True)
    last = np.r_[ring[1:] != ring[:-1], True]
    coords, ring = coords[~last], ring[~last]  # drop each ring's closing vertex
    first = np.flatnonzero(np.r_[True, ring[1:] != ring[:-1]])
    size = np.diff(np.r_[first, len(ring)])
    outside = np.flatnonzero(~shapely.contains_xy(away, coords[:, 0], coords[:, 1]))
    if not len(outside):
        return geometry
    # per ring, the first vertex outside (or the ring's own start when every vertex is inside)
    pick = np.searchsorted(outside, first)
    candidate = outside[np.minimum(pick, len(outside) - 1)]
    shift = np.where((pick < len(outside)) & (candidate < first + size), candidate - first, 0)
    position = np.arange(len(ring)) - np.repeat(first, size)
    order = np.repeat(first, size) + (position + np.repeat(shift, size)) % np.repeat(size, size)
    closed = np.insert(coords[order], first[1:], coords[order][first[:-1]] if len(first) > 1 else np.empty((0, 2)), axis=0)
    closed = np.vstack([closed, coords[order][first[-1]]])
    index = np.repeat(np.arange(len(first)), size + 1)
    return shapely.multipolygons(shapely.polygons(shapely.linearrings(closed, indices=index), indices=owner))


#: How far a change of the occupied area can move the line of contact (working CRS, metres): the
#: closing reads the area within 2 x GAP_CLOSING_M; the core within CONTACT_TOLERANCE_M of the boundary
#: reads the free land within 2 x SLIVER_OPENING_M of that, i.e. the copy within that reach.
CONTACT_REACH_M = 2 * GAP_CLOSING_M + 2 * SLIVER_OPENING_M + CONTACT_TOLERANCE_M
#: Cross-day reuse re-derives only the changed part when the occupied area to re-derive holds at most
#: this share of the whole area's (densified) vertices; otherwise the whole line is derived.
_REUSE_MAX_SHARE = 0.5
#: A windowed derivation starts its rings at least this far outside the part of the window it keeps.
_RING_START_MARGIN_M = 5000.0


def _update_contact(published: shapely.MultiPolygon, before: shapely.MultiPolygon, before_contact) -> shapely.MultiLineString | None:
    """Line of contact of ``published`` from an earlier snapshot's, re-deriving only where the area changed.

    The occupied boundaries are compared segment by segment: the segments found in one area and
    not the other form closed loops, and the two areas differ only inside those loops' bounding
    boxes (a point's even-odd crossing count changes only across them). The line of contact
    within :data:`CONTACT_REACH_M` (plus slack) of a box, ``cut``, is derived from the occupied area
    within twice that reach, ``read`` (the same steps as :func:`derive_front_geometry`, on a
    clipped copy of the densified area: the clip's artificial edges lie more than a reach from
    ``cut``); outside ``cut`` the earlier line is kept. ``before_contact`` is called only when needed.

    Returns
    -------
    MultiLineString or None
        The line of contact (EPSG:4326), or None when too much changed (derive it whole).
    """
    if published.is_empty or before.is_empty:
        return None
    boxes = _changed_boxes(before, published)
    if boxes is None:
        return None
    if not len(boxes):
        return before_contact()  # the same occupied area (None when the earlier derivation failed)
    margin = CONTACT_REACH_M + _WINDOW_SLACK_M
    cut, read = _grown_boxes(boxes, margin), _grown_boxes(boxes, 2 * margin)
    dense = shapely.segmentize(published, 0.01)  # as _densified_working does, before clipping
    local = polygon_parts(dense.intersection(read))
    if shapely.get_num_coordinates(local) > _REUSE_MAX_SHARE * shapely.get_num_coordinates(dense):
        return None
    away = to_working(shapely.segmentize(_grown_boxes(boxes, margin + _RING_START_MARGIN_M), 0.01))
    shapely.prepare(away)
    lines = _contact_working(to_working(local), away) if not local.is_empty else None
    fresh = to_lonlat(lines) if lines is not None else shapely.MultiLineString()
    before_line = before_contact()
    return _stitched(before_line, fresh, cut) if before_line is not None else None


def _line_segments(lines: shapely.Geometry) -> tuple[np.ndarray, np.ndarray]:
    """Vertices of a line geometry's parts, and per vertex whether a segment to the next one follows."""
    parts = shapely.get_parts(shapely.get_parts(lines))
    coords, part = shapely.get_coordinates(parts[shapely.get_type_id(parts) == 1], return_index=True)
    return coords, np.r_[part[1:] == part[:-1], False] if len(part) else np.empty(0, dtype=bool)


def _stitched(before: shapely.Geometry, fresh: shapely.Geometry, cut: shapely.Geometry) -> shapely.MultiLineString | None:
    """Join an earlier line (valid outside ``cut``) and a freshly derived one (valid inside) at shared segments.

    Both lines hold the same segments near the edge of ``cut`` (there both derivations see the same
    area), so the earlier line's segments with an end outside ``cut`` and the fresh line's segments
    with both ends inside are joined at vertices: no vertex is added and none moves. Returns None
    when the segments crossing the edge differ between the two (then derive the line whole).
    """
    shapely.prepare(cut)
    runs, crossing = [], []
    for line, keep_inside in ((before, False), (fresh, True)):
        coords, follows = _line_segments(line)
        if not len(coords):
            crossing.append(np.empty((0, 4)))
            continue
        inside = shapely.contains_xy(cut, coords[:, 0], coords[:, 1])
        both = follows & inside & np.r_[inside[1:], False]
        across = follows & (inside != np.r_[inside[1:], False])
        ends = np.hstack([coords[:-1][across[:-1]], coords[1:][across[:-1]]])
        swap = (ends[:, 0] > ends[:, 2]) | ((ends[:, 0] == ends[:, 2]) & (ends[:, 1] > ends[:, 3]))
        ends[swap] = ends[swap][:, [2, 3, 0, 1]]
        crossing.append(ends[np.lexsort(ends.T[::-1])])
        keep = follows & (both if keep_inside else ~both)
        used = keep | np.r_[False, keep[:-1]]
        starts = keep & ~np.r_[False, keep[:-1]]
        if used.any():
            runs.append(shapely.linestrings(coords[used], indices=np.cumsum(starts)[used] - 1))
    if crossing[0].shape != crossing[1].shape or (crossing[0] != crossing[1]).any():
        return None
    if not runs:
        return shapely.MultiLineString()
    return _lineal(shapely.multilinestrings(np.concatenate(runs)))


def _ring_segments(area: shapely.MultiPolygon) -> np.ndarray:
    """Every segment of the area's rings as (x0, y0, x1, y1) rows, the lesser end point first."""
    coords, ring = shapely.get_coordinates(shapely.get_rings(shapely.get_parts(area)), return_index=True)
    same = ring[1:] == ring[:-1]
    start, end = coords[:-1][same], coords[1:][same]
    swap = (start[:, 0] > end[:, 0]) | ((start[:, 0] == end[:, 0]) & (start[:, 1] > end[:, 1]))
    start[swap], end[swap] = end[swap], start[swap].copy()
    return np.hstack([start, end])


def _changed_boxes(before: shapely.MultiPolygon, after: shapely.MultiPolygon, max_share: float = _REUSE_MAX_SHARE) -> np.ndarray | None:
    """Bounding boxes (lon/lat rows) outside which two valid polygonal areas are the same point set.

    The segments that occur an odd number of times in the two areas' rings together form closed
    loops (every end point has an even degree); a point's even-odd crossing count differs between
    the areas only when a ray from it crosses those loops an odd number of times, which needs the
    point inside a connected loop's bounding box. Returns the boxes of the connected groups of such
    segments (none: the same area), or None when more than ``max_share`` of the segments changed.
    """
    first, second = _ring_segments(before), _ring_segments(after)
    segments = np.concatenate([first, second])
    if not len(segments):
        return np.empty((0, 4))
    order = np.lexsort(segments.T[::-1])
    ordered = segments[order]
    starts = np.flatnonzero(np.r_[True, (ordered[1:] != ordered[:-1]).any(axis=1)])
    counts = np.diff(np.r_[starts, len(ordered)])
    changed = ordered[starts[counts % 2 == 1]]
    if len(changed) > max_share * max(len(second), 1):
        return None
    if not len(changed):
        return np.empty((0, 4))
    ends, node = np.unique(np.concatenate([changed[:, :2], changed[:, 2:]]), axis=0, return_inverse=True)
    node = node.ravel()
    u, v = node[: len(changed)], node[len(changed):]
    label = np.arange(len(ends))
    while True:  # connected groups: smallest label of the group, by propagation and pointer jumping
        low = np.minimum(label[u], label[v])
        np.minimum.at(label, u, low)
        np.minimum.at(label, v, low)
        label = label[label]
        if (label[u] == label[v]).all() and (label[label] == label).all():
            break
    group = label[u]
    order = np.argsort(group, kind="stable")
    group, changed = group[order], changed[order]
    first_of = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    xs, ys = np.minimum(changed[:, 0], changed[:, 2]), np.minimum(changed[:, 1], changed[:, 3])
    xe, ye = np.maximum(changed[:, 0], changed[:, 2]), np.maximum(changed[:, 1], changed[:, 3])
    return np.column_stack([np.minimum.reduceat(xs, first_of), np.minimum.reduceat(ys, first_of),
                            np.maximum.reduceat(xe, first_of), np.maximum.reduceat(ye, first_of)])


def _grown_boxes(boxes: np.ndarray, metres: float) -> shapely.Geometry:
    """Union of lon/lat boxes each grown by at least ``metres`` of the working CRS on every side.

    A working-CRS metre is at most 1/0.9989 m on the ground here; a degree of latitude is at least
    110.5 km, one of longitude at least 111.0 km x cos(latitude): 2 % slack covers all three.
    """
    reach = 1.02 * metres
    dlat = reach / 110_500.0
    lat = np.minimum(np.maximum(np.abs(boxes[:, 1] - dlat), np.abs(boxes[:, 3] + dlat)), 89.0)
    dlon = reach / (111_000.0 * np.cos(np.radians(lat)))
    grown = shapely.box(boxes[:, 0] - dlon, boxes[:, 1] - dlat, boxes[:, 2] + dlon, boxes[:, 3] + dlat)
    return shapely.union_all(grown)


def write_frontlines(frame: gpd.GeoDataFrame, directory: Path | str) -> Path:
    """Write snapshots to ``directory/frontlines.parquet`` atomically (GeoParquet, EPSG:4326).

    Parameters
    ----------
    frame : geopandas.GeoDataFrame
        Columns :data:`FRONT_COLUMNS`.
    directory : Path or str
        Target directory (created if missing).

    Returns
    -------
    Path
        The written file.
    """
    out = _normalise(frame)
    target = Path(directory) / FRONTLINES_FILE
    atomic_write(target, lambda tmp: out.to_parquet(tmp, index=False))
    return target


def load_frontlines(directory: Path | str) -> gpd.GeoDataFrame | None:
    """Read ``directory/frontlines.parquet``; ``None`` when the directory has none.

    Parameters
    ----------
    directory : Path or str
        A data directory.

    Returns
    -------
    geopandas.GeoDataFrame or None
        Columns :data:`FRONT_COLUMNS` sorted by date, ``snapshot_date`` as datetime64[ns].
    """
    path = Path(directory) / FRONTLINES_FILE
    if not path.exists():
        return None
    return _normalise(gpd.read_parquet(path))


def _normalise(frame: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    missing = [c for c in FRONT_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"front-line table lacks columns {missing}.")
    table = pd.DataFrame({c: frame[c].to_numpy() for c in ("snapshot_date", "source", "method")})
    table["snapshot_date"] = pd.to_datetime(table["snapshot_date"]).astype("datetime64[ns]")
    out = gpd.GeoDataFrame(
        table,
        geometry=gpd.GeoSeries(list(frame["geometry"]), crs="EPSG:4326"),
        crs="EPSG:4326",
    )
    out["contact_line"] = gpd.GeoSeries(list(frame["contact_line"]), crs="EPSG:4326")
    out["contested"] = gpd.GeoSeries(list(frame["contested"]), crs="EPSG:4326")
    out = out[list(FRONT_COLUMNS)]
    return out.sort_values(["snapshot_date", "source"], kind="stable").reset_index(drop=True)


def snapshot_index_for_dates(frontlines: gpd.GeoDataFrame | None, dates) -> np.ndarray:
    """Position (row number) of the snapshot in force on each date: the latest on or before it.

    This is the one rule for "which front line applies on a date" (distances, the map, animations).
    Dates and snapshot dates are compared as calendar days, so a snapshot stamped at noon is in
    force for the whole of its day.

    Parameters
    ----------
    frontlines : geopandas.GeoDataFrame or None
        Snapshots (any row order).
    dates : array_like of datetime64
        Incident dates; NaT gives -1.

    Returns
    -------
    numpy.ndarray of int64
        Row positions into ``frontlines``; -1 before the first snapshot, for NaT,
        or when there are no snapshots. Several snapshots on the same date: the last row wins.
    """
    values = pd.to_datetime(pd.Series(np.asarray(dates).ravel() if not isinstance(dates, pd.Series) else dates.to_numpy()))
    values = values.astype("datetime64[ns]").to_numpy().astype("datetime64[D]")
    result = np.full(len(values), -1, dtype="int64")
    if frontlines is None or len(frontlines) == 0 or len(values) == 0:
        return result
    snap = pd.to_datetime(frontlines["snapshot_date"]).astype("datetime64[ns]").to_numpy().astype("datetime64[D]")
    order = np.argsort(snap, kind="stable")
    position = np.searchsorted(snap[order], values, side="right") - 1
    ok = (position >= 0) & ~np.isnat(values)
    result[ok] = order[position[ok]]
    return result
