"""`python -m geo export`: every chart, the map, the data and the citation, from the command line."""

import json
import struct
from pathlib import Path

import pytest

from geo.cli import main

pytestmark = pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="needs Debian chromium")


def _png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_export_of_the_bundled_data_with_filters(tmp_path, capsys):
    out = tmp_path / "weekly"
    status = main(["export", "default", "--out", str(out), "--from", "2023-01-01", "--target", "residential"])
    assert status == 0, capsys.readouterr().err
    names = {p.name for p in out.iterdir()}
    assert {"incidents.csv", "incidents.geojson", "incidents.provenance.json", "citation.txt", "map.html",
            "map.png"} <= names
    charts = {p.stem for p in out.glob("*.svg")}
    assert charts and charts == {p.stem for p in out.glob("*.png")} - {"map"}
    for stem in charts:
        width, height = _png_size(out / f"{stem}.png")
        assert width >= 2000 and height > 600  # 2x scale
        svg = (out / f"{stem}.svg").read_text(encoding="utf-8")
        assert "1 Jan 2023" in svg and "Residential" in svg  # the filters, in words, inside the image
    sidecar = json.loads((out / "incidents.provenance.json").read_text(encoding="utf-8"))
    geojson = json.loads((out / "incidents.geojson").read_text(encoding="utf-8"))
    assert geojson["features"], "the filter matches curated residential strikes since 2023"
    assert all(f["properties"]["date"] >= "2023-01-01" for f in geojson["features"])
    assert all("residential" in f["properties"]["target_types"] for f in geojson["features"])
    assert "Residential" in json.dumps(sidecar) and "CC BY 4.0" in json.dumps(sidecar)
    citation = (out / "citation.txt").read_text(encoding="utf-8")
    assert "conflictmap" in citation and "Residential" in citation
    html = (out / "map.html").read_text(encoding="utf-8")
    assert "<script src=\"http" not in html and "L.map(" in html  # Leaflet inlined, nothing fetched


@pytest.mark.parametrize(("command", "out"), [("export", "o"), ("animate", "o.gif")])
def test_a_missing_directory_is_one_clear_line(tmp_path, capsys, command, out):
    """``export`` and ``animate`` load their data through export_cli.run_view_command: one error line, status 2."""
    assert main([command, str(tmp_path / "nope"), "--out", str(tmp_path / out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:") and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / out).exists()


@pytest.mark.parametrize("option", ["--killed-min", "--killed-max", "--injured-min", "--injured-max"])
def test_a_huge_casualty_bound_is_one_line_not_a_traceback(tmp_path, capsys, option):
    """Issue 17 item 3: ``--killed-min`` followed by 400 nines used to end in a traceback."""
    with pytest.raises(SystemExit) as stop:
        main(["export", "default", "--out", str(tmp_path / "o"), option, "9" * 400])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "must be a whole number from 0 to 1,000,000" in err.strip().splitlines()[-1]
    assert not (tmp_path / "o").exists()
