"""Country and oblast of well-known places in and near Ukraine (hand-checked list in tests/places.py)."""

import numpy as np
import pandas as pd
import pytest
import shapely

from geo.boundaries import assign_admin1, load_default_boundaries, load_ukraine_land
from geo.countries import SEA, assign_country
from geo.enrich import enrich_incidents
from tests.places import PLACES

# places that lie on land (the water cases are checked by the rule, not by point-in-polygon)
_WATER = {"Odesa port", "Snake Island", "Black Sea, 2 km off Odesa", "Black Sea, middle"}


def test_places_list_is_large_and_varied():
    """The list covers every Ukrainian unit and at least six neighbouring states."""
    ukrainian = {p[4] for p in PLACES if p[3] == "UA"}
    assert len(PLACES) >= 40
    assert len(ukrainian) == 27
    assert {p[3] for p in PLACES} >= {"UA", "RU", "BY", "PL", "MD", "RO", "SK", "HU", SEA}


@pytest.mark.parametrize(("name", "lon", "lat", "country", "iso"), PLACES, ids=[p[0] for p in PLACES])
def test_place_gets_its_country_and_oblast(name, lon, lat, country, iso):
    """Each hand-checked place gets the expected country (ISO 3166-1) and, in Ukraine only, its unit."""
    got_country, got_iso, got_name = assign_country(np.array([lon]), np.array([lat]), load_default_boundaries())
    assert (got_country[0], got_iso[0]) == (country, iso), name
    assert (got_name[0] is None) == (iso is None)


@pytest.mark.parametrize(
    ("name", "lon", "lat", "iso"),
    [(p[0], p[1], p[2], p[4]) for p in PLACES if p[3] == "UA" and p[0] not in _WATER],
    ids=[p[0] for p in PLACES if p[3] == "UA" and p[0] not in _WATER],
)
def test_ukrainian_places_fall_inside_their_unit_without_tolerance(name, lon, lat, iso):
    """Suburbs of Kyiv, central Kherson, Sevastopol and the coastal cities are inside their unit's polygon."""
    got, _ = assign_admin1(np.array([lon]), np.array([lat]), load_default_boundaries(), coast_tolerance_km=0.0)
    assert got[0] == iso, name


def test_water_rule():
    """Water: the nearest land within 25 km decides (Ukraine: with its unit); farther out 'sea'; outside the window None."""
    boundaries = load_default_boundaries()
    odesa = boundaries.set_index("admin1_iso").geometry["UA-51"]
    union = shapely.union_all(boundaries.geometry.values)
    # walk south-east from Odesa until the point leaves the (territorial-sea) Odesa unit
    lats = np.linspace(46.40, 45.60, 400)
    lons = np.full_like(lats, 30.95)
    outside = ~shapely.contains_xy(union, lons, lats)
    first_out = int(np.argmax(outside))
    assert outside[first_out] and not shapely.contains_xy(odesa, lons[first_out], lats[first_out])
    country, iso, _ = assign_country(lons[[first_out]], lats[[first_out]], boundaries)
    assert (country[0], iso[0]) == ("UA", "UA-51"), "just outside the unit's sea boundary: coastal waters"
    country, iso, _ = assign_country(np.array([32.0, 2.35, np.nan]), np.array([43.0, 48.86, 46.0]), boundaries)
    assert country.tolist() == [SEA, None, None]
    assert iso.tolist() == [None, None, None]


def test_nearest_unit_rule_never_crosses_onto_foreign_land():
    """Points on Polish, Moldovan or Russian land a few km from Ukraine get that state and no oblast."""
    lon = np.array([23.9340, 22.70, 29.6433, 36.5983, 27.0850])
    lat = np.array([50.4706, 49.70, 46.8403, 50.5997, 48.3603])
    country, iso, _ = assign_country(lon, lat, load_default_boundaries())
    assert country.tolist() == ["PL", "PL", "MD", "RU", "MD"]
    assert all(i is None for i in iso)


def test_partial_layer_keeps_ukrainian_land_in_ukraine():
    """With a user layer covering only Kyiv city, Lviv is still Ukraine (reference land), without a unit."""
    kyiv = load_default_boundaries().query("admin1_iso == 'UA-30'")
    country, iso, _ = assign_country(np.array([24.0297, 30.5234]), np.array([49.8397, 50.4501]), kyiv)
    assert country.tolist() == ["UA", "UA"]
    assert iso.tolist() == [None, "UA-30"]


def test_enrichment_has_country_column():
    """enrich_incidents adds ``country``; Belgorod is Russia with no oblast, Kyiv is Ukraine, Kyiv city."""
    incidents = pd.DataFrame(
        {"lon": [36.5983, 30.5234, None], "lat": [50.5997, 50.4501, None], "date": pd.to_datetime(["2023-01-01"] * 3)}
    )
    out = enrich_incidents(incidents, load_default_boundaries(), None)
    assert out["country"].dtype == "string"
    assert out["country"].tolist()[:2] == ["RU", "UA"]
    assert pd.isna(out["country"].iloc[2])
    assert pd.isna(out["admin1_iso"].iloc[0]) and out["admin1_iso"].iloc[1] == "UA-30"


def test_country_assignment_is_vectorised_at_scale():
    """100,000 points spread over Ukraine and its neighbours: every point inside Ukraine's land gets 'UA'."""
    rng = np.random.default_rng(11)
    lon, lat = rng.uniform(20.0, 42.0, 100_000), rng.uniform(43.0, 54.0, 100_000)
    country, iso, _ = assign_country(lon, lat, load_default_boundaries())
    land = shapely.contains_xy(load_ukraine_land(), lon, lat)
    inside_units = pd.notna(iso)
    assert (country[inside_units] == "UA").all()
    assert pd.isna(iso[(country != "UA")]).all()
    # Natural Earth's land and the OpenStreetMap-based units disagree only in a border strip
    assert (country[land] == "UA").mean() > 0.99


def test_distance_statistics_keep_ukraine_and_count_what_they_leave_out():
    """Belgorod and Przewodów are not 'far from the front' in Ukraine; a chosen country stands."""
    import pandas as pd

    from geo.countries import keep_ukraine

    frame = pd.DataFrame({"incident_id": list("abcdef"), "country": ["UA", "RU", "UA", "PL", "sea", None]})
    kept, left_out = keep_ukraine(frame)
    assert list(kept["incident_id"]) == ["a", "c", "f"]  # unknown country stays: not known to be elsewhere
    assert left_out == {"RU": 1, "PL": 1, "sea": 1}
    chosen, none_left = keep_ukraine(frame, ("RU",))
    assert chosen is frame and none_left == {}
    whole, nothing = keep_ukraine(frame.drop(columns="country"))
    assert len(whole) == 6 and nothing == {}
