"""Event fusion on constructed cases: windows, precision, same-source duplicates, chains, headline rule."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from geo.filters import Filters, compute_kpis, filter_mask, prepare_columns
from geo.fusion import (
    DEFAULT_RULE,
    assign_events,
    describe_sources,
    event_members,
    event_source_entries,
    fuse_incidents,
    fusion_summary,
)
from tests.synthetic_data import make_incidents

LAT0, LON0 = 48.5, 35.0
KM_LAT = 1 / 110.574  # degrees of latitude per km near 48.5 N


def record(rid: str, source: str = "acled", *, km_north: float = 0.0, day: int = 0, event_type: str = "shelling",
           geo: str = "near", date_precision: str = "day", killed=None, injured=None, description: str | None = None,
           urls=(), source_id: str | None = None, targets=("residential",)) -> dict:
    """One canonical record ``km_north`` km north of a fixed point, ``day`` days after 2023-05-01."""
    return {
        "incident_id": f"{source}:{source_id or rid}",
        "source": source,
        "source_id": source_id or rid,
        "date": pd.Timestamp("2023-05-01") + pd.Timedelta(days=day),
        "date_precision": date_precision,
        "lon": LON0,
        "lat": LAT0 + km_north * KM_LAT,
        "geo_precision": geo,
        "location": "Testville",
        "target_types": list(targets),
        "weapons": ["unknown"],
        "event_type": event_type,
        "killed": killed,
        "injured": injured,
        "description": description or f"record {rid}",
        "source_urls": list(urls),
    }


def frame(*records: dict) -> pd.DataFrame:
    return make_incidents(records)


def events_of(*records: dict) -> list[set[str]]:
    """The events as sets of source_id, sorted for comparison."""
    out = assign_events(frame(*records))
    groups = out.groupby("event_id")["source_id"].agg(lambda s: frozenset(s))
    return sorted((set(g) for g in groups), key=lambda s: sorted(s))


@pytest.mark.parametrize(
    ("second", "linked"),
    [
        ({"km_north": 1.0}, True),
        ({"km_north": 4.9}, True),  # near: 5 km
        ({"km_north": 5.3}, False),
        ({"km_north": 1.0, "day": 1}, True),  # adjacent day
        ({"km_north": 1.0, "day": -1}, True),
        ({"km_north": 1.0, "day": 2}, False),
        ({"km_north": 1.5, "geo": "exact"}, True),  # max of the two tolerances (near 5 km)
        ({"km_north": 9.0, "geo": "area"}, True),  # area: 10 km
        ({"km_north": 11.0, "geo": "area"}, False),
        ({"km_north": 0.0, "geo": "region"}, False),  # too vague to link
        ({"km_north": 0.0, "geo": "unknown"}, False),
        ({"km_north": 0.0, "date_precision": "month"}, False),
        ({"km_north": 0.0, "event_type": "protest"}, False),  # incompatible types
        ({"km_north": 0.0, "event_type": "battle"}, False),
        ({"km_north": 0.0, "event_type": "attack_on_civilians"}, True),
        ({"km_north": 0.0, "event_type": "missile_strike"}, True),
    ],
)
def test_two_sources_link_only_inside_the_windows(second, linked):
    """An ACLED shelling and a UCDP record: one event exactly when day, distance, precision and type allow."""
    events = events_of(record("a", "acled"), record("b", "ucdp", **second))
    assert (len(events) == 1) is linked


def test_exact_points_use_the_exact_tolerance():
    """Two exactly located records 2.5 km apart stay apart (exact: 2 km); at 1.8 km they merge."""
    assert len(events_of(record("a", "curated", geo="exact"), record("b", "bellingcat", geo="exact", km_north=2.5))) == 2
    assert len(events_of(record("a", "curated", geo="exact"), record("b", "bellingcat", geo="exact", km_north=1.8))) == 1


def test_week_precision_matches_within_its_week():
    """A week-precise UCDP record (date = week start) matches an ACLED record 5 days later, not 9."""
    week = {"date_precision": "week"}
    assert len(events_of(record("a", "ucdp", **week), record("b", "acled", day=5))) == 1
    assert len(events_of(record("a", "ucdp", **week), record("b", "acled", day=9))) == 2
    assert len(events_of(record("b", "acled", day=5), record("a", "ucdp", **week))) == 1


def test_same_source_records_with_their_own_ids_stay_apart_unless_repeated():
    """Two ACLED events at the same town centroid on the same day are two events (ACLED says so),
    unless the publisher repeated itself: same day, same point, same text and URL."""
    assert len(events_of(record("a", "acled"), record("b", "acled"))) == 2
    assert len(events_of(record("a", "acled", description="Shelling of X", urls=["https://x.org/1"]),
                         record("b", "acled", description="shelling of x.", urls=["https://x.org/1"]))) == 1
    assert len(events_of(record("a", "ucdp", description="Shelling of X"), record("b", "ucdp", description="Shelling of X"))) == 2
    assert len(events_of(record("a", "acled", description="Shelling of X"),
                         record("b", "acled", description="Shelling of X", km_north=0.5))) == 2
    assert len(events_of(record("a", "acled", description="Shelling of X"),
                         record("b", "acled", description="Shelling of X", day=1))) == 2


def test_a_second_export_without_ids_merges_with_the_original():
    """A re-export without publisher ids (hash id) sharing the URL merges; one without shared text stays apart."""
    original = record("CIV1", "bellingcat", urls=["https://t.me/x/1"], description="Strike on a school")
    copy = record("c1", "bellingcat", source_id="sha1-aaaa", km_north=0.3, urls=["https://t.me/x/1"], description="other words")
    same_text = record("c2", "bellingcat", source_id="sha1-bbbb", km_north=0.5, description="Strike on a  SCHOOL!")
    unrelated = record("c3", "bellingcat", source_id="sha1-cccc", km_north=0.6, description="Shelling of a market")
    far_copy = record("c4", "bellingcat", source_id="sha1-dddd", km_north=1.5, urls=["https://t.me/x/1"])
    events = events_of(original, copy, same_text, unrelated, far_copy)
    assert {"CIV1", "sha1-aaaa", "sha1-bbbb"} in events
    assert {"sha1-cccc"} in events and {"sha1-dddd"} in events


def test_a_copy_never_joins_two_records_of_its_source():
    """A hash-id copy close to two distinct publisher records joins only its best match."""
    a = record("CIV1", "bellingcat", urls=["https://x.org/1"])
    b = record("CIV2", "bellingcat", km_north=0.4, urls=["https://x.org/1"])
    copy = record("c", "bellingcat", source_id="sha1-1", km_north=0.1, urls=["https://x.org/1"])
    events = events_of(a, b, copy)
    assert len(events) == 2
    assert {"CIV1", "sha1-1"} in events


def test_at_most_one_record_per_source_per_event():
    """One Bellingcat record between two ACLED events joins the nearer one only."""
    events = events_of(record("a1", "acled"), record("a2", "acled", km_north=3.0), record("b", "bellingcat", km_north=1.0))
    assert {"a1", "b"} in events and {"a2"} in events


def test_chains_do_not_grow_into_giant_events():
    """Records every 4 km along a line (near: 5 km windows), alternating sources, never make one long event."""
    sources = ["acled", "ucdp", "curated", "bellingcat", "generic"] * 4
    records = [record(f"r{i}", src, km_north=4.0 * i) for i, src in enumerate(sources)]
    out = assign_events(frame(*records))
    for _, members in out.groupby("event_id"):
        extent = (members["lat"].max() - members["lat"].min()) / KM_LAT
        assert extent <= DEFAULT_RULE.max_extent_factor * 5.0 + 1e-6
        assert not members["source"].duplicated().any()
    assert out["event_id"].nunique() > 1


def test_chains_in_time_are_bounded():
    """The same place reported on ten consecutive days by alternating sources never spans more than the bound."""
    records = [record(f"d{i}", ["acled", "ucdp", "generic"][i % 3], day=i) for i in range(10)]
    out = assign_events(frame(*records))
    spans = out.groupby("event_id")["date"].agg(lambda d: (d.max() - d.min()).days)
    assert spans.max() <= DEFAULT_RULE.max_span_days
    assert (out.groupby("event_id")["source"].agg(lambda s: s.duplicated().any()) == False).all()  # noqa: E712


def test_headline_is_the_most_authoritative_source_that_reports_a_figure():
    """curated 5 killed, UCDP 7, Bellingcat none: the headline is curated's; the range is 5-7."""
    out = assign_events(frame(record("b", "bellingcat"), record("u", "ucdp", killed=7), record("c", "curated", killed=5, injured=2)))
    assert out["event_id"].nunique() == 1
    head = out[out["event_head"]]
    assert head["source"].tolist() == ["curated"]
    assert (out["event_killed_min"] == 5).all() and (out["event_killed_max"] == 7).all()
    assert (out["event_size"] == 3).all()
    assert set(out["event_sources"]) == {"bellingcat,curated,ucdp"}


