"""Any incident table: CSV, Excel (.xlsx), GeoJSON, GeoParquet/Parquet or a JSON list of objects.

Columns are found by a mapping (canonical field -> the file's column) or, for
fields not mapped, by auto-detection from common names (``latitude``/``lat``/
``y``, ``event_date``/``date``, ``fatalities``/``killed``, ...). A mapping is
a dict, a JSON object file, or a text file of ``field=column`` lines. Columns
that no field uses go to ``extra``.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd

from geo.i18n import N_, JoinedMessage, Message
from geo.parsing import parse_url_lists, read_csv_table
from geo.safejson import loads_json
from geo.schema import UnreadableFileError
from geo.sources import keywords
from geo.sources._common import (
    StagedRows,
    blank_to_na,
    build_extra,
    content_ids,
    malformed_records,
    slug,
    to_json,
)
from geo.sources.registry import UNKNOWN_LICENCE, SourceSpec
from geo.taxonomy import DATE_PRECISIONS, EVENT_TYPES, GEO_PRECISIONS, TARGET_TYPES, WEAPONS

#: canonical field -> column names recognised automatically, in English and Ukrainian (compared after
#: :func:`_norm`: case, spaces, slashes, underscores and punctuation do not matter). The first alias
#: found wins; a column feeds one field only. ``title``, ``district`` and ``province`` are helper
#: fields: a title is put before the description, a district and province after the place name.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "source_id": ("source_id", "id", "incident_id", "event_id", "event_id_cnty", "entry", "entry_id", "entry_no",
                  "uid", "identifier", "ref", "reference", "record_id", "case_id", "no", "ідентифікатор",
                  "ід", "номер", "номер_запису"),
    "date": ("date", "event_date", "incident_date", "date_start", "start_date", "date_of_incident", "date_of_event",
             "datetime", "occurred", "occurred_on", "day", "дата", "дата_події", "дата_інциденту"),
    "lat": ("lat", "latitude", "y", "lat_dd", "latitude_dd", "coord_y", "широта"),
    "lon": ("lon", "lng", "long", "longitude", "x", "lon_dd", "longitude_dd", "coord_x", "довгота"),
    "killed": ("killed", "fatalities", "deaths", "dead", "death_toll", "civilians_killed", "killed_total", "best",
               "number_killed", "people_killed", "загиблі", "загинули", "загиблих", "вбито", "кількість_загиблих",
               "смерті"),
    "injured": ("injured", "wounded", "injuries", "civilians_injured", "injured_total", "number_injured",
                "people_injured", "поранені", "поранено", "поранених", "кількість_поранених", "травмовані"),
    "title": ("title", "headline", "event_title", "заголовок", "назва"),
    "description": ("description", "brief_description", "short_description", "notes", "summary", "details", "text",
                    "comment", "comments", "narrative", "event_description", "опис", "короткий_опис", "примітки",
                    "деталі"),
    "location": ("location", "town_city", "city_town", "place", "place_name", "city", "town", "settlement",
                 "village", "locality", "municipality", "hromada", "address", "населений_пункт", "місто", "село",
                 "місце", "локація", "адреса", "громада"),
    "district": ("district", "raion", "rayon", "admin2", "район"),
    "province": ("province", "oblast", "region", "admin1", "область", "регіон"),
    "source_urls": ("source_urls", "url", "urls", "source_url", "sources", "link", "links", "source", "source_link",
                    "джерело", "джерела", "посилання"),
    "target_raw": ("target_raw", "target", "target_type", "target_types", "type_of_area_affected", "area_type",
                   "object_type", "facility", "ціль", "об_єкт", "обєкт", "тип_об_єкта"),
    "weapon_raw": ("weapon_raw", "weapon", "weapons", "weapon_system", "weapon_type", "munition", "munitions",
                   "arms_munition", "arms", "armament", "зброя", "озброєння", "засіб_ураження", "боєприпас"),
    "event_type_raw": ("event_type_raw", "event_type", "type", "category", "incident_type", "sub_event_type",
                       "event_group", "event_category", "type_of_event", "тип", "тип_події", "категорія", "вид"),
    "date_precision": ("date_precision",),
    "geo_precision": ("geo_precision", "location_precision", "geolocation", "geolocation_precision", "precision",
                      "geo_accuracy", "location_accuracy", "точність", "геолокація"),
}
#: Fields also recognised by a known name followed by a qualifier ("Latitude (WGS84)"), see :func:`resolve_columns`.
PREFIX_FIELDS = ("date", "lat", "lon", "description")
# Qualifiers that turn a name into another kind of column ("date_precision", "latitude_accuracy").
_OTHER_KIND = re.compile(r"_(type|precision|accuracy|id|code|source|quality|method|status|format|end|error)(_|$)")
#: Helper fields that are combined into canonical columns rather than stored as they are.
HELPER_FIELDS = ("title", "district", "province")
#: Extra spellings accepted as mapping keys.
MAPPING_KEYS: dict[str, str] = {
    "id": "source_id", "latitude": "lat", "longitude": "lon", "lng": "lon", "url": "source_urls",
    "urls": "source_urls", "sources": "source_urls", "target": "target_raw", "target_types": "target_raw",
    "weapon": "weapon_raw", "weapons": "weapon_raw", "event_type": "event_type_raw", "type": "event_type_raw",
    "fatalities": "killed", "deaths": "killed", "wounded": "injured", "notes": "description", "place": "location",
    "oblast": "province", "region": "province", "raion": "district", "headline": "title",
}
#: Free-text geolocation / precision values -> geo_precision (words matched in the lower-cased value, first rule wins).
GEO_PRECISION_WORDS: dict[str, str] = {
    "unknown": r"unverified|unconfirmed|not verified|not confirmed|unknown|невідом|непідтвердж",
    "near": r"approx|near|vicinity|close to|inexact|imprecise|not exact|неточн|приблизн|поблизу|біля",
    "exact": r"exact|precise|confirmed|geolocated|verified|точн|підтвердж",
    "area": r"city|town|village|settlement|district|raion|municipal|hromada|area|місто|село|район|громад|населен",
    "region": r"region|oblast|province|область|регіон",
}
REQUIRED = ("date", "lat", "lon")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
GEOJSON_SUFFIXES = (".geojson", ".json")
PARQUET_SUFFIXES = (".parquet", ".geoparquet", ".pq")
#: Largest uncompressed size accepted inside an .xlsx (zip-bomb guard), unless max_bytes allows more.
MAX_XLSX_UNCOMPRESSED = 512 * 1024 * 1024
_WGS84_NAMES = {"urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:epsg::4326", "epsg:4326", "crs84", "wgs84"}

#: Plain-language event words -> event type (matched as words in the event-type column).
EVENT_WORDS: dict[str, str] = {
    "missile_strike": r"missile|ракет",
    "drone_strike": r"drone|uav|shahed|loitering|дрон|бпла|безпілот|шахед",
    "air_strike": r"air ?strike|airstrike|bomb|aerial|aircraft|авіа|бомб|\bкаб",
    "shelling": r"shell|artillery|mlrs|rocket|mortar|обстріл|артилер|міномет|рсзв|реактивн",
    "battle": r"battle|clash|fighting|armed clash|combat|\bбій|\bбої|зіткнен|штурм",
    "attack_on_civilians": (r"attack on civilians|violence against civilians|execution|abduction|shooting"
                            r"|напад на цивільн|насильств|страт|викраден|розстріл"),
    "mine": r"mine|uxo|unexploded|explosive remnant|\bмін[аиуі]\b|нерозірван|вибухонебезпечн",
    "explosion": r"explosion|explosive|ied|blast|remote violence|вибух",
    "protest": r"protest|riot|demonstration|rally|протест|мітинг|демонстрац",
}


def _norm(name: object) -> str:
    """Normalise a column name: case, spaces, slashes, underscores and punctuation do not matter."""
    text = str(name).strip().casefold().replace("№", " no ").replace("#", " no ")
    return re.sub(r"[^0-9a-zа-яіїєґ]+", "_", text).strip("_")


def load_mapping(path: Path) -> dict[str, str]:
    """Read a column mapping file: a JSON object, or ``field=column`` lines (``#`` comments).

    Parameters
    ----------
    path : Path
        The mapping file.

    Returns
    -------
    dict
        field -> column name.

    Raises
    ------
    ValueError
        When the file is neither form.
    """
    text = Path(path).read_text(encoding="utf-8-sig")
    if text.lstrip().startswith("{"):
        data = loads_json(text, Path(path).name)
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise ValueError(f"{Path(path).name}: a JSON mapping must be an object of field -> column name")
        return {str(k): v for k, v in data.items()}
    mapping: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise ValueError(f"{Path(path).name}, line {number}: expected field=column, got {line!r}")
        key, _, value = line.partition("=")
        mapping[key.strip()] = value.strip()
    return mapping


def resolve_columns(columns: list[str], mapping: Mapping[str, str] | None = None,
                    url_columns: set[str] | None = None) -> tuple[dict[str, str], list[str]]:
    """Decide which file column feeds each canonical field.

    Parameters
    ----------
    columns : list of str
        The file's column names.
    mapping : mapping, optional
        field -> column, taking precedence over auto-detection. Field names
        may be canonical (``lat``) or common spellings (``latitude``, ``id``).
    url_columns : set of str, optional
        Columns that contain URLs; when given, ``source_urls`` is only
        auto-detected among them (ACLED's ``source`` holds names, not links).

    Returns
    -------
    chosen : dict
        field -> column.
    notes : list of str
        What was auto-detected, for the user.

    Raises
    ------
    ValueError
        An unknown field or a column that is not in the file.
    """
    chosen: dict[str, str] = {}
    by_norm = {}
    for c in columns:
        by_norm.setdefault(_norm(c), c)
    for key, column in (mapping or {}).items():
        field = MAPPING_KEYS.get(key.strip().lower(), key.strip().lower())
        if field not in FIELD_ALIASES:
            raise ValueError(f"unknown field {key!r} in the column mapping; use one of {', '.join(FIELD_ALIASES)}")
        if column in columns:
            chosen[field] = column
        elif _norm(column) in by_norm:
            chosen[field] = by_norm[_norm(column)]
        else:
            raise ValueError(f"the mapping names column {column!r} for {field}, but the file has no such column "
                             f"(columns: {', '.join(map(str, columns[:15]))})")
    used = set(chosen.values())
    notes = []
    for field, aliases in FIELD_ALIASES.items():
        if field in chosen:
            continue
        for alias in aliases:
            column = by_norm.get(_norm(alias))
            if field == "source_urls" and column is not None and url_columns is not None and column not in url_columns:
                continue
            if column is not None and column not in used:
                chosen[field] = column
                used.add(column)
                notes.append(f"{field}={column}")
                break
    # Second pass: a name with a qualifier after a well-known one ("Latitude (WGS84)", "Date (dd/mm/yyyy)",
    # "Description EN"). Only for fields whose meaning a qualifier cannot change, never for counts, and
    # never taking a column whose whole name is an alias of some field.
    exact = {_norm(a) for aliases in FIELD_ALIASES.values() for a in aliases}
    for field in PREFIX_FIELDS:
        if field in chosen:
            continue
        for alias in FIELD_ALIASES[field]:
            key = _norm(alias)
            if len(key) < 3:
                continue
            column = next((c for n, c in by_norm.items() if n.startswith(key + "_") and n not in exact
                           and not _OTHER_KIND.search(n[len(key):]) and c not in used), None)
            if column is not None:
                chosen[field] = column
                used.add(column)
                notes.append(f"{field}={column}")
                break
    return chosen, notes


def _check_xlsx(path: Path, max_bytes: int | None) -> None:
    limit = max(MAX_XLSX_UNCOMPRESSED, 20 * (max_bytes or 0))
    try:
        with zipfile.ZipFile(path) as archive:
            total = sum(info.file_size for info in archive.infolist())
            ratio = total / max(1, sum(info.compress_size for info in archive.infolist()))
    except zipfile.BadZipFile as exc:
        raise UnreadableFileError(N_("{name}: not a valid .xlsx workbook (damaged or renamed). Open it in a "
                                     "spreadsheet program and save it again as .xlsx or CSV."), name=path.name) from exc
    if total > limit or ratio > 200:
        raise UnreadableFileError(N_("{name}: the workbook unpacks to {size} MB (ratio {ratio}:1); refused as a "
                                     "possible zip bomb. Export the sheet as CSV instead."),
                                  name=path.name, size=round(total / 1e6), ratio=round(ratio))


def _read_excel(path: Path, max_rows: int | None, max_bytes: int | None) -> tuple[pd.DataFrame, np.ndarray, int]:
    check_file_size(path, max_bytes)
    _check_xlsx(path, max_bytes)
    try:
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype=object, engine="openpyxl",
                              nrows=None if max_rows is None else max_rows + 2)
    except (ValueError, OSError, KeyError, zipfile.BadZipFile) as exc:
        raise UnreadableFileError(N_("{name}: the workbook cannot be read ({reason}). Save it again as .xlsx or "
                                     "export the sheet as CSV."), name=path.name, reason=str(exc)) from exc
    sheet = sheet.dropna(how="all").dropna(axis=1, how="all")
    if sheet.empty:
        raise UnreadableFileError(N_("{name}: the first sheet is empty. Put the table in the first sheet."),
                                  name=path.name)
    header = ["" if pd.isna(v) else str(v).strip() for v in sheet.iloc[0]]
    header = [h or f"column_{i + 1}" for i, h in enumerate(header)]
    folded = [h.casefold() for h in header]
    dups = sorted({h for h in header if folded.count(h.casefold()) > 1})
    if dups:
        raise UnreadableFileError(Message("{name}: {problem}. {action}", name=path.name, problem=Message(
            N_("column names appear more than once: {names}"), names=", ".join(dups)), action=Message(
            N_("Rename or delete the duplicated columns so each name is unique."))))
    body = sheet.iloc[1:]
    if body.empty:
        raise UnreadableFileError(N_("{name}: the sheet has a header row but no data rows. Nothing to import."),
                                  name=path.name)
    if max_rows is not None and len(body) > max_rows:
        raise UnreadableFileError(N_("{name}: more than {limit} rows (the row limit). Split the file or raise the "
                                     "row limit."), name=path.name, limit=max_rows)
    frame = pd.DataFrame(body.to_numpy(), columns=header)
    return frame, np.arange(1, len(frame) + 1), len(frame)


def _transformer_for(crs_name: str | None):
    if not crs_name or crs_name.strip().lower() in _WGS84_NAMES:
        return None
    from pyproj import CRS, Transformer
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_user_input(crs_name)
    except CRSError as exc:
        raise UnreadableFileError(N_("unknown coordinate reference system {crs}; reproject the file to WGS84 "
                                     "(EPSG:4326)."), crs=repr(crs_name)) from exc
    if crs.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return None
    return Transformer.from_crs(crs, "EPSG:4326", always_xy=True)


def _read_geojson(path: Path, data: dict, max_rows: int | None) -> tuple[pd.DataFrame, list, list[dict], list]:
    """Features to a property frame plus point coordinates; non-point features are reported."""
    features = data.get("features")
    if not isinstance(features, list):
        raise UnreadableFileError(N_("{name}: a GeoJSON FeatureCollection needs a 'features' list. Check the file."),
                                  name=path.name)
    if not features:
        raise UnreadableFileError(N_("{name}: the FeatureCollection has no features. Nothing to import."),
                                  name=path.name)
    if max_rows is not None and len(features) > max_rows:
        raise UnreadableFileError(N_("{name}: {n} features, above the row limit of {limit}."), name=path.name,
                                  n=len(features), limit=max_rows)
    crs = data.get("crs")
    crs_name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    try:
        transformer = _transformer_for(crs_name)
    except UnreadableFileError as exc:
        raise UnreadableFileError(Message("{name}: {problem}", name=path.name, problem=exc.msg)) from exc
    rows, raws, problems = [], [], []
    for index, feature in enumerate(features, start=1):
        if not isinstance(feature, dict):
            problems.append((index, feature, "the feature is not a JSON object"))
            continue
        props = feature.get("properties") if isinstance(feature.get("properties"), dict) else {}
        geometry = feature.get("geometry")
        row = dict(props)
        row["_geom_lon"], row["_geom_lat"] = None, None
        if isinstance(geometry, dict):
            kind = geometry.get("type")
            coords = geometry.get("coordinates")
            if kind != "Point":
                problems.append((index, feature, f"geometry type {kind!r}: incidents must be points "
                                                 "(convert areas to a representative point first)"))
                continue
            if not isinstance(coords, list) or len(coords) < 2:
                problems.append((index, feature, "Point geometry without two coordinates"))
                continue
            x, y = coords[0], coords[1]
            if transformer is not None:
                try:
                    x, y = transformer.transform(float(x), float(y))
                except (TypeError, ValueError):
                    pass
            row["_geom_lon"], row["_geom_lat"] = x, y
        rows.append(row)
        raws.append({"_feature": index, **feature})
    frame = pd.DataFrame(rows)
    return frame, raws, problems, crs_name


def _read_parquet(path: Path, max_rows: int | None) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    import pyarrow.parquet as pq

    try:
        metadata = pq.read_schema(path).metadata or {}
    except Exception as exc:  # noqa: BLE001 - pyarrow raises many types for damaged files
        raise UnreadableFileError(N_("{name}: not a readable Parquet file ({reason}). Export it again."),
                                  name=path.name, reason=type(exc).__name__) from exc
    problems: list[tuple[int, str]] = []
    if b"geo" in metadata:
        import geopandas as gpd
        import shapely

        frame = gpd.read_parquet(path)
        if frame.crs is not None and not frame.crs.equals("EPSG:4326"):
            frame = frame.to_crs("EPSG:4326")
        geom = frame.geometry
        kinds = shapely.get_type_id(geom.values)
        is_point = kinds == 0
        for i in np.flatnonzero(~is_point & ~geom.isna().to_numpy()):
            problems.append((int(i) + 1, f"geometry type {geom.iloc[i].geom_type!r}: incidents must be points"))
        xs = np.where(is_point, shapely.get_x(geom.values), np.nan)
        ys = np.where(is_point, shapely.get_y(geom.values), np.nan)
        frame = pd.DataFrame(frame.drop(columns=frame.geometry.name))
        frame["_geom_lon"], frame["_geom_lat"] = xs, ys
    else:
        frame = pd.read_parquet(path)
    if max_rows is not None and len(frame) > max_rows:
        raise UnreadableFileError(N_("{name}: {n} rows, above the row limit of {limit}."), name=path.name,
                                  n=len(frame), limit=max_rows)
    if frame.empty:
        raise UnreadableFileError(N_("{name}: the table has no rows. Nothing to import."), name=path.name)
    return frame, problems


def _lists_from_text(text: pd.Series, rules: dict[str, str], exact: dict[str, list[str]], *, weapons: bool,
                     unmatched: str) -> np.ndarray:
    """Canonical code lists from a category column: exact codes / known labels first, then keywords."""
    codes_idx, uniques = pd.factorize(text.astype("str").fillna(""), use_na_sentinel=False)
    uniq = pd.Series(uniques, dtype="str")
    matrix = keywords.weapon_matrix(uniq) if weapons else keywords.match_rules(uniq, rules)
    keyword_lists = keywords.masks_to_lists(matrix, list(rules))
    out = np.empty(len(uniq), dtype=object)
    for i, value in enumerate(uniq):
        value = value if isinstance(value, str) else ""
        parts = [p.strip() for p in re.split(r"\s*[|;,]\s*", value) if p.strip()]
        if not parts:
            out[i] = ["unknown"]
            continue
        known: list[str] = []
        for part in parts:
            key = part.casefold().replace(" ", "_")
            if key in exact:
                known.extend(exact[key])
        found = list(dict.fromkeys(known + list(keyword_lists[i])))
        out[i] = found or [unmatched]
    return out[codes_idx]


def _matrix_from_lists(lists: np.ndarray, codes: list[str]) -> np.ndarray:
    """Boolean matrix (rows x codes) from per-row code lists, computed once per distinct list."""
    keys, uniques = pd.factorize(pd.Series(["|".join(v) for v in lists], dtype="object"))
    small = np.zeros((len(uniques), len(codes)), dtype=bool)
    for i, key in enumerate(uniques):
        for code in str(key).split("|"):
            if code in codes:
                small[i, codes.index(code)] = True
    return small[keys] if len(lists) else np.zeros((0, len(codes)), dtype=bool)


def _event_types(raw: pd.Series | None, weapons_matrix: np.ndarray) -> np.ndarray:
    n = len(weapons_matrix)
    fallback = np.full(n, "other", dtype=object)
    if raw is not None:
        codes_idx, uniques = pd.factorize(raw.astype("str").fillna(""), use_na_sentinel=False)
        mapped = []
        for value in uniques:
            key = str(value).strip().casefold().replace(" ", "_")
            if key in EVENT_TYPES:
                mapped.append(key)
                continue
            hit = next((code for code, pattern in EVENT_WORDS.items() if re.search(pattern, str(value).casefold())), None)
            mapped.append(hit)
        mapped_arr = np.asarray(mapped, dtype=object)[codes_idx]
        decided = np.asarray([m is not None for m in mapped_arr])
        derived = keywords.event_types_from_weapons(weapons_matrix, fallback)
        return np.where(decided, mapped_arr, derived)
    return keywords.event_types_from_weapons(weapons_matrix, fallback)


def _exact_targets() -> dict[str, list[str]]:
    from geo.sources.bellingcat import AREA_TO_TARGET

    exact = {code: [code] for code in TARGET_TYPES}
    exact.update({label.casefold().replace(" ", "_"): [code] for label, code in AREA_TO_TARGET.items()})
    exact.update({label.casefold().replace(" ", "_"): [code] for code, label in TARGET_TYPES.items()})
    return exact


def _exact_weapons() -> dict[str, list[str]]:
    from geo.sources.bellingcat import WEAPON_TO_CODES

    exact = {code: [code] for code in WEAPONS}
    exact.update({label.casefold().replace(" ", "_"): list(codes) for label, codes in WEAPON_TO_CODES.items() if codes})
    exact.update({label.casefold().replace(" ", "_"): [code] for code, label in WEAPONS.items()})
    return exact


def stage(path: Path, mapping: Mapping[str, str] | None = None, source_label: str | None = None,
          max_rows: int | None = None, max_bytes: int | None = None) -> StagedRows:
    """Read any supported table into :class:`StagedRows`, mapping and auto-detecting columns.

    Parameters
    ----------
    path : Path
        CSV/TSV, .xlsx, GeoJSON, JSON list of objects, or (Geo)Parquet.
    mapping : mapping, optional
        field -> column (see :func:`resolve_columns`).
    source_label : str, optional
        Source key; default: the file name without extension, slugified.
    max_rows, max_bytes : int, optional
        Refuse a file above this many rows or bytes.

    Returns
    -------
    StagedRows
        One row per record, not yet checked; unmapped columns go to ``extra``.

    Raises
    ------
    geo.schema.UnreadableFileError
        Unreadable file, or no date/latitude/longitude column found.
    """
    path = Path(path)
    source = slug(source_label) if source_label else slug(path.stem)
    suffix = path.suffix.lower()
    messages: list[str] = []
    pre: list[dict] = []
    raw: pd.DataFrame | list
    if suffix == ".xls":
        raise UnreadableFileError(N_("{name}: old Excel .xls workbooks are not supported. Save it as .xlsx or CSV "
                                     "and import that."), name=path.name)
    if suffix in EXCEL_SUFFIXES:
        frame, row_numbers, rows_read = _read_excel(path, max_rows, max_bytes)
        raw = frame
    elif suffix in PARQUET_SUFFIXES:
        check_file_size(path, max_bytes)
        frame, problems = _read_parquet(path, max_rows)
        rows_read = len(frame)
        keep = np.ones(len(frame), dtype=bool)
        for number, detail in problems:
            keep[number - 1] = False
            pre.append({"file": path.name, "row_number": number, "source": source, "reason": "row_malformed",
                        "detail": detail, "original": to_json(frame.iloc[number - 1].to_dict())})
        if problems and not keep.any():
            raise UnreadableFileError(f"{path.name}: none of the {len(keep):,} rows has a point geometry "
                                      f"({problems[0][1]}). Incidents must be points: convert them first.")
        frame = frame.loc[keep].reset_index(drop=True)
        row_numbers = np.flatnonzero(keep) + 1
        raw = frame
    elif suffix in GEOJSON_SUFFIXES:
        data = _load_json(path, max_bytes)
        if isinstance(data, dict) and data.get("type") == "FeatureCollection":
            frame, raws, problems, crs_name = _read_geojson(path, data, max_rows)
            if crs_name and _transformer_for(crs_name) is not None:
                messages.append(f"{path.name}: coordinates reprojected from {crs_name} to WGS84.")
            for number, feature, detail in problems:
                pre.append({"file": path.name, "row_number": number, "source": source, "reason": "row_malformed",
                            "detail": detail, "original": to_json(feature)})
            rows_read = len(frame) + len(problems)
            if not len(frame):
                raise UnreadableFileError(
                    f"{path.name}: none of the {rows_read:,} features is a usable point ({problems[0][2]}). "
                    "Incidents must be points: convert areas or lines to points first."
                )
            bad_numbers = {p[0] for p in problems}
            row_numbers = np.asarray([i for i in range(1, rows_read + 1) if i not in bad_numbers], dtype="int64")
            raw = raws
        elif isinstance(data, list) and data and all(isinstance(r, dict) for r in data):
            if max_rows is not None and len(data) > max_rows:
                raise UnreadableFileError(N_("{name}: {n} rows, above the row limit of {limit}."), name=path.name,
                                          n=len(data), limit=max_rows)
            frame = pd.DataFrame(data)
            rows_read = len(frame)
            row_numbers = np.arange(1, rows_read + 1)
            raw = data
        else:
            raise UnreadableFileError(N_("{name}: JSON must be a GeoJSON FeatureCollection or a list of objects. "
                                         "Check the file."), name=path.name)
    else:
        table = read_csv_table(path, max_rows=max_rows, max_bytes=max_bytes)
        frame, row_numbers, rows_read = table.frame, table.row_numbers, table.rows_read
        messages.extend(table.messages)
        pre = malformed_records(path.name, source, table.malformed, list(frame.columns))
        raw = frame
    if not len(frame):
        frame = pd.DataFrame(columns=list(frame.columns) + ["_geom_lon", "_geom_lat"])
    columns = [c for c in frame.columns if c not in ("_geom_lon", "_geom_lat")]
    try:
        url_aliases = {_norm(a) for a in FIELD_ALIASES["source_urls"]}
        url_columns = {str(c) for c in columns if _norm(c) in url_aliases
                       and frame[c].astype("str").str.contains("http://|https://", regex=True, na=False).any()}
        chosen, detected = resolve_columns([str(c) for c in columns], mapping, url_columns)
    except ValueError as exc:
        raise UnreadableFileError(f"{path.name}: {exc}.") from exc
    has_geometry = "_geom_lon" in frame.columns
    explicit = {MAPPING_KEYS.get(k.strip().lower(), k.strip().lower()) for k in (mapping or {})}
    fallback_columns: dict[str, str] = {}
    if has_geometry:
        for field, geom_col in (("lon", "_geom_lon"), ("lat", "_geom_lat")):
            if field in explicit:
                continue
            if field in chosen:
                fallback_columns[field] = chosen[field]
                detected = [d for d in detected if not d.startswith(f"{field}=")]
            chosen[field] = geom_col
        if fallback_columns:
            messages.append(f"{path.name}: features without a geometry take their coordinates from "
                            f"{'/'.join(fallback_columns.values())}.")
    missing = [f for f in REQUIRED if f not in chosen]
    if missing:
        raise UnreadableFileError(
            N_("{name}: no column found for {fields} (columns: {columns}). Name the columns with a mapping, e.g. "
               "--map date=Date --map lat=Y --map lon=X."),
            name=path.name, fields=", ".join(missing), columns=", ".join(map(str, columns[:15]))
        )
    n = len(frame)

    def col(field: str) -> pd.Series | None:
        name = chosen.get(field)
        return frame[name].reset_index(drop=True) if name is not None else None

    def text(field: str) -> pd.Series:
        values = col(field)
        if values is None:
            return pd.Series([None] * n, dtype="str")
        return blank_to_na(values)

    if "source_id" in chosen:
        ids = text("source_id").str.replace(r"\.0+$", "", regex=True)
    else:
        ids = pd.Series(content_ids(raw if isinstance(raw, list) else frame[columns]), dtype="str")
        messages.append(Message(N_("{file}: no id column; each row's id is a hash of its content."), file=path.name))
    description = _join_text(text("title"), text("description"), " — ")
    location = _join_places([text("location"), text("district"), text("province")])
    weapon_codes = list(keywords.WEAPON_RULES)
    # Keyword rules read the free text (title + description) wherever no category column says it.
    free_text = keywords.compact_keywords(description)
    text_weapon_matrix = keywords.weapon_matrix(description, free_text)
    text_weapons = keywords.masks_to_lists(text_weapon_matrix, weapon_codes, default=["unknown"])
    text_targets = keywords.masks_to_lists(keywords.match_rules(description, keywords.TARGET_RULES, free_text),
                                           list(keywords.TARGET_RULES), default=["unknown"])
    weapon_raw, target_raw = text("weapon_raw"), text("target_raw")
    weapon_inferred = weapon_raw.isna().to_numpy()
    target_inferred = target_raw.isna().to_numpy()
    if "weapon_raw" in chosen:
        coded = _lists_from_text(weapon_raw, keywords.WEAPON_RULES, _exact_weapons(), weapons=True, unmatched="other")
        weapons = np.where(weapon_inferred, text_weapons, coded)
        weapon_matrix = np.where(weapon_inferred[:, None], text_weapon_matrix, _matrix_from_lists(coded, weapon_codes))
    else:
        weapons, weapon_matrix = text_weapons, text_weapon_matrix
    if "target_raw" in chosen:
        coded = _lists_from_text(target_raw, keywords.TARGET_RULES, _exact_targets(), weapons=False, unmatched="other")
        targets = np.where(target_inferred, text_targets, coded)
    else:
        targets = text_targets
    events = _event_types(text("event_type_raw") if "event_type_raw" in chosen else None, weapon_matrix)
    date_precision = text("date_precision").str.lower()
    geo_precision = _geo_precisions(text("geo_precision"))
    url_col = col("source_urls")
    source_urls = parse_url_lists(url_col.astype("str")) if url_col is not None else [[] for _ in range(n)]
    killed, injured = col("killed"), col("injured")
    lat = col("lat")
    lon = col("lon")
    for field in fallback_columns:
        values = lat if field == "lat" else lon
        backup = frame[fallback_columns[field]].reset_index(drop=True)
        values = values.astype(object).where(values.notna(), backup.astype(object))
        if field == "lat":
            lat = values
        else:
            lon = values
    used = set(chosen.values()) | set(fallback_columns.values())
    extra_cols = [c for c in columns if c not in used]
    messages.append(_mapping_summary(path.name, chosen, fallback_columns, extra_cols, explicit))
    # Columns read into a controlled field keep their raw text in extra when some of it did not fit.
    lossy = {
        "source_urls": lambda v: v.str.replace(r"https?://\S+", "", regex=True).str.replace(r"[\s,;|]+", "", regex=True) != "",
        "date_precision": lambda v: ~v.str.strip().str.lower().isin(DATE_PRECISIONS) & (v.str.strip() != ""),
        "geo_precision": lambda v: ~v.str.strip().str.lower().isin(GEO_PRECISIONS) & (v.str.strip() != ""),
    }
    for field, is_lossy in lossy.items():
        name = chosen.get(field)
        if name is not None and name in frame.columns and is_lossy(frame[name].astype("str").fillna("")).any():
            extra_cols.append(name)
    extra = build_extra(frame.reset_index(drop=True), extra_cols)
    fields = pd.DataFrame({
        "source_id": ids.to_numpy(dtype=object),
        "date": col("date"),
        "date_precision": date_precision.where(date_precision.isin(DATE_PRECISIONS), "day" if "date_precision" not in chosen else "unknown"),
        "lat": lat,
        "lon": lon,
        "geo_precision": geo_precision,
        "location": location,
        "target_types": targets,
        "target_raw": target_raw,
        "weapons": weapons,
        "weapon_raw": weapon_raw,
        "event_type": events,
        "event_type_raw": text("event_type_raw"),
        "killed": killed if killed is not None else None,
        "injured": injured if injured is not None else None,
        "description": description,
        "source_urls": source_urls,
        "extra": extra.reset_index(drop=True),
        "target_inferred": target_inferred,
        "weapon_inferred": weapon_inferred,
    })
    geometry_names = {"_geom_lon": "geometry x", "_geom_lat": "geometry y"}
    names = {field: geometry_names.get(chosen[field], chosen[field]) for field in chosen}
    names.setdefault("source_id", "(content hash)")
    return StagedRows(
        file=path.name, source=source, fields=fields, raw=raw, row_numbers=np.asarray(row_numbers, dtype="int64"),
        columns=names, rows_read=rows_read, pre_quarantine=pre, messages=messages,
    )


def _join_text(first: pd.Series, second: pd.Series, sep: str) -> pd.Series:
    """``first + sep + second`` where both are present, else whichever is; NA when neither."""
    both = first.notna() & second.notna() & (first != second)
    out = second.where(second.notna(), first)
    return out.mask(both, first + sep + second)


def _join_places(parts: list[pd.Series]) -> pd.Series:
    """Place, district, province joined with ", " (empty and repeated parts left out)."""
    out = parts[0]
    for i in range(1, len(parts)):
        part = parts[i]
        repeated = pd.Series(False, index=part.index)
        for earlier in parts[:i]:
            repeated |= (part.str.casefold() == earlier.str.casefold()).fillna(False).astype(bool)
        out = _join_text(out, part.mask(repeated), ", ")
    return out


def _geo_precisions(raw: pd.Series) -> pd.Series:
    """Canonical geo precision from a precision / geolocation column: codes as written, else words."""
    codes_idx, uniques = pd.factorize(raw.str.strip().str.casefold(), use_na_sentinel=True)
    mapped = []
    for value in uniques:
        if value in GEO_PRECISIONS:
            mapped.append(value)
            continue
        mapped.append(next((code for code, words in GEO_PRECISION_WORDS.items() if re.search(words, value)), "unknown"))
    out = np.full(len(raw), "unknown", dtype=object)
    ok = codes_idx >= 0
    out[ok] = np.asarray(mapped, dtype=object)[codes_idx[ok]] if mapped else out[ok]
    return pd.Series(out, index=raw.index, dtype="object")


def _mapping_summary(file: str, chosen: dict[str, str], fallback: dict[str, str], unmapped: list[str],
                     explicit: set[str]) -> Message:
    """One line for the user: which file column feeds which field, and what was left in ``extra``.

    The field names are the schema's (docs/SCHEMA.md) in every language; the words around them
    are translated when the note is shown (:class:`geo.i18n.Message`).
    """
    by_field: dict[str, list[str]] = {}
    names = {"title": "description", "district": "location", "province": "location"}
    for field in FIELD_ALIASES:
        column = chosen.get(field)
        if column is None or column.startswith("_geom_"):
            continue
        label = f"{column}{' (--map)' if field in explicit else ''}"
        by_field.setdefault(names.get(field, field), []).append(label)
    for field, column in fallback.items():
        by_field.setdefault(field, []).append(Message(N_("{column} (when no geometry)"), column=column))
    if any(c.startswith("_geom_") for c in chosen.values()):
        by_field.setdefault("lat", []).insert(0, "geometry")
        by_field.setdefault("lon", []).insert(0, "geometry")
    order = ["source_id", "date", "lat", "lon", "description", "location", "event_type_raw", "weapon_raw",
             "target_raw", "killed", "injured", "source_urls", "date_precision", "geo_precision"]
    parts = [JoinedMessage(" + ", by_field[f], suffix=f" → {f}") for f in order if f in by_field]
    inferred = [
        Message(N_("weapons from the text where {column} is empty"), column=chosen["weapon_raw"])
        if "weapon_raw" in chosen else Message(N_("weapons from the text")),
        Message(N_("target types from the text where {column} is empty"), column=chosen["target_raw"])
        if "target_raw" in chosen else Message(N_("target types from the text")),
    ]
    return Message(
        N_("{file}: column mapping: {parts}. Not mapped (kept in extra): {left}. Inferred by keyword rules: "
           "{inferred}. Change with --map FIELD=COLUMN."),
        file=file, parts=JoinedMessage("; ", parts), inferred=JoinedMessage("; ", inferred),
        left=", ".join(map(str, unmapped)) if unmapped else Message(N_("none")),
    )


def check_file_size(path: Path, max_bytes: int | None) -> None:
    """Refuse a missing, empty or too-large binary file (Parquet) with a clear message.

    Parameters
    ----------
    path : Path
        The file.
    max_bytes : int, optional
        Size limit.
    """
    if not path.exists():
        raise UnreadableFileError(N_("{name}: the file does not exist. Check the path."), name=path.name)
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFileError(N_("{name}: the file is empty (0 bytes). Export the data again."), name=path.name)
    if max_bytes is not None and size > max_bytes:
        raise UnreadableFileError(N_("{name}: the file is {size} MB, above the limit of {limit} MB. Split it or raise "
                                     "the size limit."), name=path.name, size=round(size / 1e6, 1),
                                  limit=round(max_bytes / 1e6, 1))


def _load_json(path: Path, max_bytes: int | None):
    from geo.sources.bellingcat import _load_json as load

    return load(path, max_bytes)


def _recognise(probe) -> bool:
    return not probe.is_dir


SPECS = (
    SourceSpec(
        key="generic", source=None, name="User-supplied incident table", licence=UNKNOWN_LICENCE,
        attribution="", url="", redistribution=True,
        label="any table with dates and coordinates (CSV, Excel, GeoJSON, JSON list, Parquet)",
        recognise=_recognise, stage=stage, options=("mapping", "source_label"), priority=1000,
    ),
)
