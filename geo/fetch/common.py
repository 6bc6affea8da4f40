"""What every publisher fetcher shares: options, the summary, dates and the import step."""

from __future__ import annotations

import datetime as dt
import os
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from geo.fetch.http import FetchError, HttpClient, check_base_url

#: ``progress(message, fraction)``: fraction in [0, 1] or None when unknown.
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
            raise FetchError(f"--since {since} is after --until {until}.")
        return since, until

    def base_url(self, env_var: str, default: str) -> str:
        """Return the publisher's base address (environment override, checked)."""
        return check_base_url(self.env.get(env_var) or default, env_var)


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

    def line(self) -> str:
        """One line: new, updated, unchanged, quarantined."""
        return (f"{self.source}: {self.new:,} new, {self.updated:,} updated, {self.unchanged:,} unchanged, "
                f"{self.quarantined:,} quarantined ({self.requests} requests)")


def parse_date(text: str | None, flag: str) -> dt.date | None:
    """Parse YYYY-MM-DD (a clear error otherwise)."""
    if text is None or not str(text).strip():
        return None
    try:
        return dt.date.fromisoformat(str(text).strip())
    except ValueError:
        raise FetchError(f"{flag} expects a date like 2024-05-31, got {text!r}.") from None


def make_client(options: FetchOptions) -> HttpClient:
    """Return an HTTP client whose notes go to the progress callback."""
    return HttpClient(log=lambda message: options.progress(message, None))


def import_incidents(out: Path, path: Path, fmt: str) -> dict:
    """Import one fetched incident file into the data directory (merge by id, enrich).

    Parameters
    ----------
    out : Path
        Data directory.
    path : Path
        CSV written from the publisher's answer.
    fmt : str
        Importer format ("ucdp", "acled").

    Returns
    -------
    dict
        The importer's summary (imported, quarantined, total, ...).
    """
    from geo.datadir import ingest_into

    return ingest_into(out, [path], fmt=fmt)


def import_frontlines(out: Path, paths: list[Path]) -> tuple[dict, list[str]]:
    """Import fetched DeepStateMap exports; return the summary and the importer's warnings."""
    from geo.datadir import frontlines_into

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        summary = frontlines_into(out, paths, fmt="deepstate")
    return summary, [str(w.message) for w in caught]
