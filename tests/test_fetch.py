"""``python -m geo fetch`` against local replay servers shaped like the publishers' APIs (no internet)."""

from __future__ import annotations

import datetime as dt
import json
import os
import stat
from pathlib import Path

import pandas as pd
import pytest

from geo.cli import main
from geo.fetch import FetchOptions, acled, run_fetch, ucdp
from geo.fetch.http import (
    AuthError,
    CredentialsMissing,
    FormatError,
    HttpClient,
    LicenceNotAccepted,
    NetworkError,
    QuotaError,
)
from tests.replay_apis import (
    ACLED_PASSWORD,
    ACLED_USER,
    UCDP_TOKEN,
    Replay,
    ReplayServer,
    acled_row,
    snapshot_collection,
)

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def _table(out: Path, name: str) -> Path:
    from geo.datadir import table_path

    return table_path(out, name)


def _manifest(out: Path) -> dict:
    from geo.datadir import read_manifest

    return read_manifest(out)


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def _client(sleeps: Sleeps | None = None, **kw) -> HttpClient:
    kw.setdefault("min_interval", 0.0)
    kw.setdefault("backoff", 1.0)
    return HttpClient(sleep=sleeps if sleeps is not None else Sleeps(), **kw)


def _stamp(day: str, hour: int = 12) -> int:
    return int(dt.datetime.fromisoformat(f"{day}T{hour:02d}:00:00+00:00").timestamp())


def _options(server: ReplayServer, notes: list | None = None, **kw) -> FetchOptions:
    env = server.env(**kw.pop("env", {}))
    progress = (lambda m, f: notes.append(m)) if notes is not None else (lambda m, f: None)
    return FetchOptions(env=env, progress=progress, **kw)


# ---------------------------------------------------------------- DeepStateMap

MARCH = {_stamp("2024-03-04"): 0.0, _stamp("2024-03-06"): 0.05, _stamp("2024-03-11"): 0.1,
         _stamp("2024-03-13"): 0.15, _stamp("2024-03-20"): 0.2}
PERIOD = {"since": dt.date(2024, 3, 1), "until": dt.date(2024, 3, 31)}


def _deepstate_replay() -> Replay:
    return Replay(deepstate_snapshots={i: snapshot_collection(s) for i, s in MARCH.items()})


def test_deepstate_refuses_without_licence_and_contacts_nobody(tmp_path):
    """Without --accept-licence deepstate nothing is requested and the message carries the link and condition."""
    with ReplayServer(_deepstate_replay()) as server:
        with pytest.raises(LicenceNotAccepted) as info:
            run_fetch("deepstate", tmp_path / "d", _options(server, **PERIOD), client=_client())
        assert server.replay.log == []
    message = str(info.value)
    assert "https://deepstatemap.live/license-en.html" in message
    assert "volunteer" in message and "defence of Ukraine" in message and "approval" in message
    assert "--accept-licence deepstate" in message and "\n" not in message
    assert not (tmp_path / "d").exists()


def test_deepstate_weekly_snapshots_then_nothing_new(tmp_path):
    """First run: the first snapshot of each ISO week (+ latest); second run downloads nothing."""
    out = tmp_path / "d"
    with ReplayServer(_deepstate_replay()) as server:
        opts = _options(server, accept_licences=frozenset({"deepstate"}), **PERIOD)
        first = run_fetch("deepstate", out, opts, client=_client())
        weekly = sorted(i for i in MARCH if dt.datetime.fromtimestamp(i, dt.UTC).day in (4, 11, 20))
        fetched = [int(r.path.split("/")[-2]) for r in server.replay.requests_to("/deepstate/api/history/1")]
        assert sorted(fetched) == weekly
        assert (first.new, first.unchanged, first.quarantined) == (3, 0, 0)
        raw = sorted(p.name for p in (out / "raw" / "deepstate").glob("*.geojson"))
        assert raw == [f"{dt.datetime.fromtimestamp(i, dt.UTC).date()}_{i}.geojson" for i in weekly]
        from geo.frontlines import load_frontlines

        frame = load_frontlines(_table(out, "frontlines.parquet").parent)
        assert sorted(d.date().isoformat() for d in frame["snapshot_date"]) == ["2024-03-04", "2024-03-11", "2024-03-20"]
        manifest = _manifest(out)
        assert manifest["licences_accepted"]["deepstate"]["licence"] == "https://deepstatemap.live/license-en.html"
        assert manifest["fetch"]["deepstate"]["last_snapshot_date"] == "2024-03-20"

        server.replay.log.clear()
        second = run_fetch("deepstate", out, opts, client=_client())
        assert [r.path for r in server.replay.log] == ["/deepstate/api/history/public"]
        assert (second.new, second.unchanged) == (0, 3)

        newer = _stamp("2024-03-27")
        server.replay.deepstate_snapshots[newer] = snapshot_collection(0.25)
        server.replay.log.clear()
        third = run_fetch("deepstate", out, _options(server, accept_licences=frozenset({"deepstate"})), client=_client())
        assert third.new == 1
        assert [r.path for r in server.replay.requests_to("/deepstate/api/history/1")] == [
            f"/deepstate/api/history/{newer}/geojson"]
        assert len(load_frontlines(_table(out, "frontlines.parquet").parent)) == 4


