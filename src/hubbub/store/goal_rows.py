"""The rows the goals read from mentions, posts, clicks and the inbox, over a window.

:mod:`hubbub.goals` turns these plain dataclasses into figures; nothing here
decides what a visit, a loyal person or an improved complaint is. Every read is one
query (or one per few hundred authors) over a half-open window ``[start, end)`` on
the indexes the pages already use (``ix_mentions_window``, ``ix_mention_streams_window``,
``ix_link_clicks_code_time``, ``ix_inbox_items_workspace_created``).

"People" are every author but the business itself, its staff and its competitors
(:data:`hubbub.store.goals.NOT_PEOPLE`), on the social networks (an RSS feed's
article is coverage, not a person).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Text, and_, cast, exists, or_, select

from hubbub.store.audit import own_posts
from hubbub.store.goals import NOT_PEOPLE, has_intent
from hubbub.store.tables import (
    accounts,
    inbox_items,
    link_clicks,
    mention_streams,
    mentions,
    post_deliveries,
    posts,
    scheduled_posts,
    streams,
    tracked_links,
)
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "Complaint",
    "LaterMention",
    "OwnText",
    "PersonMention",
    "StreamHit",
    "WindowedStream",
    "click_times",
    "complaints",
    "earlier_customers",
    "later_mentions",
    "own_texts",
    "people_mentions",
    "stream_hits",
    "windowed_streams",
]

_CHUNK = 400  # ids per IN (...): under every database's bind-parameter limit


@dataclass(frozen=True, slots=True)
class PersonMention:
    """One mention by a person, with what the visits, loyalty and promotions goals read."""

    id: int
    created: datetime
    author_id: int
    network: str
    handle: str
    name: str
    sentiment: str
    score: float
    relationship: str
    in_locale: bool | None
    engagement: int
    post_type: str
    brand: bool  # a brand stream matched it: it is about the business
    text: str = ""
    place: Mapping[str, Any] | None = None
    client: str = ""


def _brand_ids(ws_id: int) -> Any:
    """The workspace's brand streams (a handful of rows)."""
    return select(streams.c.id).where(streams.c.workspace_id == ws_id, streams.c.kind == "brand")


def _brand(ws_id: int) -> Any:
    """Whether a brand stream matched the mention: a look-up on the link's primary key."""
    return exists(
        select(mention_streams.c.mention_id).where(
            mention_streams.c.mention_id == mentions.c.id,
            mention_streams.c.stream_id.in_(_brand_ids(ws_id)),
        )
    )


def people_mentions(
    conn: Connection,
    ws_id: int,
    start: datetime,
    end: datetime,
    *,
    brand_only: bool = False,
    with_text: bool = False,
    text_like: Sequence[str] = (),
    place_like: Sequence[str] = (),
    brand_local_like: Sequence[str] = (),
) -> list[PersonMention]:
    """People's mentions in [start, end), oldest first.

    ``brand_only`` keeps those a brand stream matched. The ``*_like`` filters keep the
    mentions that pass any of them (coarse filters in SQL that the caller refines;
    strings are found anywhere, without case): ``text_like`` in the text,
    ``place_like`` in the post's place, ``brand_local_like`` in the text of a mention
    about the business from its locale. ``with_text`` reads the text, place and client.
    """
    m = mentions.c
    brand = _brand(ws_id)
    cols: list[Any] = [
        m.id,
        m.created,
        m.author_id,
        m.network,
        accounts.c.handle,
        accounts.c.name,
        m.sentiment_label,
        m.sentiment_score,
        m.relationship,
        m.in_locale,
        m.engagement,
        m.post_type,
        brand.label("brand"),
    ]
    texts = with_text or bool(text_like or place_like or brand_local_like)
    if texts:
        cols += [posts.c.text, posts.c.place, posts.c.client]
    query = (
        select(*cols)
        .select_from(mentions)
        .join(accounts, accounts.c.id == m.author_id)
        .where(
            m.workspace_id == ws_id,
            m.created >= as_utc(start),
            m.created < as_utc(end),
            m.relationship.not_in(NOT_PEOPLE),
            m.network != "rss",  # a news site's article is coverage, not a person
        )
        .order_by(m.created, m.id)
    )
    if texts:
        query = query.join(posts, posts.c.id == m.post_id)
    if brand_only:  # from the links' window index, not a look-up per mention
        linked = select(mention_streams.c.mention_id).where(
            mention_streams.c.workspace_id == ws_id,
            mention_streams.c.created >= as_utc(start),
            mention_streams.c.created < as_utc(end),
            mention_streams.c.stream_id.in_(_brand_ids(ws_id)),
        )
        query = query.where(m.id.in_(linked))
    found: list[Any] = [_like(posts.c.text, t) for t in text_like]
    found += [_like(cast(posts.c.place, Text), t) for t in place_like]
    if brand_local_like:
        said = or_(*(_like(posts.c.text, t) for t in brand_local_like))
        found.append(and_(brand, m.in_locale.is_(True), said))
    if found:
        query = query.where(or_(*found))
    out = []
    for r in conn.execute(query):
        out.append(
            PersonMention(
                id=r.id,
                created=as_utc(r.created),
                author_id=r.author_id,
                network=r.network,
                handle=r.handle,
                name=r.name or "",
                sentiment=r.sentiment_label,
                score=float(r.sentiment_score),
                relationship=r.relationship,
                in_locale=r.in_locale,
                engagement=int(r.engagement or 0),
                post_type=r.post_type,
                brand=bool(r.brand),
                text=r.text if texts else "",
                place=r.place if texts and isinstance(r.place, dict) else None,
                client=r.client if texts else "",
            )
        )
    return out


