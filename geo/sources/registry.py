"""The source registry: one declaration per publisher format, collected from the modules of :mod:`geo.sources`.

Each module of this package declares what it reads in a module-level ``SPECS`` tuple of
:class:`SourceSpec`: the format key, the publisher's name, licence, redistribution rule,
attribution and URL, how to recognise a file and how to stage it. Everything that lists
formats or licences iterates over the registry: :func:`geo.ingest.detect_format`, the
command line's ``--format`` choices, the upload's choices, the manifest's ``sources``,
exports and citations. Adding a format is adding one module with a ``SPECS`` tuple.

Reference layers (front lines, boundaries) are declared here too (``kind`` other than
``"incidents"``, see :mod:`geo.sources.reference`), so licences have one home.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

#: Licence text for a source key the registry does not know (a user's own file).
UNKNOWN_LICENCE = "Unknown (user-supplied file): check the publisher's terms before sharing"
INCIDENTS = "incidents"
FRONTLINES = "frontlines"
BOUNDARIES = "boundaries"


@dataclass(frozen=True)
class SourceSpec:
    """What the project knows about one publisher format.

    Attributes
    ----------
    key : str
        Format key (``--format`` value), unique across the registry.
    source : str or None
        Source key written to the incidents' ``source`` column and to the manifest
        (several formats of one publisher share it); None when the key comes from
        the file (the generic format).
    name, licence, attribution, url : str
        Provenance shown on the Data & sources page, in exports and citations.
    redistribution : bool
        False: exports give aggregates and links only, never the raw rows.
    kind : str
        ``"incidents"``, ``"frontlines"`` or ``"boundaries"``.
    label : str
        One line saying what files this format reads (CLI help, upload choices).
    recognise : callable, optional
        ``recognise(probe) -> bool`` on a :class:`geo.ingest.FileProbe`; None = never
        chosen automatically.
    stage : callable, optional
        ``stage(path, max_rows=..., max_bytes=..., **options) -> StagedRows``.
    options : tuple of str
        Importer options ``stage`` accepts besides the limits (e.g. ``mapping``).
    priority : int
        Detection order: lower is tried first; the catch-all generic format is last.
    """

    key: str
    source: str | None
    name: str
    licence: str
    attribution: str
    url: str
    redistribution: bool
    kind: str = INCIDENTS
    label: str = ""
    recognise: Callable[[object], bool] | None = field(default=None, compare=False)
    stage: Callable[..., object] | None = field(default=None, compare=False)
    options: tuple[str, ...] = ()
    priority: int = 50


def header_has(columns: frozenset[str]) -> Callable[[object], bool]:
    """Return a ``recognise`` function: a text table whose case-folded header holds every one of ``columns``.

    Parameters
    ----------
    columns : frozenset of str
        Lower-case column names that identify the format (its signature).

    Returns
    -------
    callable
        ``recognise(probe) -> bool`` for :attr:`SourceSpec.recognise`.
    """

    def recognise(probe) -> bool:
        return probe.header is not None and columns <= probe.header

    return recognise


@lru_cache(maxsize=1)
def all_specs() -> tuple[SourceSpec, ...]:
    """Return every declared :class:`SourceSpec`, collected from the modules of :mod:`geo.sources`.

    Returns
    -------
    tuple of SourceSpec
        Sorted by ``priority`` then ``key``.

    Raises
    ------
    ValueError
        Two declarations share a format key.
    """
    import geo.sources as package

    specs: list[SourceSpec] = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name.startswith("_") or info.name == "registry":
            continue
        module = importlib.import_module(f"{package.__name__}.{info.name}")
        specs.extend(getattr(module, "SPECS", ()))
    keys = [s.key for s in specs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise ValueError(f"source formats declared twice: {', '.join(dups)}")
    return tuple(sorted(specs, key=lambda s: (s.priority, s.key)))


def incident_formats() -> tuple[SourceSpec, ...]:
    """Return the incident formats, in detection order.

    Returns
    -------
    tuple of SourceSpec
        Declarations with ``kind == "incidents"`` and a ``stage`` function.
    """
    return tuple(s for s in all_specs() if s.kind == INCIDENTS and s.stage is not None)


def format_keys(kind: str = INCIDENTS) -> tuple[str, ...]:
    """Return the format keys of one kind (the CLI's and the upload's choices, without "auto").

    Parameters
    ----------
    kind : str
        ``"incidents"`` (default), ``"frontlines"`` or ``"boundaries"``.

    Returns
    -------
    tuple of str
        Keys in detection order.
    """
    specs = incident_formats() if kind == INCIDENTS else tuple(s for s in all_specs() if s.kind == kind)
    return tuple(s.key for s in specs)


def get_format(key: str) -> SourceSpec:
    """Return the incident format declared under ``key``.

    Parameters
    ----------
    key : str
        Format key.

    Returns
    -------
    SourceSpec
        The declaration.

    Raises
    ------
    ValueError
        Unknown key (the message lists the valid ones).
    """
    for spec in incident_formats():
        if spec.key == key:
            return spec
    raise ValueError(f"unknown format {key!r}; use one of auto, {', '.join(format_keys())}")


def source_info(key: str) -> dict:
    """Return the provenance of a source key: name, licence, attribution, url, redistribution.

    Parameters
    ----------
    key : str
        A source key (``"acled"``, ``"deepstate"``, a generic file's own key, ...).

    Returns
    -------
    dict
        ``name, licence, attribution, url, redistribution``; a source the registry does
        not know (a user's file) gets :data:`UNKNOWN_LICENCE` and may be redistributed
        (it is the user's own data).
    """
    for spec in all_specs():
        if (spec.source or spec.key) == key:
            return {"name": spec.name, "licence": spec.licence, "attribution": spec.attribution,
                    "url": spec.url, "redistribution": spec.redistribution}
    return {"name": key, "licence": UNKNOWN_LICENCE, "attribution": key, "url": "", "redistribution": True}


def source_entry(key: str, accessed: str | None = None) -> dict:
    """Return a manifest ``sources`` entry for a source key.

    Parameters
    ----------
    key : str
        Source key.
    accessed : str, optional
        ISO date the data was obtained or imported.

    Returns
    -------
    dict
        ``key`` plus :func:`source_info` plus ``accessed``.
    """
    return {"key": key, **source_info(key), "accessed": accessed}
