"""Storage of a data directory: read and write its versions, load it for the app.

A data directory ``DIR`` holds one complete version of its tables at a time:

- ``DIR/CURRENT`` names the current version (one line, e.g. ``20261203T064512Z-3f9a1c2e``);
- ``DIR/versions/<id>/`` holds that version's ``incidents.parquet`` (GeoParquet,
  :data:`geo.schema.ALL_COLUMNS` but the front columns, plus a point geometry), ``front.parquet``
  (the front columns :data:`FRONT_COLUMNS`, row for row, tagged with the incident table's
  footer digest: :func:`join_front`), ``quarantine.csv``, optionally ``frontlines.parquet`` and
  ``boundaries.parquet``, and ``manifest.json`` (schema version, data version, sources and their
  licences, inputs).

The front columns live apart so that adding a front-line snapshot rewrites the small front
table and hard-links the incident table. Readers join the two (:func:`read_incidents_table`):
they return the same frame as from one table.

:func:`commit_version` is the only writer: it writes every table of the new version into a
temporary folder, renames the folder into ``versions/``, then switches ``CURRENT`` with an
atomic rename. A run killed at any moment leaves the previous complete version readable;
its temporary folder is removed by the next commit. Tables a command does not change are
hard-linked from the previous version, not copied. The previous version is kept (a reader
that has just read the pointer can still finish); older ones are removed.

Directories written before versions existed (the tables directly in ``DIR``) and versions
whose ``incidents.parquet`` still holds the front columns (no ``front.parquet``) still load;
the next commit migrates them. Building the tables is :mod:`geo.build`'s job.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from geo.atomic import atomic_write
from geo.dirlock import holds_lock, locked_writer
from geo.distance import FRONT_ENRICHMENT_COLUMNS
from geo.i18n import N_, TranslatedError
from geo.safejson import loads_json
from geo.schema import (
    ALL_COLUMNS,
    IMPORT_COLUMNS,
    SCHEMA_VERSION,
    coerce_incidents,
    empty_quarantine,
)
from geo.tablecache import cached_arrays, cached_table, code_digest, source_identities
from geo.taxonomy import TARGET_TYPES, WEAPONS, bits_from_lists

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INCIDENTS = REPO_ROOT / "data" / "curated" / "incidents.csv"
INCIDENTS_FILE = "incidents.parquet"
#: ``DataFrame.attrs`` key under which :func:`read_incidents_table` records the identity of the files it read.
SOURCE_FILES_ATTR = "conflictmap_source_files"
FRONT_FILE = "front.parquet"
QUARANTINE_FILE = "quarantine.csv"
FRONTLINES_FILE = "frontlines.parquet"
BOUNDARIES_FILE = "boundaries.parquet"
MANIFEST_FILE = "manifest.json"
#: Every table a version may hold (the manifest last: it is written after the tables).
TABLE_FILES = (INCIDENTS_FILE, FRONT_FILE, QUARANTINE_FILE, FRONTLINES_FILE, BOUNDARIES_FILE, MANIFEST_FILE)
#: The columns stored in ``front.parquet`` (they depend on the front lines only).
FRONT_COLUMNS: tuple[str, ...] = FRONT_ENRICHMENT_COLUMNS
#: Key of ``front.parquet``'s schema metadata: rows and footer digest of its incident table.
FRONT_METADATA_KEY = b"conflictmap.front"
POINTER_FILE = "CURRENT"
VERSIONS_DIR = "versions"
#: Prefix of what a writer keeps in ``versions/`` while it works (removed by :func:`clean_stale` after a kill).
TEMP_PREFIX = ".tmp-"
#: Environment hook for the kill tests: seconds to sleep after writing each table of a version.
SLOW_WRITES_ENV = "CONFLICTMAP_TEST_SLOW_WRITES"
#: Environment hook for the fault tests: ``N`` or ``N:kill|raise|enospc`` stops the process (SIGKILL),
#: raises ``RuntimeError`` or raises ``OSError(ENOSPC)`` at the N-th write point of this process's
#: commits (see :func:`_write_point`). Never set outside tests.
FAULT_ENV = "CONFLICTMAP_TEST_FAULT"
_write_points = [0]


class DataDirError(TranslatedError, RuntimeError):
    """The data directory is missing, unreadable, half-written or from another schema version.

    The message says what is wrong and how to fix it; the app shows it and offers
    the bundled default data.
    """


@dataclass
class DataBundle:
    """Everything the app reads, loaded once per data version and never mutated.

    Attributes
    ----------
    incidents : pandas.DataFrame
        :data:`geo.schema.ALL_COLUMNS` plus ``target_bits`` and ``weapon_bits``
        (int64 bit sets over :data:`geo.taxonomy.TARGET_TYPES` / ``WEAPONS``, for fast filtering).
    boundaries : geopandas.GeoDataFrame
        Admin-1 layer.
    frontlines : geopandas.GeoDataFrame or None
        One row per snapshot, or None when no front lines are loaded.
    quarantine : pandas.DataFrame
        Rows that were not imported, with reasons.
    manifest : dict
        Provenance: sources, inputs, build time.
    version : str
        Data version: changes whenever any table changes.
    notices : list of str
        Plain-language notes for the user (e.g. "no front-line layer is loaded").
    is_default : bool
        True for the bundled default data.
    path : Path or None
        The data directory (None for the bundled default).
    skipped_columns : tuple of str
        Columns of :data:`geo.schema.ALL_COLUMNS` deliberately not loaded (see :func:`load_bundle`).
    """

    incidents: pd.DataFrame
    boundaries: gpd.GeoDataFrame
    frontlines: gpd.GeoDataFrame | None
    quarantine: pd.DataFrame
    manifest: dict
    version: str
    notices: list[str] = field(default_factory=list)
    is_default: bool = False
    path: Path | None = None
    skipped_columns: tuple[str, ...] = ()


def file_digest(path: Path) -> str:
    """Return the SHA-256 hex digest of a file, read in 1 MiB chunks.

    Parameters
    ----------
    path : Path
        The file to hash.

    Returns
    -------
    str
        64 hex digits.
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def current_version(directory: Path | str) -> str | None:
    """Return the id of the directory's current version, or None (no version yet, or the flat layout).

    Parameters
    ----------
    directory : Path or str
        Data directory whose ``CURRENT`` pointer is read.

    Returns
    -------
    str or None
        The id named by ``CURRENT``.

    Raises
    ------
    DataDirError
        ``CURRENT`` names a version that does not exist or is not an id.
    """
    directory = Path(directory)
    try:
        text = (directory / POINTER_FILE).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise DataDirError(N_("{path} is unreadable ({reason}); rebuild the data directory."),
                           path=str(directory / POINTER_FILE), reason=str(exc)) from exc
    if not text or "/" in text or "\\" in text or text.startswith("."):
        raise DataDirError(N_("{path} does not name a version; rebuild the data directory."),
                           path=str(directory / POINTER_FILE))
    return text


