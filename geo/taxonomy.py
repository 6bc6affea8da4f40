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

from geo.i18n import N_, translator

TARGET_TYPES: dict[str, str] = {
    "residential": N_("Residential"),
    "education": N_("Education (schools, kindergartens, universities)"),
    "healthcare": N_("Healthcare"),
    "energy": N_("Energy"),
    "water": N_("Water and sanitation"),
    "transport": N_("Transport (rail, roads, ports, bridges)"),
    "commercial": N_("Commercial (shops, markets, offices)"),
    "industrial": N_("Industrial"),
    "agriculture_food": N_("Agriculture and food"),
    "cultural": N_("Cultural (museums, theatres, heritage)"),
    "religious": N_("Religious"),
    "government": N_("Government and administrative"),
    "humanitarian": N_("Humanitarian (aid, shelters, evacuation)"),
    "military": N_("Military"),
    "other": N_("Other"),
    "unknown": N_("Unknown"),
}

# Bellingcat reports incendiary and thermobaric munitions and vehicle-mounted
# weapons often enough that folding them into "other" would hide them, and
# ACLED/UCDP frequently say only "missile" or "artillery"; the *_unspecified
# codes keep that honest instead of guessing a sub-type.
WEAPONS: dict[str, str] = {
    "cruise_missile": N_("Cruise missile"),
    "ballistic_missile": N_("Ballistic missile"),
    "anti_aircraft_missile": N_("Anti-aircraft missile used on ground targets"),
    "missile_unspecified": N_("Missile (type not stated)"),
    "drone": N_("Drone / loitering munition"),
    "aerial_bomb": N_("Aerial bomb (guided or unguided)"),
    "air_strike_unspecified": N_("Air strike (munition not stated)"),
    "rocket_artillery": N_("Rocket artillery (MLRS)"),
    "tube_artillery": N_("Tube artillery and mortars"),
    "artillery_unspecified": N_("Artillery / shelling (type not stated)"),
    "cluster_munition": N_("Cluster munition"),
    "incendiary": N_("Incendiary munition"),
    "thermobaric": N_("Thermobaric munition"),
    "small_arms": N_("Small arms and light weapons"),
    "mine": N_("Mine / explosive remnant"),
    "other": N_("Other"),
    "unknown": N_("Unknown"),
}

EVENT_TYPES: dict[str, str] = {
    "missile_strike": N_("Missile strike"),
    "air_strike": N_("Air strike"),
    "drone_strike": N_("Drone strike"),
    "shelling": N_("Shelling / artillery"),
    "battle": N_("Armed clash / battle"),
    "attack_on_civilians": N_("Attack on civilians"),
    "explosion": N_("Explosion / remote violence"),
    "mine": N_("Mine / explosive remnant"),
    "protest": N_("Protest / riot"),
    "other": N_("Other"),
}

DATE_PRECISIONS: tuple[str, ...] = ("day", "week", "month", "unknown")
GEO_PRECISIONS: tuple[str, ...] = ("exact", "near", "area", "region", "unknown")
PRECISE_GEO: frozenset[str] = frozenset({"exact", "near"})
#: Location precision in words (catalogue messages).
GEO_PRECISION_WORDS: dict[str, str] = {
    "exact": N_("exact"),
    "near": N_("near a named place"),
    "area": N_("within an area"),
    "region": N_("region only"),
    "unknown": N_("unknown"),
}


def label(code: str, taxonomy: dict[str, str], lang: str = "en") -> str:
    """Return the display label of ``code`` in ``taxonomy``, in ``lang``.

    Parameters
    ----------
    code : str
        Machine code as stored in the incident table.
    taxonomy : dict
        One of :data:`TARGET_TYPES`, :data:`WEAPONS`, :data:`EVENT_TYPES` (or any mapping of codes
        to catalogue messages, e.g. :data:`geo.scope.EVENT_CATEGORIES`).
    lang : str
        Language of the label (a key of :data:`geo.i18n.LANGUAGES`; English by default).

    Returns
    -------
    str
        The label, or the code itself when it is not in the taxonomy (a code is data, never
        translated).
    """
    text = taxonomy.get(code)
    if text is None:
        return code
    return translator(lang)(text)


def short_label(code: str, taxonomy: dict[str, str], lang: str = "en") -> str:
    """Return :func:`label` without its examples in parentheses ("Education", not "Education (schools, …)").

    The short form that filter descriptions and the map's legend and popups use; charts show the long one.

    Parameters
    ----------
    code, taxonomy, lang
        As for :func:`label`.

    Returns
    -------
    str
        The label up to its first `` (``; the code itself when it is not in the taxonomy.
    """
    return label(code, taxonomy, lang).split(" (")[0]


def _is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value))


def _list_array(values) -> pa.Array:
    """Return ``values`` (a Series of lists, Arrow-backed or Python objects, or Arrow) as one Arrow list array."""
    if not isinstance(values, (pa.Array, pa.ChunkedArray)):
        try:
            values = pa.array(values, type=pa.list_(pa.string()), from_pandas=True)
        except pa.ArrowNotImplementedError:
            # an all-null or float-typed column (e.g. read back from an empty table)
            values = pa.array([None if _is_missing(v) else list(v) for v in values], type=pa.list_(pa.string()))
    if isinstance(values, pa.ChunkedArray):  # Arrow-backed pandas columns come back chunked
        values = values.combine_chunks() if values.num_chunks else pa.array([], type=values.type)
    if not pa.types.is_list(values.type) and not pa.types.is_large_list(values.type):
        raise TypeError(f"expected a list column, got {values.type}")
    return values


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
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    values = _list_array(values)
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


def first_code_index(values, taxonomy: dict[str, str], empty: str = "unknown") -> np.ndarray:
    """Return the position in ``taxonomy`` of each list's first code, vectorised with pyarrow.

    Parameters
    ----------
    values : pandas.Series, pyarrow.Array or pyarrow.ChunkedArray
        Lists of codes (None = empty).
    taxonomy : dict
        :data:`geo.taxonomy.TARGET_TYPES` or :data:`geo.taxonomy.WEAPONS` (both hold ``"other"``).
    empty : str
        Code given to an empty list (and to None).

    Returns
    -------
    numpy.ndarray
        int16 positions; a first code outside ``taxonomy`` (a missing element included) gives
        the position of ``"other"``.
    """
    codes = list(taxonomy)
    result = np.full(len(values), codes.index(empty), dtype=np.int16)
    if len(values) == 0:
        return result
    values = _list_array(values)
    flat = pc.list_flatten(values)
    if len(flat) == 0:
        return result
    parents = pc.list_parent_indices(values).to_numpy(zero_copy_only=False)
    first = np.r_[True, parents[1:] != parents[:-1]]
    index = pc.index_in(flat.cast(pa.string()), value_set=pa.array(codes, type=pa.string()))
    index = pc.fill_null(index, codes.index("other")).to_numpy(zero_copy_only=False)
    result[parents[first]] = index[first]
    return result


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
