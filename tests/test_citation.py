"""The "Cite this view" block: every field present in both renderings."""

import datetime as dt
import re

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


ARGS = {
    "filters_description": "1 Jan 2024 to 31 Mar 2024; targets: Education",
    "share_url": "https://conflictmap.example.org/?from=2024-01-01&to=2024-03-31&tt=education",
    "data_version": "abc123",
    "sources": SOURCES,
    "cited_on": dt.date(2026, 11, 27),
}


def _cite(**overrides):
    return build_citation(**{**ARGS, **overrides})


def _bibtex_escape(text: str) -> str:
    return text.replace("&", "\\&").replace("_", "\\_")


@pytest.mark.parametrize(("form", "escape"), [("text", str), ("bibtex", _bibtex_escape)])
def test_both_renderings_carry_every_input(form, escape):
    """Each input of the citation, as given (BibTeX escapes ``&`` and ``_``), is in the text and in the BibTeX."""
    ucdp, mine = SOURCES
    inputs = [TOOL_NAME, geo.__version__, ARGS["filters_description"], ARGS["share_url"], ARGS["data_version"],
              ucdp["name"], escape(ucdp["attribution"]), ucdp["url"], f"accessed {ucdp['accessed']}",
              f"licence: {ucdp['licence']}", f"{escape(mine['name'])}. access date not recorded.",
              ARGS["cited_on"].isoformat()]
    written = getattr(_cite(), form)
    assert [value for value in inputs if value not in written] == []


def test_plain_text_says_when_it_was_cited():
    assert "Accessed 2026-11-27." in _cite().text


def test_bibtex_is_one_misc_entry_with_its_fields():
    bib = _cite().bibtex
    assert bib.startswith("@misc{conflictmap20261127,\n") and bib.rstrip().endswith("}")
    fields = dict(re.findall(r"^  (\w+) = \{(.*)\},?$", bib, flags=re.MULTILINE))
    assert set(fields) == {"author", "title", "year", "version", "howpublished", "urldate", "note"}
    assert fields["title"] == "{" + TOOL_NAME + "}"
    assert (fields["year"], fields["version"], fields["urldate"]) == ("2026", geo.__version__, "2026-11-27")
    assert fields["howpublished"] == "\\url{" + ARGS["share_url"] + "}"


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
