"""DeepStateMap.live front lines through its history API.

``GET {base}/history/public`` lists every published snapshot (``id`` is the Unix
time of the snapshot, ``createdAt`` its ISO time); ``GET {base}/history/{id}/geojson``
returns that snapshot's GeoJSON FeatureCollection (some answers wrap it as
``{"map": ...}``, as ``/history/last`` does). Each downloaded snapshot is stored as
the raw export ``DIR/raw/deepstate/YYYY-MM-DD_<id>.geojson`` (the name the front-line
importer recognises) and imported as one snapshot. ``docs/FETCH.md`` lists the
sources of this description and what they leave open.

DeepStateMap's licence agreement grants free API use only to some users; nothing is
requested before the user confirms :data:`LICENCE_CONDITION`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

from geo.atomic import write_bytes
from geo.fetch import state as fstate
from geo.fetch.common import FetchOptions, FetchSummary, commit, make_client
from geo.fetch.http import FetchError, FormatError, HttpClient, LicenceNotAccepted
from geo.i18n import N_, Message

SOURCE = "deepstate"
NAME = N_("DeepStateMap.live front lines")
ENV_BASE = "CONFLICTMAP_DEEPSTATE_URL"
DEFAULT_BASE = "https://deepstatemap.live/api"
LICENCE_URL = "https://deepstatemap.live/license-en.html"
LICENCE_CONDITION = N_(
    "DeepStateMap's licence agreement grants free use of its API only to volunteer and charitable work "
    "and to work for the defence of Ukraine; any other use needs DeepStateMap's approval first. "
    "Its data may not be redistributed: fetched snapshots stay in your data directory, and exports "
    "leave them out as its licence requires."
)
#: First day fetched when neither --since nor an earlier fetch says otherwise.
DEFAULT_SINCE = dt.date(2022, 2, 24)
EVERY = ("day", "week", "month", "all")
_RAW_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})_(\d+)\.geojson$")


def licence_text() -> str:
    """Return the licence notice shown before any DeepStateMap request (link and condition)."""
    return f"{LICENCE_CONDITION} Licence: {LICENCE_URL}"


def check_licence(options: FetchOptions) -> None:
    """Refuse unless the user confirmed DeepStateMap's licence condition.

    Parameters
    ----------
    options : FetchOptions
        ``accept_licences`` must contain ``"deepstate"``.

    Raises
    ------
    LicenceNotAccepted
        With the link, the condition and how to confirm.
    """
    if SOURCE not in options.accept_licences:
        raise LicenceNotAccepted(
            N_("DeepStateMap licence not confirmed: {condition} Read {url}; if your use qualifies "
               "(or DeepStateMap approved it), run again with --accept-licence deepstate."),
            condition=Message(LICENCE_CONDITION), url=LICENCE_URL
        )


def _snapshot_time(entry: dict) -> dt.datetime | None:
    raw_id = entry.get("id")
    try:
        stamp = int(raw_id)
    except (TypeError, ValueError):
        stamp = None
    if stamp is not None and 10**9 <= stamp < 10**10:
        return dt.datetime.fromtimestamp(stamp, dt.UTC)
    for key in ("createdAt", "datetime", "updatedAt"):
        text = entry.get(key)
        if isinstance(text, str) and text:
            try:
                when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError:
                continue
            return when if when.tzinfo else when.replace(tzinfo=dt.UTC)
    return None


def list_snapshots(client: HttpClient, base: str) -> tuple[list[tuple[int, dt.datetime]], int]:
    """Return the published snapshots as (id, UTC time), oldest first, and how many entries were unreadable.

    Parameters
    ----------
    client : HttpClient
        HTTP client.
    base : str
        API base address.

    Returns
    -------
    tuple
        Sorted (id, time) pairs and the count of entries without a usable id or time.
    """
    data = client.get_json(f"{base}/history/public", what=Message(N_("DeepStateMap snapshot list")))
    if isinstance(data, dict):
        data = data.get("data") if isinstance(data.get("data"), list) else data.get("history")
    if not isinstance(data, list):
        raise FormatError(N_("DeepStateMap snapshot list: expected a JSON list of snapshots; the API may have "
                             "changed."))
    found: dict[int, dt.datetime] = {}
    bad = 0
    for entry in data:
        if not isinstance(entry, dict):
            bad += 1
            continue
        when = _snapshot_time(entry)
        try:
            snapshot_id = int(entry.get("id"))
        except (TypeError, ValueError):
            snapshot_id = None
        if when is None or snapshot_id is None or snapshot_id < 0:
            bad += 1
            continue
        found[snapshot_id] = when
    return sorted(found.items(), key=lambda kv: (kv[1], kv[0])), bad


def _bucket(when: dt.datetime, every: str) -> object:
    day = when.date()
    if every == "day":
        return day
    if every == "week":
        return day.isocalendar()[:2]
    if every == "month":
        return (day.year, day.month)
    return when


def select_snapshots(
    snapshots: list[tuple[int, dt.datetime]], since: dt.date, until: dt.date, every: str, include_latest: bool
) -> list[tuple[int, dt.datetime]]:
    """Pick the first snapshot of every day, week or month in [since, until] (and the latest).

    Parameters
    ----------
    snapshots : list of (int, datetime)
        All published snapshots, oldest first.
    since, until : datetime.date
        Period (inclusive, UTC days).
    every : str
        One of :data:`EVERY`.
    include_latest : bool
        Add the newest snapshot of the period.

    Returns
    -------
    list of (int, datetime)
        The chosen snapshots, oldest first.
    """
    if every not in EVERY:
        raise FetchError(N_("--every must be one of {choices}, got {value}."), choices=", ".join(EVERY),
                         value=repr(every))
    inside = [(i, w) for i, w in snapshots if since <= w.date() <= until]
    chosen: dict[object, tuple[int, dt.datetime]] = {}
    for snapshot_id, when in inside:
        chosen.setdefault(_bucket(when, every), (snapshot_id, when))
    picked = {i: w for i, w in chosen.values()}
    if include_latest and inside:
        picked.setdefault(*inside[-1])
    return sorted(picked.items(), key=lambda kv: (kv[1], kv[0]))


def _feature_collection(data: object) -> dict | None:
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError:
            return None
    if isinstance(data, dict) and "map" in data and not isinstance(data.get("features"), list):
        data = data["map"]
    if isinstance(data, dict) and isinstance(data.get("features"), list):
        return data
    return None


def _stored_ids(folder: Path) -> dict[int, Path]:
    return {int(m.group(2)): p for p in folder.glob("*.geojson") if (m := _RAW_NAME.match(p.name))}


def _dates_in_directory(out: Path) -> set[dt.date]:
    from geo.datadir import DataDirError, tables_folder
    from geo.frontlines import load_frontlines

    try:
        frame = load_frontlines(tables_folder(out))
    except DataDirError:
        return set()
    if frame is None or not len(frame):
        return set()
    mine = frame[frame["source"].astype(str) == SOURCE]
    return {d.date() for d in mine["snapshot_date"]}


def fetch(out: Path, options: FetchOptions, client: HttpClient | None = None) -> FetchSummary:
    """Fetch DeepStateMap snapshots not yet in ``out`` and import them.

    Parameters
    ----------
    out : Path
        Data directory; each snapshot is kept as ``raw/deepstate/<date>_<id>.geojson``.
    options : FetchOptions
        Period, sampling, licence confirmation, progress.
    client : HttpClient, optional
        HTTP client (tests pass one with a recording sleep).

    Returns
    -------
    FetchSummary
        New snapshots, unchanged (already present) and unreadable ones.
    """
    check_licence(options)
    out = Path(out)
    client = client or make_client(options)
    base = options.base_url(ENV_BASE, DEFAULT_BASE)
    folder = fstate.raw_dir(out, SOURCE)
    saved = fstate.load_state(out, SOURCE)
    last = saved.get("last_snapshot_date")
    default_since = dt.date.fromisoformat(last) if options.since is None and last else DEFAULT_SINCE
    since, until = options.period(default_since)
    summary = FetchSummary(SOURCE)
    options.progress(Message(N_("DeepStateMap: reading the snapshot list from {address}"), address=base), 0.0)
    snapshots, bad = list_snapshots(client, base)
    if bad:
        summary.messages.append(Message.ngettext(
            "{n} entry of the snapshot list had no usable id or date and was skipped.",
            "{n} entries of the snapshot list had no usable id or date and were skipped.", bad))
    chosen = select_snapshots(snapshots, since, until, options.every, options.include_latest)
    stored = _stored_ids(folder)
    in_dir = _dates_in_directory(out)
    todo = [(i, w) for i, w in chosen if i not in stored and w.date() not in in_dir]
    summary.unchanged = len(chosen) - len(todo)
    state = {**saved, "source": SOURCE, "base_url": base, "every": options.every,
             "period": [since.isoformat(), until.isoformat()], "started_at": fstate.now_utc()}
    fstate.save_state(out, SOURCE, state)
    for n, (snapshot_id, when) in enumerate(todo, start=1):
        what = Message(N_("DeepStateMap snapshot {date} (id {id})"), date=when.date().isoformat(), id=str(snapshot_id))
        options.progress(Message(N_("{what}: downloading ({number} of {total})"), what=what, number=n, total=len(todo)),
                         (n - 1) / max(1, len(todo)))
        response = client.request("GET", f"{base}/history/{snapshot_id}/geojson", what=what)
        try:
            data = response.json(what)
        except FormatError as exc:
            summary.quarantined += 1
            summary.messages.append(exc.msg)
            continue
        collection = _feature_collection(data)
        if collection is None:
            summary.quarantined += 1
            summary.messages.append(Message(N_("{what}: the answer is not a GeoJSON FeatureCollection; skipped."),
                                            what=what))
            continue
        path = folder / f"{when.date().isoformat()}_{snapshot_id}.geojson"
        payload = response.body if collection is data else json.dumps(collection, ensure_ascii=False).encode("utf-8")
        write_bytes(path, payload)
        stored[snapshot_id] = path
    summary.requests = client.requests_made
    imported = set(saved.get("imported", []))
    pending = sorted((p for i, p in stored.items() if str(i) not in imported), key=lambda p: p.name)
    dates = sorted(w.date() for i, w in chosen if i in stored)
    summary.new = len(pending) if options.build else len(todo) - summary.quarantined
    summary.files = [str(p) for p in pending]
    if options.build:
        imported.update(str(i) for i, p in stored.items() if p in pending)
    state.update({
        "imported": sorted(imported, key=int),
        "last_snapshot_date": (dates[-1].isoformat() if dates else last),
        "finished_at": fstate.now_utc(),
        "last_summary": {"new": summary.new, "unchanged": summary.unchanged, "quarantined": summary.quarantined},
    })
    if options.build:
        if pending:
            options.progress(Message.ngettext("DeepStateMap: importing {n} snapshot", "DeepStateMap: importing {n} "
                                              "snapshots", len(pending)), 0.95)
        licence = {"accepted_at": fstate.now_utc(), "licence": LICENCE_URL, "condition": LICENCE_CONDITION}
        report = commit(out, SOURCE, state, frontline_files=pending, licence=licence)
        summary.imported = report
        summary.messages.extend(report["notes"])
    fstate.save_state(out, SOURCE, state)
    options.progress(summary.line(), 1.0)
    return summary
