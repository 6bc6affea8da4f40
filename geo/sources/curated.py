"""The project's own curated incident CSV (``data/curated/incidents.csv``).

Its columns already use the canonical codes; lists are separated by `` | ``.
``admin1_iso`` is recomputed by point-in-polygon during enrichment (never
trusted from a file), so it goes to ``extra`` with the casualty provenance, the
human-readable source citations, the per-row ``geolocation_source`` (who located
the point: e.g. a Bellingcat record or the project) and the ``verified`` audit
note.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.i18n import N_
from geo.parsing import parse_url_lists, read_csv_table
from geo.schema import UnreadableFileError
from geo.sources import keywords
from geo.sources._common import NamedCsv, StagedRows, blank_to_na, build_extra
from geo.sources.registry import SourceSpec, header_has
from geo.taxonomy import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, TARGET_TYPES, WEAPONS

SOURCE = "curated"
COLUMNS: tuple[str, ...] = (
    "source_id", "date", "date_precision", "lat", "lon", "geo_precision", "geolocation_source", "location", "admin1_iso",
    "target_types", "target_raw", "weapons", "weapon_raw", "event_type", "killed", "injured",
    "casualty_source", "casualty_note", "description", "source_urls", "sources", "verified",
)
#: Columns that identify the curated format (the rest may be absent in older copies).
SIGNATURE: frozenset[str] = frozenset({"source_id", "date", "lat", "lon", "target_types", "weapons", "source_urls"})
_EXTRA = ("admin1_iso", "geolocation_source", "casualty_source", "casualty_note", "sources", "verified")


def _codes(values: pd.Series, taxonomy: dict[str, str], messages: list[str], column: str, file: str) -> list[list[str]]:
    """Split `` | `` lists and keep taxonomy codes; anything else becomes "other" with a note."""
    out: list[list[str]] = []
    unknown: set[str] = set()
    for text in values:
        items = [p.strip() for p in str(text).split("|") if p.strip()] if isinstance(text, str) else []
        codes = []
        for item in items:
            code = item.lower().replace(" ", "_")
            if code not in taxonomy:
                unknown.add(item)
                code = "other"
            codes.append(code)
        out.append(list(dict.fromkeys(codes)) or ["unknown"])
    if unknown:
        messages.append(f"{file}: {column} values not in the taxonomy, stored as 'other': {', '.join(sorted(unknown)[:5])}")
    return out


def _choice(values: pd.Series, allowed, default: str, messages: list[str], column: str, file: str) -> pd.Series:
    text = values.str.strip().str.lower()
    bad = text.notna() & (text != "") & ~text.isin(list(allowed))
    if bad.any():
        messages.append(f"{file}: {column} values not in the taxonomy, stored as {default!r}: "
                        f"{', '.join(sorted(set(values[bad]))[:5])}")
    return text.where(~bad & (text != ""), default)


def stage(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read the curated CSV into :class:`StagedRows`.

    Parameters
    ----------
    path : Path
        A CSV with the curated columns (``docs/SCHEMA.md``), exact lower-case names.
    max_rows, max_bytes : int, optional
        Refuse a file above this many rows or bytes (:func:`geo.parsing.read_csv_table`).

    Returns
    -------
    StagedRows
        One row per incident, not yet checked; codes outside the taxonomies become "other" with a note.

    Raises
    ------
    geo.schema.UnreadableFileError
        A column of the curated signature is missing.
    """
    path = Path(path)
    table = read_csv_table(path, max_rows=max_rows, max_bytes=max_bytes)
    raw = table.frame
    missing = sorted(SIGNATURE - set(raw.columns))
    if missing:
        raise UnreadableFileError(N_("{name}: not the curated format, missing columns {columns}. Import it with "
                                     "--format generic."), name=path.name, columns=", ".join(missing))
    messages = list(table.messages)
    named = NamedCsv(path, table, {c: c for c in raw.columns})  # the project's own format: exact column names
    col = named.col

    def text(name: str) -> pd.Series:
        return blank_to_na(col(name))

    event = _choice(col("event_type"), EVENT_TYPES, "other", messages, "event_type", path.name)
    weapons = _codes(col("weapons"), WEAPONS, messages, "weapons", path.name)
    no_event = text("event_type").isna().to_numpy()
    if no_event.any():
        matrix = keywords.weapon_matrix(col("weapon_raw").fillna("") + " " + col("description").fillna(""))
        event[no_event] = keywords.event_types_from_weapons(matrix, np.full(len(raw), "other", dtype=object))[no_event]
    fields = pd.DataFrame({
        "source_id": text("source_id"),
        "date": col("date"),
        "date_precision": _choice(col("date_precision"), DATE_PRECISIONS, "unknown", messages, "date_precision", path.name),
        "lat": col("lat"),
        "lon": col("lon"),
        "geo_precision": _choice(col("geo_precision"), GEO_PRECISIONS, "unknown", messages, "geo_precision", path.name),
        "location": text("location"),
        "target_types": _codes(col("target_types"), TARGET_TYPES, messages, "target_types", path.name),
        "target_raw": text("target_raw"),
        "weapons": weapons,
        "weapon_raw": text("weapon_raw"),
        "event_type": event,
        "event_type_raw": text("event_type"),
        "killed": col("killed"),
        "injured": col("injured"),
        "casualty_source": text("casualty_source"),
        "casualty_note": text("casualty_note"),
        "description": text("description"),
        "source_urls": parse_url_lists(col("source_urls")),
        "extra": build_extra(raw, [c for c in raw.columns if c in _EXTRA or c not in COLUMNS]),
        "target_inferred": False,
        "weapon_inferred": False,
    })
    columns = {c: c for c in ("source_id", "date", "lat", "lon", "killed", "injured")}
    return named.staged(SOURCE, fields, columns, ("%Y-%m-%d", "%Y-%m", "%Y"), messages)


SPECS = (
    SourceSpec(
        key="curated", source=SOURCE, name="conflictmap curated incidents", label="the project's curated incident CSV",
        # the project's own file: redistributable, licensed as the repository's data (data/README.md)
        licence="CC BY 4.0 (project-authored; facts from the cited sources)", redistribution=True,
        attribution="conflictmap contributors", url="data/curated/incidents.csv",
        recognise=header_has(SIGNATURE), stage=stage, priority=30,
    ),
)
