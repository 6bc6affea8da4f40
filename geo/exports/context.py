"""What every export says about its view: filters, data date, sources, licences, file names.

:class:`ExportContext` travels with every chart image, map page and data file;
:func:`caption_lines` is the caption printed under each of them and
:func:`export_filename` the descriptive download name.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import geo
from geo.citation import public_url
from geo.i18n import N_, TranslatedError, translator

TOOL_NAME = "conflictmap"
#: The licence of the images this tool makes (translated where shown).
CHART_LICENCE = N_("Chart: conflictmap contributors, CC BY 4.0. Data licences as listed by each source.")


class ExportError(TranslatedError, RuntimeError):
    """An export could not be produced; the message says why and what to do."""


@dataclass(frozen=True)
class ExportContext:
    """What every export must say about the view it comes from.

    Attributes
    ----------
    filters_description : str
        The active filters in words (``Filters.describe()``).
    filters_params : dict
        The same filters as URL query parameters (``Filters.to_query_params()``).
    data_version : str
        Data version of the loaded bundle.
    data_date : str
        Date the data describes up to (ISO date), shown as "Data as of".
    sources : tuple of dict
        Manifest source entries (key, name, licence, attribution, url, accessed, redistribution).
    share_url : str
        Shareable URL of the view ("" when unknown).
    exported_at : str
        ISO timestamp (UTC) of the export.
    lang : str
        Language of every word the export prints (``"en"`` or ``"uk"``); ``filters_description``
        should be in the same language (``Filters.describe(lang)``).
    """

    filters_description: str
    data_version: str
    data_date: str
    sources: tuple[Mapping[str, Any], ...] = ()
    filters_params: Mapping[str, Any] = field(default_factory=dict)
    share_url: str = ""
    exported_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    lang: str = "en"


def build_export_context(
    frame: pd.DataFrame,
    manifest: Mapping[str, Any],
    data_version: str,
    filters_description: str,
    filters_params: Mapping[str, Any] | None = None,
    share_url: str = "",
    lang: str = "en",
) -> ExportContext:
    """Assemble an :class:`ExportContext` from a bundle's manifest and the filtered frame.

    The data date is the latest incident date in the whole frame passed in
    (pass the unfiltered incidents to describe the data set, the filtered ones
    to describe the view). Only sources with rows in ``frame`` are credited,
    plus non-incident sources (boundaries, front lines) listed in the manifest.

    Parameters
    ----------
    frame : pandas.DataFrame
        Incidents (``date`` and ``source`` columns).
    manifest : mapping
        Bundle manifest (``sources`` list).
    data_version : str
        Bundle data version.
    filters_description : str
        Filters in words.
    filters_params : mapping, optional
        Filters as query parameters.
    share_url : str
        Shareable URL.
    lang : str
        Language of the export's words (``"en"`` or ``"uk"``).

    Returns
    -------
    ExportContext
        The context.
    """
    dates = pd.to_datetime(frame["date"]).dropna() if len(frame) else pd.Series([], dtype="datetime64[ns]")
    data_date = dates.max().date().isoformat() if len(dates) else str(manifest.get("built_at", ""))[:10]
    present = set(frame["source"].dropna().astype(str)) if len(frame) else set()
    sources = []
    for entry in manifest.get("sources", []):
        key = str(entry.get("key", ""))
        incident_source = key not in {"geoboundaries", "naturalearth", "deepstate"} and not entry.get("kind") == "geometry"
        if key in present or not incident_source:
            sources.append(dict(entry))
    for key in sorted(present - {str(s.get("key")) for s in sources}):
        sources.append(source_entry(key, manifest))
    sources = [_with_access_date(entry, manifest) for entry in sources]
    return ExportContext(
        filters_description=filters_description,
        filters_params=dict(filters_params or {}),
        data_version=data_version,
        data_date=data_date,
        sources=tuple(sources),
        share_url=public_url(share_url),
        lang=translator(lang).lang,
    )


def _with_access_date(entry: dict[str, Any], manifest: Mapping[str, Any]) -> dict[str, Any]:
    """Fill a missing access date from the manifest: when the source's file was imported, else the build date."""
    if entry.get("accessed"):
        return entry
    key = str(entry.get("key", ""))
    imported = [str(i.get("imported_at") or "")[:10] for i in manifest.get("inputs", []) or []
                if str(i.get("format") or i.get("source") or "") == key and i.get("imported_at")]
    when = max(imported) if imported else str(manifest.get("built_at") or "")[:10]
    if when:
        entry = {**entry, "accessed": when, "accessed_kind": "imported"}
    return entry


