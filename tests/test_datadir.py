"""The data directory: build, idempotent re-import, atomic writes, faults, and the command line."""

import json
from pathlib import Path

import pandas as pd
import pytest

from bench.generate import generate_acled
from geo.build import DEFAULT_BOUNDARIES_SOURCE, REFERENCE_LAND_SOURCE, ingest_into
from geo.cli import main
from geo.datadir import (
    INCIDENTS_FILE,
    MANIFEST_FILE,
    QUARANTINE_FILE,
    DataDirError,
    load_bundle,
    table_path,
)
from geo.schema import ALL_COLUMNS, SCHEMA_VERSION
from geo.taxonomy import TARGET_TYPES, bitmask


@pytest.fixture
def acled_csv(tmp_path: Path) -> Path:
    """A 400-row synthetic ACLED export with three deliberately bad rows."""
    frame = generate_acled(400, seed=7).astype({"latitude": object, "event_date": object})
    frame.loc[3, "latitude"] = "not a number"
    frame.loc[4, "event_date"] = "31 February 2023"
    frame.loc[5, ["latitude", "longitude"]] = [55.75, 37.62]  # Moscow: outside the study area
    path = tmp_path / "acled.csv"
    frame.to_csv(path, index=False)
    return path


def test_ingest_accounts_for_every_row(acled_csv, tmp_path):
    out = tmp_path / "dir"
    summary = ingest_into(out, [acled_csv], fmt="acled")
    assert summary["rows_read"] == 400
    assert summary["imported"] + summary["quarantined"] == 400
    assert summary["quarantined"] >= 3
    quarantine = pd.read_csv(table_path(out, QUARANTINE_FILE))
    assert quarantine["reason"].notna().all()
    assert set(quarantine["row_number"]) >= {4, 5, 6}


def test_reimport_is_idempotent(acled_csv, tmp_path):
    out = tmp_path / "dir"
    first = ingest_into(out, [acled_csv], fmt="acled")
    second = ingest_into(out, [acled_csv], fmt="acled")
    assert first["total"] == second["total"] == first["imported"]
    assert len(pd.read_csv(table_path(out, QUARANTINE_FILE))) == first["quarantined"]


def test_bundle_has_enrichment_and_bitsets(acled_csv, tmp_path):
    out = tmp_path / "dir"
    ingest_into(out, [acled_csv], fmt="acled")
    bundle = load_bundle(out)
    frame = bundle.incidents
    assert list(frame.columns[: len(ALL_COLUMNS)]) == list(ALL_COLUMNS)
    assert str(frame["date"].dtype) == "datetime64[ns]"
    assert frame["admin1_iso"].notna().mean() > 0.95
    assert bundle.frontlines is None and any("front-line" in n for n in bundle.notices)
    residential = bitmask(["residential"], TARGET_TYPES)
    by_bits = (frame["target_bits"] & residential) != 0
    by_lists = frame["target_types"].map(lambda v: "residential" in list(v))
    assert by_bits.tolist() == by_lists.tolist()
    manifest = json.loads(table_path(out, MANIFEST_FILE).read_text())
    assert manifest["schema_version"] == SCHEMA_VERSION
    assert manifest["data_version"] == bundle.version
    assert {s["key"] for s in manifest["sources"]} == {"acled", DEFAULT_BOUNDARIES_SOURCE, REFERENCE_LAND_SOURCE}


def test_missing_directory_is_explained(tmp_path):
    with pytest.raises(DataDirError, match="does not exist"):
        load_bundle(tmp_path / "nope")


def test_half_written_table_is_explained(acled_csv, tmp_path):
    out = tmp_path / "dir"
    ingest_into(out, [acled_csv], fmt="acled")
    path = table_path(out, INCIDENTS_FILE)
    data = path.read_bytes()
    path.unlink()  # versions share unchanged files by hard links: damage this one only
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(DataDirError, match="half-written|not a readable"):
        load_bundle(out)


def test_older_schema_is_explained(acled_csv, tmp_path):
    out = tmp_path / "dir"
    ingest_into(out, [acled_csv], fmt="acled")
    path = table_path(out, MANIFEST_FILE)
    manifest = json.loads(path.read_text())
    manifest["schema_version"] = 0
    path.write_text(json.dumps(manifest))
    with pytest.raises(DataDirError, match="schema version"):
        load_bundle(out)


def test_cli_ingest_and_info(acled_csv, tmp_path, capsys):
    out = tmp_path / "dir"
    assert main(["ingest", str(acled_csv), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "rows read:" in printed and "quarantined:" in printed
    assert main(["info", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "incidents:" in printed and "acled" in printed


def test_cli_unreadable_file_is_one_clear_line(tmp_path, capsys):
    bad = tmp_path / "empty.csv"
    bad.write_bytes(b"")
    assert main(["ingest", str(bad), "--out", str(tmp_path / "dir")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "empty.csv" in err and "Traceback" not in err


def test_default_bundle_loads():
    bundle = load_bundle(None)
    assert bundle.is_default
    assert len(bundle.incidents) >= 150
    assert bundle.incidents["source"].eq("curated").all()
    assert bundle.incidents["admin1_iso"].notna().all()