def _like(column: Any, text: str) -> Any:
    """``column`` holds ``text`` anywhere, without case (``%`` and ``_`` taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def earlier_customers(
    conn: Connection, ws_id: int, author_ids: Iterable[int], before: datetime
) -> set[int]:
    """Which of the authors had a mention read as a customer's before ``before``."""
    ids = sorted(set(author_ids))
    found: set[int] = set()
    for i in range(0, len(ids), _CHUNK):
        found.update(
            conn.execute(
                select(mentions.c.author_id)
                .where(
                    mentions.c.workspace_id == ws_id,
                    mentions.c.author_id.in_(ids[i : i + _CHUNK]),
                    mentions.c.relationship == "customer",
                    mentions.c.created < as_utc(before),
                )
                .distinct()
            ).scalars()
        )
    return found


def click_times(conn: Connection, ws_id: int, start: datetime, end: datetime) -> list[datetime]:
    """When each click on the workspace's tracked links in [start, end) came."""
    tl, lc = tracked_links.c, link_clicks.c
    rows = conn.execute(
        select(lc.time)
        .select_from(link_clicks.join(tracked_links, tl.code == lc.code))
        .where(tl.workspace_id == ws_id, lc.time >= start, lc.time < end)
        .order_by(lc.time)
    )
    return [as_utc(t) for t in rows.scalars()]


# --- events --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WindowedStream:
    id: int
    name: str
    kind: str
    starts: datetime | None
    ends: datetime | None
    paused: bool


def windowed_streams(
    conn: Connection, ws_id: int, kinds: Sequence[str] = ("event",)
) -> list[WindowedStream]:
    """The workspace's streams of these kinds with their windows (set or not), by start."""
    c = streams.c
    rows = conn.execute(
        select(c.id, c.name, c.kind, c.starts, c.ends, c.paused).where(
            c.workspace_id == ws_id, c.kind.in_(list(kinds))
        )
    )
    found = [
        WindowedStream(r.id, r.name, r.kind, opt_utc(r.starts), opt_utc(r.ends), bool(r.paused))
        for r in rows
    ]
    return sorted(
        found, key=lambda s: (s.starts is None, s.starts.timestamp() if s.starts else 0.0, s.name)
    )


@dataclass(frozen=True, slots=True)
class StreamHit:
    """One mention a stream matched: when, by whom, how far it went, how it felt."""

    created: datetime
    author_id: int
    reach: int
    sentiment: str
    score: float