def source_entry(key: str, manifest: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the provenance entry for a source key (manifest first, then the project's table).

    Parameters
    ----------
    key : str
        Source key as in the ``source`` column.
    manifest : mapping, optional
        Bundle manifest.

    Returns
    -------
    dict
        ``key, name, licence, attribution, url, accessed, redistribution``. Unknown
        user sources are assumed redistributable, as the data directory records them.
    """
    for entry in (manifest or {}).get("sources", []):
        if str(entry.get("key")) == key:
            return dict(entry)
    from geo.sources.registry import source_entry as registry_entry

    return registry_entry(key)


def caption_lines(context: ExportContext, width_chars: int = 150) -> list[str]:
    """Return the plain-text caption lines printed under every exported chart, in ``context.lang``.

    Parameters
    ----------
    context : ExportContext
        View and provenance.
    width_chars : int
        Wrap width.

    Returns
    -------
    list of str
        Unescaped lines: filters, data date and version, sources, licences, tool.
    """
    _ = translator(context.lang)

    def accessed(source: Mapping[str, Any]) -> str:
        day = _show_date(source["accessed"], _)
        return _("imported {date}", date=day) if source.get("accessed_kind") == "imported" else _(
            "accessed {date}", date=day)

    credits = "; ".join(
        f"{s.get('attribution') or s.get('name')}" + (f" ({accessed(s)})" if s.get("accessed") else "")
        for s in context.sources
    )
    licences = "; ".join(f"{s.get('name')}: {s.get('licence')}" for s in context.sources if s.get("licence"))
    made_with = _("Made with {tool} {version}", tool=TOOL_NAME, version=geo.__version__)
    lines = [
        _("Filters: {filters}", filters=context.filters_description or _("none (all incidents)")),
        _("Data as of {date} (data version {version}); exported {exported}", date=_show_date(context.data_date, _),
          version=context.data_version, exported=_show_date(context.exported_at[:10], _)),
        _("Sources: {credits}", credits=credits or _("not recorded")),
        _("Licences: {licences}.", licences=licences or _("not recorded")) + " " + _(CHART_LICENCE),
        made_with + (f" — {context.share_url}" if context.share_url else ""),
    ]
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(
            textwrap.wrap(line, width=width_chars, break_long_words=True, break_on_hyphens=False) or [""]
        )
    return wrapped


def _show_date(value: Any, _) -> str:
    """Write an ISO date (``2024-02-11``) as in the translator's language; other text unchanged."""
    try:
        return _.date(dt.date.fromisoformat(str(value)[:10]))
    except ValueError:
        return str(value)


#: Ukrainian letters in Latin script, after the national transliteration (Cabinet of Ministers
#: resolution No. 55 of 27 Jan 2010); the second form is used at the start of a word.
_UK_LATIN: dict[str, tuple[str, str]] = {
    "а": ("a", "a"), "б": ("b", "b"), "в": ("v", "v"), "г": ("h", "h"), "ґ": ("g", "g"), "д": ("d", "d"),
    "е": ("e", "e"), "є": ("ie", "ye"), "ж": ("zh", "zh"), "з": ("z", "z"), "и": ("y", "y"), "і": ("i", "i"),
    "ї": ("i", "yi"), "й": ("i", "y"), "к": ("k", "k"), "л": ("l", "l"), "м": ("m", "m"), "н": ("n", "n"),
    "о": ("o", "o"), "п": ("p", "p"), "р": ("r", "r"), "с": ("s", "s"), "т": ("t", "t"), "у": ("u", "u"),
    "ф": ("f", "f"), "х": ("kh", "kh"), "ц": ("ts", "ts"), "ч": ("ch", "ch"), "ш": ("sh", "sh"),
    "щ": ("shch", "shch"), "ь": ("", ""), "ю": ("iu", "yu"), "я": ("ia", "ya"), "'": ("", ""), "’": ("", ""),
    "ʼ": ("", ""),
}


def transliterate(text: str) -> str:
    """Write Ukrainian letters of ``text`` in Latin script (national system); other characters unchanged.

    Parameters
    ----------
    text : str
        Any text; Latin letters, digits and punctuation pass through (lower-cased).

    Returns
    -------
    str
        Lower-case Latin for Cyrillic letters ("Вінниця" → "vinnytsia", "зг" → "zgh"); apostrophes and
        the soft sign are dropped, є/ї/й/ю/я start a word as ye/yi/y/yu/ya.
    """
    out: list[str] = []
    previous = ""
    for char in str(text).lower():
        forms = _UK_LATIN.get(char)
        if forms is None:
            out.append(char)
        else:
            start = not previous.isalpha() and previous not in _UK_LATIN
            out.append("gh" if char == "г" and previous == "з" else forms[1 if start else 0])
        previous = char
    return "".join(out)


def export_filename(page: str, item: str, filters_description: str, when: dt.date | str | None, ext: str) -> str:
    """Return a descriptive download name: tool, page, item, filters and date.

    Parameters
    ----------
    page, item : str
        Where the export comes from (``"map"``, ``"trends"``) and what it is.
    filters_description : str
        Filters in words, in any language (shortened to an ASCII slug, Ukrainian letters
        transliterated; "all" when empty).
    when : datetime.date or str, optional
        Date the export shows (map date, end of the range).
    ext : str
        Extension without the dot.

    Returns
    -------
    str
        Like ``conflictmap_map_incidents_targets-residential_2024-06-01.png`` (ASCII only).
    """
    import unicodedata

    def slug(text: str, limit: int) -> str:
        ascii_text = unicodedata.normalize("NFKD", transliterate(text)).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")

    everything = {translator(lang)("All incidents") for lang in ("en", "uk")}
    filters = slug(filters_description, 60) if filters_description and filters_description not in everything else "all"
    parts = [TOOL_NAME, slug(page, 20), slug(item, 30), filters or "all"]
    if when:
        parts.append(str(when)[:10])
    return "_".join(p for p in parts if p) + "." + ext
