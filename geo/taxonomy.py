"""Canonical taxonomies shared by every importer, filter and chart.

Each taxonomy is an ordered mapping from a stable machine code (stored in the
incident table) to an English label (shown in the UI and in exports). The
crosswalks from each publisher's own vocabulary live with that publisher's
importer in :mod:`geo.sources` and are documented in ``docs/TAXONOMIES.md``.
"""

from __future__ import annotations

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
