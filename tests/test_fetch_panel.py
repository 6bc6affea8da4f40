"""The Update data panel (Data & sources) and the front-line offer, through AppTest and a local replay API."""

from __future__ import annotations

import datetime as dt

import pytest
from streamlit.testing.v1 import AppTest

from tests.apptest import APP, page_file
from tests.replay_apis import Replay, ReplayServer, snapshot_collection
from tests.synthetic_data import write_data_dir


def _stamp(day: str) -> int:
    return int(dt.datetime.fromisoformat(f"{day}T12:00:00+00:00").timestamp())


@pytest.fixture
def no_front_dir(tmp_path, monkeypatch):
    directory = write_data_dir(tmp_path / "data", frontlines=False)
    monkeypatch.setenv("CONFLICTMAP_DATA", str(directory))
    monkeypatch.setenv("CONFLICTMAP_FETCH_INTERVAL", "0")
    return directory


def _data_page() -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60).run()
    at.switch_page(page_file("pages/data_sources.py")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_panel_names_the_host_and_needs_the_licence_confirmation(no_front_dir):
    at = _data_page()
    at.radio(key="fetch_source").set_value("deepstate").run()
    assert at.button(key="fetch_run").disabled
    warning = " ".join(w.value for w in at.warning).replace("\\", "")
    assert "volunteer" in warning and "defence of Ukraine" in warning
    captions = " ".join(c.value for c in at.caption).replace("\\", "")
    assert "deepstatemap.live" in captions and "python -m geo fetch deepstate" in captions
    at.checkbox(key="fetch_licence_ok").check().run()
    assert not at.button(key="fetch_run").disabled


def test_panel_fetches_deepstate_into_the_data_directory(no_front_dir, monkeypatch):
    snapshots = {_stamp("2024-03-04"): snapshot_collection(0), _stamp("2024-03-12"): snapshot_collection(0.1)}
    with ReplayServer(Replay(deepstate_snapshots=snapshots)) as server:
        monkeypatch.setenv("CONFLICTMAP_DEEPSTATE_URL", f"{server.url}/deepstate/api")
        at = _data_page()
        assert server.replay.log == []  # rendering the page contacts nobody
        at.radio(key="fetch_source").set_value("deepstate").run()
        assert any("127.0.0.1" in c.value.replace("\\", "") for c in at.caption)
        at.checkbox(key="fetch_licence_ok").check().run()
        at.checkbox(key="fetch_period").check().run()
        at.date_input(key="fetch_since").set_value(dt.date(2024, 3, 1))
        at.date_input(key="fetch_until").set_value(dt.date(2024, 3, 31)).run()
        at.button(key="fetch_run").click().run()
        assert not at.exception, [e.value for e in at.exception]
        assert "deepstate: 2 new" in at.success[0].value.replace("\\", "")
        assert len(server.replay.log) == 3
    from geo.datadir import table_path

    assert table_path(no_front_dir, "frontlines.parquet").exists()


def test_panel_missing_acled_login_is_one_error(no_front_dir, monkeypatch, tmp_path):
    for name in ("ACLED_USERNAME", "ACLED_EMAIL", "ACLED_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFLICTMAP_CONFIG_DIR", str(tmp_path / "config"))
    at = _data_page()
    at.radio(key="fetch_source").set_value("acled").run()
    assert at.text_input(key="fetch_acled_password")
    at.button(key="fetch_run").click().run()
    assert not at.exception
    assert "ACLED needs your myACLED login" in at.error[0].value.replace("\\", "")


def test_map_and_far_pages_offer_the_front_line_fetch(no_front_dir):
    at = AppTest.from_file(APP, default_timeout=60).run()
    for page in ("pages/map.py", "pages/far_from_front.py"):
        at.switch_page(page_file(page)).run()
        assert not at.exception
        assert any(e.label == "Fetch DeepStateMap front lines" for e in at.expander), page
        assert any("--accept-licence deepstate" in c.value for c in at.code), page
