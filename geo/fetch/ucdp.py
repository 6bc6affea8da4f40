"""UCDP Georeferenced Event Dataset (GED, CC BY 4.0) for Ukraine through the UCDP API.

``GET {base}/gedevents/{version}?pagesize=N&page=P&Country=369[&StartDate=..&EndDate=..]``
with the header ``x-ucdp-access-token``; pages are numbered from 0 and the answer is
``{"TotalCount", "TotalPages", "PreviousPageUrl", "NextPageUrl", "Result": [event, ...]}``
where each event carries the standard GED columns. The yearly release (e.g. ``25.1``)
and the monthly candidate releases (``YY.0.M``, e.g. ``25.0.3`` for March 2025) are
fetched page by page; each page is kept under ``DIR/raw/ucdp/<version>/`` so an
interrupted fetch resumes at the next page, and a finished release is never fetched
again. ``docs/FETCH.md`` lists the sources of this description and what they leave open
(configurable here).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from geo.atomic import write_bytes
from geo.fetch import state as fstate
from geo.fetch.common import (
    FetchOptions,
    FetchSummary,
    finish_incident_fetch,
    make_client,
    stage_pages,
)
from geo.fetch.http import CredentialsMissing, FetchError, FormatError, HttpClient, NotFoundError
from geo.i18n import N_, Message

SOURCE = "ucdp"
NAME = N_("UCDP Georeferenced Event Dataset (GED)")
ENV_BASE = "CONFLICTMAP_UCDP_URL"
DEFAULT_BASE = "https://ucdpapi.pcr.uu.se/api"
TOKEN_ENVS = ("UCDP_ACCESS_TOKEN", "UCDP_API_TOKEN")
TOKEN_HEADER = "x-ucdp-access-token"
ENV_VERSION = "CONFLICTMAP_UCDP_VERSION"
ENV_CANDIDATES = "CONFLICTMAP_UCDP_CANDIDATES"
#: Yearly release fetched by default (GED 25.1 covers 1989-2024).
DEFAULT_VERSION = "25.1"
#: Gleditsch & Ward country code of Ukraine (UCDP's ``country_id``).
UKRAINE_GW = 369
PAGE_SIZE = 1000
#: At most this many candidate releases are probed in one run.
MAX_CANDIDATE_PROBES = 24
LICENCE = "CC BY 4.0"
_VERSION = re.compile(r"^\d{1,2}\.\d{1,2}(\.\d{1,2})?$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T")


def access_token(options: FetchOptions) -> str:
    """Return the UCDP access token from the environment or the prompt.

    Raises
    ------
    CredentialsMissing
        When neither gives one.
    """
    for name in TOKEN_ENVS:
        value = (options.env.get(name) or "").strip()
        if value:
            return value
    if options.prompt is not None:
        value = options.prompt("UCDP API access token", True).strip()
        if value:
            return value
    raise CredentialsMissing(N_(
        "UCDP's API needs an access token: set UCDP_ACCESS_TOKEN (UCDP issues tokens on request, see "
        "https://ucdp.uu.se/apidocs/) and run again."
    ))


def _check_version(version: str) -> str:
    version = str(version).strip()
    if not _VERSION.match(version):
        raise FetchError(N_("UCDP version {version} is not like 25.1 (yearly) or 25.0.3 (candidate)."),
                         version=repr(version))
    return version


def _next_candidate(version: str) -> str:
    year, _, month = (int(x) for x in version.split("."))
    return f"{year + 1}.0.1" if month >= 12 else f"{year}.0.{month + 1}"


def _first_candidate(yearly: str) -> str:
    return f"{int(yearly.split('.')[0])}.0.1"


def _candidate_not_after(version: str, today: dt.date) -> bool:
    year, _, month = (int(x) for x in version.split("."))
    return (2000 + year, month) <= (today.year, today.month)


def _fetch_release(
    out: Path, client: HttpClient, base: str, token: str, version: str, params: dict, state: dict,
    options: FetchOptions, optional: bool,
) -> list[Path] | None:
    """Download every page of one release not yet on disk; None if the release does not exist."""
    releases = state.setdefault("releases", {})
    entry = releases.get(version)
    if not entry or entry.get("params") != params:
        entry = {"params": params, "next_page": 0, "total_pages": None, "complete": False}
    folder = fstate.raw_dir(out, SOURCE) / version
    if entry.get("complete"):
        return sorted(folder.glob("page-*.json"))
    folder.mkdir(parents=True, exist_ok=True)
    page = int(entry.get("next_page") or 0)
    while True:
        total = entry.get("total_pages")
        what = (Message(N_("UCDP GED {version} page {page} of {total}"), version=version, page=page + 1, total=total)
                if total else Message(N_("UCDP GED {version} page {page}"), version=version, page=page + 1))
        options.progress(Message(N_("{what}: downloading"), what=what), (page / total) if total else None)
        try:
            response = client.request("GET", f"{base}/gedevents/{version}", params={**params, "page": page},
                                      headers={TOKEN_HEADER: token}, what=what)
        except NotFoundError:
            if optional and page == 0:
                return None
            raise
        data = response.json(what)
        if not isinstance(data, dict) or not isinstance(data.get("Result"), list):
            raise FormatError(N_("{what}: expected an object with a Result list; the API may have changed."), what=what)
        try:
            total = int(data.get("TotalPages"))
        except (TypeError, ValueError):
            total = None
        write_bytes(folder / f"page-{page:05d}.json", response.body)
        page += 1
        last = not data["Result"] or not data.get("NextPageUrl") or (total is not None and page >= total)
        entry.update({"next_page": page, "total_pages": total, "complete": bool(last)})
        releases[version] = entry
        fstate.save_state(out, SOURCE, state)
        if last:
            return sorted(folder.glob("page-*.json"))


def _ged_cell(key: str, value: object) -> object:
    """Return a GED event's value as the GED CSV the importer reads has it (ISO date-times cut to the date)."""
    if value is None:
        return ""
    if key in ("date_start", "date_end") and isinstance(value, str) and _ISO_DATETIME.match(value):
        return value[:10]
    if isinstance(value, bool):
        return str(value).upper()
    return value


