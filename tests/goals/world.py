"""A small hand-built world for the goals' tests: every mention placed by hand.

Each test states the posts it needs (text, author, time, the streams that matched,
intents, sentiment, relationship, locale, place) and computes what it expects from
that list by hand, so a figure is checked against counting, not against the code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, select

from hubbub.model import (
    Account,
    Batch,
    Extent,
    Insight,
    Intent,
    Mention,
    Metrics,
    Place,
    Post,
    Relationship,
    Sentiment,
    SentimentLabel,
    Stream,
    Where,
    Who,
    Why,
    Workspace,
)
from hubbub.store import upsert_workspace, write_batch
from hubbub.store.tables import mentions, posts

START = datetime(2026, 4, 1, tzinfo=UTC)
END = START + timedelta(days=14)
FAIR = (START + timedelta(days=3), START + timedelta(days=5))  # the event's window

BRAND = "Larkspur Bakery"
STREAMS = (
    Stream(BRAND, '"larkspur bakery" OR @larkspurbakes OR larkspur', "brand"),
    Stream("Asheville", "asheville OR avl", "locale"),
    Stream("Industry", "bakery OR sourdough", "industry"),
    Stream("Flour Child", '"flour child"', "competitor"),
    Stream("Spring fair", '"spring fair"', "event", starts=FAIR[0], ends=FAIR[1]),
    Stream("Open day", '"open day"', "event"),  # no window: listed, not measured
)


def workspace(slug: str = "larkspur") -> Workspace:
    return Workspace(
        slug=slug,
        name=BRAND,
        handles={"x": "larkspurbakes", "mastodon": "larkspur@mastodon.social"},
        timezone="America/New_York",
        streams=STREAMS,
    )


BUSINESS = Account("x", "biz", "larkspurbakes", "Larkspur Bakery", followers=900)


def person(i: int, followers: int = 100) -> Account:
    return Account("x", f"u{i}", f"person{i}", f"Person {i}", followers=followers)


@dataclass
class World:
    """Posts and mentions added one by one, written with :meth:`save`."""

    conn: Connection
    ws_id: int
    slug: str
    posts: list[Post] = field(default_factory=list)
    found: list[Mention] = field(default_factory=list)
    n: int = 0

    @classmethod
    def make(cls, conn: Connection, ws: Workspace | None = None) -> World:
        ws = ws or workspace()
        return cls(conn, upsert_workspace(conn, ws), ws.slug)

    def post(
        self,
        text: str,
        author: Account,
        when: datetime,
        *,
        streams: tuple[str, ...] = (BRAND,),
        intents: tuple[Intent, ...] = (),
        sentiment: SentimentLabel = "neutral",
        score: float = 0.0,
        relationship: Relationship = "new",
        in_locale: bool | None = None,
        place: Place | None = None,
        reach: int | None = None,
        engagement: int = 0,
        repost_of: str | None = None,
        reply_to: str | None = None,
        client: str = "",
    ) -> str:
        """Add a post (a mention when ``streams`` is not empty); return its native id."""
        self.n += 1
        native = f"p{self.n}"
        post = Post(
            network=author.network,
            id=native,
            author=author,
            text=text,
            created=when,
            url=f"https://x.com/{author.handle}/status/{native}",
            reply_to=reply_to,
            repost_of=repost_of,
            metrics=Metrics(likes=engagement),
            place=place,
            client=client,
        )
        self.posts.append(post)
        if streams:
            insight = Insight(
                who=Who(
                    handle=author.handle, followers=author.followers, relationship=relationship
                ),
                why=Why(intents=intents),
                where=Where(in_locale=in_locale),
                extent=Extent(
                    reach=author.followers or 0 if reach is None else reach, engagement=engagement
                ),
                sentiment=Sentiment(sentiment, score),
            )
            self.found.append(Mention(self.slug, post, streams, insight))
        return native

    def save(self) -> dict[str, int]:
        """Write everything; return native id -> mention id."""
        write_batch(self.conn, self.ws_id, Batch("test", self.posts, None), self.found)
        rows = self.conn.execute(
            select(posts.c.native_id, mentions.c.id)
            .join(mentions, mentions.c.post_id == posts.c.id)
            .where(mentions.c.workspace_id == self.ws_id)
        )
        return {r.native_id: r.id for r in rows}


def at(days: float, hours: float = 0) -> datetime:
    return START + timedelta(days=days, hours=hours)
