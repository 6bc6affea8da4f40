"""Benchmark data directories: generator → real ingest pipeline (or a direct fallback build).

The real path runs the project's own commands in fresh processes and times each one:
``python -m geo frontlines`` (DeepStateMap exports read in place, or synthetic snapshots),
``python -m geo ingest`` (read, parse, validate, quarantine, enrich, write) and
``python -m geo enrich`` (enrichment alone). When the pipeline cannot run (a module of it
missing while it is being written), the directory is built directly from the generator
with an approximate enrichment, and the results say so.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
DEEPSTATE_DIR = ROOT.parent / "shared" / "data" / "frontlines" / "deepstate"
sys.path.insert(0, str(ROOT))

from bench.generate import _FRONT, generate_acled  # noqa: E402


def run_timed(args: list[str], timeout: float, env: dict | None = None) -> dict:
    """Run a command in a child process; return seconds, peak RSS (MB), return code and output tail."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    try:
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=timeout, env=env, check=False)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, out, err = None, str(exc.stdout or ""), f"timed out after {timeout:.0f} s"
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "seconds": round(seconds, 3),
        "peak_rss_mb": round(max(peak, before) / 1024.0, 1) if peak > before else None,
        "returncode": code,
        "stdout_tail": out[-800:],
        "stderr_tail": err[-1500:],
    }


def write_synthetic_frontlines(out_dir: Path, snapshots: int = 12) -> Path:
    """Write ``snapshots`` dated GeoJSON polygons east of the generator's front (generic format)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    dates = pd.date_range("2022-03-01", "2025-07-01", periods=snapshots).normalize()
    for k, day in enumerate(dates):
        shift = 0.15 * np.sin(k / 3.0)
        line = [[float(x) + shift, float(y)] for x, y in _FRONT]
        ring = line + [[40.2, 46.8], [40.2, 50.3], line[0]]
        feature = {
            "type": "Feature",
            "properties": {"date": day.strftime("%Y-%m-%d"), "status": "occupied"},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        path = out_dir / f"front-{day:%Y-%m-%d}.geojson"
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    return out_dir


def frontline_inputs(work: Path) -> tuple[list[str], str]:
    """Return front-line input paths and a description: DeepStateMap exports if present, else synthetic."""
    if DEEPSTATE_DIR.is_dir() and any(DEEPSTATE_DIR.glob("*.geojson")):
        count = len(list(DEEPSTATE_DIR.glob("*.geojson")))
        return [str(DEEPSTATE_DIR)], f"DeepStateMap exports, {count} snapshots (read in place from {DEEPSTATE_DIR})"
    folder = write_synthetic_frontlines(work / "synthetic-frontlines")
    return [str(folder)], "12 synthetic snapshots (DeepStateMap exports not found)"


def build_data_dir(size: int, work: Path, timeout: float, reuse: bool = False, log=print) -> dict:
    """Build the data directory for ``size`` incidents; return timings and where it is."""
    work.mkdir(parents=True, exist_ok=True)
    directory = work / f"dir-{size}"
    csv_path = work / f"acled-{size}.csv"
    info: dict = {"size": size, "dir": str(directory)}
    from geo.datadir import FRONTLINES_FILE, INCIDENTS_FILE, MANIFEST_FILE, table_path

    if reuse and table_path(directory, INCIDENTS_FILE).exists() and table_path(directory, MANIFEST_FILE).exists():
        info["reused"] = True
        info["pipeline"] = json.loads(table_path(directory, MANIFEST_FILE).read_text()).get("bench_pipeline", "real")
        return info
    shutil.rmtree(directory, ignore_errors=True)
    start = time.perf_counter()
    generate_acled(size).to_csv(csv_path, index=False)
    info["generate_seconds"] = round(time.perf_counter() - start, 2)
    info["csv_mb"] = round(csv_path.stat().st_size / 1e6, 1)
    front_paths, info["frontlines"] = frontline_inputs(work)
    py = sys.executable
    # Front lines do not depend on the size: import them once, copy the result into each directory.
    front_dir = work / "frontlines-only"
    if not table_path(front_dir, FRONTLINES_FILE).exists():
        front = run_timed([py, "-m", "geo", "frontlines", *front_paths, "--out", str(front_dir)], timeout)
    else:
        front = {"seconds": None, "returncode": 0, "reused": str(front_dir), "stderr_tail": "", "stdout_tail": ""}
    info["frontlines_run"] = front
    if front["returncode"] == 0:
        shutil.copytree(front_dir, directory)
    ingest = run_timed([py, "-m", "geo", "ingest", str(csv_path), "--format", "acled", "--out", str(directory)], timeout)
    info["ingest_run"] = ingest
    if ingest["returncode"] == 0 and front["returncode"] == 0:
        info["enrich_run"] = run_timed([py, "-m", "geo", "enrich", str(directory)], timeout)
        info["pipeline"] = "real"
        if info["enrich_run"]["returncode"] != 0:
            info["pipeline"] = "real (enrich failed)"
        return info
    log(f"  real pipeline failed at {size:,} rows; building the directory directly (see results for the error)")
    start = time.perf_counter()
    fallback_build(size, directory)
    info["fallback_seconds"] = round(time.perf_counter() - start, 2)
    info["pipeline"] = "fallback"
    return info


_TARGET_WORDS = (
    ("residential", "residential|houses"),
    ("energy", "energy"),
    ("industrial", "industrial"),
    ("education", "school"),
    ("healthcare", "hospital"),
    ("commercial", "shop"),
)
_WEAPON_WORDS = (
    ("drone", "Shahed|drone"),
    ("cruise_missile", "Kalibr"),
    ("rocket_artillery", "Grad"),
    ("ballistic_missile", "Iskander"),
    ("aerial_bomb", "KAB"),
    ("anti_aircraft_missile", "S-300"),
    ("artillery_unspecified", "shelled"),
    ("mine", "landmine"),
)


def _list_column(notes: pd.Series, words) -> list[list[str]]:
    hits = [(code, notes.str.contains(pattern, regex=True).to_numpy()) for code, pattern in words]
    matrix = np.column_stack([h for _, h in hits])
    codes = np.array([c for c, _ in hits], dtype=object)
    return [list(codes[row]) for row in matrix]


def canonical_from_generator(size: int) -> pd.DataFrame:
    """Map the generator's ACLED columns to the canonical import columns (vectorised, approximate)."""
    raw = generate_acled(size)
    notes = raw["notes"].astype("string")
    sub = raw["sub_event_type"].astype(str)
    event = np.select(
        [sub.str.contains("Shelling"), sub.str.contains("Air/drone"), sub.str.contains("Armed clash"), sub.str.contains("Attack")],
        ["shelling", "drone_strike", "battle", "attack_on_civilians"],
        default="other",
    )
    return pd.DataFrame(
        {
            "incident_id": "acled:" + raw["event_id_cnty"],
            "source": "acled",
            "source_id": raw["event_id_cnty"],
            "date": pd.to_datetime(raw["event_date"], format="%d %B %Y"),
            "date_precision": np.array(["day", "week", "month"], dtype=object)[raw["time_precision"].to_numpy() - 1],
            "lon": raw["longitude"],
            "lat": raw["latitude"],
            "geo_precision": np.array(["exact", "near", "area"], dtype=object)[raw["geo_precision"].to_numpy() - 1],
            "location": raw["location"],
            "target_types": _list_column(notes, _TARGET_WORDS),
            "target_raw": "",
            "weapons": _list_column(notes, _WEAPON_WORDS),
            "weapon_raw": "",
            "event_type": event,
            "event_type_raw": sub,
            "killed": raw["fatalities"],
            "injured": pd.array([pd.NA] * size, dtype="Int64"),
            "description": notes,
            "source_urls": [[] for _ in range(size)],
            "extra": "{}",
        }
    )