def tables_folder(directory: Path | str) -> Path:
    """Return the folder that holds the current tables: ``versions/<id>``, or ``directory`` itself (flat layout).

    Parameters
    ----------
    directory : Path or str
        Data directory to look in.

    Returns
    -------
    Path
        Folder of ``incidents.parquet``, ``manifest.json``, ...
    """
    directory = Path(directory)
    version = current_version(directory)
    return directory if version is None else directory / VERSIONS_DIR / version


def table_path(directory: Path | str, name: str) -> Path:
    """Return the path of one table of the current version (it may not exist).

    Parameters
    ----------
    directory : Path or str
        Data directory holding the table.
    name : str
        One of :data:`TABLE_FILES`.

    Returns
    -------
    Path
        The file's path.
    """
    return tables_folder(directory) / name


def data_stamp(directory: Path | str | None) -> str:
    """Return a cheap stamp that changes whenever the directory's current tables change.

    The app keys its cache on it. For a versioned directory it is the version id; for
    the flat layout the files' modification times and sizes.

    Parameters
    ----------
    directory : Path, str or None
        Data directory (None: the bundled default).

    Returns
    -------
    str
        The stamp.
    """
    if directory is None:
        return "default"
    folder = Path(directory)
    try:
        version = current_version(folder)
    except DataDirError:
        return "unreadable-pointer"
    if version is not None:
        return f"version:{version}"
    parts = []
    for name in TABLE_FILES:
        try:
            info = (folder / name).stat()
        except OSError:
            continue
        parts.append(f"{name}:{info.st_mtime_ns}:{info.st_size}")
    return "|".join(parts) or "missing"


def read_manifest(directory: Path | str) -> dict:
    """Return the manifest of the current version (``{}`` when there is none).

    Parameters
    ----------
    directory : Path or str
        Data directory (the current version's manifest is read).

    Returns
    -------
    dict
        The manifest.

    Raises
    ------
    DataDirError
        The manifest is unreadable or not a JSON object.
    """
    directory = Path(directory)
    return _read_manifest_in(tables_folder(directory), directory)


def _read_manifest_in(folder: Path, directory: Path) -> dict:
    path = folder / MANIFEST_FILE
    if not path.exists():
        return {}
    try:
        manifest = loads_json(path.read_text(encoding="utf-8"), MANIFEST_FILE)
    except (OSError, ValueError) as exc:
        raise DataDirError(
            N_("{path} is unreadable ({reason}). Rebuild the data directory with "
               "`python -m geo ingest ... --out {directory}`."), path=str(path), reason=str(exc), directory=str(directory)
        ) from exc
    if not isinstance(manifest, dict):
        raise DataDirError(
            N_("{path} is unreadable (a JSON object was expected). "
               "Rebuild the data directory with `python -m geo ingest ... --out {directory}`."),
            path=str(path), directory=str(directory)
        )
    return manifest


def _legacy_data_version(folder: Path) -> str:
    digest = hashlib.sha256()
    for name in (INCIDENTS_FILE, FRONT_FILE, FRONTLINES_FILE, BOUNDARIES_FILE):
        path = folder / name
        if path.exists():
            digest.update(name.encode())
            digest.update(file_digest(path).encode())
    return digest.hexdigest()[:16]


def enrichment_inputs(folder: Path) -> dict:
    """Return the digests of the layers the derived columns depend on (front lines, boundaries).

    Parameters
    ----------
    folder : Path
        A folder of tables (a version, or a flat data directory).

    Returns
    -------
    dict
        ``{"frontlines.parquet": sha256 or None, "boundaries.parquet": sha256 or None}``.
    """
    return {name: file_digest(folder / name) if (folder / name).exists() else None
            for name in (FRONTLINES_FILE, BOUNDARIES_FILE)}


class _Keep:
    """Marker: carry this table over from the current version unchanged."""

    def __repr__(self) -> str:
        return "KEEP"


