"""Front-line import (DeepStateMap, generic), the line-of-contact derivation, storage and as-of lookup."""

import json
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
import shapely
from pyproj import Geod

from geo.boundaries import load_neighbour_states, load_ukraine_land, to_working
from geo.frontlines import (
    FRONT_COLUMNS,
    FRONTLINES_FILE,
    FrontlineWarning,
    classify_deepstate,
    derive_front_geometry,
    detect_frontline_format,
    load_frontlines,
    read_frontlines,
    snapshot_index_for_dates,
    write_frontlines,
)
from tests.files import DEEPSTATE, realdata

GEOD = Geod(ellps="WGS84")


def _km(geometry) -> float:
    return GEOD.geometry_length(geometry) / 1000.0


def _feature(name, geometry, fill="#a52714"):
    return {"type": "Feature", "properties": {"name": name, "fill": fill}, "geometry": geometry}


def _ring(lon0, lat0, lon1, lat1, z=False):
    coords = [[lon0, lat0], [lon1, lat0], [lon1, lat1], [lon0, lat1], [lon0, lat0]]
    return [[c + [0.0] for c in coords]] if z else [coords]


@pytest.fixture
def deepstate_file(tmp_path):
    """A small DeepStateMap-shaped export: points, Z polygons, a GeometryCollection, every class, an odd name."""
    features = [
        _feature("Russian position", {"type": "Point", "coordinates": [38.0, 48.0, 0.0]}),
        _feature("Окуповано /// Occupied /// geoJSON.status.occupied", {"type": "Polygon", "coordinates": _ring(37.5, 48.5, 41.0, 50.6, z=True)}),
        _feature(
            "ОРДЛО /// CADR and CALR\xa0/// geoJSON.territories.ordlo",
            {"type": "GeometryCollection", "geometries": [{"type": "Polygon", "coordinates": _ring(38.0, 47.8, 40.5, 48.5)}]},
            fill="#880e4f",
        ),
        _feature("Статус невідомий /// Unknown status /// geoJSON.status.unknown", {"type": "Polygon", "coordinates": _ring(37.3, 48.5, 37.5, 49.0)}, "#bcaaa4"),
        _feature("Звільнено /// Liberated /// geoJSON.status.dismissed", {"type": "Polygon", "coordinates": _ring(36.0, 49.0, 37.0, 49.5)}, "#0f9d58"),
        _feature("Придністров'я/// Transnistria /// geoJSON.territories.transnistria", {"type": "Polygon", "coordinates": _ring(29.4, 46.7, 29.9, 47.2)}, "#ff5252"),
        _feature("Something new /// geoJSON.mystery", {"type": "Polygon", "coordinates": _ring(30.0, 50.0, 30.1, 50.1)}, "#123456"),
    ]
    path = tmp_path / "2023-06-02_1685748729.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "fill", "expected"),
    [
        ("Окуповано /// Occupied /// geoJSON.status.occupied\n", None, ("occupied", "key")),
        ("Окупований Крим /// Occupied Crimea\xa0/// geoJSON.territories.crimea", None, ("occupied", "key")),
        ("Острів Тузла /// Occupied Tuzla Island\xa0/// geoJSON.territories.tuzla", None, ("occupied", "key")),
        ("Статус невідомий /// Unknown status /// geoJSON.status.unknown", None, ("contested", "key")),
        ("Звільнено 25.03 /// Liberated 25.03\xa0/// geoJSON.status.dismissed_at {{at:25.03}}", None, ("liberated", "key")),
        ("Окупована Абхазія.\n///\nOccupied Abkhazia.\n/// geoJSON.territories.abkhazia\n", None, ("foreign", "key")),
        ("Окуповано", "#a52714", ("occupied", "words")),
        ("ОРДЛО", "#000000", ("occupied", "words")),
        ("Крим", "#000000", ("occupied", "words")),
        ("Під питанням /// Contested", None, ("contested", "words")),
        ("Начебто звільнено 26.03. Читайте опис. Треба уточнення", "#0288d1", ("contested", "words")),
        ("Звільнено /// Taken back", None, ("liberated", "words")),
        ("Окупована область Петсамо\n///\nOccupied Petsamo", "#ff5252", ("foreign", "words")),
        ("Придністров'я", "#880e4f", ("foreign", "words")),
        ("Багатокутник 11", "#a52714", ("occupied", "fill")),
        ("Зміїний /// Snake Island", "#0f9d58", ("liberated", "fill")),
        ("24.03", "#0288d1", ("liberated", "fill")),
        ("Багатокутник 12", "#123456", (None, "unknown")),
        (None, None, (None, "unknown")),
    ],
)
def test_classify_deepstate(name, fill, expected):
    """Key first, then Ukrainian/English words (foreign before occupied), then DeepStateMap's palette."""
    assert classify_deepstate(name, fill) == expected


