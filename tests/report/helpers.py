"""A small store for the report's tests, and its figures computed by hand from the specs.

:func:`fill` writes :data:`SPECS` (seeded, so every run is the same) into a store:
mentions spread over the report's window (Nov 1-7 2026 in New York, across the end of
daylight saving time on Nov 1) and the week before, inbox items for some, and audit
reports dated inside and outside the window. The expected figures are computed from
the specs in plain Python, never through the code under test.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from hubbub.model import (
    Account,
    Batch,
    Extent,
    Insight,
    Mention,
    Post,
    Sentiment,
    Stream,
    What,
    Where,
    Who,
    Why,
    Workspace,
)
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.audit import save_report
from hubbub.store.tables import inbox_items, mentions, posts

TZ = "America/New_York"
FIRST, LAST = date(2026, 11, 1), date(2026, 11, 7)
SINCE = datetime(2026, 11, 1, 4, 0, tzinfo=UTC)  # midnight EDT
UNTIL = datetime(2026, 11, 8, 5, 0, tzinfo=UTC)  # midnight EST, after the clocks went back
PREV_SINCE = datetime(2026, 10, 25, 4, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 9, 15, 0, tzinfo=UTC)

BRAND, FLOUR, CRUST, LOCAL = "Larkspur Bakery", "Flour Child Bakehouse", "Mountain Crust", "AVL"
STREAMS = (
    Stream(BRAND, '"Larkspur Bakery" OR @larkspurbakes', "brand"),
    Stream(FLOUR, '"Flour Child Bakehouse"', "competitor"),
    Stream(CRUST, '"Mountain Crust"', "competitor"),
    Stream(LOCAL, "asheville OR avl", "locale"),
)
AUTHORS = (
    Account("x", "1", "annbakes", "Ann", followers=5000),
    Account("x", "2", "bo_avl", "Bo", followers=200),
    Account("mastodon", "3", "cy@mastodon.social", "Cy", followers=50),
    Account("bluesky", "4", "di.bsky.social", "Di", followers=900),
    Account("x", "5", "eve", "Eve", followers=12),
)
RELATIONSHIPS = ("customer", "fan", "new", "new", "customer")
LABELS = ("positive", "neutral", "negative")
INTENTS = (("question",), ("praise",), ("complaint",), (), ("praise", "question"))
TAGS = ("sourdough", "avl", "")


@dataclass(frozen=True)
class Spec:
    n: int
    created: datetime
    streams: tuple[str, ...]
    sentiment: str
    author: int
    engagement: int
    intents: tuple[str, ...]
    hashtag: str
    in_locale: bool | None


def _specs() -> tuple[Spec, ...]:
    rng = random.Random(20261101)
    out = []
    start = PREV_SINCE - timedelta(days=2)
    for n in range(90):
        created = start + timedelta(minutes=rng.randrange(0, 17 * 24 * 60))
        streams = tuple(
            s.name for s in STREAMS if rng.random() < (0.6 if s.kind == "brand" else 0.3)
        ) or (LOCAL,)
        out.append(
            Spec(
                n=n,
                created=created,
                streams=streams,
                sentiment=rng.choice(LABELS),
                author=rng.randrange(len(AUTHORS)),
                engagement=rng.randrange(0, 30),
                intents=rng.choice(INTENTS),
                hashtag=rng.choice(TAGS),
                in_locale=rng.choice((True, False, None)),
            )
        )
    return tuple(out)


SPECS = _specs()


def workspace(slug: str = "larkspur") -> Workspace:
    return Workspace(
        slug=slug,
        name="Larkspur Bakery",
        timezone=TZ,
        streams=STREAMS,
        products=("sourdough",),
        response_target_hours=4.0,
    )


def _mention(ws: Workspace, spec: Spec) -> Mention:
    author = AUTHORS[spec.author]
    post = Post(
        network=author.network,
        id=f"{ws.slug}-{spec.n}",
        author=author,
        text=f"post {spec.n} about {', '.join(spec.streams)}",
        created=spec.created,
        language="en",
        url=f"https://example.social/{author.handle}/{spec.n}",
    )
    insight = Insight(
        who=Who(
            handle=author.handle,
            followers=author.followers,
            relationship=RELATIONSHIPS[spec.author],  # type: ignore[arg-type]
        ),
        what=What(hashtags=(spec.hashtag,) if spec.hashtag else ()),
        where=Where(in_locale=spec.in_locale),
        why=Why(intents=spec.intents),  # type: ignore[arg-type]
        extent=Extent(reach=author.followers or 0, engagement=spec.engagement),
        sentiment=Sentiment(spec.sentiment, 0.5 if spec.sentiment == "positive" else -0.5),  # type: ignore[arg-type]
    )
    return Mention(ws.slug, post, spec.streams, insight)


@dataclass(frozen=True)
class Filled:
    ws_id: int
    open_in_window: tuple[int, ...]  # spec numbers of the open inbox items in the window
    audit_id: int  # the newest audit report inside the window


def fill(store: Store, slug: str = "larkspur") -> Filled:
    """The specs as mentions; inbox items for every 5th spec (open ones and done ones);
    three audit reports: before, inside (twice) and after the window."""
    ws = workspace(slug)
    found = [_mention(ws, s) for s in SPECS]
    open_in_window = []
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)
        ids = dict(
            conn.execute(
                select(posts.c.native_id, mentions.c.id)
                .join(mentions, mentions.c.post_id == posts.c.id)
                .where(mentions.c.workspace_id == ws_id)
            ).all()
        )
        for spec in SPECS[::5]:
            state = "done" if spec.n % 10 == 0 else "new"
            conn.execute(
                insert(inbox_items).values(
                    workspace_id=ws_id,
                    mention_id=ids[f"{slug}-{spec.n}"],
                    state=state,
                    priority=float(spec.n),
                    reason="question",
                    created=spec.created,
                    triaged=spec.created,
                    updated=spec.created,
                )
            )
            if state == "new" and SINCE <= spec.created < UNTIL:
                open_in_window.append(spec.n)
        figures = {"account": {"followers": 10, "posts": 3}, "changes": {"posts": 1}}
        recs = [{"level": "warn", "text": "Post more."}, {"level": "bad", "text": "Answer."}]
        save_report(conn, ws_id, SINCE - timedelta(hours=1), 30, figures, recs)
        save_report(conn, ws_id, SINCE + timedelta(days=1), 30, figures, recs)
        newest = save_report(
            conn, ws_id, SINCE + timedelta(days=3), 30, {**figures, "account": {"posts": 7}}, recs
        )
        save_report(conn, ws_id, UNTIL + timedelta(hours=1), 30, figures, recs)
    by_priority = sorted(open_in_window, key=lambda n: -n)
    return Filled(ws_id, tuple(by_priority), newest)


def in_window(spec: Spec, since: datetime = SINCE, until: datetime = UNTIL) -> bool:
    return since <= spec.created < until


def local_hour_of_week(moment: datetime) -> int:
    local = moment.astimezone(ZoneInfo(TZ))
    return local.weekday() * 24 + local.hour
