"""Hostile environments: read-only data directory, full disk, a file deleted between detection and
reading, permission denied. Each ends in one clear line (exit 2) and leaves the directory as it was.

Every case runs portably by injecting the operating system's error where it happens. Where the
machine allows it, the real thing runs too: a size-limited and a read-only tmpfs (root with mount
rights), and permission denied for an unprivileged user (root drops to ``nobody``; others chmod).
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

import geo.datadir as datadir
import geo.dirlock as dirlock
from geo.cli import main
from geo.datadir import load_bundle

ROOT = Path(__file__).resolve().parent.parent
HEADER = "date,latitude,longitude,location,description,killed,injured"
ROWS = ["2024-02-01,50.4501,30.5234,Kyiv,Missile strike on a flat,2,5",
        "2024-02-02,49.9935,36.2304,Kharkiv,Drone hit a school,0,3"]
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _csv(path: Path, rows=ROWS) -> Path:
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def _leftovers(directory: Path) -> list[str]:
    return sorted(str(p) for p in directory.rglob("*") if p.name.endswith(".tmp") or p.name.startswith(".tmp-"))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    out = tmp_path / "dir"
    assert main(["ingest", str(_csv(tmp_path / "first.csv")), "--out", str(out)]) == 0
    return out


def _run(argv, capsys) -> tuple[int, str]:
    capsys.readouterr()
    code = main(argv)
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


def _one_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:"), err
    return lines[0]


# ---------------------------------------------------------------- injected (portable)


@pytest.mark.parametrize("code, words", [(errno.EROFS, "read-only"), (errno.EACCES, "permission denied")])
def test_read_only_data_directory_injected(data_dir, tmp_path, capsys, monkeypatch, code, words):
    before = _snapshot(data_dir)
    real_open = os.open

    def refuse(path, flags, *args, **kwargs):
        if str(path).startswith(str(data_dir)) and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(dirlock.os, "open", refuse)
    status, err = _run(["ingest", str(_csv(tmp_path / "second.csv", ROWS[:1])), "--out", str(data_dir)], capsys)
    line = _one_line(err)
    assert status == 2 and words in line and str(data_dir) in line and "Nothing was changed" in line
    assert _snapshot(data_dir) == before


def test_disk_full_in_the_middle_of_a_table_injected(data_dir, tmp_path, capsys, monkeypatch):
    """The incident table is half written when the disk fills up."""
    before = _snapshot(data_dir)
    real = datadir.write_incidents

    def half_then_full(folder, frame, **options):
        real(folder, frame, **options)
        target = Path(folder) / datadir.INCIDENTS_FILE
        target.write_bytes(target.read_bytes()[: target.stat().st_size // 2])
        raise OSError(errno.ENOSPC, "No space left on device", str(target))

    monkeypatch.setattr(datadir, "write_incidents", half_then_full)
    status, err = _run(["ingest", str(_csv(tmp_path / "second.csv", ROWS[:1])), "--out", str(data_dir)], capsys)
    line = _one_line(err)
    assert status == 2 and "disk is full" in line and str(data_dir) in line
    assert _snapshot(data_dir) == before and _leftovers(data_dir) == []
    assert len(load_bundle(data_dir).incidents) == 2


def test_disk_full_as_pyarrow_reports_it(data_dir, tmp_path, capsys, monkeypatch):
    """pyarrow raises OSError without an errno, the cause only in its text."""
    before = _snapshot(data_dir)

    def full(folder, frame, **options):
        raise OSError("Error writing bytes to file. Detail: [errno 28] No space left on device")

    monkeypatch.setattr(datadir, "write_incidents", full)
    status, err = _run(["ingest", str(_csv(tmp_path / "second.csv", ROWS[:1])), "--out", str(data_dir)], capsys)
    assert status == 2 and "disk is full" in _one_line(err)
    assert _snapshot(data_dir) == before


def _delete_once_detected(monkeypatch, module, detector: str) -> None:
    """Make ``module.detector`` delete each file right after recognising it (a file gone before it is read)."""
    real = getattr(module, detector)

    def detect_then_delete(candidate):
        found = real(candidate)
        Path(candidate).unlink(missing_ok=True)
        return found

    monkeypatch.setattr(module, detector, detect_then_delete)


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_file_deleted_between_detection_and_reading(data_dir, tmp_path, capsys, monkeypatch, command):
    import geo.ingest

    before = _snapshot(data_dir)
    folder = tmp_path / "in"
    folder.mkdir()
    path = _csv(folder / "vanishing.csv", ROWS[:1])
    _delete_once_detected(monkeypatch, geo.ingest, "detect_format")
    argv = ["ingest", str(path), "--out", str(data_dir)] if command == "ingest" else \
        ["build", str(folder), "--out", str(data_dir)]
    status, err = _run(argv, capsys)
    if command == "ingest":
        line = _one_line(err)
        assert status == 2 and "vanishing.csv" in line and ("does not exist" in line or "deleted" in line), line
    else:  # build skips the file with its reason and keeps the rest
        assert status in (0, 2) and "vanishing.csv" in err, err
    assert _snapshot(data_dir) == before or command == "build"
    assert len(load_bundle(data_dir).incidents) == 2


def test_frontline_file_deleted_between_detection_and_reading(data_dir, tmp_path, capsys, monkeypatch):
    import json

    import geo.frontlines

    path = tmp_path / "2024-02-01_front.geojson"
    square = [[[37.0, 47.0], [39.0, 47.0], [39.0, 49.0], [37.0, 49.0], [37.0, 47.0]]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": square}, "properties": {"name": "x"}}]}))
    before = _snapshot(data_dir)
    _delete_once_detected(monkeypatch, geo.frontlines, "detect_frontline_format")
    status, err = _run(["frontlines", str(path), "--out", str(data_dir)], capsys)
    line = _one_line(err)
    assert status == 2 and path.name in line
    assert _snapshot(data_dir) == before


def test_input_permission_denied_injected(data_dir, tmp_path, capsys, monkeypatch):
    import geo.ingest

    before = _snapshot(data_dir)
    path = _csv(tmp_path / "secret.csv", ROWS[:1])

    def denied(candidate):
        raise PermissionError(errno.EACCES, "Permission denied", str(candidate))

    monkeypatch.setattr(geo.ingest, "detect_format", denied)
    status, err = _run(["ingest", str(path), "--out", str(data_dir)], capsys)
    line = _one_line(err)
    assert status == 2 and "secret.csv" in line and "permission denied" in line.lower()
    assert "cannot write" not in line, "a file that cannot be read is not a directory that cannot be written"
    assert _snapshot(data_dir) == before


# ---------------------------------------------------------------- the real thing, where possible


@pytest.fixture
def tmpfs():
    """Mount a 256 KB tmpfs (root with mount rights only); yields (mount point, remount function)."""
    if not IS_ROOT or not shutil.which("mount"):
        pytest.skip("needs root and mount to create a small file system")
    point = Path(tempfile.mkdtemp(prefix="conflictmap-tmpfs-"))
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(point)], capture_output=True).returncode:
        point.rmdir()
        pytest.skip("mount is not permitted here")

    def remount(option: str) -> None:
        subprocess.run(["mount", "-o", f"remount,{option}", str(point)], check=True, capture_output=True)

    try:
        yield point, remount
    finally:
        subprocess.run(["umount", "-l", str(point)], capture_output=True)
        point.rmdir()


def _big_csv(path: Path, n: int = 6000) -> Path:
    rows = [f"2024-02-{1 + i % 28:02d},{48 + (i % 500) / 100:.4f},{30 + (i % 700) / 100:.4f},Place {i},"
            f"Strike number {i} with a long enough description to take space,{i % 5},{i % 7}" for i in range(n)]
    return _csv(path, rows)


def test_real_disk_full(tmpfs, tmp_path, capsys):
    point, _ = tmpfs
    out = point / "dir"
    assert main(["ingest", str(_csv(tmp_path / "small.csv")), "--out", str(out)]) == 0
    before = _snapshot(out)
    status, err = _run(["ingest", str(_big_csv(tmp_path / "big.csv")), "--out", str(out)], capsys)
    line = _one_line(err)
    assert status == 2 and "disk is full" in line, line
    assert _snapshot(out) == before and _leftovers(out) == []
    assert len(load_bundle(out).incidents) == 2


def test_real_read_only_file_system(tmpfs, tmp_path, capsys):
    point, remount = tmpfs
    out = point / "dir"
    assert main(["ingest", str(_csv(tmp_path / "small.csv")), "--out", str(out)]) == 0
    before = _snapshot(out)
    remount("ro")
    status, err = _run(["ingest", str(_csv(tmp_path / "more.csv", ROWS[:1])), "--out", str(out)], capsys)
    line = _one_line(err)
    assert status == 2 and "read-only" in line and str(out) in line, line
    assert _snapshot(out) == before
    assert len(load_bundle(out).incidents) == 2, "a read-only directory must still load for the app"


def _drop_file_capabilities() -> None:
    """In the child, before exec: drop root's right to ignore file permissions (CAP_DAC_OVERRIDE/READ_SEARCH)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "cannot drop capabilities")


