"""A small hand-made store for the account audit, and the figures it must give.

The audit runs at ``NOW`` (2025-03-31 12:00 UTC) over 30 days, so the window is
[Mar 1 12:00, Mar 31 12:00) and the one before it [Jan 30 12:00, Mar 1 12:00).
Everything the tests expect is worked out by hand in :data:`EXPECTED` from the
posts below, not by calling the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update

from hubbub.model import (
    Account,
    Batch,
    Entities,
    Insight,
    Mention,
    Metrics,
    Post,
    Sentiment,
    Span,
    Stream,
    Why,
    Workspace,
)
from hubbub.store import Store, upsert_workspace, workspace_id, write_batch
from hubbub.store.tables import accounts, followers, inbox_items, mentions, posts

__all__ = ["EXPECTED", "NOW", "PREVIOUS", "WORKSPACE", "fill"]

NOW = datetime(2025, 3, 31, 12, 0, tzinfo=UTC)
WORKSPACE = Workspace(
    slug="larkspur",
    name="Larkspur Bakery",
    handles={"x": "larkspurbakes"},
    website="https://larkspurbakery.com",
    timezone="America/New_York",
    products=("sourdough", "croissant"),
    streams=(Stream("Larkspur Bakery", "larkspur OR larkspurbakes", "brand"),),
    response_target_hours=4.0,
)

BIZ = Account(
    "x",
    "b1",
    "larkspurbakes",
    "Larkspur Bakery",
    url="https://larkspurbakery.com/",
    followers=3,
    following=10,
    posts=50,
)


def _person(i: int) -> Account:
    return Account(
        "x",
        f"r{i}",
        f"jane_doe{i}",
        name="Jane Doe",
        bio="Mum of two, baker at heart, Asheville NC. Coffee first.",
        location="Asheville, NC",
        url="https://janedoe.blog",
        followers=300 + i,
        following=280,
        posts=5400,
        listed=3,
        created=NOW - timedelta(days=3000),
        verified=False,
        default_avatar=False,
        default_profile=False,
    )


FAKE = Account(
    "x",
    "f1",
    "user84726390",
    followers=0,
    following=4999,
    posts=0,
    listed=0,
    created=NOW - timedelta(days=20),
    verified=False,
    default_avatar=True,
    default_profile=True,
)
CUSTOMER = _person(1)


def _at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2025, month, day, hour, 0, tzinfo=UTC)


def _post(
    pid: str, author: Account, text: str, when: datetime, likes: int = 0, **kw: object
) -> Post:
    urls = tuple(
        Span(word, text.index(word), text.index(word) + len(word))
        for word in text.split()
        if word.startswith("http")
    )
    return Post(
        "x",
        pid,
        author,
        text,
        when,
        entities=Entities(urls=urls),
        metrics=Metrics(likes=likes, reposts=kw.pop("reposts", 0), replies=kw.pop("replies", 0)),  # type: ignore[arg-type]
        **kw,  # type: ignore[arg-type]
    )


# the business's own posts
P0 = _post("p0", BIZ, "Our sourdough is back", _at(2, 20), likes=4)  # previous window: promotion
P1 = _post(
    "p1", BIZ, "39% off croissant today https://larkspurbakery.com/menu", _at(3, 5), 10, reposts=2
)  # promotion (own link, % off)
Q1 = _post("q1", CUSTOMER, "@larkspurbakes do you have gluten-free bread?", _at(3, 10))
P2 = _post(
    "p2",
    BIZ,
    "@jane_doe1 Yes, every Saturday!",
    _at(3, 10, 14),
    1,
    reply_to="q1",
    reply_to_handle="jane_doe1",
)  # conversation: a reply, 2 h after the question
P3 = _post("p3", BIZ, "RT @avlnews: market opens", _at(3, 15), repost_of="n1")  # sharing
P4 = _post(
    "p4", BIZ, "Who's coming to the market on Saturday?", _at(3, 20), 3, replies=2
)  # conversation: a question
Q2 = _post("q2", CUSTOMER, "@larkspurbakes my order was cold and late", _at(3, 12))  # complaint
Q3 = _post("q3", _person(2), "larkspur is lovely", _at(3, 14))  # praise: needs no answer


def _mention(post: Post, *intents: str) -> Mention:
    insight = Insight(why=Why(intents=intents), sentiment=Sentiment("neutral", 0.0))  # type: ignore[arg-type]
    return Mention(WORKSPACE.slug, post, ("Larkspur Bakery",), insight)


def fill(store: Store) -> int:
    """Write the world into ``store``; returns the workspace id."""
    own = [P0, P1, P2, P3, P4]
    with store.begin() as conn:
        upsert_workspace(conn, WORKSPACE)
        ws_id = workspace_id(conn, WORKSPACE.slug)
        assert ws_id is not None
        batch = Batch("test", [*own, Q1, Q2, Q3], "c1", followers=[_person(1), _person(2), FAKE])
        found = [
            _mention(Q1, "question"),
            _mention(Q2, "complaint"),
            _mention(Q3, "praise"),
            _mention(P1, "spam_promo", "question"),  # the business's own: never "asked"
        ]
        write_batch(conn, ws_id, batch, found)
        # followers: two seen since February, the questionable one only since Mar 20
        conn.execute(update(followers).values(first_seen=_at(2, 1)))
        fake_id = conn.execute(
            select(accounts.c.id).where(accounts.c.native_id == FAKE.id)
        ).scalar_one()
        conn.execute(
            update(followers).where(followers.c.account_id == fake_id).values(first_seen=_at(3, 20))
        )
        ids = {
            native: mid
            for native, mid in conn.execute(
                posts.join(mentions, mentions.c.post_id == posts.c.id)
                .select()
                .with_only_columns(posts.c.native_id, mentions.c.id)
            )
        }
        for native, created, first, state in (
            ("q1", Q1.created, Q1.created + timedelta(hours=3), "replied"),
            ("q2", Q2.created, None, "new"),
        ):
            conn.execute(
                insert(inbox_items).values(
                    workspace_id=ws_id,
                    mention_id=ids[native],
                    state=state,
                    priority=1.0,
                    reason="question",
                    created=created,
                    triaged=created,
                    first_response=first,
                    updated=created,
                )
            )
    return ws_id


#: worked out by hand from the posts above (see the comments beside each)
EXPECTED = {
    "followers": 3,
    "followers_authentic": 2,
    "followers_questionable": 1,
    "share_questionable": round(1 / 3, 4),
    "posts": 4,  # p1-p4
    "voice_counts": {"promotion": 1, "conversation": 2, "sharing": 1},
    "voice_mix": {"promotion": 0.25, "conversation": 0.5, "sharing": 0.25},
    "engagement": 18,  # p1 10+2, p2 1, p3 0, p4 3+2
    "engagement_per_post": 4.5,
    "engagement_per_authentic_follower": 9.0,
    "inbox_items": 2,
    "inbox_answered": 1,
    "inbox_answered_share": 0.5,
    "median_response_hours": 3.0,
    "asked": 2,  # q1 question, q2 complaint (p1 is the business's own)
    "asked_answered": 1,
    "asked_answered_share": 0.5,
    "median_reply_hours": 2.0,
    "posts_per_week": round(4 / (30 / 7), 2),
    "longest_silence_days": 11.0,  # Mar 20 12:00 to Mar 31 12:00
    # New York: p1 07:00 EST; p2 10:00, p3 08:00, p4 08:00 EDT (DST from Mar 9)
    "busiest_hours": [8, 7, 10],
}
PREVIOUS = {
    "followers": 2,
    "followers_authentic": 2,
    "followers_questionable": 0,
    "posts": 1,
    "voice_counts": {"promotion": 1, "conversation": 0, "sharing": 0},
    "engagement": 4,
}
