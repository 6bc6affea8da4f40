"""Building data: one pipeline from publisher files to a data directory, or to memory.

Every way data gets built goes through the steps of this module, in this order:

1. **stage** (:func:`stage_files`): detect each file's format in the source registry
   (:mod:`geo.sources.registry`), run its importer; every row is imported or
2. **quarantined** with a reason (:func:`geo.ingest.read_incidents`). An input that keeps
   nothing stops the command (:class:`NothingImportedError`, :func:`check_import`);
   one that loses more than half gets a warning naming the reasons.
3. **merge** (:func:`merge_into`): into the current tables by ``incident_id`` (new rows
   win); the quarantine by file; the manifest's inputs and sources from the registry.
4. **enrich** (:func:`enrich` / new rows only in :func:`merge_into`): oblast and front
   distance (:func:`geo.enrich.enrich_incidents`).
5. **fuse** (:func:`fuse`): link records of one event across sources (``event_id``).
6. **write** (:func:`write`): a new complete version of the data directory through
   :func:`geo.datadir.commit_version` (atomic as a whole).

The command line (``python -m geo ingest / frontlines / boundaries / enrich / build``),
the in-app upload (:func:`build_upload`, in memory), the bundled default data
(:func:`build_default_bundle`) and the benchmarks call these functions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import hashlib
import os
import secrets
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa

from geo import datadir
from geo.datadir import DataBundle, Tables
from geo.dirlock import locked_writer
from geo.i18n import N_, Message, TranslatedError
from geo.schema import (
    ALL_COLUMNS,
    ENRICHMENT_COLUMNS,
    FUSION_COLUMNS,
    IMPORT_COLUMNS,
    QUARANTINE_COLUMNS,
    ImportResult,
    UnreadableFileError,
    coerce_incidents,
    empty_quarantine,
)

#: Source key of the bundled boundary layer (used when a directory has no layer of its own).
DEFAULT_BOUNDARIES_SOURCE = "geoboundaries"
#: Source key of the bundled land and neighbouring-state layers (always used by the enrichment).
REFERENCE_LAND_SOURCE = "naturalearth"
#: An input losing more than this share of its rows to the quarantine gets a warning.
WARN_QUARANTINED_SHARE = 0.5

#: What to do about each quarantine reason (shown when an import keeps nothing or little).
REASON_FIXES: dict[str, str] = {
    "missing_id": N_("give the file an id column, or map one with --map source_id=COLUMN"),
    "date_missing": N_("map the date column with --map date=COLUMN"),
    "date_unparseable": N_("check the date column's layout (e.g. day-first 14/08/2020); map another column with "
                           "--map date=COLUMN, or convert the dates to ISO (2020-08-14)"),
    "date_in_future": N_("check that the date column holds the incident date and is read in the right order "
                         "(day-first or month-first)"),
    "date_out_of_range": N_("check that the date column holds the incident date"),
    "coords_missing": N_("map the coordinate columns with --map lat=COLUMN --map lon=COLUMN"),
    "coords_not_numeric": N_("map the coordinate columns with --map lat=COLUMN --map lon=COLUMN (decimal degrees)"),
    "coords_out_of_range": N_("check that latitude and longitude are decimal degrees in the right columns"),
    "latlon_swapped": N_("latitude and longitude look swapped: map them with --map lat=COLUMN --map lon=COLUMN"),
    "outside_study_area": N_("the points lie outside Ukraine and the buffer; check the coordinates, or raise "
                             "--buffer-km"),
    "duplicate_id": N_("the ids repeat: map a unique id column with --map source_id=COLUMN"),
    "negative_casualties": N_("check the casualty columns (--map killed=COLUMN --map injured=COLUMN)"),
    "casualties_not_numeric": N_("check the casualty columns (--map killed=COLUMN --map injured=COLUMN)"),
    "row_malformed": N_("check the file's quotes and delimiters"),
}


class NothingImportedError(TranslatedError, ValueError):
    """An input file kept no row: every row went to the quarantine. Nothing was changed.

    The message names the file, the main reasons with an example value each, and the fix.
    """


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def empty_tables() -> Tables:
    """Return the tables of a new, empty data directory.

    Returns
    -------
    geo.datadir.Tables
        No incidents, no front lines, the bundled boundaries, an empty manifest.
    """
    return Tables(None, empty_quarantine(), None, None, {})


def stage_files(
    paths: Sequence[Path | str],
    fmt: str = "auto",
    progress: Callable[[int], None] | None = None,
    names: Sequence[str] | None = None,
    **options,
) -> tuple[ImportResult, list[dict]]:
    """Stage and check input files: every row imported or quarantined (steps 1 and 2).

    Parameters
    ----------
    paths : sequence of Path or str
        Input files (or TimeMap folders).
    fmt : str
        "auto" (detected per file from the registry) or a registered format key.
    progress : callable, optional
        Called with the number of rows read after each file.
    names : sequence of str, optional
        What to record as each input's file in the manifest (default: its absolute path;
        uploads pass the uploaded file name).
    **options
        Passed to :func:`geo.ingest.read_incidents` (``mapping``, ``source_label``,
        ``study_area_buffer_km``, ``max_rows``, ``max_bytes``, ...).

    Returns
    -------
    result : geo.schema.ImportResult
        Imported and quarantined rows; ``result.files`` has per-input counts and formats.
    inputs : list of dict
        Manifest ``inputs`` entries: file, sha256, format, rows, imported, imported_at.
    """
    from geo.ingest import read_incidents
    from geo.parsing import reading_session, scan_file

    paths = [Path(p) for p in paths]
    if fmt != "auto":
        from geo.sources.registry import get_format

        get_format(fmt)
    with reading_session():  # each file is read from disk once: detection, parsing and its digest
        result = read_incidents(paths, fmt=fmt, progress=progress, **options)
        digests = [scan_file(p).sha256 if p.is_file() else None for p in paths]
    now = _now()
    inputs = []
    for number, (path, entry) in enumerate(zip(paths, result.files, strict=True)):
        inputs.append({
            "file": names[number] if names is not None else str(path.resolve()),
            "sha256": digests[number],
            "format": entry["format"],
            "rows": entry["rows_read"],
            "imported": entry["imported"],
            "imported_at": now,
        })
    return result, inputs


def describe_quarantine(quarantine: pd.DataFrame, limit: int = 3, lang: str = "en") -> list[str]:
    """Return the main quarantine reasons as lines: count, an example row with its value, the fix.

    Parameters
    ----------
    quarantine : pandas.DataFrame
        Quarantined rows (:data:`geo.schema.QUARANTINE_COLUMNS`).
    limit : int
        How many reasons to describe (the most frequent first).
    lang : str
        Language of the words (English by default); reason codes and row details are data.

    Returns
    -------
    list of str
        E.g. ``"date_unparseable: 1,000 rows, e.g. row 1: event_date='14/08/2020' is not a date …;
        fix: …"``.
    """
    return [line.render(lang) for line in _quarantine_messages(quarantine, limit)]


def _quarantine_messages(quarantine: pd.DataFrame, limit: int) -> list[Message]:
    """:func:`describe_quarantine` as messages (rendered in a language when shown)."""
    if not len(quarantine):
        return []
    lines = []
    counts = quarantine["reason"].value_counts()
    for reason, count in counts.head(limit).items():
        first = quarantine.loc[quarantine["reason"] == reason].iloc[0]
        row = first["row_number"]
        # A row number is a label, not a quantity: no thousands separator.
        where = Message(N_("row {number}"), number=str(int(row))) if pd.notna(row) else Message(N_("a row"))
        line = Message.ngettext("{reason}: {n} row, e.g. {where}: {detail}", "{reason}: {n} rows, e.g. {where}: {detail}",
                                int(count), reason=str(reason), where=where, detail=str(first["detail"]))
        fix = REASON_FIXES.get(str(reason))
        lines.append(Message(N_("{line}; fix: {fix}"), line=line, fix=Message(fix)) if fix else line)
    if len(counts) > limit:
        lines.append(Message.ngettext("and {rows} rows for {n} other reason(s)", "and {rows} rows for {n} other reason(s)",
                                      len(counts) - limit, rows=int(counts.iloc[limit:].sum())))
    return lines


def _lines(head: Message, lines: Sequence[Message], bullet: str = "") -> Message:
    """One message of ``head`` and ``lines`` below it (each rendered in the language the whole is shown in)."""
    values = {f"line{i}": line for i, line in enumerate(lines)}
    template = "\n".join(["{head}", *(bullet + "{" + key + "}" for key in values)])
    return Message(template, head=head, **values)


def check_import(result: ImportResult, lang: str = "en") -> list[str]:
    """Refuse an import in which an input kept no row; warn when one lost more than half.

    Parameters
    ----------
    result : geo.schema.ImportResult
        What :func:`stage_files` returned.
    lang : str
        Language of the messages (English by default).

    Returns
    -------
    list of str
        Warnings (one block per input that lost more than half of its rows): in ``lang``, or for
        English :class:`geo.i18n.Message` objects (English text that the app renders in its language).

    Raises
    ------
    NothingImportedError
        An input with rows kept none of them; the message explains the reasons and the fix.
    """
    errors, warnings = [], []
    for entry in result.files:
        rows, kept = entry["rows_read"], entry["imported"]
        if rows == 0:
            continue
        lost = rows - kept
        if kept == 0 or lost / rows > WARN_QUARANTINED_SHARE:
            mine = result.quarantine.loc[result.quarantine["file"] == entry["file"]]
            reasons = _quarantine_messages(mine, 3)
            file, fmt = str(entry["file"]), str(entry.get("format", "?"))
            if kept == 0:
                errors.append(_lines(Message(N_("{file}: none of its {rows} rows could be imported (format {format}). "
                                                "Main reasons:"), file=file, rows=int(rows), format=fmt),
                                     reasons, "  - "))
            else:
                warnings.append(_lines(Message(N_("{file}: {lost} of {rows} rows ({share}) were quarantined (format "
                                                  "{format}). Main reasons:"), file=file, lost=int(lost), rows=int(rows),
                                               share=f"{lost / rows:.0%}", format=fmt), reasons, "  - "))
    if errors:
        raise NothingImportedError(_lines(errors[0], [*errors[1:], Message(N_("Nothing was changed."))]))
    return warnings if lang == "en" else [warning.render(lang) for warning in warnings]


def _boundaries_for(tables: Tables) -> gpd.GeoDataFrame:
    if tables.boundaries is not None:
        return tables.boundaries
    from geo.boundaries import load_default_boundaries

    return load_default_boundaries()


def _enrich_rows(incidents: pd.DataFrame, tables: Tables) -> pd.DataFrame:
    from geo.enrich import enrich_incidents

    base = coerce_incidents(incidents, IMPORT_COLUMNS)
    return coerce_incidents(enrich_incidents(base, _boundaries_for(tables), tables.frontlines), ALL_COLUMNS)


def _merge_quarantine(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if len(old) and len(new):
        old = old[~old["file"].isin(set(new["file"]))]
    frame = pd.concat([old, new], ignore_index=True) if len(old) else new
    return frame[list(QUARANTINE_COLUMNS)]


def _source_keys(tables: Tables) -> list[str]:
    keys: list[str] = []
    if tables.incidents is not None and len(tables.incidents):
        keys += sorted(str(k) for k in tables.incidents["source"].dropna().unique())
    if tables.frontlines is not None and len(tables.frontlines):
        keys += sorted({str(k) for k in tables.frontlines["source"]} - set(keys))
    boundary = tables.manifest.get("boundaries", {}).get("source") if tables.boundaries is not None else None
    keys.append(boundary or DEFAULT_BOUNDARIES_SOURCE)
    keys.append(REFERENCE_LAND_SOURCE)
    return list(dict.fromkeys(keys))


def refresh_manifest(tables: Tables, fresh: Iterable[str] = ()) -> dict:
    """Return the manifest for ``tables``: sources from the registry for every source present.

    Parameters
    ----------
    tables : geo.datadir.Tables
        The tables about to be written.
    fresh : iterable of str
        Source keys imported now (their ``accessed`` date becomes today).

    Returns
    -------
    dict
        The manifest with ``sources``, ``built_at`` and ``enrichment`` updated.
    """
    from geo.sources.registry import source_entry

    today = dt.date.today().isoformat()
    fresh = set(fresh)
    previous = {str(s.get("key")): s for s in tables.manifest.get("sources", []) if isinstance(s, dict)}
    sources = []
    for key in _source_keys(tables):
        accessed = today if key in fresh else previous.get(key, {}).get("accessed", today)
        sources.append(source_entry(key, accessed=accessed))
    return {**tables.manifest, "sources": sources, "built_at": _now(),
            "enrichment": {"columns": list(ENRICHMENT_COLUMNS)}}


def merge_into(tables: Tables, result: ImportResult, inputs: list[dict], enrich_new: bool = True) -> Tables:
    """Merge staged rows into the tables by ``incident_id``, new rows winning (step 3).

    Re-importing the same file is idempotent: its rows replace themselves and its
    quarantine entries replace the previous ones of that file.

    Parameters
    ----------
    tables : geo.datadir.Tables
        Current tables (not modified).
    result : geo.schema.ImportResult
        Staged rows.
    inputs : list of dict
        Manifest ``inputs`` entries of the staged files (replace entries of the same file).
    enrich_new : bool
        Enrich the new rows now, against the tables' front lines and boundaries (the
        existing rows keep theirs when ``tables.enrichment_current``). False leaves the
        derived columns empty for :func:`enrich` to fill in once.

    Returns
    -------
    geo.datadir.Tables
        New tables.
    """
    from geo.ingest import merge_incidents

    new = result.incidents
    current = enrich_new and tables.enrichment_current
    new = _enrich_rows(new, tables) if current else coerce_incidents(new, ALL_COLUMNS)
    existing = tables.incidents
    merged = merge_incidents(existing, new, columns=ALL_COLUMNS) if existing is not None else merge_incidents(
        None, new, columns=ALL_COLUMNS)
    files = {i["file"] for i in inputs}
    manifest = dict(tables.manifest)
    manifest["inputs"] = [i for i in manifest.get("inputs", []) if i.get("file") not in files] + list(inputs)
    out = dataclasses.replace(tables, incidents=merged, quarantine=_merge_quarantine(tables.quarantine, result.quarantine),
                              manifest=manifest, enrichment_current=current)
    out.manifest = refresh_manifest(out, fresh=result.incidents["source"].dropna().astype(str).unique())
    return out


def enrich(tables: Tables) -> Tables:
    """Recompute every incident's derived columns (oblast, front distance) (step 4).

    Parameters
    ----------
    tables : geo.datadir.Tables
        Tables whose front lines or boundaries changed.

    Returns
    -------
    geo.datadir.Tables
        New tables, ``enrichment_current`` True.
    """
    incidents = tables.incidents
    if incidents is not None:
        incidents = _enrich_rows(incidents, tables)
    out = dataclasses.replace(tables, incidents=incidents, enrichment_current=True)
    out.manifest = refresh_manifest(out)
    return out


def remeasure_front(tables: Tables, old_frontlines: gpd.GeoDataFrame | None, current: bool) -> Tables:
    """Refresh the front columns after the front lines changed, re-measuring only what changed (step 4).

    When the incidents' derived columns were current for ``old_frontlines``
    (``current``), only the incidents whose snapshot in force changed are
    re-measured (:func:`geo.distance.update_front_enrichment`: adding one
    snapshot re-measures the incidents dated from it to the next one); otherwise
    everything is enriched (:func:`enrich`).

    Parameters
    ----------
    tables : geo.datadir.Tables
        Tables holding the new front lines.
    old_frontlines : geopandas.GeoDataFrame or None
        The front lines the incidents' columns were computed with.
    current : bool
        Whether those columns were up to date.

    Returns
    -------
    geo.datadir.Tables
        Tables with the front columns refreshed, ``enrichment_current`` True.
    """
    from geo.distance import FRONT_ENRICHMENT_COLUMNS, update_front_enrichment

    incidents = tables.incidents
    if not current or incidents is None or not len(incidents) or any(c not in incidents for c in FRONT_ENRICHMENT_COLUMNS):
        if tables.columns is not None:
            raise ValueError("a partial incident table cannot be enriched: read every column")
        return enrich(tables)
    lon = pd.to_numeric(incidents["lon"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lat = pd.to_numeric(incidents["lat"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    dates = pd.to_datetime(incidents["date"], errors="coerce").astype("datetime64[ns]").to_numpy()
    front, _ = update_front_enrichment(lon, lat, dates, incidents.reset_index(drop=True), old_frontlines, tables.frontlines)
    incidents = incidents.copy(deep=False)  # copy-on-write: only the front columns are replaced
    for column in FRONT_ENRICHMENT_COLUMNS:
        incidents[column] = front[column].to_numpy() if column != "in_occupied_territory" else front[column].array
    # only the front columns changed (already in their canonical dtypes): the list columns read back
    # from Parquet stay arrays and are written back as they are (no per-row conversion to lists)
    if tables.columns is None:
        incidents = coerce_incidents(incidents, ALL_COLUMNS, keep_arrays=True)
    out = dataclasses.replace(tables, incidents=incidents, enrichment_current=True)
    out.manifest = refresh_manifest(out)
    return out


def fuse(incidents: pd.DataFrame) -> pd.DataFrame:
    """Link records that describe the same event, within and across sources (step 5).

    Adds ``event_category`` and the event columns (:data:`geo.schema.FUSION_COLUMNS`) with
    :func:`geo.fusion.fuse_incidents`; the rule is in docs/FUSION.md. Runs on the whole
    table (every source together), so every command that changes incidents, the upload and
    the bundled default fuse the same way.

    Parameters
    ----------
    incidents : pandas.DataFrame
        The merged, enriched incidents (:data:`geo.schema.ALL_COLUMNS`).

    Returns
    -------
    pandas.DataFrame
        The incidents with the fusion columns (canonical dtypes).
    """
    from geo.fusion import fuse_incidents

    return coerce_incidents(fuse_incidents(incidents), ALL_COLUMNS)


def fuse_if_needed(incidents: pd.DataFrame) -> pd.DataFrame:
    """Fuse (step 5) unless the incidents already carry a complete fusion of these very records.

    The fuse step reads imported columns only (source, ids, date, place, type, targets,
    casualties, description, links), never the derived ones (oblast, front distance). A
    command that changes only derived columns of the same records (``frontlines``,
    ``boundaries``) therefore gets the same event columns by keeping them: re-fusing 1M
    records cost ~25 s for nothing. Any command that adds or replaces records fuses again.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Incidents whose records (imported columns) are those of the version read.

    Returns
    -------
    pandas.DataFrame
        The same frame when its fusion columns are complete, else :func:`fuse` of it.
    """
    if len(incidents) and all(c in incidents.columns for c in FUSION_COLUMNS) and _fusion_complete(incidents):
        return incidents
    return fuse(coerce_incidents(incidents, ALL_COLUMNS))


#: The fuse step's output that :func:`fuse_if_needed` checks for completeness.
_FUSION_CHECKED = ("event_id", "event_category", "event_size")


def _fusion_complete(incidents: pd.DataFrame) -> bool:
    return all(c in incidents.columns and incidents[c].notna().all() for c in _FUSION_CHECKED)


def write(directory: Path | str, tables: Tables, changed: Iterable[str], extra: pa.ChunkedArray | None = None) -> str:
    """Write the tables as a new version of the data directory, atomically as a whole (step 6).

    Parameters
    ----------
    directory : Path or str
        Data directory to write into.
    tables : geo.datadir.Tables
        Tables to write.
    changed : iterable of str
        Which tables changed: any of "incidents", "front" (the front columns only, the
        incidents' other columns carried over), "quarantine", "frontlines", "boundaries";
        the others are carried over from the current version.
    extra : pyarrow.ChunkedArray, optional
        The incidents' ``extra`` column, row for row, when it was kept apart from the frame
        (:func:`ingest_into` does); the frame's own ``extra`` is then not written.

    Returns
    -------
    str
        The new version id.

    Raises
    ------
    ValueError
        "incidents" changed but the tables hold only some incident columns.
    """
    changed = set(changed)
    if "incidents" in changed and tables.columns is not None and tables.incidents is not None:
        raise ValueError("a partial incident table cannot be written: read every column")

    def pick(name: str, value):
        return value if name in changed else datadir.KEEP

    front = datadir.KEEP
    if "front" in changed and "incidents" not in changed and tables.incidents is not None:
        front = tables.incidents[list(datadir.FRONT_COLUMNS)]
    return datadir.commit_version(
        directory,
        tables.manifest,
        incidents=pick("incidents", tables.incidents),
        front=front,
        quarantine=pick("quarantine", tables.quarantine),
        frontlines=pick("frontlines", tables.frontlines),
        boundaries=pick("boundaries", tables.boundaries),
        extra=extra if "incidents" in changed else None,
    )


def _summary(result: ImportResult, tables: Tables, warnings: list[str]) -> dict:
    by_reason = result.quarantine["reason"].value_counts().to_dict() if len(result.quarantine) else {}
    return {
        "rows_read": result.rows_read,
        "imported": len(result.incidents),
        "quarantined": len(result.quarantine),
        "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "total": 0 if tables.incidents is None else len(tables.incidents),
        "messages": list(result.messages),
        "warnings": warnings,
        "files": list(result.files),
    }


@locked_writer("directory")
def ingest_into(
    directory: Path | str,
    paths: list[Path],
    fmt: str = "auto",
    progress: Callable[[int], None] | None = None,
    **options,
) -> dict:
    """Import incident files into a data directory: stage, quarantine, merge, enrich, fuse, write.

    Parameters
    ----------
    directory : Path or str
        Data directory (created if missing).
    paths : list of Path
        Input files (or folders for multi-file formats).
    fmt : str
        Registered format key or "auto".
    progress : callable, optional
        Progress callback handed to the importer.
    **options
        Passed to :func:`geo.ingest.read_incidents` (mapping, source_label, ...).

    Returns
    -------
    dict
        Summary: rows_read, imported, quarantined, by_reason, total, messages, warnings,
        files, version, timings (wall seconds per step), cpu_timings (CPU seconds per step,
        all threads).

    Raises
    ------
    NothingImportedError
        An input kept no row; the directory is unchanged.
    """
    from geo.ingest import merge_incidents

    directory = Path(directory)
    lap = _Laps()
    result, inputs = stage_files(paths, fmt=fmt, progress=progress, **options)
    warnings = check_import(result)
    aside = _ExtraAside.put(result, directory)
    gc.collect()  # what the staging left in reference cycles (220 MB at 500,000 rows) goes now, not at the next collection
    lap("stage+quarantine")
    try:
        tables = datadir.read_tables(directory)
        lap("read current version")
        with ThreadPoolExecutor(1) as pool:
            # fusion reads imported columns only: it runs on the merged rows while they are enriched
            fusion = (pool.submit(_fusion_columns, merge_incidents(tables.incidents, result.incidents))
                      if FUSE_WHILE_ENRICHING else None)
            tables = merge_into(tables, result, inputs)
            summary = _summary(result, tables, warnings)
            del result  # the staged rows are merged: let their memory go before the fuse and write copies
            if not tables.enrichment_current:
                tables = enrich(tables)
            lap("merge+enrich")
            tables.incidents = _with_fusion(tables.incidents, fusion.result()) if fusion else fuse(tables.incidents)
        lap("fuse")
        _give_back_freed_memory()
        version = write(directory, tables, changed={"incidents", "quarantine"}, extra=aside.column(tables.incidents))
        lap("write")
    finally:
        aside.remove()
    return {**summary, "version": version, **lap.summary()}


def _arrow_strings(values: pd.Series) -> pa.ChunkedArray:
    """Return a string column as Arrow (the column's own buffers when it is Arrow-backed already)."""
    array = pa.array(values.astype("string"), type=pa.large_string(), from_pandas=True)
    return array if isinstance(array, pa.ChunkedArray) else pa.chunked_array([array])


class _ExtraAside:
    """The staged rows' ``extra`` column, kept in a temporary file from the staging to the write.

    ``extra`` (every source column without a canonical home, as JSON) is about 40 % of the
    incident table and no step between staging and writing reads it: merge, enrich and fuse
    carry an empty column instead, and the write puts the values back row for row (by
    ``incident_id``, the merge key: a row of the merged table came from the last staged row
    of its id, else it is an existing row with its own ``extra``). The file is an Arrow IPC
    file in ``DIR/versions/`` named like a temporary version folder, so a killed run's copy
    is removed by the next commit (:func:`geo.datadir.clean_stale`).
    """

    def __init__(self, path: Path | None, ids: pa.ChunkedArray | None) -> None:
        self.path, self.ids = path, ids

    @classmethod
    def put(cls, result: ImportResult, directory: Path) -> _ExtraAside:
        """Move ``result.incidents["extra"]`` into a file beside the versions and leave an empty column."""
        frame = result.incidents
        if "extra" not in frame.columns or not len(frame) or not isinstance(frame["extra"].array, pd.arrays.ArrowStringArray):
            return cls(None, None)
        values = frame["extra"].array._pa_array
        folder = directory / datadir.VERSIONS_DIR
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{datadir.TEMP_PREFIX}{os.getpid()}-{secrets.token_hex(4)}-extra.arrow"
        try:
            with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, pa.schema([("extra", values.type)])) as out:
                for chunk in values.chunks:  # the chunks as they are: the file written is the same
                    out.write_batch(pa.record_batch([chunk], names=["extra"]))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        ids = _arrow_strings(frame["incident_id"])
        result.incidents = frame.assign(extra=pd.array(pa.chunked_array([pa.nulls(len(frame), values.type)]), dtype="string"))
        return cls(path, ids)

    def column(self, incidents: pd.DataFrame) -> pa.ChunkedArray | None:
        """Return the ``extra`` column of ``incidents`` (the merged table): staged values, or the rows' own."""
        if self.path is None:
            return None
        with pa.memory_map(str(self.path)) as source:
            staged = pa.ipc.open_file(source).read_all().column("extra")
        ids = _arrow_strings(incidents["incident_id"])
        if ids.equals(self.ids):  # the table is the staged rows (a new directory): nothing to look up
            return staged
        import pyarrow.compute as pc

        backwards = pa.array(np.arange(len(self.ids) - 1, -1, -1, dtype=np.int64))
        last = pc.index_in(ids, value_set=self.ids.take(backwards))  # the last staged row of each id
        position = pc.subtract(pa.scalar(len(self.ids) - 1, pa.int64()), last.cast(pa.int64()))
        return pc.if_else(pc.is_null(last), _arrow_strings(incidents["extra"]), staged.take(position))

    def remove(self) -> None:
        """Delete the file (the write is done, or the command failed)."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)


#: Run the fuse step on a thread while the merged rows are enriched. Off: measured at 1M rows (load 10-13) the
#: enrichment's and the fusion's working memory added up (merge + enrich peak 1.80 -> 2.03 GB) and the two steps
#: took 2.7 s more CPU together; on an idle machine it would save up to the fuse step's wall time (~1.9 s).
FUSE_WHILE_ENRICHING = False


def _give_back_freed_memory() -> None:
    """Return the memory freed by the steps so far to the system (Arrow's pool, then the C heap).

    Before the write of an ingest the allocators hold hundreds of megabytes that the merge,
    enrichment and fusion freed but did not return (about 280 MB at 500,000 rows), and the
    write maps the ``extra`` column (about 390 bytes a row) on top of them. One call costs a
    few milliseconds; the write touches little fresh memory besides the mapped file.
    """
    import ctypes

    gc.collect()  # frames of the earlier steps can be held by reference cycles until the collector runs
    pa.default_memory_pool().release_unused()
    try:
        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):  # not glibc
        return
    trim(0)


def _fusion_columns(incidents: pd.DataFrame) -> pd.DataFrame:
    """Return the fuse step's columns of ``incidents`` (as :func:`fuse` makes them), with their incident ids."""
    from geo.fusion import fuse_incidents

    fused = fuse_incidents(incidents)
    return coerce_incidents(fused, {"incident_id": IMPORT_COLUMNS["incident_id"], **FUSION_COLUMNS})


def _with_fusion(incidents: pd.DataFrame, fusion: pd.DataFrame) -> pd.DataFrame:
    """:func:`fuse` of ``incidents`` from its fusion columns computed apart (same rows, same order)."""
    if not fusion["incident_id"].equals(incidents["incident_id"]):
        raise RuntimeError("the fusion ran on other rows than the enrichment")  # a bug, never expected
    return coerce_incidents(incidents.assign(**{name: fusion[name] for name in FUSION_COLUMNS}), ALL_COLUMNS)


class _Laps:
    """Wall and CPU seconds per step of one command (``CONFLICTMAP_TIMINGS=1`` makes the CLI print them)."""

    def __init__(self) -> None:
        self.timings: dict[str, float] = {}
        self.cpu_timings: dict[str, float] = {}
        self._clock, self._cpu = time.perf_counter(), time.process_time()

    def __call__(self, step: str) -> None:
        now, cpu = time.perf_counter(), time.process_time()
        self.timings[step] = round(now - self._clock, 3)
        self.cpu_timings[step] = round(cpu - self._cpu, 3)  # all threads of the process
        self._clock, self._cpu = now, cpu

    def summary(self) -> dict:
        return {"timings": self.timings, "cpu_timings": self.cpu_timings}


#: The incident columns adding a snapshot reads: where and when (to re-measure), the front
#: columns (kept where the snapshot does not apply), the source (manifest) and the fusion check.
REMEASURE_COLUMNS = ("source", "date", "lon", "lat", *datadir.FRONT_COLUMNS, *_FUSION_CHECKED)


def _with_frontlines(tables: Tables, new: gpd.GeoDataFrame) -> Tables:
    existing = tables.frontlines
    if existing is not None and len(existing):
        keep = ~existing.set_index(["source", "snapshot_date"]).index.isin(new.set_index(["source", "snapshot_date"]).index)
        combined = pd.concat([existing[keep], new], ignore_index=True)
        frame = gpd.GeoDataFrame(combined, geometry="geometry", crs="EPSG:4326")
    else:
        frame = new
    frame = frame.sort_values(["snapshot_date", "source"]).reset_index(drop=True)
    return dataclasses.replace(tables, frontlines=frame, enrichment_current=False)


@locked_writer("directory")
def frontlines_into(directory: Path | str, paths: list[Path], fmt: str = "auto", **options) -> dict:
    """Import front-line snapshots into a data directory and refresh the incidents' front columns.

    Parameters
    ----------
    directory : Path or str
        Data directory (created if missing).
    paths : list of Path
        Snapshot files or folders.
    fmt : str
        "auto", "deepstate" or "generic".
    **options
        Passed to :func:`geo.frontlines.read_frontlines`.

    Returns
    -------
    dict
        Summary: snapshots imported, total, first and last date, version, timings and
        cpu_timings (seconds per step, as :func:`ingest_into`).
    """
    from geo.frontlines import read_frontlines

    lap = _Laps()
    new = read_frontlines([Path(p) for p in paths], fmt=fmt, **options)
    lap("read snapshots")
    # the columns a snapshot needs: the incident table is then hard-linked, only the front table rewritten
    before = datadir.read_tables(directory, columns=REMEASURE_COLUMNS)
    if (before.incidents is not None and len(before.incidents) and before.enrichment_current
            and _fusion_complete(before.incidents)):
        lap("read current version")
        tables = remeasure_front(_with_frontlines(before, new), before.frontlines, True)
        changed = {"frontlines", "front"}
    else:  # derived columns out of date, or a directory written before fusion: everything again
        before = datadir.read_tables(directory)
        lap("read current version")
        tables = remeasure_front(_with_frontlines(before, new), before.frontlines, before.enrichment_current)
        if tables.incidents is not None:
            tables.incidents = fuse_if_needed(tables.incidents)
        changed = {"frontlines", "incidents"}
    lap("re-measure")
    version = write(directory, tables, changed=changed)
    lap("write")
    frame = tables.frontlines
    return {
        "imported": len(new),
        "total": len(frame),
        "first": str(frame["snapshot_date"].min().date()) if len(frame) else None,
        "last": str(frame["snapshot_date"].max().date()) if len(frame) else None,
        "version": version,
        **lap.summary(),
    }


def _boundary_source(path: Path, frame: gpd.GeoDataFrame) -> str:
    from geo.sources._common import slug

    name = path.name.lower()
    if "geoboundaries" in name:
        return "geoboundaries"
    if "naturalearth" in name or "natural_earth" in name:
        return "naturalearth"
    return slug(path.stem, default="boundaries")


def _with_boundaries(tables: Tables, path: Path, **options) -> Tables:
    from geo.boundaries import load_boundaries

    frame = load_boundaries(Path(path), **options)
    manifest = {**tables.manifest, "boundaries": {"file": str(Path(path).resolve()), "units": len(frame),
                                                  "source": _boundary_source(Path(path), frame)}}
    return dataclasses.replace(tables, boundaries=frame, manifest=manifest, enrichment_current=False)


@locked_writer("directory")
def boundaries_into(directory: Path | str, path: Path, **options) -> dict:
    """Use a better boundary layer for a data directory and reassign every incident's oblast.

    Parameters
    ----------
    directory : Path or str
        Data directory (created if missing).
    path : Path
        GeoJSON / GeoPackage / TopoJSON boundary file (see :func:`geo.boundaries.load_boundaries`).
    **options
        ``name_column`` / ``code_column``.

    Returns
    -------
    dict
        Summary: units loaded, file, version.
    """
    tables = enrich(_with_boundaries(datadir.read_tables(directory), Path(path), **options))
    if tables.incidents is not None:
        tables.incidents = fuse_if_needed(tables.incidents)
    version = write(directory, tables, changed={"boundaries", "incidents"})
    return {"units": len(tables.boundaries), "file": str(path), "version": version}


@locked_writer("directory")
def update_enrichment(directory: Path | str) -> pd.DataFrame:
    """Recompute the derived columns (oblast, front distance) of a data directory and write a new version.

    Parameters
    ----------
    directory : Path or str
        Data directory whose derived columns are recomputed.

    Returns
    -------
    pandas.DataFrame
        The enriched incidents as written (empty when the directory has none).
    """
    tables = datadir.read_tables(directory)
    if tables.incidents is None:
        return coerce_incidents(pd.DataFrame(), ALL_COLUMNS)
    tables = enrich(tables)
    tables.incidents = fuse(tables.incidents)
    write(directory, tables, changed={"incidents"})
    return tables.incidents


def classify_input(path: Path) -> str:
    """Say what a publisher file is: "boundaries", "frontlines" or "incidents".

    Parameters
    ----------
    path : Path
        A file or a folder (a folder of DeepStateMap exports counts as front lines).

    Returns
    -------
    str
        The kind of input.
    """
    name = path.name.lower()
    if path.is_dir():
        return "incidents"
    if name.endswith((".geojson", ".json", ".gpkg", ".topojson")):
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8", errors="replace")
        lowered = name + head.lower()
        if "geoboundaries" in lowered or "shapeiso" in lowered or '"topology"' in head or "admin1" in name:
            return "boundaries"
        from geo.frontlines import detect_frontline_format

        if "deepstate" in lowered or detect_frontline_format(path) == "deepstate":
            return "frontlines"
    return "incidents"


@locked_writer("out")
def build_folder(folder: Path | str, out: Path | str, buffer_km: float = 50.0,
                 log: Callable[[str], None] = print, **options) -> dict:
    """Build a data directory from a folder of publisher files in one go, written as one version.

    Boundary layers (the first admin-1 file), front-line snapshots and incident files are
    recognised by :func:`classify_input`; incident files are staged one by one and merged
    in name order. A file that cannot be read, or keeps no row, is skipped with the reason;
    the rest is enriched once, fused and written as one new version.

    Parameters
    ----------
    folder : Path or str
        Folder of publisher files (searched recursively).
    out : Path or str
        Data directory.
    buffer_km : float
        Study-area buffer.
    log : callable
        Receives one line per step.
    **options
        Passed to :func:`stage_files` for every incident file (e.g. ``date_order``).

    Returns
    -------
    dict
        ``skipped`` (file -> reason), ``version``, counts.
    """
    from geo.frontlines import read_frontlines

    folder, out = Path(folder), Path(out)
    if not folder.is_dir():
        raise ValueError(f"{folder} is not a folder of publisher files")
    files = sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != ".md")
    groups: dict[str, list[Path]] = {"boundaries": [], "frontlines": [], "incidents": []}
    timemap_dirs = {p.parent for p in files if p.name == "export_events.json"}
    for path in files:
        if path.parent in timemap_dirs:
            continue
        groups[classify_input(path)].append(path)
    tables = datadir.read_tables(out)
    changed = {"incidents", "quarantine"}
    if groups["boundaries"]:
        adm1 = [p for p in groups["boundaries"] if "adm2" not in p.name.lower()] or groups["boundaries"]
        tables = _with_boundaries(tables, adm1[0])
        changed.add("boundaries")
        log(f"boundaries: {len(tables.boundaries)} units from {adm1[0].name}")
    if groups["frontlines"]:
        new = read_frontlines(groups["frontlines"])
        tables = _with_frontlines(tables, new)
        changed.add("frontlines")
        log(f"front lines: {len(tables.frontlines)} snapshots ({tables.frontlines['snapshot_date'].min().date()} … "
            f"{tables.frontlines['snapshot_date'].max().date()})")
    skipped: dict[str, str] = {}
    for path in groups["incidents"] + sorted(timemap_dirs):
        try:
            result, inputs = stage_files([path], fmt="auto", study_area_buffer_km=buffer_km, **options)
            warnings = check_import(result)
        except ValueError as exc:  # unreadable, not an incident table, or nothing kept
            skipped[str(path)] = str(exc)
            log(f"skipped {path}: {exc}")
            continue
        tables = merge_into(tables, result, inputs, enrich_new=False)
        for message in result.messages:  # detected format, column mapping, date order, encoding
            log(f"note: {message}")
        for warning in warnings:
            log(f"warning: {warning}")
        log(f"incidents: {path.name}: {len(result.incidents):,} imported, {len(result.quarantine):,} quarantined")
    tables = enrich(tables)
    if tables.incidents is None:
        tables.incidents = coerce_incidents(pd.DataFrame(), ALL_COLUMNS)
    tables.incidents = fuse(tables.incidents)
    log(f"enriched {len(tables.incidents):,} incidents (oblast, front distance)")
    version = write(out, tables, changed=changed)
    return {"version": version, "skipped": skipped, "incidents": len(tables.incidents)}


def safe_file_name(name: str) -> str:
    """Return an uploaded file's name made safe for a temporary folder (no path, no odd characters).

    Parameters
    ----------
    name : str
        Name as the browser sent it (it may hold a path).

    Returns
    -------
    str
        ``[A-Za-z0-9._-]``, at most 120 characters, never empty.
    """
    import re

    base = Path(str(name)).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "_", base).strip("._") or "upload"
    return cleaned[:120]


