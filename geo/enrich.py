"""Derived columns: oblast by point-in-polygon and distance from the front on the incident's date."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import geopandas as gpd
import numpy as np
import pandas as pd

from geo.countries import assign_country
from geo.distance import compute_front_enrichment
from geo.schema import ENRICHMENT_COLUMNS


def enrich_incidents(
    incidents: pd.DataFrame, boundaries: gpd.GeoDataFrame, frontlines: gpd.GeoDataFrame | None
) -> pd.DataFrame:
    """Return a copy of ``incidents`` with :data:`geo.schema.ENRICHMENT_COLUMNS` (re)computed.

    ``country``, ``admin1_iso`` and ``admin1_name`` come from
    :func:`geo.countries.assign_country`: only points in Ukraine (or its coastal
    waters) get a unit; points on another state's land get that state and no unit. The front columns come from
    :func:`geo.distance.compute_front_enrichment`; they are missing (NaT / NaN /
    <NA>) when ``frontlines`` is None or for incidents dated before the first
    snapshot.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Needs ``lon``, ``lat`` and ``date``; other columns are kept as they are.
    boundaries : geopandas.GeoDataFrame
        First-level units (``admin1_iso``, ``admin1_name``, polygons).
    frontlines : geopandas.GeoDataFrame or None
        Front-line snapshots.

    Returns
    -------
    pandas.DataFrame
        Same rows and index, with the enrichment columns in their canonical dtypes.
    """
    out = incidents.copy(deep=False)  # copy-on-write (pandas 3): no column data is copied until changed
    lon = pd.to_numeric(out["lon"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    lat = pd.to_numeric(out["lat"], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    dates = pd.to_datetime(out["date"], errors="coerce").astype("datetime64[ns]").to_numpy()
    # the point-in-polygon work runs beside the front distance's threads (GEOS and numpy release the GIL)
    with ThreadPoolExecutor(max_workers=1) as pool:
        countries = pool.submit(assign_country, lon, lat, boundaries)
        front = compute_front_enrichment(lon, lat, dates, frontlines)
        country, iso, name = countries.result()
    out["country"] = pd.array(country, dtype="string")
    out["admin1_iso"] = pd.array(iso, dtype="string")
    out["admin1_name"] = pd.array(name, dtype="string")
    for column in ("front_snapshot_date", "front_distance_km", "in_occupied_territory", "distance_to_russia_km"):
        out[column] = front[column].to_numpy() if column != "in_occupied_territory" else front[column].array
    for column, (dtype, _) in ENRICHMENT_COLUMNS.items():
        out[column] = out[column].astype(dtype)
    return out
