"""The "Cite this view" block: every field present in both renderings."""

import datetime as dt

import geo
from geo.citation import TOOL_NAME, build_citation

SOURCES = [
    {
        "key": "ucdp",
        "name": "UCDP Georeferenced Event Dataset (GED)",
        "attribution": "Sundberg & Melander (2013)",
        "url": "https://ucdp.uu.se/downloads/",
        "accessed": "2026-11-20",
        "licence": "CC BY 4.0",
    },
    {"key": "mine", "name": "my_file.csv", "accessed": None},
]


def _cite(**overrides):
    args = {
        "filters_description": "1 Jan 2024 to 31 Mar 2024; targets: Education",
        "share_url": "http://localhost:8501/?from=2024-01-01&to=2024-03-31&tt=education",
        "data_version": "abc123",
        "sources": SOURCES,
        "cited_on": dt.date(2026, 11, 27),
    }
    return build_citation(**{**args, **overrides})


def test_plain_text_has_every_field():
    text = _cite().text
    for expected in (
        TOOL_NAME,
        f"version {geo.__version__}",
        "1 Jan 2024 to 31 Mar 2024; targets: Education",
        "http://localhost:8501/?from=2024-01-01&to=2024-03-31&tt=education",
        "Data version abc123",
        "UCDP Georeferenced Event Dataset (GED)",
        "accessed 2026-11-20",
        "licence: CC BY 4.0",
        "https://ucdp.uu.se/downloads/",
        "my_file.csv. access date not recorded.",
        "Accessed 2026-11-27",
    ):
        assert expected in text, expected


def test_bibtex_has_every_field():
    bib = _cite().bibtex
    assert bib.startswith("@misc{conflictmap20261127,")
    assert bib.rstrip().endswith("}")
    for expected in (
        f"title = {{{{{TOOL_NAME}}}}}",
        "year = {2026}",
        f"version = {{{geo.__version__}}}",
        "howpublished = {\\url{http://localhost:8501/?from=2024-01-01&to=2024-03-31&tt=education}}",
        "urldate = {2026-11-27}",
        "data version abc123",
        "targets: Education",
        "accessed 2026-11-20",
        "Sundberg \\& Melander",
    ):
        assert expected in bib, expected


def test_fields_record_the_inputs():
    fields = _cite().fields
    assert fields["version"] == geo.__version__
    assert fields["data_version"] == "abc123"
    assert fields["filters"].startswith("1 Jan 2024")
    assert fields["share_url"].startswith("http://localhost:8501/")
    assert [s["key"] for s in fields["sources"]] == ["ucdp", "mine"]
    assert fields["cited_on"] == "2026-11-27"


def test_command_line_citation_without_url_or_filters():
    cite = _cite(share_url="", filters_description="", sources=[])
    assert "All incidents" in cite.text
    assert "no shareable URL" in cite.text
    assert "No source recorded." in cite.text
    assert "howpublished = {command-line export}" in cite.bibtex
