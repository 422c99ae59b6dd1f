"""Social Mention's four figures per stream, and topics against the previous window."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from hubbub.insight.summary import AuthorTally, summarise
from hubbub.insight.topics import topics
from hubbub.model import Batch, What
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.summary import stream_reports
from tests.store.helpers import make_post, make_workspace, match_streams, pg_url, store

__all__ = ["pg_url", "store"]


def test_summary_figures() -> None:
    tallies = [
        AuthorTally(mentions=3, positive=2, negative=1, recent=1),
        AuthorTally(mentions=1, positive=1, negative=0, recent=1),
        AuthorTally(mentions=2, positive=0, negative=1, recent=0),
        AuthorTally(mentions=4, positive=3, negative=0, recent=2),
    ]
    s = summarise("Brand", tallies)
    assert (s.mentions, s.recent, s.authors) == (10, 4, 4)
    assert s.strength == pytest.approx(0.4) and s.per_hour == pytest.approx(4 / 24)
    assert s.sentiment_ratio == pytest.approx(6 / 2) and s.sentiment_text == "3.0:1"
    assert s.passion == pytest.approx(3 / 4)  # three of four authors came back
    assert s.reach == pytest.approx(4 / 10)


def test_summary_empty_and_edge_cases() -> None:
    empty = summarise("Quiet", [])
    assert (empty.mentions, empty.strength, empty.passion, empty.reach) == (0, 0.0, 0.0, 0.0)
    assert empty.sentiment_ratio is None and empty.sentiment_text == "–"
    only_pos = summarise("Nice", [AuthorTally(2, positive=2)])
    assert only_pos.sentiment_ratio is None and only_pos.sentiment_text == "2:0"
    with pytest.raises(ValueError, match="recent_hours"):
        summarise("x", [], recent_hours=0)


def test_topics_rank_what_is_new_over_what_is_always_said() -> None:
    previous = [("larkspur", "sourdough")] * 8 + [("larkspur", "croissant")] * 2
    current = (
        [("larkspur", "power outage")] * 5
        + [("larkspur", "sourdough")] * 4
        + [("larkspur", "croissant")] * 3
        + [("larkspur", "one-off")]
    )
    got = topics(current, previous, limit=10)
    n_cur, n_prev = len(current), len(previous)

    def score(count: int, prev: int) -> float:
        return round(count / n_cur * math.log((n_prev + 2) / (prev + 1)), 6)

    assert [t.phrase for t in got] == ["power outage", "croissant", "sourdough", "larkspur"]
    assert got[0].score == score(5, 0) and got[0].previous == 0 and got[0].change is None
    assert got[1].score == score(3, 2) and got[1].change == pytest.approx(0.5)
    assert got[-1].score == score(13, 10)  # said every time: last
    assert "one-off" not in [t.phrase for t in got]  # one mention is no topic
    assert topics([], previous) == []
    # no previous window: plain frequency
    assert [t.phrase for t in topics(current, [], limit=2)] == ["larkspur", "power outage"]


def test_stream_reports_from_the_store(store: Store) -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    ws = make_workspace()
    posts = [
        replace(make_post(i, "larkspur bakery"), created=now - timedelta(hours=2 + 20 * i))
        for i in range(12)
    ]
    found = match_streams(posts, ws)
    phrases = ["power outage"] * 3 + ["bread"] * 9
    found = [
        replace(m, insight=replace(m.insight, what=What(key_phrases=(p,), hashtags=("AVL",))))
        for m, p in zip(found, phrases, strict=True)
    ]
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), found)
    with store.connect() as conn:
        reports = {r.summary.stream: r for r in stream_reports(conn, ws_id, now, days=7)}
    brand = reports["Larkspur Bakery"]
    in_week = [p for p in posts if p.created >= now - timedelta(days=7)]
    recent = [p for p in posts if p.created >= now - timedelta(hours=24)]
    authors = {p.author.id for p in in_week}
    assert brand.summary.mentions == len(in_week) and brand.summary.recent == len(recent)
    assert brand.summary.authors == len(authors)
    assert brand.summary.positive == len(in_week)  # match_streams scores every one positive
    # new this week first; then #avl (in all 9 now, 3 of 3 before) over bread (6 now, 3 before)
    assert [t.phrase for t in brand.topics] == ["power outage", "#avl", "bread"]
    assert brand.topics[0].previous == 0 and brand.topics[2].previous == 3
    assert reports["Asheville"].summary.mentions == 0
    with pytest.raises(ValueError, match="days"):
        stream_reports(conn, ws_id, now, days=0)
