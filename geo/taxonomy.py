"""Canonical taxonomies shared by every importer, filter and chart.

Each taxonomy is an ordered mapping from a stable machine code (stored in the
incident table) to an English label (shown in the UI and in exports). The
crosswalks from each publisher's own vocabulary live with that publisher's
importer in :mod:`geo.sources` and are documented in ``docs/TAXONOMIES.md``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

TARGET_TYPES: dict[str, str] = {
    "residential": "Residential",
    "education": "Education (schools, kindergartens, universities)",
    "healthcare": "Healthcare",
    "energy": "Energy",
    "water": "Water and sanitation",
    "transport": "Transport (rail, roads, ports, bridges)",
    "commercial": "Commercial (shops, markets, offices)",
    "industrial": "Industrial",
    "agriculture_food": "Agriculture and food",
    "cultural": "Cultural (museums, theatres, heritage)",
    "religious": "Religious",
    "government": "Government and administrative",
    "humanitarian": "Humanitarian (aid, shelters, evacuation)",
    "military": "Military",
    "other": "Other",
    "unknown": "Unknown",
}

# Bellingcat reports incendiary and thermobaric munitions and vehicle-mounted
# weapons often enough that folding them into "other" would hide them, and
# ACLED/UCDP frequently say only "missile" or "artillery"; the *_unspecified
# codes keep that honest instead of guessing a sub-type.
WEAPONS: dict[str, str] = {
    "cruise_missile": "Cruise missile",
    "ballistic_missile": "Ballistic missile",
    "anti_aircraft_missile": "Anti-aircraft missile used on ground targets",
    "missile_unspecified": "Missile (type not stated)",
    "drone": "Drone / loitering munition",
    "aerial_bomb": "Aerial bomb (guided or unguided)",
    "air_strike_unspecified": "Air strike (munition not stated)",
    "rocket_artillery": "Rocket artillery (MLRS)",
    "tube_artillery": "Tube artillery and mortars",
    "artillery_unspecified": "Artillery / shelling (type not stated)",
    "cluster_munition": "Cluster munition",
    "incendiary": "Incendiary munition",
    "thermobaric": "Thermobaric munition",
    "small_arms": "Small arms and light weapons",
    "mine": "Mine / explosive remnant",
    "other": "Other",
    "unknown": "Unknown",
}

EVENT_TYPES: dict[str, str] = {
    "missile_strike": "Missile strike",
    "air_strike": "Air strike",
    "drone_strike": "Drone strike",
    "shelling": "Shelling / artillery",
    "battle": "Armed clash / battle",
    "attack_on_civilians": "Attack on civilians",
    "explosion": "Explosion / remote violence",
    "mine": "Mine / explosive remnant",
    "protest": "Protest / riot",
    "other": "Other",
}

DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "unknown")
GEO_PRECISIONS: tuple[str, ...] = ("exact", "near", "area", "region", "unknown")
PRECISE_GEO: frozenset[str] = frozenset({"exact", "near"})


def label(code: str, taxonomy: dict[str, str]) -> str:
    """Return the display label of ``code`` in ``taxonomy``.

    Parameters
    ----------
    code : str
        Machine code as stored in the incident table.
    taxonomy : dict
        One of :data:`TARGET_TYPES`, :data:`WEAPONS`, :data:`EVENT_TYPES`.

    Returns
    -------
    str
        The label, or the code itself when it is not in the taxonomy.
    """
    return taxonomy.get(code, code)


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def bits_from_lists(values, taxonomy: dict[str, str]) -> np.ndarray:
    """Return one int64 bit set per list of taxonomy codes, vectorised with pyarrow (no Python loop).

    Parameters
    ----------
    values : pandas.Series, pyarrow.Array or pyarrow.ChunkedArray
        Lists of codes (None = empty); codes outside ``taxonomy`` count as ``"other"``.
    taxonomy : dict
        :data:`geo.taxonomy.TARGET_TYPES` or :data:`geo.taxonomy.WEAPONS`.

    Returns
    -------
    numpy.ndarray
        int64 bit sets (bit ``i`` = the ``i``-th code of ``taxonomy``).
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    if not isinstance(values, pa.Array):
        if len(values) == 0:
            return np.zeros(0, dtype=np.int64)
        try:
            values = pa.array(values, type=pa.list_(pa.string()), from_pandas=True)
        except pa.ArrowNotImplementedError:
            # an all-null or float-typed column (e.g. read back from an empty table)
            values = pa.array([None if _is_missing(v) else list(v) for v in values], type=pa.list_(pa.string()))
    if not pa.types.is_list(values.type) and not pa.types.is_large_list(values.type):
        raise TypeError(f"expected a list column, got {values.type}")
    bits = np.zeros(len(values), dtype=np.int64)
    flat = pc.list_flatten(values)
    if len(flat) == 0:
        return bits
    codes = list(taxonomy)
    index = pc.index_in(flat.cast(pa.string()), value_set=pa.array(codes, type=pa.string()))
    index = pc.fill_null(index, codes.index("other")).to_numpy(zero_copy_only=False).astype(np.int64)
    parents = pc.list_parent_indices(values).to_numpy(zero_copy_only=False)
    np.bitwise_or.at(bits, parents, np.left_shift(np.int64(1), index))
    return bits


def bitmask(codes: Iterable[str], taxonomy: dict[str, str]) -> int:
    """Return the bit set of ``codes`` in ``taxonomy`` (as :func:`bits_from_lists` sets them).

    Parameters
    ----------
    codes : iterable of str
        Taxonomy codes.
    taxonomy : dict
        :data:`geo.taxonomy.TARGET_TYPES` or :data:`geo.taxonomy.WEAPONS`.

    Returns
    -------
    int
        Bit set.
    """
    index = {code: i for i, code in enumerate(taxonomy)}
    value = 0
    for code in codes:
        if code in index:
            value |= 1 << index[code]
    return value