def build_upload(
    files: Sequence[tuple[str, bytes]],
    fmt: str,
    base: DataBundle,
    mode: str,
    **options,
) -> tuple[DataBundle, dict]:
    """Import uploaded files in memory, through the same steps as ``python -m geo ingest``.

    The files are written to a temporary folder (removed before returning) under their
    own (sanitised) names, so file names, generic source keys and quarantine entries are
    the same as the command line's.

    Parameters
    ----------
    files : sequence of (str, bytes)
        File name and content.
    fmt : str
        "auto" or a registered format key.
    base : geo.datadir.DataBundle
        The loaded data: its boundaries and front lines enrich the upload; in mode
        "alongside" its incidents, quarantine and manifest are merged with it.
    mode : str
        "alongside" or "instead".
    **options
        Passed to :func:`stage_files` (``max_rows``, ``max_bytes``, ``mapping``, ...).

    Returns
    -------
    bundle : geo.datadir.DataBundle
        The session's data (``version`` names the upload and the base version).
    summary : dict
        As :func:`ingest_into`, plus ``quarantine`` (this upload's rows).

    Raises
    ------
    NothingImportedError
        An uploaded file kept no row.
    geo.schema.UnreadableFileError
        A file cannot be read.
    """
    digest = hashlib.sha256()
    with tempfile.TemporaryDirectory(prefix="conflictmap-upload-") as folder:
        paths, names = [], []
        for i, (name, data) in enumerate(files):
            sub = Path(folder) / f"{i:02d}"
            sub.mkdir()
            path = sub / safe_file_name(name)
            path.write_bytes(data)
            digest.update(data)
            paths.append(path)
            names.append(path.name)
        result, inputs = stage_files(paths, fmt=fmt, names=names, **options)
    warnings = check_import(result)
    alongside = mode == "alongside"
    if alongside:
        kept = [c for c in ALL_COLUMNS if c in base.incidents.columns]
        tables = Tables(base.incidents[kept], base.quarantine, base.frontlines, None, dict(base.manifest))
    else:
        own = {"boundaries": base.manifest["boundaries"]} if "boundaries" in base.manifest else {}
        tables = Tables(None, empty_quarantine(), base.frontlines, None, own)
    tables.boundaries = base.boundaries
    tables = merge_into(tables, result, inputs)
    tables.incidents = fuse(tables.incidents)
    version = f"upload-{digest.hexdigest()[:12]}-{mode}-{base.version}"
    manifest = {**tables.manifest, "data_version": version}
    bundle = dataclasses.replace(
        base,
        incidents=datadir.add_bitsets(coerce_incidents(tables.incidents, ALL_COLUMNS)),
        quarantine=tables.quarantine,
        manifest=manifest,
        version=version,
        is_default=False,
        skipped_columns=(),
    )
    return bundle, {**_summary(result, tables, warnings), "quarantine": result.quarantine}


