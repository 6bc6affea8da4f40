"""UCDP Georeferenced Event Dataset (GED) CSV, the 49 standard columns.

``killed`` is UCDP's ``best`` estimate; ``low``, ``high`` and the
``deaths_*`` breakdown stay in ``extra``. UCDP codes no injuries (<NA>), no
target and no weapon; weapons are read from ``source_headline`` by the keyword
rules of :mod:`geo.sources.keywords` (documented in ``docs/TAXONOMIES.md``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from geo.i18n import N_
from geo.sources import keywords
from geo.sources._common import (
    StagedRows,
    blank_to_na,
    build_extra,
    code_text,
    map_codes,
    read_named_csv,
    same_list,
)
from geo.sources.registry import SourceSpec, header_has

SOURCE = "ucdp"
#: Columns that identify a GED file.
SIGNATURE: frozenset[str] = frozenset({"id", "relid", "where_prec", "date_prec", "date_start", "best", "type_of_violence"})
REQUIRED = ("id", "date_start", "latitude", "longitude")

#: where_prec -> geo_precision.
WHERE_PREC: dict[str, str] = {
    "1": "exact",   # exact location
    "2": "near",    # within about 25 km of a known point
    "3": "area",    # only the second-order administrative unit is known
    "4": "region",  # only the first-order administrative unit (oblast) is known
    "5": "region",  # a linear feature or area larger than an oblast, e.g. a front line or a border region
    "6": "unknown",  # only the country is known
    "7": "unknown",  # international waters or airspace
}
#: date_prec -> date_precision.
DATE_PREC: dict[str, str] = {"1": "day", "2": "week", "3": "month", "4": "unknown", "5": "unknown"}
#: type_of_violence -> (event type, raw label).
VIOLENCE: dict[str, tuple[str, str]] = {
    "1": ("battle", "state-based conflict"),
    "2": ("battle", "non-state conflict"),
    "3": ("attack_on_civilians", "one-sided violence"),
}
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S")
_CANONICAL_HOME = {"id", "date_start", "date_prec", "latitude", "longitude", "where_prec", "where_coordinates",
                   "best", "source_headline"}


def stage(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read a UCDP GED CSV (UTF-8 or cp1252, any of its date spellings) into :class:`StagedRows`.

    Parameters
    ----------
    path : Path
        A GED CSV as UCDP distributes it (the yearly or a candidate release).
    max_rows, max_bytes : int, optional
        Refuse a file above this many rows or bytes (:func:`geo.parsing.read_csv_table`).

    Returns
    -------
    StagedRows
        One row per GED event, not yet checked; ``killed`` is ``best``, ``civilians_killed`` is ``deaths_civilians``.

    Raises
    ------
    geo.schema.UnreadableFileError
        ``id``, ``date_start``, ``latitude`` or ``longitude`` is missing.
    """
    table = read_named_csv(path, REQUIRED, N_("a UCDP GED file"), max_rows, max_bytes)
    raw, col = table.frame, table.col
    n = len(raw)
    violence = code_text(col("type_of_violence"))
    base_event = violence.map({k: v[0] for k, v in VIOLENCE.items()}).fillna("other").to_numpy(dtype=object)
    headline = col("source_headline")
    matrix = keywords.weapon_matrix(headline)
    weapons = keywords.masks_to_lists(matrix, list(keywords.WEAPON_RULES), default=["unknown"])
    event = np.where(base_event == "battle", keywords.event_types_from_weapons(matrix, base_event), base_event)
    raw_event = ("type_of_violence=" + violence + " (" + violence.map({k: v[1] for k, v in VIOLENCE.items()})
                 .fillna("unknown") + ")")
    extra_cols = [c for c in raw.columns if c.casefold() not in _CANONICAL_HOME]
    fields = pd.DataFrame({
        "source_id": code_text(col("id")),
        "date_precision": map_codes(col("date_prec"), DATE_PREC),
        "geo_precision": map_codes(col("where_prec"), WHERE_PREC),
        "location": blank_to_na(col("where_coordinates")),
        "target_types": same_list(n, ["unknown"]),
        "target_raw": None,
        "weapons": weapons,
        "weapon_raw": None,
        "event_type": event,
        "event_type_raw": raw_event,
        "civilians_killed": col("deaths_civilians"),
        "injured": None,
        "description": blank_to_na(headline),
        "source_urls": same_list(n),
        "extra": build_extra(raw, extra_cols),
        "target_inferred": False,
        "weapon_inferred": True,
    })
    return table.staged(SOURCE, fields, {"source_id": "id", "date": "date_start", "lat": "latitude", "lon": "longitude",
                                         "killed": "best"}, DATE_FORMATS)


SPECS = (
    SourceSpec(
        key="ucdp", source=SOURCE, name="UCDP Georeferenced Event Dataset (GED)", licence="CC BY 4.0",
        attribution="Sundberg & Melander (2013), UCDP GED, Uppsala University", url="https://ucdp.uu.se/downloads/",
        redistribution=True, label="UCDP GED CSV (the standard columns)", recognise=header_has(SIGNATURE), stage=stage,
        priority=50,
    ),
)