def test_deepstate_monthly_wrapped_answers_and_a_malformed_snapshot(tmp_path):
    """Monthly sampling; ``{"map": ...}`` answers are unwrapped; a malformed snapshot is skipped and counted."""
    feb, mar, apr = _stamp("2024-02-10"), _stamp("2024-03-05"), _stamp("2024-04-02")
    replay = Replay(deepstate_snapshots={feb: snapshot_collection(0), mar: b"{not json", apr: snapshot_collection(0.1)},
                    deepstate_wrap=True)
    with ReplayServer(replay) as server:
        opts = _options(server, accept_licences=frozenset({"deepstate"}), every="month", since=dt.date(2024, 2, 1),
                        until=dt.date(2024, 4, 30))
        summary = run_fetch("deepstate", tmp_path / "d", opts, client=_client())
    assert (summary.new, summary.quarantined) == (2, 1)
    assert any("not JSON" in m for m in summary.messages)
    stored = json.loads((tmp_path / "d" / "raw" / "deepstate" / f"2024-02-10_{feb}.geojson").read_text(encoding="utf-8"))
    assert stored["type"] == "FeatureCollection" and "map" not in stored


def test_deepstate_resumes_after_an_interruption(tmp_path):
    """An outage on the third snapshot stops the run; the next run fetches only what is missing."""
    out = tmp_path / "d"
    third = sorted(MARCH)[4]
    with ReplayServer(_deepstate_replay()) as server:
        server.replay.fail_if = lambda path, q: 503 if path.endswith(f"/{third}/geojson") else None
        opts = _options(server, accept_licences=frozenset({"deepstate"}), **PERIOD)
        with pytest.raises(NetworkError) as info:
            run_fetch("deepstate", out, opts, client=_client(max_attempts=2))
        assert "run the same command again" in str(info.value)
        assert len(list((out / "raw" / "deepstate").glob("*.geojson"))) == 2
        assert not _table(out, "frontlines.parquet").exists()
        server.replay.fail_if = None
        server.replay.log.clear()
        summary = run_fetch("deepstate", out, opts, client=_client())
        assert [r.path for r in server.replay.requests_to("/deepstate/api/history/1")] == [
            f"/deepstate/api/history/{third}/geojson"]
        assert summary.new == 3


def test_retries_429_and_5xx_with_backoff_and_retry_after(tmp_path):
    """429 (with Retry-After) then 503 are retried; waits double and honour Retry-After."""
    replay = _deepstate_replay()
    replay.failures = {"/deepstate/api/history/public": [429, 503, 502]}
    replay.retry_after = "7"
    sleeps = Sleeps()
    with ReplayServer(replay) as server:
        opts = _options(server, accept_licences=frozenset({"deepstate"}), **PERIOD)
        summary = run_fetch("deepstate", tmp_path / "d", opts, client=_client(sleeps, backoff=1.0))
    assert summary.new == 3
    assert sleeps == [7.0, 2.0, 4.0]
    assert len(server.replay.requests_to("/deepstate/api/history/public")) == 4


