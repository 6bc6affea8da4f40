"""The "Cite this view" block: every field present in both renderings."""

import datetime as dt

import pytest

import geo
from geo.citation import TOOL_NAME, build_citation, public_url, share_link

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
        "share_url": "https://conflictmap.example.org/?from=2024-01-01&to=2024-03-31&tt=education",
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
        "https://conflictmap.example.org/?from=2024-01-01&to=2024-03-31&tt=education",
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
        "howpublished = {\\url{https://conflictmap.example.org/?from=2024-01-01&to=2024-03-31&tt=education}}",
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
    assert fields["share_url"].startswith("https://conflictmap.example.org/")
    assert [s["key"] for s in fields["sources"]] == ["ucdp", "mine"]
    assert fields["cited_on"] == "2026-11-27"


def test_command_line_citation_without_url_or_filters():
    cite = _cite(share_url="", filters_description="", sources=[])
    assert "All incidents" in cite.text
    assert "no public link to this view: set CONFLICTMAP_PUBLIC_URL" in cite.text
    assert "No source recorded." in cite.text
    assert "howpublished = {no public link}" in cite.bibtex


@pytest.mark.parametrize(
    ("url", "public"),
    [
        ("https://news.example.org/a?b=1", True),
        ("http://8.8.8.8:8501/", True),
        ("http://localhost:8501/?tt=education", False),
        ("http://127.0.0.1:8501/", False),
        ("http://[::1]:8501/", False),
        ("http://192.168.1.20:8501/", False),
        ("http://myhost.local/", False),
        ("data/curated/incidents.csv", False),
        ("/home/me/incidents.csv", False),
        ("file:///tmp/x.csv", False),
        ("javascript:alert(1)", False),
        ("", False),
    ],
)
def test_only_public_addresses_are_printed(url, public):
    assert public_url(url) == (url if public else "")


def test_share_link_prefers_the_configured_public_address_and_never_prints_localhost():
    env = {"CONFLICTMAP_PUBLIC_URL": "https://maps.example.org/conflictmap"}
    assert share_link("tt=education", "http://localhost:8501/trends", env) == "https://maps.example.org/conflictmap?tt=education"
    assert share_link("tt=education", "http://localhost:8501/trends", {}) == ""
    assert share_link("", "https://public.example.org/trends?x=1", {}) == "https://public.example.org/trends"
    cite = _cite(share_url="http://localhost:8501/?tt=education")
    assert "localhost" not in cite.text and "localhost" not in cite.bibtex


def test_local_file_paths_are_not_cited_and_import_dates_are_named_as_such():
    cite = _cite(sources=[{"key": "curated", "name": "curated", "url": "data/curated/incidents.csv",
                           "accessed": "2026-12-01", "accessed_kind": "imported"}])
    assert "data/curated" not in cite.text and "imported 2026-12-01" in cite.text
