"""Loyalty: people who come back to the business, warmly, again and again.

Over people's mentions about the business (a brand stream matched them; reposts of
its posts count, they are engagement; the business, its staff and competitors left
out) in [start, end):

- ``engagers``: distinct authors; ``repeat_people``: those with two mentions or more;
- ``repeat_positive_engagers``: authors with at least two positive mentions;
- ``repeat_share`` (0..1): the share of the mentions made by repeat people;
- ``fans``: authors hubbub reads as fans (3+ positive mentions in 90 days; see
  :mod:`hubbub.insight.who`) in one of these mentions;
- ``customers``: authors read as customers (they showed they would buy, then praised);
  ``returning_customers``: of them, those already read as customers before ``start``.

The headline is the repeat share; :func:`top_fans` ranks people by positive mentions.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from hubbub.goals.common import Measured, share
from hubbub.model import Goal
from hubbub.store.goal_rows import PersonMention, earlier_customers, people_mentions

__all__ = ["REPEAT", "Fan", "loyalty", "measured", "top_fans"]

REPEAT = 2  # mentions that make someone a repeat person


@dataclass(frozen=True, slots=True)
class Fan:
    handle: str
    name: str
    network: str
    positive: int
    mentions: int
    engagement: int
    fan: bool
    customer: bool


def top_fans(rows: list[PersonMention], limit: int = 5) -> list[Fan]:
    """People with positive mentions, most positive first (then most mentions, most
    engagement their posts drew, handle)."""
    by: dict[int, list[PersonMention]] = defaultdict(list)
    for m in rows:
        by[m.author_id].append(m)
    fans = []
    for ms in by.values():
        positive = sum(m.sentiment == "positive" for m in ms)
        if positive:
            first = ms[0]
            fans.append(
                Fan(
                    first.handle,
                    first.name,
                    first.network,
                    positive,
                    len(ms),
                    sum(m.engagement for m in ms),
                    any(m.relationship == "fan" for m in ms),
                    any(m.relationship == "customer" for m in ms),
                )
            )
    fans.sort(key=lambda f: (-f.positive, -f.mentions, -f.engagement, f.handle.lower()))
    return fans[:limit]


def measured(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Measured:
    rows = people_mentions(conn, workspace_id, start, end, brand_only=True)
    count: dict[int, int] = defaultdict(int)
    positive: dict[int, int] = defaultdict(int)
    for m in rows:
        count[m.author_id] += 1
        positive[m.author_id] += m.sentiment == "positive"
    repeat = {a for a, n in count.items() if n >= REPEAT}
    customers = {m.author_id for m in rows if m.relationship == "customer"}
    returning = earlier_customers(conn, workspace_id, customers, start) if customers else set()
    figures: dict[str, float] = {
        "engagers": float(len(count)),
        "repeat_people": float(len(repeat)),
        "repeat_positive_engagers": float(sum(n >= REPEAT for n in positive.values())),
        "repeat_share": share(sum(count[a] for a in repeat), len(rows)),
        "fans": float(len({m.author_id for m in rows if m.relationship == "fan"})),
        "customers": float(len(customers)),
        "returning_customers": float(len(returning)),
    }
    points = [(m.created, 1.0 if m.author_id in repeat else 0.0) for m in rows]
    return Measured(Goal("loyalty", figures), points, {"top_fans": top_fans(rows)})


def loyalty(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """The loyalty figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end).goal
