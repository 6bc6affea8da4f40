"""Data files of an export: CSV, GeoJSON, withheld aggregates and the provenance sidecar.

Data exports respect source licences: rows from sources whose manifest entry
says ``"redistribution": false`` (ACLED, Bellingcat) are never written raw;
they are replaced by per-oblast, per-month aggregates with links, and the
provenance sidecar says why (:func:`build_data_exports`).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

import geo
from geo.admin1 import ADMIN1, oblast_label
from geo.exports.context import TOOL_NAME, ExportContext, source_entry
from geo.i18n import N_, translator
from geo.schema import ALL_COLUMNS, LIST_COLUMNS

CSV_FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
WITHHELD_REASON = N_(
    "These sources do not allow redistribution of their raw rows: {names}. Their incidents ({n}) are exported "
    "only as counts per oblast and month with links to the original sources."
)
#: Notes of the provenance sidecar (translated into the export's language).
SIDECAR_NOTES: tuple[str, ...] = (
    N_("front_distance_km is signed: negative inside occupied territory, empty when no front line applies."),
    N_("killed/injured empty = not reported (not zero)."),
    N_("killed is all deaths the source reports (ACLED fatalities and UCDP best include combatants); "
       "civilians_killed is filled only where the source counts civilians apart (UCDP deaths_civilians)."),
    N_("Counting events (the default), each row is one event's headline record (most authoritative source "
       "reporting a figure: curated > UCDP > ACLED > other > Bellingcat); event_killed_min/max give the range "
       "across the event's records and event_sources the sources that reported it. See docs/FUSION.md."),
    N_("CSV text cells starting with = + - @ tab or CR are prefixed with ' to stop spreadsheet formulas."),
)


def neutralise_csv_cell(value: Any) -> Any:
    """Defuse a text cell that a spreadsheet would read as a formula.

    Text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
    gets a leading single quote (OWASP CSV-injection guidance). Numbers are
    left alone, so negative distances stay numeric.

    Parameters
    ----------
    value : object
        Cell value.

    Returns
    -------
    object
        The value, prefixed with ``'`` when it is dangerous text.
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_redistributable(key: str, manifest: Mapping[str, Any]) -> bool:
    return bool(source_entry(key, manifest).get("redistribution", True))


