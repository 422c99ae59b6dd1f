"""Authors' earlier mentions of a workspace: what makes a ``new`` author a customer or fan.

The pipeline has no I/O, so a runner reads the history of a batch's authors here
and hands it to :func:`hubbub.pipeline.process` as a plain mapping
(:data:`hubbub.insight.who.History`); :func:`hubbub.insight.who.relationship_from_history`
decides. One query per batch, on ``ix_mentions_author`` (workspace, author).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import Connection, select, tuple_

from hubbub.insight.who import FAN_DAYS, PastMention
from hubbub.store.tables import accounts, mentions
from hubbub.store.types import as_utc

__all__ = ["author_history"]

_CHUNK = 400  # authors per query (bind-parameter limits)


def author_history(
    conn: Connection,
    workspace_id: int,
    author_ids: Iterable[tuple[str, str]],
    now: datetime,
    days: int = 365,
) -> dict[tuple[str, str], list[PastMention]]:
    """(network, native author id) -> the author's mentions of the workspace from the
    ``days`` days before ``now`` (at least the fan window), oldest first; authors
    with none are left out."""
    since = as_utc(now) - timedelta(days=max(days, FAN_DAYS))
    keys = sorted(set(author_ids))
    out: dict[tuple[str, str], list[PastMention]] = {}
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        rows = conn.execute(
            select(
                accounts.c.network,
                accounts.c.native_id,
                mentions.c.created,
                mentions.c.sentiment_label,
                mentions.c.intents,
            )
            .select_from(mentions.join(accounts, accounts.c.id == mentions.c.author_id))
            .where(
                (mentions.c.workspace_id == workspace_id)
                & (mentions.c.created >= since)
                & (mentions.c.created < as_utc(now))
                & tuple_(accounts.c.network, accounts.c.native_id).in_(chunk)
            )
            .order_by(mentions.c.created)
        ).all()
        for r in rows:
            out.setdefault((r.network, r.native_id), []).append(
                PastMention(as_utc(r.created), r.sentiment_label, tuple(r.intents or ()))
            )
    return out
