"""Event fusion on the real files in ../shared/data: counts before/after, precision and recall.

The labelled pairs are in tests/data/fusion_labels.csv (ids and labels only); the figures
asserted here are the ones measured and reported in docs/FUSION.md, minus a small margin so
an improvement never fails and a regression does.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from geo.fusion import fusion_summary
from geo.fusion_validation import LABELS, REAL_FILES, build_real_table, score_labels, shared_url_pairs

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"

pytestmark = pytest.mark.skipif(
    not all((DATA / name).exists() for name in REAL_FILES), reason="../shared/data is not available"
)


@pytest.fixture(scope="module")
def fused() -> pd.DataFrame:
    """The five real files plus the curated file, merged by id and fused."""
    return build_real_table(DATA)


@pytest.fixture(scope="module")
def labels() -> pd.DataFrame:
    return pd.read_csv(LABELS, dtype=str, comment="#")


@pytest.fixture(scope="module")
def scores(fused, labels) -> pd.DataFrame:
    return score_labels(fused, labels)


def test_cross_source_url_labels_follow_the_citations(fused, labels):
    """The shared-URL cross-source sample is exactly the Bellingcat/curated pairs that share a URL today.

    A curated row may only cite pages the project read (issue 19), so the audit removes links;
    a pair whose shared link is gone is no longer labelled by it, and a pair a new citation
    creates is added (unless a person already labelled it, basis hand_checked).
    """
    derived = shared_url_pairs(fused)
    cross = derived[(derived["source_a"] == "bellingcat") & (derived["source_b"] == "curated")]
    other = labels[labels["basis"] != "shared_url_cross"]
    elsewhere = set(zip(other["a"], other["b"], strict=True)) | set(zip(other["b"], other["a"], strict=True))
    expected = {pair for pair in zip(cross["a"], cross["b"], strict=True) if pair not in elsewhere}
    listed = labels[labels["basis"] == "shared_url_cross"]
    assert set(zip(listed["a"], listed["b"], strict=True)) == expected


def test_labelled_pairs_refer_to_real_records(scores):
    """The third-party files never change; curated rows may be renamed or withdrawn by the audit
    (issue 19), so a few pairs with a curated id may disappear, never many."""
    assert (scores["found"] >= 0.95 * scores["pairs"]).all()
    assert scores.loc["far_apart", "found"] == scores.loc["far_apart", "pairs"]
    assert scores.loc["shared_url_same_source", "found"] == scores.loc["shared_url_same_source", "pairs"]


def test_precision_and_recall_stay_above_the_measured_figures(scores):
    """Measured (docs/FUSION.md): hand-checked precision 1.000 / recall 0.867; cross-source URL recall 0.917 (11 of 12 pairs).

    The cross-source URL sample was 52 pairs (recall 0.962) until the curated audit removed the links
    the project had never read (2026-12-03): 41 pairs lost their shared link. On the 12 pairs left one
    miss is 0.917 and a second would be 0.833, so the bound sits just under the measured value.
    """
    hand, cross, far = scores.loc["hand_checked"], scores.loc["shared_url_cross"], scores.loc["far_apart"]
    assert hand["precision"] >= 0.95 and hand["recall"] >= 0.85
    assert cross["recall"] >= 0.91 and cross["fp"] == 0
    assert far["fp"] == 0 and far["tn"] == far["found"]
    assert scores.loc["all", "precision"] >= 0.99 and scores.loc["all", "recall"] >= 0.97


def test_no_bellingcat_incident_is_counted_twice(fused):
    """The reduced JSON repeats 1,555 rows of the CSV; each repeat joins its original's event.

    A Bellingcat event holds two records that Bellingcat gave different ids only when
    Bellingcat repeated itself (same day, same point, same text), and every reduced row lying
    on the same day within ~500 m of a CSV row with the same description is in the event of
    such a row.
    """
    bell = fused[fused["source"] == "bellingcat"]
    published = bell[~bell["source_id"].str.startswith("sha1-")]
    copies = bell[bell["source_id"].str.startswith("sha1-")]
    repeated = published[published.duplicated("event_id", keep=False)]
    assert len(repeated) <= 20
    for _, group in repeated.groupby("event_id"):
        assert group["date"].nunique() == 1 and group["description"].str.lower().nunique() == 1
    linked = copies["event_id"].isin(set(published["event_id"]))
    assert linked.sum() >= 1545
    pairs = copies.reset_index().merge(published.reset_index(), on="date", suffixes=("_c", "_p"))
    same_text = pairs["description_c"].str.lower().str.strip() == pairs["description_p"].str.lower().str.strip()
    close = (abs(pairs["lat_c"] - pairs["lat_p"]) < 0.005) & (abs(pairs["lon_c"] - pairs["lon_p"]) < 0.007)
    duplicates = pairs[same_text & close]
    assert len(duplicates) > 1400
    # A copy near two look-alike published records joins one of them, never neither.
    joined = (duplicates["event_id_c"] == duplicates["event_id_p"]).groupby(duplicates["incident_id_c"]).any()
    assert joined.all()


def test_counts_before_and_after_fusion(fused):
    """Documented in docs/FUSION.md: records, events, and events seen in several sources."""
    summary = fusion_summary(fused)
    assert summary["records"] == len(fused) > 8000
    assert 6200 <= summary["events"] <= 6600
    # 176 measured with the 232-row curated file (193 before the audit withdrew 18 Bellingcat-based rows).
    assert summary["multi_source_events"] >= 170
    heads = fused[fused["event_head"].fillna(False)]
    assert len(heads) == summary["events"]