def build_default_bundle() -> DataBundle:
    """Build the bundled default data in memory: the curated incidents, bundled boundaries, no front lines.

    Returns
    -------
    geo.datadir.DataBundle
        ``is_default`` True; the version is derived from the curated file's digest.
    """
    from geo.boundaries import load_default_boundaries

    path = datadir.DEFAULT_INCIDENTS
    result, inputs = stage_files([path], fmt="curated", names=["data/curated/incidents.csv"])
    tables = merge_into(empty_tables(), result, inputs)
    tables.incidents = fuse(tables.incidents)
    digest = (inputs[0]["sha256"] or "")[:16]
    built = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC).isoformat(timespec="seconds")
    manifest = {**tables.manifest, "data_version": f"default-{digest}", "built_at": built}
    for source in manifest.get("sources", []):
        source["accessed"] = None
    return DataBundle(
        incidents=datadir.add_bitsets(coerce_incidents(tables.incidents, ALL_COLUMNS)),
        boundaries=load_default_boundaries(),
        frontlines=None,
        quarantine=result.quarantine,
        manifest=manifest,
        version=manifest["data_version"],
        notices=[datadir.NO_FRONTLINES_NOTICE],
        is_default=True,
        path=None,
    )


__all__ = [
    "NothingImportedError", "UnreadableFileError", "boundaries_into", "build_default_bundle", "build_folder",
    "build_upload", "check_import", "classify_input", "describe_quarantine", "empty_tables", "enrich",
    "frontlines_into", "fuse", "ingest_into", "merge_into", "refresh_manifest", "safe_file_name", "stage_files", "update_enrichment",
    "write",
]
