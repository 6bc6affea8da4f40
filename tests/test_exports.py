"""Exports: real PNG/SVG files rendered by Chromium, the offline map, and the data files."""

import csv
import html
import io
import json
import re
import shutil
import struct
from pathlib import Path

import pandas as pd
import pytest

from geo import exports
from geo.viz import charts
from tests.synthetic_data import make_incidents

HAVE_CHROMIUM = Path("/usr/bin/chromium").exists() or shutil.which("chromium") is not None
needs_chromium = pytest.mark.skipif(not HAVE_CHROMIUM, reason="needs Chromium")

MANIFEST = {
    "schema_version": 1,
    "sources": [
        {
            "key": "curated",
            "name": "conflictmap curated incidents",
            "licence": "CC BY 4.0",
            "attribution": "conflictmap contributors",
            "url": "data/curated/incidents.csv",
            "accessed": "2026-11-01",
            "redistribution": True,
        },
        {
            "key": "acled",
            "name": "Armed Conflict Location & Event Data (ACLED)",
            "licence": "ACLED Terms of Use: raw data may not be redistributed",
            "attribution": "ACLED, www.acleddata.com",
            "url": "https://acleddata.com/",
            "accessed": "2026-11-02",
            "redistribution": False,
        },
    ],
}


@pytest.fixture
def frame():
    """Three curated rows (one with formula-like text) and two ACLED rows in one oblast and month."""
    return make_incidents(
        [
            {"date": "2024-01-03", "location": "=HYPERLINK(\"http://x\")", "description": "+1 dial", "killed": 2},
            {"date": "2024-01-04", "location": "@SUM(A1)", "description": "-5 km", "front_distance_km": -5.0},
            {"date": "2024-02-01", "location": "Kyiv", "description": "\tTabbed", "source_urls": ["https://news.example/a"]},
            {
                "date": "2024-02-10",
                "source": "acled",
                "admin1_iso": "UA-63",
                "killed": 1,
                "source_urls": ["https://news.example/b"],
            },
            {"date": "2024-02-11", "source": "acled", "admin1_iso": "UA-63", "killed": None, "injured": 4},
        ]
    )


@pytest.fixture
def context(frame):
    return exports.build_export_context(
        frame,
        MANIFEST,
        "v-test-1",
        "1 Jan 2024 to 29 Feb 2024; oblasts: Kyiv <& Kharkiv>",
        {"from": "2024-01-01", "to": "2024-02-29"},
        share_url="https://conflictmap.example.org/?from=2024-01-01",
    )


@pytest.fixture(scope="module")
def engine():
    """One engine (one Chromium) for the module, closed at the end."""
    if not HAVE_CHROMIUM:
        pytest.skip("needs Chromium")
    eng = exports.ExportEngine().start()
    yield eng
    eng.close()
    assert not eng.running


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_context_credits_only_present_sources(frame, context):
    assert context.data_date == "2024-02-11"
    assert [s["key"] for s in context.sources] == ["curated", "acled"]
    only_curated = exports.build_export_context(frame.iloc[:3], MANIFEST, "v", "All incidents")
    assert [s["key"] for s in only_curated.sources] == ["curated"]


def test_caption_lines_name_filters_date_sources_licences(context):
    text = "\n".join(exports.caption_lines(context))
    for expected in ("Filters: 1 Jan 2024", "Data as of 11 Feb 2024", "v-test-1", "ACLED, www.acleddata.com",
                     "accessed 2 Nov 2026", "CC BY 4.0", "https://conflictmap.example.org/?from=2024-01-01"):
        assert expected in text


def test_prepared_figure_has_legend_title_and_escaped_caption(frame, context):
    fig = exports.prepare_figure_for_export(charts.build_trend_chart(frame), context, width=1000).to_dict()
    layout = fig["layout"]
    assert layout["width"] == 1000 and layout["showlegend"] is True
    assert layout["title"]["text"].startswith("Incidents per month")
    caption = [a for a in layout["annotations"] if a.get("name") == "export_caption"][0]["text"]
    assert "Kyiv &lt;&amp; Kharkiv&gt;" in caption and "<&" not in caption
    assert layout["margin"]["b"] > 100


