"""ACLED export CSV, built from ACLED's public codebook (no ACLED data is redistributed here).

Both column sets are read, matched case-insensitively: the pre-2023 export
(``ISO, EVENT_ID_CNTY, EVENT_ID_NO_CNTY, EVENT_DATE, ..., FATALITIES,
TIMESTAMP, ISO3``) and the current one (``event_id_cnty, event_date, year,
time_precision, disorder_type, ..., civilian_targeting, ..., tags,
timestamp``). ``killed`` is ``fatalities`` (ACLED's reported deaths: 0 is a
real 0); ACLED codes no injuries (<NA>). Event types come from
``sub_event_type`` refined by keywords in ``notes``; weapons and targets from
``notes`` keywords (``docs/TAXONOMIES.md``).
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from geo.i18n import N_
from geo.sources import keywords
from geo.sources._common import (
    StagedRows,
    assemble_extra,
    blank_to_na,
    extra_pieces,
    map_codes,
    read_named_csv,
    restore_rows,
    same_list,
    strip_text,
)
from geo.sources.registry import SourceSpec, header_has

SOURCE = "acled"
REQUIRED = ("event_id_cnty", "event_date", "latitude", "longitude")
#: Columns that identify an ACLED export (case-insensitive).
SIGNATURE: frozenset[str] = frozenset({"event_id_cnty", "event_date", "sub_event_type", "fatalities"})

#: ACLED geo_precision -> geo_precision. 1: the event is in the named town and the
#: coordinates are that town's (a city can be tens of km across) -> near; 2: "near"
#: or "in the district of" a town, coordinates of that town -> area; 3: only a
#: region is known, coordinates of its capital -> region.
GEO_PRECISION: dict[str, str] = {"1": "near", "2": "area", "3": "region"}
#: ACLED time_precision -> date_precision.
TIME_PRECISION: dict[str, str] = {"1": "day", "2": "week", "3": "month"}

#: sub_event_type -> canonical event type before keyword refinement.
SUB_EVENT_TYPES: dict[str, str] = {
    "Shelling/artillery/missile attack": "shelling",
    "Air/drone strike": "air_strike",
    "Remote explosive/landmine/IED": "explosion",
    "Grenade": "explosion",
    "Suicide bomb": "explosion",
    "Chemical weapon": "other",
    "Armed clash": "battle",
    "Government regains territory": "battle",
    "Non-state actor overtakes territory": "battle",
    "Attack": "attack_on_civilians",
    "Sexual violence": "attack_on_civilians",
    "Abduction/forced disappearance": "attack_on_civilians",
    "Peaceful protest": "protest",
    "Protest with intervention": "protest",
    "Excessive force against protesters": "protest",
    "Violent demonstration": "protest",
    "Mob violence": "protest",
    "Agreement": "other",
    "Arrests": "other",
    "Change to group/activity": "other",
    "Disrupted weapons use": "other",
    "Headquarters or base established": "other",
    "Looting/property destruction": "other",
    "Non-violent transfer of territory": "other",
    "Other": "other",
}
#: event_type -> canonical event type when sub_event_type is missing or unknown.
EVENT_TYPES: dict[str, str] = {
    "Battles": "battle",
    "Explosions/Remote violence": "explosion",
    "Violence against civilians": "attack_on_civilians",
    "Protests": "protest",
    "Riots": "protest",
    "Strategic developments": "other",
}
# Sub-event types whose weapons default to "unknown" when notes name none; others (protests,
# agreements, arrests) get no weapon at all.
_VIOLENT = {"shelling", "air_strike", "explosion", "battle", "attack_on_civilians"}
DATE_FORMATS = ("%d %B %Y", "%Y-%m-%d", "%d-%b-%y", "%d-%b-%Y", "%m/%d/%Y", "%d %b %Y", "%m/%d/%y")
#: Columns that feed ``extra`` and are read by the staging as well.
_ALSO_STAGED = {"tags", "civilian_targeting", "event_type"}
_CANONICAL_HOME = {"event_id_cnty", "event_date", "time_precision", "latitude", "longitude", "geo_precision",
                   "location", "sub_event_type", "fatalities", "notes"}


def _join_text(notes: pd.Series, tags: pd.Series) -> pd.Series:
    """Join notes and tags into one text per row (Arrow kernel; tags are usually empty)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not (strip_text(tags) != "").any():
        return notes
    joined = pc.binary_join_element_wise(pa.array(notes.astype("str"), from_pandas=True).cast(pa.large_string()),
                                         pa.array(tags.astype("str"), from_pandas=True).cast(pa.large_string()),
                                         pa.scalar(" ", pa.large_string()))
    return pd.Series(pd.arrays.ArrowStringArray(joined), index=notes.index)