def fetch(out: Path, options: FetchOptions, client: HttpClient | None = None) -> FetchSummary:
    """Fetch UCDP GED events for Ukraine (yearly release and candidate releases) and import them.

    Parameters
    ----------
    out : Path
        Data directory; each release's pages go to ``raw/ucdp/<version>/``.
    options : FetchOptions
        Period, versions, progress, credentials prompt.
    client : HttpClient, optional
        HTTP client; default: a new one that reports to ``options.progress``.

    Returns
    -------
    FetchSummary
        New, updated and unchanged GED events over every release fetched, and the quarantined ones.
    """
    out = Path(out)
    token = access_token(options)
    client = client or make_client(options)
    base = options.base_url(ENV_BASE, DEFAULT_BASE)
    yearly = _check_version(options.ucdp_version or options.env.get(ENV_VERSION) or DEFAULT_VERSION)
    state = fstate.load_state(out, SOURCE)
    state.update({"source": SOURCE, "base_url": base, "started_at": fstate.now_utc()})
    params: dict = {"pagesize": PAGE_SIZE, "Country": UKRAINE_GW}
    if options.since:
        params["StartDate"] = options.since.isoformat()
    if options.until:
        params["EndDate"] = options.until.isoformat()
    fresh: dict[str, list[Path]] = {}

    def run(version: str, optional: bool) -> bool:
        pages = _fetch_release(out, client, base, token, version, params, state, options, optional)
        if pages is None:
            return False
        if not state["releases"][version].get("imported"):
            fresh[version] = pages
        return True

    try:
        run(yearly, optional=False)
    except NotFoundError:
        raise FetchError(N_("UCDP has no GED release {version} at {address} (HTTP 404); choose one with "
                            "--ucdp-version or {setting}."), version=yearly, address=base,
                         setting=ENV_VERSION) from None
    explicit = options.ucdp_candidates
    if explicit is None and options.env.get(ENV_CANDIDATES):
        explicit = tuple(v for v in options.env[ENV_CANDIDATES].split(",") if v.strip())
    if explicit is not None:
        for version in explicit:
            run(_check_version(version), optional=False)
    else:
        today = dt.datetime.now(dt.UTC).date()
        version = state.get("next_candidate") or _first_candidate(yearly)
        for _ in range(MAX_CANDIDATE_PROBES):
            if not _candidate_not_after(version, today) or not run(version, optional=True):
                break
            version = _next_candidate(version)
            state["next_candidate"] = version
        fstate.save_state(out, SOURCE, state)
    summary = FetchSummary(SOURCE, requests=client.requests_made)
    to_import: list[tuple[Path, str]] = []
    for version, pages in fresh.items():
        path = fstate.raw_dir(out, SOURCE) / f"ucdp-ged-{version}.csv"
        to_import += stage_pages(out, SOURCE, pages, "Result", "id", path, summary, _ged_cell)[1]
        if options.build:
            state["releases"][version]["imported"] = True
    importing = Message(N_("UCDP GED: importing {files}"), files=", ".join(p.name for p, _ in to_import))
    return finish_incident_fetch(out, SOURCE, state, summary, options, to_import, importing)
