"""Concurrent writers: one writer at a time per data directory (``geo.dirlock``).

A second writer stops with a one-line "busy" message naming the directory and the holder's pid,
or waits with ``--wait``; a killed holder never leaves the lock behind; two real ``geo ingest``
processes started together never corrupt the directory.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

from geo.cli import main
from geo.datadir import load_bundle
from geo.dirlock import DataDirBusyError, is_locked, lock_data_dir

ROOT = Path(__file__).resolve().parent.parent
HEADER = "date,latitude,longitude,location,description,killed,injured"


def _incidents_csv(path: Path, n: int, day: int = 1) -> Path:
    rows = [f"2024-02-{day:02d},{50.0 + i * 0.001:.4f},{30.5 + i * 0.001:.4f},Kyiv,event {i} of {path.stem},1,0"
            for i in range(n)]
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _holder(directory: Path, seconds: float = 60.0) -> subprocess.Popen:
    """Start a process that takes the lock of ``directory`` and holds it; returns once it holds it."""
    code = textwrap.dedent(f"""
        import sys, time
        from geo.dirlock import lock_data_dir
        with lock_data_dir({str(directory)!r}):
            print("locked", flush=True)
            time.sleep({seconds})
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    return proc


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir()) if p.is_file() and p.name != ".lock"}


def test_second_writer_is_told_busy_with_the_holders_pid(tmp_path, capsys):
    out = tmp_path / "dir"
    assert main(["ingest", str(_incidents_csv(tmp_path / "a.csv", 5)), "--out", str(out)]) == 0
    before = _snapshot(out)
    holder = _holder(out)
    try:
        assert is_locked(out)
        capsys.readouterr()
        code = main(["ingest", str(_incidents_csv(tmp_path / "b.csv", 7)), "--out", str(out)])
        err = capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()
    assert code == 2
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "busy" in err and str(out) in err and f"pid {holder.pid}" in err and "--wait" in err
    assert _snapshot(out) == before, "a refused writer changed the directory"


def test_every_writing_command_takes_the_lock(tmp_path, capsys):
    out = tmp_path / "dir"
    source = _incidents_csv(tmp_path / "a.csv", 3)
    holder = _holder(out)
    try:
        for argv in (["ingest", str(source), "--out", str(out)], ["frontlines", str(source), "--out", str(out)],
                     ["boundaries", str(source), "--out", str(out)], ["enrich", str(out)],
                     ["build", str(tmp_path), "--out", str(out)], ["fetch", "deepstate", "--out", str(out)]):
            capsys.readouterr()
            assert main(argv) == 2, argv
            assert "busy" in capsys.readouterr().err, argv
    finally:
        holder.kill()
        holder.wait()


def test_killed_holder_releases_the_lock(tmp_path):
    out = tmp_path / "dir"
    holder = _holder(out)
    assert is_locked(out)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    assert not is_locked(out)
    with lock_data_dir(out):
        assert is_locked(out)
    assert not is_locked(out)


def test_wait_serialises_writers(tmp_path, capsys):
    out = tmp_path / "dir"
    holder = _holder(out, seconds=1.0)
    try:
        code = main(["ingest", str(_incidents_csv(tmp_path / "b.csv", 4)), "--out", str(out), "--wait", "60"])
    finally:
        holder.wait()
    assert code == 0, capsys.readouterr().err
    assert len(load_bundle(out).incidents) == 4


@pytest.mark.parametrize("wait", ["-1", "nan", "1e400", "86401"])
def test_wait_out_of_range_is_one_line(tmp_path, capsys, wait):
    code = main(["ingest", str(_incidents_csv(tmp_path / "a.csv", 2)), "--out", str(tmp_path / "d"), "--wait", wait])
    err = capsys.readouterr().err
    assert code == 2 and "--wait" in err and "Traceback" not in err


def test_lock_is_reentrant_in_one_thread_and_exclusive_across_threads(tmp_path):
    out = tmp_path / "dir"
    seen: list[str] = []
    with lock_data_dir(out):
        with lock_data_dir(out):  # a command calling a function that locks again
            pass
        assert is_locked(out)

        def other():
            try:
                with lock_data_dir(out):
                    seen.append("acquired")
            except DataDirBusyError as exc:
                seen.append(str(exc))

        thread = threading.Thread(target=other)
        thread.start()
        thread.join()
    assert len(seen) == 1 and seen[0].startswith("busy"), seen
    assert not is_locked(out)


def test_two_ingest_processes_at_once_never_corrupt_the_directory(tmp_path):
    """Start two real ``geo ingest`` processes into one directory together, several times."""
    out = tmp_path / "dir"
    files = [_incidents_csv(tmp_path / f"f{k}.csv", 40 + k, day=1 + k) for k in range(2)]
    for round_ in range(3):
        procs = [subprocess.Popen([sys.executable, "-m", "geo", "ingest", str(f), "--out", str(out)]
                                  + (["--wait", "120"] if round_ == 2 else []),
                                  cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for f in files]
        results = [(p.wait(timeout=300), p.stderr.read()) for p in procs]
        for code, err in results:
            assert "Traceback" not in err, err
            assert code == 0 or (code == 2 and "busy" in err), err
        assert any(code == 0 for code, _ in results)
        bundle = load_bundle(out)
        ids = set(bundle.incidents["incident_id"])
        assert len(ids) == len(bundle.incidents)
        if round_ == 2:
            assert all(code == 0 for code, _ in results)
            assert len(bundle.incidents) == 40 + 41
    assert not is_locked(out)
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]


def test_a_failed_first_command_leaves_no_directory_behind(tmp_path, capsys):
    out = tmp_path / "new"
    mapping = tmp_path / "bin.map"
    mapping.write_bytes(b"\xff\xfe\x00garbage")
    code = main(["ingest", str(_incidents_csv(tmp_path / "a.csv", 2)), "--out", str(out), "--mapping-file", str(mapping)])
    err = capsys.readouterr().err
    assert code == 2 and "bin.map" in err and "UTF-8" in err
    assert not out.exists(), "a refused first import left an empty data directory (and its lock) behind"


def test_out_is_a_file(tmp_path, capsys):
    target = tmp_path / "afile"
    target.write_text("x")
    assert main(["ingest", str(_incidents_csv(tmp_path / "a.csv", 2)), "--out", str(target)]) == 2
    err = capsys.readouterr().err
    assert "is a file, not a folder" in err and target.read_text() == "x"


def test_a_waiter_takes_the_new_lock_when_the_holder_removed_its_empty_directory(tmp_path):
    """The first holder created the directory, wrote nothing and removed it with its lock file;
    a writer that was waiting on the old lock file must not work under a lock nobody else can see."""
    out = tmp_path / "new"
    entered = threading.Event()
    result: list[str] = []

    def first():
        with lock_data_dir(out):
            entered.set()
            threading.Event().wait(0.5)

    def second():
        entered.wait()
        with lock_data_dir(out, timeout=30):
            (out / "written").write_text("by the second writer")
            assert is_locked(out)
            lock_inode = os.stat(out / ".lock").st_ino
            result.append(str(lock_inode))

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert result and (out / "written").exists() and (out / ".lock").exists()
