"""Animations: the frame plan against a pandas reference, the films the encoder writes, frame captions, CLI."""

from __future__ import annotations

import dataclasses
import datetime as dt

import imageio_ffmpeg
import numpy as np
import pandas as pd
import pytest

from geo.animation import AnimationError, make_animation, plan_frames, window_counts
from geo.animation.plan import frame_dates
from geo.animation.render import target_classes
from geo.boundaries import load_default_boundaries
from geo.cli import main as cli_main
from geo.filters import Filters
from geo.frontlines import snapshot_index_for_dates
from geo.taxonomy import TARGET_TYPES, bitmask
from geo.viz.map import TARGET_CLASSES
from tests.synthetic_data import build_frontlines, build_incidents, two_source_frontlines, write_data_dir


@pytest.fixture(scope="module")
def boundaries():
    return load_default_boundaries()


@pytest.mark.parametrize(
    ("step", "start", "end", "expected"),
    [
        ("day", "2024-01-30", "2024-02-02", ["2024-01-30", "2024-01-31", "2024-02-01", "2024-02-02"]),
        ("week", "2024-01-01", "2024-01-22", ["2024-01-01", "2024-01-08", "2024-01-15", "2024-01-22"]),
        ("month", "2024-01-31", "2024-04-30", ["2024-01-31", "2024-02-29", "2024-03-31", "2024-04-30"]),
    ],
)
def test_frame_dates(step, start, end, expected):
    assert [f"{d:%Y-%m-%d}" for d in frame_dates(start, end, step)] == expected


@pytest.mark.parametrize(("step", "window"), [("fortnight", 7), ("week", 0), ("week", 100_000)])
def test_bad_step_or_window_is_refused(step, window):
    with pytest.raises(AnimationError):
        plan_frames(np.array([], dtype="datetime64[ns]"), None, "2024-01-01", "2024-02-01", step, window)


def test_end_before_start_is_refused():
    with pytest.raises(AnimationError, match="before the start"):
        frame_dates("2024-02-01", "2024-01-01", "week")


@pytest.mark.parametrize("window", [1, 7, 30])
def test_plan_matches_a_pandas_reference(window):
    """Every frame's window holds exactly the incidents dated within it; the snapshot is the one in force."""
    incidents = build_incidents(48)
    dates = np.sort(incidents["date"].to_numpy(dtype="datetime64[ns]"))
    frontlines = two_source_frontlines()
    plans = plan_frames(dates, frontlines, "2024-01-10", "2024-12-20", "week", window)
    snap = snapshot_index_for_dates(frontlines, [p.date for p in plans])
    series = pd.Series(dates)
    for plan, expected_snapshot in zip(plans, snap, strict=True):
        inside = (series >= plan.date - pd.Timedelta(days=window - 1)) & (series <= plan.date)
        assert plan.stop - plan.start == int(inside.sum())
        assert (series.iloc[plan.start:plan.stop].index == series[inside].index).all()
        assert plan.snapshot == expected_snapshot
    assert plans[0].snapshot == -1 and plans[0].snapshot_date is None
    seams = [p for p in plans if p.seam]
    assert len(seams) == 1 and seams[0].date >= pd.Timestamp("2024-09-01")
    assert "other mapper" in seams[0].seam


def test_window_counts_events_once():
    plans = plan_frames(np.array(["2024-01-01", "2024-01-01", "2024-01-02"], dtype="datetime64[ns]"), None,
                        "2024-01-02", "2024-01-02", "day", 2)
    assert window_counts(plans, None) == [3]
    assert window_counts(plans, np.array(["e1", "e1", "e2"], dtype=object)) == [2]


def test_selected_target_type_decides_the_colour():
    bits = np.array([bitmask(["residential", "healthcare"], TARGET_TYPES), bitmask([], TARGET_TYPES)])
    names = [c[0] for c in TARGET_CLASSES]
    assert target_classes(bits)[0] == names.index("residential")
    assert target_classes(bits, ("healthcare",))[0] == names.index("healthcare")
    assert target_classes(bits)[1] == names.index("other")


@pytest.mark.parametrize("suffix", ["mp4", "gif"])
def test_film_has_cards_and_one_frame_per_date(tmp_path, boundaries, suffix):
    """The encoder's own reader sees every frame: title card + one per date + end card, at the size asked."""
    incidents = build_incidents(48)
    out = tmp_path / f"film.{suffix}"
    result = make_animation(
        incidents, Filters(), out, boundaries=boundaries, frontlines=build_frontlines(),
        sources=[{"name": "Synthetic", "licence": "CC BY 4.0"}], data_date="2024-12-31",
        start="2024-01-01", end="2024-06-30", step="week", window_days=14, fps=4, size=(640, 360),
        card_seconds=1.0, png_dir=tmp_path / "frames",
    )
    assert len(result.plans) == 26 and result.frames == 26 + 2 * 4
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    frames = sum(1 for _ in reader)
    assert frames == result.frames
    assert meta["fps"] == pytest.approx(4.0)
    expected_size = (640, 360) if suffix == "mp4" else (320, 180)
    assert tuple(meta["size"]) == expected_size
    assert len(list((tmp_path / "frames").glob("frame_*.png"))) == result.frames
    series = incidents["date"]
    for plan, count in zip(result.plans, result.counts, strict=True):
        assert count == int(((series >= plan.date - pd.Timedelta(days=13)) & (series <= plan.date)).sum())