def _unprivileged(argv: list[str], home: Path) -> subprocess.CompletedProcess:
    """Run ``python -m geo`` without the right to ignore file permissions (root drops it; others lack it)."""
    env = {**os.environ, "HOME": str(home), "MPLCONFIGDIR": str(home)}
    try:
        return subprocess.run([sys.executable, "-m", "geo", *argv], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=300, preexec_fn=_drop_file_capabilities if IS_ROOT else None)
    except (OSError, subprocess.SubprocessError) as exc:
        pytest.skip(f"cannot run without file-permission override here: {exc}")


@pytest.fixture
def open_tmp():
    """A temporary folder every user can enter (pytest's own is private to its user)."""
    folder = Path(tempfile.mkdtemp(prefix="conflictmap-perm-"))
    folder.chmod(0o755)
    home = folder / "home"
    home.mkdir()
    home.chmod(0o777)
    try:
        yield folder, home
    finally:
        for path in folder.rglob("*"):
            try:
                path.chmod(0o777)
            except OSError:
                pass
        shutil.rmtree(folder, ignore_errors=True)


def test_real_permission_denied_on_the_input(open_tmp):
    folder, home = open_tmp
    out = folder / "out"
    out.mkdir()
    out.chmod(0o777)
    secret = _csv(folder / "secret.csv")
    secret.chmod(0o000)
    if not IS_ROOT and os.access(secret, os.R_OK):
        pytest.skip("this user can read a file with mode 000")
    proc = _unprivileged(["ingest", str(secret), "--out", str(out / "dir")], home)
    assert "Traceback" not in proc.stderr, proc.stderr
    line = _one_line(proc.stderr)
    assert proc.returncode == 2 and "secret.csv" in line and "permission denied" in line.lower(), line


