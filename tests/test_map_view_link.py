"""The map's centre and zoom in the shared link: parsing, clamping, the app's restore path."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import run_app, synthetic_data_dir
from ui.maplink import is_move, reported_view
from ui.state import MAP_VIEW, format_map_view, parse_map_view


@pytest.mark.parametrize(
    ("center", "zoom", "expected"),
    [
        ("50.45,30.52", "7", ((50.45, 30.52), 7.0)),
        (" 50.450001 , 30.5234567 ", "7.3", ((50.45, 30.52346), 7.25)),  # zoom snaps to Leaflet's 0.25 steps
        ("89,200", "99", ((85.0, 180.0), 16.0)),  # out of range: clamped
        ("-91,-999", "-3", ((-85.0, -180.0), 4.0)),
        ("49.9,36.2", None, ((49.9, 36.2), 5.5)),  # zoom alone missing: the national zoom
        (None, "8", ((48.6, 31.2), 8.0)),  # centre missing: Ukraine's centre
    ],
)
def test_a_valid_view_is_read_and_clamped(center, zoom, expected):
    assert parse_map_view(center, zoom) == expected


@pytest.mark.parametrize(
    ("center", "zoom"),
    [("abc", "7"), ("50", "7"), ("50,30,1", "7"), ("NaN,30", "7"), ("50,inf", "7"), ("50,30", "1e309"),
     ("50,30", "x"), ("<script>,1", "7"), ("50,30", "NaN"), ("1e999,1", "5"), (",", "5")],
)
def test_bad_view_text_is_refused(center, zoom):
    assert parse_map_view(center, zoom) is None


def test_format_then_parse_gives_the_same_view():
    for view in [((50.45, 30.52), 7.0), ((-0.000001, 0.0), 4.0), ((48.123456, 37.987654), 12.75)]:
        text = format_map_view(view)
        again = parse_map_view(text["mc"], text["mz"])
        assert math.isclose(again[0][0], view[0][0], abs_tol=1e-5) and math.isclose(again[0][1], view[0][1], abs_tol=1e-5)
        assert again[1] == view[1]
    assert format_map_view(((50.45, 30.5), 7.0)) == {"mc": "50.45,30.5", "mz": "7"}


def test_what_the_map_reports_is_validated():
    assert reported_view({"center": {"lat": 50.4, "lng": 30.5}, "zoom": 8}) == ((50.4, 30.5), 8.0)
    assert reported_view({"center": {"lat": "x", "lng": 30.5}, "zoom": 8}) is None
    assert reported_view({"center": None, "zoom": 8}) is None
    assert reported_view({"zoom": 8}) is None  # a freshly mounted map (st_folium's default) has no centre
    assert reported_view({"center": {"lat": 50, "lng": 30}, "zoom": True}) is None
    assert reported_view(None) is None


def test_a_move_is_a_zoom_change_or_more_than_a_few_pixels():
    base = ((48.5, 31.0), 6.0)
    assert is_move(base, None)
    assert is_move(((48.5, 31.0), 6.25), base)
    assert not is_move(((48.5 + 0.01, 31.0 - 0.01), 6.0), base)  # ~0.4 px at zoom 6
    assert is_move(((48.5, 31.5), 6.0), base)


data_dir = synthetic_data_dir("viewdata")


def _app(**params) -> AppTest:
    return run_app(**params)


def _qp(at: AppTest, key: str) -> list[str]:
    value = at.query_params[key]
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def test_the_link_opens_the_map_at_its_view_and_keeps_it(data_dir):
    at = _app(mc="49.99,36.23", mz="99", tt="education")
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state[MAP_VIEW] == ((49.99, 36.23), 16.0)
    assert _qp(at, "mc") == ["49.99,36.23"] and _qp(at, "mz") == ["16"]  # clamped in the link too
    assert not at.warning


def test_a_bad_view_in_the_link_is_ignored_with_a_notice(data_dir):
    at = _app(mc="north,east", mz="7", tt="education")
    assert not at.exception, [e.value for e in at.exception]
    assert "mc" not in at.query_params and "mz" not in at.query_params
    assert at.warning and "map view" in at.warning[0].value
    assert _qp(at, "tt") == ["education"]
