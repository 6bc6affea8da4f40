"""`python -m geo build`: a folder of publisher files becomes an enriched data directory in one go.

The folder is made of symbolic links to a few real files in ../shared/data (read in place).
"""

from pathlib import Path

import pytest

from geo.cli import main
from geo.datadir import load_bundle

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
FILES = [
    "boundaries/geoBoundaries-UKR-ADM1_simplified.geojson",
    "frontlines/deepstate/2023-01-01_1672612651.geojson",
    "frontlines/deepstate/2023-07-01_1688216730.geojson",
    "incidents/bellingcat/ukr-civharm-2024-02-26.csv",
    "casualties/ohchr_monthly.csv",
]

pytestmark = [pytest.mark.realdata, pytest.mark.skipif(not SHARED.exists(), reason="../shared/data not present")]


def test_build_from_a_folder_of_publisher_files(tmp_path, capsys):
    folder = tmp_path / "publisher-files"
    for name in FILES:
        link = folder / name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(SHARED / name)
    out = tmp_path / "dir"
    assert main(["build", str(folder), "--out", str(out)]) == 0
    printed = capsys.readouterr()
    assert "front-line snapshots: 2 (2023-01-01 … 2023-07-01)" in printed.out
    assert "ohchr_monthly.csv" in printed.out + printed.err  # not incident data: reported, not silently dropped
    bundle = load_bundle(out)
    frame = bundle.incidents
    assert len(frame) == 1542  # 1,551 rows - 6 outside the study area - 3 duplicate ids
    assert len(bundle.quarantine) == 9
    assert len(bundle.boundaries) == 27
    dated = frame["date"] >= "2023-01-01"
    assert frame.loc[dated, "front_distance_km"].notna().all()
    assert frame.loc[~dated, "front_distance_km"].isna().all()
    # the rest lie in Russia or Belarus, inside the 50 km study-area buffer: a country, never an oblast
    assert frame["admin1_iso"].notna().mean() > 0.97
    assert (frame["admin1_iso"].notna() == frame["country"].eq("UA").fillna(False)).all()
    assert set(frame.loc[frame["country"].ne("UA").fillna(True), "country"].dropna()) <= {"RU", "BY", "MD", "PL", "RO", "sea"}


def test_mapping_file_and_map_options(tmp_path):
    """--mapping-file (FIELD=COLUMN lines or JSON) is read by the importer's reader; --map overrides it."""
    csv_path = tmp_path / "odd.csv"
    csv_path.write_text("Day,Y,X,Wrong\n2024-02-01,50.45,30.52,1\n2024-02-02,49.99,36.23,2\n", encoding="utf-8")
    lines = tmp_path / "map.txt"
    lines.write_text("# my columns\ndate=Day\nlat=Y\nlon=Wrong\n", encoding="utf-8")
    out = tmp_path / "d"
    assert main(["ingest", str(csv_path), "--format", "generic", "--mapping-file", str(lines), "--map", "lon=X",
                 "--out", str(out)]) == 0
    from geo.datadir import load_bundle

    incidents = load_bundle(out).incidents
    assert sorted(incidents["lon"].round(2)) == [30.52, 36.23]
    bad = tmp_path / "bad.txt"
    bad.write_text("date Day\n", encoding="utf-8")
    assert main(["ingest", str(csv_path), "--format", "generic", "--mapping-file", str(bad), "--out", str(out)]) == 2
