"""Country (ISO 3166-1) and, inside Ukraine, first-level unit of every point.

The rule (``docs/GEOMETRY.md``, "Country and oblast"):

1. a point inside a unit of the admin-1 layer in use is in **Ukraine**, in that
   unit (several units: the smallest wins, as in :func:`geo.boundaries.assign_admin1`);
2. else a point on the land of another state of the bundled Natural Earth layer
   (:func:`geo.boundaries.load_countries`) is in **that state**, with no oblast;
3. else a point on Ukraine's land (the Natural Earth reference land layer) that
   the admin-1 layer in use leaves out: when that layer has all 27 units, the
   point lies in a strip between the two sources' borders and goes to the
   nearest other state within :data:`COASTAL_WATERS_KM` (the admin-1 layer,
   from OpenStreetMap, draws the border more accurately); when the layer is
   partial, or no other state is that near, it is in Ukraine, in the nearest
   unit within :data:`COASTAL_WATERS_KM` (or none);
4. else (water, or a gap between two sources' borders) the **nearest land** within
   :data:`COASTAL_WATERS_KM` decides: a Ukrainian unit gives Ukraine and that unit,
   another state gives that state; ties within 1 m go to Ukraine;
5. else ``"sea"`` inside the bundled window (:data:`geo.boundaries.NEIGHBOUR_WINDOW`),
   and missing (None) outside it or for non-finite coordinates.
"""

from __future__ import annotations

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from geo.admin1 import ADMIN1
from geo.boundaries import (
    NEIGHBOUR_WINDOW,
    _tie_priority,
    assign_admin1,
    load_countries,
    load_ukraine_land,
    nearest_within,
)

#: Water within this distance of land belongs to the nearest land's state (territorial sea is
#: 12 nautical miles = 22.2 km; a little more absorbs coarse shorelines).
COASTAL_WATERS_KM = 25.0
#: ``country`` value of points in the water farther than :data:`COASTAL_WATERS_KM` from land.
SEA = "sea"
UKRAINE = "UA"


