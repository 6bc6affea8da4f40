"""Whole-directory atomic changes: versions, the pointer switch, migration, clean-up, and kills.

A data directory changes only through :func:`geo.datadir.commit_version`. These tests kill a
real ``python -m geo ingest`` at several moments (before, during and after the writes of the
new version, slowed down by the ``CONFLICTMAP_TEST_SLOW_WRITES`` hook) and check that the
directory always loads as the complete previous or the complete new version.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from bench.generate import generate_acled
from geo import datadir
from geo.build import ingest_into
from geo.datadir import (
    INCIDENTS_FILE,
    MANIFEST_FILE,
    POINTER_FILE,
    VERSIONS_DIR,
    load_bundle,
    read_tables,
    write_incidents,
)
from geo.schema import SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[1]


def _acled(path: Path, rows: int, prefix: str, seed: int) -> Path:
    frame = generate_acled(rows, seed=seed)
    frame["event_id_cnty"] = prefix + frame["event_id_cnty"]
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> dict:
    """Two ACLED files with distinct ids, and a directory holding the first one only (version 1)."""
    root = tmp_path_factory.mktemp("atomic")
    a = _acled(root / "a.csv", 300, "A", seed=1)
    b = _acled(root / "b.csv", 500, "B", seed=2)
    base = root / "base"
    first = ingest_into(base, [a], fmt="acled")
    both = ingest_into(root / "both", [a, b], fmt="acled")
    return {"a": a, "b": b, "base": base, "old": first["total"], "new": both["total"], "root": root}


def _state(directory: Path) -> tuple[int, frozenset]:
    """(incident count, input file names) of the version the directory loads as, checking it is whole."""
    bundle = load_bundle(directory)
    manifest = bundle.manifest
    files = frozenset(Path(i["file"]).name for i in manifest.get("inputs", []))
    quarantined_files = set(bundle.quarantine["file"].astype(str)) if len(bundle.quarantine) else set()
    assert quarantined_files <= set(files), (quarantined_files, files)
    assert manifest["data_version"] == bundle.version == datadir.current_version(directory)
    assert sum(i["imported"] for i in manifest["inputs"]) >= len(bundle.incidents)
    return len(bundle.incidents), files


def test_ingest_writes_a_version_and_switches_the_pointer(inputs, tmp_path):
    directory = tmp_path / "d"
    shutil.copytree(inputs["base"], directory)
    before = datadir.current_version(directory)
    assert (directory / VERSIONS_DIR / before / INCIDENTS_FILE).is_file()
    assert not (directory / INCIDENTS_FILE).exists()
    ingest_into(directory, [inputs["b"]], fmt="acled")
    after = datadir.current_version(directory)
    assert after != before
    assert _state(directory) == (inputs["new"], frozenset({"a.csv", "b.csv"}))
    # the previous version is kept for readers that have just read the pointer; older ones go
    ingest_into(directory, [inputs["b"]], fmt="acled")
    kept = sorted(p.name for p in (directory / VERSIONS_DIR).iterdir())
    assert kept == sorted([after, datadir.current_version(directory)])


def test_unchanged_tables_are_hard_linked_not_copied(inputs, tmp_path):
    directory = tmp_path / "d"
    shutil.copytree(inputs["base"], directory)
    ingest_into(directory, [inputs["b"]], fmt="acled")
    boundaries = datadir.read_tables(directory).boundaries
    assert boundaries is None  # the bundled default: nothing to carry over
    version = datadir.current_version(directory)
    datadir.commit_version(directory, read_tables(directory).manifest)  # everything KEEP
    new = datadir.current_version(directory)
    old_file = directory / VERSIONS_DIR / version / INCIDENTS_FILE
    new_file = directory / VERSIONS_DIR / new / INCIDENTS_FILE
    assert os.path.samefile(old_file, new_file)


def test_flat_directory_loads_and_is_migrated_on_the_next_write(inputs, tmp_path):
    flat = tmp_path / "flat"
    tables = read_tables(inputs["base"])
    write_incidents(flat, tables.incidents)
    manifest = {**tables.manifest, "data_version": "flat-1", "schema_version": SCHEMA_VERSION}
    (flat / MANIFEST_FILE).write_text(json.dumps(manifest), encoding="utf-8")
    assert len(load_bundle(flat).incidents) == inputs["old"]
    assert datadir.current_version(flat) is None
    ingest_into(flat, [inputs["b"]], fmt="acled")
    assert (flat / POINTER_FILE).is_file()
    assert not (flat / INCIDENTS_FILE).exists() and not (flat / MANIFEST_FILE).exists()
    assert _state(flat) == (inputs["new"], frozenset({"a.csv", "b.csv"}))


def test_stale_temporary_folders_of_dead_runs_are_removed(inputs, tmp_path):
    directory = tmp_path / "d"
    shutil.copytree(inputs["base"], directory)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead_pid = int(dead.stdout)
    stale = directory / VERSIONS_DIR / f".tmp-{dead_pid}-abcd"
    stale.mkdir()
    (stale / INCIDENTS_FILE).write_bytes(b"half")
    stale_pointer = directory / f".{POINTER_FILE}.{dead_pid}.x1y2.tmp"
    stale_pointer.write_text("nothing")
    # a live process id: with the directory lock held no other writer can be at work, so this is
    # a leftover whose process id has been reused (geo.dirlock), and it goes too
    reused = directory / VERSIONS_DIR / f".tmp-{os.getppid()}-beef"
    reused.mkdir()
    assert _state(directory)[0] == inputs["old"]  # readers ignore temporary folders
    ingest_into(directory, [inputs["b"]], fmt="acled")
    assert not stale.exists() and not stale_pointer.exists()
    assert not reused.exists()


def test_a_pointer_to_nowhere_is_explained(inputs, tmp_path):
    directory = tmp_path / "d"
    shutil.copytree(inputs["base"], directory)
    (directory / POINTER_FILE).write_text("../../etc\n")
    with pytest.raises(datadir.DataDirError, match="does not name a version"):
        load_bundle(directory)


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.005)
    return False


# When to kill, relative to the moment the new version's temporary folder appears (None: a fixed
# delay after start, while the file is still being read). With 0.3 s slept after each table,
# these land: while reading, before any table, after the incidents, after the quarantine, after
# the rename (before the pointer switch), and after the switch.
KILL_MOMENTS = [("reading", 0.3), ("temp folder", 0.0), ("incidents written", 0.15), ("quarantine written", 0.45),
                ("renamed, pointer not switched", 0.75), ("after the switch", 1.3)]


@pytest.mark.parametrize(("label", "delay"), KILL_MOMENTS, ids=[m[0] for m in KILL_MOMENTS])
def test_an_ingest_killed_at_any_moment_leaves_a_whole_version(inputs, tmp_path, label, delay):
    directory = tmp_path / "d"
    shutil.copytree(inputs["base"], directory)
    old = (inputs["old"], frozenset({"a.csv"}))
    new = (inputs["new"], frozenset({"a.csv", "b.csv"}))
    env = {**os.environ, datadir.SLOW_WRITES_ENV: "0.3", "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(inputs["b"]), "--format", "acled",
                             "--out", str(directory)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if label == "reading":
            time.sleep(delay)
        else:
            versions = directory / VERSIONS_DIR
            appeared = _wait_for(lambda: any(p.name.startswith(".tmp-") for p in versions.iterdir()), timeout=120)
            assert appeared, "the ingest never started writing"
            time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait(timeout=60)
    state = _state(directory)
    assert state in (old, new), state
    if label == "reading":
        assert state == old
    # the next run finishes the job and clears what the killed one left behind
    ingest_into(directory, [inputs["b"]], fmt="acled")
    assert _state(directory) == new
    leftovers = [p for p in (directory / VERSIONS_DIR).iterdir() if p.name.startswith(".")]
    assert leftovers == []
    assert [p.name for p in directory.iterdir() if p.name.endswith(".tmp")] == []


def test_a_failed_write_leaves_the_previous_version(inputs, tmp_path, monkeypatch):
    directory = tmp_path / "d"
    shutil.copytree(inputs["base"], directory)
    before = datadir.current_version(directory)

    def broken(*args, **kwargs):
        raise OSError("No space left on device")

    monkeypatch.setattr(pd.DataFrame, "to_csv", broken)
    with pytest.raises(OSError, match="No space"):
        ingest_into(directory, [inputs["b"]], fmt="acled")
    assert datadir.current_version(directory) == before
    assert [p.name for p in (directory / VERSIONS_DIR).iterdir()] == [before]