def test_kaleido_page_loads_nothing_from_the_network():
    page = exports.kaleido_page_html()
    assert "mathjax" not in page.lower()
    assert "http://" not in page and "https://" not in page
    assert exports.plotlyjs_path().as_uri() in page


@needs_chromium
def test_png_is_at_least_twice_the_layout_width(frame, context, engine):
    fig = charts.build_trend_chart(frame, by="weapons")
    png = exports.export_figure(fig, context, "png", engine=engine, width=900)
    width, height = _png_size(png)
    prepared = exports.prepare_figure_for_export(fig, context, width=900)
    assert width >= 2 * 900 and width == 1800
    assert height == 2 * prepared.layout.height


@needs_chromium
def test_svg_contains_caption_text(frame, context, engine):
    svg = exports.export_figure(charts.build_distance_histogram(frame), context, "svg", engine=engine).decode("utf-8")
    assert svg.lstrip().startswith("<svg")
    text = html.unescape(svg)  # the SVG serialiser writes < as &#60;
    for expected in ("Incidents by distance from the line of contact", "Filters: 1 Jan 2024 to 29 Feb 2024",
                     "Kyiv <& Kharkiv>", "Data as of 11 Feb 2024", "ACLED, www.acleddata.com",
                     "Licences:", "0–25 km"):
        assert expected in text, expected
    assert "<& Kharkiv>" not in svg  # data text never reaches the SVG as markup
    assert 'class="legend"' in svg or "legendtext" in svg


def test_a_ukrainian_svg_has_ukrainian_caption_ticks_and_titles(frame, engine):
    """The one Ukrainian render: caption, month ticks (no plotly.js locale in the engine) and titles."""
    from tests.test_i18n_exports import english_left

    context = exports.build_export_context(frame, MANIFEST, "v-test-1", "з 1 січ. 2024 р.", lang="uk")
    svg = exports.export_figure(charts.build_trend_chart(frame, lang="uk"), context, "svg", engine=engine)
    texts = [html.unescape(t) for t in re.findall(r">([^<>]+)</t(?:ext|span)>", svg.decode("utf-8"))]
    joined = " ".join(texts).replace("\u202f", " ").replace("\u00a0", " ")
    for expected in ("Інциденти за місяць", "січ. 2024", "лют. 2024", "Фільтри: з 1 січ. 2024 р.",
                     "Дані станом на 11 лют. 2024 р.", "Ліцензії:", "Зроблено за допомогою conflictmap"):
        assert expected in joined, (expected, texts)
    assert not english_left(texts), english_left(texts)


@needs_chromium
def test_choropleth_renders_offline(frame, context, engine):
    from geo.boundaries import load_default_boundaries
    from geo.population import load_population

    table = charts.compute_oblast_table(frame, None, load_population())
    fig = charts.build_oblast_choropleth(table, load_default_boundaries())
    png = exports.export_figure(fig, context, "png", engine=engine, width=800)
    assert _png_size(png)[0] == 1600


@needs_chromium
def test_engine_accepts_concurrent_jobs(frame, context, engine):
    futures = [exports.submit_figure_export(charts.build_trend_chart(frame), context, "svg", engine=engine) for _ in range(3)]
    results = [f.result(timeout=60) for f in futures]
    assert all(r.startswith(b"<svg") for r in results)


@needs_chromium
def test_map_html_is_standalone_and_snapshots(tmp_path, frame, context, engine):
    from geo.boundaries import load_default_boundaries

    page = exports.build_map_page(frame, context, load_default_boundaries())
    assert "<script src=" not in page and 'rel="stylesheet"' not in page
    assert "L.map" in page or "leaflet" in page.lower()
    path = tmp_path / "map.html"
    path.write_text(page, encoding="utf-8")
    png = exports.snapshot_map_html(path, engine=engine, width=800, height=600)
    assert _png_size(png) == (1600, 1200)


