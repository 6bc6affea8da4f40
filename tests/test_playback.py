"""Playback on the Map page (AppTest): the window narrows the view, the date steps, the URL holds the frame."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, synthetic_data_dir
from tests.synthetic_data import build_incidents
from ui.playback import advance, next_date

data_dir = synthetic_data_dir("playdata")


@pytest.mark.parametrize(("day", "step", "expected"), [
    (dt.date(2024, 1, 31), "month", dt.date(2024, 2, 29)),
    (dt.date(2024, 1, 31), "week", dt.date(2024, 2, 7)),
    (dt.date(2024, 12, 31), "day", dt.date(2025, 1, 1)),
])
def test_next_date(day, step, expected):
    assert next_date(day, step) == expected


def test_advance_stops_after_the_last_date():
    state = {"play_date": dt.date(2024, 12, 28), "play_step": "week", "play_playing": True}
    advance(state, (dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert state == {"play_date": dt.date(2024, 12, 28), "play_step": "week", "play_playing": False}
    state = {"play_date": dt.date(2024, 12, 20), "play_step": "week", "play_playing": True}
    advance(state, (dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    assert state["play_date"] == dt.date(2024, 12, 27) and state["play_playing"]


def _caption(at: AppTest) -> str:
    return next(c.value for c in at.caption if " up to " in str(c.value))


def test_a_link_opens_playback_at_its_frame_and_counts_the_window():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"play": "2024-03-04", "pwin": "14", "pstep": "week"})
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    frame = build_incidents()
    start, end = dt.date(2024, 2, 20), dt.date(2024, 3, 4)
    expected = int(((frame["date"].dt.date >= start) & (frame["date"].dt.date <= end)).sum())
    assert f"{expected:,} events in the 14 days up to 4 Mar 2024" in _caption(at)
    assert at.query_params["play"] == ["2024-03-04"] or at.query_params["play"] == "2024-03-04"


def test_play_steps_the_date_and_pause_stops():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"play": "2024-03-04", "pwin": "7", "pstep": "week"})
    at.run()
    at.button(key="play_button").click().run()
    assert at.session_state["play_playing"] is True
    # AppTest has no timer: step the date as the ticker does (the browser test presses the real Play).
    state = {"play_date": at.session_state["play_date"], "play_step": "week", "play_playing": True}
    advance(state, (dt.date(2024, 1, 1), dt.date(2024, 12, 31)))
    at.session_state["play_date"] = state["play_date"]
    at.run()
    assert at.session_state["play_date"] == dt.date(2024, 3, 11)
    assert "11 Mar 2024" in _caption(at)
    at.button(key="play_button").click().run()
    assert at.session_state["play_playing"] is False


def test_turning_playback_off_restores_the_full_view():
    at = AppTest.from_file(APP, default_timeout=90)
    at.query_params.update({"play": "2024-03-04", "pwin": "7"})
    at.run()
    at.toggle(key="play_on").set_value(False).run()
    assert not at.exception
    assert "play" not in at.query_params
    assert not any("day(s) up to" in str(c.value) for c in at.caption)