def test_real_read_only_data_directory_for_this_user(open_tmp):
    folder, home = open_tmp
    out = folder / "dir"
    assert main(["ingest", str(_csv(folder / "first.csv")), "--out", str(out)]) == 0
    for path in [out, *out.rglob("*")]:
        path.chmod(0o555 if path.is_dir() else 0o444)
    if not IS_ROOT and os.access(out, os.W_OK):
        pytest.skip("this user can write a folder with mode 555")
    before = _snapshot(out)
    more = _csv(folder / "more.csv", ROWS[:1])
    more.chmod(0o644)
    proc = _unprivileged(["ingest", str(more), "--out", str(out)], home)
    assert "Traceback" not in proc.stderr, proc.stderr
    line = _one_line(proc.stderr)
    assert proc.returncode == 2 and "permission denied" in line and str(out) in line, line
    assert _snapshot(out) == before
    info = _unprivileged(["info", str(out)], home)
    assert info.returncode == 0, info.stderr  # readers never need to write


# ---------------------------------------------------------------- the upload takes the same path


@pytest.mark.parametrize("name, content", [
    ("deep.json", b"[" * 100_000 + b"]" * 100_000),
    ("deep.geojson", b'{"type": "FeatureCollection", "features": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}"),
    ("deep_objects.json", b'{"a":' * 100_000 + b"1" + b"}" * 100_000),
])
def test_upload_of_deeply_nested_json_is_one_clear_error(name, content):
    """Issue 17: the in-app upload reads JSON through the same depth-checked reader."""
    from geo.build import build_upload
    from geo.schema import UnreadableFileError

    base = load_bundle(None)
    with pytest.raises(UnreadableFileError) as info:
        build_upload([(name, content)], "auto", base, "alongside")
    message = str(info.value)
    assert name in message and "nested" in message and "\n" not in message