def test_quota_exhausted_is_one_clear_line(tmp_path):
    replay = _deepstate_replay()
    replay.outage = {"/deepstate/": 429}
    with ReplayServer(replay) as server:
        opts = _options(server, accept_licences=frozenset({"deepstate"}), **PERIOD)
        with pytest.raises(QuotaError) as info:
            run_fetch("deepstate", tmp_path / "d", opts, client=_client(max_attempts=3))
    assert "429" in str(info.value) and "\n" not in str(info.value)
    assert len(server.replay.log) == 3


def test_polite_rate_limit_waits_between_requests(tmp_path):
    sleeps = Sleeps()
    with ReplayServer(_deepstate_replay()) as server:
        opts = _options(server, accept_licences=frozenset({"deepstate"}), **PERIOD)
        run_fetch("deepstate", tmp_path / "d", opts, client=_client(sleeps, min_interval=0.5))
    requests = len(server.replay.log)
    assert requests == 4 and len(sleeps) == requests - 1 and all(0.3 < s <= 0.5 for s in sleeps)
    assert all(r.headers.get("user-agent", "").startswith("conflictmap/") for r in server.replay.log)


@pytest.mark.realdata
def test_deepstate_real_exports_served_and_stored_byte_for_byte(tmp_path):
    """Three real DeepStateMap exports (read in place) served by the replay API are stored unchanged and imported."""
    files = sorted((SHARED / "frontlines" / "deepstate").glob("*.geojson"))[-3:]
    if len(files) < 3:
        pytest.skip("shared DeepStateMap exports not available")
    snapshots = {int(p.stem.split("_")[1]): p.read_bytes() for p in files}
    with ReplayServer(Replay(deepstate_snapshots=snapshots)) as server:
        opts = _options(server, accept_licences=frozenset({"deepstate"}), every="month",
                        since=dt.date(2022, 1, 1), until=dt.date(2026, 1, 1))
        summary = run_fetch("deepstate", tmp_path / "d", opts, client=_client())
    assert summary.new == 3
    for path in files:
        assert (tmp_path / "d" / "raw" / "deepstate" / path.name).read_bytes() == path.read_bytes()
    from geo.frontlines import load_frontlines

    assert len(load_frontlines(_table(tmp_path / "d", "frontlines.parquet").parent)) == 3


# ---------------------------------------------------------------- UCDP

def _ged_event(n: int, day: str, best: int = 1, country_id: int = 369) -> dict:
    """A GED-shaped event as the API returns it (numbers as numbers, ISO date-times)."""
    return {"id": 900000 + n, "relid": f"UKR-{day[:4]}-1-{n}", "year": int(day[:4]), "active_year": True,
            "code_status": "Clear", "type_of_violence": 1, "conflict_dset_id": "13243", "conflict_new_id": 13243,
            "conflict_name": "Russia - Ukraine", "dyad_dset_id": "1", "dyad_new_id": 1, "dyad_name": "A - B",
            "side_a_dset_id": "1", "side_a_new_id": 1, "side_a": "Government of Russia (Soviet Union)",
            "side_b_dset_id": "2", "side_b_new_id": 2, "side_b": "Government of Ukraine", "number_of_sources": 1,
            "source_article": "", "source_office": "", "source_date": day, "source_headline": "Artillery shelling",
            "source_original": "", "where_prec": 1, "where_coordinates": f"Town {n}", "where_description": "",
            "adm_1": "Kharkiv oblast", "adm_2": "", "latitude": 49.9 + n / 1000, "longitude": 36.2, "geom_wkt": "",
            "priogrid_gid": 1, "country": "Ukraine", "country_id": country_id, "region": "Europe", "event_clarity": 1,
            "date_prec": 1, "date_start": f"{day}T00:00:00", "date_end": f"{day}T00:00:00", "deaths_a": 0,
            "deaths_b": 0, "deaths_civilians": best, "deaths_unknown": 0, "best": best, "high": best, "low": best,
            "gwnoa": "365", "gwnob": None}


def _ucdp_replay() -> Replay:
    yearly = [_ged_event(i, f"2024-0{1 + i % 9}-1{i % 10}") for i in range(2500)]
    yearly.append(_ged_event(99999, "2024-05-05", country_id=365))  # Russia: filtered out by Country=369
    return Replay(ucdp_releases={"25.1": yearly, "25.0.1": [_ged_event(5000 + i, "2025-01-1" + str(i)) for i in range(5)],
                                 "25.0.2": [_ged_event(6000 + i, "2025-02-1" + str(i)) for i in range(3)]})


