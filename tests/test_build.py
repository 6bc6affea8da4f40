"""The build pipeline: the source registry, imports that keep nothing, and upload == command line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from geo import datadir
from geo.build import NothingImportedError, build_upload, ingest_into
from geo.cli import build_parser, main
from geo.datadir import load_bundle
from geo.ingest import detect_format, read_incidents
from geo.schema import ALL_COLUMNS
from geo.sources import registry

GENERIC_CSV = (
    "entry,date,lat,lon,description,killed\n"
    "1,2023-03-01,50.45,30.52,missile strike on a railway station,2\n"
    "2,2023-03-02,49.99,36.23,shelling of a hospital,\n"
    "3,not a date,49.99,36.23,shelling,1\n"
    "4,2023-03-04,95,30.52,bad latitude,0\n"
    "5,2023-03-05,46.48,30.73,drone attack on the port,-1\n"
    "6,2023-03-06,48.46,35.05,artillery fire on houses,3\n"
)


def test_every_format_is_declared_once_and_every_list_reads_the_registry():
    keys = registry.format_keys()
    assert len(keys) == len(set(keys)) and "generic" in keys and keys[-1] == "generic"
    ingest = next(a for a in build_parser()._subparsers._group_actions[0].choices["ingest"]._actions
                  if a.dest == "format")
    assert tuple(ingest.choices) == ("auto", *keys)
    for spec in registry.incident_formats():
        assert spec.stage is not None and spec.recognise is not None, spec.key
    for spec in registry.all_specs():
        assert spec.name and spec.licence, spec.key
    assert {"deepstate", "naturalearth", "geoboundaries"} <= {s.key for s in registry.all_specs()}


def test_unknown_sources_get_one_licence_wording_everywhere():
    from geo.exports import source_entry as export_entry

    assert registry.source_info("my-own-file")["licence"] == registry.UNKNOWN_LICENCE
    assert export_entry("my-own-file")["licence"] == registry.UNKNOWN_LICENCE
    assert registry.source_info("acled")["redistribution"] is False


@pytest.fixture
def extra_format(tmp_path, monkeypatch):
    """A new format added as one module in a folder on the package path."""
    import geo.sources as package

    folder = tmp_path / "plugins"
    folder.mkdir()
    (folder / "tallyho.py").write_text(textwrap.dedent('''
        import numpy as np
        import pandas as pd

        from geo.parsing import read_csv_table
        from geo.sources._common import StagedRows, same_list
        from geo.sources.registry import SourceSpec


        def stage(path, max_rows=None, max_bytes=None):
            table = read_csv_table(path, max_rows=max_rows, max_bytes=max_bytes)
            raw = table.frame
            n = len(raw)
            fields = pd.DataFrame({
                "source_id": raw["th_ref"], "date": raw["th_day"], "date_precision": "day",
                "lat": raw["th_y"], "lon": raw["th_x"], "geo_precision": "exact", "location": None,
                "target_types": same_list(n, ["unknown"]), "target_raw": None,
                "weapons": same_list(n, ["unknown"]), "weapon_raw": None, "event_type": "other",
                "event_type_raw": None, "killed": None, "injured": None, "description": None,
                "source_urls": same_list(n), "extra": "{}",
            })
            return StagedRows(file=path.name, source="tallyho", fields=fields, raw=raw,
                              row_numbers=table.row_numbers, columns={"date": "th_day"}, rows_read=table.rows_read)


        SPECS = (SourceSpec(key="tallyho", source="tallyho", name="Tally-ho incidents", licence="CC0",
                            attribution="Tally-ho", url="https://example.org", redistribution=True,
                            recognise=lambda probe: probe.header is not None and "th_ref" in probe.header,
                            stage=stage, priority=45),)
    '''), encoding="utf-8")
    monkeypatch.setattr(package, "__path__", [*package.__path__, str(folder)])
    registry.all_specs.cache_clear()
    yield
    registry.all_specs.cache_clear()


def test_adding_a_format_is_adding_one_module(extra_format, tmp_path):
    path = tmp_path / "th.csv"
    path.write_text("th_ref,th_day,th_y,th_x\nA1,2023-05-01,50.45,30.52\nA2,2023-05-02,49.99,36.23\n")
    assert "tallyho" in registry.format_keys()
    assert detect_format(path) == "tallyho"
    result = read_incidents([path])
    assert result.incidents["incident_id"].tolist() == ["tallyho:A1", "tallyho:A2"]
    assert registry.source_info("tallyho")["licence"] == "CC0"


def test_an_import_that_keeps_nothing_fails_and_changes_nothing(tmp_path, capsys):
    out = tmp_path / "dir"
    good = tmp_path / "events.csv"
    good.write_text(GENERIC_CSV)
    assert main(["ingest", str(good), "--out", str(out)]) == 0
    version = datadir.current_version(out)
    capsys.readouterr()
    bad = tmp_path / "dayfirst.csv"
    bad.write_text("id,date,lat,lon\n" + "".join(f"{i},{d}/13/2020 00:00:00 xx,50.45,30.52\n" for i, d in enumerate(range(1, 30))))
    assert main(["ingest", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "dayfirst.csv: none of its 29 rows could be imported" in err
    assert "date_unparseable: 29 rows, e.g. row 1: date='1/13/2020 00:00:00 xx'" in err
    assert "fix:" in err and "Nothing was changed" in err
    assert datadir.current_version(out) == version


def test_an_import_that_loses_more_than_half_warns(tmp_path, capsys):
    path = tmp_path / "mostly-bad.csv"
    path.write_text("id,date,lat,lon\n1,2023-01-01,50.45,30.52\n2,2023-01-02,0,0\n3,2023-01-03,0,0\n")
    assert main(["ingest", str(path), "--out", str(tmp_path / "dir")]) == 0
    err = capsys.readouterr().err
    assert "warning: mostly-bad.csv: 2 of 3 rows (67%) were quarantined" in err
    assert "outside_study_area: 2 rows, e.g. row 2:" in err
    assert len(load_bundle(tmp_path / "dir").incidents) == 1


def test_build_upload_refuses_a_file_that_keeps_nothing():
    base = load_bundle(None)
    with pytest.raises(NothingImportedError, match="none of its 1 rows"):
        build_upload([("x.csv", b"date,lat,lon\n2023-01-01,0,0\n")], "auto", base, "instead")


def _upload_script():
    import os
    from pathlib import Path

    import streamlit as st

    from ui.uploads import import_files

    path = Path(os.environ["CM_TEST_UPLOAD_FILE"])
    if not st.session_state.get("done"):
        st.session_state["done"] = import_files([(path.name, path.read_bytes())], "auto", "instead")


def _normalised(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame[list(ALL_COLUMNS)].sort_values("incident_id").reset_index(drop=True).copy()
    for column in ("target_types", "weapons", "source_urls"):
        frame[column] = frame[column].map(lambda v: list(v) if v is not None and not isinstance(v, float) else [])
    return frame


@pytest.mark.parametrize("name", ["events.csv", "acled.csv"])
def test_upload_and_command_line_build_identical_tables(tmp_path, monkeypatch, name):
    path = tmp_path / name
    if name == "acled.csv":
        from bench.generate import generate_acled

        frame = generate_acled(300, seed=5).astype({"event_date": object})
        frame.loc[4, "event_date"] = "31 February 2023"
        frame.to_csv(path, index=False)
    else:
        path.write_text(GENERIC_CSV)
    monkeypatch.delenv("CONFLICTMAP_DATA", raising=False)
    monkeypatch.setenv("CM_TEST_UPLOAD_FILE", str(path))
    at = AppTest.from_function(_upload_script, default_timeout=120).run()
    assert not at.exception
    from ui.data import SESSION_DATA_KEY

    uploaded = at.session_state[SESSION_DATA_KEY].bundle
    ingest_into(tmp_path / "dir", [path])
    stored = load_bundle(tmp_path / "dir")
    pd.testing.assert_frame_equal(_normalised(uploaded.incidents), _normalised(stored.incidents))
    np.testing.assert_array_equal(uploaded.incidents.sort_values("incident_id")["target_bits"],
                                  stored.incidents.sort_values("incident_id")["target_bits"])
    columns = ["file", "row_number", "source", "reason", "detail", "original"]
    up_q = uploaded.quarantine[columns].astype(str).reset_index(drop=True)
    cli_q = stored.quarantine[columns].astype(str).reset_index(drop=True)
    pd.testing.assert_frame_equal(up_q, cli_q)
    assert len(up_q) >= 1
    assert {s["key"] for s in uploaded.manifest["sources"]} == {s["key"] for s in stored.manifest["sources"]}


def test_every_input_is_recorded_with_its_format_and_counts(tmp_path):
    path = Path(tmp_path / "events.csv")
    path.write_text(GENERIC_CSV)
    summary = ingest_into(tmp_path / "dir", [path])
    (entry,) = load_bundle(tmp_path / "dir").manifest["inputs"]
    assert entry["format"] == "generic" and entry["rows"] == 6
    assert entry["imported"] == summary["imported"] == 3
    assert len(entry["sha256"]) == 64


def test_an_ingest_reads_each_file_from_disk_once(tmp_path, monkeypatch):
    """Detection, the UTF-8 check, the quote check, parsing and the manifest digest share one read."""
    import builtins
    import hashlib

    from pyarrow import csv as pacsv

    from bench.generate import generate_acled
    from geo.build import stage_files

    path = tmp_path / "acled.csv"
    generate_acled(12_000, seed=3).to_csv(path, index=False)
    size = path.stat().st_size
    assert size > 3 << 20
    read_bytes = {"n": 0}
    real_open = builtins.open

    class Counting:
        def __init__(self, handle):
            self._handle = handle

        def read(self, *args):
            data = self._handle.read(*args)
            read_bytes["n"] += len(data)
            return data

        def __getattr__(self, name):
            return getattr(self._handle, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return self._handle.__exit__(*exc)

    def counting_open(file, mode="r", *args, **kwargs):
        handle = real_open(file, mode, *args, **kwargs)
        if str(file) == str(path):
            return Counting(handle)
        return handle

    sources = []
    real_read_csv = pacsv.read_csv

    def spy_read_csv(source, *args, **kwargs):
        sources.append(source)
        return real_read_csv(source, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting_open)
    monkeypatch.setattr(pacsv, "read_csv", spy_read_csv)
    result, inputs = stage_files([path])
    monkeypatch.undo()
    assert len(result.incidents) > 11_000
    assert inputs[0]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert sources and not any(isinstance(s, (str, Path)) for s in sources)  # parsed from the bytes read
    assert read_bytes["n"] <= size + (2 << 20)  # the whole file once, plus the header sample of each look