def split_by_licence(frame: pd.DataFrame, manifest: Mapping[str, Any]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Split incidents into rows that may be redistributed and rows that may not.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents.
    manifest : mapping
        Bundle manifest (``sources[].redistribution``).

    Returns
    -------
    tuple of DataFrame
        ``(exportable, withheld)``.
    """
    keys = frame["source"].astype("string").fillna("")
    allowed = {key: _is_redistributable(key, manifest) for key in keys.unique()}
    mask = keys.map(allowed).astype(bool).to_numpy()
    return frame.loc[mask], frame.loc[~mask]


def aggregate_withheld(
    withheld: pd.DataFrame, manifest: Mapping[str, Any], max_links: int = 20, lang: str = "en"
) -> pd.DataFrame:
    """Aggregate non-redistributable rows per source, oblast and month, with links.

    Parameters
    ----------
    withheld : pandas.DataFrame
        Incidents that may not be redistributed.
    manifest : mapping
        Bundle manifest (source names and URLs).
    max_links : int
        At most this many article links per aggregate row.
    lang : str
        Language of the oblast names (``"en"`` or ``"uk"``).

    Returns
    -------
    pandas.DataFrame
        ``source, source_name, source_url, admin1_iso, oblast, month, incidents,
        killed, injured, links``.
    """
    columns = [
        "source",
        "source_name",
        "source_url",
        "admin1_iso",
        "oblast",
        "month",
        "incidents",
        "killed",
        "injured",
        "links",
    ]
    if withheld.empty:
        return pd.DataFrame(columns=columns)
    work = pd.DataFrame(
        {
            "source": withheld["source"].astype(str),
            "admin1_iso": withheld["admin1_iso"].astype("string").fillna("unknown"),
            "month": pd.to_datetime(withheld["date"]).dt.strftime("%Y-%m"),
            "killed": withheld["killed"].astype("Int64"),
            "injured": withheld["injured"].astype("Int64"),
            "urls": list(withheld["source_urls"]),
        }
    )
    outside = translator(lang)("Outside the oblast layer")
    rows = []
    for (source, iso, month), group in work.groupby(["source", "admin1_iso", "month"], sort=True):
        entry = source_entry(source, manifest)
        links: list[str] = []
        for urls in group["urls"]:
            for url in urls:
                if url not in links and len(links) < max_links:
                    links.append(str(url))
        rows.append(
            {
                "source": source,
                "source_name": entry.get("name", source),
                "source_url": entry.get("url", ""),
                "admin1_iso": iso,
                "oblast": oblast_label(iso, lang) if iso in ADMIN1 else outside,
                "month": month,
                "incidents": len(group),
                "killed": group["killed"].sum(min_count=1),
                "injured": group["injured"].sum(min_count=1),
                "links": " ".join(links),
            }
        )
    out = pd.DataFrame(rows, columns=columns)
    out["killed"] = out["killed"].astype("Int64")
    out["injured"] = out["injured"].astype("Int64")
    return out


def _cell(value: Any, column: str) -> Any:
    if column in LIST_COLUMNS:
        return " | ".join(str(v) for v in (value if isinstance(value, (list, tuple, np.ndarray)) else []))
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and np.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return "" if pd.isna(value) else value.date().isoformat()
    if isinstance(value, (np.bool_, bool)):
        return "true" if value else "false"
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return value


def frame_to_csv(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """Write a frame as UTF-8 CSV with formula-like text cells neutralised.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows to write.
    columns : sequence of str, optional
        Columns in order (all by default). List columns are joined with ``" | "``.

    Returns
    -------
    bytes
        CSV bytes (UTF-8 with BOM so spreadsheet programs detect the encoding).
    """
    columns = list(columns or frame.columns)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for record in frame[columns].itertuples(index=False, name=None):
        writer.writerow([neutralise_csv_cell(_cell(v, c)) for v, c in zip(record, columns, strict=True)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _json_value(value: Any) -> Any:
    if isinstance(value, (list, tuple, np.ndarray)):
        return [str(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.date().isoformat()
    if isinstance(value, float) and np.isnan(value):
        return None
    if isinstance(value, np.generic):
        return _json_value(value.item())
    return value


def frame_to_geojson(frame: pd.DataFrame, columns: Sequence[str] | None = None) -> bytes:
    """Write incidents as a GeoJSON FeatureCollection of points (EPSG:4326).

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents with ``lon`` and ``lat``.
    columns : sequence of str, optional
        Properties to include (all but lon/lat by default).

    Returns
    -------
    bytes
        UTF-8 GeoJSON.
    """
    columns = [c for c in (columns or frame.columns) if c not in {"lon", "lat"}]
    features = []
    for record in frame.to_dict("records"):
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [float(record["lon"]), float(record["lat"])]},
                "properties": {c: _json_value(record.get(c)) for c in columns},
            }
        )
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False).encode("utf-8")


def build_sidecar(
    context: ExportContext,
    exported: pd.DataFrame,
    withheld: pd.DataFrame,
    files: Sequence[str],
    manifest: Mapping[str, Any],
) -> dict[str, Any]:
    """Build the provenance record written next to every data export.

    Parameters
    ----------
    context : ExportContext
        View and provenance.
    exported : pandas.DataFrame
        Rows written raw.
    withheld : pandas.DataFrame
        Rows replaced by aggregates.
    files : sequence of str
        Names of the files in the export.
    manifest : mapping
        Bundle manifest.

    Returns
    -------
    dict
        JSON-serialisable record (tool, version, export time, data version and
        date, filters in words and as parameters, sources with licences and
        row counts, withheld rows and why, files, columns, CRS).
    """
    exported_counts = exported["source"].astype(str).value_counts().to_dict() if len(exported) else {}
    withheld_counts = withheld["source"].astype(str).value_counts().to_dict() if len(withheld) else {}
    keys = [str(s.get("key")) for s in context.sources]
    keys += sorted((set(exported_counts) | set(withheld_counts)) - set(keys))
    sources = []
    for key in keys:
        entry = source_entry(key, {"sources": list(context.sources) + list(manifest.get("sources", []))})
        sources.append(
            {
                **{
                    k: entry.get(k)
                    for k in ("key", "name", "licence", "attribution", "url", "accessed", "redistribution")
                },
                "rows_exported": int(exported_counts.get(key, 0)),
                "rows_withheld": int(withheld_counts.get(key, 0)),
            }
        )
    withheld_names = sorted({source_entry(k, manifest).get("name", k) for k in withheld_counts})
    _ = translator(context.lang)
    return {
        "tool": TOOL_NAME,
        "version": geo.__version__,
        "exported_at": context.exported_at,
        "data_version": context.data_version,
        "data_date": context.data_date,
        "schema_version": manifest.get("schema_version"),
        "filters": {"description": context.filters_description, "params": dict(context.filters_params)},
        "share_url": context.share_url,
        "rows": {"exported": int(len(exported)), "withheld": int(len(withheld))},
        "sources": sources,
        "withheld": {
            "sources": withheld_names,
            "reason": _(WITHHELD_REASON, names=", ".join(withheld_names), n=len(withheld))
            if len(withheld)
            else "",
        },
        "files": list(files),
        "columns": [c for c in ALL_COLUMNS],
        "column_meanings": {c: ALL_COLUMNS[c][1] for c in ALL_COLUMNS},
        "crs": "EPSG:4326",
        "language": context.lang,
        "notes": [_(note) for note in SIDECAR_NOTES],
    }


def build_data_exports(
    frame: pd.DataFrame, context: ExportContext, manifest: Mapping[str, Any], stem: str = "incidents"
) -> dict[str, bytes]:
    """Build every data file of an export: CSV, GeoJSON, aggregates when needed, sidecar.

    Parameters
    ----------
    frame : pandas.DataFrame
        Filtered incidents (:data:`geo.schema.ALL_COLUMNS`; extra columns are dropped).
    context : ExportContext
        View and provenance.
    manifest : mapping
        Bundle manifest (licences).
    stem : str
        File-name stem.

    Returns
    -------
    dict of str to bytes
        File name -> content: ``<stem>.csv``, ``<stem>.geojson``,
        ``<stem>_withheld_aggregates.csv`` (only when rows were withheld) and
        ``<stem>.provenance.json``.
    """
    columns = [c for c in ALL_COLUMNS if c in frame.columns]
    exported, withheld = split_by_licence(frame, manifest)
    files: dict[str, bytes] = {
        f"{stem}.csv": frame_to_csv(exported, columns),
        f"{stem}.geojson": frame_to_geojson(exported, columns),
    }
    if len(withheld):
        files[f"{stem}_withheld_aggregates.csv"] = frame_to_csv(
            aggregate_withheld(withheld, manifest, lang=context.lang)
        )
    sidecar_name = f"{stem}.provenance.json"
    sidecar = build_sidecar(context, exported, withheld, [*files, sidecar_name], manifest)
    files[sidecar_name] = json.dumps(sidecar, indent=2, ensure_ascii=False, default=str).encode("utf-8")
    return files
