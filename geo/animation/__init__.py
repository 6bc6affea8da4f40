"""Animations of the war over time: frames planned from the data, drawn offline, streamed to an encoder.

``python -m geo animate DIR --out film.mp4 --from 2022-03-01 --to 2025-08-01 --step week --window 7``
and the Map page's export button both call :func:`make_animation`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from geo.animation.encode import EncoderError, FrameWriter
from geo.animation.plan import STEPS, AnimationError, FramePlan, frame_dates, plan_frames
from geo.animation.render import FrameRenderer, FrameText, render_card, show_date, target_classes
from geo.filters import Filters, filter_mask, prepare_columns
from geo.i18n import N_, Translator, translator
from geo.viz.charts.measures import PERIOD_WORDS

#: Title of every frame and of the title card unless another is given.
DEFAULT_TITLE = N_("Civilian harm in Ukraine, against the front line")

__all__ = [
    "STEPS",
    "AnimationError",
    "EncoderError",
    "FramePlan",
    "AnimationResult",
    "frame_dates",
    "plan_frames",
    "make_animation",
    "window_counts",
]


@dataclass(frozen=True)
class AnimationResult:
    """What was written: the film, its frame count (cards included) and the per-frame plan."""

    path: Path
    frames: int
    plans: tuple[FramePlan, ...]
    counts: tuple[int, ...]
    unit: str


def _credit(source: Mapping, _: Translator) -> str:
    name = str(source.get("name") or source.get("key") or _("unnamed source"))
    licence = str(source.get("licence") or _("licence not stated"))
    return f"{name} ({licence})"


#: What a film counts, as a heading ("Events: …") and in running text ("shows the events of …").
UNIT_WORDS = {"events": (N_("Events"), N_("events")), "incidents": (N_("Incidents"), N_("incidents"))}


def _card_lines(unit: str, step: str, window_days: int, first, last, filters: str, total: int,
                _: Translator) -> list[str]:
    """Return the title card's paragraphs: period and frame rule, filters, how many match."""
    heading, running = (_(word) for word in UNIT_WORDS[unit])
    every, start, end = _(PERIOD_WORDS.get(step, step)), show_date(first, _), show_date(last, _)
    rule = _.ngettext(
        "{start} to {end}, one frame every {step}; each frame shows the {what} of the last {n} day and the "
        "front line as mapped on the latest snapshot before that date.",
        "{start} to {end}, one frame every {step}; each frame shows the {what} of the last {n} days and the "
        "front line as mapped on the latest snapshot before that date.", window_days,
        start=start, end=end, step=every, what=running)
    return [rule, _("Filters: {filters}", filters=filters),
            _("{what} matching the filters in this period: {total}", what=heading, total=total)]


def _count_lines(unit: str, count: int, total: int, window_days: int, first, last, _: Translator) -> dict[str, str]:
    """Return the frame panel's two counts: this frame's window and the whole film."""
    heading, start, end = _(UNIT_WORDS[unit][0]), show_date(first, _), show_date(last, _)
    return {
        "window": _.ngettext("{what} in the last {n} day: {count}", "{what} in the last {n} days: {count}",
                             window_days, what=heading, count=count),
        "total": _("{what} in the whole film ({start} – {end}): {total}", what=heading, total=total,
                   start=start, end=end),
    }


def window_counts(plans: Sequence[FramePlan], event_ids: np.ndarray | None) -> list[int]:
    """Return how many incidents (or distinct events when ``event_ids`` is given) each frame's window holds.

    Parameters
    ----------
    plans : sequence of FramePlan
        Frames over the date-sorted incidents.
    event_ids : numpy.ndarray or None
        Event id of each date-sorted incident; None counts records.

    Returns
    -------
    list of int
    """
    if event_ids is None:
        return [plan.stop - plan.start for plan in plans]
    return [len(pd.unique(event_ids[plan.start:plan.stop])) for plan in plans]


