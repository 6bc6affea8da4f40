"""Error and progress messages of the geo layer reach the app in the session's language.

Each exception family the app shows carries a :class:`geo.i18n.Message`: ``str(exc)`` stays English
(the command line), ``exc.message("uk")`` is Ukrainian. The UI paths (load error, fetch panel,
upload errors) are run through AppTest with ``lang=uk``.
"""

from __future__ import annotations

import json
import re
import threading

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.i18n import N_, Message, TranslatedError, error_message, translator
from tests.apptest import APP, page_file

CYRILLIC = re.compile(r"[А-Яа-яІіЇїЄєҐґ]")


def _cyrillic_share(text: str) -> float:
    """Share of the letters of ``text`` (outside paths, code and names in quotes) that are Cyrillic."""
    text = re.sub(r"`[^`]*`|'[^']*'|\S*[/\\_.]\S*|--\w[\w-]*|[A-Z_]{3,}", " ", text)
    letters = [ch for ch in text if ch.isalpha()]
    return sum(bool(CYRILLIC.match(ch)) for ch in letters) / max(1, len(letters))


def _check(exc: BaseException, *english: str) -> str:
    """``exc`` reads English on the command line and Ukrainian in the app; return the Ukrainian."""
    text = str(exc)
    assert all(part in text for part in english), text
    assert not CYRILLIC.search(text), text
    uk = error_message(exc, "uk")
    assert uk != text and _cyrillic_share(uk) > 0.8, uk
    assert error_message(exc, "en") == text
    return uk


def test_a_message_is_its_english_text_and_renders_in_a_language():
    inner = Message(N_("network error: {reason}"), reason="timed out")
    outer = Message(N_("{what}: downloading"), what=Message(N_("ACLED page {page}"), page=1234))
    assert inner == "network error: timed out" and isinstance(inner, str)
    assert str(outer) == "ACLED page 1,234: downloading"
    assert outer.render("uk").replace("\u00a0", " ") == "ACLED, сторінка 1 234: завантаження"
    plural = Message.ngettext("DeepStateMap: importing {n} snapshot", "DeepStateMap: importing {n} snapshots", 3)
    assert plural == "DeepStateMap: importing 3 snapshots" and plural.render("uk") == "DeepStateMap: імпортуємо 3 знімки"
    error = TranslatedError(N_("the animation needs a start and an end date"))
    assert error.message("uk") == "Для анімації потрібні дата початку й дата кінця"
    # Plain text (no catalogue entry) is shown as it is, in every language.
    assert error_message(ValueError("something odd"), "uk") == "something odd"


def test_data_directory_errors(tmp_path):
    from geo.datadir import DataDirError, load_bundle

    with pytest.raises(DataDirError) as caught:
        load_bundle(tmp_path / "missing")
    assert "Каталогу даних" in _check(caught.value, "does not exist")
    (tmp_path / "empty").mkdir()
    with pytest.raises(DataDirError) as caught:
        load_bundle(tmp_path / "empty")
    _check(caught.value, "has no")


def test_unreadable_file_and_date_order_errors(tmp_path):
    from geo.parsing import AmbiguousDateOrder, parse_dates, read_csv_table
    from geo.schema import UnreadableFileError

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(UnreadableFileError) as caught:
        read_csv_table(empty)
    assert _check(caught.value, "empty.csv", "empty").startswith("empty.csv: файл порожній")
    zipped = tmp_path / "data.csv"
    zipped.write_bytes(b"PK\x03\x04" + b"\x00" * 64)
    with pytest.raises(UnreadableFileError) as caught:
        read_csv_table(zipped)
    assert "ZIP-архів" in _check(caught.value, "ZIP archive")
    with pytest.raises(AmbiguousDateOrder) as caught:
        parse_dates(pd.Series(["03/04/2022", "05/06/2022", "07/08/2022"]), column="event_date")
    assert "«спершу день»" in _check(caught.value, "day-first", "--dayfirst")