def assign_country(
    lon, lat, boundaries: gpd.GeoDataFrame, countries: gpd.GeoDataFrame | None = None, coastal_km: float = COASTAL_WATERS_KM
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Assign each point its country and, in Ukraine, its first-level unit; vectorised.

    Parameters
    ----------
    lon, lat : array_like
        Coordinates in degrees (EPSG:4326).
    boundaries : geopandas.GeoDataFrame
        Ukraine's first-level units (``admin1_iso``, ``admin1_name``, polygons).
    countries : geopandas.GeoDataFrame, optional
        Other states (``iso_a2``, polygons); default the bundled layer.
    coastal_km : float
        Water within this geodesic distance of land takes the nearest land's state.

    Returns
    -------
    country, iso, name : numpy.ndarray of object
        ISO 3166-1 alpha-2 code (``"UA"``, ``"RU"``, ...), ``"sea"`` or None;
        ISO 3166-2 code and English name of the Ukrainian unit, None outside
        Ukraine (and for Ukrainian points with no unit within ``coastal_km``).
    """
    x = np.asarray(lon, dtype="float64").ravel()
    y = np.asarray(lat, dtype="float64").ravel()
    if countries is None:
        countries = load_countries()
    if boundaries.crs is not None and not boundaries.crs.equals("EPSG:4326"):
        boundaries = boundaries.to_crs("EPSG:4326")
    iso, name = assign_admin1(x, y, boundaries, coast_tolerance_km=0.0)
    country = np.where(iso != None, UKRAINE, None).astype(object)  # noqa: E711 - elementwise on an object array
    finite = np.isfinite(x) & np.isfinite(y)
    rest = np.flatnonzero(finite & (country == None))  # noqa: E711
    if rest.size == 0:
        return country, iso, name
    foreign = np.asarray(countries.geometry.values, dtype=object)
    codes = countries["iso_a2"].astype(object).to_numpy()
    bounds = shapely.bounds(foreign) if len(foreign) else np.empty((0, 4))
    for k, geometry in enumerate(foreign):
        minx, miny, maxx, maxy = bounds[k]
        sel = rest[(x[rest] >= minx) & (x[rest] <= maxx) & (y[rest] >= miny) & (y[rest] <= maxy) & (country[rest] == None)]  # noqa: E711
        if sel.size:
            shapely.prepare(geometry)
            country[sel[shapely.contains_xy(geometry, x[sel], y[sel])]] = codes[k]
    rest = rest[country[rest] == None]  # noqa: E711
    if rest.size == 0:
        return country, iso, name
    units = np.asarray(boundaries.geometry.values, dtype=object)
    unit_iso = boundaries["admin1_iso"].astype(object).to_numpy()
    unit_name = boundaries["admin1_name"].astype(object).to_numpy()
    tolerance = coastal_km * 1000.0
    near_unit, d_unit = nearest_within(x[rest], y[rest], units, _tie_priority(units, unit_iso), tolerance)
    if len(foreign):
        near_state, d_state = nearest_within(x[rest], y[rest], foreign, np.arange(len(foreign)), tolerance)
    else:
        near_state, d_state = np.full(rest.size, -1), np.full(rest.size, np.inf)
    on_land = shapely.contains_xy(load_ukraine_land(), x[rest], y[rest])
    if set(ADMIN1) <= set(unit_iso):
        # the admin-1 layer (OpenStreetMap-based) draws the state border more accurately than the
        # Natural Earth land layer: land it leaves out lies across the border
        on_land &= near_state < 0
    to_ukraine = on_land | (~on_land & (near_unit >= 0) & (d_unit <= d_state + 1.0))
    with_unit = to_ukraine & (near_unit >= 0)
    country[rest[to_ukraine]] = UKRAINE
    iso[rest[with_unit]] = unit_iso[near_unit[with_unit]]
    name[rest[with_unit]] = unit_name[near_unit[with_unit]]
    to_state = ~to_ukraine & (near_state >= 0)
    country[rest[to_state]] = codes[near_state[to_state]]
    west, south, east, north = NEIGHBOUR_WINDOW
    open_water = ~to_ukraine & ~to_state & (x[rest] >= west) & (x[rest] <= east) & (y[rest] >= south) & (y[rest] <= north)
    country[rest[open_water]] = SEA
    return country, iso, name


def keep_ukraine(frame: pd.DataFrame, chosen_countries: tuple[str, ...] = ()) -> tuple[pd.DataFrame, dict[str, int]]:
    """Return the rows distance-from-the-front statistics are about, and what was left out.

    Distances to the line of contact describe the war inside Ukraine; a strike on Belgorod or a
    missile that fell in Poland is not "far behind the front" in Ukraine. By default the rows
    of other countries and of the open sea are left out (and counted, so a page can say so);
    when the user has chosen countries in the filters, their choice stands.

    Parameters
    ----------
    frame : pandas.DataFrame
        Filtered incidents with a ``country`` column (older data directories without one are
        returned whole).
    chosen_countries : tuple of str
        The country filter (empty: no choice made).

    Returns
    -------
    tuple of (pandas.DataFrame, dict of str to int)
        The rows kept, and the number of rows left out per country code (``"sea"`` for the
        open sea), largest first. Rows whose country is unknown stay: they are not known to
        lie elsewhere.
    """
    if chosen_countries or "country" not in frame.columns or frame.empty:
        return frame, {}
    country = frame["country"].astype("string")
    elsewhere = (country.notna() & (country != UKRAINE)).to_numpy(dtype=bool)
    if not elsewhere.any():
        return frame, {}
    left_out = country[elsewhere].value_counts()
    return frame.loc[~elsewhere], {str(k): int(v) for k, v in left_out.items()}
