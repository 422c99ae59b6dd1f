"""Read stored mentions back as whole :class:`~hubbub.model.Mention` objects.

``hubbub mentions --json`` promises JSON Lines of mentions in hubbub's own codec so
that they compose with other tools and can be imported again. The views' queries in
:mod:`hubbub.store.queries` return flattened rows for pages; these rebuild the full
vocabulary objects (post, author, insight, streams) for export and re-processing; the
post and its author are rebuilt by :func:`hubbub.store.stored_posts.post_from_row`, as
for a rematch.
"""

from __future__ import annotations

from sqlalchemy import Connection, func, select

from hubbub import codec
from hubbub.model import Insight, Mention
from hubbub.store.mention_search import mention_stream_names
from hubbub.store.stored_posts import POST_COLUMNS, post_from_row
from hubbub.store.tables import accounts, mention_streams, mentions, posts, streams

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
        select(mentions.c.id, mentions.c.insight, *POST_COLUMNS)
        .join_from(mentions, posts, posts.c.id == mentions.c.post_id)
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
    rows = conn.execute(query).all()
    names = mention_stream_names(conn, [r[0] for r in rows])
    return [
        Mention(
            workspace=workspace_slug,
            post=post_from_row(r[2:]),
            streams=names.get(r[0], ()),
            insight=codec.from_dict(Insight, r[1]),
        )
        for r in rows
    ]