def fallback_build(size: int, directory: Path) -> None:
    """Write a data directory without the full pipeline: the real importer when it exists, approximate enrichment."""
    import shapely

    from geo.boundaries import assign_admin1, load_default_boundaries
    from geo.datadir import write_incidents
    from geo.schema import SCHEMA_VERSION
    from geo.sources.registry import source_entry

    directory.mkdir(parents=True, exist_ok=True)
    frame = None
    csv_path = directory.parent / f"acled-{size}.csv"
    if csv_path.exists():
        from geo.ingest import read_incidents

        frame = read_incidents([csv_path], fmt="acled").incidents
    if frame is None:
        frame = canonical_from_generator(size)
    lon = frame["lon"].to_numpy()
    lat = frame["lat"].to_numpy()
    iso, name = assign_admin1(lon, lat, load_default_boundaries())
    frame["admin1_iso"] = iso
    frame["admin1_name"] = name
    line = shapely.LineString(_FRONT * np.array([np.cos(np.radians(48.5)), 1.0]))
    points = shapely.points(lon * np.cos(np.radians(48.5)), lat)
    east = lon > np.interp(lat, _FRONT[::-1, 1], _FRONT[::-1, 0])
    distance = shapely.distance(points, line) * 111.2
    frame["front_snapshot_date"] = pd.Timestamp("2022-03-01")
    frame["front_distance_km"] = np.where(east, -distance, distance)
    frame["in_occupied_territory"] = east
    frame["distance_to_russia_km"] = np.nan
    write_incidents(directory, frame)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "bench_pipeline": "fallback",
        "sources": [source_entry("acled")],
        "inputs": [{"file": f"bench/generate.py --rows {size}", "format": "acled", "rows": size}],
    }
    manifest["data_version"] = f"fallback-{size}"
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def warm_os_cache(directory: Path) -> None:
    """Read every file of the directory once so the app start is measured with a warm OS cache."""
    for path in Path(directory).rglob("*"):
        if path.is_file():
            with open(path, "rb") as handle:
                while handle.read(1 << 22):
                    pass


def env_with_data(directory: Path | str) -> dict:
    """Return the environment for an app process reading ``directory``."""
    return {**os.environ, "CONFLICTMAP_DATA": str(directory)}
