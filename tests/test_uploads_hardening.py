"""Uploads: processed in a per-session temporary folder that is removed, limited, and private to the session.

``import_files`` runs inside a real Streamlit script (``AppTest.from_function``) so that session
state behaves as on the server.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.synthetic_data import write_data_dir

CSV = (
    "date,latitude,longitude,<script>window.__pwned=1</script>,=cmd\n"
    "2024-02-01,50.45,30.52,<img src=x onerror=window.__pwned=1>,=1+1\n"
    "2024-02-02,49.99,36.23,x,y\n"
    "2024-02-03,95,30.52,x,y\n"
)


def _upload_script():
    import os
    from pathlib import Path

    import streamlit as st

    from ui.data import SESSION_DATA_KEY
    from ui.uploads import import_files

    name = os.environ["CM_TEST_UPLOAD_NAME"]
    data = Path(os.environ["CM_TEST_UPLOAD_FILE"]).read_bytes() if os.environ.get("CM_TEST_UPLOAD_FILE") else b""
    if data and not st.session_state.get("done"):
        try:
            summary = import_files([(name, data)], "auto", "instead")
            st.session_state["done"] = summary
        except ValueError as exc:
            st.error(str(exc))
    summary = st.session_state.get("done")
    if summary:
        st.write(f"imported={summary['imported']} quarantined={summary['quarantined']} read={summary['rows_read']}")
    st.write(f"session_data={st.session_state.get(SESSION_DATA_KEY) is not None}")


@pytest.fixture
def env(tmp_path, monkeypatch):
    data = write_data_dir(tmp_path / "data")
    monkeypatch.setenv("CONFLICTMAP_DATA", str(data))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    created = []
    original = tempfile.TemporaryDirectory

    class Recording(original):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            created.append(Path(self.name))

    monkeypatch.setattr(tempfile, "TemporaryDirectory", Recording)
    return tmp_path, scratch, created


def _run(monkeypatch, path: Path | None, name: str) -> AppTest:
    monkeypatch.setenv("CM_TEST_UPLOAD_NAME", name)
    if path is None:
        monkeypatch.delenv("CM_TEST_UPLOAD_FILE", raising=False)
    else:
        monkeypatch.setenv("CM_TEST_UPLOAD_FILE", str(path))
    at = AppTest.from_function(_upload_script, default_timeout=60)
    return at.run()


def test_upload_is_imported_in_a_temp_folder_that_is_removed(env, monkeypatch):
    tmp, scratch, created = env
    upload = tmp / "upload.csv"
    upload.write_text(CSV, encoding="utf-8")
    at = _run(monkeypatch, upload, "../../<img src=x onerror=alert(1)>.csv")
    assert not at.exception, [e.value for e in at.exception]
    texts = [m.value for m in at.markdown]
    assert "imported=2 quarantined=1 read=3" in texts and "session_data=True" in texts
    upload_dirs = [p for p in created if p.name.startswith("conflictmap-upload-")]
    assert len(upload_dirs) == 1
    assert not upload_dirs[0].exists(), "the per-upload folder was left behind"
    assert list(scratch.iterdir()) == []


def test_failed_upload_leaves_nothing_behind_and_says_why(env, monkeypatch):
    tmp, scratch, created = env
    upload = tmp / "bad.csv"
    upload.write_bytes(b"PK\x03\x04" + b"\0" * 100)
    at = _run(monkeypatch, upload, "bad.csv")
    assert not at.exception
    assert at.error and "bad.csv" in at.error[0].value
    assert [p for p in created if p.exists()] == [] and list(scratch.iterdir()) == []


def test_upload_size_and_row_limits_apply(env, monkeypatch):
    import ui.uploads as uploads

    tmp, _, _ = env
    upload = tmp / "upload.csv"
    upload.write_text(CSV, encoding="utf-8")
    monkeypatch.setattr(uploads, "UPLOAD_MAX_ROWS", 2)
    at = _run(monkeypatch, upload, "rows.csv")
    assert at.error and "row limit" in at.error[0].value
    monkeypatch.setattr(uploads, "UPLOAD_MAX_MB", 0.0001)
    at = _run(monkeypatch, upload, "size.csv")
    assert at.error and "limit is" in at.error[0].value and "CONFLICTMAP_UPLOAD_MAX_MB" in at.error[0].value


def test_an_upload_stays_in_its_own_session(env, monkeypatch):
    tmp, _, _ = env
    upload = tmp / "upload.csv"
    upload.write_text(CSV, encoding="utf-8")
    first = _run(monkeypatch, upload, "mine.csv")
    assert "session_data=True" in [m.value for m in first.markdown]
    other = _run(monkeypatch, None, "none")
    assert "session_data=False" in [m.value for m in other.markdown]


@pytest.mark.parametrize("raw, expected", [("abc", 50.0), ("-3", 50.0), ("0", 50.0), ("12.5", 12.5), (None, 50.0)])
def test_malformed_upload_limit_falls_back_to_default(monkeypatch, raw, expected):
    from ui.uploads import _env_limit

    if raw is None:
        monkeypatch.delenv("CONFLICTMAP_TEST_LIMIT", raising=False)
    else:
        monkeypatch.setenv("CONFLICTMAP_TEST_LIMIT", raw)
    assert _env_limit("CONFLICTMAP_TEST_LIMIT", 50.0, float) == expected