def test_read_deepstate_file(deepstate_file):
    """One snapshot; occupied = occupied + ORDLO, clipped to Ukraine; grey zone kept; the rest dropped with a warning."""
    with pytest.warns(FrontlineWarning, match="unrecognised class"):
        frame = read_frontlines(deepstate_file)
    assert list(frame.columns) == list(FRONT_COLUMNS)
    assert len(frame) == 1
    row = frame.iloc[0]
    assert row.snapshot_date == pd.Timestamp("2023-06-02") and frame["snapshot_date"].dtype == "datetime64[ns]"
    assert row.source == "deepstate" and "DeepStateMap" in row.method
    occupied = row.geometry
    assert occupied.geom_type == "MultiPolygon" and not shapely.has_z(occupied)
    assert shapely.contains_xy(occupied, 38.5, 49.5) and shapely.contains_xy(occupied, 39.0, 48.0)
    assert not shapely.contains_xy(occupied, 29.6, 46.9), "Transnistria is foreign"
    assert not shapely.contains_xy(occupied, 36.5, 49.2), "liberated polygons count as neither"
    published = shapely.union_all([shapely.box(37.5, 48.5, 41.0, 50.6), shapely.box(38.0, 47.8, 40.5, 48.5)])
    assert occupied.symmetric_difference(published).area < 1e-9, "the occupied area is stored as published"
    border = to_working(row.contact_line).intersection(to_working(load_neighbour_states()).buffer(3000))
    assert border.length < 8000, "the line of contact never follows the state border"
    assert row.contested is not None and shapely.contains_xy(row.contested, 37.4, 48.75)
    assert row.contact_line.geom_type == "MultiLineString"


def test_contact_line_excludes_border_and_coast():
    """A box over eastern Ukraine reaching into Russia: contact = its west and south edges inside Ukraine, never the border."""
    land = load_ukraine_land()
    box = shapely.box(37.5, 48.5, 41.0, 50.6)
    occupied, contact, _ = derive_front_geometry([box], [])
    expected = shapely.LineString([(37.5, 50.6), (37.5, 48.5), (41.0, 48.5)]).intersection(land)
    assert _km(contact) == pytest.approx(_km(expected), abs=8.0)
    near_border = to_working(contact).intersection(to_working(load_neighbour_states()).buffer(3000))
    assert near_border.length < 8000  # the two ends, where the front meets the border
    coast_box = shapely.box(35.0, 46.0, 37.0, 47.2)  # reaches over the Sea of Azov
    _, coast_contact, _ = derive_front_geometry([coast_box], [])
    coast_expected = shapely.LineString([(35.0, 46.0), (35.0, 47.2), (37.0, 47.2), (37.0, 46.0)]).intersection(land)
    assert _km(coast_contact) == pytest.approx(_km(coast_expected), abs=8.0)


def test_gaps_between_adjacent_polygons_are_closed():
    """Two occupied boxes 300 m apart: stored as published (two parts), but no contact line between them."""
    west = shapely.box(36.0, 47.5, 37.0, 48.5)
    east = shapely.box(37.004, 47.5, 38.0, 48.5)
    occupied, contact, _ = derive_front_geometry([west, east], [])
    assert len(shapely.get_parts(occupied)) == 2
    inner = to_working(contact).intersection(to_working(shapely.box(36.95, 47.6, 37.05, 48.4)))
    assert inner.length == 0


