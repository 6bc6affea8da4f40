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
from geo.i18n import TranslatedError

TOOL_NAME = "conflictmap"
CHART_LICENCE = "Chart: conflictmap contributors, CC BY 4.0. Data licences as listed by each source."


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
    """

    filters_description: str
    data_version: str
    data_date: str
    sources: tuple[Mapping[str, Any], ...] = ()
    filters_params: Mapping[str, Any] = field(default_factory=dict)
    share_url: str = ""
    exported_at: str = field(default_factory=lambda: dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))


def build_export_context(
    frame: pd.DataFrame,
    manifest: Mapping[str, Any],
    data_version: str,
    filters_description: str,
    filters_params: Mapping[str, Any] | None = None,
    share_url: str = "",
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
    """Return the plain-text caption lines printed under every exported chart.

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
    credits = "; ".join(
        f"{s.get('attribution') or s.get('name')}"
        + (f" ({'imported' if s.get('accessed_kind') == 'imported' else 'accessed'} {s['accessed']})" if s.get("accessed") else "")
        for s in context.sources
    )
    licences = "; ".join(f"{s.get('name')}: {s.get('licence')}" for s in context.sources if s.get("licence"))
    lines = [
        f"Filters: {context.filters_description or 'none (all incidents)'}",
        f"Data as of {context.data_date} (data version {context.data_version}); exported {context.exported_at[:10]}",
        f"Sources: {credits or 'not recorded'}",
        f"Licences: {licences or 'not recorded'}. {CHART_LICENCE}",
        f"Made with {TOOL_NAME} {geo.__version__}" + (f" — {context.share_url}" if context.share_url else ""),
    ]
    wrapped: list[str] = []
    for line in lines:
        wrapped.extend(
            textwrap.wrap(line, width=width_chars, break_long_words=True, break_on_hyphens=False) or [""]
        )
    return wrapped


def export_filename(page: str, item: str, filters_description: str, when: dt.date | str | None, ext: str) -> str:
    """Return a descriptive download name: tool, page, item, filters and date.

    Parameters
    ----------
    page, item : str
        Where the export comes from (``"map"``, ``"trends"``) and what it is.
    filters_description : str
        Filters in words (shortened to a slug; "all" when empty).
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
        ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].rstrip("-")

    filters = slug(filters_description, 60) if filters_description and filters_description != "All incidents" else "all"
    parts = [TOOL_NAME, slug(page, 20), slug(item, 30), filters or "all"]
    if when:
        parts.append(str(when)[:10])
    return "_".join(p for p in parts if p) + "." + ext
