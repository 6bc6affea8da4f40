"""ACLED events for Ukraine (optionally Russia) through ACLED's OAuth API (since September 2025).

The myACLED username (e-mail) and password are exchanged at ``POST {base}/oauth/token``
(form fields ``username``, ``password``, ``grant_type=password``, ``client_id=acled``)
for ``{"token_type": "Bearer", "expires_in", "access_token", "refresh_token"}``; an
expired token is renewed with ``grant_type=refresh_token``. Data come from
``GET {base}/api/acled/read?_format=json&country=..&event_date=A|B&event_date_where=BETWEEN
&limit=N&page=P`` with ``Authorization: Bearer <token>``; the answer is
``{"status": 200, "success": true, "count": n, "data": [event, ...]}`` and a page
with fewer than ``limit`` rows is the last. After the first fetch only events added
or changed since (ACLED's ``timestamp``, ``timestamp_where=>=``) are asked for.

Credentials come from ``ACLED_USERNAME`` (or ``ACLED_EMAIL``) and ``ACLED_PASSWORD``
or an interactive prompt and are kept in memory only. The token is cached in the
user's configuration directory (``acled-token.json``, permissions 0600), never in
the data directory. ``docs/FETCH.md`` lists the sources and the open details.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
import sys
import time
import urllib.parse
from pathlib import Path

from geo.atomic import atomic_write, write_bytes
from geo.fetch import state as fstate
from geo.fetch.common import (
    FetchOptions,
    FetchSummary,
    finish_incident_fetch,
    make_client,
    stage_pages,
)
from geo.fetch.http import AuthError, CredentialsMissing, FetchError, FormatError, HttpClient
from geo.i18n import N_, Message

SOURCE = "acled"
NAME = "ACLED"
ENV_BASE = "CONFLICTMAP_ACLED_URL"
DEFAULT_BASE = "https://acleddata.com"
TOKEN_PATH = "/oauth/token"
READ_PATH = "/api/acled/read"
CLIENT_ID = "acled"
USER_ENVS = ("ACLED_USERNAME", "ACLED_EMAIL")
PASSWORD_ENV = "ACLED_PASSWORD"
CONFIG_ENV = "CONFLICTMAP_CONFIG_DIR"
TOKEN_FILE = "acled-token.json"
#: Rows per page (ACLED's documented maximum per call is 5000).
PAGE_LIMIT = 5000
#: First day fetched when neither --since nor an earlier fetch says otherwise.
DEFAULT_SINCE = dt.date(2022, 2, 24)
#: Seconds before expiry at which a cached token counts as expired.
EXPIRY_MARGIN_S = 120


def config_dir(env: dict) -> Path:
    """Return the user's configuration folder for this project.

    ``CONFLICTMAP_CONFIG_DIR`` if set, else ``$XDG_CONFIG_HOME/conflictmap``, else
    ``%APPDATA%/conflictmap`` on Windows, else ``~/.config/conflictmap``.

    Parameters
    ----------
    env : dict
        Environment variables.

    Returns
    -------
    Path
        The folder (not created).
    """
    if env.get(CONFIG_ENV):
        return Path(env[CONFIG_ENV]).expanduser()
    if env.get("XDG_CONFIG_HOME"):
        return Path(env["XDG_CONFIG_HOME"]).expanduser() / "conflictmap"
    if sys.platform == "win32" and env.get("APPDATA"):
        return Path(env["APPDATA"]) / "conflictmap"
    return Path.home() / ".config" / "conflictmap"


class TokenStore:
    """The cached ACLED token in the user's configuration folder (owner-only permissions).

    Parameters
    ----------
    folder : Path
        Configuration folder.
    key : str
        Which server the token belongs to (its host), so a token is only sent back where it came from.
    """

    def __init__(self, folder: Path, key: str) -> None:
        self.path = Path(folder) / TOKEN_FILE
        self.key = key

    def load(self) -> dict | None:
        """Return the cached token for this server, or None."""
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        entry = data.get(self.key) if isinstance(data, dict) else None
        return entry if isinstance(entry, dict) and entry.get("access_token") else None

    def _all(self) -> dict:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def save(self, entry: dict | None) -> None:
        """Write (or with None, forget) this server's token; the file is created with mode 0600."""
        data = self._all()
        if entry is None:
            data.pop(self.key, None)
        else:
            data[self.key] = entry
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)

        def write(tmp: Path) -> None:
            os.chmod(tmp, stat.S_IRUSR | stat.S_IWUSR)  # before the token is in it
            tmp.write_text(json.dumps(data), encoding="utf-8")

        atomic_write(self.path, write)