#: Pass as a table to :func:`commit_version` to carry it over unchanged (hard link).
KEEP = _Keep()


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_stale(directory: Path | str) -> list[Path]:
    """Remove what killed runs left behind: temporary version folders and pointer files of dead processes.

    Parameters
    ----------
    directory : Path or str
        Data directory to clean up.

    Returns
    -------
    list of Path
        The removed paths.
    """
    directory = Path(directory)
    removed: list[Path] = []
    # Holding the write lock, no other writer can be at work: every other process's leftover is
    # stale, even if its process id now belongs to an unrelated live process.
    exclusive = holds_lock(directory)
    candidates = list((directory / VERSIONS_DIR).glob(f"{TEMP_PREFIX}*")) if (directory / VERSIONS_DIR).is_dir() else []
    candidates += list(directory.glob(f".{POINTER_FILE}.*.tmp"))
    candidates += [p for name in TABLE_FILES for p in directory.glob(f".{name}.*.tmp")]
    for path in candidates:
        pid = _pid_of_temp(path.name)
        if pid is not None and pid != os.getpid() and not exclusive and _pid_alive(pid):
            continue
        if pid == os.getpid():
            continue
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
        removed.append(path)
    return removed


def _pid_of_temp(name: str) -> int | None:
    """Return the writer's process id encoded in a temporary name (``.tmp-<pid>-...``, ``.CURRENT.<pid>.tmp``)."""
    for part in name.replace("-", ".").split("."):
        if part.isdigit():
            return int(part)
    return None


def _slow_write_hook() -> None:
    delay = os.environ.get(SLOW_WRITES_ENV)
    if delay:
        import time

        try:
            time.sleep(min(max(float(delay), 0.0), 5.0))
        except ValueError:
            pass


def _write_point(label: str) -> None:
    """Count a point between two writes of :func:`commit_version`; the fault tests kill or fail the process there."""
    spec = os.environ.get(FAULT_ENV)
    if not spec:
        return
    _write_points[0] += 1
    at, _, action = spec.partition(":")
    if not at.strip().isdigit() or _write_points[0] != int(at):
        return
    if action == "raise":
        raise RuntimeError(f"injected fault at write point {at} ({label})")
    if action == "enospc":
        import errno

        raise OSError(errno.ENOSPC, "No space left on device (injected)", label)
    import signal

    os.kill(os.getpid(), signal.SIGKILL)


