"""Where fetched data and the fetch state live inside a data directory.

``DIR/raw/<source>/`` holds what the publisher sent (raw exports and API pages),
``DIR/raw/<source>/state.json`` the progress of the last and any unfinished fetch,
copied into the manifest of the version each import writes (``fetch.<source>``, next
to ``licences_accepted``); the tables themselves live in the directory's versions. ``DIR/raw/<source>/seen.parquet`` remembers a digest of every
record fetched so far, so a summary can say what is new, updated or unchanged.
Nothing here ever holds a credential.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pandas as pd

from geo.atomic import atomic_write

RAW_DIR = "raw"
STATE_FILE = "state.json"
SEEN_FILE = "seen.parquet"


def now_utc() -> str:
    """Return the current UTC time as ISO 8601 (seconds)."""
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def raw_dir(out: Path, source: str) -> Path:
    """Return (and create) ``DIR/raw/<source>``.

    Parameters
    ----------
    out : Path
        Data directory (the folder is created inside it).
    source : str
        Publisher key: ``acled``, ``ucdp`` or ``deepstate``.

    Returns
    -------
    Path
        The folder for that source's raw downloads.
    """
    folder = Path(out) / RAW_DIR / source
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write_json(path: Path, payload: object) -> None:
    """Write JSON atomically (temporary file + rename)."""
    text = json.dumps(payload, ensure_ascii=False, indent=1, default=str)
    atomic_write(Path(path), lambda p: p.write_text(text, encoding="utf-8"))


def read_manifest(out: Path) -> dict:
    """Return the manifest of the data directory's current version ({} when there is none or it is unreadable)."""
    from geo.datadir import DataDirError, read_manifest

    try:
        return read_manifest(Path(out))
    except DataDirError:
        return {}


def load_state(out: Path, source: str) -> dict:
    """Return the fetch state of ``source`` (empty for a first fetch).

    The state file under ``DIR/raw/<source>/`` is authoritative (it also records an
    unfinished fetch); the copy in the manifest is used when the file is gone.

    Parameters
    ----------
    out : Path
        Data directory whose ``raw/<source>/state.json`` (or manifest) is read.
    source : str
        Publisher key.

    Returns
    -------
    dict
        The state as last saved.
    """
    path = Path(out) / RAW_DIR / source / STATE_FILE
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        state = None
    if not isinstance(state, dict):
        state = (read_manifest(out).get("fetch") or {}).get(source)
    return dict(state) if isinstance(state, dict) else {}


def save_state(out: Path, source: str, state: dict) -> None:
    """Save the fetch state of ``source`` to its raw folder (the manifest gets it with the next import)."""
    write_json(raw_dir(out, source) / STATE_FILE, state)


def digest(record: dict) -> str:
    """Return a short content digest of one API record (key order does not matter)."""
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha1(text.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]


def classify_records(out: Path, source: str, ids: list[str], digests: list[str]) -> dict:
    """Count fetched records as new, updated or unchanged, and remember them.

    Parameters
    ----------
    out : Path
        Data directory (``raw/<source>/seen.parquet`` is read and updated).
    source : str
        Publisher key.
    ids, digests : list of str
        Publisher ids and content digests of the fetched records (same length).

    Returns
    -------
    dict
        ``new``, ``updated``, ``unchanged`` counts (duplicates within the fetch count once).
    """
    path = raw_dir(out, source) / SEEN_FILE
    fresh = pd.DataFrame({"id": pd.array(ids, dtype="string"), "digest": pd.array(digests, dtype="string")})
    fresh = fresh.drop_duplicates("id", keep="last")
    seen = pd.read_parquet(path) if path.exists() else pd.DataFrame({"id": pd.array([], dtype="string"),
                                                                       "digest": pd.array([], dtype="string")})
    old = pd.Series(seen["digest"].to_numpy(), index=seen["id"].to_numpy())
    previous = old.reindex(fresh["id"].to_numpy()).to_numpy()
    known = ~pd.isna(previous)
    same = known & (previous == fresh["digest"].to_numpy())
    counts = {"new": int((~known).sum()), "updated": int((known & ~same).sum()), "unchanged": int(same.sum())}
    if counts["new"] or counts["updated"]:
        merged = pd.concat([seen[~seen["id"].isin(fresh["id"])], fresh], ignore_index=True)
        atomic_write(path, lambda p: merged.to_parquet(p, index=False))
    return counts