def stream_hits(
    conn: Connection, ws_id: int, stream_id: int, start: datetime, end: datetime
) -> list[StreamHit]:
    """The stream's mentions in [start, end), oldest first (read on the window index)."""
    ms, m = mention_streams.c, mentions.c
    rows = conn.execute(
        select(ms.created, m.author_id, m.reach, m.sentiment_label, m.sentiment_score)
        .select_from(mention_streams.join(mentions, m.id == ms.mention_id))
        .where(
            ms.workspace_id == ws_id,
            ms.created >= as_utc(start),
            ms.created < as_utc(end),
            ms.stream_id == stream_id,
        )
        .order_by(ms.created)
    )
    return [StreamHit(as_utc(r[0]), r[1], int(r[2] or 0), r[3], float(r[4])) for r in rows]


# --- customer service ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Complaint:
    """An inbox item about a complaint: when it came, when it was first answered, and
    the complaint's own sentiment score."""

    item_id: int
    author_id: int
    created: datetime
    first_response: datetime | None
    score: float


def complaints(conn: Connection, ws_id: int, start: datetime, end: datetime) -> list[Complaint]:
    """Inbox items created in [start, end) whose mention is a complaint."""
    i, m = inbox_items.c, mentions.c
    rows = conn.execute(
        select(i.id, m.author_id, i.created, i.first_response, m.sentiment_score)
        .select_from(inbox_items.join(mentions, m.id == i.mention_id))
        .where(
            i.workspace_id == ws_id,
            i.created >= as_utc(start),
            i.created < as_utc(end),
            has_intent("complaint"),
        )
        .order_by(i.created, i.id)
    )
    return [Complaint(r[0], r[1], as_utc(r[2]), opt_utc(r[3]), float(r[4])) for r in rows]


@dataclass(frozen=True, slots=True)
class LaterMention:
    author_id: int
    created: datetime
    score: float


def later_mentions(
    conn: Connection, ws_id: int, author_ids: Iterable[int], since: datetime, until: datetime
) -> list[LaterMention]:
    """The authors' mentions of the workspace in [since, until), oldest first."""
    ids = sorted(set(author_ids))
    out: list[LaterMention] = []
    for n in range(0, len(ids), _CHUNK):
        rows = conn.execute(
            select(mentions.c.author_id, mentions.c.created, mentions.c.sentiment_score).where(
                mentions.c.workspace_id == ws_id,
                mentions.c.author_id.in_(ids[n : n + _CHUNK]),
                mentions.c.created >= as_utc(since),
                mentions.c.created < as_utc(until),
            )
        )
        out += [LaterMention(r[0], as_utc(r[1]), float(r[2])) for r in rows]
    return sorted(out, key=lambda x: (x.created, x.author_id))


# --- the business's own words ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OwnText:
    """A post of the business: one it posted on a network, or one hubbub published."""

    created: datetime
    text: str
    where: str  # "network" (read from a network) or "hubbub" (a published scheduled post)


def own_texts(
    conn: Connection, ws_id: int, handles: Mapping[str, str], start: datetime, end: datetime
) -> list[OwnText]:
    """The business's posts in [start, end): those read from its accounts, and the
    posts hubbub published that were not read back (a delivery's id not among them)."""
    read = own_posts(conn, ws_id, handles, start, end)
    seen = {(p.network, p.native_id) for p in read}
    out = [OwnText(p.created, p.text, "network") for p in read if not p.repost_of]
    sp = scheduled_posts.c
    published = conn.execute(
        select(sp.id, sp.text, sp.thread, sp.scheduled_for).where(
            sp.workspace_id == ws_id,
            sp.state == "published",
            sp.scheduled_for >= as_utc(start),
            sp.scheduled_for < as_utc(end),
        )
    ).all()
    delivered: dict[int, set[tuple[str, str]]] = {}
    ids = [r.id for r in published]
    for n in range(0, len(ids), _CHUNK):
        for d in conn.execute(
            select(
                post_deliveries.c.post_id, post_deliveries.c.network, post_deliveries.c.native_id
            ).where(post_deliveries.c.post_id.in_(ids[n : n + _CHUNK]))
        ):
            delivered.setdefault(d.post_id, set()).add((d.network, d.native_id))
    for r in published:
        if delivered.get(r.id, set()) & seen:
            continue  # read back from the network: counted once, above
        text = "\n".join([r.text, *(r.thread or [])])
        out.append(OwnText(as_utc(r.scheduled_for), text, "hubbub"))
    return sorted(out, key=lambda o: o.created)