def test_headline_falls_back_to_a_source_that_reports():
    """curated without a figure, ACLED with 3: the headline record is ACLED's."""
    out = assign_events(frame(record("c", "curated"), record("a", "acled", killed=3)))
    assert out.loc[out["event_head"], "source"].tolist() == ["acled"]
    assert out["event_injured_min"].isna().all()


def test_event_id_is_stable_under_reordering():
    """The event id is the smallest incident id of the event, whatever the row order."""
    records = [record("a", "acled"), record("b", "ucdp", km_north=1.0), record("c", "curated", km_north=30.0)]
    one = assign_events(frame(*records)).set_index("incident_id")["event_id"]
    two = assign_events(frame(*records[::-1])).set_index("incident_id")["event_id"]
    assert one.sort_index().equals(two.sort_index())
    assert one["ucdp:b"] == "acled:a"


def test_records_without_coordinates_or_dates_stay_alone():
    bad = record("x", "ucdp")
    bad["lat"] = math.nan
    events = events_of(record("a", "acled"), bad)
    assert len(events) == 2


def test_empty_table():
    out = assign_events(frame())
    assert out.empty and "event_id" in out.columns
    assert fusion_summary(out)["events"] == 0


def test_counting_events_and_records():
    """Events mode counts each event once (by its headline record); records mode counts every row."""
    table = fuse_incidents(frame(record("c", "curated", killed=5), record("u", "ucdp", killed=7, km_north=1.0),
                                 record("z", "acled", km_north=40.0, killed=1)))
    cols = prepare_columns(table)
    everything = Filters(categories=())
    events = filter_mask(cols, everything)
    records = filter_mask(cols, everything.replace(count_by="records"))
    assert events.sum() == 2 and records.sum() == 3
    # In the default civilian-harm scope the UCDP shelling without civilian deaths is out as a
    # record, but its event is in through the curated record.
    assert filter_mask(cols, Filters(count_by="records")).sum() == 2
    assert filter_mask(cols, Filters()).sum() == 2
    kpis = compute_kpis(cols, events)
    assert kpis["killed"] == 6  # headline 5 (curated) + 1, not 5 + 7 + 1
    assert kpis["records"] == 3 and kpis["events_total"] == 2
    # A casualty threshold applies to the headline: killed >= 6 keeps no event in events mode,
    # but the UCDP record (7) in records mode.
    assert filter_mask(cols, everything.replace(killed_min=6)).sum() == 0
    assert filter_mask(cols, everything.replace(killed_min=6, count_by="records")).sum() == 1