def test_empty_snapshot():
    """No occupied polygons: empty geometries, no crash."""
    occupied, contact, contested = derive_front_geometry([], [])
    assert occupied.is_empty and contact.is_empty and contested is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("2023-06-02_1685748729.geojson", "2023-06-02"),
        ("deepstate_20240601.geojson", "2024-06-01"),
        ("1717225039.geojson", "2024-06-01"),
        ("x_2024-13-40_1717225039.json", "2024-06-01"),
        ("front.geojson", None),
    ],
)
def test_date_from_file_name(name, expected):
    """Dates from file names: ISO or compact dates first, a Unix time (UTC) otherwise, impossible dates skipped."""
    from geo.frontlines import _date_from_name

    result = _date_from_name(name)
    assert (None if result is None else result.strftime("%Y-%m-%d")) == expected


def test_detect_format(deepstate_file, tmp_path):
    """DeepStateMap exports are recognised by name or by their bilingual names; anything else is generic."""
    assert detect_frontline_format(deepstate_file) == "deepstate"
    renamed = tmp_path / "export.geojson"
    renamed.write_text(deepstate_file.read_text(encoding="utf-8"), encoding="utf-8")
    assert detect_frontline_format(renamed) == "deepstate"
    plain = tmp_path / "zones.geojson"
    gpd.GeoDataFrame({"status": ["occupied"]}, geometry=[shapely.box(37, 48, 38, 49)], crs="EPSG:4326").to_file(plain)
    assert detect_frontline_format(plain) == "generic"


def test_generic_with_date_and_status_properties(tmp_path):
    """Generic GeoJSON: one file, two dates in a property, a status property saying which polygons are occupied."""
    frame = gpd.GeoDataFrame(
        {
            "day": ["2024-01-01", "2024-01-01", "2024-02-01", "2024-02-01"],
            "control": ["RU", "UA", "RU", "grey"],
        },
        geometry=[shapely.box(37, 48, 38, 49), shapely.box(35, 48, 36, 49), shapely.box(36.8, 48, 38, 49), shapely.box(36.6, 48, 36.8, 49)],
        crs="EPSG:4326",
    )
    path = tmp_path / "zones.geojson"
    frame.to_file(path)
    result = read_frontlines(path, fmt="generic", date_property="day", occupied_values=["RU"], contested_values=["grey"], source="acme")
    assert result["snapshot_date"].tolist() == [pd.Timestamp("2024-01-01"), pd.Timestamp("2024-02-01")]
    assert result["source"].tolist() == ["acme", "acme"]
    assert shapely.contains_xy(result.geometry.iloc[1], 36.9, 48.5) and not shapely.contains_xy(result.geometry.iloc[0], 36.9, 48.5)
    assert not shapely.contains_xy(result.geometry.iloc[0], 35.5, 48.5)
    assert result["contested"].iloc[0] is None and shapely.contains_xy(result["contested"].iloc[1], 36.7, 48.5)
    assert "control" in result["method"].iloc[0]


def test_generic_folder_dates_from_file_names(tmp_path):
    """A folder of undated files named by date; every polygon is occupied; another CRS is reprojected."""
    folder = tmp_path / "fronts"
    folder.mkdir()
    for name, east in (("front_20240301.gpkg", 37.0), ("front_2024-04-01.gpkg", 36.5)):
        gpd.GeoDataFrame({"x": [1]}, geometry=[shapely.box(east, 47.5, 38.5, 49.0)], crs="EPSG:4326").to_crs("EPSG:3857").to_file(folder / name)
    result = read_frontlines(folder)
    assert result["snapshot_date"].tolist() == [pd.Timestamp("2024-03-01"), pd.Timestamp("2024-04-01")]
    assert result["source"].tolist() == ["generic", "generic"]
    assert shapely.contains_xy(result.geometry.iloc[1], 36.7, 48.0) and not shapely.contains_xy(result.geometry.iloc[0], 36.7, 48.0)


