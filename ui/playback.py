"""Playback on the Map page: a date slider with play/pause that moves the map date and a window of days.

While playing, a fragment ticks every ``interval`` seconds and advances the date by one step,
then reruns the app: the map's changing layers go through ``feature_group_to_add`` (the view,
pan and zoom stay), the incidents are those of the window (the sidebar filters with their dates
narrowed to the window, so every cache keys on the window) and stay within the map budget
(markers or grid cells, as always). The date, window and step are in the URL (``play``,
``pwin``, ``pstep``) so a shared link opens at the same frame. The animated export
(:mod:`geo.animation`) renders the same frames to a film.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from geo.boundaries import load_neighbour_states
from geo.filters import compute_kpis, date_bounds, filter_mask
from geo.i18n import N_
from geo.viz.charts import PERIOD_WORDS
from ui.data import FilteredView
from ui.i18n import _, current_language, date_format, error_text
from ui.text import escape_md

P_ON, P_DATE, P_WINDOW, P_STEP, P_PLAYING, P_SPEED = (
    "play_on", "play_date", "play_window", "play_step", "play_playing", "play_speed")
URL_DATE, URL_WINDOW, URL_STEP = "play", "pwin", "pstep"
SPEEDS = {"slow": 2.5, "normal": 1.5, "fast": 0.8}
_STEP_DAYS = {"day": 1, "week": 7}
_FILM_KEY = "play_film"
STEP_WORDS = PERIOD_WORDS  # "one frame per week": the periods as charts write them
SPEED_WORDS = {"slow": N_("slow"), "normal": N_("normal"), "fast": N_("fast")}


# geo.animation (frames, encoders, Pillow) is imported once playback is asked for: the Map page's first
# run, playback off, needs none of it.


def _read_url_once(bounds: tuple[dt.date, dt.date]) -> None:
    ss = st.session_state
    if ss.get("play_url_read"):
        return
    ss["play_url_read"] = True
    raw_date = st.query_params.get(URL_DATE)
    if not raw_date:
        return
    from geo.animation import STEPS
    from geo.animation.plan import MAX_WINDOW_DAYS

    try:
        day = dt.date.fromisoformat(str(raw_date)[:10])
    except ValueError:
        return
    ss[P_ON] = True
    ss[P_DATE] = min(max(day, bounds[0]), bounds[1])
    try:
        ss[P_WINDOW] = min(max(int(str(st.query_params.get(URL_WINDOW, "7"))[:6]), 1), MAX_WINDOW_DAYS)
    except ValueError:
        ss[P_WINDOW] = 7
    step = st.query_params.get(URL_STEP)
    ss[P_STEP] = step if step in STEPS else "week"


def _write_url() -> None:
    ss = st.session_state
    wanted = {}
    if ss.get(P_ON) and isinstance(ss.get(P_DATE), dt.date):
        wanted = {URL_DATE: ss[P_DATE].isoformat(), URL_WINDOW: str(ss.get(P_WINDOW, 7)),
                  URL_STEP: ss.get(P_STEP, "week")}
    for key in (URL_DATE, URL_WINDOW, URL_STEP):
        if key not in wanted and key in st.query_params:
            del st.query_params[key]
        elif key in wanted and st.query_params.get(key) != wanted[key]:
            st.query_params[key] = wanted[key]


def next_date(day: dt.date, step: str) -> dt.date:
    """Return the date one step after ``day`` (months keep the day, clipped to the month's end)."""
    if step == "month":
        return (pd.Timestamp(day) + pd.DateOffset(months=1)).date()
    return day + dt.timedelta(days=_STEP_DAYS[step])


def windowed_view(view: FilteredView, day: dt.date, window_days: int) -> FilteredView:
    """Return the view narrowed to the ``window_days`` days ending on ``day`` (within the sidebar's dates)."""
    filters = view.filters
    start = day - dt.timedelta(days=window_days - 1)
    if filters.date_from is not None:
        start = max(start, filters.date_from)
    end = min(day, filters.date_to) if filters.date_to is not None else day
    narrowed = dataclasses.replace(filters, date_from=start, date_to=max(start, end))
    mask = filter_mask(view.columns, narrowed)
    if end < start:
        mask[:] = False
    return dataclasses.replace(view, filters=narrowed, mask=mask, kpis=compute_kpis(view.columns, mask))


def render_playback(view: FilteredView) -> tuple[FilteredView, dt.date] | None:
    """Draw the playback controls; while playback is on return the windowed view and the map date."""
    ss = st.session_state
    bounds = date_bounds(view.columns, view.mask) or date_bounds(view.columns)
    if bounds is None:
        return None
    _read_url_once(bounds)
    with st.expander(_("Play over time"), expanded=bool(ss.get(P_ON))):
        on = st.toggle(_("Play the incidents and the front line over time"), key=P_ON,
                       help=_("The map shows the incidents of a window of days and the front line in force on each "
                              "date."))
        if not on:
            ss[P_PLAYING] = False
            _write_url()
            _render_film_export(view, None)
            return None
        from geo.animation import STEPS
        from geo.animation.plan import MAX_WINDOW_DAYS

        ss.setdefault(P_DATE, bounds[0])
        ss[P_DATE] = min(max(ss[P_DATE], bounds[0]), bounds[1])
        ss.setdefault(P_WINDOW, 7)
        ss.setdefault(P_STEP, "week")
        ss.setdefault(P_SPEED, "normal")
        cols = st.columns([1, 1, 1, 1])
        cols[0].selectbox(_("Step"), STEPS, key=P_STEP, format_func=lambda v: _(STEP_WORDS.get(v, v)))
        cols[1].number_input(_("Window (days)"), min_value=1, max_value=MAX_WINDOW_DAYS, step=1, key=P_WINDOW)
        cols[2].selectbox(_("Speed"), tuple(SPEEDS), key=P_SPEED, format_func=lambda v: _(SPEED_WORDS.get(v, v)))
        playing = bool(ss.get(P_PLAYING))
        if cols[3].button(_("⏸ Pause") if playing else _("▶ Play"), key="play_button", use_container_width=True):
            ss[P_PLAYING] = not playing
            if not playing and ss[P_DATE] >= bounds[1]:
                ss[P_DATE] = bounds[0]
            st.rerun()
        st.slider(_("Date"), min_value=bounds[0], max_value=bounds[1], key=P_DATE, format=date_format(),
                  disabled=playing)
        _ticker(bounds)
        _write_url()
        window = int(ss[P_WINDOW])
        narrowed = windowed_view(view, ss[P_DATE], window)
        noun = view.noun
        if noun == "records":
            text = _.ngettext("{shown} records in the {n} day up to {when} (of {total} in the filters).",
                              "{shown} records in the {n} days up to {when} (of {total} in the filters).", window,
                              shown=narrowed.kpis["incidents"], when=ss[P_DATE], total=view.kpis["incidents"])
        else:
            text = _.ngettext("{shown} events in the {n} day up to {when} (of {total} in the filters).",
                              "{shown} events in the {n} days up to {when} (of {total} in the filters).", window,
                              shown=narrowed.kpis["incidents"], when=ss[P_DATE], total=view.kpis["incidents"])
        st.caption(text)
        _render_film_export(view, (ss[P_STEP], window))
    return narrowed, ss[P_DATE]


def advance(ss, bounds: tuple[dt.date, dt.date]) -> None:
    """Move the playback date one step on; stop playing after the last date."""
    following = next_date(ss[P_DATE], ss.get(P_STEP, "week"))
    if following > bounds[1]:
        ss[P_PLAYING] = False
    else:
        ss[P_DATE] = following


def _ticker(bounds: tuple[dt.date, dt.date]) -> None:
    """Advance the date on each timed fragment run (never on the app's own runs) while playing."""
    ss = st.session_state
    interval = SPEEDS.get(ss.get(P_SPEED, "normal"), 1.5) if ss.get(P_PLAYING) else None
    ss["play_app_runs"] = ss.get("play_app_runs", 0) + 1

    @st.fragment(run_every=interval)
    def _tick() -> None:
        if ss.get("play_seen_runs") != ss["play_app_runs"]:
            ss["play_seen_runs"] = ss["play_app_runs"]  # called by the app's run: draw, do not advance
            return
        if ss.get(P_PLAYING):
            advance(ss, bounds)
            st.rerun()

    _tick()


def _render_film_export(view: FilteredView, settings: tuple[str, int] | None) -> None:
    step, window = settings or ("week", 7)
    ss = st.session_state
    kind = st.radio(_("Film format"), ("MP4 (H.264)", "GIF"), horizontal=True, key="play_film_kind")
    if st.button(_("Make an animation of this view"), key="play_film_make",
                 help=_.ngettext("Whole filtered period, one frame per {step}, each showing the last {n} day.",
                                 "Whole filtered period, one frame per {step}, each showing the last {n} days.",
                                 window, step=_(STEP_WORDS.get(step, step)))):
        from geo.animation import AnimationError, EncoderError, make_animation

        suffix = ".gif" if kind == "GIF" else ".mp4"
        progress = st.progress(0.0, text=_("Drawing frames…"))
        bundle = view.bundle
        dates = bundle.incidents["date"].dropna()
        try:
            with tempfile.TemporaryDirectory() as tmp:
                out = Path(tmp) / f"conflictmap-animation{suffix}"
                make_animation(
                    bundle.incidents, view.filters, out, boundaries=bundle.boundaries, frontlines=bundle.frontlines,
                    neighbours=load_neighbour_states(), sources=bundle.manifest.get("sources", []),
                    data_date=f"{dates.max():%Y-%m-%d}" if len(dates) else "", step=step, window_days=window,
                    progress=lambda done, total: progress.progress(done / total, text=_("Frame {done} of {total}", done=done, total=total)),
                    lang=current_language(),
                )
                ss[_FILM_KEY] = (out.name, out.read_bytes())
        except (AnimationError, EncoderError) as exc:
            st.error(escape_md(error_text(exc)))
        progress.empty()
    film = ss.get(_FILM_KEY)
    if film:
        name, data = film
        st.download_button(_("Download {name} ({size} MB)", name=name, size=_.number(len(data) / 1e6, 1)), data=data, file_name=name,
                           mime="image/gif" if name.endswith(".gif") else "video/mp4", key="play_film_download")
