"""Customer service: how the inbox was answered, how fast, and whether complaints ended
better than they began.

Over the inbox items created in [start, end) (see :mod:`hubbub.inbox` for which
mentions become items):

- ``items``: items that needed a person; ``answered``: those with a first response;
  ``answer_rate`` (0..1) their share;
- ``median_first_response_hours`` and ``within_target`` (0..1, the share answered
  within the workspace's response target): only when something was answered;
- ``resolved``: items marked done; ``median_resolution_hours`` from the post to being
  done (only when some were);
- ``complaints``: items about a complaint; ``complaints_answered``: of those, answered;
  ``complaints_followed_up``: answered ones whose author spoke of the business again
  within :data:`FOLLOW_UP_DAYS` days after the answer (in the thread or not);
  ``sentiment_before`` and ``sentiment_after`` (-1..1): the mean sentiment score of
  those complaints, and of their authors' later mentions (each complaint's later
  mentions averaged first, so a chatty author counts once); ``complaints_improved``
  (0..1): the share of them whose later mean is above the complaint's own score.

The headline is the median first response in hours (lower is better).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import Connection

from hubbub.goals.common import Measured, median, share
from hubbub.model import Goal
from hubbub.store.goal_rows import complaints, later_mentions
from hubbub.store.inbox import response_rows

__all__ = ["FOLLOW_UP_DAYS", "customer_service", "measured"]

FOLLOW_UP_DAYS = 14


def _hours(a: datetime, b: datetime) -> float:
    return (b - a).total_seconds() / 3600


def measured(
    conn: Connection, workspace_id: int, start: datetime, end: datetime, target_hours: float
) -> Measured:
    rows = [r for r in response_rows(conn, workspace_id, since=start) if r.created < end]
    answered = [r for r in rows if r.first_response is not None]
    figures: dict[str, float] = {
        "items": float(len(rows)),
        "answered": float(len(answered)),
        "answer_rate": share(len(answered), len(rows)),
    }
    points = [
        (r.created, _hours(r.created, r.first_response))
        for r in answered
        if r.first_response is not None
    ]
    hours = [h for _, h in points]
    if hours:
        figures["median_first_response_hours"] = median(hours) or 0.0
        figures["within_target"] = sum(h <= target_hours for h in hours) / len(hours)
    done = [r for r in rows if r.state == "done" and r.resolved is not None]
    figures["resolved"] = float(len(done))
    resolution = [_hours(r.created, r.resolved) for r in done if r.resolved is not None]
    if resolution:
        figures["median_resolution_hours"] = median(resolution) or 0.0
    figures.update(_complaints(conn, workspace_id, start, end))
    return Measured(Goal("customer_service", figures), points)


def _complaints(
    conn: Connection, workspace_id: int, start: datetime, end: datetime
) -> dict[str, float]:
    found = complaints(conn, workspace_id, start, end)
    answered = [c for c in found if c.first_response is not None]
    out = {"complaints": float(len(found)), "complaints_answered": float(len(answered))}
    window = timedelta(days=FOLLOW_UP_DAYS)
    later: dict[int, list[tuple[datetime, float]]] = defaultdict(list)
    if answered:
        since = min(c.first_response for c in answered if c.first_response is not None)
        until = max(c.first_response for c in answered if c.first_response is not None)
        for m in later_mentions(
            conn, workspace_id, {c.author_id for c in answered}, since, until + window
        ):
            later[m.author_id].append((m.created, m.score))
    before: list[float] = []
    after: list[float] = []
    for c in answered:
        assert c.first_response is not None
        reply = c.first_response
        scores = [s for t, s in later[c.author_id] if reply < t < reply + window]
        if scores:
            before.append(c.score)
            after.append(sum(scores) / len(scores))
    out["complaints_followed_up"] = float(len(after))
    if after:
        out["sentiment_before"] = sum(before) / len(before)
        out["sentiment_after"] = sum(after) / len(after)
        out["complaints_improved"] = sum(a > b for a, b in zip(after, before, strict=True)) / len(
            after
        )
    return out


def customer_service(
    conn: Connection, workspace_id: int, start: datetime, end: datetime, target_hours: float
) -> Goal:
    """The customer-service figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end, target_hours).goal
