"""Local replay servers shaped like the publishers' APIs (DeepStateMap, UCDP, ACLED), for tests.

One ``http.server`` on 127.0.0.1 in a thread answers all three APIs under their own path
prefixes. Every response is built in code (or, for UCDP and DeepStateMap realdata tests,
from the third-party files read in place from ``../shared/data``); nothing is copied into
the repository. Behaviour switches on :class:`Replay` let a test inject 429 / 5xx answers,
an interruption, expired or bad tokens and malformed bodies, and every request is logged
(path, query, headers, body) so tests can assert what was asked and what was not.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ACLED_USER = "analyst@example.org"
ACLED_PASSWORD = "correct horse battery staple"
UCDP_TOKEN = "ucdp-test-token-5f2a"


@dataclass
class Logged:
    method: str
    path: str
    query: dict
    headers: dict
    body: str


@dataclass
class Replay:
    """State and behaviour switches of the replay server."""

    deepstate_snapshots: dict = field(default_factory=dict)  # id -> FeatureCollection (or raw bytes)
    deepstate_wrap: bool = False
    ucdp_releases: dict = field(default_factory=dict)  # version -> list of events
    acled_rows: list = field(default_factory=list)
    acled_token_lifetime: int = 86400
    #: path prefix -> list of statuses to answer before serving normally (consumed one by one)
    failures: dict = field(default_factory=dict)
    #: path prefix -> status answered forever (an outage)
    outage: dict = field(default_factory=dict)
    retry_after: str | None = None
    #: called with (path, query); a returned status is answered instead of the data
    fail_if: object = None
    log: list = field(default_factory=list)
    issued_tokens: list = field(default_factory=list)
    revoked_tokens: set = field(default_factory=set)
    refresh_tokens: set = field(default_factory=set)
    _counter: int = 0

    def requests_to(self, prefix: str) -> list[Logged]:
        return [r for r in self.log if r.path.startswith(prefix)]

    def new_token(self) -> tuple[str, str]:
        self._counter += 1
        access, refresh = f"acc-{self._counter:04d}-x9", f"ref-{self._counter:04d}-y7"
        self.issued_tokens.append(access)
        self.refresh_tokens.add(refresh)
        return access, refresh


def _acled_matches(row: dict, query: dict) -> bool:
    countries = query.get("country", [""])[0].split("|")
    if row["country"] not in countries:
        return False
    if "event_date" in query:
        low, _, high = query["event_date"][0].partition("|")
        if not (low <= row["event_date"] <= (high or low)):
            return False
    if "timestamp" in query:
        where = query.get("timestamp_where", ["="])[0]
        stamp, mine = int(query["timestamp"][0]), int(row["timestamp"])
        if where == ">=" and mine < stamp or where == ">" and mine <= stamp:
            return False
    return True


class _Handler(BaseHTTPRequestHandler):
    replay: Replay

    def log_message(self, *args) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, payload=None, headers: dict | None = None) -> None:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)

    def _handle(self, method: str) -> None:
        parts = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(parts.query)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8") if length else ""
        replay = self.server.replay  # type: ignore[attr-defined]
        replay.log.append(Logged(method, parts.path, query, {k.lower(): v for k, v in self.headers.items()}, body))
        for prefix, status in replay.outage.items():
            if parts.path.startswith(prefix):
                return self._send(status, {"error": "outage"})
        if replay.fail_if is not None:
            status = replay.fail_if(parts.path, query)
            if status:
                return self._send(status, {"error": f"injected {status}"})
        for prefix, queue in replay.failures.items():
            if parts.path.startswith(prefix) and queue:
                status = queue.pop(0)
                extra = {"Retry-After": replay.retry_after} if replay.retry_after and status == 429 else None
                return self._send(status, {"error": f"injected {status}"}, extra)
        if parts.path.startswith("/deepstate/"):
            return self._deepstate(parts.path[len("/deepstate"):])
        if parts.path.startswith("/ucdp/"):
            return self._ucdp(parts.path[len("/ucdp"):], query)
        if parts.path.startswith("/acled/"):
            return self._acled(method, parts.path[len("/acled"):], query, body)
        return self._send(404, {"error": "not found"})

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        self._handle("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._handle("POST")

    # DeepStateMap: /api/history/public, /api/history/<id>/geojson
    def _deepstate(self, path: str) -> None:
        replay = self.server.replay  # type: ignore[attr-defined]
        if path == "/api/history/public":
            import datetime as dt

            listing = [{"id": i, "createdAt": dt.datetime.fromtimestamp(i, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                        "status": True, "description": "опис", "descriptionEn": "description"}
                       for i in sorted(replay.deepstate_snapshots)]
            return self._send(200, listing)
        bits = path.strip("/").split("/")
        if len(bits) == 4 and bits[:2] == ["api", "history"] and bits[3] == "geojson" and bits[2].isdigit():
            snapshot = replay.deepstate_snapshots.get(int(bits[2]))
            if snapshot is None:
                return self._send(404, {"error": "no such snapshot"})
            if isinstance(snapshot, bytes):
                return self._send(200, snapshot)
            return self._send(200, {"id": int(bits[2]), "map": snapshot} if replay.deepstate_wrap else snapshot)
        return self._send(404, {"error": "not found"})

    # UCDP: /api/gedevents/<version>?pagesize=&page=&Country=
    def _ucdp(self, path: str, query: dict) -> None:
        replay = self.server.replay  # type: ignore[attr-defined]
        if self.headers.get("x-ucdp-access-token") != UCDP_TOKEN:
            return self._send(401, {"error": "A valid access token is required"})
        bits = path.strip("/").split("/")
        if len(bits) != 3 or bits[:2] != ["api", "gedevents"] or bits[2] not in replay.ucdp_releases:
            return self._send(404, {"error": "unknown resource"})
        rows = replay.ucdp_releases[bits[2]]
        if "Country" in query:
            rows = [r for r in rows if str(r.get("country_id")) == query["Country"][0]]
        if "StartDate" in query:
            rows = [r for r in rows if r["date_start"][:10] >= query["StartDate"][0]]
        if "EndDate" in query:
            rows = [r for r in rows if r["date_start"][:10] <= query["EndDate"][0]]
        size = max(1, min(1000, int(query.get("pagesize", ["100"])[0])))
        page = int(query.get("page", ["0"])[0])
        pages = (len(rows) + size - 1) // size
        base = f"http://{self.headers.get('Host')}/ucdp/api/gedevents/{bits[2]}"

        def link(p: int) -> str:
            return f"{base}?pagesize={size}&page={p}" if 0 <= p < pages else ""

        return self._send(200, {"TotalCount": len(rows), "TotalPages": pages, "PreviousPageUrl": link(page - 1),
                                "NextPageUrl": link(page + 1), "Result": rows[page * size:(page + 1) * size]})

    # ACLED: POST /oauth/token, GET /api/acled/read
    def _acled(self, method: str, path: str, query: dict, body: str) -> None:
        replay = self.server.replay  # type: ignore[attr-defined]
        if path == "/oauth/token" and method == "POST":
            form = urllib.parse.parse_qs(body)
            grant = form.get("grant_type", [""])[0]
            if form.get("client_id", [""])[0] != "acled":
                return self._send(400, {"error": "invalid_client"})
            if grant == "password":
                if form.get("username", [""])[0] != ACLED_USER or form.get("password", [""])[0] != ACLED_PASSWORD:
                    return self._send(400, {"error": "invalid_grant", "error_description": "The user credentials were incorrect."})
            elif grant == "refresh_token":
                token = form.get("refresh_token", [""])[0]
                if token not in replay.refresh_tokens:
                    return self._send(400, {"error": "invalid_grant"})
                replay.refresh_tokens.discard(token)
            else:
                return self._send(400, {"error": "unsupported_grant_type"})
            access, refresh = replay.new_token()
            return self._send(200, {"token_type": "Bearer", "expires_in": replay.acled_token_lifetime,
                                    "access_token": access, "refresh_token": refresh})
        if path == "/api/acled/read" and method == "GET":
            auth = self.headers.get("Authorization", "")
            token = auth.removeprefix("Bearer ")
            if token not in replay.issued_tokens or token in replay.revoked_tokens:
                return self._send(401, {"message": "Unauthorized"})
            limit = int(query.get("limit", ["5000"])[0])
            page = int(query.get("page", ["1"])[0])
            rows = [r for r in replay.acled_rows if _acled_matches(r, query)]
            rows.sort(key=lambda r: (r["event_date"], r["event_id_cnty"]), reverse=True)
            chunk = rows[(page - 1) * limit: page * limit]
            return self._send(200, {"status": 200, "success": True, "last_update": 1, "count": len(chunk),
                                    "messages": [], "data": chunk, "filename": "acled"})
        return self._send(404, {"error": "not found"})


class ReplayServer:
    """Start with ``with ReplayServer() as server:``; ``server.url`` is the loopback base address."""

    def __init__(self, replay: Replay | None = None) -> None:
        self.replay = replay or Replay()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.replay = self.replay  # type: ignore[attr-defined]
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)

    def env(self, **extra: str) -> dict:
        """Environment pointing every fetcher at this server."""
        return {"CONFLICTMAP_DEEPSTATE_URL": f"{self.url}/deepstate/api",
                "CONFLICTMAP_UCDP_URL": f"{self.url}/ucdp/api",
                "CONFLICTMAP_ACLED_URL": f"{self.url}/acled", **extra}


def occupied_polygon(lon: float, lat: float, size: float = 0.3) -> dict:
    """A small DeepStateMap-style occupied polygon feature (constructed, inside Ukraine for the given point)."""
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Feature", "properties": {"name": "Окуповано /// Occupied /// geoJSON.status.occupied",
                                              "fill": "#a52714"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def snapshot_collection(shift: float) -> dict:
    """A constructed snapshot: one occupied square near Donetsk shifted by ``shift`` degrees, plus a point."""
    return {"type": "FeatureCollection", "features": [
        occupied_polygon(37.6 + shift, 47.9),
        {"type": "Feature", "properties": {"name": "unit"}, "geometry": {"type": "Point", "coordinates": [36.0, 49.0]}},
    ]}


def acled_row(n: int, date: str, timestamp: int, *, country: str = "Ukraine", lat: float = 48.5, lon: float = 35.0,
              fatalities: int = 0, notes: str = "Shelling of a residential area.") -> dict:
    """One ACLED-shaped event as the read endpoint returns it (all values strings, as ACLED sends them)."""
    return {
        "event_id_cnty": f"UKR{n:05d}", "event_date": date, "year": date[:4], "time_precision": "1",
        "disorder_type": "Political violence", "event_type": "Explosions/Remote violence",
        "sub_event_type": "Shelling/artillery/missile attack", "actor1": "Military Forces of Russia (2000-)",
        "assoc_actor_1": "", "inter1": "State forces", "actor2": "Civilians (Ukraine)", "assoc_actor_2": "",
        "inter2": "Civilians", "interaction": "State forces-Civilians", "civilian_targeting": "Civilian targeting",
        "iso": "804" if country == "Ukraine" else "643", "region": "Europe", "country": country,
        "admin1": "Dnipropetrovsk", "admin2": "", "admin3": "", "location": f"Place {n}",
        "latitude": f"{lat:.4f}", "longitude": f"{lon:.4f}", "geo_precision": "1", "source": "Local media",
        "source_scale": "Local partner-National", "notes": notes, "fatalities": str(fatalities), "tags": "",
        "timestamp": str(timestamp),
    }
