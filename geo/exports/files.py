"""Writing export files: each one through a temporary sibling and an atomic rename."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from geo.atomic import write_bytes as write_bytes_atomic

__all__ = ["write_bytes_atomic", "write_files"]


def write_files(files: Mapping[str, bytes], out_dir: Path) -> list[Path]:
    """Write named byte blobs into ``out_dir`` atomically.

    Parameters
    ----------
    files : mapping of str to bytes
        File name -> content.
    out_dir : Path
        Destination (created).

    Returns
    -------
    list of Path
        Written paths.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in files.items():
        write_bytes_atomic(out_dir / name, data)
        written.append(out_dir / name)
    return written