def test_counts_follow_the_filters_and_events(tmp_path, boundaries):
    incidents = build_incidents(48)
    incidents["event_id"] = [f"ev{i // 2}" for i in range(len(incidents))]
    # These made-up events pair records of two cities a week apart, so count records that pass
    # and let the film count their distinct events (counting events, the app would show each
    # event once, at its headline record's place and date).
    filters = Filters(oblasts=("UA-30",), count_by="records")
    result = make_animation(
        incidents, filters, tmp_path / "f.mp4", boundaries=boundaries, start="2024-03-01", end="2024-05-01",
        step="month", window_days=31, size=(640, 360), card_seconds=0.5,
    )
    assert result.unit == "events"
    kyiv = incidents[incidents["admin1_iso"] == "UA-30"]
    for plan, count in zip(result.plans, result.counts, strict=True):
        inside = kyiv[(kyiv["date"] >= plan.date - pd.Timedelta(days=30)) & (kyiv["date"] <= plan.date)]
        assert count == inside["event_id"].nunique()


def test_frames_carry_date_snapshot_legend_filters_and_credits(tmp_path, boundaries, drawn_text):
    """Read the words drawn on each frame: honest about the missing line and the seam."""
    drawn = drawn_text
    frontlines = two_source_frontlines()
    result = make_animation(
        build_incidents(48), Filters(target_types=("education",)), tmp_path / "f.mp4", boundaries=boundaries,
        frontlines=frontlines, sources=[{"name": "Synthetic src", "licence": "CC BY 4.0"}], data_date="2024-12-31",
        start="2024-01-15", end="2024-09-15", step="month", window_days=30, size=(1280, 720), card_seconds=0.5,
    )
    text = " ".join(drawn)  # wrapped lines are drawn one by one
    assert "15 Jan 2024" in text and "No front line shown: the first snapshot is dated 1 Feb 2024" in text
    assert "Front line: snapshot of 1 Jun 2024" in text
    assert "Seam: front-line source changes here" in text and "other mapper" in text
    assert f"Filters: {Filters(target_types=('education',)).describe()}" in text and "Filters: 15 Jan" not in text
    assert "Synthetic src (CC BY 4.0)" in text and "Data as of 31 Dec 2024" in text
    for _, label, _, _ in TARGET_CLASSES:
        assert label in text
    assert "hollow: approximate location" in text and "line of contact" in text
    assert result.frames > len(result.plans)


def test_cli_writes_a_film_and_refuses_bad_options(tmp_path, capsys):
    directory = write_data_dir(tmp_path / "d")
    out = tmp_path / "out" / "film.gif"
    assert cli_main(["animate", str(directory), "--out", str(out), "--step", "month", "--window", "30",
                     "--size", "640x360", "--from", "2024-01-01", "--to", "2024-06-30"]) == 0
    assert out.stat().st_size > 1000
    for bad in (["--window", "0"], ["--size", "641x360"], ["--fps", "1000"]):
        code = cli_main(["animate", str(directory), "--out", str(tmp_path / "x.mp4"), *bad])
        err = capsys.readouterr().err
        assert code == 2 and "error:" in err and "Traceback" not in err, (bad, err)
    code = cli_main(["animate", str(directory), "--out", str(tmp_path / "x.avi")])
    assert code == 2 and ".mp4 or .gif" in capsys.readouterr().err


def test_filter_dates_bound_the_film_not_the_windows(tmp_path, boundaries):
    """With --from, the first frame still shows the window's days before it (the filter's dates are the film's)."""
    incidents = build_incidents(48)
    filters = Filters(date_from=dt.date(2024, 3, 4), date_to=dt.date(2024, 4, 1))
    result = make_animation(incidents, filters, tmp_path / "f.mp4", boundaries=boundaries, step="week",
                            window_days=28, size=(640, 360), card_seconds=0.5)
    assert result.plans[0].date == pd.Timestamp("2024-03-04") and result.plans[-1].date == pd.Timestamp("2024-04-01")
    first = result.plans[0]
    dates = incidents["date"]
    assert result.counts[0] == int(((dates >= first.date - pd.Timedelta(days=27)) & (dates <= first.date)).sum())
    assert dataclasses.replace(filters, date_from=None).date_from is None
