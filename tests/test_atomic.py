"""The one atomic-write rule (geo.atomic): a failed or interrupted write leaves the old file and no temporary file."""

from __future__ import annotations

import stat
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from geo.atomic import atomic_write, write_bytes
from geo.frontlines import load_frontlines, write_frontlines


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, error):
    target = tmp_path / "incidents.parquet"
    target.write_bytes(b"old")

    def failing(path: Path) -> None:
        path.write_bytes(b"new but incomplete")
        raise error

    with pytest.raises(type(error)):
        atomic_write(target, failing)
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["incidents.parquet"]


def test_the_temporary_file_is_private_and_the_folder_is_created(tmp_path):
    target = tmp_path / "new" / "folder" / "token.json"
    modes = []

    def write(tmp: Path) -> None:
        modes.append(stat.S_IMODE(tmp.stat().st_mode))
        tmp.write_text("secret", encoding="utf-8")

    atomic_write(target, write)
    assert modes == [0o600] and target.read_text(encoding="utf-8") == "secret"
    write_bytes(target, b"replaced")
    assert target.read_bytes() == b"replaced"
    assert sorted(p.name for p in target.parent.iterdir()) == ["token.json"]


def test_front_lines_are_written_through_the_same_rule(tmp_path, monkeypatch):
    """A failing parquet write keeps the previous front lines (write_frontlines uses atomic_write)."""
    frame = gpd.GeoDataFrame({
        "snapshot_date": [pd.Timestamp("2024-01-01")], "source": ["test"], "method": ["m"],
        "contact_line": [None], "contested": [None],
    }, geometry=[shapely.box(30, 47, 31, 48)], crs="EPSG:4326")
    write_frontlines(frame, tmp_path)
    before = (tmp_path / "frontlines.parquet").read_bytes()

    def broken(self, path, **kwargs):
        Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(gpd.GeoDataFrame, "to_parquet", broken)
    with pytest.raises(OSError):
        write_frontlines(frame, tmp_path)
    assert (tmp_path / "frontlines.parquet").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["frontlines.parquet"]
    monkeypatch.undo()
    assert len(load_frontlines(tmp_path)) == 1
