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

import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import pyarrow as pa

from geo.atomic import atomic_write
from geo.cachedir import cache_dir

#: Change when the layout of a cached copy changes (old copies are then never read).
CACHE_FORMAT = "1"
TABLES_FOLDER = "tables"
SUFFIX = ".arrow"
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
    for count, (_, size, other) in enumerate(sorted(others, reverse=True), start=2):
        total += size
        if count > MAX_COPIES or total > MAX_BYTES:
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
