"""A broken data directory never breaks the app: it starts, says what is wrong and how to fix it,
and offers the bundled default data.

Each case points ``CONFLICTMAP_DATA`` at a directory broken in one way (missing, a file, half-written
Parquet, a Parquet from another tool, older schema, corrupt manifest, corrupt optional layers) and
runs the whole app with ``AppTest``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo.datadir import DataDirError, load_bundle
from tests.apptest import APP
from tests.synthetic_data import write_data_dir


def _missing(root: Path) -> Path:
    return root / "does-not-exist"


def _a_file(root: Path) -> Path:
    path = root / "data.csv"
    path.write_text("not a directory", encoding="utf-8")
    return path


def _empty_dir(root: Path) -> Path:
    path = root / "empty"
    path.mkdir()
    return path


def _half_written(root: Path) -> Path:
    path = write_data_dir(root / "half")
    table = path / "incidents.parquet"
    table.write_bytes(table.read_bytes()[: table.stat().st_size // 2])
    return path


def _overwritten(folder: str, name: str, content: bytes):
    """A case: a good data directory in ``folder`` whose file ``name`` then holds ``content``."""

    def make(root: Path) -> Path:
        path = write_data_dir(root / folder)
        (path / name).write_bytes(content)
        return path

    return make


def _other_tool(root: Path) -> Path:
    path = write_data_dir(root / "other")
    pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}).to_parquet(path / "incidents.parquet")
    return path


def _older_schema(root: Path) -> Path:
    path = write_data_dir(root / "old")
    manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    manifest["schema_version"] = 0
    (path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return path


def _table_is_a_folder(root: Path) -> Path:
    path = write_data_dir(root / "folder")
    (path / "incidents.parquet").unlink()
    (path / "incidents.parquet").mkdir()
    return path


BROKEN = {
    "missing": (_missing, "does not exist"),
    "a_file": (_a_file, "does not exist"),
    "empty_dir": (_empty_dir, "no incidents.parquet"),
    "half_written": (_half_written, "half-written"),
    "zero_bytes": (_overwritten("zero", "incidents.parquet", b""), "half-written"),
    "other_tool": (_other_tool, "lacks the columns"),
    "older_schema": (_older_schema, "schema version"),
    "corrupt_manifest": (_overwritten("manifest", "manifest.json", b'{"schema_version": 1, "sources": ['), "unreadable"),
    "binary_manifest": (_overwritten("binmanifest", "manifest.json", b"\xff\xfe\x00\x00garbage\x00"), "unreadable"),
    "manifest_not_an_object": (_overwritten("listmanifest", "manifest.json", b"[1, 2, 3]"), "unreadable"),
    "manifest_nested_100k": (_overwritten("deepmanifest", "manifest.json", b"[" * 100_000 + b"]" * 100_000), "nested"),
    "table_is_a_folder": (_table_is_a_folder, "parquet"),
    "corrupt_frontlines": (_overwritten("front", "frontlines.parquet", b"PAR1 this is not parquet"), "frontlines.parquet"),
    "corrupt_boundaries": (_overwritten("bounds", "boundaries.parquet", b"PAR1"), "boundaries.parquet"),
}
FIX_WORDS = ("python -m geo", "re-run", "remove", "rebuild", "unset", "re-import", "create")


@pytest.mark.parametrize("case", list(BROKEN))
def test_loader_raises_data_dir_error_with_a_fix(tmp_path, case):
    make, expected = BROKEN[case]
    directory = make(tmp_path)
    with pytest.raises(DataDirError) as info:
        load_bundle(directory)
    message = str(info.value)
    assert expected.lower() in message.lower()
    assert str(directory.name) in message or str(directory) in message
    assert any(word in message.lower() for word in FIX_WORDS), message


@pytest.mark.parametrize("case", list(BROKEN))
def test_app_starts_explains_and_offers_the_default(tmp_path, monkeypatch, case):
    make, expected = BROKEN[case]
    monkeypatch.setenv("CONFLICTMAP_DATA", str(make(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error, "no error message shown"
    text = at.error[0].value
    assert expected.lower() in text.lower()
    assert "Traceback" not in text
    assert at.button(key="data_fallback").label == "Use the bundled default data instead"


def test_fallback_button_loads_the_bundled_default(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFLICTMAP_DATA", str(_half_written(tmp_path)))
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.button(key="data_fallback").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert any("bundled default data" in str(c.value) for c in at.sidebar.caption)