def _carry_over(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _write_table(folder: Path, name: str, value) -> None:
    path = folder / name
    if name == QUARANTINE_FILE:
        value.to_csv(path, index=False)
    elif name == FRONTLINES_FILE:
        from geo.frontlines import write_frontlines

        write_frontlines(value, folder)
    elif name == BOUNDARIES_FILE:
        value.to_parquet(path, index=False)
    else:
        raise ValueError(f"unknown table {name}")


@locked_writer("directory")
def commit_version(
    directory: Path | str,
    manifest: dict,
    *,
    incidents=KEEP,
    front=KEEP,
    quarantine=KEEP,
    frontlines=KEEP,
    boundaries=KEEP,
    extra=None,
) -> str:
    """Write a new complete version of a data directory and make it current, atomically.

    This is the only function that changes a data directory. Each table is either a new
    value (written), :data:`KEEP` (hard-linked from the current version, if it has one)
    or None (absent from the new version). The tables go into ``versions/.tmp-<pid>-…``,
    the folder is renamed to ``versions/<id>``, and ``CURRENT`` is replaced by an atomic
    rename: readers see the old version or the new one, never a mix. Afterwards the
    versions older than the previous one and the flat-layout tables of a migrated
    directory are removed.

    Parameters
    ----------
    directory : Path or str
        Data directory (created if missing).
    manifest : dict
        The new version's manifest; ``schema_version`` and ``data_version`` (= the
        version id) are set here.
    incidents : pandas.DataFrame, KEEP or None
        Canonical table (:data:`geo.schema.ALL_COLUMNS`), written as ``incidents.parquet``
        and ``front.parquet`` (:func:`write_incidents`).
    front : pandas.DataFrame or KEEP
        New front columns (:data:`FRONT_COLUMNS`, one row per incident in the current table's
        order) for the incidents carried over (``incidents=KEEP``): ``front.parquet`` is
        written, ``incidents.parquet`` hard-linked. An incident table of the older layout
        (front columns inside) is split once here.
    quarantine : pandas.DataFrame, KEEP or None
        :data:`geo.schema.QUARANTINE_COLUMNS`.
    frontlines : geopandas.GeoDataFrame, KEEP or None
        Front-line snapshots.
    boundaries : geopandas.GeoDataFrame, KEEP or None
        The directory's own boundary layer (None: the bundled default).
    extra : pyarrow.ChunkedArray, optional
        The ``extra`` column of a new ``incidents`` frame, row for row, when it was kept apart
        (see :func:`write_incidents`).

    Returns
    -------
    str
        The new version id.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    clean_stale(directory)
    versions = directory / VERSIONS_DIR
    versions.mkdir(exist_ok=True)
    previous_id = current_version(directory)
    previous = tables_folder(directory)
    version = f"{dt.datetime.now(dt.UTC):%Y%m%dT%H%M%S%fZ}-{secrets.token_hex(4)}"
    temp = versions / f"{TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}"
    temp.mkdir()
    try:
        _write_point("temporary version folder created")
        _put_incidents(previous, temp, incidents, front, extra)
        for name, value in ((QUARANTINE_FILE, quarantine), (FRONTLINES_FILE, frontlines), (BOUNDARIES_FILE, boundaries)):
            if value is None:
                continue
            if value is KEEP:
                if (previous / name).is_file():
                    _carry_over(previous / name, temp / name)
                    _write_point(f"{name} carried over")
                continue
            _write_table(temp, name, value)
            _slow_write_hook()
            _write_point(f"{name} written")
        manifest = {**manifest, "schema_version": SCHEMA_VERSION, "data_version": version}
        text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
        (temp / MANIFEST_FILE).write_text(text, encoding="utf-8")
        _write_point("manifest written")
        os.rename(temp, versions / version)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
    _slow_write_hook()
    _write_point("version folder renamed into place")

    def write_pointer(path: Path) -> None:
        path.write_text(version + "\n", encoding="utf-8")
        _write_point("new pointer written to its temporary file")

    atomic_write(directory / POINTER_FILE, write_pointer)
    _write_point("pointer switched")
    _collect_garbage(directory, keep={version, previous_id})
    _write_point("old versions removed")
    return version


def _collect_garbage(directory: Path, keep: set) -> None:
    """Remove versions other than ``keep`` and the tables of the flat layout (now migrated)."""
    for path in (directory / VERSIONS_DIR).iterdir():
        if path.name.startswith(".") or path.name in keep:
            continue
        shutil.rmtree(path, ignore_errors=True)
    for name in TABLE_FILES:
        (directory / name).unlink(missing_ok=True)


def _put_incidents(previous: Path, temp: Path, incidents, front, extra=None) -> None:
    """Put the new version's ``incidents.parquet`` and ``front.parquet`` into ``temp`` (see :func:`commit_version`)."""
    if incidents is None:
        return
    if incidents is not KEEP:
        if front is not KEEP:
            raise ValueError("front columns go with the incidents they belong to: pass them inside `incidents`")
        write_incidents(temp, incidents, extra=extra)
        _slow_write_hook()
        _write_point("front.parquet written")
        return
    source = previous / INCIDENTS_FILE
    if not source.is_file():
        if front is not KEEP:
            raise ValueError("front columns given but the current version has no incident table")
        return
    inside = [c for c in FRONT_COLUMNS if c in pq.read_schema(source).names]
    if inside:  # the older layout: split once, the front columns into their own table
        table = pq.read_table(source)
        atomic_write(temp / INCIDENTS_FILE, lambda p: pq.write_table(table.drop_columns(inside), p))
        _write_point("incidents.parquet split from the older layout")
        if front is KEEP:
            front = table.select(inside).to_pandas()
        del table
    else:
        _carry_over(source, temp / INCIDENTS_FILE)
        _write_point("incidents.parquet carried over")
        if front is KEEP:
            if (previous / FRONT_FILE).is_file():
                _carry_over(previous / FRONT_FILE, temp / FRONT_FILE)
                _write_point("front.parquet carried over")
            return
    write_front(temp, front)
    _slow_write_hook()
    _write_point("front.parquet written")


def write_incidents(directory: Path, incidents: pd.DataFrame, extra: pa.ChunkedArray | pa.Array | None = None) -> None:
    """Write ``incidents.parquet`` (GeoParquet, EPSG:4326 points) and its ``front.parquet`` into a folder.

    :func:`commit_version` writes a version's tables with it. Called on a data directory
    itself, it writes the flat (pre-version) layout, which test fixtures and benchmarks
    use; commands change data directories only through :func:`commit_version`. Each
    file is written atomically; the front table last (it names the incident table's digest).

    Parameters
    ----------
    directory : Path
        Folder to write into.
    incidents : pandas.DataFrame
        Frame with at least :data:`geo.schema.IMPORT_COLUMNS`.
    extra : pyarrow.Array or pyarrow.ChunkedArray, optional
        The ``extra`` column, row for row, when it was kept apart from the frame (the frame's
        own ``extra`` is then ignored): the ingest keeps that JSON text, about 40 % of the
        table, out of the steps that never read it.
    """
    frame = coerce_incidents(incidents, ALL_COLUMNS, keep_arrays=True)  # arrays read back go straight back
    if extra is not None and len(extra) != len(frame):
        raise ValueError(f"{len(extra)} values of `extra` for {len(frame)} incidents")
    atomic_write(Path(directory) / INCIDENTS_FILE, lambda path: _write_point_table(path, frame, extra))
    _slow_write_hook()
    _write_point("incidents.parquet written")
    write_front(Path(directory), frame)


_POINT_COLUMNS = [c for c in ALL_COLUMNS if c not in FRONT_COLUMNS]


def _write_point_table(path: Path, frame: pd.DataFrame, extra) -> None:
    """Write the incident table (no front columns) as GeoParquet: the file ``GeoDataFrame.to_parquet`` writes.

    Byte for byte the same file (schema, pandas and ``geo`` metadata, one row group, the same
    Arrow arrays encoded) without geopandas' whole-table copies: no shapely point per row
    (the WKB of a point is built from lon/lat) and no second frame. Tables with missing or
    infinite coordinates, or on a big-endian machine, go through geopandas as they are.
    """
    import sys

    lon = frame["lon"].to_numpy(dtype="float64", na_value=np.nan)
    lat = frame["lat"].to_numpy(dtype="float64", na_value=np.nan)
    if extra is not None:
        extra = pa.chunked_array([extra]) if isinstance(extra, pa.Array) else extra
    if not len(frame) or sys.byteorder != "little" or not (np.isfinite(lon).all() and np.isfinite(lat).all()):
        base = frame[_POINT_COLUMNS]
        if extra is not None:
            base = base.assign(extra=pd.array(extra.to_numpy(), dtype="string"))
        gdf = gpd.GeoDataFrame(base, geometry=gpd.points_from_xy(lon, lat), crs="EPSG:4326")
        gdf.to_parquet(path, index=False)
        return
    attributes = frame[_POINT_COLUMNS].assign(geometry=None)  # as geopandas converts them: geometry as nulls first
    table = pa.Table.from_pandas(attributes, preserve_index=False)
    del attributes
    if extra is not None:
        index = table.schema.get_field_index("extra")
        field = table.schema.field(index)
        table = table.set_column(index, field, extra if extra.type == field.type else extra.cast(field.type))
    sample = _geo_sample(lon, lat)
    index = table.schema.get_field_index("geometry")
    table = table.set_column(index, sample.field("geometry"), _point_wkb(lon, lat))
    table = table.replace_schema_metadata({**table.schema.metadata, b"geo": sample.metadata[b"geo"]})
    pq.write_table(table, path, compression="snappy")


def _geo_sample(lon: np.ndarray, lat: np.ndarray) -> pa.Schema:
    """Return the geometry field and ``geo`` metadata geopandas writes for these points (types, CRS, bounding box).

    Two points at the corners of the box have the same geometry types and bounds as all of
    them: they are written through geopandas and the schema is read back.
    """
    import io

    corners = gpd.points_from_xy([lon.min(), lon.max()], [lat.min(), lat.max()])
    buffer = io.BytesIO()
    gpd.GeoDataFrame({"n": [0, 1]}, geometry=corners, crs="EPSG:4326").to_parquet(buffer, index=False)
    return pq.read_schema(pa.BufferReader(buffer.getvalue()))


def _point_wkb(lon: np.ndarray, lat: np.ndarray) -> pa.Array:
    """ISO WKB of 2-D points, little-endian (what ``shapely.to_wkb(points, flavor="iso")`` gives)."""
    n = len(lon)
    raw = np.empty((n, 21), dtype=np.uint8)
    raw[:, :5] = np.frombuffer(b"\x01\x01\x00\x00\x00", dtype=np.uint8)
    raw[:, 5:13] = np.ascontiguousarray(lon, dtype="<f8").view(np.uint8).reshape(n, 8)
    raw[:, 13:] = np.ascontiguousarray(lat, dtype="<f8").view(np.uint8).reshape(n, 8)
    offsets = np.arange(0, 21 * (n + 1), 21, dtype=np.int32)
    return pa.Array.from_buffers(pa.binary(), n, [None, pa.py_buffer(offsets), pa.py_buffer(raw)])


def parquet_footer_digest(path: Path) -> str:
    """Return the SHA-256 of a Parquet file's footer (its metadata: schema, row groups, statistics).

    Two different tables practically never share a footer (it records every column chunk's
    size, offsets and minimum and maximum), and a copy of the file keeps it: ``front.parquet``
    names its incident table by it. Reads a few kilobytes, not the file.

    Parameters
    ----------
    path : Path
        A Parquet file.

    Returns
    -------
    str
        64 hex digits.

    Raises
    ------
    OSError
        The file is unreadable or not a complete Parquet file.
    """
    with open(path, "rb") as handle:
        size = handle.seek(0, os.SEEK_END)
        if size < 12:
            raise OSError(f"{path} is too short for a Parquet file")
        handle.seek(size - 8)
        tail = handle.read(8)
        length = int.from_bytes(tail[:4], "little")
        if tail[4:] != b"PAR1" or length > size - 12:
            raise OSError(f"{path} does not end like a Parquet file")
        handle.seek(size - 8 - length)
        return hashlib.sha256(handle.read(length)).hexdigest()


def write_front(folder: Path, front: pd.DataFrame) -> None:
    """Write ``front.parquet``: the front columns of the folder's ``incidents.parquet``, row for row.

    The schema metadata (:data:`FRONT_METADATA_KEY`) records the number of rows and the
    incident table's :func:`parquet_footer_digest`; :func:`join_front` checks both.

    Parameters
    ----------
    folder : Path
        Folder that already holds the ``incidents.parquet`` these rows belong to.
    front : pandas.DataFrame
        :data:`FRONT_COLUMNS` (other columns are ignored), in the incident table's row order.

    Raises
    ------
    ValueError
        The number of rows differs from the incident table's.
    """
    folder = Path(folder)
    incidents_path = folder / INCIDENTS_FILE
    rows = pq.ParquetFile(incidents_path).metadata.num_rows
    if len(front) != rows:
        raise ValueError(f"{len(front)} rows of front columns for an incident table of {rows} rows")
    frame = coerce_incidents(front, {name: ALL_COLUMNS[name] for name in FRONT_COLUMNS})
    table = pa.Table.from_pandas(frame, preserve_index=False)
    tag = json.dumps({"rows": rows, "incidents_footer_sha256": parquet_footer_digest(incidents_path)})
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), FRONT_METADATA_KEY: tag.encode()})
    atomic_write(folder / FRONT_FILE, lambda p: pq.write_table(table, p))


