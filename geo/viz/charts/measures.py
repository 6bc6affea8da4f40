"""What a chart counts (incidents, killed, injured, casualties) and over which periods."""

from __future__ import annotations

import pandas as pd

from geo.i18n import N_, Translator
from geo.taxonomy import TARGET_TYPES, WEAPONS

MEASURES: dict[str, str] = {
    "incidents": N_("Incidents"),
    "killed": N_("Killed (reported)"),
    "injured": N_("Injured (reported)"),
    "casualties": N_("Killed and injured (reported)"),
}
FREQUENCIES: dict[str, tuple[str, str]] = {
    "day": ("D", N_("Day")),
    "week": ("W-MON", N_("Week")),
    "month": ("MS", N_("Month")),
}
#: A period as written in running text ("per month", "one frame every week").
PERIOD_WORDS: dict[str, str] = {"day": N_("day"), "week": N_("week"), "month": N_("month")}
GROUPINGS: dict[str, tuple[str, dict[str, str]]] = {
    "target_types": (N_("Target type"), TARGET_TYPES),
    "weapons": (N_("Weapon"), WEAPONS),
}


def _measure_values(frame: pd.DataFrame, measure: str) -> pd.Series:
    if measure not in MEASURES:
        raise ValueError(f"unknown measure {measure!r}; choose one of {sorted(MEASURES)}")
    if measure == "incidents":
        return pd.Series(1, index=frame.index, dtype="int64")
    if measure == "casualties":
        return frame["killed"].fillna(0).astype("int64") + frame["injured"].fillna(0).astype("int64")
    return frame[measure].fillna(0).astype("int64")


def _period_index(dates: pd.Series, freq: str) -> pd.Series:
    if freq not in FREQUENCIES:
        raise ValueError(f"unknown frequency {freq!r}; choose day, week or month")
    dates = pd.to_datetime(dates)
    if freq == "day":
        return dates.dt.normalize()
    if freq == "week":
        return (dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")).dt.normalize()
    return dates.dt.to_period("M").dt.to_timestamp()


def _full_period_range(periods: pd.Series, freq: str) -> pd.DatetimeIndex:
    if periods.empty:
        return pd.DatetimeIndex([])
    return pd.date_range(periods.min(), periods.max(), freq=FREQUENCIES[freq][0])


def _period_word(freq: str, _: Translator) -> str:
    """Return the period as written in running text ("month" in "Incidents per month")."""
    return _(PERIOD_WORDS[freq])