def test_nothing_imported_lists_the_reasons_in_the_language(tmp_path):
    from geo.build import NothingImportedError, build_upload
    from geo.datadir import load_bundle
    from tests.synthetic_data import write_data_dir

    base = load_bundle(write_data_dir(tmp_path / "data"))
    with pytest.raises(NothingImportedError) as caught:
        build_upload([("bad.csv", b"date,lat,lon\n2023-01-01,0,0\n2023-01-02,0,0\n")], "auto", base, "instead")
    english = str(caught.value)
    assert "none of its" in english and english.endswith("Nothing was changed.")
    # The reason lines quote the rows' details (data, kept as recorded); the words around them are Ukrainian.
    lines = error_message(caught.value, "uk").splitlines()
    assert len(lines) == len(english.splitlines()) >= 3
    assert lines[0].startswith("bad.csv: не вдалося імпортувати жодного рядка") and _cyrillic_share(lines[0]) > 0.8
    assert lines[1].startswith("  - outside_study_area: 2 рядки, напр. рядок 1:") and "; як виправити: " in lines[1]
    assert lines[-1] == translator("uk")("Nothing was changed.") != "Nothing was changed."


def test_fetch_errors_and_progress(tmp_path):
    from geo.fetch.common import FetchOptions, FetchSummary
    from geo.fetch.http import FetchError, HttpClient, NetworkError

    with pytest.raises(FetchError) as caught:
        FetchOptions(env={"CONFLICTMAP_UCDP_URL": "ftp://example.org"}).base_url("CONFLICTMAP_UCDP_URL", "x")
    assert "не адреса" in _check(caught.value, "is not an http(s) address")
    notes: list = []
    client = HttpClient(log=notes.append, sleep=lambda s: None, min_interval=0.0, max_attempts=2, timeout=2.0)
    with pytest.raises(NetworkError) as caught:
        client.request("GET", "http://127.0.0.1:9/", what=Message(N_("ACLED page {page}"), page=3))
    uk = _check(caught.value, "ACLED page 3", "could not get an answer")
    assert uk.startswith("ACLED, сторінка 3: не вдалося отримати відповідь")
    assert len(notes) == 1 and "retrying" in notes[0] and "повторна спроба" in notes[0].render("uk")
    summary = FetchSummary("ucdp", new=1234, updated=2, requests=5)
    assert summary.line() == "ucdp: 1,234 new, 2 updated, 0 unchanged, 0 quarantined (5 requests)"
    assert summary.line("uk").replace("\u00a0", " ").startswith("ucdp: нових — 1 234, оновлених — 2")


def test_write_lock_errors(tmp_path):
    from geo.dirlock import DataDirBusyError, DataDirNotWritableError, lock_data_dir

    target = tmp_path / "d"
    held, release, errors = threading.Event(), threading.Event(), []

    def holder():
        with lock_data_dir(target):
            held.set()
            release.wait(10)

    thread = threading.Thread(target=holder)
    thread.start()
    held.wait(10)
    try:
        with lock_data_dir(target):
            pass
    except DataDirBusyError as exc:
        errors.append(exc)
    finally:
        release.set()
        thread.join()
    assert errors and "інша команда conflictmap" in _check(errors[0], "busy", "--wait")
    afile = tmp_path / "file"
    afile.write_text("x")
    with pytest.raises(DataDirNotWritableError) as caught:
        with lock_data_dir(afile):
            pass
    assert "це файл, а не тека" in _check(caught.value, "it is a file, not a folder")


def test_json_animation_encoder_and_export_errors(tmp_path, monkeypatch):
    from geo.animation.encode import EncoderError, FrameWriter
    from geo.animation.plan import AnimationError, frame_dates
    from geo.exports import engine
    from geo.exports.context import ExportError
    from geo.safejson import JsonTooDeepError, loads_json

    with pytest.raises(JsonTooDeepError) as caught:
        loads_json("[" * 100 + "]" * 100, "deep.json")
    assert "вкладеність JSON" in _check(caught.value, "deep.json", "nested more than")
    with pytest.raises(AnimationError) as caught:
        frame_dates("2024-03-01", "2024-02-01", "week")
    assert "2024" in _check(caught.value, "is before the start date")
    with pytest.raises(EncoderError) as caught:
        FrameWriter(tmp_path / "film.avi", (320, 180), 4)
    _check(caught.value, ".mp4 or .gif")
    monkeypatch.setenv("CONFLICTMAP_BROWSER", str(tmp_path / "none"))
    monkeypatch.setattr(engine.Path, "is_file", lambda self: False)
    with pytest.raises(ExportError) as caught:
        engine.resolve_browser_path()
    assert "потрібен Chromium" in _check(caught.value, "needs Chromium")


