"""The seven goals a small business uses social media for, measured over a time window.

DESIGN.md names them: traffic, promotions, leads, visits, events, customer service,
loyalty. Each has a module here with one function returning a
:class:`~hubbub.model.Goal` of named figures over ``[start, end)``, and its module
docstring says what every figure counts. :func:`measure` is the single entry point the
Goals page, ``hubbub goals``, the report and the digest share, so they never disagree;
:func:`measure_trends` adds each goal's headline per day or week and the previous window
of the same length, for the page and ``hubbub goals --json``.

Modules: ``traffic``, ``promotions`` (and ``redemptions``, the CSV import), ``leads``,
``visits``, ``events``, ``service`` (customer service), ``loyalty``; ``explain`` holds
each figure's label, meaning and the hints; ``demo`` fills the demo's Goals page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection

from hubbub.goals import events as events_goal
from hubbub.goals import leads as leads_goal
from hubbub.goals import loyalty as loyalty_goal
from hubbub.goals import promotions as promotions_goal
from hubbub.goals import service as service_goal
from hubbub.goals import traffic as traffic_goal
from hubbub.goals import visits as visits_goal
from hubbub.goals.common import Aggregate, Measured, bucket_starts, bucketed
from hubbub.goals.events import events
from hubbub.goals.leads import leads
from hubbub.goals.loyalty import loyalty
from hubbub.goals.promotions import promotions
from hubbub.goals.service import customer_service
from hubbub.goals.traffic import traffic
from hubbub.goals.visits import visits
from hubbub.model import GOALS, Goal

__all__ = [
    "HEADLINES",
    "GoalTrend",
    "Headline",
    "customer_service",
    "events",
    "leads",
    "loyalty",
    "measure",
    "measure_trends",
    "promotions",
    "traffic",
    "visits",
]


@dataclass(frozen=True, slots=True)
class Headline:
    """A goal's headline figure, how its trend aggregates, and which way is better."""

    figure: str
    how: Aggregate
    better: Literal["up", "down"] = "up"


HEADLINES: dict[str, Headline] = {
    "traffic": Headline("clicks", "sum"),
    "promotions": Headline("redeemed", "sum"),
    "leads": Headline("new_leads", "sum"),
    "visits": Headline("visits", "sum"),
    "events": Headline("event_mentions", "sum"),
    "customer_service": Headline("median_first_response_hours", "median", "down"),
    "loyalty": Headline("repeat_share", "mean"),
}


@dataclass(frozen=True, slots=True)
class GoalTrend:
    """A goal over the window with its trend: the headline per bucket (a day for windows
    of two weeks or less, else a week; ``None`` where a median or mean had nothing to
    go on), the same goal over the window before, and what the page lists beside it."""

    goal: Goal
    previous: Goal
    headline: Headline
    buckets: tuple[datetime, ...]
    values: tuple[float | None, ...]
    details: dict[str, Any]

    def change(self, figure: str) -> float | None:
        """The figure's relative change against the previous window (0.25: a quarter
        more), or None when either side is missing or the previous one is 0."""
        now, before = self.goal.figures.get(figure), self.previous.figures.get(figure)
        if now is None or not before:
            return None
        return (now - before) / abs(before)


def _measured(
    conn: Connection, workspace_id: int, start: datetime, end: datetime, target_hours: float
) -> list[Measured]:
    found = [
        traffic_goal.measured(conn, workspace_id, start, end),
        promotions_goal.measured(conn, workspace_id, start, end),
        leads_goal.measured(conn, workspace_id, start, end),
        visits_goal.measured(conn, workspace_id, start, end),
        events_goal.measured(conn, workspace_id, start, end),
        service_goal.measured(conn, workspace_id, start, end, target_hours),
        loyalty_goal.measured(conn, workspace_id, start, end),
    ]
    assert tuple(m.goal.name for m in found) == GOALS  # DESIGN.md's order
    return found


def measure(
    conn: Connection, workspace_id: int, start: datetime, end: datetime, target_hours: float
) -> list[Goal]:
    """Every goal over [start, end), in DESIGN.md's order: what the Goals page, the
    report and the digest show, so they never disagree. ``target_hours`` is the
    workspace's response target, for customer service's ``within_target``."""
    return [m.goal for m in _measured(conn, workspace_id, start, end, target_hours)]


def measure_trends(
    conn: Connection,
    workspace_id: int,
    start: datetime,
    end: datetime,
    target_hours: float,
    *,
    tz: str | None = None,
) -> list[GoalTrend]:
    """Every goal over [start, end) with its trend and the window of the same length
    before (see :class:`GoalTrend`), in DESIGN.md's order. ``tz`` (the workspace's
    zone) keeps the trend's days and weeks on local midnights."""
    before = start - (end - start)
    previous = measure(conn, workspace_id, before, start, target_hours)
    starts = bucket_starts(start, end, tz)
    out = []
    for now, prev in zip(
        _measured(conn, workspace_id, start, end, target_hours), previous, strict=True
    ):
        headline = HEADLINES[now.goal.name]
        values = bucketed(now.points, starts, end, headline.how)
        out.append(GoalTrend(now.goal, prev, headline, tuple(starts), tuple(values), now.details))
    return out
