"""The canonical incident table: columns, dtypes, quarantine reasons, validation.

Every importer in :mod:`geo.sources` returns a frame with exactly
:data:`IMPORT_COLUMNS`; enrichment (:mod:`geo.enrich`) adds
:data:`ENRICHMENT_COLUMNS`. ``docs/SCHEMA.md`` documents each column and a test
keeps that document and this module in step.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from operator import attrgetter

import numpy as np
import pandas as pd

from geo.i18n import N_, TranslatedError
from geo.safejson import loads_json

SCHEMA_VERSION = 1

#: Every canonical column, in table order: name -> (pandas dtype, step, one-line description). The step
#: writes the column: ``import`` (every importer in :mod:`geo.sources`), ``enrich`` (:mod:`geo.enrich`)
#: or ``fuse`` (:func:`geo.fusion.fuse_incidents`, over the whole table).
COLUMNS: dict[str, tuple[str, str, str]] = {
    "incident_id": ("string", "import", "Unique id `<source>:<source_id>`."),
    "source": ("string", "import", "Short source key (curated, acled, ucdp, bellingcat, or a user label)."),
    "source_id": ("string", "import", "The publisher's own id for the row (or a stable hash when it has none)."),
    "date": ("datetime64[ns]", "import", "Incident date (start date for ranges), midnight, no time zone."),
    "date_precision": ("string", "import", "day / week / month / unknown."),
    "lon": ("float64", "import", "Longitude, WGS84 (EPSG:4326)."),
    "lat": ("float64", "import", "Latitude, WGS84 (EPSG:4326)."),
    "geo_precision": ("string", "import", "exact / near / area / region / unknown, mapped from the source's codes."),
    "location": ("string", "import", "Place name as given by the source."),
    "target_types": ("object", "import", "List of canonical target types, first = primary."),
    "target_raw": ("string", "import", "The source's own target / area-affected text."),
    "weapons": ("object", "import", "List of canonical weapon codes (cluster_munition may combine with others)."),
    "weapon_raw": ("string", "import", "The source's own weapon text."),
    "event_type": ("string", "import", "Canonical event type."),
    "event_type_raw": ("string", "import", "The source's own event type / sub-type text."),
    "killed": ("Int64", "import", "People killed; <NA> = not reported (never 0 for unknown)."),
    "injured": ("Int64", "import", "People injured; <NA> = not reported."),
    "civilians_killed": ("Int64", "import", "Civilians killed, only where the source counts them apart (UCDP `deaths_civilians`); <NA> otherwise."),
    "casualty_source": ("string", "import", "The authority the casualty figures come from, when the source names one (curated)."),
    "casualty_note": ("string", "import", "The source's note on the figures (ranges, later revisions), untrusted text."),
    "description": ("string", "import", "Free-text description from the source (untrusted text)."),
    "source_urls": ("object", "import", "List of source URLs (only http/https kept)."),
    "extra": ("string", "import", "JSON object with every source column that has no canonical home."),
    "target_inferred": ("boolean", "import", "True when `target_types` were read from free text (description, notes, "
                                             "headline) by the keyword rules of docs/TAXONOMIES.md; False when they are "
                                             "the publisher's own coding (a target / area column) or the publisher codes "
                                             "none; <NA> in tables written before this column existed."),
    "weapon_inferred": ("boolean", "import", "True when `weapons` were read from free text by the keyword rules of "
                                             "docs/TAXONOMIES.md; False when they are the publisher's own coding (a weapon "
                                             "column) or the publisher codes none; <NA> in tables written before this "
                                             "column existed."),
    "country": ("string", "enrich", "ISO 3166-1 alpha-2 code of the state whose land (or coastal water within 25 km) holds the point; \"sea\" farther out; missing outside the bundled window (14-50°E, 40-62°N) or without coordinates."),
    "admin1_iso": ("string", "enrich", "ISO 3166-2 code of the Ukrainian first-level unit, by point-in-polygon; missing outside Ukraine."),
    "admin1_name": ("string", "enrich", "English name of that unit."),
    "front_snapshot_date": ("datetime64[ns]", "enrich", "Date of the front-line snapshot in force on the incident date."),
    "front_distance_km": ("float64", "enrich", "Geodesic distance to the line of contact; negative inside occupied territory."),
    "in_occupied_territory": ("boolean", "enrich", "Inside the occupied area of that snapshot."),
    "distance_to_russia_km": ("float64", "enrich", "Geodesic distance to Russia/Belarus or occupied territory, whichever is nearer."),
    "event_category": ("string", "fuse", "Event category (civilian-harm scope), from the source's coding; see docs/TAXONOMIES.md."),
    "event_id": ("string", "fuse", "Id of the fused event (the smallest incident_id among its records); see docs/FUSION.md."),
    "event_size": ("Int64", "fuse", "Number of records in the event."),
    "event_sources": ("string", "fuse", "Distinct source keys of the event's records, comma-separated, sorted."),
    "event_head": ("boolean", "fuse", "True for the one record per event whose figures are the event's headline."),
    "event_killed_min": ("Int64", "fuse", "Smallest killed figure reported by the event's records (<NA>: none reports)."),
    "event_killed_max": ("Int64", "fuse", "Largest killed figure reported by the event's records."),
    "event_injured_min": ("Int64", "fuse", "Smallest injured figure reported by the event's records."),
    "event_injured_max": ("Int64", "fuse", "Largest injured figure reported by the event's records."),
}


def _written_by(step: str) -> dict[str, tuple[str, str]]:
    return {name: (dtype, text) for name, (dtype, writer, text) in COLUMNS.items() if writer == step}


#: column name -> (pandas dtype, one-line description) of each step, in table order.
IMPORT_COLUMNS: dict[str, tuple[str, str]] = _written_by("import")
ENRICHMENT_COLUMNS: dict[str, tuple[str, str]] = _written_by("enrich")
FUSION_COLUMNS: dict[str, tuple[str, str]] = _written_by("fuse")
ALL_COLUMNS: dict[str, tuple[str, str]] = {**IMPORT_COLUMNS, **ENRICHMENT_COLUMNS, **FUSION_COLUMNS}
LIST_COLUMNS: tuple[str, ...] = ("target_types", "weapons", "source_urls")

#: quarantine reason code -> plain-language explanation shown to users.
QUARANTINE_REASONS: dict[str, str] = {
    "date_missing": N_("No date given."),
    "date_unparseable": N_("The date could not be read in any supported format."),
    "date_in_future": N_("The date lies in the future."),
    "date_out_of_range": N_("The date is implausibly early (before 1991-08-24)."),
    "coords_missing": N_("Latitude or longitude is empty."),
    "coords_not_numeric": N_("Latitude or longitude is not a number."),
    "coords_out_of_range": N_("Latitude must be within ±90 and longitude within ±180."),
    "latlon_swapped": N_("Latitude and longitude look swapped (swapping them lands in the study area); fix the file and re-import."),
    "outside_study_area": N_("The point lies outside Ukraine plus the configured buffer."),
    "duplicate_id": N_("Another row of the same source has the same id; the first one was kept."),
    "negative_casualties": N_("A casualty count is negative."),
    "casualties_not_numeric": N_("A casualty count is not a whole number."),
    "missing_id": N_("The row has no id and no id could be derived."),
    "row_malformed": N_("The row has the wrong number of fields or could not be parsed."),
}

QUARANTINE_COLUMNS: tuple[str, ...] = ("file", "row_number", "source", "reason", "detail", "original")


class UnreadableFileError(TranslatedError, ValueError):
    """A file cannot be imported at all (wrong format, encoding, empty, truncated).

    The message names the file and the problem and says what to do; the UI
    shows it as it is.
    """


@dataclass
class ImportResult:
    """Rows imported from one or more files plus the quarantined rows.

    Attributes
    ----------
    incidents : pandas.DataFrame
        Frame with :data:`IMPORT_COLUMNS`.
    quarantine : pandas.DataFrame
        Frame with :data:`QUARANTINE_COLUMNS`.
    rows_read : int
        Data rows read from the input (header excluded).
    messages : list of str
        Human-readable notes (e.g. detected encoding, detected format).
    files : list of dict
        One entry per input: ``file``, ``source``, ``rows_read``, ``imported``.
    """

    incidents: pd.DataFrame
    quarantine: pd.DataFrame
    rows_read: int
    messages: list[str] = field(default_factory=list)
    files: list[dict] = field(default_factory=list)


def empty_quarantine() -> pd.DataFrame:
    """Return an empty quarantine frame."""
    frame = pd.DataFrame({name: pd.Series([], dtype="string") for name in QUARANTINE_COLUMNS})
    frame["row_number"] = frame["row_number"].astype("Int64")
    return frame


def coerce_incidents(frame: pd.DataFrame, columns: dict[str, tuple[str, str]] = IMPORT_COLUMNS,
                     keep_arrays: bool = False) -> pd.DataFrame:
    """Return ``frame`` with exactly ``columns`` in order and with canonical dtypes.

    Missing columns are added empty; list columns get empty lists where null. Values
    that already are Python lists are kept as they are (the importers build lists of
    code strings; treat them as read-only); other values (arrays read back from
    Parquet, ``a | b`` or JSON text) are converted.

    Parameters
    ----------
    frame : pandas.DataFrame
        Input frame (not modified).
    columns : dict
        Column specification.
    keep_arrays : bool
        Keep a list column whose every value is a 1-D array of strings (as read back
        from Parquet) as it is instead of making Python lists: for writing the table
        straight back to Parquet, where both give the same file.

    Returns
    -------
    pandas.DataFrame
        A new frame.
    """
    out = pd.DataFrame(index=frame.index)
    n = len(frame)
    for name, (dtype, _) in columns.items():
        if name in frame.columns:
            col = frame[name]
        else:
            col = pd.Series([None] * n, index=frame.index, dtype="object")
        if name in LIST_COLUMNS:
            out[name] = _as_lists(col, keep_arrays)
            continue
        if str(col.dtype) == dtype:  # already canonical: shared, not copied (the build coerces 1M rows often)
            out[name] = col
        elif dtype.startswith("datetime64"):
            out[name] = pd.to_datetime(col, errors="coerce").astype("datetime64[ns]")
        elif dtype == "Int64":
            out[name] = pd.to_numeric(col, errors="coerce").astype("Int64")
        elif dtype == "float64":
            out[name] = pd.to_numeric(col, errors="coerce").astype("float64")
        elif dtype == "boolean":
            out[name] = col.astype("boolean")
        else:
            out[name] = col.astype("string")
    return out.reset_index(drop=True)


def _as_lists(col: pd.Series, keep_arrays: bool = False) -> np.ndarray:
    """Return an object array of lists, converting only the values that are not lists yet."""
    values = col.to_numpy(dtype=object, copy=True)
    kinds = set(map(type, values))
    if kinds <= {list}:  # the common case (importer output, coerced frames): nothing to do
        return values
    if kinds <= {np.ndarray}:  # list columns read back from Parquet: convert all rows in one pass
        if keep_arrays and set(map(attrgetter("ndim"), values)) <= {1} and set(map(attrgetter("dtype"), values)) <= {
                np.dtype(object)}:
            return values
        return _arrays_to_lists(values)
    is_list = np.fromiter((type(v) is list for v in values), dtype=bool, count=len(values))
    for i in np.flatnonzero(~is_list):
        values[i] = _as_list(values[i])
    return values


def _arrays_to_lists(values: np.ndarray) -> np.ndarray:
    """Object array of 1-D arrays -> object array of lists of ``str`` (as :func:`_as_list` does per row)."""
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    flat = [str(v) for v in np.concatenate(values).tolist()] if lengths.sum() else []
    ends = np.cumsum(lengths)
    starts = ends - lengths
    return np.fromiter((flat[a:b] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)),
                       dtype=object, count=len(values))


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    if isinstance(value, np.ndarray):
        return [str(v) for v in value.tolist()]
    if isinstance(value, float) and np.isnan(value):
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                parsed = loads_json(text, "a list cell")
            except ValueError:  # not JSON, or nested too deeply (JsonTooDeepError)
                parsed = None
            if isinstance(parsed, list):
                return [str(v) for v in parsed]
        return [part.strip() for part in text.split("|") if part.strip()]
    return [str(value)]


def validate_incidents(frame: pd.DataFrame) -> list[str]:
    """Check a canonical frame and return a list of problems (empty when valid).

    Parameters
    ----------
    frame : pandas.DataFrame
        Frame claiming to follow :data:`IMPORT_COLUMNS` (other columns, such as the
        enrichment's, are not checked).

    Returns
    -------
    list of str
        One message per problem found: the missing columns alone when any is missing, else duplicate ids,
        codes outside the taxonomies, missing coordinates and negative casualty counts.
    """
    from geo.taxonomy import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, TARGET_TYPES, WEAPONS

    problems: list[str] = []
    missing = [c for c in IMPORT_COLUMNS if c not in frame.columns]
    if missing:
        return [f"missing columns: {', '.join(missing)}"]
    if frame["incident_id"].duplicated().any():
        dups = frame.loc[frame["incident_id"].duplicated(), "incident_id"].head(5).tolist()
        problems.append(f"duplicate incident_id: {dups}")
    checks = {
        "date_precision": set(DATE_PRECISIONS),
        "geo_precision": set(GEO_PRECISIONS),
        "event_type": set(EVENT_TYPES),
    }
    for column, allowed in checks.items():
        bad = set(frame[column].dropna().unique()) - allowed
        if bad:
            problems.append(f"{column}: values outside the taxonomy: {sorted(bad)[:5]}")
    for column, allowed in (("target_types", TARGET_TYPES), ("weapons", WEAPONS)):
        bad = {v for values in frame[column] for v in values} - set(allowed)
        if bad:
            problems.append(f"{column}: values outside the taxonomy: {sorted(bad)[:5]}")
    if frame["lat"].isna().any() or frame["lon"].isna().any():
        problems.append("null coordinates")
    for column in ("killed", "injured"):
        if (frame[column].dropna() < 0).any():
            problems.append(f"negative {column}")
    return problems