class FrontTableMismatchError(DataDirError):
    """``front.parquet`` does not belong to the ``incidents.parquet`` next to it (rows or digest differ)."""


def join_front(table: pa.Table, incidents_path: Path, columns: Iterable[str] = FRONT_COLUMNS) -> pa.Table:
    """Add front columns from ``front.parquet`` to a table read from the ``incidents.parquet`` beside it.

    The one place where the two tables of a version are put together (row for row). A
    column the incident table already holds (the older layout) is left as it is; without
    a ``front.parquet`` nothing is added (readers fill the columns as missing).

    Parameters
    ----------
    table : pyarrow.Table
        Columns read from ``incidents_path``, every row, in file order.
    incidents_path : Path
        The incident table; ``front.parquet`` is looked for in its folder.
    columns : iterable of str
        Which of :data:`FRONT_COLUMNS` to add.

    Returns
    -------
    pyarrow.Table
        ``table`` with those columns appended.

    Raises
    ------
    FrontTableMismatchError
        ``front.parquet`` was written for another incident table (row count or footer digest differ).
    DataDirError
        ``front.parquet`` is unreadable.
    """
    wanted = [c for c in columns if c in FRONT_COLUMNS and c not in table.column_names]
    path = Path(incidents_path).parent / FRONT_FILE
    if not wanted or not path.is_file():
        return table
    try:
        metadata = pq.read_schema(path).metadata or {}
        tag = loads_json(metadata.get(FRONT_METADATA_KEY, b"{}").decode("utf-8"), FRONT_FILE)
        digest = parquet_footer_digest(incidents_path)
        front = pq.read_table(path, columns=wanted)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataDirError(N_("{path} is unreadable ({reason}); run `python -m geo enrich {directory}` to rebuild it."),
                           path=str(path), reason=str(exc), directory=str(path.parent)) from exc
    if (not isinstance(tag, dict) or tag.get("rows") != table.num_rows or front.num_rows != table.num_rows
            or tag.get("incidents_footer_sha256") != digest):
        raise FrontTableMismatchError(
            N_("{path} does not belong to the incident table beside it; run `python -m geo enrich {directory}` "
               "to rebuild it."), path=str(path), directory=str(path.parent))
    for name in wanted:
        table = table.append_column(front.schema.field(name), front.column(name))
    return table