def test_standalone_html_inlines_cdn_leaflet_and_drops_unknown():
    page = (
        '<html><head><script src="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js"></script>'
        '<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css"/>'
        '<script src="https://code.example/unknown-lib.js"></script></head><body></body></html>'
    )
    out, dropped = exports.make_standalone_html(page)
    assert "cdn.jsdelivr" not in out.split("<!--")[0]
    assert "<script>/* leaflet.js */" in out and "<style>/* leaflet.css */" in out
    assert "data:image/png;base64," in out  # leaflet.css images inlined
    assert dropped == ["https://code.example/unknown-lib.js"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44", "'+44"),
        ("-5", "'-5"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Kyiv", "Kyiv"),
        ("", ""),
        (-5.0, -5.0),
        (3, 3),
    ],
)
def test_neutralise_csv_cell(value, expected):
    assert exports.neutralise_csv_cell(value) == expected


def _read_csv(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def test_data_export_neutralises_formulas_and_keeps_numbers(frame, context):
    files = exports.build_data_exports(frame, context, MANIFEST)
    rows = _read_csv(files["incidents.csv"])
    assert [r["location"] for r in rows] == ["'=HYPERLINK(\"http://x\")", "'@SUM(A1)", "Kyiv"]
    assert [r["description"] for r in rows] == ["'+1 dial", "'-5 km", "'\tTabbed"]
    assert rows[1]["front_distance_km"] == "-5.0"
    assert rows[0]["killed"] == "2" and rows[1]["killed"] == "0"
    assert rows[2]["source_urls"] == "https://news.example/a"
    assert rows[0]["date"] == "2024-01-03"


def test_licence_rule_withholds_raw_rows(frame, context):
    files = exports.build_data_exports(frame, context, MANIFEST)
    assert set(files) == {
        "incidents.csv",
        "incidents.geojson",
        "incidents_withheld_aggregates.csv",
        "incidents.provenance.json",
    }
    raw = _read_csv(files["incidents.csv"])
    assert {r["source"] for r in raw} == {"curated"}
    geojson = json.loads(files["incidents.geojson"])
    assert len(geojson["features"]) == 3
    assert {f["properties"]["source"] for f in geojson["features"]} == {"curated"}
    assert geojson["features"][0]["geometry"] == {"type": "Point", "coordinates": [30.5, 50.4]}
    aggregates = _read_csv(files["incidents_withheld_aggregates.csv"])
    assert aggregates == [
        {
            "source": "acled",
            "source_name": "Armed Conflict Location & Event Data (ACLED)",
            "source_url": "https://acleddata.com/",
            "admin1_iso": "UA-63",
            "oblast": "Kharkiv Oblast",
            "month": "2024-02",
            "incidents": "2",
            "killed": "1",
            "injured": "4",
            "links": "https://news.example/b",
        }
    ]


def test_no_withheld_file_when_all_sources_allow(frame, context):
    files = exports.build_data_exports(frame[frame["source"] == "curated"], context, MANIFEST)
    assert "incidents_withheld_aggregates.csv" not in files
    sidecar = json.loads(files["incidents.provenance.json"])
    assert sidecar["withheld"] == {"sources": [], "reason": ""}


def test_sidecar_fields(frame, context):
    sidecar = json.loads(exports.build_data_exports(frame, context, MANIFEST)["incidents.provenance.json"])
    assert sidecar["tool"] == "conflictmap" and sidecar["version"]
    assert sidecar["exported_at"] == context.exported_at
    assert sidecar["data_version"] == "v-test-1" and sidecar["data_date"] == "2024-02-11"
    assert sidecar["filters"]["description"].startswith("1 Jan 2024 to 29 Feb 2024")
    assert sidecar["filters"]["params"] == {"from": "2024-01-01", "to": "2024-02-29"}
    assert sidecar["share_url"] == "https://conflictmap.example.org/?from=2024-01-01"
    assert sidecar["rows"] == {"exported": 3, "withheld": 2}
    by_key = {s["key"]: s for s in sidecar["sources"]}
    assert by_key["acled"]["redistribution"] is False and by_key["acled"]["rows_withheld"] == 2
    assert by_key["acled"]["licence"].startswith("ACLED Terms of Use")
    assert by_key["curated"]["accessed"] == "2026-11-01" and by_key["curated"]["rows_exported"] == 3
    assert "Armed Conflict Location & Event Data (ACLED)" in sidecar["withheld"]["reason"]
    assert "do not allow redistribution" in sidecar["withheld"]["reason"]
    assert "incidents_withheld_aggregates.csv" in sidecar["files"]
    assert sidecar["crs"] == "EPSG:4326"


@needs_chromium
def test_write_view_export_writes_everything(tmp_path, frame, context, engine):
    from geo.boundaries import load_default_boundaries
    from geo.citation import build_citation

    boundaries = load_default_boundaries()
    figs = charts.build_standard_charts(frame, boundaries=boundaries)
    cite = build_citation(filters_description=context.filters_description, share_url="", data_version="v",
                          sources=context.sources)
    result = exports.write_view_export(tmp_path, frame, context, MANIFEST, figs, boundaries=boundaries,
                                       citation_text=cite.text, citation_bibtex=cite.bibtex, engine=engine)
    names = {p.name for p in result["files"]}
    for stem in figs:
        assert {f"{stem}.png", f"{stem}.svg"} <= names
    assert {"map.html", "map.png", "incidents.csv", "incidents.geojson", "incidents.provenance.json",
            "citation.txt", "citation.bib"} <= names
    assert all((tmp_path / n).stat().st_size > 0 for n in names)
    assert set(result["seconds"]) == {"charts", "map", "data"}


def test_frame_to_geojson_handles_missing_values():
    frame = make_incidents([{"date": "2024-01-01", "killed": None, "front_distance_km": None}])
    props = json.loads(exports.frame_to_geojson(frame))["features"][0]["properties"]
    assert props["killed"] is None and props["front_distance_km"] is None
    assert props["date"] == "2024-01-01" and props["weapons"] == ["drone"]
    assert isinstance(pd.Series([1]), pd.Series)


def test_caveats_travel_inside_the_image_and_empty_categories_leave_the_legend(frame, context):
    """A note about left-out rows is part of the caption; a trace with only zeros is not in the legend."""
    import plotly.graph_objects as go

    fig = go.Figure([go.Bar(x=["a", "b"], y=[3, 1], name="Residential"), go.Bar(x=["a", "b"], y=[0, 0], name="Cultural")])
    out = exports.prepare_figure_for_export(fig, context, notes=("4,209 incidents without a distance are not counted.",))
    caption = next(a.text for a in out.layout.annotations if a.name == "export_caption")
    assert caption.startswith("Note: 4,209 incidents without a distance are not counted.")
    shown = [t.name for t in out.data if t.showlegend is not False]
    assert shown == ["Residential"]


def test_trend_split_counts_an_incident_under_the_kept_category(frame):
    """With a Residential filter, an incident listing education first is counted as Residential."""
    rows = make_incidents([
        {"date": "2024-01-03", "target_types": ["education", "residential"]},
        {"date": "2024-01-04", "target_types": ["residential"]},
    ])
    plain = charts.compute_trend_series(rows, "month", "target_types")
    kept = charts.compute_trend_series(rows, "month", "target_types", keep=("residential",))
    assert set(plain.columns) == {"education", "residential"}
    assert list(kept.columns) == ["residential"] and int(kept["residential"].sum()) == 2


def test_context_without_access_dates_uses_the_import_date_and_drops_local_links(frame):
    manifest = {"built_at": "2026-12-03T07:00:00+00:00",
                "inputs": [{"format": "curated", "imported_at": "2026-12-02T10:00:00+00:00"}],
                "sources": [{"key": "curated", "name": "curated", "url": "data/curated/incidents.csv", "accessed": None}]}
    ctx = exports.build_export_context(frame, manifest, "v", "All incidents", {}, share_url="http://localhost:8501/?a=1")
    assert ctx.share_url == ""
    curated = next(s for s in ctx.sources if s["key"] == "curated")
    assert curated["accessed"] == "2026-12-02" and curated["accessed_kind"] == "imported"
    text = "\n".join(exports.caption_lines(ctx))
    assert "localhost" not in text and "imported 2 Dec 2026" in text
