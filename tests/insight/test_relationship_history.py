"""Customer and fan from an author's history of mentions; the store query that reads it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from hubbub.insight.who import FAN_DAYS, PastMention, relationship_from_history
from hubbub.listen import ingest
from hubbub.model import Batch, Sentiment, Why
from hubbub.pipeline import process
from hubbub.relationships import remembering
from hubbub.store import Store, upsert_workspace, workspace_id, write_batch
from hubbub.store.history import author_history
from hubbub.store.tables import mentions
from tests.query.util import make_post as plain_post
from tests.store.helpers import (
    make_account,
    make_post,
    make_workspace,
    match_streams,
    pg_url,
    store,
)
from tests.test_pipeline import WS

__all__ = ["pg_url", "store"]

NOW = datetime(2026, 3, 10, 12, tzinfo=UTC)


def past(days_ago: float, label: str = "neutral", *intents: str) -> PastMention:
    return PastMention(NOW - timedelta(days=days_ago), label, intents)  # type: ignore[arg-type]


def test_fan_needs_three_positive_within_the_window() -> None:
    now_pos = past(0, "positive")
    assert relationship_from_history([past(10, "positive"), past(20, "positive")], now_pos) == "fan"
    assert relationship_from_history([past(10, "positive")], now_pos) is None
    # one of the three is older than the window
    old = FAN_DAYS + 1
    assert relationship_from_history([past(10, "positive"), past(old, "positive")], now_pos) is None
    # three earlier positives make a fan even when today's post is a complaint
    earlier = [past(d, "positive") for d in (5, 6, 7)]
    assert relationship_from_history(earlier, past(0, "negative", "complaint")) == "fan"


def test_customer_is_intent_then_praise_in_that_order() -> None:
    asked = past(30, "neutral", "purchase_intent")
    assert relationship_from_history([asked], past(0, "positive", "praise")) == "customer"
    assert relationship_from_history([asked], past(0, "neutral", "praise")) == "customer"
    # praise first, buying later: not (yet) a customer
    assert (
        relationship_from_history(
            [past(30, "positive", "praise")], past(0, "neutral", "purchase_intent")
        )
        is None
    )
    # the intent and nothing liked since
    assert relationship_from_history([asked], past(0, "negative", "complaint")) is None
    # a later mention in the history already liked it; customer beats fan
    liked = [
        past(40, "neutral", "recommendation_request"),
        past(20, "positive"),
        past(10, "positive"),
    ]
    assert relationship_from_history(liked, past(0, "positive")) == "customer"


def test_future_or_same_moment_items_are_ignored() -> None:
    later = [past(-1, "positive"), past(-2, "positive"), past(0, "positive")]
    assert relationship_from_history(later, past(0, "positive")) is None


def test_process_uses_history_only_for_new_authors() -> None:
    post = plain_post("Larkspur Bakery sourdough is the best, love it!", handle="fan1")
    post = replace(post, created=NOW)
    history = {(post.network, post.author.id): [past(5, "positive"), past(9, "positive")]}
    without = process([post], WS)
    with_history = process([post], WS, history)
    if not without:  # the test workspace's streams must match this text
        raise AssertionError("the post matched no stream of tests.test_pipeline.WS")
    assert without[0].insight.who.relationship == "new"
    assert with_history[0].insight.sentiment.label == "positive"
    assert with_history[0].insight.who.relationship == "fan"


def test_author_history_reads_the_workspaces_mentions(store: Store) -> None:
    ws = make_workspace()
    a, b = make_account(1), make_account(2)
    posts = [
        replace(
            make_post(i, "larkspur bakery", author=a if i < 3 else b),
            created=NOW - timedelta(days=10 - i),
        )
        for i in range(5)
    ]
    found = match_streams(posts, ws)
    found[0] = replace(
        found[0],
        insight=replace(
            found[0].insight, sentiment=Sentiment("negative", -0.5), why=Why(("purchase_intent",))
        ),
    )
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), found)
        other = upsert_workspace(conn, make_workspace("other"))
    with store.connect() as conn:
        got = author_history(conn, ws_id, [("x", a.id), ("x", b.id), ("x", "nobody")], NOW)
        assert author_history(conn, other, [("x", a.id)], NOW) == {}
        before = author_history(conn, ws_id, [("x", a.id)], NOW - timedelta(days=9, hours=12))
    assert [p.created for p in got[("x", a.id)]] == [p.created for p in posts[:3]]
    assert got[("x", a.id)][0].sentiment == "negative"
    assert got[("x", a.id)][0].intents == ("purchase_intent",)
    assert len(got[("x", b.id)]) == 2 and ("x", "nobody") not in got
    assert len(before[("x", a.id)]) == 1  # only what came before ``now``


class _Days:
    """One batch a day: the same author praising the bakery, then a stranger."""

    name = "days"

    def __init__(self, author_posts: list[tuple[int, str]]) -> None:
        fan = make_account(1)
        self.all = [
            Batch(
                "days",
                [replace(make_post(i, text, author=fan), created=NOW - timedelta(days=days_ago))],
                str(i + 1),
            )
            for i, (days_ago, text) in enumerate(author_posts)
        ]

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        yield from self.all[int(cursor or 0) :]


def test_ingest_with_remembering_makes_a_fan_and_a_customer(store: Store) -> None:
    ws = make_workspace()
    source = _Days(
        [
            (30, "Do you sell gift cards at Larkspur Bakery? want to buy one"),
            (20, "I love Larkspur Bakery, the croissants are amazing!"),
            (10, "Larkspur Bakery never disappoints, best sourdough in town!"),
            (5, "So happy with my cake from Larkspur Bakery, thank you!"),
        ]
    )
    ingest(store, ws, source, processor=remembering(store))
    with store.connect() as conn:
        ws_id = workspace_id(conn, ws.slug)
        assert ws_id is not None
        rows = conn.execute(
            select(mentions.c.created, mentions.c.relationship, mentions.c.sentiment_label)
            .where(mentions.c.workspace_id == ws_id)
            .order_by(mentions.c.created)
        ).all()
    assert [r.sentiment_label for r in rows][1:] == ["positive"] * 3
    # first: new; then the purchase question followed by praise: customer (beats fan)
    assert [r.relationship for r in rows] == ["new", "customer", "customer", "customer"]
    # without the history processor nobody is more than new
    plain = _Days([(20, "I love Larkspur Bakery!"), (10, "Larkspur Bakery is the best!")])
    other = make_workspace("plain")
    ingest(store, other, plain)
    with store.connect() as conn:
        other_id = workspace_id(conn, "plain")
        got = (
            conn.execute(select(mentions.c.relationship).where(mentions.c.workspace_id == other_id))
            .scalars()
            .all()
        )
    assert set(got) == {"new"}
