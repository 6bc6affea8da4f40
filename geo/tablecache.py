"""Memory-mapped Arrow copies of data-directory tables: the app's fast and light start.

Reading a 1M-row ``incidents.parquet`` decodes and decompresses every column into process
memory (~0.5 GB, 1-2 s on two cores) although the first page touches a third of it. An
uncompressed Arrow IPC copy of the same table, memory-mapped, opens in milliseconds; its
pages are read from disk (the OS page cache) only when a column is used, and several app
processes share them.

The copy is a cache, never a source: it lives under the cache folder
(:func:`geo.cachedir.cache_dir`, ``CONFLICTMAP_CACHE_DIR``), is keyed by the identity of
the files it was read from (path, inode, size, modification time: every write of a data
directory makes new files, see :mod:`geo.atomic`) and the columns read, and any problem
with it (caching off, folder unwritable, disk full, a damaged copy) falls back to reading
the files. Copies of older versions of the same directory are removed when a new one is
written, and the least recently used ones beyond :data:`MAX_COPIES` or :data:`MAX_BYTES`.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np
import pyarrow as pa

from geo.atomic import atomic_write
from geo.cachedir import cache_dir

#: Change when the layout of a cached copy changes (old copies are then never read).
CACHE_FORMAT = "1"
TABLES_FOLDER = "tables"
SUFFIX = ".arrow"
#: Arrays derived from a table (:func:`cached_arrays`) end so; trimmed and cleared with the copies.
ARRAYS_SUFFIX = ".arrays.arrow"
#: Copies kept in all (the most recently used first): a 1M-row table is ~0.55 GB.
MAX_COPIES = 16
MAX_BYTES = 4_000_000_000


def _file_identity(path: Path) -> str:
    info = path.stat()
    return f"{path.resolve()}\0{info.st_dev}\0{info.st_ino}\0{info.st_size}\0{info.st_mtime_ns}"


def copy_path(sources: Sequence[Path], columns: Iterable[str], folder: Path | None = None) -> Path | None:
    """Return where the cached copy of ``columns`` read from ``sources`` lives (None: caching is off).

    Parameters
    ----------
    sources : sequence of Path
        The files the table is read from; the first one's folder names the group of copies
        that replace each other (a data directory's versions).
    columns : iterable of str
        The columns read, in order.
    folder : Path, optional
        Cache folder (default :func:`geo.cachedir.cache_dir`).

    Returns
    -------
    Path or None
        ``<cache>/tables/<group>-<key>.arrow``; None when caching is off or a source is missing.
    """
    folder = cache_dir() if folder is None else folder
    if folder is None:
        return None
    try:
        identities = [_file_identity(Path(p)) for p in sources]
    except OSError:
        return None
    key = hashlib.sha256("\0\0".join([CACHE_FORMAT, pa.__version__, *identities, "\0".join(columns)]).encode())
    group = hashlib.sha256(str(_group_of(Path(sources[0]))).encode()).hexdigest()[:16]
    return folder / TABLES_FOLDER / f"{group}-{key.hexdigest()[:32]}{SUFFIX}"


def _group_of(source: Path) -> Path:
    """Return the data directory a table belongs to: ``DIR`` for ``DIR/versions/<id>/file`` and ``DIR/file``."""
    folder = source.resolve().parent
    return folder.parent.parent if folder.parent.name == "versions" else folder


def open_copy(path: Path, columns: Sequence[str]) -> pa.Table | None:
    """Return the memory-mapped table at ``path``, or None when it is missing, damaged or holds other columns.

    Parameters
    ----------
    path : Path
        A copy written by :func:`cached_table`.
    columns : sequence of str
        The columns it must hold, in order.

    Returns
    -------
    pyarrow.Table or None
        Zero-copy: its buffers point into the mapped file.
    """
    try:
        with pa.memory_map(str(path), "r") as source:
            table = pa.ipc.open_file(source).read_all()
    except (OSError, pa.ArrowException):
        return None
    return table if table.column_names == list(columns) else None


def _write_copy(path: Path, table: pa.Table) -> None:
    def write(tmp: Path) -> None:
        with pa.OSFile(str(tmp), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
            writer.write_table(table)

    atomic_write(path, write)
    _evict(path)


def _evict(kept: Path) -> None:
    """Remove the copies of older versions of the same directory, then the least recently used beyond the limits."""
    group = kept.name.split("-", 1)[0]
    others = []
    for other in kept.parent.glob(f"*{SUFFIX}"):
        if other == kept:
            continue
        try:
            if other.name.split("-", 1)[0] == group:
                other.unlink()  # a process that still maps it keeps reading it (the file goes when unmapped)
            else:
                info = other.stat()
                others.append((info.st_mtime_ns, info.st_size, other))
        except OSError:
            pass
    total = kept.stat().st_size
    # Table copies and the arrays derived from them (two sets per copy) are counted apart.
    counts = {False: 1, True: 0} if not kept.name.endswith(ARRAYS_SUFFIX) else {False: 0, True: 1}
    limits = {False: MAX_COPIES, True: 2 * MAX_COPIES}
    for _, size, other in sorted(others, reverse=True):
        total += size
        arrays = other.name.endswith(ARRAYS_SUFFIX)
        counts[arrays] += 1
        if counts[arrays] > limits[arrays] or total > MAX_BYTES:
            other.unlink(missing_ok=True)


def cached_table(sources: Sequence[Path], columns: Sequence[str], read: Callable[[], pa.Table],
                 folder: Path | None = None) -> pa.Table:
    """Return ``read()``, from a memory-mapped copy when one matches ``sources`` and ``columns``.

    Without a matching copy the table is read, written as an uncompressed Arrow IPC file
    (atomically) and returned memory-mapped from that file, so that the process does not
    keep the decoded table in its own memory. Any problem with the cache gives ``read()``.

    Parameters
    ----------
    sources : sequence of Path
        The files ``read`` reads (their identity keys the copy).
    columns : sequence of str
        The columns ``read`` returns, in order.
    read : callable
        Reads the table from ``sources``; its exceptions propagate.
    folder : Path, optional
        Cache folder (default :func:`geo.cachedir.cache_dir`).

    Returns
    -------
    pyarrow.Table
        Equal to ``read()``.
    """
    path = copy_path(sources, columns, folder)
    if path is not None and path.is_file():
        table = open_copy(path, columns)
        if table is not None:
            try:
                os.utime(path)  # recently used: kept when the cache is trimmed
            except OSError:
                pass
            return table
    table = read()
    if path is None or table.column_names != list(columns):
        return table
    try:
        _write_copy(path, table)
    except OSError:
        return table
    mapped = open_copy(path, columns)
    if mapped is None or mapped.num_rows != table.num_rows:
        return table
    del table
    pa.default_memory_pool().release_unused()
    return mapped


def source_identities(sources: Sequence[Path]) -> tuple[str, ...] | None:
    """Return the identity of each file (path, inode, size, modification time), or None when one is missing.

    Parameters
    ----------
    sources : sequence of Path
        Files a table was read from.

    Returns
    -------
    tuple of str or None
        What keys the cached copies; taken when the files are read, it still names them after a
        writer has switched the directory to a new version (old versions' files are never rewritten).
    """
    try:
        return tuple(_file_identity(Path(p)) for p in sources)
    except OSError:
        return None


@functools.lru_cache(maxsize=1)
def code_digest() -> str:
    """Return a digest of the ``geo`` package's source and the versions of numpy, pandas and pyarrow.

    Part of the key of derived arrays (:func:`cached_arrays`): any change to the code that
    could compute them differently makes a new copy, never a stale one.

    Returns
    -------
    str
        Hex digest.
    """
    import pandas as pd

    digest = hashlib.sha256(f"{np.__version__}\0{pd.__version__}\0{pa.__version__}".encode())
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _arrays_path(identities: Sequence[str], tag: str, folder: Path) -> Path:
    key = hashlib.sha256("\0\0".join([CACHE_FORMAT, pa.__version__, np.__version__, *identities, tag]).encode())
    # Its own group: writing it must not evict the table copy of the same directory, nor the reverse.
    # A group per directory and kind of arrays (the tag's first field): a new version's arrays replace
    # the older version's of the same kind only.
    directory = _group_of(Path(identities[0].split("\0", 1)[0]))
    group = hashlib.sha256(f"arrays\0{directory}\0{tag.split(chr(0), 1)[0]}".encode()).hexdigest()[:16]
    return folder / TABLES_FOLDER / f"{group}-{key.hexdigest()[:32]}{ARRAYS_SUFFIX}"


def cached_arrays(identities: Sequence[str] | None, tag: str,
                  compute: Callable[[], tuple[dict[str, np.ndarray], dict]],
                  folder: Path | None = None) -> tuple[dict[str, np.ndarray], dict]:
    """Return ``compute()``, from a memory-mapped copy when one matches ``identities`` and ``tag``.

    For arrays derived from a table once per data version (e.g. the filters' prepared
    columns): the first call computes and writes them (an uncompressed Arrow IPC file, one
    column per array, atomically), later processes map them in milliseconds. Any problem
    with the cache gives ``compute()``.

    Parameters
    ----------
    identities : sequence of str or None
        :func:`source_identities` of the files the arrays derive from (None: no caching).
    tag : str
        Everything else the arrays depend on (the code that computes them, their layout); its
        first NUL-separated field names the kind of arrays (one set per kind and directory is kept
        per version).
    compute : callable
        Returns ``(arrays, meta)``: one-dimensional numpy arrays of one length (numbers or
        bool) by name, and JSON-serialisable extra values.
    folder : Path, optional
        Cache folder (default :func:`geo.cachedir.cache_dir`).

    Returns
    -------
    tuple of (dict of str to numpy.ndarray, dict)
        Equal to ``compute()``; arrays read from the copy are read-only views of the mapped file.
    """
    folder = cache_dir() if folder is None else folder
    if folder is None or not identities:
        return compute()
    path = _arrays_path(identities, tag, folder)
    if path.is_file():
        found = _open_arrays(path)
        if found is not None:
            try:
                os.utime(path)
            except OSError:
                pass
            return found
    arrays, meta = compute()
    try:
        lengths = {len(a) for a in arrays.values()}
        if len(lengths) > 1 or any(a.ndim != 1 or a.dtype.kind not in "biuf" for a in arrays.values()):
            return arrays, meta
        table = pa.table({name: pa.array(a.view(np.uint8) if a.dtype == np.bool_ else a) for name, a in arrays.items()})
        layout = {"meta": meta, "dtypes": {name: a.dtype.str for name, a in arrays.items()}}
        table = table.replace_schema_metadata({b"conflictmap": json.dumps(layout).encode()})
        _write_copy(path, table)
    except (OSError, TypeError, ValueError, pa.ArrowException):
        return arrays, meta
    return arrays, meta


def _open_arrays(path: Path) -> tuple[dict[str, np.ndarray], dict] | None:
    try:
        with pa.memory_map(str(path), "r") as source:
            table = pa.ipc.open_file(source).read_all()
        layout = json.loads((table.schema.metadata or {})[b"conflictmap"])
        arrays = {}
        for name, dtype in layout["dtypes"].items():
            column = table.column(name).combine_chunks() if table.column(name).num_chunks != 1 \
                else table.column(name).chunk(0)
            values = column.to_numpy(zero_copy_only=True)
            arrays[name] = values.view(np.bool_) if np.dtype(dtype) == np.bool_ else values.astype(dtype, copy=False)
        return arrays, layout["meta"]
    except (OSError, KeyError, TypeError, ValueError, pa.ArrowException):
        return None


def clear_copies(folder: Path | None = None) -> int:
    """Remove every cached copy (e.g. to measure a cold start); return how many were removed.

    Parameters
    ----------
    folder : Path, optional
        Cache folder (default :func:`geo.cachedir.cache_dir`).

    Returns
    -------
    int
        Files removed.
    """
    folder = cache_dir() if folder is None else folder
    if folder is None or not (folder / TABLES_FOLDER).is_dir():
        return 0
    removed = 0
    for path in (folder / TABLES_FOLDER).glob(f"*{SUFFIX}"):
        try:
            os.unlink(path)
            removed += 1
        except OSError:
            pass
    return removed
