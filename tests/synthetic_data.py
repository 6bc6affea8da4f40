"""A small, deterministic incident table built in code, and a data directory holding it.

Four cities, 48 incidents over 2024, casualty counts with some not reported, mixed
location precision, and a few rows whose text is hostile (script tags, event handlers,
javascript: links) so every view can be checked for escaping.
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely

from geo.datadir import write_incidents
from geo.fusion import fuse_incidents
from geo.schema import ALL_COLUMNS, SCHEMA_VERSION, coerce_incidents

CITIES = [
    ("Kharkiv", 36.2304, 49.9935, "UA-63", "Kharkiv Oblast", 25.0),
    ("Kyiv", 30.5234, 50.4501, "UA-30", "Kyiv", 420.0),
    ("Odesa", 30.7233, 46.4825, "UA-51", "Odesa Oblast", 190.0),
    ("Lviv", 24.0297, 49.8397, "UA-46", "Lviv Oblast", 950.0),
]
TARGETS = ["residential", "education", "healthcare", "energy", "transport", "cultural"]
WEAPONS = ["ballistic_missile", "drone", "cruise_missile", "tube_artillery"]
HOSTILE = [
    "<script>window.__pwned=1</script>",
    "<img src=x onerror=\"window.__pwned=1\">",
    "[click](javascript:window.__pwned=1)",
    "<svg onload=window.__pwned=1>",
]
SENTINEL = "__pwned"


def build_incidents(n: int = 48) -> pd.DataFrame:
    """Return ``n`` canonical, enriched incidents (deterministic)."""
    rows = []
    for i in range(n):
        city, lon, lat, iso, name, front = CITIES[i % 4]
        hostile = HOSTILE[(i // 12) % 4] if i % 12 == 11 else ""
        rows.append(
            {
                "incident_id": f"syn:{i}",
                "source": "curated" if i % 3 else "testsrc",
                "source_id": str(i),
                "date": pd.Timestamp("2024-01-01") + pd.Timedelta(days=7 * i),
                "date_precision": "day",
                "lon": lon + 0.01 * (i % 5),
                "lat": lat + 0.01 * (i % 7),
                "geo_precision": "exact" if i % 4 != 3 else "area",
                "location": f"{city} district {i}{hostile}",
                "target_types": [TARGETS[i % 6]] + (["residential"] if i % 6 == 1 else []),
                "target_raw": TARGETS[i % 6],
                "weapons": [WEAPONS[i % 4]],
                "weapon_raw": WEAPONS[i % 4],
                "event_type": "missile_strike",
                "event_type_raw": "strike",
                "killed": None if i % 5 == 4 else i % 4,
                "injured": None if i % 7 == 6 else (i % 6) * 2,
                "description": f"Strike number {i} hit a building in {city}.{hostile}",
                "source_urls": [f"https://example.org/report/{i}", "javascript:window.__pwned=1"],
                "extra": "{}",
                "admin1_iso": iso,
                "admin1_name": name,
                "front_snapshot_date": pd.NaT,
                "front_distance_km": front + i,
                "in_occupied_territory": False,
                "distance_to_russia_km": front,
            }
        )
    # Fused like a real data directory (every synthetic record is its own event: one a week).
    return coerce_incidents(fuse_incidents(make_incidents(rows)), ALL_COLUMNS)


def build_frontlines() -> gpd.GeoDataFrame:
    """Two snapshots of a made-up occupied area in the east: 1 Feb and 1 Jun 2024."""
    small = shapely.box(37.5, 47.5, 39.5, 49.0)
    large = shapely.box(37.0, 47.0, 39.9, 49.5)
    return gpd.GeoDataFrame(
        {
            "snapshot_date": pd.to_datetime(["2024-02-01", "2024-06-01"]),
            "source": ["synthetic", "synthetic"],
            "method": ["test", "test"],
            "contact_line": gpd.GeoSeries([small.boundary, large.boundary], crs="EPSG:4326"),
            "contested": gpd.GeoSeries([None, shapely.box(36.8, 47.0, 37.0, 49.5)], crs="EPSG:4326"),
        },
        geometry=gpd.GeoSeries([small, large], crs="EPSG:4326"),
        crs="EPSG:4326",
    )


def write_data_dir(directory: Path, incidents: pd.DataFrame | None = None, frontlines: bool = True) -> Path:
    """Write a data directory (incidents, front lines, quarantine, manifest) and return it."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    frame = build_incidents() if incidents is None else incidents
    write_incidents(directory, frame)
    if frontlines:
        from geo.frontlines import write_frontlines

        write_frontlines(build_frontlines(), directory)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "data_version": f"synthetic-{len(frame)}",
        "built_at": "2026-01-01T00:00:00+00:00",
        "sources": [
            {"key": "curated", "name": "Synthetic curated", "licence": "CC BY 4.0", "attribution": "tests",
             "url": "https://example.org/", "redistribution": True},
            {"key": "testsrc", "name": "Synthetic <b>test</b> source", "licence": "none stated",
             "attribution": "tests", "url": "javascript:alert(1)", "redistribution": False},
        ],
        "inputs": [],
    }
    (directory / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    (directory / "quarantine.csv").write_text(
        "file,row_number,source,reason,detail,original\n"
        "a.csv,3,curated,coords_missing,lat empty,\"{\"\"x\"\": \"\"=HYPERLINK(1)\"\"}\"\n"
        "a.csv,7,curated,date_unparseable,31/31/2024,{}\n",
        encoding="utf-8",
    )
    return directory


def make_incidents(rows):
    """Build a canonical incident frame from short row dicts (defaults fill the rest).

    The one factory for hand-written test rows; :func:`build_incidents` makes a larger, varied table.
    """
    base = {
        "source": "curated",
        "date_precision": "day",
        "lon": 30.5,
        "lat": 50.4,
        "geo_precision": "exact",
        "location": "Place",
        "target_types": ["residential"],
        "weapons": ["drone"],
        "event_type": "drone_strike",
        "killed": 0,
        "injured": 0,
        "admin1_iso": "UA-30",
        "front_distance_km": 50.0,
    }
    full = []
    for i, row in enumerate(rows):
        record = {**base, "incident_id": f"curated:{i}", "source_id": str(i), **row}
        full.append(record)
    return coerce_incidents(pd.DataFrame(full), ALL_COLUMNS)


#: Seven hand-written incidents for the chart tests: one per distance band (occupied, 0-25, 25-100,
#: 100-300, 300+ km), one imprecise at 500 km and one without a distance. The Lviv row reports no
#: casualties, so labels for "not reported" can be checked.
CHART_ROWS = (
    {"date": "2023-01-05", "front_distance_km": -5.0, "weapons": ["drone"], "killed": 1, "admin1_iso": "UA-14"},
    {"date": "2023-01-20", "front_distance_km": 10.0, "weapons": ["tube_artillery"], "killed": None},
    {
        "date": "2023-02-03",
        "front_distance_km": 25.0,
        "weapons": ["ballistic_missile", "cluster_munition"],
        "killed": 3,
        "injured": 2,
        "admin1_iso": "UA-63",
        "target_types": ["energy"],
    },
    {"date": "2023-02-04", "front_distance_km": 150.0, "weapons": ["cruise_missile"], "killed": 2},
    {"date": "2023-03-01", "front_distance_km": 400.0, "admin1_iso": "UA-46", "location": "Lviv <b>&",
     "killed": None, "injured": None},
    {"date": "2023-03-02", "front_distance_km": 500.0, "geo_precision": "region", "admin1_iso": "UA-46"},
    {"date": "2023-03-03", "front_distance_km": None, "admin1_iso": None},
)


def chart_incidents() -> pd.DataFrame:
    """The :data:`CHART_ROWS` incidents as a canonical frame."""
    return make_incidents(CHART_ROWS)


def chart_snapshots() -> pd.DataFrame:
    """Front-line snapshot dates for the chart tests: two DeepState months, then a change to ISW."""
    return pd.DataFrame(
        {
            "snapshot_date": pd.to_datetime(["2023-01-01", "2023-02-01", "2023-03-01"]),
            "source": ["deepstate", "deepstate", "isw"],
            "method": ["polygon", "polygon", "polygon"],
        }
    )


@contextlib.contextmanager
def selected_data_dir(directory: Path):
    """Select ``directory`` through CONFLICTMAP_DATA while the block runs, then restore the old value."""
    old = os.environ.get("CONFLICTMAP_DATA")
    os.environ["CONFLICTMAP_DATA"] = str(directory)
    try:
        yield directory
    finally:
        if old is None:
            os.environ.pop("CONFLICTMAP_DATA", None)
        else:
            os.environ["CONFLICTMAP_DATA"] = old


def two_source_frontlines() -> gpd.GeoDataFrame:
    """The synthetic snapshots plus a third from another source: a seam on 1 Sep 2024."""
    frame = build_frontlines()
    third = frame.iloc[[1]].copy()
    third["snapshot_date"] = pd.Timestamp("2024-09-01")
    third["source"] = "other mapper"
    return pd.concat([frame, third], ignore_index=True).set_geometry("geometry")
