"""Where the project keeps caches on disk (one rule for every cache)."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path | None:
    """Return the folder of the project's on-disk caches, or None when caching is off.

    ``CONFLICTMAP_CACHE_DIR`` names it (``off``, ``0``, ``none`` or empty turn caching off);
    otherwise ``$XDG_CACHE_HOME/conflictmap`` or ``~/.cache/conflictmap``.

    Returns
    -------
    pathlib.Path or None
        The folder (it may not exist yet).
    """
    env = os.environ.get("CONFLICTMAP_CACHE_DIR")
    if env is not None:
        return None if env.strip().lower() in ("", "off", "0", "none") else Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "conflictmap"