# --------------------------------------------------------------------------- the UI paths in Ukrainian


def test_load_error_is_shown_in_ukrainian(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_DATA", str(tmp_path / "missing"))
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "uk"
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error).replace("\\", "")
    assert "Каталогу даних" in shown and "не існує" in shown and "does not exist" not in shown


def test_fetch_panel_error_is_shown_in_ukrainian(tmp_path, monkeypatch):
    from tests.synthetic_data import write_data_dir

    monkeypatch.setenv("CONFLICTMAP_DATA", str(write_data_dir(tmp_path / "data", frontlines=False)))
    for name in ("UCDP_ACCESS_TOKEN", "UCDP_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "uk"
    at.run()
    at.switch_page(page_file("pages/data_sources.py")).run()
    at.radio(key="fetch_source").set_value("ucdp").run()
    at.button(key="fetch_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    shown = " ".join(e.value for e in at.error).replace("\\", "")
    assert "потрібен токен доступу" in shown and "needs an access token" not in shown


def _upload_error_script():
    import os

    import streamlit as st

    from ui.i18n import render_language_switch
    from ui.uploads import import_files, show_import_error

    render_language_switch()
    name = os.environ["CM_TEST_UPLOAD_NAME"]
    try:
        import_files([(name, os.environ["CM_TEST_UPLOAD_BYTES"].encode())], "auto", "instead",
                     os.environ.get("CM_TEST_DATE_ORDER", "auto"))
    except (ValueError, ImportError) as exc:
        show_import_error(exc)
    else:
        st.write("imported")


@pytest.mark.parametrize(
    "name, content, english, ukrainian",
    [
        ("header.csv", "date,latitude,longitude\n", "no data rows", "немає рядків з даними"),
        ("dates.csv", "date,latitude,longitude\n03/04/2022,50.4,30.5\n05/06/2022,50.4,30.5\n",
         "day-first or as month-first", "«спершу день»"),
        ("outside.csv", "date,latitude,longitude\n2023-01-01,0,0\n2023-01-02,0,0\n",
         "none of its", "не вдалося імпортувати"),
        ("deep.json", "[" * 100 + "]" * 100, "nested", "вкладеність JSON"),
        ("nocols.csv", "place,count,note\nKyiv,2,x\n", "no column found", "не знайдено стовпців"),
    ],
)
def test_upload_errors_are_shown_in_ukrainian(tmp_path, monkeypatch, name, content, english, ukrainian):
    from tests.synthetic_data import write_data_dir

    monkeypatch.setenv("CONFLICTMAP_DATA", str(write_data_dir(tmp_path / "data")))
    monkeypatch.setenv("CM_TEST_UPLOAD_NAME", name)
    monkeypatch.setenv("CM_TEST_UPLOAD_BYTES", content)
    for lang, expected, absent in (("uk", ukrainian, english), ("en", english, ukrainian)):
        at = AppTest.from_function(_upload_error_script, default_timeout=60)
        at.query_params["lang"] = lang
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown = " ".join(e.value for e in at.error).replace("\\", "")
        assert expected in shown and absent not in shown, shown


def test_the_catalogue_has_the_error_messages_file():
    """The messages of this area live in errors.po (one area, one file)."""
    from geo.i18n import LOCALES_DIR

    text = (LOCALES_DIR / "uk" / "LC_MESSAGES" / "errors.po").read_text(encoding="utf-8")
    assert 'msgid "network error: {reason}"' in text
    assert json.dumps("{name}: the JSON is nested too deeply to read. Export it again.")[1:-1] in text
