"""Import incident files of any supported format into the canonical table.

:func:`detect_format` recognises a file by its columns (or JSON shape),
:func:`read_incidents` runs the matching importer from :mod:`geo.sources` on
each input and checks all rows together (ids are de-duplicated across the
inputs of one call), and :func:`merge_incidents` folds a new import into an
existing table by ``incident_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pandas as pd

from geo.parsing import read_header
from geo.schema import IMPORT_COLUMNS, ImportResult, UnreadableFileError, coerce_incidents
from geo.sources import acled, bellingcat, curated, generic, ucdp
from geo.sources._common import StagedRows, finalise

FORMATS: tuple[str, ...] = ("acled", "ucdp", "bellingcat", "bellingcat_timemap", "curated", "generic")
_JSON_PEEK_BYTES = 1 << 16


def _peek_json(path: Path) -> object:
    """Parse a JSON file's structure cheaply enough to recognise it (whole file for small files)."""
    size = path.stat().st_size
    if size > 256 * 1024 * 1024:
        with open(path, "rb") as handle:
            head = handle.read(_JSON_PEEK_BYTES).lstrip()
        if head.startswith(b"["):
            return ["..."]
        return {"type": "FeatureCollection"} if b"FeatureCollection" in head else {}
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFileError(f"{path.name}: not valid UTF-8 JSON ({exc}). Check the file or export it again.") from exc


def detect_format(path: Path | str) -> str:
    """Recognise the publisher format of a file or folder.

    Parameters
    ----------
    path : Path or str
        Input file, or a folder holding a TimeMap export.

    Returns
    -------
    str
        One of :data:`FORMATS`.

    Raises
    ------
    geo.schema.UnreadableFileError
        The file cannot be read at all.
    """
    path = Path(path)
    if path.is_dir():
        if (path / "export_events.json").is_file():
            return "bellingcat_timemap"
        raise UnreadableFileError(f"{path.name}: a folder can only be imported as a TimeMap export "
                                  "(export_events.json, export_associations.json, export_sources.json).")
    if not path.exists():
        raise UnreadableFileError(f"{path.name}: the file does not exist. Check the path.")
    suffix = path.suffix.lower()
    if path.name in bellingcat.TIMEMAP_FILES:
        return "bellingcat_timemap"
    if suffix in generic.EXCEL_SUFFIXES or suffix in generic.PARQUET_SUFFIXES or suffix == ".xls":
        return "generic"
    if suffix in generic.GEOJSON_SUFFIXES:
        data = _peek_json(path)
        if bellingcat.is_reduced_json(data):
            return "bellingcat"
        return "generic"
    header, _, _, _ = read_header(path)
    names = {h.casefold() for h in header}
    if curated.SIGNATURE <= names:
        return "curated"
    if acled.SIGNATURE <= names:
        return "acled"
    if ucdp.SIGNATURE <= names:
        return "ucdp"
    if {"id", "date", "latitude", "longitude", "associations"} <= names:
        return "bellingcat"
    return "generic"


def _stage(path: Path, fmt: str, mapping, source_label, limits) -> StagedRows:
    if fmt == "acled":
        return acled.stage(path, **limits)
    if fmt == "ucdp":
        return ucdp.stage(path, **limits)
    if fmt == "bellingcat":
        return bellingcat.stage(path, **limits)
    if fmt == "bellingcat_timemap":
        return bellingcat.stage_timemap(path, **limits)
    if fmt == "curated":
        return curated.stage(path, **limits)
    if fmt == "generic":
        return generic.stage(path, mapping=mapping, source_label=source_label, **limits)
    raise ValueError(f"unknown format {fmt!r}; use one of auto, {', '.join(FORMATS)}")