def read_incidents_table(path: Path, skip_columns: Iterable[str] = (), arrow_lists: bool = False,
                         columns: Iterable[str] | None = None, front: bool = True,
                         cached: bool = False) -> pd.DataFrame:
    """Read ``incidents.parquet`` joined with its ``front.parquet``, without decoding geometries (lon/lat suffice).

    Parameters
    ----------
    path : Path
        The parquet file.
    skip_columns : iterable of str
        Columns not to read (not even as empty columns), e.g. ``("extra",)`` for the app,
        which never shows it: at 1M ACLED rows it is ~390 MB of JSON text.
    arrow_lists : bool
        Keep the list columns (``target_types``, ``weapons``, ``source_urls``) in Arrow
        (``pandas.ArrowDtype``; a cell reads as a Python list) instead of one NumPy array
        object per cell: at 1M rows that saves ~400 MB and ~0.5 s CPU. The app loads them so.
    columns : iterable of str, optional
        Read only these columns of :data:`geo.schema.ALL_COLUMNS` (Parquet column
        projection); default all.
    front : bool
        Join the front columns from ``front.parquet`` (:func:`join_front`); False leaves
        them missing (for rebuilding a front table that does not match).
    cached : bool
        Read the table through a memory-mapped Arrow copy kept in the cache folder
        (:func:`geo.tablecache.cached_table`): milliseconds instead of seconds at 1M rows, and
        columns that are never used stay on disk. The app loads so.

    Returns
    -------
    pandas.DataFrame
        The columns asked for, in :data:`geo.schema.ALL_COLUMNS` order (enrichment columns empty if absent).

    Raises
    ------
    FrontTableMismatchError
        ``front.parquet`` does not belong to this incident table.
    DataDirError
        A table is unreadable or lacks imported columns.
    """
    skipped = set(skip_columns)
    chosen = set(ALL_COLUMNS) if columns is None else set(columns)
    wanted = [c for c in ALL_COLUMNS if c in chosen and c not in skipped]
    try:
        schema_names = pq.read_schema(path).names
        names = [c for c in wanted if c in schema_names]

        def read() -> pa.Table:
            table = pq.read_table(path, columns=names)
            _check_import_columns(path, wanted, table.column_names)
            return join_front(table, path, wanted) if front else table

        front_file = path.parent / FRONT_FILE
        sources = [path, front_file] if front and front_file.is_file() else [path]
        identities = source_identities(sources)
        table = cached_table(sources, _joined_names(names, wanted, front_file, front), read) if cached else read()
    except (OSError, pa.ArrowException) as exc:
        raise DataDirError(
            N_("{path} is not a readable Parquet file ({reason}). It may be half-written or damaged: "
               "re-run the ingest into this directory, or remove it to use the bundled default."),
            path=str(path), reason=str(exc)
        ) from exc
    frame = table.to_pandas(types_mapper=_arrow_list_types(table) if arrow_lists else _STRING_TYPES.get)
    for name in wanted:
        if name not in frame.columns:
            dtype = ALL_COLUMNS[name][0]
            empty = {"datetime64[ns]": pd.NaT, "float64": float("nan")}.get(dtype, pd.NA)
            frame[name] = pd.Series(empty, index=frame.index, dtype=dtype)
    frame = frame[wanted]
    for name in ("date", "front_snapshot_date"):
        if name in frame.columns:
            frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
    # Which files (and which of their versions) this table is: caches derived from it key on it.
    frame.attrs[SOURCE_FILES_ATTR] = identities
    return frame


def _check_import_columns(path: Path, wanted: list[str], present: list[str]) -> None:
    """Refuse an incident table without the imported columns (before joining its front table)."""
    missing = [c for c in IMPORT_COLUMNS if c in wanted and c not in present]
    if missing:
        raise DataDirError(
            N_("{path} lacks the columns {columns}: it was written by another tool or an older schema. "
               "Re-import the source files with `python -m geo ingest`."), path=str(path), columns=", ".join(missing)
        )


def _joined_names(names: list[str], wanted: list[str], front_file: Path, front: bool) -> list[str]:
    """Return the columns :func:`read_incidents_table` reads from the two files, in :func:`join_front`'s order."""
    if not front or not front_file.is_file():
        return names
    return names + [c for c in wanted if c in FRONT_COLUMNS and c not in names]