def test_generic_status_read_from_words(tmp_path):
    """No values given: a status column whose words say occupied / contested / Ukrainian-held is read as such."""
    frame = gpd.GeoDataFrame(
        {
            "status": ["Assessed Russian-controlled Ukrainian Territory", "Contested", "Ukrainian counteroffensive", "Claimed"],
        },
        geometry=[shapely.box(37, 48, 38, 49), shapely.box(36.8, 48, 37, 49), shapely.box(36, 48, 36.8, 49), shapely.box(35, 48, 36, 49)],
        crs="EPSG:4326",
    )
    path = tmp_path / "isw_2024-05-01.geojson"
    frame.to_file(path)
    with pytest.warns(FrontlineWarning, match="Claimed"):
        result = read_frontlines(path)
    row = result.iloc[0]
    assert shapely.contains_xy(row.geometry, 37.5, 48.5) and not shapely.contains_xy(row.geometry, 36.5, 48.5)
    assert not shapely.contains_xy(row.geometry, 35.5, 48.5)
    assert shapely.contains_xy(row.contested, 36.9, 48.5)
    assert "words in 'status'" in row.method


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "no date"),
        ({"date_property": "when"}, "date property 'when' not found"),
        ({"occupied_values": ["nope"]}, "no property holds"),
    ],
)
def test_generic_errors(tmp_path, kwargs, message):
    """Files that cannot be dated or classified are refused with a message saying what to pass."""
    path = tmp_path / ("zones_2024-01-01.geojson" if "occupied_values" in kwargs else "zones.geojson")
    gpd.GeoDataFrame({"status": ["occupied"]}, geometry=[shapely.box(37, 48, 38, 49)], crs="EPSG:4326").to_file(path)
    with pytest.raises(ValueError, match=message):
        read_frontlines(path, fmt="generic", **kwargs)


def test_read_errors(tmp_path):
    """Missing paths, empty folders and unknown formats are clear errors."""
    with pytest.raises(ValueError, match="not found"):
        read_frontlines(tmp_path / "missing.geojson")
    with pytest.raises(ValueError, match="no .geojson"):
        read_frontlines(tmp_path)
    with pytest.raises(ValueError, match="unknown front-line format"):
        read_frontlines(tmp_path, fmt="kml")