def read_incidents(
    paths: Path | str | Iterable[Path | str],
    fmt: str = "auto",
    mapping: Mapping[str, str] | None = None,
    source_label: str | None = None,
    study_area_buffer_km: float = 50.0,
    today=None,
    max_rows: int | None = None,
    max_bytes: int | None = None,
    progress: Callable[[int], None] | None = None,
    date_order: str | None = None,
) -> ImportResult:
    """Import one or more incident files into the canonical table plus a quarantine.

    Every input row ends up either in ``incidents`` or in ``quarantine`` with a
    reason code from :data:`geo.schema.QUARANTINE_REASONS`, so
    ``len(incidents) + len(quarantine) == rows_read``.

    Parameters
    ----------
    paths : path or iterable of paths
        Files (or TimeMap folders).
    fmt : str
        "auto" (per file, :func:`detect_format`) or one of :data:`FORMATS`.
    mapping : mapping, optional
        Generic format: field -> column (see :func:`geo.sources.generic.resolve_columns`).
    source_label : str, optional
        Generic format: source key (default: each file's name).
    study_area_buffer_km : float
        Ukraine plus this many km is the study area.
    today : date-like, optional
        Dates after this are quarantined as future (default: today).
    max_rows, max_bytes : int, optional
        Per-file limits; larger files are refused with a clear message.
    progress : callable, optional
        Called with the number of rows read after each file.
    date_order : {"dayfirst", "monthfirst"}, optional
        Read numeric dates (``03/04/2022``) in this order; by default each
        file's date column decides from its values and stops with a clear
        message when nothing does.

    Returns
    -------
    geo.schema.ImportResult
        Imported rows, quarantined rows, rows read and messages (detected
        formats and encodings, auto-detected columns).

    Raises
    ------
    geo.schema.UnreadableFileError
        A file cannot be read at all (nothing is imported from any file then).
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    paths = [Path(p) for p in paths]
    if not paths:
        raise ValueError("no input files given")
    if fmt != "auto" and fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of auto, {', '.join(FORMATS)}")
    limits = {"max_rows": max_rows, "max_bytes": max_bytes}
    staged: list[StagedRows] = []
    messages: list[str] = []
    for path in paths:
        chosen = detect_format(path) if fmt == "auto" else fmt
        if fmt == "auto":
            messages.append(f"{path.name}: format {chosen} (detected).")
        rows = _stage(path, chosen, mapping, source_label, limits)
        staged.append(rows)
        if progress is not None:
            progress(rows.rows_read)
    result = finalise(staged, buffer_km=study_area_buffer_km, today=today, date_order=date_order)
    result.messages[:0] = messages
    return result


def merge_incidents(existing: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """Merge a new import into an existing table by ``incident_id``; new rows win.

    Merging the same import twice gives the same table (idempotent). Rows keep
    the existing order, replaced rows take their new values in place, and
    rows with new ids are appended.

    Parameters
    ----------
    existing : pandas.DataFrame or None
        The current table (canonical columns; extra columns are dropped).
    new : pandas.DataFrame
        The new rows.

    Returns
    -------
    pandas.DataFrame
        Canonical columns, unique ``incident_id``.
    """
    new = coerce_incidents(new, IMPORT_COLUMNS).drop_duplicates("incident_id", keep="last")
    if existing is None or not len(existing):
        return new.reset_index(drop=True)
    existing = coerce_incidents(existing, IMPORT_COLUMNS).drop_duplicates("incident_id", keep="last")
    new_ids = pd.Index(new["incident_id"])
    replaced = existing["incident_id"].isin(new_ids).to_numpy()
    kept = existing.loc[~replaced]
    position = pd.Series(range(len(existing)), index=existing["incident_id"].to_numpy())
    new_in_old = new["incident_id"].isin(existing["incident_id"]).to_numpy()
    updated = new.loc[new_in_old].assign(_order=position.loc[new.loc[new_in_old, "incident_id"]].to_numpy())
    kept = kept.assign(_order=position.loc[kept["incident_id"]].to_numpy())
    merged = pd.concat([kept, updated], ignore_index=True).sort_values("_order", kind="stable").drop(columns="_order")
    merged = pd.concat([merged, new.loc[~new_in_old]], ignore_index=True)
    return merged.reset_index(drop=True)[list(IMPORT_COLUMNS)]