def credentials(options: FetchOptions) -> tuple[str, str]:
    """Return (username, password) from the environment or the prompt.

    Raises
    ------
    CredentialsMissing
        One clear message naming the variables to set.
    """
    user = next((options.env.get(n, "").strip() for n in USER_ENVS if options.env.get(n, "").strip()), "")
    password = options.env.get(PASSWORD_ENV, "")
    if (not user or not password) and options.prompt is not None:
        user = user or options.prompt("ACLED username (e-mail)", False).strip()
        password = password or options.prompt("ACLED password", True)
    if not user or not password:
        raise CredentialsMissing(N_(
            "ACLED needs your myACLED login: set ACLED_USERNAME (your e-mail) and ACLED_PASSWORD, or run the "
            "command in a terminal to be asked; register at https://acleddata.com/ if you have no account."
        ))
    return user, password


class AcledSession:
    """OAuth session: cached token, refresh, password grant, one retry after a 401.

    Parameters
    ----------
    client : HttpClient
        HTTP client.
    base : str
        ACLED base address.
    options : FetchOptions
        For credentials (environment / prompt).
    store : TokenStore
        The token cache.
    """

    def __init__(self, client: HttpClient, base: str, options: FetchOptions, store: TokenStore) -> None:
        self.client = client
        self.base = base
        self.options = options
        self.store = store
        self.entry = store.load()
        self._credentials: tuple[str, str] | None = None

    def prepare(self) -> None:
        """Ask for credentials now (before any request) unless a cached token can be used or renewed."""
        if not self.entry:
            self._credentials = credentials(self.options)

    def _grant(self, fields: dict, what: str) -> dict:
        response = self.client.request("POST", f"{self.base}{TOKEN_PATH}", data=fields, what=what,
                                       ok_statuses=(200, 400, 401, 403))
        if response.status != 200:
            raise AuthError(N_("{what}: ACLED refused (HTTP {status}). Check ACLED_USERNAME / ACLED_PASSWORD "
                               "and that your myACLED account has API access."), what=what, status=str(response.status))
        data = response.json(what)
        if not isinstance(data, dict) or not data.get("access_token"):
            raise FormatError(N_("{what}: the answer has no access_token; the API may have changed."), what=what)
        try:
            lifetime = float(data.get("expires_in", 86400))
        except (TypeError, ValueError):
            lifetime = 86400.0
        entry = {"access_token": str(data["access_token"]), "refresh_token": str(data.get("refresh_token") or ""),
                 "expires_at": time.time() + lifetime}
        self.store.save(entry)
        self.entry = entry
        return entry

    def token(self, force: bool = False) -> str:
        """Return a valid access token, refreshing or logging in as needed."""
        entry = self.entry
        if entry and not force and float(entry.get("expires_at", 0)) - EXPIRY_MARGIN_S > time.time():
            return entry["access_token"]
        if entry and entry.get("refresh_token"):
            try:
                return self._grant({"grant_type": "refresh_token", "refresh_token": entry["refresh_token"],
                                    "client_id": CLIENT_ID}, Message(N_("ACLED token refresh")))["access_token"]
            except AuthError:
                self.store.save(None)
                self.entry = None
        user, password = self._credentials or credentials(self.options)
        return self._grant({"username": user, "password": password, "grant_type": "password",
                            "client_id": CLIENT_ID}, Message(N_("ACLED login")))["access_token"]

    def read(self, params: dict, what: str) -> tuple[dict, bytes]:
        """GET one page of the read endpoint; renew the token once on a 401."""
        for attempt in (1, 2):
            token = self.token(force=attempt == 2)
            response = self.client.request("GET", f"{self.base}{READ_PATH}", params=params,
                                           headers={"Authorization": f"Bearer {token}"}, what=what,
                                           ok_statuses=(200, 401))
            if response.status == 200:
                data = response.json(what)
                if not isinstance(data, dict) or not isinstance(data.get("data"), list):
                    problem = ""
                    if isinstance(data, dict):
                        error = data.get("error") or data.get("message") or ""
                        problem = f" ({str(error)[:200]})" if error else ""
                    raise FormatError(N_("{what}: expected an object with a data list{problem}; the API may have "
                                         "changed."), what=what, problem=problem)
                return data, response.body
        raise AuthError(N_("{what}: ACLED refused the token twice (HTTP 401). Check that your account has API "
                           "access."), what=what)