#: Every event type :func:`_event_types` can give, in a fixed order (its codes index this list).
_EVENT_NAMES: tuple[str, ...] = tuple(dict.fromkeys([*SUB_EVENT_TYPES.values(), *EVENT_TYPES.values(), "other",
                                                     "air_strike", "drone_strike", "missile_strike", "mine"]))


def _name_codes(values: pd.Series, table: dict[str, str]) -> np.ndarray:
    """Index into :data:`_EVENT_NAMES` of ``table[value]`` per row (-1 where the table has no entry or the cell is NA)."""
    codes, uniques = pd.factorize(pd.Series(values, dtype="str"), use_na_sentinel=True)
    names = pd.Series(uniques, dtype="str").map(table)
    per_unique = np.array([_EVENT_NAMES.index(v) if isinstance(v, str) else -1 for v in names] + [-1], dtype=np.int64)
    return per_unique[codes]  # code -1 (NA) takes the appended -1


def _event_types(sub: pd.Series, top: pd.Series, weapons: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sub-event type first, refined by what the notes say was fired (``sub`` and ``top`` stripped).

    ``weapons`` is the weapon matrix of the distinct compacted notes and ``rows`` each row's
    entry in it; returns each row's index into :data:`_EVENT_NAMES`.
    """
    base = _name_codes(sub, SUB_EVENT_TYPES)
    missing = base < 0
    if missing.any():
        base[missing] = _name_codes(top[missing], EVENT_TYPES)
    base[base < 0] = _EVENT_NAMES.index("other")

    def has(*codes: str) -> np.ndarray:
        return np.logical_or.reduce([keywords.column(weapons, keywords.WEAPON_RULES, c) for c in codes])[rows]

    missile = has("cruise_missile", "ballistic_missile", "anti_aircraft_missile", "missile_unspecified")
    drone = has("drone")
    bomb = has("aerial_bomb")
    mine = has("mine")
    code = _EVENT_NAMES.index
    remote = (base == code("shelling")) | (base == code("air_strike"))
    out = base.copy()
    out[remote & bomb] = code("air_strike")
    out[remote & drone] = code("drone_strike")
    out[remote & missile] = code("missile_strike")
    out[(base == code("explosion")) & mine] = code("mine")
    return out


def stage(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read an ACLED export CSV (either column set) into :class:`StagedRows`.

    Parameters
    ----------
    path : Path
        An ACLED export: the pre-2023 upper-case column set or the current one (``data_id`` accepted as the id).
    max_rows, max_bytes : int, optional
        Refuse a file above this many rows or bytes (:func:`geo.parsing.read_csv_table`).

    Returns
    -------
    StagedRows
        One row per record, not yet checked; ``killed`` is ``fatalities``, ``injured`` is not coded.

    Raises
    ------
    geo.schema.UnreadableFileError
        ``event_id_cnty``, ``event_date``, ``latitude`` or ``longitude`` is missing.
    """
    table = read_named_csv(path, REQUIRED, N_("an ACLED export"), max_rows, max_bytes, aliases={"event_id_cnty": "data_id"})
    read, lookup = table.frame, table.lookup
    n, names = len(read), list(read.columns)
    extra_cols = [c for c in names if c.casefold() not in _CANONICAL_HOME and c != lookup["event_id_cnty"]]
    # The columns that only feed ``extra`` go to its builder, which lets go of each once it is
    # encoded (they come back as categoricals for the quarantine, see restore_rows).
    given = {name: read[name] for name in extra_cols}
    table.table.frame = read.drop(columns=[c for c in extra_cols if c.casefold() not in _ALSO_STAGED])
    del read
    encodings: dict = {}
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        # ``extra`` (mostly Arrow kernels, which release the GIL) is built while the rest is staged
        # and checked: its columns are encoded now, its rows assembled while the rows are checked.
        encoded = pool.submit(extra_pieces, given, extra_cols, encodings=encodings, index=table.frame.index)
        fields = _fields(table, n)
        extra = pool.submit(assemble_extra, encoded.result())
    finally:
        pool.shutdown(wait=False)
    fields["target_inferred"] = True
    fields["weapon_inferred"] = True
    columns = {"source_id": "event_id_cnty", "date": "event_date", "lat": "latitude", "lon": "longitude",
               "killed": "fatalities"}
    raw = restore_rows(names, table.frame, given, encodings)
    staged = table.staged(SOURCE, fields, columns, DATE_FORMATS, raw=raw)
    staged.pending["extra"] = extra
    return staged


def _fields(table, n: int) -> pd.DataFrame:
    """Stage the canonical fields of an ACLED export but ``extra`` and the inferred flags."""
    col = table.col
    notes = col("notes")
    tags = col("tags")
    target_raw = strip_text(col("civilian_targeting"))
    civilian = target_raw != ""
    sub = strip_text(col("sub_event_type"))
    top = strip_text(col("event_type"))
    text = _join_text(notes, tags)
    rows, distinct = keywords.compact_keywords(text)
    weapon_matrix = keywords.drop_superseded(keywords.match_distinct(distinct, keywords.WEAPON_RULES))
    event_codes = _event_types(sub, top, weapon_matrix, rows)
    event = pd.Series(pd.arrays.ArrowStringArray(pa.array(_EVENT_NAMES, pa.large_string()).take(event_codes)),
                      dtype="str")
    violent_names = _VIOLENT | {"missile_strike", "drone_strike", "mine"}
    violent = np.isin(event_codes, [i for i, name in enumerate(_EVENT_NAMES) if name in violent_names])
    weapons = keywords.masks_to_lists(weapon_matrix, list(keywords.WEAPON_RULES), default=["unknown"], rows=rows)
    no_weapon = np.flatnonzero(~(violent | weapon_matrix.any(axis=1)[rows]))
    weapons[no_weapon] = same_list(len(no_weapon))
    target_matrix = keywords.match_distinct(distinct, keywords.TARGET_RULES)
    targets = keywords.masks_to_lists(target_matrix, list(keywords.TARGET_RULES), default=["unknown"], rows=rows)
    no_sub = sub == ""
    event_raw = sub.mask(no_sub, top) if no_sub.any() else sub
    return pd.DataFrame({
        "source_id": strip_text(col("event_id_cnty")),
        "date_precision": map_codes(col("time_precision"), TIME_PRECISION),
        "geo_precision": map_codes(col("geo_precision"), GEO_PRECISION),
        "location": blank_to_na(col("location")),
        "target_types": targets,
        "target_raw": target_raw.mask(~civilian),
        "weapons": weapons,
        "weapon_raw": None,
        "event_type": event,
        "event_type_raw": blank_to_na(event_raw),
        "injured": None,
        "description": blank_to_na(notes),
        "source_urls": same_list(n),
    })


SPECS = (
    SourceSpec(
        key="acled", source=SOURCE, name="Armed Conflict Location & Event Data (ACLED)",
        licence="ACLED Terms of Use: raw data may not be redistributed", attribution="ACLED, www.acleddata.com",
        url="https://acleddata.com/", redistribution=False, label="ACLED export CSV (either column set)",
        recognise=header_has(SIGNATURE), stage=stage, priority=40,
    ),
)
