"""Import incident files of any supported format into the canonical table.

:func:`detect_format` recognises a file by its columns (or JSON shape),
:func:`read_incidents` runs the matching importer from :mod:`geo.sources` on
each input and checks all rows together (ids are de-duplicated across the
inputs of one call), and :func:`merge_incidents` folds a new import into an
existing table by ``incident_id``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import pandas as pd

from geo.i18n import N_, Message
from geo.parsing import read_header, reading_session
from geo.safejson import JsonTooDeepError, load_json_file
from geo.schema import IMPORT_COLUMNS, ImportResult, UnreadableFileError, coerce_incidents
from geo.sources import generic, registry
from geo.sources._common import StagedRows, finalise

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
        return load_json_file(path)
    except JsonTooDeepError as exc:
        raise UnreadableFileError(exc.msg) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableFileError(N_("{name}: not valid UTF-8 JSON ({reason}). Check the file or export it again."),
                                  name=path.name, reason=str(exc)) from exc


class FileProbe:
    """What detection may look at in one input: its name, its header row or its JSON, each read at most once.

    Attributes
    ----------
    path : Path
        The input.
    name : str
        File name.
    suffix : str
        Lower-case suffix.
    is_dir : bool
        True for a folder.
    header : frozenset of str or None
        Case-folded column names of a text table (None for folders, JSON, Excel, Parquet).
    json : object or None
        The parsed JSON of a ``.json``/``.geojson`` file (None otherwise).
    """

    def __init__(self, path: Path):
        self.path = Path(path)
        self.name = self.path.name
        self.suffix = self.path.suffix.lower()
        self.is_dir = self.path.is_dir()
        self._header: frozenset[str] | None = None
        self._json: object = None
        self._json_read = False

    @property
    def is_text_table(self) -> bool:
        """True for a file read as delimited text (not a folder, JSON, Excel or Parquet)."""
        return not self.is_dir and self.suffix not in _NOT_TEXT_SUFFIXES

    @property
    def header(self) -> frozenset[str] | None:
        """Case-folded column names (read on first use)."""
        if self._header is None and self.is_text_table:
            names, _, _, _ = read_header(self.path)
            self._header = frozenset(h.casefold() for h in names)
        return self._header

    @property
    def json(self) -> object:
        """Parsed JSON of a JSON file (read on first use)."""
        if not self._json_read and not self.is_dir and self.suffix in generic.GEOJSON_SUFFIXES:
            self._json = _peek_json(self.path)
            self._json_read = True
        return self._json


_NOT_TEXT_SUFFIXES = frozenset((*generic.EXCEL_SUFFIXES, *generic.PARQUET_SUFFIXES, *generic.GEOJSON_SUFFIXES, ".xls"))


def detect_format(path: Path | str) -> str:
    """Recognise the publisher format of a file or folder, asking each registered format in turn.

    The formats of :mod:`geo.sources.registry` are tried in their ``priority`` order;
    the generic format accepts any file and comes last.

    Parameters
    ----------
    path : Path or str
        Input file, or a folder holding a TimeMap export.

    Returns
    -------
    str
        A format key of :func:`geo.sources.registry.format_keys`.

    Raises
    ------
    geo.schema.UnreadableFileError
        The file cannot be read at all.
    """
    path = Path(path)
    if not path.exists():
        raise UnreadableFileError(N_("{name}: the file does not exist. Check the path."), name=path.name)
    probe = FileProbe(path)
    for spec in registry.incident_formats():
        if spec.recognise is not None and spec.recognise(probe):
            return spec.key
    if probe.is_dir:
        raise UnreadableFileError(N_("{name}: a folder can only be imported as a TimeMap export "
                                     "(export_events.json, export_associations.json, export_sources.json)."),
                                  name=path.name)
    raise UnreadableFileError(N_("{name}: no importer recognises this file. Choose a format with --format."),
                              name=path.name)


def _stage(path: Path, fmt: str, options: dict, limits: dict) -> StagedRows:
    spec = registry.get_format(fmt)
    kwargs = dict(limits)
    kwargs.update({name: options[name] for name in spec.options if options.get(name) is not None})
    return spec.stage(path, **kwargs)


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
    formats: Sequence[str] | None = None,
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
        "auto" (per file, :func:`detect_format`) or a key of :func:`geo.sources.registry.format_keys`.
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
    formats : sequence of str, optional
        The format of each path, already detected (skips detection; ``fmt`` then
        only decides whether "detected" notes are added).

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
    if fmt != "auto":
        registry.get_format(fmt)
    limits = {"max_rows": max_rows, "max_bytes": max_bytes}
    staged: list[StagedRows] = []
    messages: list[str] = []
    chosen_formats: list[str] = []
    if formats is not None and len(formats) != len(paths):
        raise ValueError("formats must give one format per path")
    with reading_session():  # detection, staging and the digest share one read of each file
        for number, path in enumerate(paths):
            chosen = formats[number] if formats is not None else detect_format(path) if fmt == "auto" else fmt
            if fmt == "auto":
                messages.append(Message(N_("{file}: format {format} (detected)."), file=path.name, format=chosen))
            rows = _stage(path, chosen, {"mapping": mapping, "source_label": source_label}, limits)
            staged.append(rows)
            chosen_formats.append(chosen)
            if progress is not None:
                progress(rows.rows_read)
    result = finalise(staged, buffer_km=study_area_buffer_km, today=today, date_order=date_order)
    result.messages[:0] = messages
    for entry, chosen in zip(result.files, chosen_formats, strict=True):
        entry["format"] = chosen
    return result


def merge_incidents(existing: pd.DataFrame | None, new: pd.DataFrame, columns: Mapping = IMPORT_COLUMNS) -> pd.DataFrame:
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
    columns : mapping
        Column spec to keep (:data:`geo.schema.IMPORT_COLUMNS` by default; the build
        merges enriched tables with :data:`geo.schema.ALL_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        Canonical columns, unique ``incident_id``.
    """
    new = coerce_incidents(new, columns).drop_duplicates("incident_id", keep="last")
    if existing is None or not len(existing):
        return new.reset_index(drop=True)
    existing = coerce_incidents(existing, columns).drop_duplicates("incident_id", keep="last")
    new_ids = pd.Index(new["incident_id"])
    replaced = existing["incident_id"].isin(new_ids).to_numpy()
    kept = existing.loc[~replaced]
    position = pd.Series(range(len(existing)), index=existing["incident_id"].to_numpy())
    new_in_old = new["incident_id"].isin(existing["incident_id"]).to_numpy()
    updated = new.loc[new_in_old].assign(_order=position.loc[new.loc[new_in_old, "incident_id"]].to_numpy())
    kept = kept.assign(_order=position.loc[kept["incident_id"]].to_numpy())
    merged = pd.concat([kept, updated], ignore_index=True).sort_values("_order", kind="stable").drop(columns="_order")
    merged = pd.concat([merged, new.loc[~new_in_old]], ignore_index=True)
    return merged.reset_index(drop=True)[list(columns)]