def _last_page(data: dict, pending: dict) -> bool:
    """Say whether this page is the last one (and remember the page sizes seen).

    A server may serve fewer rows per page than ``limit`` asks for, so a short first page
    is not trusted to be the last: the run stops at an empty page, at ``total_count``
    when the answer gives it, or at a page shorter than an earlier one.
    """
    rows = len(data["data"])
    fetched = int(pending.get("fetched", 0)) + rows
    largest = int(pending.get("largest_page", 0))
    pending.update({"fetched": fetched, "largest_page": max(largest, rows)})
    try:
        total = int(data.get("total_count"))
    except (TypeError, ValueError):
        total = None
    if rows == 0 or (total is not None and fetched >= total):
        return True
    return rows < largest


def _max_timestamp(rows: list[dict], previous: int | None) -> int | None:
    best = previous
    for row in rows:
        try:
            value = int(float(row.get("timestamp")))
        except (TypeError, ValueError):
            continue
        best = value if best is None or value > best else best
    return best


def fetch(out: Path, options: FetchOptions, client: HttpClient | None = None) -> FetchSummary:
    """Fetch ACLED events added or changed since the last fetch and import them.

    Parameters
    ----------
    out : Path
        Data directory; the pages go to ``raw/acled/<run>/``, an interrupted run resumes at its next page.
    options : FetchOptions
        Period, countries, progress, credentials prompt.
    client : HttpClient, optional
        HTTP client (default: :func:`geo.fetch.common.make_client`).

    Returns
    -------
    FetchSummary
        New, updated, unchanged and quarantined events.
    """
    out = Path(out).resolve()
    client = client or make_client(options)
    base = options.base_url(ENV_BASE, DEFAULT_BASE)
    folder = config_dir(options.env).expanduser().resolve()
    if folder == out or out in folder.parents:
        raise FetchError(N_("{setting} points inside the data directory {directory}; tokens are never stored there. "
                            "Choose a folder outside it."), setting=CONFIG_ENV, directory=str(out))
    session = AcledSession(client, base, options, TokenStore(folder, urllib.parse.urlsplit(base).netloc))
    session.prepare()
    state = fstate.load_state(out, SOURCE)
    countries = tuple(options.acled_countries) or ("Ukraine",)
    pending = state.get("pending")
    if pending and pending.get("countries") != list(countries):
        pending = None
    if pending is None:
        since, until = options.period(DEFAULT_SINCE)
        params = {"_format": "json", "country": "|".join(countries),
                  "event_date": f"{since.isoformat()}|{until.isoformat()}", "event_date_where": "BETWEEN",
                  "limit": PAGE_LIMIT}
        covered = (state.get("covered_since") or {}).get("|".join(countries))
        incremental = state.get("last_timestamp") is not None and covered and since >= dt.date.fromisoformat(covered)
        if incremental:
            params.update({"timestamp": int(state["last_timestamp"]), "timestamp_where": ">="})
        run = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        pending = {"run": run, "countries": list(countries), "params": params, "next_page": 1, "complete": False,
                   "since": None if incremental else since.isoformat()}
    state.update({"source": SOURCE, "base_url": base, "pending": pending, "started_at": fstate.now_utc()})
    fstate.save_state(out, SOURCE, state)
    run_dir = fstate.raw_dir(out, SOURCE) / pending["run"]
    run_dir.mkdir(parents=True, exist_ok=True)
    while not pending["complete"]:
        page = int(pending["next_page"])
        what = Message(N_("ACLED page {page}"), page=page)
        options.progress(Message(N_("{what}: downloading from {host}"), what=what,
                                 host=urllib.parse.urlsplit(base).netloc), None)
        data, body = session.read({**pending["params"], "page": page}, what)
        write_bytes(run_dir / f"page-{page:05d}.json", body)
        pending.update({"next_page": page + 1, "complete": _last_page(data, pending)})
        fstate.save_state(out, SOURCE, state)
    summary = FetchSummary(SOURCE, requests=client.requests_made)
    rows, files = stage_pages(out, SOURCE, sorted(run_dir.glob("page-*.json")), "data", "event_id_cnty",
                              run_dir / f"acled-{pending['run']}.csv", summary)
    if options.build or not rows:
        state["last_timestamp"] = _max_timestamp(rows, state.get("last_timestamp"))
        covered = dict(state.get("covered_since") or {})
        key = "|".join(pending["countries"])
        if pending.get("since") and (key not in covered or pending["since"] < covered[key]):
            covered[key] = pending["since"]
        state["covered_since"] = covered
        state["pending"] = None
    importing = Message.ngettext("ACLED: importing {n} event", "ACLED: importing {n} events", len(rows))
    return finish_incident_fetch(out, SOURCE, state, summary, options, files, importing)