#: Arrow -> pandas types of the canonical table (booleans nullable also where no pandas metadata says so:
#: the front columns joined from ``front.parquet``).
_STRING_TYPES = {pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype(), pa.bool_(): pd.BooleanDtype()}


def _arrow_list_types(table: pa.Table):
    """``types_mapper`` for :meth:`pyarrow.Table.to_pandas` that keeps list columns in Arrow."""
    lists = {field.type for field in table.schema if pa.types.is_list(field.type) or pa.types.is_large_list(field.type)}

    def mapper(arrow_type: pa.DataType):
        if arrow_type in lists:
            return pd.ArrowDtype(arrow_type)
        return _STRING_TYPES.get(arrow_type)

    return mapper


def add_bitsets(incidents: pd.DataFrame, cached: bool = False) -> pd.DataFrame:
    """Add ``target_bits``/``weapon_bits``: list columns as int64 bit sets for vectorised filters.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Frame with ``target_types`` and ``weapons`` list columns.
    cached : bool
        Keep the bit sets in the cache folder, keyed by the files the frame was read from
        (``frame.attrs[SOURCE_FILES_ATTR]``, :func:`geo.tablecache.cached_arrays`), and map them
        from there on later loads (the app does).

    Returns
    -------
    pandas.DataFrame
        The same frame (modified in place and returned).
    """
    pairs = (("target_types", TARGET_TYPES, "target_bits"), ("weapons", WEAPONS, "weapon_bits"))

    def compute() -> tuple[dict[str, np.ndarray], dict]:
        return {out: bits_from_lists(incidents[column], taxonomy) for column, taxonomy, out in pairs}, {}

    identities = incidents.attrs.get(SOURCE_FILES_ATTR) if cached else None
    tag = f"bitsets\0{code_digest()}\0{len(incidents)}\0{list(incidents.columns)}" if identities else ""
    bits, _values = cached_arrays(identities, tag, compute)
    for _column, _taxonomy, out in pairs:
        incidents[out] = bits[out]
    return incidents




def _load_boundaries(folder: Path | None) -> gpd.GeoDataFrame | None:
    """Return the folder's own boundary layer, or None (the bundled default applies)."""
    if folder is None or not (folder / BOUNDARIES_FILE).exists():
        return None
    try:
        return gpd.read_parquet(folder / BOUNDARIES_FILE)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataDirError(N_("{path} is unreadable ({reason}); remove it to use the bundled boundaries."),
                           path=str(folder / BOUNDARIES_FILE), reason=str(exc)) from exc


def _load_frontlines(folder: Path | None) -> gpd.GeoDataFrame | None:
    if folder is None or not (folder / FRONTLINES_FILE).exists():
        return None
    from geo.frontlines import load_frontlines

    try:
        return load_frontlines(folder)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataDirError(
            N_("{path} is unreadable ({reason}); re-run `python -m geo frontlines ... --out DIR`."),
            path=str(folder / FRONTLINES_FILE), reason=str(exc)
        ) from exc


def _read_quarantine(folder: Path) -> pd.DataFrame:
    path = folder / QUARANTINE_FILE
    if not path.exists():
        return empty_quarantine()
    try:
        frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataDirError(N_("{path} is unreadable ({reason}); re-run the ingest into this directory."),
                           path=str(path), reason=str(exc)) from exc
    frame["row_number"] = pd.to_numeric(frame["row_number"], errors="coerce").astype("Int64")
    return frame


@dataclass
class Tables:
    """The tables of one version of a data directory, as :mod:`geo.build` reads and changes them.

    Attributes
    ----------
    incidents : pandas.DataFrame or None
        :data:`geo.schema.ALL_COLUMNS` (None when the directory has no incidents yet).
    quarantine : pandas.DataFrame
        Rows not imported, with reasons.
    frontlines : geopandas.GeoDataFrame or None
        Front-line snapshots.
    boundaries : geopandas.GeoDataFrame or None
        The directory's own boundary layer (None: the bundled default).
    manifest : dict
        Provenance.
    version : str or None
        The version these tables were read from (None: new, or the flat layout).
    enrichment_current : bool
        True when the incidents' derived columns were computed against these front lines
        and boundaries (always true for a versioned directory).
    columns : tuple of str or None
        The incident columns read (None: all of :data:`geo.schema.ALL_COLUMNS`). A partial
        table can change the front table only (``front``), never be written as incidents.
    """

    incidents: pd.DataFrame | None
    quarantine: pd.DataFrame
    frontlines: gpd.GeoDataFrame | None
    boundaries: gpd.GeoDataFrame | None
    manifest: dict
    version: str | None = None
    enrichment_current: bool = True
    columns: tuple[str, ...] | None = None