def make_animation(
    incidents: pd.DataFrame,
    filters: Filters,
    out: Path,
    *,
    boundaries,
    frontlines=None,
    neighbours=None,
    sources: Sequence[Mapping] = (),
    data_date: str = "",
    start=None,
    end=None,
    step: str = "week",
    window_days: int = 7,
    fps: float = 4.0,
    size: tuple[int, int] = (1280, 720),
    png_dir: Path | None = None,
    title: str | None = None,
    card_seconds: float = 2.0,
    progress: Callable[[int, int], None] | None = None,
    lang: str = "en",
) -> AnimationResult:
    """Render an animation of the filtered incidents over time and write it to ``out``.

    Parameters
    ----------
    incidents : pandas.DataFrame
        Canonical incidents (:data:`geo.schema.ALL_COLUMNS`).
    filters : Filters
        Filters applied to every frame (their date range also bounds the film by default).
    out : Path
        ``.mp4`` (H.264) or ``.gif``.
    boundaries : geopandas.GeoDataFrame
        Admin-1 outlines.
    frontlines : geopandas.GeoDataFrame, optional
        Snapshots; the one in force on each frame's date is drawn.
    neighbours : shapely.Geometry, optional
        Neighbouring states.
    sources : sequence of dict
        Manifest sources (name, licence) for the credits on every frame.
    data_date : str
        "Data as of" date.
    start, end : date-like, optional
        First and last frame date (default: the filtered data's first and last date).
    step : {"day", "week", "month"}
        Distance between frames.
    window_days : int
        Days of incidents on each frame, ending on its date.
    fps : float
        Frames per second.
    size : tuple of int
        Frame size in pixels.
    png_dir : Path, optional
        Also write every frame as a PNG file there.
    title : str, optional
        Title on every frame and the title card (:data:`DEFAULT_TITLE` in ``lang`` by default).
    card_seconds : float
        How long the title and end cards stay.
    progress : callable, optional
        ``progress(done, total)`` after each map frame.
    lang : str
        Language of every word on the frames and cards (``"en"`` or ``"uk"``): titles, dates,
        legend, counts, city names, credits' wording.

    Returns
    -------
    AnimationResult
    """
    if not 0.5 <= float(fps) <= 60:
        raise AnimationError(N_("fps must be between 0.5 and 60, got {fps}"), fps=str(fps))
    if size[0] % 2 or size[1] % 2 or not (320 <= size[0] <= 3840 and 180 <= size[1] <= 2160):
        raise AnimationError(N_("the frame size must be even, 320×180 to 3840×2160, got {size}"),
                             size=f"{size[0]}×{size[1]}")
    columns = prepare_columns(incidents)
    # The filter's dates bound the film; each frame's window decides which dates it shows.
    undated = dataclasses.replace(filters, date_from=None, date_to=None)
    mask = filter_mask(columns, undated)
    days = columns.day[mask]
    order = np.argsort(days, kind="stable")
    sorted_days = days[order]
    sorted_dates = sorted_days.astype("datetime64[D]").astype("datetime64[ns]")
    if start is None:
        start = filters.date_from or (sorted_dates[0] if len(sorted_dates) else None)
    if end is None:
        end = filters.date_to or (sorted_dates[-1] if len(sorted_dates) else None)
    if start is None or end is None:
        raise AnimationError(N_("no incident matches the filters, so there is no period to animate: "
                                "give --from and --to or widen the filters"))
    plans = plan_frames(sorted_dates, frontlines, start, end, step, window_days)
    has_events = "event_id" in incidents.columns
    event_ids = incidents["event_id"].to_numpy()[mask][order] if has_events else None
    unit = "events" if has_events else "incidents"
    counts = window_counts(plans, event_ids)
    period = FramePlan(plans[-1].date, plans[0].window_start, plans[0].start, plans[-1].stop, -1, None)
    total = window_counts([period], event_ids)[0]

    lon = columns.lon[mask][order]
    lat = columns.lat[mask][order]
    classes = target_classes(columns.target_bits[mask][order], filters.target_types)
    hollow = ~columns.precise[mask][order]
    _ = translator(lang)
    title = _(DEFAULT_TITLE) if title is None else title
    described = undated.describe(_.lang)
    credits = [_credit(s, _) for s in sources] or [_("see the data directory's manifest")]
    text = FrameText(title=title, filters=described, credits=credits, data_date=data_date or _("unknown"),
                     unit=unit, lang=_.lang)
    renderer = FrameRenderer(boundaries, neighbours, frontlines, text, size=size, window_days=window_days)
    x, y = renderer.project(lon, lat)
    card_frames = max(1, round(card_seconds * fps))
    first, last = plans[0].window_start, plans[-1].date
    with FrameWriter(Path(out), size, fps, png_dir=png_dir) as writer:
        writer.write(render_card(size, title, _card_lines(unit, step, window_days, first, last, described, total, _)),
                     repeat=card_frames)
        for k, plan in enumerate(plans):
            window = slice(plan.start, plan.stop)
            age = (plan.date.to_datetime64().astype("datetime64[D]").astype(np.int64) - sorted_days[window])
            points = {"x": x[window], "y": y[window], "cls": classes[window], "hollow": hollow[window],
                      "age": age.astype("float64")}
            writer.write(renderer.render(plan, points, _count_lines(unit, counts[k], total, window_days, first,
                                                                    last, _)))
            if progress is not None:
                progress(k + 1, len(plans))
        writer.write(render_card(size, _("Sources and licences"), [
            *credits,
            _("Data as of {date}. Made with conflictmap (MIT). Front lines are shown as the cited mapping project "
              "drew them on each snapshot date; approximate locations are drawn hollow.",
              date=show_date(text.data_date, _)),
        ]), repeat=card_frames)
        frames = writer.frames
    return AnimationResult(path=Path(out), frames=frames, plans=tuple(plans), counts=tuple(counts), unit=unit)
