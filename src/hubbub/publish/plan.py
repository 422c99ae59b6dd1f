"""Planning what to post: the calendar, the balance guard and the best time to post.

- :func:`calendar` lays the workspace's posts out by local day for a week or a month
  (weeks start on Monday), in the workspace's timezone.
- :func:`balance` is the guard against talking only about yourself: of the posts
  planned for the next 14 days, what share is self-promotion, against a ceiling
  (20% by default: the "80/20 rule" of social media advice).
- :func:`best_hour` suggests the hour of the week whose posts drew the highest median
  engagement: the business's own posts when there are enough of them, else the
  mentions in its streams (when its audience is talking).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from hubbub.store import publish as queries
from hubbub.store.publish import StoredPost

__all__ = [
    "BALANCE_DAYS",
    "DEFAULT_PROMOTION_CEILING",
    "MIN_OWN_POSTS",
    "Balance",
    "BestTime",
    "CalendarDay",
    "balance",
    "best_hour",
    "best_time",
    "calendar",
    "calendar_range",
    "day_bounds",
    "plan_balance",
]

BALANCE_DAYS = 14
DEFAULT_PROMOTION_CEILING = 0.20
MIN_OWN_POSTS = 10  # fewer own posts than this: suggest from the mentions instead
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class CalendarDay:
    day: date
    in_range: bool  # False for the days of neighbouring months shown in a month grid
    posts: tuple[StoredPost, ...]


def calendar_range(anchor: date, view: str) -> tuple[date, date, date, date]:
    """(first day, day after the last, first shown, day after the last shown) of the
    ``week`` or ``month`` around ``anchor``: a month grid shows whole weeks."""
    if view == "month":
        first = anchor.replace(day=1)
        nxt = (first + timedelta(days=32)).replace(day=1)
        return (
            first,
            nxt,
            first - timedelta(days=first.weekday()),
            nxt + timedelta(days=(7 - nxt.weekday()) % 7),
        )
    first = anchor - timedelta(days=anchor.weekday())
    return first, first + timedelta(days=7), first, first + timedelta(days=7)


def calendar(
    posts: Sequence[StoredPost], anchor: date, view: str, tz: str
) -> tuple[date, date, list[list[CalendarDay]]]:
    """(first day, day after the last, weeks of days) of the ``week`` or ``month``
    around ``anchor``, each day holding its posts by local time."""
    zone = ZoneInfo(tz)
    first, nxt, start, end = calendar_range(anchor, view)
    by_day: dict[date, list[StoredPost]] = defaultdict(list)
    for post in posts:
        if post.scheduled_for is not None:
            by_day[post.scheduled_for.astimezone(zone).date()].append(post)
    weeks: list[list[CalendarDay]] = []
    day = start
    while day < end:
        week = []
        for _ in range(7):
            week.append(CalendarDay(day, first <= day < nxt, tuple(by_day.get(day, ()))))
            day += timedelta(days=1)
        weeks.append(week)
    return first, nxt, weeks


def day_bounds(first: date, end: date, tz: str) -> tuple[datetime, datetime]:
    """The UTC instants of local midnight at ``first`` and at ``end``."""
    zone = ZoneInfo(tz)
    return (
        datetime.combine(first, time(), zone),
        datetime.combine(end, time(), zone),
    )


@dataclass(frozen=True, slots=True)
class Balance:
    counts: Mapping[str, int]
    total: int
    promotion_share: float
    ceiling: float

    @property
    def over(self) -> bool:
        return self.total > 0 and self.promotion_share > self.ceiling


def balance(counts: Mapping[str, int], ceiling: float = DEFAULT_PROMOTION_CEILING) -> Balance:
    """The planned mix and whether self-promotion is above ``ceiling`` (a share)."""
    full = {k: int(counts.get(k, 0)) for k in queries.POST_KINDS}
    total = sum(full.values())
    share = full["self_promotion"] / total if total else 0.0
    return Balance(full, total, share, ceiling)


def plan_balance(
    conn: Connection, workspace_id: int, now: datetime, ceiling: float = DEFAULT_PROMOTION_CEILING
) -> Balance:
    """The balance of the posts planned from ``now`` for :data:`BALANCE_DAYS` days."""
    counts = queries.kind_counts(conn, workspace_id, now, now + timedelta(days=BALANCE_DAYS))
    return balance(counts, ceiling)


@dataclass(frozen=True, slots=True)
class BestTime:
    weekday: int  # 0 = Monday
    hour: int
    median: float
    samples: int
    basis: str  # "own posts" or "mentions"

    @property
    def label(self) -> str:
        return f"{DAYS[self.weekday]} {self.hour:02d}:00"


def best_hour(
    times: Sequence[tuple[datetime, int]], tz: str, *, min_samples: int = 2
) -> tuple[int, int, float, int] | None:
    """(weekday, hour, median engagement, samples) of the local hour of the week with
    the highest median engagement among hours with ``min_samples`` posts or more
    (ties: the earlier hour of the week); None with no such hour."""
    zone = ZoneInfo(tz)
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for moment, engagement in times:
        local = moment.astimezone(zone)
        buckets[(local.weekday(), local.hour)].append(engagement)
    ranked = [
        (statistics.median(v), -k[0] * 24 - k[1], k, len(v))
        for k, v in buckets.items()
        if len(v) >= min_samples
    ]
    if not ranked:
        return None
    med, _, (weekday, hour), n = max(ranked)
    return weekday, hour, float(med), n


def best_time(conn: Connection, workspace_id: int, tz: str, now: datetime) -> BestTime | None:
    """The suggestion from the last 90 days: own posts first, else the mentions."""
    since = now - timedelta(days=90)
    own = queries.engagement_times(conn, workspace_id, since, own=True)
    if len(own) >= MIN_OWN_POSTS:
        found = best_hour(own, tz)
        if found is not None:
            return BestTime(*found, basis="own posts")
    found = best_hour(queries.engagement_times(conn, workspace_id, since, own=False), tz)
    return None if found is None else BestTime(*found, basis="mentions")
