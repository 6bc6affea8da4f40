"""Geodesic distances to the line of contact and to Russian / occupied territory, against a brute-force reference."""

import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.boundaries import (
    load_default_boundaries,
    load_neighbour_states,
    load_ukraine_land,
    working_transformers,
)
from geo.distance import FRONT_ENRICHMENT_COLUMNS, compute_front_enrichment, geodesic_distance_to_lines
from geo.enrich import enrich_incidents
from geo.frontlines import FrontlineWarning, derive_front_geometry, read_frontlines
from geo.schema import ENRICHMENT_COLUMNS
from tests.files import DEEPSTATE, realdata

GEOD = Geod(ellps="WGS84")


def reference_km(lon, lat, lines, spacing_deg=0.0002):
    """Point-by-point reference: densify the line, then the minimum pyproj.Geod distance over its vertices.

    Vertices are pre-selected with a spherical (haversine) distance, which is within 0.5 % of the
    ellipsoidal one, keeping every vertex within 1 % + 200 m of the spherical minimum.
    """
    coords = shapely.get_coordinates(shapely.segmentize(lines, spacing_deg))
    vlon, vlat = np.radians(coords[:, 0]), np.radians(coords[:, 1])
    out = np.empty(len(lon))
    for i, (x, y) in enumerate(zip(np.radians(lon), np.radians(lat), strict=True)):
        h = np.sin((vlat - y) / 2) ** 2 + np.cos(y) * np.cos(vlat) * np.sin((vlon - x) / 2) ** 2
        sphere = 2 * 6371.0088 * np.arcsin(np.sqrt(h))
        near = sphere <= sphere.min() * 1.01 + 0.2
        _, _, d = GEOD.inv(np.full(near.sum(), np.degrees(x)), np.full(near.sum(), np.degrees(y)), coords[near, 0], coords[near, 1])
        out[i] = d.min() / 1000.0
    return out


def _random_points(n, seed, buffer_deg=0.0):
    rng = np.random.default_rng(seed)
    land = load_ukraine_land().buffer(buffer_deg) if buffer_deg else load_ukraine_land()
    lon = rng.uniform(21.5, 41.0, 8 * n)
    lat = rng.uniform(43.8, 53.0, 8 * n)
    keep = shapely.contains_xy(land, lon, lat)
    return lon[keep][:n], lat[keep][:n]


def test_matches_reference_on_a_constructed_zigzag():
    """A zigzag with long and short segments, 200 points: within 15 m of the reference (its own spacing ~15-22 m)."""
    line = shapely.LineString([(35.0, 46.5), (35.6, 47.3), (35.2, 48.1), (36.9, 48.6), (36.95, 48.62), (37.4, 50.2)])
    lon, lat = _random_points(200, 1)
    ours = geodesic_distance_to_lines(lon, lat, line)
    ref = reference_km(lon, lat, line)
    assert np.abs(ours - ref).max() * 1000 < 15


def test_two_branches_equal_in_the_plane():
    """Two far branches at nearly the same planar distance: the geodesically nearer one wins, not the planar one.

    From (24, 48.5) the working projection makes a point at 46.2°N look 100 m nearer than one at
    51.6°N, while the ellipsoid says the northern one is about 250 m nearer.
    """
    forward, _ = working_transformers()
    origin = (24.0, 48.5)
    ox, oy = forward.transform(*origin)

    def planar(lon, lat):
        x, y = forward.transform(lon, lat)
        return np.hypot(x - ox, y - oy)

    north = (33.5, 51.6)
    target = planar(*north) - 100.0
    lo, hi = 44.0, 48.5
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if planar(33.5, mid) > target else (lo, mid)
    south = (33.5, (lo + hi) / 2)
    line = shapely.MultiLineString([[north, (north[0] + 1e-4, north[1])], [south, (south[0] + 1e-4, south[1])]])
    to_north = GEOD.inv(*origin, *north)[2]
    to_south = GEOD.inv(*origin, *south)[2]
    assert planar(*south) < planar(*north) and to_south - to_north > 200
    ours = geodesic_distance_to_lines([origin[0]], [origin[1]], line)[0] * 1000
    assert ours == pytest.approx(min(GEOD.inv(*origin, *p)[2] for p in shapely.get_coordinates(line)), abs=1.0)


