"""The goals' measured figures, one function per goal, over a time window.

DESIGN.md names seven goals (traffic, promotions, leads, visits, events, customer
service, loyalty); each becomes a :class:`~hubbub.model.Goal` with named figures, so
the Goals page and the reports show the same numbers. Two are measured so far:

- **traffic**: people who followed the business's tracked links (robots are never
  recorded; see :mod:`hubbub.publish.links`), per network, and per post published.
- **customer service**: how the inbox was answered: items that needed a person, the
  share answered, the median time to a first answer and the share answered within the
  workspace's response target.

The others are a later session's work.
"""

from __future__ import annotations

import statistics
from datetime import datetime

from sqlalchemy import Connection

from hubbub.model import Goal
from hubbub.store import publish as publish_queries
from hubbub.store.inbox import response_rows

__all__ = ["customer_service", "measure", "traffic"]


def traffic(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """Figures: ``clicks``, ``clicks_<network>`` (``clicks_direct`` without a
    referrer), ``posts_published`` and ``clicks_per_post`` in [start, end)."""
    counts = publish_queries.click_counts(conn, workspace_id, start, end)
    posts = publish_queries.published_count(conn, workspace_id, start, end)
    total = sum(counts.values())
    figures: dict[str, float] = {
        "clicks": float(total),
        "posts_published": float(posts),
        "clicks_per_post": total / posts if posts else 0.0,
    }
    for network, n in sorted(counts.items(), key=lambda kv: kv[0] or ""):
        figures[f"clicks_{network or 'direct'}"] = float(n)
    return Goal("traffic", figures)


def customer_service(
    conn: Connection, workspace_id: int, start: datetime, end: datetime, target_hours: float
) -> Goal:
    """Figures over the inbox items created in [start, end): ``items``, ``answered``,
    ``answer_rate`` (0..1), ``median_first_response_hours`` and ``within_target``
    (0..1; the last two only when something was answered)."""
    rows = [r for r in response_rows(conn, workspace_id, since=start) if r.created < end]
    answered = sum(r.first_response is not None for r in rows)
    figures: dict[str, float] = {
        "items": float(len(rows)),
        "answered": float(answered),
        "answer_rate": answered / len(rows) if rows else 0.0,
    }
    hours = [
        (r.first_response - r.created).total_seconds() / 3600
        for r in rows
        if r.first_response is not None
    ]
    if hours:
        figures["median_first_response_hours"] = statistics.median(hours)
        figures["within_target"] = sum(h <= target_hours for h in hours) / len(hours)
    return Goal("customer_service", figures)


def measure(
    conn: Connection, workspace_id: int, start: datetime, end: datetime, target_hours: float
) -> list[Goal]:
    """Every goal measured so far over [start, end), in DESIGN.md's order: what the
    Goals page, the report and the digest show, so they never disagree."""
    return [
        traffic(conn, workspace_id, start, end),
        customer_service(conn, workspace_id, start, end, target_hours),
    ]
