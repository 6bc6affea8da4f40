"""What every publisher fetcher shares: options, the summary, dates and the import step."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import urllib.parse
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geo.fetch.http import FetchError, HttpClient
from geo.i18n import N_, translator

#: ``progress(message, fraction)``: fraction in [0, 1] or None when unknown; ``message`` is a
#: :class:`geo.i18n.Message` (English as a ``str``, ``message.render(lang)`` in another language).
Progress = Callable[[str, float | None], None]
#: ``prompt(label, secret)`` returns what the user typed (or raises to cancel).
Prompt = Callable[[str, bool], str]


@dataclass
class FetchOptions:
    """What the user asked for; every field has a safe default.

    Attributes
    ----------
    since, until : datetime.date or None
        Period to fetch (None: from the last fetch / the publisher's start, to today).
    accept_licences : frozenset of str
        Sources whose licence condition the user confirmed (``--accept-licence``).
    every : str
        DeepStateMap sampling: "day", "week", "month" or "all" snapshots.
    include_latest : bool
        Also fetch the newest DeepStateMap snapshot of the period.
    ucdp_version : str or None
        GED yearly release (default: environment or :data:`geo.fetch.ucdp.DEFAULT_VERSION`).
    ucdp_candidates : tuple of str or None
        Candidate releases to fetch (None: discover the next ones).
    acled_countries : tuple of str
        ACLED country names.
    build : bool
        Import into the data directory after downloading (default True).
    prompt : callable or None
        Asks for missing credentials; None means never ask (fail with a clear message).
    progress : callable
        Receives progress notes.
    env : mapping
        Environment to read credentials and base URLs from (default ``os.environ``).
    """

    since: dt.date | None = None
    until: dt.date | None = None
    accept_licences: frozenset[str] = frozenset()
    every: str = "week"
    include_latest: bool = True
    ucdp_version: str | None = None
    ucdp_candidates: tuple[str, ...] | None = None
    acled_countries: tuple[str, ...] = ("Ukraine",)
    build: bool = True
    prompt: Prompt | None = None
    progress: Progress = lambda message, fraction: None
    env: dict = field(default_factory=lambda: dict(os.environ))

    def period(self, default_since: dt.date) -> tuple[dt.date, dt.date]:
        """Return (since, until), checked: since defaults to ``default_since``, until to today (UTC)."""
        today = dt.datetime.now(dt.UTC).date()
        since = self.since or default_since
        until = self.until or today
        if since > until:
            raise FetchError(N_("--since {since} is after --until {until}."), since=since.isoformat(),
                             until=until.isoformat())
        return since, until

    def base_url(self, env_var: str, default: str) -> str:
        """Return the publisher's base address: ``env[env_var]`` or ``default``, without a trailing slash.

        Raises :class:`~geo.fetch.http.FetchError` (naming ``env_var``) for anything but an http(s) address.
        """
        url = (self.env.get(env_var) or default).strip().rstrip("/")
        if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(N_("{setting} is not an http(s) address."), setting=f"{env_var}={url!r}")
        return url


@dataclass
class FetchSummary:
    """What one fetch did, for the command line and the panel."""

    source: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    requests: int = 0
    files: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    imported: dict = field(default_factory=dict)

    def line(self, lang: str = "en") -> str:
        """One line: new, updated, unchanged, quarantined (in ``lang``, English by default)."""
        return translator(lang).ngettext(
            "{source}: {new} new, {updated} updated, {unchanged} unchanged, {quarantined} quarantined "
            "({n} request)",
            "{source}: {new} new, {updated} updated, {unchanged} unchanged, {quarantined} quarantined "
            "({n} requests)", self.requests, source=self.source, new=self.new, updated=self.updated,
            unchanged=self.unchanged, quarantined=self.quarantined)


def parse_date(text: str | None, flag: str) -> dt.date | None:
    """Parse YYYY-MM-DD (a clear error otherwise)."""
    if text is None or not str(text).strip():
        return None
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise FetchError(N_("{flag} expects a date like 2024-05-31, got {value}."), flag=flag,
                         value=repr(text)) from None


def make_client(options: FetchOptions) -> HttpClient:
    """Return an HTTP client whose notes go to the progress callback."""
    return HttpClient(log=lambda message: options.progress(message, None))


def commit(
    out: Path,
    source: str,
    state: dict,
    *,
    incident_files: list[tuple[Path, str]] = (),
    frontline_files: list[Path] = (),
    licence: dict | None = None,
) -> dict:
    """Import fetched files into the data directory as one new version (the build pipeline's steps).

    Stage and quarantine (:func:`geo.build.stage_files`), merge, enrich, fuse and write
    (:func:`geo.build.write`, atomic as a whole), with the fetch state and any licence
    confirmation recorded in the new version's manifest. An input that keeps no row is
    not an error here: its rows go to the quarantine and a note says so.

    Parameters
    ----------
    out : Path
        Data directory.
    source : str
        Source key (``manifest["fetch"][source]`` gets ``state``).
    state : dict
        Fetch state to record.
    incident_files : list of (Path, str)
        Incident files and their importer format.
    frontline_files : list of Path
        DeepStateMap raw exports.
    licence : dict, optional
        Licence confirmation to record under ``manifest["licences_accepted"][source]``.

    Returns
    -------
    dict
        ``imported``, ``quarantined``, ``snapshots``, ``total``, ``notes``, ``version`` (None if nothing was written).
    """
    from geo import build, datadir

    tables = datadir.read_tables(out)
    changed: set[str] = set()
    report = {"imported": 0, "quarantined": 0, "snapshots": 0, "total": 0, "notes": [], "version": None}
    if frontline_files:
        from geo.frontlines import read_frontlines

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            new = read_frontlines(list(frontline_files), fmt="deepstate")
        report["notes"].extend(str(w.message) for w in caught)
        tables = build._with_frontlines(tables, new)
        report["snapshots"] = len(new)
        changed |= {"frontlines", "incidents"}
    for path, fmt in incident_files:
        result, inputs = build.stage_files([path], fmt=fmt)
        try:
            report["notes"].extend(build.check_import(result))
        except build.NothingImportedError as exc:
            report["notes"].append(exc.msg)
        tables = build.merge_into(tables, result, inputs)
        report["imported"] += len(result.incidents)
        report["quarantined"] += len(result.quarantine)
        changed |= {"incidents", "quarantine"}
    manifest = dict(tables.manifest)
    manifest["fetch"] = {**(manifest.get("fetch") or {}), source: state}
    if licence is not None:
        manifest["licences_accepted"] = {**(manifest.get("licences_accepted") or {}), source: licence}
    if not changed:
        if licence is None or tables.version is None:
            return report
        if (tables.manifest.get("licences_accepted") or {}).get(source):
            return report
    tables = dataclasses.replace(tables, manifest=manifest)
    if not tables.enrichment_current:
        tables = build.enrich(tables)
    if tables.incidents is not None and "incidents" in changed:
        tables.incidents = build.fuse(tables.incidents)
    report["version"] = build.write(out, tables, changed)
    report["total"] = 0 if tables.incidents is None else len(tables.incidents)
    return report


def write_records_csv(rows: list[dict], path: Path, cell: Callable[[str, object], object] | None = None) -> Path:
    """Write API records as a CSV (every key any record has, in order of first appearance), atomically.

    Parameters
    ----------
    rows : list of dict
        Records as the API returns them.
    path : Path
        Destination.
    cell : callable, optional
        ``cell(key, value)`` -> what to write; default: the value, with None as an empty cell.

    Returns
    -------
    Path
        ``path``.
    """
    import csv

    from geo.atomic import atomic_write

    columns: dict[str, None] = {}
    for row in rows:
        columns.update(dict.fromkeys(row))
    convert = cell or (lambda _key, value: "" if value is None else value)

    def write(tmp: Path) -> None:
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(list(columns))
            for row in rows:
                writer.writerow([convert(k, row.get(k)) for k in columns])

    atomic_write(path, write)
    return path


def stage_pages(out: Path, source: str, pages: list[Path], key: str, id_key: str, path: Path,
                summary: FetchSummary, cell: Callable[[str, object], object] | None = None,
                ) -> tuple[list[dict], list[tuple[Path, str]]]:
    """Read the records of stored API answer pages, count them in ``summary`` and write the CSV to import.

    Parameters
    ----------
    out, source, id_key, summary
        As for :func:`count_records`.
    pages : list of Path
        JSON answers as downloaded (``raw/<source>/.../page-NNNNN.json``), in page order.
    key : str
        The member that lists the records (``data`` for ACLED, ``Result`` for UCDP); anything in the
        list that is not an object is skipped.
    path : Path
        Where the CSV goes (nothing is written when the pages list no record); it is added to ``summary.files``.
    cell : callable, optional
        As for :func:`write_records_csv`.

    Returns
    -------
    rows : list of dict
        The records, page after page.
    files : list of (Path, str)
        ``[(path, source)]``, the file and its importer format for :func:`finish_incident_fetch`, or ``[]``.
    """
    from geo.safejson import load_json_file

    rows: list[dict] = []
    for page in pages:
        data = load_json_file(page)
        listed = data.get(key) if isinstance(data, dict) else None
        rows.extend(r for r in listed or [] if isinstance(r, dict))
    count_records(out, source, rows, id_key, summary)
    if not rows:
        return rows, []
    write_records_csv(rows, path, cell)
    summary.files.append(str(path))
    return rows, [(path, source)]


def count_records(out: Path, source: str, rows: list[dict], id_key: str, summary: FetchSummary) -> None:
    """Add fetched records to ``summary`` as new, updated or unchanged (and remember them).

    Parameters
    ----------
    out : Path
        Data directory (``raw/<source>/seen.parquet`` remembers each id's content digest).
    source : str
        ``acled`` or ``ucdp``.
    rows : list of dict
        Records as the API returns them.
    id_key : str
        The publisher's id field.
    summary : FetchSummary
        Its ``new``, ``updated`` and ``unchanged`` grow by this batch's counts.
    """
    from geo.fetch import state as fstate

    ids = [str(r.get(id_key, "")) for r in rows]
    counts = fstate.classify_records(out, source, ids, [fstate.digest(r) for r in rows])
    summary.new += counts["new"]
    summary.updated += counts["updated"]
    summary.unchanged += counts["unchanged"]


def finish_incident_fetch(out: Path, source: str, state: dict, summary: FetchSummary, options: FetchOptions,
                          files: list[tuple[Path, str]], importing: str) -> FetchSummary:
    """Close an incident fetch: record the summary in the state, import ``files`` when building, save the state.

    Parameters
    ----------
    out : Path
        Data directory to import into.
    source : str
        ``acled`` or ``ucdp`` (the state is saved under ``raw/<source>/``).
    state : dict
        Fetch state (gets ``finished_at`` and ``last_summary``).
    summary : FetchSummary
        The fetch's counts (gets the import's quarantine count, report and notes).
    options : FetchOptions
        ``build`` says whether to import; ``progress`` is told.
    files : list of (Path, str)
        Incident files written by the fetch and their importer format.
    importing : geo.i18n.Message
        Progress line shown while importing.

    Returns
    -------
    FetchSummary
        ``summary``.
    """
    from geo.fetch import state as fstate

    state.update({"finished_at": fstate.now_utc(),
                  "last_summary": {"new": summary.new, "updated": summary.updated, "unchanged": summary.unchanged}})
    if options.build and files:
        options.progress(importing, 0.95)
        report = commit(out, source, state, incident_files=files)
        summary.quarantined = report["quarantined"]
        summary.imported = report
        summary.messages.extend(report["notes"])
    fstate.save_state(out, source, state)
    options.progress(summary.line(), 1.0)
    return summary
