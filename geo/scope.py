"""Event categories and the civilian-harm scope.

Every record gets one ``event_category`` from its source's own coding (the crosswalk per
source is in ``docs/TAXONOMIES.md``). The default view of the app is *civilian harm*
(:data:`CIVILIAN_HARM`): strikes and shelling that hit civilian places, and attacks on
civilians. Battles, protests, strikes on military or unstated targets and other events are
one click away.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from geo.i18n import N_, translator

EVENT_CATEGORIES: dict[str, str] = {
    "strike_civilian": N_("Strikes and shelling on civilian places"),
    "attack_civilians": N_("Attacks on civilians"),
    "strike_military": N_("Strikes on military or unstated targets"),
    "battle": N_("Battles and armed clashes"),
    "protest": N_("Protests and riots"),
    "other": N_("Other"),
}

#: The default scope: what "civilian harm" means in this app.
CIVILIAN_HARM: tuple[str, ...] = ("strike_civilian", "attack_civilians")

REMOTE_TYPES: frozenset[str] = frozenset(
    {"missile_strike", "air_strike", "drone_strike", "shelling", "explosion", "mine"}
)
#: Target types that make a strike one "on civilian places".
CIVILIAN_TARGETS: frozenset[str] = frozenset(
    {"residential", "education", "healthcare", "energy", "water", "transport", "commercial", "industrial",
     "agriculture_food", "cultural", "religious", "government", "humanitarian"}
)


def _first_target_loop(targets: pd.Series) -> np.ndarray:
    return np.array([str(v[0]) if v is not None and not isinstance(v, float) and len(v) else "unknown"
                     for v in targets.to_numpy(dtype=object)], dtype=object)


def _any_civilian_target_loop(targets: pd.Series) -> np.ndarray:
    return np.fromiter(
        (v is not None and not isinstance(v, float) and any(str(t) in CIVILIAN_TARGETS for t in v)
         for v in targets.to_numpy(dtype=object)),
        dtype=bool, count=len(targets),
    )


def _target_flags(targets: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """First target code of each record ("unknown" when none) and whether any target is civilian.

    Vectorised with pyarrow (one conversion of the list column, then flat arrays); values
    that are not lists of strings (a text cell, say) take the per-row rules instead, which
    give the same answers.
    """
    n = len(targets)
    values = targets.to_numpy(dtype=object)
    try:
        lists = pa.array(values, type=pa.list_(pa.string()), from_pandas=True)
    except (pa.ArrowException, TypeError, ValueError):
        return _first_target_loop(targets), _any_civilian_target_loop(targets)
    primary = np.full(n, "unknown", dtype=object)
    civilian = np.zeros(n, dtype=bool)
    flat = pc.list_flatten(lists)
    if len(flat) == 0:
        return primary, civilian
    parents = pc.list_parent_indices(lists).to_numpy(zero_copy_only=False)
    text = pc.fill_null(flat, "None")  # str(None), as the per-row rule reads a missing element
    first = np.r_[True, parents[1:] != parents[:-1]]
    primary[parents[first]] = text.to_numpy(zero_copy_only=False)[first]
    hit = pc.is_in(text, value_set=pa.array(sorted(CIVILIAN_TARGETS), type=pa.string())).to_numpy(zero_copy_only=False)
    civilian[parents[hit]] = True
    return primary, civilian


def assign_event_category(incidents: pd.DataFrame) -> np.ndarray:
    """Return the event category of each record (codes of :data:`EVENT_CATEGORIES`).

    Rules, in order (details and the per-source crosswalk in docs/TAXONOMIES.md):

    - ``protest`` event type -> ``protest``; ``battle`` -> ``battle``, except UCDP
      state-based or non-state events with civilian deaths (``civilians_killed`` > 0),
      which are ``attack_civilians``.
    - ``attack_on_civilians`` -> ``attack_civilians``.
    - Strikes, shelling, explosions and mines (remote violence) -> ``strike_civilian`` when the
      primary target is not military and either the source documents civilian harm
      (Bellingcat, curated, generic files), ACLED flags civilian targeting, a civilian
      target type was found, or UCDP reports civilian deaths; otherwise ``strike_military``.
    - Anything else -> ``other``.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents (``source``, ``event_type``, ``target_types``, ``target_raw``,
        and ``civilians_killed`` when present).

    Returns
    -------
    numpy.ndarray
        object array of category codes.
    """
    n = len(incidents)
    if n == 0:
        return np.zeros(0, dtype=object)
    source = incidents["source"].astype("string").fillna("").to_numpy(dtype=object)
    etype = incidents["event_type"].astype("string").fillna("other").to_numpy(dtype=object)
    targets = incidents["target_types"] if "target_types" in incidents.columns else pd.Series([[]] * n)
    primary, civilian_target = _target_flags(targets)
    raw_target = incidents["target_raw"].astype("string").fillna("") if "target_raw" in incidents.columns else pd.Series([""] * n)
    acled_civilian = (source == "acled") & raw_target.str.contains("civilian", case=False, regex=False).to_numpy(dtype=bool)
    if "civilians_killed" in incidents.columns:
        civ_deaths = pd.to_numeric(incidents["civilians_killed"], errors="coerce").fillna(0).to_numpy(dtype=np.float64) > 0
    else:
        civ_deaths = np.zeros(n, dtype=bool)
    is_ucdp = source == "ucdp"
    is_acled = source == "acled"
    remote = np.isin(etype, list(REMOTE_TYPES))
    military = primary == "military"
    # Publishers whose every record documents harm to civilians; ACLED and UCDP record all
    # political violence, so they need a civilian signal.
    harm_source = ~(is_ucdp | is_acled)
    civilian_strike = ~military & (harm_source | acled_civilian | civilian_target | civ_deaths)
    if is_ucdp.any():
        # UCDP codes no targets; without civilian deaths a UCDP strike is a strike on a
        # military or unstated target even when a headline keyword named a place.
        civilian_strike &= ~is_ucdp | civ_deaths
    out = np.full(n, "other", dtype=object)
    out[remote & civilian_strike] = "strike_civilian"
    out[remote & ~civilian_strike] = "strike_military"
    out[etype == "attack_on_civilians"] = "attack_civilians"
    battle = etype == "battle"
    out[battle] = "battle"
    out[battle & is_ucdp & civ_deaths] = "attack_civilians"
    out[etype == "protest"] = "protest"
    return out


def describe_categories(categories: tuple[str, ...], lang: str = "en") -> str:
    """Return the scope in words, e.g. ``"civilian harm (strikes ...; attacks on civilians)"``.

    Parameters
    ----------
    categories : tuple of str
        Selected category codes; empty means every category.
    lang : str
        Language of the words (``geo.i18n.LANGUAGES``).

    Returns
    -------
    str
        Plain-language description for captions and exports.
    """
    _ = translator(lang)
    if not categories or set(categories) >= set(EVENT_CATEGORIES):
        return _("all event categories")
    if tuple(sorted(categories)) == tuple(sorted(CIVILIAN_HARM)):
        return _("civilian harm only (battles, protests, military and other events excluded)")
    return _("categories: {names}", names=", ".join(_(EVENT_CATEGORIES[c]) if c in EVENT_CATEGORIES else c
                                                     for c in categories))
