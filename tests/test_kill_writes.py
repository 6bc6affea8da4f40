"""Kills and faults at every write of a data directory change (issue 17 item 7).

``geo.datadir.commit_version`` is the only writer; ``CONFLICTMAP_TEST_FAULT=N[:action]`` stops the
process at its N-th write point (SIGKILL, an exception, or a full disk). For every N, until a run
gets through, the directory must afterwards load as exactly the old version or exactly the new one,
with a manifest and quarantine that describe the table it holds; the next run must succeed and
remove whatever the killed run left (no ``.tmp`` files or folders, at most two versions).
A reader polling the directory while a slowed-down writer rebuilds it sees only complete versions.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import geo.datadir as datadir
from geo.cli import main
from geo.datadir import FAULT_ENV, SLOW_WRITES_ENV, data_stamp, load_bundle

ROOT = Path(__file__).resolve().parent.parent
HEADER = "date,latitude,longitude,location,description,killed,injured"
MAX_POINTS = 30  # more write points than any commit has; the loop stops at the first run that finishes


def _rows(stem: str, n: int) -> list[str]:
    return [f"2024-03-{1 + i:02d},{48.5 + i * 0.01:.4f},{35.0 + i * 0.01:.4f},Dnipro,{stem} event {i},{i},0"
            for i in range(n)]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory):
    """Old directory (file a: 5 rows) and the new input (file b: 4 rows and one quarantined row)."""
    root = tmp_path_factory.mktemp("kill")
    a = root / "a.csv"
    a.write_text("\n".join([HEADER, *_rows("a", 5)]) + "\n", encoding="utf-8")
    b = root / "b.csv"
    b.write_text("\n".join([HEADER, *_rows("b", 4), "2024-03-09,not a number,35.0,Dnipro,bad row,1,0"]) + "\n",
                 encoding="utf-8")
    base = root / "base"
    assert main(["ingest", str(a), "--out", str(base)]) == 0
    old = load_bundle(base)
    new_dir = root / "new"
    shutil.copytree(base, new_dir)
    assert main(["ingest", str(b), "--out", str(new_dir)]) == 0
    new = load_bundle(new_dir)
    old_ids, new_ids = set(old.incidents["incident_id"]), set(new.incidents["incident_id"])
    assert len(old_ids) == 5 and len(new_ids) == 9 and old_ids < new_ids
    return {"a": a, "b": b, "base": base, "old_ids": old_ids, "new_ids": new_ids}


def _state(directory: Path, inputs: dict) -> str:
    """Return "old" or "new"; fail unless the directory is exactly one of them, self-consistent."""
    bundle = load_bundle(directory)
    ids = set(bundle.incidents["incident_id"])
    assert ids in (inputs["old_ids"], inputs["new_ids"]), f"a mixed table: {len(ids)} incidents"
    state = "new" if ids == inputs["new_ids"] else "old"
    listed = {Path(entry["file"]).name for entry in bundle.manifest.get("inputs", [])}
    quarantined = set(bundle.quarantine["file"]) if len(bundle.quarantine) else set()
    if state == "new":
        assert "b.csv" in listed, "the table holds file b but the manifest does not list it"
        assert "b.csv" in quarantined, "the table holds file b but its quarantined row is missing"
    else:
        assert "b.csv" not in listed, "the manifest lists file b but the table is the old one"
        assert "b.csv" not in quarantined, "the quarantine holds file b's rows but the table is the old one"
    assert bundle.manifest.get("data_version") == bundle.version
    return state


def _leftovers(directory: Path) -> list[str]:
    return sorted(str(p.relative_to(directory)) for p in directory.rglob("*")
                  if p.name.endswith(".tmp") or p.name.startswith(".tmp-"))


def _recover(directory: Path, inputs: dict, capsys) -> None:
    """The next ordinary run succeeds, ends in the new version and removes every leftover."""
    capsys.readouterr()
    assert main(["ingest", str(inputs["b"]), "--out", str(directory)]) == 0, capsys.readouterr().err
    assert _state(directory, inputs) == "new"
    assert _leftovers(directory) == []
    assert len([p for p in (directory / datadir.VERSIONS_DIR).iterdir()]) <= 2


def _killed_run(directory: Path, inputs: dict, point: int) -> int:
    env = {**os.environ, FAULT_ENV: f"{point}:kill"}
    proc = subprocess.run([sys.executable, "-m", "geo", "ingest", str(inputs["b"]), "--out", str(directory)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.returncode


def test_kill_at_every_write_point_leaves_old_or_new(inputs, tmp_path, capsys):
    states, killed = [], 0
    for point in range(1, MAX_POINTS + 1):
        directory = tmp_path / f"kill{point}"
        shutil.copytree(inputs["base"], directory)
        code = _killed_run(directory, inputs, point)
        if code == 0:
            assert _state(directory, inputs) == "new"
            break
        assert code == -signal.SIGKILL, code
        killed += 1
        states.append(_state(directory, inputs))
        _recover(directory, inputs, capsys)
    else:
        pytest.fail("the write points never ran out")
    assert killed >= 6, "fewer write points than tables written: the hook is not where the writes are"
    assert states[0] == "old" and states[-1] == "new" and states == sorted(states, key=["old", "new"].index)


@pytest.mark.parametrize("action", ["raise", "enospc"])
def test_fault_at_every_write_point_leaves_old_or_new(inputs, tmp_path, capsys, monkeypatch, action):
    failures = 0
    for point in range(1, MAX_POINTS + 1):
        directory = tmp_path / f"{action}{point}"
        shutil.copytree(inputs["base"], directory)
        monkeypatch.setenv(FAULT_ENV, f"{point}:{action}")
        monkeypatch.setattr(datadir, "_write_points", [0])
        capsys.readouterr()
        code = main(["ingest", str(inputs["b"]), "--out", str(directory)])
        err = capsys.readouterr().err
        monkeypatch.delenv(FAULT_ENV)
        assert "Traceback" not in err
        if code == 0:
            break
        failures += 1
        assert err.count("\n") == 1 and err.startswith("error:"), err
        if action == "enospc":
            assert code == 2 and "disk is full" in err and str(directory) in err, err
        else:
            assert code == 1 and "bug" in err, err
        state = _state(directory, inputs)
        if state == "old":
            assert _leftovers(directory) == [], "a failed run left temporary files behind"
        _recover(directory, inputs, capsys)
    else:
        pytest.fail("the write points never ran out")
    assert failures >= 6


@pytest.mark.parametrize("delay", [0.3, 0.9, 1.5, 2.1])
def test_kill_at_a_random_moment_mid_write(inputs, tmp_path, capsys, delay):
    """SIGKILL from outside at a moment inside the slowed-down commit (may land mid-table)."""
    directory = tmp_path / "dir"
    shutil.copytree(inputs["base"], directory)
    env = {**os.environ, SLOW_WRITES_ENV: "0.6"}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(inputs["b"]), "--out", str(directory)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    versions = directory / datadir.VERSIONS_DIR
    while time.monotonic() < deadline and proc.poll() is None:  # wait until the commit has begun
        if any(p.name.startswith(".tmp-") for p in versions.iterdir()):
            break
        time.sleep(0.02)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    _state(directory, inputs)
    _recover(directory, inputs, capsys)


def test_reader_sees_only_complete_versions_while_a_writer_rebuilds(inputs, tmp_path):
    directory = tmp_path / "dir"
    shutil.copytree(inputs["base"], directory)
    stamp_before = data_stamp(directory)
    env = {**os.environ, SLOW_WRITES_ENV: "0.5"}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(inputs["b"]), "--out", str(directory)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    seen = []
    while proc.poll() is None:
        seen.append(_state(directory, inputs))
    assert proc.returncode == 0, proc.stderr.read()
    assert len(seen) >= 2 and seen[0] == "old" and seen == sorted(seen, key=["old", "new"].index)
    assert _state(directory, inputs) == "new"
    assert data_stamp(directory) != stamp_before, "the app's cache key must change with the version"


def test_leftovers_whose_pid_was_reused_are_removed_by_the_next_writer(inputs, tmp_path, capsys):
    """A killed writer's pid may belong to another live process by the next run (pid 1 here);
    the next writer holds the lock, so it knows no other writer is at work and removes them all."""
    directory = tmp_path / "dir"
    shutil.copytree(inputs["base"], directory)
    junk = directory / datadir.VERSIONS_DIR / ".tmp-1-deadbeef"
    junk.mkdir()
    (junk / "incidents.parquet").write_bytes(b"PAR1 half")
    (directory / ".CURRENT.1.x1y2.tmp").write_text("nonsense\n")
    assert _state(directory, inputs) == "old"
    _recover(directory, inputs, capsys)


def test_the_app_shows_one_complete_version_during_a_rebuild_and_the_new_one_after(inputs, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.apptest import APP

    directory = tmp_path / "dir"
    shutil.copytree(inputs["base"], directory)
    monkeypatch.setenv("CONFLICTMAP_DATA", str(directory))
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["cat"] = "all"  # the rows are uncategorised ("other"): outside the default civilian-harm scope
    at.run()

    def incidents_shown() -> int:
        assert not at.exception, [e.value for e in at.exception]
        assert not at.error, [e.value for e in at.error]
        # The first metric counts what is shown (events by default, issue 11).
        return int(at.sidebar.metric[0].value.replace(",", ""))

    assert incidents_shown() == len(inputs["old_ids"])
    env = {**os.environ, SLOW_WRITES_ENV: "0.7"}
    proc = subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(inputs["b"]), "--out", str(directory)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    shown = []
    while proc.poll() is None:
        at.run()
        shown.append(incidents_shown())
    assert proc.returncode == 0, proc.stderr.read()
    assert set(shown) <= {len(inputs["old_ids"]), len(inputs["new_ids"])}, shown
    at.run()
    assert incidents_shown() == len(inputs["new_ids"]), "the app did not pick up the new version"