def test_ucdp_missing_token_is_one_message_and_no_request(tmp_path):
    with ReplayServer(_ucdp_replay()) as server:
        with pytest.raises(CredentialsMissing) as info:
            run_fetch("ucdp", tmp_path / "d", _options(server), client=_client())
        assert server.replay.log == []
    assert "UCDP_ACCESS_TOKEN" in str(info.value) and "\n" not in str(info.value)


def test_ucdp_pages_candidates_and_incremental(tmp_path):
    """Yearly release in 3 pages of 1000, then candidate releases until one is missing; a second run asks one probe."""
    out = tmp_path / "d"
    with ReplayServer(_ucdp_replay()) as server:
        opts = _options(server, env={"UCDP_ACCESS_TOKEN": UCDP_TOKEN})
        first = run_fetch("ucdp", out, opts, client=_client())
        yearly = server.replay.requests_to("/ucdp/api/gedevents/25.1")
        assert [r.query["page"] for r in yearly] == [["0"], ["1"], ["2"]]
        assert all(r.query["Country"] == ["369"] and r.query["pagesize"] == ["1000"] for r in yearly)
        assert all(r.headers.get("x-ucdp-access-token") == UCDP_TOKEN for r in server.replay.log)
        probed = [r.path.rsplit("/", 1)[1] for r in server.replay.log if "/25.0." in r.path]
        assert probed == ["25.0.1", "25.0.2", "25.0.3"]
        assert (first.new, first.updated, first.unchanged) == (2508, 0, 0)
        incidents = pd.read_parquet(_table(out, "incidents.parquet"), columns=["source", "source_id", "killed"])
        assert (incidents["source"] == "ucdp").sum() + first.quarantined == 2508
        assert "999999" not in set(incidents["source_id"])

        server.replay.log.clear()
        second = run_fetch("ucdp", out, opts, client=_client())
        assert [r.path for r in server.replay.log] == ["/ucdp/api/gedevents/25.0.3"]
        assert (second.new, second.updated) == (0, 0)

        server.replay.ucdp_releases["25.0.3"] = [_ged_event(7000, "2025-03-03", best=4)]
        third = run_fetch("ucdp", out, opts, client=_client())
        assert third.new == 1
        manifest = _manifest(out)
        assert manifest["fetch"]["ucdp"]["releases"]["25.0.3"]["complete"] is True


def test_ucdp_resumes_at_the_page_that_failed(tmp_path):
    out = tmp_path / "d"
    with ReplayServer(_ucdp_replay()) as server:
        server.replay.fail_if = lambda path, q: 500 if q.get("page") == ["2"] else None
        opts = _options(server, env={"UCDP_ACCESS_TOKEN": UCDP_TOKEN}, ucdp_candidates=())
        with pytest.raises(NetworkError):
            run_fetch("ucdp", out, opts, client=_client(max_attempts=2))
        assert not _table(out, "incidents.parquet").exists()
        server.replay.fail_if = None
        server.replay.log.clear()
        summary = run_fetch("ucdp", out, opts, client=_client())
        assert [r.query["page"] for r in server.replay.log] == [["2"]]
        assert summary.new == 2500


def test_ucdp_changed_field_is_a_format_error(tmp_path):
    with ReplayServer(_ucdp_replay()) as server:
        server.replay.fail_if = None
        server.replay.ucdp_releases = {}
        opts = _options(server, env={"UCDP_ACCESS_TOKEN": "wrong"})
        with pytest.raises(AuthError):
            run_fetch("ucdp", tmp_path / "d", opts, client=_client())


def test_ucdp_malformed_answer(tmp_path, monkeypatch):
    """A release answering without the Result list is a clear format error."""
    with ReplayServer(Replay()) as server:
        server.replay.fail_if = None
        server.replay.ucdp_releases = {"25.1": []}
        original = server.httpd.RequestHandlerClass._ucdp

        def changed(self, path, query):
            return self._send(200, {"TotalCount": 1, "Results": [{"id": 1}]})

        monkeypatch.setattr(server.httpd.RequestHandlerClass, "_ucdp", changed)
        opts = _options(server, env={"UCDP_ACCESS_TOKEN": UCDP_TOKEN}, ucdp_candidates=())
        with pytest.raises(FormatError) as info:
            run_fetch("ucdp", tmp_path / "d", opts, client=_client())
        monkeypatch.setattr(server.httpd.RequestHandlerClass, "_ucdp", original)
    assert "Result" in str(info.value)


