"""When: the post's time on the workspace's clock, and its hour of the week.

zoneinfo (with the tzdata package as fallback) handles DST, so an 8 am post is
hour 8 of its day in both January and July; hour_of_week (0 = Monday 00:00
local) is what the baseline for spikes is binned by.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubbub.model import When

__all__ = ["hour_of_week", "local_time", "when", "zone"]


@cache
def zone(name: str) -> ZoneInfo:
    """The zone called ``name``; ValueError naming it if there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown timezone {name!r} (expected an IANA name like Europe/Paris)"
        ) from None


def local_time(moment: datetime, timezone: str) -> datetime:
    """``moment`` in ``timezone``; a naive datetime is taken to be UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(zone(timezone))


def hour_of_week(local: datetime) -> int:
    """0 for Monday 00:00-00:59 local ... 167 for Sunday 23:00-23:59."""
    return local.weekday() * 24 + local.hour


def when(created: datetime, timezone: str) -> When:
    local = local_time(created, timezone)
    return When(local_time=local, hour_of_week=hour_of_week(local))
