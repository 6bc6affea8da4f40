"""Every CLI command over the whole bad-file corpus: never a traceback, never a half-changed directory.

The corpus is the one of :mod:`tests.test_bad_files` (incident files and front-line/boundary
GeoJSON, all generated in code) plus the issue-17 files owned by other tests (a stray quote,
Excel serials with a time, a snapshot dated 2202). Each file goes through ``ingest``,
``frontlines``, ``boundaries`` and ``build`` into a copy of a valid data directory, and through
``export`` (as the directory argument, and, for the files that import, as the data directory
they produced). A run passes when it

- exits 0, or 2 with exactly one ``error:`` line that names a cause (exit 1, the "this is a
  bug" path of :func:`geo.cli.main`, fails the test, as does any exception escaping ``main``);
- prints no traceback;
- leaves the data directory loadable, and byte-identical when ``ingest``/``frontlines``/
  ``boundaries`` refused the file.

The commands run in-process through :func:`geo.cli.main` (fast); a few run as real subprocesses.
Exporting every imported file's directory renders charts and is marked ``slow``; the default
suite exports one directory holding every importable corpus file at once.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geo.cli import main
from geo.datadir import load_bundle
from tests.test_bad_files import CASES, GEO_CASES, GOOD_ROWS, _csv, _polygon, _write
from tests.test_faults import BROKEN

ROOT = Path(__file__).resolve().parent.parent
COMMANDS = ("ingest", "frontlines", "boundaries", "build", "export")
_SQUARE = [[[37.0, 47.0], [39.0, 47.0], [39.0, 49.0], [37.0, 49.0], [37.0, 47.0]]]


def _front(file_name: str, **props):
    def build(tmp: Path) -> Path:
        path = tmp / file_name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": [_polygon(_SQUARE, **props)]}),
                        encoding="utf-8")
        return path

    return build


# issue-17 items owned by other tests (their exact outcome is asserted there); here: no traceback
EXTRA = {
    "stray_quote": _write("stray.csv", _csv(*GOOD_ROWS, '2024-02-04,47.84,35.14,Zaporizhzhia 5" shelling,x,1,0',
                                           *GOOD_ROWS)),
    "excel_serial_with_time": _write("serial.csv", _csv("45292.5,50.45,30.52,Kyiv,a,1,1", "45292,50.45,30.52,Kyiv,b,1,1")),
    "snapshot_dated_2202": _front("2202-02-02.geojson", name="occupied"),
    "snapshot_dated_1999": _front("1999-02-02.geojson", name="occupied"),
}

CORPUS: dict[str, object] = {}
CORPUS.update({f"incident-{c.name}": c.build for c in CASES})
CORPUS.update({f"geo-{name}": build for name, (build, _) in GEO_CASES.items()})
CORPUS.update({f"extra-{name}": build for name, build in EXTRA.items()})


@pytest.fixture(scope="module")
def corpus_files(tmp_path_factory):
    """Build each corpus file once (on first use), each in its own folder (the ``build`` input)."""
    root = tmp_path_factory.mktemp("corpus")
    built: dict[str, Path] = {}

    def get(name: str) -> Path:
        if name not in built:
            folder = root / name
            folder.mkdir()
            built[name] = CORPUS[name](folder)
        return built[name]

    return get


@pytest.fixture(scope="module")
def template_dir(tmp_path_factory) -> Path:
    """A valid data directory (three incidents) that each run starts from."""
    root = tmp_path_factory.mktemp("template")
    source = root / "good.csv"
    source.write_text(_csv(*GOOD_ROWS), encoding="utf-8")
    assert main(["ingest", str(source), "--out", str(root / "dir")]) == 0
    return root / "dir"


def _snapshot(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*"))
            if p.is_file() and p.name != ".lock"}


def run_cli(argv: list[str], capsys) -> tuple[int, str]:
    """Run ``geo.cli.main`` in-process; return the exit status and everything printed."""
    capsys.readouterr()
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse usage errors
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def check_clean(code: int, output: str, argv: list[str]) -> None:
    """Exit 0, or 2 with exactly one one-line ``error:`` message; never a traceback."""
    assert "Traceback" not in output, f"{argv}: {output[-3000:]}"
    assert code in (0, 2), f"{argv} exited {code} (1 = an unexpected error reported as a bug): {output[-2000:]}"
    if code == 2:
        errors = [line for line in output.splitlines() if line.startswith("error:")]
        assert len(errors) == 1, f"{argv}: {output[-2000:]}"
        assert 15 < len(errors[0]) < 2_000, errors[0]


def _argv(command: str, path: Path, out: Path) -> list[str]:
    if command == "build":
        return ["build", str(path.parent), "--out", str(out)]
    if command == "export":
        return ["export", str(path), "--out", str(out.parent / "export"), "--no-map"]
    return [command, str(path), "--out", str(out)]


@pytest.mark.parametrize("command", COMMANDS)
@pytest.mark.parametrize("name", list(CORPUS))
def test_cli_over_the_corpus(name, command, corpus_files, template_dir, tmp_path, capsys):
    path = corpus_files(name)
    out = tmp_path / "dir"
    shutil.copytree(template_dir, out)
    before = _snapshot(out)
    argv = _argv(command, path, out)
    code, output = run_cli(argv, capsys)
    check_clean(code, output, argv)
    if command == "export":
        assert code == 2, "a file is not a data directory"
        return
    if code == 2 and command != "build":
        assert _snapshot(out) == before, f"{argv} failed but changed the data directory"
    bundle = load_bundle(out)
    assert bundle.incidents["incident_id"].is_unique
    assert len(bundle.incidents) >= 3 or command == "boundaries"


@pytest.mark.parametrize("command", ["info", "enrich", "export", "ingest", "animate"])
@pytest.mark.parametrize("case", list(BROKEN))
def test_cli_over_broken_data_directories(case, command, tmp_path, capsys, template_dir):
    make, _ = BROKEN[case]
    directory = make(tmp_path)
    good = tmp_path / "good.csv"
    good.write_text(_csv(*GOOD_ROWS), encoding="utf-8")
    argv = {"info": ["info", str(directory)], "enrich": ["enrich", str(directory)],
            "export": ["export", str(directory), "--out", str(tmp_path / "export"), "--no-map"],
            "ingest": ["ingest", str(good), "--out", str(directory)],
            "animate": ["animate", str(directory), "--out", str(tmp_path / "film.gif")]}[command]
    code, output = run_cli(argv, capsys)
    check_clean(code, output, argv)


def _importable(corpus_files, capsys, root: Path) -> Path:
    """One data directory built from every corpus file that imports (each by ``geo ingest``)."""
    out = root / "all"
    imported = 0
    for name in CORPUS:
        code, output = run_cli(["ingest", str(corpus_files(name)), "--out", str(out)], capsys)
        check_clean(code, output, [name])
        imported += code == 0
    assert imported >= 20
    return out


def test_export_of_everything_the_corpus_imports(corpus_files, tmp_path, capsys):
    out = _importable(corpus_files, capsys, tmp_path)
    # With the map: the one Chromium render of the corpus (the per-file exports below skip it).
    argv = ["export", str(out), "--out", str(tmp_path / "export")]
    code, output = run_cli(argv, capsys)
    check_clean(code, output, argv)
    assert code == 0
    assert (tmp_path / "export" / "incidents.csv").exists()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(CORPUS))
def test_export_of_each_imported_file(name, corpus_files, template_dir, tmp_path, capsys):
    out = tmp_path / "dir"
    shutil.copytree(template_dir, out)
    code, output = run_cli(["build", str(corpus_files(name).parent), "--out", str(out)], capsys)
    check_clean(code, output, [name])
    argv = ["export", str(out), "--out", str(tmp_path / "export"), "--data-only"]
    code, output = run_cli(argv, capsys)
    check_clean(code, output, argv)
    assert not list((tmp_path / "export").rglob("*.png")), "--data-only wrote images"


@pytest.mark.parametrize(
    "command, name",
    [("ingest", "incident-json_nested_100k_arrays"), ("frontlines", "geo-nested_100k"),
     ("boundaries", "geo-nested_100k_json"), ("frontlines", "geo-csv_table"), ("boundaries", "geo-xlsx_table")],
)
def test_real_process_prints_one_line(command, name, corpus_files, tmp_path):
    """The issue-17 reproductions, as a user runs them: ``python -m geo ...`` in a new process."""
    argv = [sys.executable, "-m", "geo", command, str(corpus_files(name)), "--out", str(tmp_path / "dir")]
    proc = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1, proc.stderr
    assert proc.stderr.startswith("error:")
    assert ("nested" in proc.stderr) or ("python -m geo ingest" in proc.stderr)


def test_unexpected_errors_are_one_line_with_a_bug_hint_and_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    import geo.datadir

    def broken(*args, **kwargs):
        raise KeyError("boom")

    monkeypatch.setattr(geo.datadir, "load_bundle", broken)
    code, output = run_cli(["info", str(tmp_path)], capsys)
    assert code == 1 and "Traceback" not in output
    assert output.count("\n") == 1 and "KeyError" in output and "bug" in output and "--debug" in output
    with pytest.raises(KeyError):
        main(["info", str(tmp_path), "--debug"])
    with pytest.raises(KeyError):
        main(["--debug", "info", str(tmp_path)])