@pytest.mark.realdata
def test_ucdp_real_ged_rows_served_by_the_api_import_like_the_csv(tmp_path):
    """The real GED file, served as API JSON, imports the same number of events as the file itself."""
    path = SHARED / "incidents" / "ucdp" / "ucdp-ged-ukraine-2014-2022-02.csv"
    if not path.exists():
        pytest.skip("shared UCDP file not available")
    frame = pd.read_csv(path)
    frame["date_start"] = pd.to_datetime(frame["date_start"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    frame["date_end"] = pd.to_datetime(frame["date_end"]).dt.strftime("%Y-%m-%dT%H:%M:%S")
    rows = json.loads(frame.to_json(orient="records"))
    with ReplayServer(Replay(ucdp_releases={"22.1": rows})) as server:
        opts = _options(server, env={"UCDP_ACCESS_TOKEN": UCDP_TOKEN}, ucdp_version="22.1", ucdp_candidates=())
        summary = run_fetch("ucdp", tmp_path / "d", opts, client=_client())
    ukraine = frame[frame["country_id"] == ucdp.UKRAINE_GW]
    assert summary.new == len(ukraine) > 3000
    from geo.ingest import read_incidents

    direct = read_incidents([path], fmt="ucdp").incidents
    direct = direct[direct["source_id"].isin(ukraine["id"].astype(str))]
    fetched = pd.read_parquet(_table(tmp_path / "d", "incidents.parquet"), columns=["source_id", "date", "killed"])
    assert len(fetched) + summary.quarantined == len(ukraine)
    assert sorted(fetched["source_id"]) == sorted(direct["source_id"])
    assert int(fetched["killed"].sum()) == int(direct["killed"].sum())
    merged = fetched.merge(direct[["source_id", "date"]], on="source_id", suffixes=("", "_csv"))
    assert (merged["date"] == merged["date_csv"]).all()


# ---------------------------------------------------------------- ACLED

def _acled_replay() -> Replay:
    rows = [acled_row(i, f"2024-05-{1 + i:02d}", 1715000000 + i) for i in range(12)]
    rows.append(acled_row(500, "2024-05-03", 1715000100, country="Russia", lat=50.6, lon=36.6))
    return Replay(acled_rows=rows)


def _acled_env(tmp_path: Path, password: bool = True, user: bool = True) -> dict:
    env = {"CONFLICTMAP_CONFIG_DIR": str(tmp_path / "config")}
    if user:
        env["ACLED_USERNAME"] = ACLED_USER
    if password:
        env["ACLED_PASSWORD"] = ACLED_PASSWORD
    return env


ACLED_PERIOD = {"since": dt.date(2024, 5, 1), "until": dt.date(2024, 5, 31)}


def test_acled_server_capping_the_page_size_loses_nothing(tmp_path, monkeypatch):
    """A server that serves 4 rows per page whatever ``limit`` says: every row is still fetched."""
    replay = _acled_replay()
    with ReplayServer(replay) as server:
        original = server.httpd.RequestHandlerClass._acled

        def capped(self, method, path, query, body):
            if path == "/api/acled/read":
                query = {**query, "limit": ["4"]}
            return original(self, method, path, query, body)

        monkeypatch.setattr(server.httpd.RequestHandlerClass, "_acled", capped)
        summary = run_fetch("acled", tmp_path / "d", _options(server, env=_acled_env(tmp_path), **ACLED_PERIOD),
                            client=_client())
        assert [r.query["page"] for r in server.replay.requests_to("/acled/api/acled/read")] == [["1"], ["2"], ["3"], ["4"]]
    assert summary.new == 12


def test_ucdp_unknown_yearly_release_names_the_setting(tmp_path):
    with ReplayServer(_ucdp_replay()) as server:
        opts = _options(server, env={"UCDP_ACCESS_TOKEN": UCDP_TOKEN}, ucdp_version="31.1")
        with pytest.raises(Exception, match="--ucdp-version"):
            run_fetch("ucdp", tmp_path / "d", opts, client=_client())


def test_acled_missing_credentials_one_message_no_request(tmp_path):
    with ReplayServer(_acled_replay()) as server:
        with pytest.raises(CredentialsMissing) as info:
            run_fetch("acled", tmp_path / "d", _options(server, env=_acled_env(tmp_path, password=False)),
                      client=_client())
        assert server.replay.log == []
    assert "ACLED_USERNAME" in str(info.value) and "ACLED_PASSWORD" in str(info.value)


def test_acled_bad_credentials(tmp_path):
    with ReplayServer(_acled_replay()) as server:
        env = {**_acled_env(tmp_path), "ACLED_PASSWORD": "nope"}
        with pytest.raises(AuthError) as info:
            run_fetch("acled", tmp_path / "d", _options(server, env=env), client=_client())
    assert "ACLED_USERNAME" in str(info.value) and "nope" not in str(info.value)


def test_acled_pages_incremental_token_cache_and_no_secrets(tmp_path, monkeypatch, capsys):
    """Pages of 5 rows; the token is cached 0600 outside DIR; a second run asks only for changes since."""
    monkeypatch.setattr(acled, "PAGE_LIMIT", 5)
    out = tmp_path / "d"
    notes: list[str] = []
    with ReplayServer(_acled_replay()) as server:
        opts = _options(server, notes, env=_acled_env(tmp_path), acled_countries=("Ukraine", "Russia"), **ACLED_PERIOD)
        first = run_fetch("acled", out, opts, client=_client())
        reads = server.replay.requests_to("/acled/api/acled/read")
        assert [r.query["page"] for r in reads] == [["1"], ["2"], ["3"]]
        assert reads[0].query["country"] == ["Ukraine|Russia"]
        assert reads[0].query["event_date"] == ["2024-05-01|2024-05-31"]
        assert all(r.headers["authorization"].startswith("Bearer acc-") for r in reads)
        assert len(server.replay.requests_to("/acled/oauth/token")) == 1
        assert (first.new, first.updated, first.unchanged) == (13, 0, 0)
        incidents = pd.read_parquet(_table(out, "incidents.parquet"), columns=["source", "source_id"])
        assert (incidents["source"] == "acled").sum() + first.quarantined == 13

        token_file = tmp_path / "config" / acled.TOKEN_FILE
        assert stat.S_IMODE(os.stat(token_file).st_mode) == 0o600

        server.replay.log.clear()
        second = run_fetch("acled", out, opts, client=_client())
        assert server.replay.requests_to("/acled/oauth/token") == []
        reads = server.replay.requests_to("/acled/api/acled/read")
        assert [r.query["page"] for r in reads] == [["1"], ["2"]]  # a short first page is confirmed by an empty one
        assert reads[0].query["timestamp"] == ["1715000100"] and reads[0].query["timestamp_where"] == [">="]
        # ">=" sends back the rows stamped at the last maximum again; they must count as unchanged, never new
        assert (second.new, second.updated) == (0, 0) and second.unchanged >= 1

        changed = acled_row(3, "2024-05-04", 1715000200, fatalities=2)
        server.replay.acled_rows = [r for r in server.replay.acled_rows if r["event_id_cnty"] != "UKR00003"] + [changed]
        server.replay.acled_rows.append(acled_row(40, "2024-05-20", 1715000200))
        third = run_fetch("acled", out, opts, client=_client())
        assert (third.new, third.updated) == (1, 1)

        code = main(["fetch", "acled", "--out", str(out)])
    captured = capsys.readouterr()
    secrets = [ACLED_PASSWORD, ACLED_USER, *server.replay.issued_tokens, *server.replay.refresh_tokens]
    assert secrets and code in (0, 2)
    for path in out.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in secrets), path
    logs = "\n".join(notes) + captured.out + captured.err
    assert not any(s in logs for s in secrets)


def test_acled_expired_token_is_refreshed_without_the_password(tmp_path):
    """A cached token past its expiry is renewed with the refresh token; no password is needed."""
    out = tmp_path / "d"
    with ReplayServer(_acled_replay()) as server:
        run_fetch("acled", out, _options(server, env=_acled_env(tmp_path), **ACLED_PERIOD), client=_client())
        token_file = tmp_path / "config" / acled.TOKEN_FILE
        cached = json.loads(token_file.read_text())
        (key,) = cached
        cached[key]["expires_at"] = 0
        token_file.write_text(json.dumps(cached))
        server.replay.log.clear()
        opts = _options(server, env=_acled_env(tmp_path, password=False, user=False), **ACLED_PERIOD)
        run_fetch("acled", out, opts, client=_client())
        (grant,) = server.replay.requests_to("/acled/oauth/token")
        assert "grant_type=refresh_token" in grant.body and "password" not in grant.body


def test_acled_token_rejected_by_the_server_is_renewed_once(tmp_path):
    """A 401 on the read endpoint (token revoked or expired early) renews the token and retries once."""
    out = tmp_path / "d"
    with ReplayServer(_acled_replay()) as server:
        opts = _options(server, env=_acled_env(tmp_path), **ACLED_PERIOD)
        run_fetch("acled", out, opts, client=_client())
        server.replay.revoked_tokens.update(server.replay.issued_tokens)
        server.replay.log.clear()
        summary = run_fetch("acled", out, opts, client=_client())
        statuses = [r.path for r in server.replay.log]
        assert statuses == ["/acled/api/acled/read", "/acled/oauth/token", "/acled/api/acled/read",
                            "/acled/api/acled/read"]
        assert summary.unchanged == 1


def test_acled_config_dir_inside_data_dir_is_refused(tmp_path):
    out = tmp_path / "d"
    with ReplayServer(_acled_replay()) as server:
        env = {**_acled_env(tmp_path), "CONFLICTMAP_CONFIG_DIR": str(out / "cfg")}
        with pytest.raises(Exception, match="never stored there"):
            run_fetch("acled", out, _options(server, env=env), client=_client())


# ---------------------------------------------------------------- command line

def test_cli_fetch_errors_are_one_line(tmp_path, monkeypatch, capsys):
    for name in ("ACLED_USERNAME", "ACLED_EMAIL", "ACLED_PASSWORD", "UCDP_ACCESS_TOKEN", "UCDP_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CONFLICTMAP_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("CONFLICTMAP_ACLED_URL", "http://127.0.0.1:9")
    monkeypatch.setattr("sys.stdin", open(os.devnull))
    assert main(["fetch", "acled", "--out", str(tmp_path / "d")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ACLED needs your myACLED login") and "\n" not in err
    assert main(["fetch", "deepstate", "--out", str(tmp_path / "d")]) == 2
    assert "--accept-licence deepstate" in capsys.readouterr().err
    assert main(["fetch", "ucdp", "--out", str(tmp_path / "d"), "--since", "2024-13-01"]) == 2
    assert "--since expects a date" in capsys.readouterr().err


def test_cli_fetch_deepstate_end_to_end(tmp_path, monkeypatch, capsys):
    with ReplayServer(_deepstate_replay()) as server:
        monkeypatch.setenv("CONFLICTMAP_DEEPSTATE_URL", f"{server.url}/deepstate/api")
        monkeypatch.setenv("CONFLICTMAP_FETCH_INTERVAL", "0")
        code = main(["fetch", "deepstate", "--out", str(tmp_path / "d"), "--accept-licence", "deepstate",
                     "--since", "2024-03-01", "--until", "2024-03-31", "--every", "month"])
    out = capsys.readouterr()
    assert code == 0, out.err
    assert "deepstate: 2 new, 0 updated, 0 unchanged, 0 quarantined" in out.out
    assert "license-en.html" in out.err


def test_base_url_must_be_http(tmp_path):
    with pytest.raises(Exception, match="not an http"):
        run_fetch("ucdp", tmp_path / "d", FetchOptions(env={"CONFLICTMAP_UCDP_URL": "file:///etc",
                                                            "UCDP_ACCESS_TOKEN": "x"}), client=_client())


def test_stage_pages_reads_listed_objects_counts_and_writes_once(tmp_path):
    from geo.fetch.common import FetchSummary, stage_pages

    pages = [tmp_path / "page-00000.json", tmp_path / "page-00001.json", tmp_path / "page-00002.json"]
    pages[0].write_text('{"data": [{"id": "1", "v": null}, "junk", {"id": "2", "w": true}]}', encoding="utf-8")
    pages[1].write_text('["not an answer object"]', encoding="utf-8")
    pages[2].write_bytes(b"\xef\xbb\xbf" + b'{"data": [{"id": "3", "v": 3}]}')  # a byte-order mark is allowed
    summary = FetchSummary("acled")
    rows, files = stage_pages(tmp_path / "d", "acled", pages, "data", "id", tmp_path / "out.csv", summary)
    assert [r["id"] for r in rows] == ["1", "2", "3"]
    assert files == [(tmp_path / "out.csv", "acled")] and summary.files == [str(tmp_path / "out.csv")]
    assert (tmp_path / "out.csv").read_text(encoding="utf-8").splitlines() == ["id,v,w", "1,,", "2,,True", "3,3,"]
    assert (summary.new, summary.updated, summary.unchanged) == (3, 0, 0)
    nothing, none = stage_pages(tmp_path / "d", "acled", [pages[1]], "data", "id", tmp_path / "empty.csv", summary)
    assert nothing == [] and none == [] and not (tmp_path / "empty.csv").exists()


def test_stage_pages_refuses_a_hostile_nesting(tmp_path):
    from geo.fetch.common import FetchSummary, stage_pages
    from geo.safejson import JsonTooDeepError

    page = tmp_path / "page-00000.json"
    page.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(JsonTooDeepError):
        stage_pages(tmp_path / "d", "ucdp", [page], "Result", "id", tmp_path / "x.csv", FetchSummary("ucdp"))


def test_ucdp_candidate_names():
    assert ucdp._next_candidate("25.0.12") == "26.0.1"
    assert ucdp._next_candidate("25.0.3") == "25.0.4"
    assert ucdp._first_candidate("25.1") == "25.0.1"


def test_acled_run_that_keeps_nothing_is_quarantined_not_an_error(tmp_path):
    """Only Russian events far from Ukraine: every row goes to the quarantine with its reason; the run succeeds."""
    replay = Replay(acled_rows=[acled_row(600 + i, "2024-05-10", 1715000300, country="Russia", lat=55.75, lon=37.6)
                                for i in range(3)])
    with ReplayServer(replay) as server:
        opts = _options(server, env=_acled_env(tmp_path), acled_countries=("Ukraine", "Russia"), **ACLED_PERIOD)
        summary = run_fetch("acled", tmp_path / "d", opts, client=_client())
    assert (summary.new, summary.quarantined) == (3, 3)
    quarantine = pd.read_csv(_table(tmp_path / "d", "quarantine.csv"))
    assert len(quarantine) == 3 and quarantine["reason"].nunique() == 1


def test_acled_changed_answer_is_a_format_error(tmp_path, monkeypatch):
    with ReplayServer(_acled_replay()) as server:
        original = server.httpd.RequestHandlerClass._acled

        def changed(self, method, path, query, body):
            if path == "/api/acled/read":
                return self._send(200, {"status": 200, "success": True, "results": []})
            return original(self, method, path, query, body)

        monkeypatch.setattr(server.httpd.RequestHandlerClass, "_acled", changed)
        with pytest.raises(FormatError, match="data list"):
            run_fetch("acled", tmp_path / "d", _options(server, env=_acled_env(tmp_path)), client=_client())


def test_readme_lists_every_fetch_setting():
    """Every environment variable the fetch code reads is documented in the README, and vice versa."""
    import re

    root = Path(__file__).resolve().parents[1]
    code = "".join(p.read_text(encoding="utf-8") for p in [*(root / "geo" / "fetch").glob("*.py"), root / "ui" / "fetch.py"])
    in_code = set(re.findall(r'"((?:CONFLICTMAP|ACLED|UCDP)_[A-Z_]+)"', code)) - {"CONFLICTMAP_DATA"}
    readme = (root / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Fresh data in one step")
    section = readme[start:readme.index("\n###", start + 1)]
    in_docs = set(re.findall(r"`((?:CONFLICTMAP|ACLED|UCDP)_[A-Z_]+)", section))
    assert in_code == in_docs
