"""Read stored mentions back as whole :class:`~hubbub.model.Mention` objects.

``hubbub mentions --json`` promises JSON Lines of mentions in hubbub's own codec so
that they compose with other tools and can be imported again. The views' queries in
:mod:`hubbub.store.queries` return flattened rows for pages; these rebuild the full
vocabulary objects (post, author, insight, streams) for export and re-processing.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import LABEL_STYLE_TABLENAME_PLUS_COL, Connection, Row, func, select

from hubbub import codec
from hubbub.model import Account, Insight, Media, Mention, Metrics, Place, Post, Provenance
from hubbub.store.mention_search import mention_stream_names
from hubbub.store.tables import accounts, mention_streams, mentions, posts, streams
from hubbub.store.types import as_utc, entities_from_json, opt_utc

__all__ = ["recent_mentions", "stream_names"]


def stream_names(conn: Connection, workspace_id: int) -> list[str]:
    """The names of the workspace's streams, in the order they were created."""
    rows = conn.execute(
        select(streams.c.name).where(streams.c.workspace_id == workspace_id).order_by(streams.c.id)
    )
    return [r.name for r in rows]


def recent_mentions(
    conn: Connection,
    workspace_id: int,
    workspace_slug: str,
    *,
    stream: str | None = None,
    limit: int = 20,
) -> list[Mention]:
    """The newest ``limit`` mentions (of ``stream`` only, when given), newest first."""
    query = (
        select(mentions, posts, accounts)
        .join(posts, posts.c.id == mentions.c.post_id)
        .join(accounts, accounts.c.id == posts.c.account_id)
        .where(mentions.c.workspace_id == workspace_id)
        .order_by(mentions.c.created.desc(), mentions.c.id.desc())
        .limit(limit)
    )
    if stream is not None:
        chosen = (
            select(mention_streams.c.mention_id)
            .join(streams, streams.c.id == mention_streams.c.stream_id)
            .where(streams.c.workspace_id == workspace_id)
            .where(func.lower(streams.c.name) == stream.lower())
        )
        query = query.where(mentions.c.id.in_(chosen))
    rows = conn.execute(query.set_label_style(LABEL_STYLE_TABLENAME_PLUS_COL)).all()
    names = mention_stream_names(conn, [r._mapping[mentions.c.id] for r in rows])
    return [_mention(r, workspace_slug, names.get(r._mapping[mentions.c.id], ())) for r in rows]


def _mention(row: Row[Any], slug: str, names: tuple[str, ...]) -> Mention:
    m = row._mapping
    author = Account(
        network=m[accounts.c.network],
        id=m[accounts.c.native_id],
        handle=m[accounts.c.handle],
        name=m[accounts.c.name] or "",
        bio=m[accounts.c.bio] or "",
        location=m[accounts.c.location] or "",
        url=m[accounts.c.url] or "",
        followers=m[accounts.c.followers],
        following=m[accounts.c.following],
        posts=m[accounts.c.posts],
        listed=m[accounts.c.listed],
        created=opt_utc(m[accounts.c.created]),
        verified=m[accounts.c.verified],
        default_avatar=m[accounts.c.default_avatar],
        default_profile=m[accounts.c.default_profile],
    )
    place = m[posts.c.place]
    media = m[posts.c.media] or []
    post = Post(
        network=m[posts.c.network],
        id=m[posts.c.native_id],
        author=author,
        text=m[posts.c.text],
        created=as_utc(m[posts.c.created]),
        language=m[posts.c.language],
        url=m[posts.c.url] or "",
        reply_to=m[posts.c.reply_to],
        reply_to_handle=m[posts.c.reply_to_handle],
        quote_of=m[posts.c.quote_of],
        repost_of=m[posts.c.repost_of],
        conversation_id=m[posts.c.conversation_id],
        entities=entities_from_json(m[posts.c.entities]),
        metrics=Metrics(
            likes=m[posts.c.likes],
            reposts=m[posts.c.reposts],
            replies=m[posts.c.replies],
            quotes=m[posts.c.quotes],
            impressions=m[posts.c.impressions],
        ),
        place=codec.from_dict(Place, place) if place else None,
        client=m[posts.c.client] or "",
        media=tuple(codec.from_dict(Media, x) for x in media),
        raw=m[posts.c.raw],
        provenance=Provenance(
            source=m[posts.c.source] or "",
            url=m[posts.c.source_url] or "",
            retrieved=opt_utc(m[posts.c.retrieved]),
        ),
    )
    insight = codec.from_dict(Insight, m[mentions.c.insight])
    return Mention(workspace=slug, post=post, streams=names, insight=insight)
