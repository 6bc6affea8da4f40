"""Incidents, manifest, front lines and boundaries whose every text field carries a hostile payload.

Built in code and deterministic. :func:`write_hostile_data_dir` writes a data directory the
app can be pointed at (``CONFLICTMAP_DATA``); the same frame drives the unit tests.
"""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.datadir import write_incidents
from geo.schema import SCHEMA_VERSION
from tests.hostile.payloads import JS, PAYLOADS, SHORT_PAYLOADS
from tests.synthetic_data import make_incidents

CITIES = [(36.2304, 49.9935, "UA-63"), (30.5234, 50.4501, "UA-30"), (30.7233, 46.4825, "UA-51"), (24.0297, 49.8397, "UA-46")]
SOURCE_KEY = "hostile"


def build_hostile_incidents(payloads: list[str] | None = None) -> pd.DataFrame:
    """Return one enriched incident per payload; every text field of row ``i`` carries payloads.

    The description holds payload ``i``, the place payload ``i+1``, the raw category texts
    payloads ``i+2..i+4``; the source id and incident id embed payload ``i`` (cut to 300
    characters, ids stay unique through a row prefix); the URLs are the payload itself, a
    ``javascript:`` URL and one good https URL.
    """
    payloads = list(SHORT_PAYLOADS if payloads is None else payloads)
    n = len(payloads)
    rows = []
    for i, payload in enumerate(payloads):
        lon, lat, iso = CITIES[i % len(CITIES)]
        source_id = f"{i}:{payload[:300]}"
        rows.append(
            {
                "incident_id": f"{SOURCE_KEY}:{source_id}",
                "source": SOURCE_KEY if i % 2 else "curated",
                "source_id": source_id,
                "date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=3 * i),
                "date_precision": "day",
                "lon": lon + 0.02 * (i % 9),
                "lat": lat + 0.02 * (i % 7),
                "geo_precision": "exact" if i % 3 else "area",
                "location": payloads[(i + 1) % n],
                "target_types": ["residential"] if i % 2 else ["education", "healthcare"],
                "target_raw": payloads[(i + 2) % n],
                "weapons": ["drone"] if i % 2 else ["ballistic_missile"],
                "weapon_raw": payloads[(i + 3) % n],
                "event_type": "drone_strike" if i % 2 else "missile_strike",
                "event_type_raw": payloads[(i + 4) % n],
                "killed": None if i % 5 == 4 else i % 4,
                "injured": i % 3,
                "description": payload,
                "source_urls": [payload, f"javascript:{JS}", f"https://example.org/report/{i}?q={payload[:50]}"],
                "extra": json.dumps({payload[:200]: payload[:200], "n": i}, ensure_ascii=False),
                "admin1_iso": iso,
                "admin1_name": payloads[(i + 5) % n],
                "front_snapshot_date": pd.Timestamp("2023-12-31"),
                "front_distance_km": float(10 + 7 * i) * (-1 if i % 11 == 0 else 1),
                "in_occupied_territory": i % 11 == 0,
                "distance_to_russia_km": float(40 + i),
            }
        )
    return make_incidents(rows)


def hostile_manifest(data_version: str = "hostile-1") -> dict:
    """Return a manifest whose source names, attributions, licences and URLs are hostile."""
    return {
        "schema_version": SCHEMA_VERSION,
        "data_version": data_version,
        "built_at": "2026-01-01T00:00:00+00:00",
        "sources": [
            {"key": "curated", "name": f"<script>{JS}</script>Curated", "licence": "{{7*7}} CC BY 4.0",
             "attribution": f"<img src=x onerror={JS}>", "url": f"javascript:{JS}", "redistribution": True,
             "accessed": "2026-01-01"},
            {"key": SOURCE_KEY, "name": "=HYPERLINK(\"https://evil.example\")", "licence": "\u202eesnecil",
             "attribution": "[x](javascript:alert(1))", "url": f"data:text/html,<script>{JS}</script>",
             "redistribution": False},
        ],
        "inputs": [{"file": f"<svg onload={JS}>.csv", "sha256": "0" * 64, "format": "generic", "rows": 1}],
    }


def build_hostile_frontlines() -> gpd.GeoDataFrame:
    """Return two front-line snapshots whose source and method texts are hostile."""
    occupied = shapely.box(37.5, 46.5, 39.5, 48.5)
    rows = []
    for k, (date, source) in enumerate([("2023-12-31", f"<script>{JS}</script>"), ("2024-06-01", "{{7*7}}<b>x</b>")]):
        rows.append({
            "snapshot_date": pd.Timestamp(date),
            "source": source,
            "method": f"<img src=x onerror={JS}> {k}",
            "geometry": occupied,
            "contact_line": occupied.boundary,
            "contested": shapely.box(37.4, 46.4, 37.6, 48.6),
        })
    return gpd.GeoDataFrame(rows, geometry="geometry", crs="EPSG:4326")


def build_hostile_boundaries(boundaries: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Return ``boundaries`` with every English and Ukrainian name replaced by a payload."""
    out = boundaries.copy()
    names = [PAYLOADS[i % len(SHORT_PAYLOADS)] for i in range(len(out))]
    out["admin1_name"] = names
    if "admin1_name_uk" in out.columns:
        out["admin1_name_uk"] = names[::-1]
    return out


def write_hostile_data_dir(directory: Path, payloads: list[str] | None = None, frontlines: bool = True) -> Path:
    """Write a data directory (incidents, manifest, quarantine, front lines) full of hostile text."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    write_incidents(directory, build_hostile_incidents(payloads))
    (directory / "manifest.json").write_text(json.dumps(hostile_manifest(), ensure_ascii=False), encoding="utf-8")
    quarantine = pd.DataFrame(
        {
            "file": [f"<img src=x onerror={JS}>.csv", "=cmd.csv"],
            "row_number": [1, 2],
            "source": [SOURCE_KEY, "curated"],
            "reason": ["<script>bad_reason</script>", "date_unparseable"],
            "detail": ["=1+1", f"[x](javascript:{JS})"],
            "original": [json.dumps({"=x": "<script>"}), "{}"],
        }
    )
    quarantine.to_csv(directory / "quarantine.csv", index=False)
    if frontlines:
        from geo.frontlines import write_frontlines

        write_frontlines(build_hostile_frontlines(), directory)
    return directory
