"""The dated account audit over a small hand-made store, on SQLite and PostgreSQL.

The store functions (own posts, followers, inbox times, mentions that asked) and
:func:`run_audit` are checked against figures worked out by hand in
tests/audit/world.py; the stored report is read back and the history grows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from hubbub.audit.report import AuditError, run_audit
from hubbub.model import Workspace
from hubbub.store import Store
from hubbub.store import audit as store_audit
from tests.audit.world import EXPECTED, NOW, PREVIOUS, WORKSPACE, fill


def test_own_posts_are_the_business_handles_in_the_window(store: Store) -> None:
    ws_id = fill(store)
    with store.connect() as conn:
        found = store_audit.own_posts(
            conn, ws_id, {"x": "@LarkspurBakes"}, NOW - timedelta(days=30), NOW
        )
        none = store_audit.own_posts(conn, ws_id, {}, NOW - timedelta(days=30), NOW)
    assert [p.native_id for p in found] == ["p1", "p2", "p3", "p4"]
    assert none == []
    p1 = found[0]
    assert p1.urls == ("https://larkspurbakery.com/menu",)
    assert (p1.likes, p1.reposts) == (10, 2)
    assert set(p1.intents) == {"spam_promo", "question"}
    assert found[1].reply_to == "q1" and found[2].repost_of == "n1"


def test_followers_inbox_and_asked_mentions(store: Store) -> None:
    ws_id = fill(store)
    since = NOW - timedelta(days=30)
    with store.connect() as conn:
        everyone = store_audit.follower_accounts(conn, ws_id)
        before = store_audit.follower_count(conn, ws_id, since)
        inbox = store_audit.inbox_times(conn, ws_id, since, NOW)
        asked = store_audit.mentions_needing_reply(conn, ws_id, WORKSPACE.handles, since, NOW)
    assert sorted(f.account.id for f in everyone) == ["f1", "r1", "r2"]
    assert before == 2
    assert sorted((i.state, i.first_response is not None) for i in inbox) == [
        ("new", False),
        ("replied", True),
    ]
    answered = sorted((a.created.day, a.answered is not None) for a in asked)
    assert answered == [(10, True), (12, False)]
    q1 = next(a for a in asked if a.answered)
    assert q1.answered - q1.created == timedelta(hours=2)


def test_run_audit_figures_match_the_hand_count_and_are_stored(store: Store) -> None:
    ws_id = fill(store)
    report = run_audit(store, WORKSPACE, now=NOW, days=30, crawl=False)
    figures = report.figures.to_json()
    for name, value in EXPECTED.items():
        assert figures[name] == value, name
    previous = report.previous.to_json()
    for name, value in PREVIOUS.items():
        assert previous[name] == value, name
    changes = report.to_json()["figures"]["changes"]
    assert changes["posts"] == 3
    assert changes["followers"] == 1
    assert changes["voice_conversation"] == 0.5
    assert report.id is not None

    with store.connect() as conn:
        stored = store_audit.latest_report(conn, ws_id)
    assert stored is not None and stored.id == report.id
    assert stored.created == NOW and stored.window == 30
    assert stored.figures["account"]["posts"] == 4
    assert stored.figures["target_mix"] == {"promotion": 0.2, "conversation": 0.5, "sharing": 0.3}
    levels = {r["figure"]: r["level"] for r in stored.recommendations}
    assert levels["share_questionable"] == "bad"  # 33% >= 30%
    assert levels["inbox_answered_share"] == "warn"  # 50%: not below 50%, below 80%
    assert levels["median_reply_hours"] == "good"  # 2 h within the 4 h target
    assert levels["posts_per_week"] == "warn"  # under three a week
    assert levels["longest_silence_days"] == "warn"  # 11 days > 7


def test_the_profile_link_counts_as_the_business_own_site(store: Store) -> None:
    ws_id = fill(store)
    with store.connect() as conn:
        assert store_audit.own_profile_urls(conn, WORKSPACE.handles) == [
            "https://larkspurbakery.com/"
        ]
        assert store_audit.own_profile_urls(conn, {"x": "someone_else"}) == []
    # without a website in hubbub.toml, p1's link is still the business's own: promotion
    bare = replace(WORKSPACE, website="")
    report = run_audit(store, bare, now=NOW, crawl=False, save=False)
    assert report.figures.voice_counts == EXPECTED["voice_counts"]
    assert report.id is None
    with store.connect() as conn:
        assert store_audit.latest_report(conn, ws_id) is None


def test_history_grows_oldest_first(store: Store) -> None:
    ws_id = fill(store)
    for days_ago in (14, 7, 0):
        run_audit(store, WORKSPACE, now=NOW - timedelta(days=days_ago), crawl=False)
    with store.connect() as conn:
        history = store_audit.report_history(conn, ws_id)
        latest = store_audit.latest_report(conn, ws_id)
        two = store_audit.report_history(conn, ws_id, limit=2)
    assert [h.created for h in history] == [NOW - timedelta(days=d) for d in (14, 7, 0)]
    assert latest is not None and latest.created == NOW
    assert [h.created for h in two] == [NOW - timedelta(days=7), NOW]


def test_an_unknown_workspace_or_bad_window_is_an_audit_error(store: Store) -> None:
    with pytest.raises(AuditError, match="not in the store"):
        run_audit(store, Workspace(slug="nobody", name="Nobody"), now=NOW, crawl=False)
    with pytest.raises(AuditError, match="at least 1"):
        run_audit(store, WORKSPACE, now=NOW, days=0, crawl=False)
    with store.connect() as conn:
        assert store_audit.latest_report(conn, 1) is None