def test_empty_and_missing():
    """Empty lines and non-finite coordinates give NaN."""
    assert np.isnan(geodesic_distance_to_lines([30.0], [50.0], shapely.MultiLineString())).all()
    assert np.isnan(geodesic_distance_to_lines([np.nan], [50.0], shapely.LineString([(30, 49), (31, 49)]))).all()


@pytest.fixture(scope="module")
def constructed_fronts():
    """Two snapshots: a box over the east from 2023-01-01, a larger one from 2023-06-01."""
    rows = [derive_front_geometry([shapely.box(37.5, 47.0, 41.0, 50.6)], []), derive_front_geometry([shapely.box(36.5, 47.0, 41.0, 50.6)], [])]
    frame = gpd.GeoDataFrame(
        {"snapshot_date": pd.to_datetime(["2023-06-01", "2023-01-01"]), "source": "test", "method": "test"},
        geometry=[rows[1][0], rows[0][0]],
        crs="EPSG:4326",
    )
    frame["contact_line"] = gpd.GeoSeries([rows[1][1], rows[0][1]], crs="EPSG:4326")
    frame["contested"] = gpd.GeoSeries([None, None], crs="EPSG:4326")
    return frame


def test_front_enrichment_cases(constructed_fronts):
    """Before the first snapshot, inside and outside occupied territory, inside Russia, no coordinates, repeated places."""
    lon = np.array([36.0, 36.0, 38.5, 36.0, 36.6, 30.52, np.nan, 36.0])
    lat = np.array([48.5, 48.5, 48.5, 48.5, 50.6, 50.45, 48.0, 48.5])
    dates = pd.to_datetime(["2022-12-31", "2023-01-01", "2023-03-01", "2023-07-01", "2023-03-01", "2023-03-01", "2023-03-01", "2023-01-01"]).to_numpy()
    out = compute_front_enrichment(lon, lat, dates, constructed_fronts)
    assert list(out.columns) == list(FRONT_ENRICHMENT_COLUMNS)
    assert [str(t) for t in out.dtypes] == ["datetime64[ns]", "float64", "boolean", "float64"]
    assert out["front_snapshot_date"].isna().tolist() == [True, False, False, False, False, False, True, False]
    assert out.loc[0, ["front_distance_km", "distance_to_russia_km"]].isna().all() and out["in_occupied_territory"].isna()[0]
    assert out["front_snapshot_date"][3] == pd.Timestamp("2023-06-01") and out["front_snapshot_date"][1] == pd.Timestamp("2023-01-01")
    # 36.0E is 1.5° west of the 2023-01 front at 37.5E and 0.5° west of the 2023-06 one
    assert out["front_distance_km"][1] == pytest.approx(GEOD.inv(36.0, 48.5, 37.5, 48.5)[2] / 1000, abs=0.5)
    assert out["front_distance_km"][3] == pytest.approx(GEOD.inv(36.0, 48.5, 36.5, 48.5)[2] / 1000, abs=0.5)
    assert out["front_distance_km"][2] < 0 and bool(out["in_occupied_territory"][2]) and out["distance_to_russia_km"][2] == 0
    assert out["distance_to_russia_km"][4] == 0, "inside Russia (Belgorod oblast)"
    kyiv_to_belarus = geodesic_distance_to_lines([30.52], [50.45], load_neighbour_states().boundary)[0]
    assert out["distance_to_russia_km"][5] == pytest.approx(kyiv_to_belarus, abs=1e-9)
    assert out["distance_to_russia_km"][1] == pytest.approx(out["front_distance_km"][1], abs=1e-9)
    assert out.iloc[7].equals(out.iloc[1]), "the same place and snapshot give the same numbers"


def test_front_enrichment_without_frontlines():
    """No front lines: every column missing, right dtypes."""
    out = compute_front_enrichment([30.0], [50.0], np.array(["2023-01-01"], dtype="datetime64[ns]"), None)
    assert out.isna().all().all() and [str(t) for t in out.dtypes] == ["datetime64[ns]", "float64", "boolean", "float64"]


