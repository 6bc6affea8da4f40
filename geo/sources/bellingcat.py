"""Bellingcat "Civilian Harm in Ukraine": the export CSV, the TimeMap API triple, and the reduced JSON.

Bellingcat publishes no casualty counts (killed/injured stay <NA>) and no
precision code (geo_precision is "near": investigators geolocate each incident
to the site or its immediate surroundings, but some entries sit on a
settlement). Its two coded categories, "Type of area affected" and "Weapon
System", are multi-valued and crosswalked below (``docs/TAXONOMIES.md``).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd

from geo.i18n import N_
from geo.parsing import check_file, clean_urls, parse_url_lists
from geo.safejson import JsonTooDeepError, load_json_file
from geo.schema import UnreadableFileError
from geo.sources import keywords
from geo.sources._common import StagedRows, blank_to_na, build_extra, content_ids, read_named_csv, to_json
from geo.sources.registry import SourceSpec

SOURCE = "bellingcat"
AREA_KEY = "Type of area affected"
WEAPON_KEY = "Weapon System"
CSV_COLUMNS = ("id", "date", "latitude", "longitude", "location", "description", "sources", "associations")
TIMEMAP_FILES = ("export_events.json", "export_associations.json", "export_sources.json")
REDUCED_KEYS = frozenset({"date", "latitude", "longitude", "description", "sources"})
DATE_FORMATS = ("%m/%d/%Y", "%Y-%m-%d")

#: "Type of area affected" value -> target type.
AREA_TO_TARGET: dict[str, str] = {
    "Residential": "residential",
    "Commercial": "commercial",
    "School or childcare": "education",
    "Industrial": "industrial",
    "Roads/Highways/Transport": "transport",
    "Healthcare": "healthcare",
    "Administrative": "government",
    "Cultural": "cultural",
    "Religious": "religious",
    "Undefined": "unknown",
    "Food/Food Infrastructure": "agriculture_food",
    "Humanitarian": "humanitarian",
    "Military": "military",
}

#: "Weapon System" value -> weapon codes ("None" = no weapon named -> no code).
WEAPON_TO_CODES: dict[str, tuple[str, ...]] = {
    "Unknown": ("unknown",),
    "Cluster munitions": ("cluster_munition",),
    "Cruise missile": ("cruise_missile",),
    "HE rocket artillery": ("rocket_artillery",),
    "Anti-air missile": ("anti_aircraft_missile",),
    "Loitering munition": ("drone",),
    "Small arms": ("small_arms",),
    "Air strike": ("air_strike_unspecified",),
    "Ballistic missile": ("ballistic_missile",),
    "Vehicle mounted weapon": ("other",),
    "Incendiary munitions": ("incendiary",),
    "HE artillery inc mortars": ("tube_artillery",),
    "Thermobaric munition": ("thermobaric",),
    "Land mines": ("mine",),
    "HE tube artillery": ("tube_artillery",),
    "None": (),
}

# Weapon code -> event type, first match wins; anything else falls back to the description's keywords.
_EVENT_BY_WEAPON: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"cruise_missile", "ballistic_missile", "anti_aircraft_missile", "missile_unspecified"}), "missile_strike"),
    (frozenset({"drone"}), "drone_strike"),
    (frozenset({"aerial_bomb", "air_strike_unspecified"}), "air_strike"),
    (frozenset({"rocket_artillery", "tube_artillery", "artillery_unspecified", "thermobaric"}), "shelling"),
    (frozenset({"mine"}), "mine"),
    (frozenset({"small_arms", "other"}), "attack_on_civilians"),
)
_ASSOC_SPLIT = re.compile(r",(?=[^,=]+=)")


def parse_associations(text: object) -> dict[str, list[str]]:
    """Split ``"Type of area affected=Residential,Weapon System=Unknown"`` into lists per key.

    Parameters
    ----------
    text : object
        The ``associations`` field.

    Returns
    -------
    dict
        key -> list of values, in order.
    """
    out: dict[str, list[str]] = {}
    if not isinstance(text, str) or not text.strip():
        return out
    for part in _ASSOC_SPLIT.split(text.strip()):
        key, sep, value = part.partition("=")
        if sep and value.strip():
            out.setdefault(key.strip(), []).append(value.strip())
    return out


def _categories(assocs: list[dict[str, list[str]]], descriptions: pd.Series) -> dict[str, object]:
    """Canonical targets, weapons, event types and raw texts from parsed associations."""
    n = len(assocs)
    targets = np.empty(n, dtype=object)
    weapons = np.empty(n, dtype=object)
    target_raw = np.empty(n, dtype=object)
    weapon_raw = np.empty(n, dtype=object)
    events = np.empty(n, dtype=object)
    other = np.empty(n, dtype=object)
    for i, assoc in enumerate(assocs):
        areas = assoc.get(AREA_KEY, [])
        arms = assoc.get(WEAPON_KEY, [])
        t = list(dict.fromkeys(AREA_TO_TARGET.get(a, "other") for a in areas)) or ["unknown"]
        w = list(dict.fromkeys(c for a in arms for c in WEAPON_TO_CODES.get(a, ("other",))))
        if not arms:
            w = ["unknown"]
        targets[i], weapons[i] = t, w
        target_raw[i] = " | ".join(areas) or None
        weapon_raw[i] = " | ".join(arms) or None
        events[i] = next((event for codes, event in _EVENT_BY_WEAPON if codes & set(w)), None)
        rest = {k: v for k, v in assoc.items() if k not in (AREA_KEY, WEAPON_KEY)}
        other[i] = rest or None
    undecided = np.asarray([e is None for e in events])
    if undecided.any():
        text = descriptions.reset_index(drop=True)[undecided]
        guess = keywords.event_types_from_weapons(keywords.weapon_matrix(text), np.full(int(undecided.sum()), "explosion", dtype=object))
        events[undecided] = guess
    return {"target_types": targets, "weapons": weapons, "target_raw": target_raw, "weapon_raw": weapon_raw,
            "event_type": events, "_other_assoc": other}


def _fields(ids, dates, lat, lon, location, description, urls, extra, cats: dict) -> pd.DataFrame:
    """Return the canonical fields of Bellingcat records, whatever the file: day dates, "near" places, no casualty counts."""
    return pd.DataFrame({
        "source_id": ids,
        "date": dates,
        "date_precision": "day",
        "lat": lat,
        "lon": lon,
        "geo_precision": "near",
        "location": blank_to_na(location),
        "target_types": cats["target_types"],
        "target_raw": cats["target_raw"],
        "weapons": cats["weapons"],
        "weapon_raw": cats["weapon_raw"],
        "event_type": cats["event_type"],
        "event_type_raw": None,
        "killed": None,
        "injured": None,
        "description": blank_to_na(description),
        "source_urls": urls,
        "extra": extra,
        "target_inferred": False,
        "weapon_inferred": False,
    })


def stage_csv(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read a Bellingcat export CSV into :class:`StagedRows`.

    Parameters
    ----------
    path : Path
        The CSV (``id,date,latitude,longitude,location,description,sources,associations``).
    max_rows, max_bytes : int, optional
        Refuse a file above this many rows or bytes (see :func:`geo.parsing.read_csv_table`).

    Returns
    -------
    StagedRows
        One row per record, not yet checked; target types and weapons from ``associations``.
    """
    table = read_named_csv(path, ("id", "date", "latitude", "longitude"), N_("a Bellingcat export"), max_rows, max_bytes)
    raw, lookup, col = table.frame, table.lookup, table.col
    assocs = [parse_associations(v) for v in col("associations")]
    cats = _categories(assocs, col("description"))
    known = {lookup.get(c) for c in CSV_COLUMNS}
    extra_cols = [c for c in raw.columns if c not in known]
    extra = build_extra(raw, extra_cols)
    if any(o is not None for o in cats["_other_assoc"]):
        extra = np.asarray([_merge_extra(e, {"associations_other": o}) if o else e
                            for e, o in zip(extra, cats["_other_assoc"], strict=True)], dtype=object)
    fields = _fields(blank_to_na(col("id")), col("date"), col("latitude"), col("longitude"), col("location"),
                     col("description"), parse_url_lists(col("sources")), extra, cats)
    columns = {"source_id": "id", "date": "date", "lat": "latitude", "lon": "longitude"}
    return table.staged(SOURCE, fields, columns, DATE_FORMATS, default_date_order="monthfirst")


