"""Stored posts read back as :class:`~hubbub.model.Post` objects, for matching them again.

A stream made or changed after its posts came in would miss them: :mod:`hubbub.rematch`
(and the Streams page's preview) read stored posts back with these functions, run
the matcher over them and link or create mentions. Posts are rebuilt whole (author,
entities, metrics, place, media, the raw payload), since the query language looks at
all of them (``retweets_of:`` and ``place:`` read the raw payload).

The ``posts`` table is shared by the workspaces of a store (a post is stored once,
by network and id), so "the stored posts" are every workspace's: a new stream matches
what any listener of this store brought in, just as it would have matched it live.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite

from hubbub import codec
from hubbub.model import Account, Media, Metrics, Place, Post, Provenance
from hubbub.store import rollups
from hubbub.store.tables import accounts, mention_streams, mentions, posts, streams
from hubbub.store.types import as_utc, entities_from_json, opt_utc

__all__ = [
    "POST_COLUMNS",
    "latest_posts",
    "link_stream",
    "mention_ids",
    "post_from_row",
    "posts_count",
    "posts_since",
]


#: a post and its author, in the order :func:`post_from_row` unpacks them
POST_COLUMNS = (
    posts.c.id,
    posts.c.network,
    posts.c.native_id,
    posts.c.text,
    posts.c.created,
    posts.c.language,
    posts.c.url,
    posts.c.reply_to,
    posts.c.reply_to_handle,
    posts.c.quote_of,
    posts.c.repost_of,
    posts.c.conversation_id,
    posts.c.entities,
    posts.c.likes,
    posts.c.reposts,
    posts.c.replies,
    posts.c.quotes,
    posts.c.impressions,
    posts.c.place,
    posts.c.client,
    posts.c.media,
    posts.c.raw,
    posts.c.source,
    posts.c.source_url,
    posts.c.retrieved,
    accounts.c.network,
    accounts.c.native_id,
    accounts.c.handle,
    accounts.c.name,
    accounts.c.bio,
    accounts.c.location,
    accounts.c.url,
    accounts.c.followers,
    accounts.c.following,
    accounts.c.posts,
    accounts.c.listed,
    accounts.c.created,
    accounts.c.verified,
    accounts.c.default_avatar,
    accounts.c.default_profile,
)


def post_from_row(row: Sequence[Any]) -> Post:
    """The Post of a row whose columns are :data:`POST_COLUMNS`, in that order.

    Unpacked by position: a rematch rebuilds every post of its window, and a name
    lookup per column cost more than the rest of the work together.
    """
    (
        _,
        network,
        native_id,
        text,
        created,
        language,
        url,
        reply_to,
        reply_to_handle,
        quote_of,
        repost_of,
        conversation_id,
        entities,
        likes,
        reposts,
        replies,
        quotes,
        impressions,
        place,
        client,
        media,
        raw,
        source,
        source_url,
        retrieved,
        a_network,
        a_id,
        handle,
        name,
        bio,
        location,
        a_url,
        followers,
        following,
        a_posts,
        listed,
        a_created,
        verified,
        default_avatar,
        default_profile,
    ) = row
    author = Account(
        network=a_network,
        id=a_id,
        handle=handle,
        name=name or "",
        bio=bio or "",
        location=location or "",
        url=a_url or "",
        followers=followers,
        following=following,
        posts=a_posts,
        listed=listed,
        created=opt_utc(a_created),
        verified=verified,
        default_avatar=default_avatar,
        default_profile=default_profile,
    )
    return Post(
        network=network,
        id=native_id,
        author=author,
        text=text,
        created=as_utc(created),
        language=language,
        url=url or "",
        reply_to=reply_to,
        reply_to_handle=reply_to_handle,
        quote_of=quote_of,
        repost_of=repost_of,
        conversation_id=conversation_id,
        entities=entities_from_json(entities),
        metrics=Metrics(
            likes=likes, reposts=reposts, replies=replies, quotes=quotes, impressions=impressions
        ),
        place=codec.from_dict(Place, place) if place else None,
        client=client or "",
        media=tuple(codec.from_dict(Media, x) for x in media or ()),
        raw=raw,
        provenance=Provenance(
            source=source or "", url=source_url or "", retrieved=opt_utc(retrieved)
        ),
    )


def _select() -> Select[Any]:
    return select(*POST_COLUMNS).join_from(posts, accounts, accounts.c.id == posts.c.account_id)


def posts_since(
    conn: Connection,
    since: datetime,
    *,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 500,
) -> list[tuple[int, Post]]:
    """Up to ``limit`` stored posts created in ``[since, until)`` with an id below
    ``before_id``, newest stored first (by id): page on with the last id returned
    (keyset, no OFFSET)."""
    query = _select().where(posts.c.created >= since)
    if until is not None:
        query = query.where(posts.c.created < until)
    if before_id is not None:
        query = query.where(posts.c.id < before_id)
    rows = conn.execute(query.order_by(posts.c.id.desc()).limit(limit)).all()
    return [(r[0], post_from_row(r)) for r in rows]


def posts_count(conn: Connection, since: datetime, until: datetime | None = None) -> int:
    """How many stored posts were created in ``[since, until)``."""
    query = select(func.count()).select_from(posts).where(posts.c.created >= since)
    if until is not None:
        query = query.where(posts.c.created < until)
    return int(conn.execute(query).scalar_one())


def latest_posts(conn: Connection, limit: int) -> list[Post]:
    """The ``limit`` most recently created stored posts, newest first."""
    query = _select().order_by(posts.c.created.desc(), posts.c.id.desc()).limit(limit)
    return [post_from_row(r) for r in conn.execute(query)]


def mention_ids(conn: Connection, ws_id: int, post_ids: Sequence[int]) -> dict[int, int]:
    """``{post id: mention id}`` for those of the posts that are mentions of the workspace."""
    if not post_ids:
        return {}
    rows = conn.execute(
        select(mentions.c.post_id, mentions.c.id).where(
            mentions.c.workspace_id == ws_id, mentions.c.post_id.in_(list(post_ids))
        )
    )
    return {r.post_id: r.id for r in rows}


def link_stream(conn: Connection, stream_id: int, mention_ids: Sequence[int]) -> int:
    """Record that the stream matched these mentions; returns how many links are new."""
    if not mention_ids:
        return 0
    known = {
        r[0]
        for r in conn.execute(
            select(mention_streams.c.mention_id).where(
                mention_streams.c.stream_id == stream_id,
                mention_streams.c.mention_id.in_(list(mention_ids)),
            )
        )
    }
    new = sorted(set(mention_ids) - known)
    if not new:
        return 0
    # the rollups count the stream's new links (store/rollups.py), from the mentions'
    # facts read under the workspace's lock, so a writer meanwhile cannot skew them
    ws_id = conn.execute(select(streams.c.workspace_id).where(streams.c.id == stream_id)).scalar()
    if ws_id is not None:
        rollups.lock_workspace(conn, int(ws_id))
    before = rollups.read_facts(conn, mentions.c.id.in_(new))
    stmt = (postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert)(
        mention_streams
    )
    made = {  # a listener may link the same mention meanwhile: its link stands
        int(r[0])
        for r in conn.execute(
            stmt.on_conflict_do_nothing().returning(mention_streams.c.mention_id),
            [{"mention_id": m, "stream_id": stream_id} for m in new],
        )
    }
    gained = [f for f in before if f.mention_id in made]
    rollups.update(
        conn, gained, [dataclasses.replace(f, streams=f.streams | {stream_id}) for f in gained]
    )
    return len(made)