def test_write_and_load_round_trip(deepstate_file, tmp_path):
    """GeoParquet with two geometry columns survives a round trip; the write leaves no temporary file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FrontlineWarning)
        frame = read_frontlines(deepstate_file)
    out = tmp_path / "data"
    assert load_frontlines(out) is None
    write_frontlines(frame, out)
    assert sorted(p.name for p in out.iterdir()) == [FRONTLINES_FILE]
    loaded = load_frontlines(out)
    assert list(loaded.columns) == list(FRONT_COLUMNS)
    assert loaded["snapshot_date"].dtype == "datetime64[ns]"
    assert isinstance(loaded["contact_line"], gpd.GeoSeries) and loaded["contact_line"].crs.equals("EPSG:4326")
    for column in ("geometry", "contact_line", "contested"):
        assert shapely.equals_exact(loaded[column].iloc[0], frame[column].iloc[0], tolerance=0)
    assert loaded.geometry.name == "geometry"


def test_snapshot_index_for_dates():
    """Latest snapshot on or before each date; -1 before the first and for NaT; row order of the frame respected."""
    frame = pd.DataFrame({"snapshot_date": pd.to_datetime(["2023-03-01", "2023-01-01", "2023-02-01"])})
    dates = pd.to_datetime(["2022-12-31", "2023-01-01", "2023-01-31", "2023-02-01", "2023-12-31", None]).to_numpy()
    assert snapshot_index_for_dates(frame, dates).tolist() == [-1, 1, 1, 2, 0, -1]
    assert snapshot_index_for_dates(None, dates).tolist() == [-1] * 6
    assert snapshot_index_for_dates(frame, np.array([], dtype="datetime64[ns]")).tolist() == []


@pytest.fixture(scope="module")
def real_frontlines():
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FrontlineWarning)
        frame = read_frontlines(DEEPSTATE)
    return frame, [str(w.message) for w in caught if issubclass(w.category, FrontlineWarning)]


@realdata
@pytest.mark.realdata
@pytest.mark.slow
def test_real_deepstate_snapshots(real_frontlines):
    """All 41 exports: one snapshot each, dated by file name, every polygon class recognised, plausible areas."""
    frame, messages = real_frontlines
    assert messages == []
    assert len(frame) == 41
    names = sorted(p.name[:10] for p in DEEPSTATE.glob("*.geojson"))
    assert [d.strftime("%Y-%m-%d") for d in frame["snapshot_date"]] == names
    assert set(frame["source"]) == {"deepstate"}
    area = {d.strftime("%Y-%m-%d"): abs(GEOD.geometry_area_perimeter(g)[0]) / 1e6 for d, g in zip(frame.snapshot_date, frame.geometry, strict=True)}
    print({k: round(v) for k, v in area.items()})
    assert 100_000 < area["2022-04-03"] < 112_000
    assert 118_000 < area["2022-09-01"] < 128_000  # before the Kharkiv and Kherson counter-offensives
    assert 104_000 < area["2023-06-02"] < 112_000
    assert 109_000 < area["2025-08-01"] < 118_000


@realdata
@pytest.mark.realdata
@pytest.mark.slow
def test_real_occupied_areas_by_place(real_frontlines):
    """Crimea always occupied, Transnistria never, Kherson city until November 2022, Kyiv never."""
    frame, _ = real_frontlines
    dates = [d.strftime("%Y-%m-%d") for d in frame["snapshot_date"]]
    places = {"simferopol": (34.10, 44.95), "tiraspol": (29.63, 46.84), "kherson": (32.62, 46.64), "kyiv": (30.52, 50.45), "mariupol": (37.55, 47.10)}
    inside = {k: [bool(shapely.contains_xy(g, *p)) for g in frame.geometry] for k, p in places.items()}
    assert all(inside["simferopol"]) and not any(inside["tiraspol"]) and not any(inside["kyiv"])
    assert inside["kherson"][dates.index("2022-11-01")] and not inside["kherson"][dates.index("2022-12-01")]
    assert all(inside["mariupol"][dates.index("2022-06-01"):])


@realdata
@pytest.mark.realdata
@pytest.mark.slow
def test_real_contact_lines(real_frontlines):
    """Contact lines 2023-2025: plausible length, never along the Russian border north of Kharkiv, never along the Azov coast."""
    frame, _ = real_frontlines
    land = to_working(load_ukraine_land())
    russia = to_working(load_neighbour_states())
    border_zone = russia.buffer(3000)
    kharkiv_north = to_working(shapely.box(35.0, 49.8, 38.5, 51.0))
    coast_zone = land.boundary.buffer(3000).difference(russia.buffer(5000))
    azov = to_working(shapely.box(34.5, 45.9, 38.5, 47.4))
    lengths = {}
    for date, contact in zip(frame["snapshot_date"], frame["contact_line"], strict=True):
        key = date.strftime("%Y-%m-%d")
        lengths[key] = round(_km(contact))
        if date.year < 2023:
            continue
        line = to_working(contact)
        assert 800 < lengths[key] < 1400, key
        assert line.intersection(border_zone).length < 25_000, key
        if date.year == 2023:
            assert line.intersection(border_zone).intersection(kharkiv_north).length < 3000, key
        assert line.intersection(coast_zone).intersection(azov).length < 2000, key
    print("contact line lengths (km):", lengths)


@realdata
@pytest.mark.realdata
@pytest.mark.slow
def test_real_occupied_area_is_the_publishers(real_frontlines):
    """Every one of the 41 snapshots keeps the publisher's occupied area: within 0.5 % (geodesic) of its own polygons."""
    frame, _ = real_frontlines
    for path, stored in zip(sorted(DEEPSTATE.glob("*.geojson")), frame.geometry, strict=True):
        data = json.loads(path.read_text(encoding="utf-8"))
        polygons = []
        for feature in data["features"]:
            geometry = feature.get("geometry")
            props = feature.get("properties") or {}
            if not geometry or geometry["type"] not in ("Polygon", "MultiPolygon", "GeometryCollection"):
                continue
            if classify_deepstate(props.get("name"), props.get("fill"))[0] == "occupied":
                polygons.append(shapely.make_valid(shapely.force_2d(shapely.geometry.shape(geometry))))
        own = shapely.union_all([p for p in polygons if p.area > 0])
        own_km2 = abs(GEOD.geometry_area_perimeter(own)[0]) / 1e6
        stored_km2 = abs(GEOD.geometry_area_perimeter(stored)[0]) / 1e6
        assert stored_km2 == pytest.approx(own_km2, rel=0.005), path.name


