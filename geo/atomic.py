"""The one atomic-write rule of the project: a temporary sibling file, then an atomic rename.

Every file the project writes (data-directory tables and pointer, front lines, fetch state and
raw downloads, the ACLED token cache, export files) goes through :func:`atomic_write`, so a run
killed at any moment leaves either the old file or the new one, never half a file. The
temporary file is named ``.<name>.<pid>.<random>.tmp`` (``geo.datadir.clean_stale`` removes
those of dead processes) and is created with mode 0600.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write one file through a temporary sibling file and an atomic rename.

    Parameters
    ----------
    path : Path
        Final destination (its folder is created when missing).
    write : callable
        Called with the temporary path (an empty file, mode 0600); must write the content there.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_bytes(path: Path, payload: bytes) -> None:
    """Write ``payload`` to ``path`` atomically (:func:`atomic_write`).

    Parameters
    ----------
    path : Path
        Destination.
    payload : bytes
        Content.
    """
    atomic_write(Path(path), lambda tmp: tmp.write_bytes(payload))