def test_threads_do_not_change_results(constructed_fronts):
    """Snapshot groups computed on two threads give exactly the single-thread result."""
    lon, lat = _random_points(3000, 9)
    dates = np.where(np.arange(len(lon)) % 2 == 0, np.datetime64("2023-02-01", "ns"), np.datetime64("2023-08-01", "ns"))
    one = compute_front_enrichment(lon, lat, dates, constructed_fronts, workers=1)
    two = compute_front_enrichment(lon, lat, dates, constructed_fronts, workers=2)
    pd.testing.assert_frame_equal(one, two)


def test_enrich_incidents(constructed_fronts):
    """enrich_incidents adds every enrichment column in its schema dtype, keeps the index and other columns."""
    incidents = pd.DataFrame(
        {
            "lon": [30.52, 38.5, 36.0, np.nan],
            "lat": [50.45, 48.5, 48.5, 50.0],
            "date": pd.to_datetime(["2023-03-01", "2023-03-01", "2022-01-01", "2023-03-01"]),
            "keep": ["a", "b", "c", "d"],
        },
        index=[5, 6, 7, 8],
    )
    out = enrich_incidents(incidents, load_default_boundaries(), constructed_fronts)
    assert list(out.index) == [5, 6, 7, 8] and out["keep"].tolist() == ["a", "b", "c", "d"]
    for column, (dtype, _) in ENRICHMENT_COLUMNS.items():
        assert str(out[column].dtype) == dtype, column
    assert out["admin1_iso"].tolist()[:3] == ["UA-30", "UA-09", "UA-12"] and pd.isna(out["admin1_iso"].iloc[3])
    assert out["front_distance_km"].iloc[1] < 0 and pd.isna(out["front_distance_km"].iloc[2])
    without = enrich_incidents(incidents, load_default_boundaries(), None)
    assert without[["front_snapshot_date", "front_distance_km", "in_occupied_territory", "distance_to_russia_km"]].isna().all().all()
    assert without["admin1_iso"].tolist()[:3] == ["UA-30", "UA-09", "UA-12"]


@pytest.fixture(scope="module")
def real_snapshots():
    files = [DEEPSTATE / n for n in ("2022-06-01_1654066641.geojson", "2023-12-01_1701451517.geojson", "2025-08-01_1754077960.geojson")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FrontlineWarning)
        return read_frontlines(files)


def _summary(err_m):
    return f"p50 {np.percentile(err_m, 50):.2f} m, p99 {np.percentile(err_m, 99):.2f} m, max {err_m.max():.2f} m"


@realdata
@pytest.mark.realdata
@pytest.mark.slow
def test_accuracy_against_reference_on_real_snapshots(real_snapshots):
    """300 random points per snapshot (Ukraine + 0.5°): 99 % within 50 m and all within 250 m of the reference."""
    land = load_ukraine_land()
    neighbours = load_neighbour_states()
    for i, snap in enumerate(real_snapshots.itertuples()):
        lon, lat = _random_points(300, 100 + i, buffer_deg=0.5)
        dates = np.full(len(lon), np.datetime64(snap.snapshot_date, "ns"))
        out = compute_front_enrichment(lon, lat, dates, real_snapshots)
        inside = shapely.intersects_xy(snap.geometry, lon, lat)
        assert (out["in_occupied_territory"].to_numpy(dtype=bool) == inside).all()
        front_ref = np.where(inside, -1, 1) * reference_km(lon, lat, snap.contact_line)
        err = np.abs(out["front_distance_km"].to_numpy() - front_ref) * 1000
        print(f"{snap.snapshot_date.date()} front distance error: {_summary(err)}")
        assert np.percentile(err, 99) <= 50 and err.max() <= 250
        free = ~inside & ~shapely.intersects_xy(neighbours, lon, lat)
        russia_ref = np.zeros(len(lon))
        russia_ref[free] = np.minimum(
            reference_km(lon[free], lat[free], snap.geometry.boundary),
            reference_km(lon[free], lat[free], neighbours.boundary, spacing_deg=0.0005),
        )
        err = np.abs(out["distance_to_russia_km"].to_numpy() - russia_ref) * 1000
        print(f"{snap.snapshot_date.date()} distance to Russia error: {_summary(err)}")
        assert np.percentile(err, 99) <= 50 and err.max() <= 250
        assert shapely.contains_xy(land, lon, lat).sum() > 150