@pytest.mark.parametrize(
    ("name", "found"),
    [("2202-02-02.geojson", "2202-02-02"), ("zones_2013-12-31.geojson", "2013-12-31"), ("2202-02-03_1650000000.geojson", "2202-02-03")],
)
def test_snapshot_dates_out_of_range_are_refused(tmp_path, name, found):
    """A misnamed snapshot dated centuries ahead (or before 2014) is refused, naming the file and the date."""
    path = tmp_path / name
    gpd.GeoDataFrame({"status": ["occupied"]}, geometry=[shapely.box(37, 48, 38, 49)], crs="EPSG:4326").to_file(path, driver="GeoJSON")
    with pytest.raises(ValueError, match=rf"{name}: snapshot date {found} \(from the file name\) is (after today|before 2014-01-01)"):
        read_frontlines(path)


def test_snapshot_dates_out_of_range_in_a_property_are_refused(tmp_path):
    """A date property in the future is refused the same way, naming the property."""
    path = tmp_path / "zones.geojson"
    frame = gpd.GeoDataFrame({"date": ["2023-01-01", "2999-01-01"]}, geometry=[shapely.box(37, 48, 38, 49)] * 2, crs="EPSG:4326")
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(ValueError, match=r"zones\.geojson: (snapshot date|.*unreadable)"):
        read_frontlines(path)
    frame["date"] = ["2023-01-01", "2200-01-01"]
    frame.to_file(path, driver="GeoJSON")
    with pytest.raises(ValueError, match=r"zones\.geojson: snapshot date 2200-01-01 \(from property 'date'\) is after today"):
        read_frontlines(path)


def test_identical_snapshots_are_derived_once():
    """derive_many reuses the result for a snapshot identical to an earlier one, and the results equal a direct derivation."""
    from geo.frontlines import derive_many

    a = [shapely.box(37.0, 47.5, 38.5, 48.5)]
    b = [shapely.box(36.5, 47.5, 38.5, 48.5)]
    results = derive_many([(a, []), (b, []), (list(a), [])], workers=2)
    assert results[0] is results[2]
    direct = derive_front_geometry(b, [])
    assert results[1][0].equals(direct[0]) and results[1][1].equals(direct[1])


def test_map_and_distance_use_the_same_snapshot_rule():
    """The map's snapshot for a day is the one distances use for incidents of that day (one rule)."""
    import datetime as dt

    import shapely

    from geo.viz.map import snapshot_for_date

    square = shapely.box(37.0, 47.0, 38.0, 48.0)
    frontlines = gpd.GeoDataFrame(
        {"snapshot_date": pd.to_datetime(["2024-03-01 12:00", "2024-01-01 00:00", "2024-03-01 00:00"]),
         "source": ["noon", "jan", "midnight"]},
        geometry=[square, square, square], crs="EPSG:4326",
    )
    days = pd.date_range("2023-12-30", "2024-03-03", freq="D")
    rule = snapshot_index_for_dates(frontlines, days.to_numpy())
    shown = [snapshot_for_date(frontlines, day.date()).index for day in days]
    assert list(rule) == shown
    # a snapshot stamped at noon is in force for its whole day; of two on one day, the last row wins
    assert snapshot_for_date(frontlines, dt.date(2024, 3, 1)).source == "midnight"
    assert snapshot_for_date(frontlines, dt.date(2023, 12, 31)).index == -1