def read_tables(directory: Path | str, columns: Iterable[str] | None = None) -> Tables:
    """Read every table of the current version (a missing directory gives empty tables).

    Parameters
    ----------
    directory : Path or str
        Data directory to read (a missing one gives empty tables).
    columns : iterable of str, optional
        Read only these incident columns (``Tables.columns``); default all.

    Returns
    -------
    Tables
        The tables, incidents with all columns (``extra`` included) unless ``columns`` is
        given. A ``front.parquet`` that does not belong to its incident table is left out
        (front columns missing) and ``enrichment_current`` is False, so the next command
        that enriches rebuilds it.

    Raises
    ------
    DataDirError
        A table is unreadable or from another schema version.
    """
    directory = Path(directory)
    columns = None if columns is None else tuple(columns)
    if not directory.exists():
        return Tables(None, empty_quarantine(), None, None, {})
    for attempt in range(3):
        version = current_version(directory)
        folder = tables_folder(directory)
        try:
            manifest = _read_manifest_in(folder, directory)
            _check_schema(manifest, directory)
            path = folder / INCIDENTS_FILE
            matched = True
            try:
                incidents = read_incidents_table(path, columns=columns) if path.exists() else None
            except FrontTableMismatchError:
                incidents, matched = read_incidents_table(path, columns=columns, front=False), False
            tables = Tables(incidents, _read_quarantine(folder), _load_frontlines(folder), _load_boundaries(folder),
                            manifest, version, columns=columns)
        except DataDirError:
            if attempt < 2 and current_version(directory) != version:
                continue  # a writer switched versions while we read: read the new one
            raise
        if version is None and incidents is not None:
            recorded = manifest.get("enrichment", {}).get("inputs")
            tables.enrichment_current = recorded == enrichment_inputs(folder)
        tables.enrichment_current = tables.enrichment_current and matched
        return tables
    raise DataDirError(N_("{directory} kept changing while it was read; try again."), directory=str(directory))


def _check_schema(manifest: dict, directory: Path) -> None:
    if manifest and manifest.get("schema_version") != SCHEMA_VERSION:
        raise DataDirError(
            N_("{directory} was built with schema version {found}, this version of the tool reads version "
               "{expected}. Rebuild it: `python -m geo build SOURCES --out {directory}`."),
            directory=str(directory), found=str(manifest.get("schema_version")), expected=str(SCHEMA_VERSION)
        )


NO_FRONTLINES_NOTICE = (
    "No front-line layer is loaded, so distance from the front is not available. "
    "Add one with `python -m geo frontlines EXPORTS... --out DIR` (DeepStateMap raw GeoJSON exports, "
    "or generic dated polygons: GeoJSON/GeoPackage with a date property or a date in the file name), "
    "then start the app with CONFLICTMAP_DATA=DIR."
)


def load_bundle(path: Path | str | None, skip_columns: Iterable[str] = (), arrow_lists: bool = False,
                cached: bool = False) -> DataBundle:
    """Load the current version of a data directory, or the bundled default data when ``path`` is None.

    Parameters
    ----------
    path : Path, str or None
        Data directory; None = bundled default (built by :func:`geo.build.build_default_bundle`).
    skip_columns : iterable of str
        Columns to leave out of ``incidents`` (listed in ``DataBundle.skipped_columns``);
        the app skips ``extra``. Ignored for the bundled default.
    arrow_lists : bool
        Keep the list columns in Arrow (see :func:`read_incidents_table`); the app does.
        Ignored for the bundled default.
    cached : bool
        Read the incident table through its memory-mapped copy in the cache folder (see
        :func:`read_incidents_table`); the app does. Ignored for the bundled default.

    Returns
    -------
    DataBundle
        The loaded, enriched data.

    Raises
    ------
    DataDirError
        When the directory is missing, unreadable, half-written or from another schema version.
    """
    if path is None:
        from geo.build import build_default_bundle

        return build_default_bundle()
    directory = Path(path)
    if not directory.is_dir():
        raise DataDirError(
            N_("The data directory {directory} does not exist. Create it with "
               "`python -m geo ingest FILES... --out {directory}`, or unset CONFLICTMAP_DATA to use the bundled data."),
            directory=str(directory)
        )
    for attempt in range(3):
        version = current_version(directory)
        try:
            return _load_version(directory, tables_folder(directory), skip_columns, arrow_lists, cached)
        except DataDirError:
            if attempt < 2 and current_version(directory) != version:
                continue  # a writer switched versions while we read: load the new one
            raise
    raise DataDirError(N_("{directory} kept changing while it was read; try again."), directory=str(directory))


def _load_version(directory: Path, folder: Path, skip_columns: Iterable[str], arrow_lists: bool = False,
                  cached: bool = False) -> DataBundle:
    from geo.boundaries import load_default_boundaries

    manifest = _read_manifest_in(folder, directory)
    _check_schema(manifest, directory)
    incidents_path = folder / INCIDENTS_FILE
    if not incidents_path.exists():
        raise DataDirError(
            N_("{directory} has no {file}. Import incidents with `python -m geo ingest FILES... --out {directory}`."),
            directory=str(directory), file=INCIDENTS_FILE
        )
    skipped = tuple(c for c in ALL_COLUMNS if c in set(skip_columns))
    incidents = add_bitsets(read_incidents_table(incidents_path, skip_columns=skipped, arrow_lists=arrow_lists,
                                                 cached=cached), cached=cached)
    frontlines = _load_frontlines(folder)
    notices = [] if frontlines is not None else [NO_FRONTLINES_NOTICE]
    enrichment = manifest.get("enrichment", {})
    if folder == directory and enrichment and enrichment.get("inputs") != enrichment_inputs(folder):
        notices.append(
            f"The derived columns in {directory} are out of date; run `python -m geo enrich {directory}` to refresh them."
        )
    boundaries = _load_boundaries(folder)
    if not manifest:
        from geo.sources.registry import source_entry

        manifest = {"sources": [source_entry(str(k)) for k in sorted(incidents["source"].dropna().unique())]}
    return DataBundle(
        incidents=incidents,
        boundaries=boundaries if boundaries is not None else load_default_boundaries(),
        frontlines=frontlines,
        quarantine=_read_quarantine(folder),
        manifest=manifest,
        version=manifest.get("data_version") or _legacy_data_version(folder),
        notices=notices,
        is_default=False,
        path=directory,
        skipped_columns=skipped,
    )