def test_an_event_passes_when_any_record_passes():
    """Filtering by source keeps the event of a matching record, shown once by its headline record."""
    table = fuse_incidents(frame(record("c", "curated", killed=5), record("b", "bellingcat", km_north=0.5)))
    cols = prepare_columns(table)
    mask = filter_mask(cols, Filters(sources=("bellingcat",)))
    assert mask.sum() == 1
    assert table.loc[mask, "source"].tolist() == ["curated"]


def test_popup_source_entries_list_every_record():
    table = fuse_incidents(frame(record("c", "curated", killed=5, urls=["https://a.org/x"]),
                                 record("u", "ucdp", killed=7, km_north=1.0), record("b", "bellingcat", km_north=0.5)))
    table["casualty_note"] = pd.array(["HRW: 5 killed", None, None], dtype="string")
    cols = prepare_columns(table)
    head = int(np.flatnonzero(table["event_head"].to_numpy(dtype=bool))[0])
    entries = event_source_entries(table, np.array([head]), cols.event_code)
    assert [e[0] for e in entries[0]] == ["curated", "ucdp", "bellingcat"]
    assert entries[0][0][1] == 5 and entries[0][0][4] == ["https://a.org/x"] and entries[0][0][5] == "HRW: 5 killed"
    assert entries[0][2][1] is None
    assert describe_sources(entries[0]) == "seen in 3 datasets: curated, UCDP, Bellingcat"
    members = event_members(table, table["event_id"].iat[0])
    assert members["source"].tolist() == ["curated", "ucdp", "bellingcat"]
