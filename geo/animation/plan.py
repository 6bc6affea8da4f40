"""Which dates an animation shows, which incidents each frame holds and which front line applies.

Pure data: no drawing. A frame at date *d* with a window of *N* days holds the incidents dated
``d - N + 1 … d`` (both ends included). Incidents are sorted by date once, so each frame is a
slice found by binary search; the front-line snapshot in force is the rule used everywhere
(:func:`geo.frontlines.snapshot_index_for_dates`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from geo.frontlines import snapshot_index_for_dates
from geo.i18n import N_, TranslatedError

#: Allowed steps between frames.
STEPS = ("day", "week", "month")
#: Largest window (days) and number of frames accepted.
MAX_WINDOW_DAYS = 3660
MAX_FRAMES = 5000


class AnimationError(TranslatedError, ValueError):
    """The requested animation cannot be made (bad dates, step or window); the message says why."""


@dataclass(frozen=True)
class FramePlan:
    """One frame of an animation.

    Attributes
    ----------
    date : pandas.Timestamp
        The frame's date (last day of its window).
    window_start : pandas.Timestamp
        First day of the window.
    start, stop : int
        Slice of the date-sorted incidents that the window holds.
    snapshot : int
        Row of the front-line snapshot in force on ``date`` (-1: none yet).
    snapshot_date : pandas.Timestamp or None
        Date of that snapshot.
    seam : str or None
        Set on the first frame whose snapshot comes from another source or method than the
        previous frame's: the line may move because the mapping changed, not the front.
    """

    date: pd.Timestamp
    window_start: pd.Timestamp
    start: int
    stop: int
    snapshot: int
    snapshot_date: pd.Timestamp | None
    seam: str | None = None


def frame_dates(start, end, step: str) -> pd.DatetimeIndex:
    """Return the frame dates from ``start`` to ``end`` (inclusive) every ``step``.

    Parameters
    ----------
    start, end : date-like
        First and last day.
    step : {"day", "week", "month"}
        Distance between frames; months keep the day of month (clipped to the month's end).

    Returns
    -------
    pandas.DatetimeIndex
    """
    if step not in STEPS:
        raise AnimationError(N_("step must be one of {steps}, got {step}"), steps=", ".join(STEPS), step=repr(step))
    first, last = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    if pd.isna(first) or pd.isna(last):
        raise AnimationError(N_("the animation needs a start and an end date"))
    if last < first:
        raise AnimationError(N_("the end date {end} is before the start date {start}"), end=last.date(),
                             start=first.date())
    if step == "month":
        months = (last.year - first.year) * 12 + last.month - first.month
        dates = pd.DatetimeIndex([first + pd.DateOffset(months=k) for k in range(months + 1)])
        dates = dates[dates <= last]
    else:
        dates = pd.date_range(first, last, freq="D" if step == "day" else "7D")
    if len(dates) > MAX_FRAMES:
        raise AnimationError(N_("{frames} frames is more than the limit of {limit}: use a longer step"),
                             frames=len(dates), limit=MAX_FRAMES)
    return dates


def plan_frames(
    sorted_dates: np.ndarray,
    frontlines: pd.DataFrame | None,
    start,
    end,
    step: str = "week",
    window_days: int = 7,
) -> list[FramePlan]:
    """Plan every frame: its window's slice of the incidents and the snapshot in force.

    Parameters
    ----------
    sorted_dates : numpy.ndarray of datetime64
        Incident dates sorted ascending (NaT excluded).
    frontlines : pandas.DataFrame or None
        Snapshots with ``snapshot_date`` (and ``source``, ``method`` for seams).
    start, end : date-like
        First and last frame date.
    step : {"day", "week", "month"}
        Distance between frames.
    window_days : int
        Days of incidents each frame shows, ending on the frame's date.

    Returns
    -------
    list of FramePlan
    """
    if not 1 <= int(window_days) <= MAX_WINDOW_DAYS:
        raise AnimationError(N_("the window must be 1 to {limit} days, got {days}"), limit=MAX_WINDOW_DAYS,
                             days=str(window_days))
    dates = frame_dates(start, end, step)
    values = np.asarray(sorted_dates, dtype="datetime64[ns]")
    ends = (dates + pd.Timedelta(days=1)).to_numpy(dtype="datetime64[ns]")
    starts = (dates - pd.Timedelta(days=int(window_days) - 1)).to_numpy(dtype="datetime64[ns]")
    lo = np.searchsorted(values, starts, side="left")
    hi = np.searchsorted(values, ends, side="left")
    snaps = snapshot_index_for_dates(frontlines, dates.to_numpy())
    snap_dates = pd.to_datetime(frontlines["snapshot_date"]) if frontlines is not None else None
    plans: list[FramePlan] = []
    previous_key = None
    for k, date in enumerate(dates):
        snapshot = int(snaps[k])
        seam = None
        snapshot_date = None
        if snapshot >= 0:
            row = frontlines.iloc[snapshot]
            snapshot_date = pd.Timestamp(snap_dates.iloc[snapshot])
            key = (str(row.get("source", "")), str(row.get("method", "")))
            if previous_key is not None and key != previous_key:
                seam = f"{previous_key[0]} ({previous_key[1]}) → {key[0]} ({key[1]})"
            previous_key = key
        plans.append(
            FramePlan(
                date=pd.Timestamp(date),
                window_start=pd.Timestamp(starts[k]),
                start=int(lo[k]),
                stop=int(hi[k]),
                snapshot=snapshot,
                snapshot_date=snapshot_date,
                seam=seam,
            )
        )
    return plans
