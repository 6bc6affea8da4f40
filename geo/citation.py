"""Cite this view: a ready-to-paste citation of exactly what the user is looking at.

The citation names the tool and its version, every source with its access date
and licence, the active filters in words, the shareable URL that reopens the
view, and the data version, as plain text and as a BibTeX-style ``@misc`` entry.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import geo
from geo.i18n import N_, translator

TOOL_NAME = N_("conflictmap: civilian harm in the war in Ukraine, mapped against oblasts and the front line")
TOOL_SHORT = "conflictmap"
TOOL_AUTHOR = N_("conflictmap contributors")


@dataclass(frozen=True)
class Citation:
    """A citation in two renderings.

    Attributes
    ----------
    text : str
        Plain text, one paragraph plus a source list.
    bibtex : str
        A BibTeX ``@misc`` entry.
    fields : dict
        The values both were built from (for tests and for the provenance sidecar).
    """

    text: str
    bibtex: str
    fields: Mapping[str, Any]


PUBLIC_URL_ENV = "CONFLICTMAP_PUBLIC_URL"


def public_url(url: Any) -> str:
    """Return ``url`` when it is an http(s) address a reader elsewhere can open, else "".

    Local file paths, ``localhost``, loopback, private and link-local addresses are not
    public: a citation or an image must not print them.

    Parameters
    ----------
    url : Any
        Candidate address.

    Returns
    -------
    str
        The address, or an empty string.
    """
    import ipaddress
    from urllib.parse import urlsplit

    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host or host == "localhost" or host.endswith((".localhost", ".local")):
        return ""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return text
    if address.is_loopback or address.is_private or address.is_link_local or address.is_unspecified:
        return ""
    return text


def share_link(query: str, request_url: str | None = None, environ: Mapping[str, str] | None = None) -> str:
    """Return the link that reopens a view, or "" when there is no public address.

    ``CONFLICTMAP_PUBLIC_URL`` (the address readers use, e.g. behind a proxy) wins;
    otherwise the address the browser used, when it is public; otherwise no link at all,
    never a localhost one.

    Parameters
    ----------
    query : str
        URL-encoded view state (without ``?``).
    request_url : str, optional
        The address of the current request.
    environ : mapping, optional
        Environment (``os.environ`` by default).

    Returns
    -------
    str
        ``base?query`` or "".
    """
    import os

    configured = (os.environ if environ is None else environ).get(PUBLIC_URL_ENV, "")
    base = public_url(configured) or public_url(request_url)
    if not base:
        return ""
    base = base.split("?")[0].split("#")[0]
    return f"{base}?{query}" if query else base


def _source_line(source: Mapping[str, Any], lang: str = "en") -> str:
    _ = translator(lang)
    name = source.get("name") or source.get("key") or _("unnamed source")
    parts = [str(name)]
    if source.get("attribution") and source.get("attribution") != name:
        parts.append(str(source["attribution"]))
    if public_url(source.get("url")):
        parts.append(str(source["url"]))
    accessed = source.get("accessed")
    if accessed:
        parts.append(_("imported {date}", date=str(accessed)) if source.get("accessed_kind") == "imported"
                     else _("accessed {date}", date=str(accessed)))
    else:
        parts.append(_("access date not recorded"))
    if source.get("licence"):
        parts.append(_("licence: {licence}", licence=str(source["licence"])))
    return ". ".join(parts) + "."


def _bibtex_escape(text: str) -> str:
    # A backslash becomes \textbackslash{}: left alone, "\}" in data would close the field.
    return re.sub(r"[{}%&$#_\\]", lambda m: r"\textbackslash{}" if m.group() == "\\" else "\\" + m.group(), text)


def build_citation(
    *,
    filters_description: str,
    share_url: str,
    data_version: str,
    sources: Sequence[Mapping[str, Any]],
    cited_on: dt.date | None = None,
    version: str | None = None,
    lang: str = "en",
) -> Citation:
    """Build the "Cite this view" block.

    Parameters
    ----------
    filters_description : str
        Active filters in words (``Filters.describe()``).
    share_url : str
        URL that reopens this view ("" when not known, e.g. on the command line).
    data_version : str
        Data version of the loaded bundle.
    sources : sequence of mapping
        Manifest source entries (``name``, ``attribution``, ``url``, ``accessed``, ``licence``).
    cited_on : datetime.date, optional
        Date of citing (today by default).
    version : str, optional
        Tool version (``geo.__version__`` by default).
    lang : str
        Language of the citation's words (English by default); the filters description should
        be in the same language (``Filters.describe(lang)``).

    Returns
    -------
    Citation
        Plain text and BibTeX renderings.
    """
    _ = translator(lang)
    cited_on = cited_on or dt.date.today()
    version = version or geo.__version__
    author, title = _(TOOL_AUTHOR), _(TOOL_NAME)
    filters_text = filters_description or _("All incidents")
    share_url = public_url(share_url)
    url_text = share_url or _("(no public link to this view: set {variable} to the address readers use)",
                              variable=PUBLIC_URL_ENV)
    source_lines = [_source_line(s, lang) for s in sources] or [_("No source recorded.")]
    # The year and the date stay as digits (a year is no quantity: never "2,024").
    text = (
        _("{author} ({year}). {title}, version {version}. View: {filters}. Data version {data_version}. {url}. "
          "Accessed {date}.", author=author, year=str(cited_on.year), title=title, version=version,
          filters=filters_text, data_version=data_version, url=url_text, date=cited_on.isoformat())
        + "\n" + _("Sources:") + "\n" + "\n".join(f"- {line}" for line in source_lines)
    )
    key = f"{TOOL_SHORT}{cited_on.strftime('%Y%m%d')}"
    note = _("Version {version}; view: {filters}; data version {data_version}; sources: {sources}", version=version,
             filters=filters_text, data_version=data_version, sources=" ".join(source_lines))
    bib_fields = {
        "author": f"{{{author}}}",
        "title": f"{{{title}}}",
        "year": str(cited_on.year),
        "version": version,
        "howpublished": f"\\url{{{share_url}}}" if share_url else _("no public link"),
        "urldate": cited_on.isoformat(),
        "note": note,
    }
    bibtex = (
        f"@misc{{{key},\n"
        + ",\n".join(
            f"  {name} = {{{value if name in {'author', 'title', 'howpublished'} else _bibtex_escape(value)}}}"
            for name, value in bib_fields.items()
        )
        + "\n}"
    )
    fields = {
        "tool": title,
        "version": version,
        "filters": filters_text,
        "share_url": share_url,
        "data_version": data_version,
        "cited_on": cited_on.isoformat(),
        "sources": [dict(s) for s in sources],
    }
    return Citation(text=text, bibtex=bibtex, fields=fields)
