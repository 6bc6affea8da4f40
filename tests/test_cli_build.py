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
    assert frame["admin1_iso"].notna().mean() > 0.98  # the rest lie in Russia, inside the 50 km study-area buffer
