"""The top authors of a window, by mentions or by reach, without grouping every mention.

Grouping a 90-day window's mentions by author (250,000 at a million mentions a year,
most authors with one or two) took 130 ms on SQLite for ten names. Both rankings here
read a few candidates instead, and work out each candidate's exact figures in the
window from ``ix_mentions_author`` (workspace, author, time, relationship, reach,
engagement: an author's mentions of a window are one range of it).

- **By mentions** (the Overview): the threshold algorithm (Fagin et al.) over the
  monthly rollup ``mention_authors``. Each month the window touches lists its authors
  by mentions; after reading the first ``depth`` of every list, an author not yet seen
  has at most the sum of the last counts read in the window (a month's count bounds
  its part of the window). Once the tenth candidate's exact count is above that sum,
  no unseen author can enter the ten; else the lists are read deeper. A window of at
  most :data:`DIRECT_LIMIT` mentions is grouped directly: that is cheaper than the
  lists, whose months are then much longer than the window.
- **By reach** (the Insight page): the window's mentions in ``ix_mentions_reach``
  order, from the largest reach down, until ten authors are seen (and every further
  mention with the tenth one's reach): no other author's largest reach can be larger.

The business's own accounts (relationship "business") are left out of both, as the
monthly rollup leaves them out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Connection, func, select

from hubbub.store.tables import mention_authors, mentions
from hubbub.store.tallies import window_tallies
from hubbub.store.types import as_utc

__all__ = ["DIRECT_LIMIT", "Figures", "figures", "top_by_mentions", "top_by_reach"]

#: Up to this many mentions in the window, the top authors are grouped directly.
DIRECT_LIMIT = 40_000
_EXCLUDED = "business"


@dataclass(frozen=True, slots=True)
class Figures:
    """One author's mentions in a window (the business's own left out)."""

    author_id: int
    mentions: int
    reach: int  # the largest
    engagement: int  # summed
    relationship: str  # the most frequent (ties: the first by name)


def _window(workspace_id: int, since: datetime, until: datetime) -> ColumnElement[bool]:
    return (
        (mentions.c.workspace_id == workspace_id)
        & (mentions.c.created >= as_utc(since))
        & (mentions.c.created < as_utc(until))
        & (mentions.c.relationship != _EXCLUDED)
    )


def figures(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, ids: Iterable[int]
) -> dict[int, Figures]:
    """The exact figures in the window of these authors (those with a mention in it)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    sums: dict[int, list[int]] = {}
    kinds: dict[int, Counter[str]] = {}
    for author_id, rel, n, reach, engagement in conn.execute(
        select(
            mentions.c.author_id,
            mentions.c.relationship,
            func.count(),
            func.max(mentions.c.reach),
            func.sum(mentions.c.engagement),
        )
        .where(_window(workspace_id, since, until) & mentions.c.author_id.in_(wanted))
        .group_by(mentions.c.author_id, mentions.c.relationship)
    ):
        acc = sums.setdefault(int(author_id), [0, 0, 0])
        acc[0] += int(n)
        acc[1] = max(acc[1], int(reach or 0))
        acc[2] += int(engagement or 0)
        kinds.setdefault(int(author_id), Counter())[str(rel)] += int(n)
    out = {}
    for author_id, (n, reach, engagement) in sums.items():
        count = kinds[author_id]
        rel = min(count, key=lambda k: (-count[k], k))
        out[author_id] = Figures(author_id, n, reach, engagement, rel)
    return out


def _months(since: datetime, until: datetime) -> list[datetime]:
    first = as_utc(since).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    last = as_utc(until) - timedelta(microseconds=1)
    out = []
    month = first
    while month <= last:
        out.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return out


def _by_mentions(found: Iterable[Figures], limit: int) -> list[Figures]:
    return sorted(found, key=lambda f: (-f.mentions, -f.reach, f.author_id))[:limit]


def top_by_mentions(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int = 10
) -> list[Figures]:
    """The ``limit`` authors with the most mentions in the window (ties: the larger
    reach, then the smaller id), exactly; see the module docstring."""
    if since >= until or limit < 1:
        return []
    whole = window_tallies(conn, workspace_id, since, until, stream=0).get(0)
    if whole is None:
        return []
    if whole.mentions <= DIRECT_LIMIT:
        rows = conn.execute(
            select(mentions.c.author_id)
            .where(_window(workspace_id, since, until))
            .group_by(mentions.c.author_id)
            .order_by(func.count().desc(), func.max(mentions.c.reach).desc(), mentions.c.author_id)
            .limit(limit)
        ).all()
        return _by_mentions(
            figures(conn, workspace_id, since, until, (r[0] for r in rows)).values(), limit
        )
    months = _months(since, until)
    depth = 4 * limit
    seen: dict[int, Figures] = {}
    asked: set[int] = set()
    while True:
        lists = [
            conn.execute(
                select(mention_authors.c.author_id, mention_authors.c.mentions)
                .where(
                    (mention_authors.c.workspace_id == workspace_id)
                    & (mention_authors.c.month == month)
                )
                .order_by(mention_authors.c.mentions.desc())
                .limit(depth)
            ).all()
            for month in months
        ]
        fresh = {int(r[0]) for rows in lists for r in rows} - asked
        asked |= fresh
        seen.update(figures(conn, workspace_id, since, until, fresh))
        ranked = _by_mentions(seen.values(), limit)
        # the most an author not seen yet can have: the last count read in each list
        # that was not read to its end
        bound = sum(int(rows[-1][1]) for rows in lists if len(rows) == depth)
        done = all(len(rows) < depth for rows in lists)
        if done or (len(ranked) == limit and ranked[-1].mentions > bound):
            return ranked
        depth *= 4


def top_by_reach(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int = 10
) -> list[Figures]:
    """The ``limit`` authors with the largest reach in the window (ties: more mentions,
    then the smaller id), exactly; see the module docstring."""
    if since >= until or limit < 1:
        return []
    # coalesce() keeps both databases off the time index here: the reach index's order
    # is the point, and the window's end is far from the largest reach
    created = func.coalesce(mentions.c.created, mentions.c.created)
    where = (
        (mentions.c.workspace_id == workspace_id)
        & (created >= as_utc(since))
        & (created < as_utc(until))
        & (mentions.c.relationship != _EXCLUDED)
    )
    picked: set[int] = set()
    floor: int | None = None  # the tenth author's reach, once there are ten
    offset, page = 0, 20 * limit
    while True:
        rows = conn.execute(
            select(mentions.c.author_id, mentions.c.reach)
            .where(where)
            .order_by(mentions.c.reach.desc())
            .limit(page)
            .offset(offset)
        ).all()
        for author_id, reach in rows:
            if floor is not None and int(reach) < floor:
                rows = []
                break
            picked.add(int(author_id))
            if floor is None and len(picked) == limit:
                floor = int(reach)
        if len(rows) < page:
            break
        offset += page
        page *= 2
    found = figures(conn, workspace_id, since, until, picked).values()
    return sorted(found, key=lambda f: (-f.reach, -f.mentions, f.author_id))[:limit]