def _merge_extra(extra: str, more: dict) -> str:
    data = json.loads(extra) if extra else {}
    data.update(more)
    return to_json(data)


def _load_json(path: Path, max_bytes: int | None = None):
    check_file(path, max_bytes)
    try:
        return load_json_file(path)
    except JsonTooDeepError as exc:
        raise UnreadableFileError(exc.msg) from exc
    except UnicodeDecodeError as exc:
        raise UnreadableFileError(f"{path.name}: not UTF-8 text. Save the file as UTF-8 JSON and import it again.") from exc
    except json.JSONDecodeError as exc:
        raise UnreadableFileError(
            f"{path.name}: not valid JSON ({exc.msg} at line {exc.lineno}, column {exc.colno}); the file may be "
            "truncated. Download or export it again."
        ) from exc


def timemap_folder(path: Path) -> Path:
    """Return the folder of a TimeMap export given the folder or one of its three files.

    Parameters
    ----------
    path : Path
        Folder, or ``export_events.json`` (or a sibling) inside it.

    Returns
    -------
    Path
        The folder.
    """
    path = Path(path)
    return path if path.is_dir() else path.parent


def stage_timemap(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read a TimeMap API export (events, associations, sources) into :class:`StagedRows`.

    Association ids resolve to ("Type of area affected" | "Weapon System", value)
    via ``export_associations.json``; source ids to URLs via
    ``export_sources.json`` (non-URL paths such as ``HIDDEN`` go to ``extra``).

    Parameters
    ----------
    path : Path
        The folder or any of its three files.
    max_rows, max_bytes : int, optional
        Limits on the events file.

    Returns
    -------
    StagedRows
        Unchecked rows; ``row_number`` is the 1-based position in ``export_events.json``.
    """
    folder = timemap_folder(path)
    missing = [name for name in TIMEMAP_FILES if not (folder / name).is_file()]
    if missing:
        raise UnreadableFileError(
            f"{folder.name}: a TimeMap export needs {', '.join(TIMEMAP_FILES)}; missing {', '.join(missing)}. "
            "Put the three files in one folder and import the folder."
        )
    events = _load_json(folder / "export_events.json", max_bytes)
    associations = _load_json(folder / "export_associations.json", max_bytes)
    sources = _load_json(folder / "export_sources.json", max_bytes)
    if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
        raise UnreadableFileError("export_events.json: expected a JSON array of event objects. Check the export.")
    if not events:
        raise UnreadableFileError("export_events.json: the export holds no events. Nothing to import.")
    if max_rows is not None and len(events) > max_rows:
        raise UnreadableFileError(f"export_events.json: {len(events):,} events, above the row limit of {max_rows:,}. "
                                  "Raise the row limit.")
    assoc_by_id = {a.get("id"): a for a in associations if isinstance(a, dict)} if isinstance(associations, list) else {}
    source_by_id = sources if isinstance(sources, dict) else {}
    parsed, urls, extras = [], [], []
    for event in events:
        assoc: dict[str, list[str]] = {}
        unresolved = []
        for aid in event.get("associations") or []:
            entry = assoc_by_id.get(aid)
            paths = entry.get("filter_paths") if isinstance(entry, dict) else None
            if isinstance(paths, list) and len(paths) >= 2:
                assoc.setdefault(str(paths[0]), []).append(str(paths[-1]))
            else:
                unresolved.append(aid)
        parsed.append(assoc)
        links, other_paths, descriptions = [], [], []
        for sid in event.get("sources") or []:
            entry = source_by_id.get(sid)
            if not isinstance(entry, dict):
                other_paths.append(sid)
                continue
            for p in entry.get("paths") or []:
                (links if clean_urls([p]) else other_paths).append(p)
            if entry.get("description"):
                descriptions.append(entry["description"])
        urls.append(clean_urls(links))
        rest = {k: v for k, v in event.items() if k not in
                ("associations", "sources", "id", "description", "date", "location", "latitude", "longitude")}
        rest["source_ids"] = event.get("sources") or []
        if descriptions:
            rest["source_descriptions"] = descriptions
        if other_paths:
            rest["source_paths_not_urls"] = other_paths
        if unresolved:
            rest["associations_unresolved"] = unresolved
        extras.append(rest)
    frame = pd.DataFrame(events)
    for name in ("id", "date", "latitude", "longitude", "location", "description"):
        if name not in frame:
            frame[name] = None
    descriptions = frame["description"].astype("str")
    cats = _categories(parsed, descriptions)
    for i, other in enumerate(cats["_other_assoc"]):
        if other:
            extras[i]["associations_other"] = other
    fields = _fields(blank_to_na(frame["id"].astype("str")), frame["date"], frame["latitude"], frame["longitude"],
                     frame["location"].astype("str"), descriptions, urls, [to_json(e) for e in extras], cats)
    columns = {"source_id": "id", "date": "date", "lat": "latitude", "lon": "longitude"}
    return StagedRows(
        file=f"{folder.name}/export_events.json", source=SOURCE, fields=fields, raw=events,
        row_numbers=np.arange(1, len(events) + 1), columns=columns, rows_read=len(events), date_formats=DATE_FORMATS,
        default_date_order="monthfirst",
    )


def is_reduced_json(data: object) -> bool:
    """Tell whether parsed JSON is the reduced incident list (no ids, no categories).

    The reduced list is what third parties publish from Bellingcat's database: a bare JSON array,
    one object per incident, without the TimeMap export's ids, associations or source objects.

    Parameters
    ----------
    data : object
        Parsed JSON.

    Returns
    -------
    bool
        True for a non-empty list of objects with date, latitude, longitude,
        description and sources and no ``id``.
    """
    if not isinstance(data, list) or not data or not isinstance(data[0], dict):
        return False
    keys = set(data[0])
    return REDUCED_KEYS <= keys and "id" not in keys


def stage_reduced_json(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read the reduced JSON list (``date, location, description, sources[], latitude, longitude``).

    It has no ids, so each row's id is a SHA-1 of its content
    (:func:`geo.sources._common.content_ids`): stable across re-imports, and an
    exact repeat of a row is quarantined as ``duplicate_id``.

    Parameters
    ----------
    path : Path
        The JSON file.
    max_rows, max_bytes : int, optional
        Limits.

    Returns
    -------
    StagedRows
        Unchecked rows; ``row_number`` is the 1-based position in the list.
    """
    path = Path(path)
    data = _load_json(path, max_bytes)
    if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
        raise UnreadableFileError(f"{path.name}: expected a JSON array of incident objects. Check the file.")
    if not data:
        raise UnreadableFileError(f"{path.name}: the list is empty. Nothing to import.")
    if max_rows is not None and len(data) > max_rows:
        raise UnreadableFileError(f"{path.name}: {len(data):,} rows, above the row limit of {max_rows:,}. Raise the row limit.")
    frame = pd.DataFrame(data)
    for name in ("date", "latitude", "longitude", "location", "description", "sources"):
        if name not in frame:
            frame[name] = None
    descriptions = frame["description"].astype("str")
    matrix = keywords.weapon_matrix(descriptions)
    events = keywords.event_types_from_weapons(matrix, np.full(len(frame), "explosion", dtype=object))
    known = {"date", "latitude", "longitude", "location", "description", "sources"}
    extras = [to_json({k: v for k, v in r.items() if k not in known}) for r in data]
    source_lists = [
        clean_urls(s) if isinstance(s, list) else clean_urls(str(s).split(",")) if isinstance(s, str) else []
        for s in frame["sources"]
    ]
    unknown = {"target_types": [["unknown"]] * len(frame), "target_raw": None, "weapons": [["unknown"]] * len(frame),
               "weapon_raw": None, "event_type": events}
    fields = _fields(content_ids(data), frame["date"], frame["latitude"], frame["longitude"],
                     frame["location"].astype("str"), descriptions, source_lists, extras, unknown)
    columns = {"source_id": "(content hash)", "date": "date", "lat": "latitude", "lon": "longitude"}
    return StagedRows(
        file=path.name, source=SOURCE, fields=fields, raw=data, row_numbers=np.arange(1, len(data) + 1),
        columns=columns, rows_read=len(data), date_formats=("%Y-%m-%d", "%m/%d/%Y"), default_date_order="monthfirst",
    )


def stage(path: Path, max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Stage any Bellingcat file: TimeMap folder, reduced JSON, or export CSV (by shape).

    Parameters
    ----------
    path : Path
        A TimeMap folder (or one of its files), a reduced JSON list, or an export CSV.
    max_rows, max_bytes : int, optional
        Passed on to the stage function of that shape.

    Returns
    -------
    StagedRows
        What :func:`stage_timemap`, :func:`stage_reduced_json` or :func:`stage_csv` returns.
    """
    path = Path(path)
    if path.is_dir() or path.name in TIMEMAP_FILES:
        return stage_timemap(path, max_rows, max_bytes)
    if path.suffix.lower() == ".json":
        return stage_reduced_json(path, max_rows, max_bytes)
    return stage_csv(path, max_rows, max_bytes)


_INFO = {
    "source": SOURCE,
    "name": "Bellingcat: Civilian Harm in Ukraine",
    "licence": "No licence stated (all rights reserved by default): aggregates and links only",
    "attribution": "Bellingcat, ukraine.bellingcat.com",
    "url": "https://ukraine.bellingcat.com/",
    "redistribution": False,
}


def _is_timemap(probe) -> bool:
    return (probe.is_dir and (probe.path / TIMEMAP_FILES[0]).is_file()) or probe.name in TIMEMAP_FILES


def _is_export(probe) -> bool:
    if probe.header is not None:
        return {"id", "date", "latitude", "longitude", "associations"} <= probe.header
    return probe.json is not None and is_reduced_json(probe.json)


SPECS = (
    SourceSpec(key="bellingcat", label="Bellingcat export CSV or reduced JSON list", recognise=_is_export,
               stage=stage, priority=60, **_INFO),
    SourceSpec(key="bellingcat_timemap", label="Bellingcat TimeMap API export (folder or export_events.json)",
               recognise=_is_timemap, stage=stage_timemap, priority=10, **_INFO),
)
