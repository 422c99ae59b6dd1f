"""A report's window: whole local days in the workspace's time zone, and the one before.

A report covers ``first`` to ``last`` inclusive, as the business reads its calendar;
the database is asked for ``[since, until)`` in UTC, from the local midnight that
starts ``first`` to the one that ends ``last`` (so a window over a DST change is 23
or 25 hours longer or shorter, as the days really were). The previous window is the
same number of days just before, which every figure's change is measured against.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["MAX_DAYS", "Window", "WindowError", "dates_window", "last_days", "parse_day"]

#: the longest window a report covers (two years and a day: a leap year fits)
MAX_DAYS = 732


_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class WindowError(ValueError):
    """A window that cannot be reported on; the message names the option at fault."""


@dataclass(frozen=True, slots=True)
class Window:
    first: date  # local, inclusive
    last: date  # local, inclusive
    tz: str

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def _midnight(self, day: date) -> datetime:
        return datetime.combine(day, time(0), tzinfo=ZoneInfo(self.tz)).astimezone(UTC)

    @property
    def since(self) -> datetime:
        """UTC: the local midnight that starts ``first``."""
        return self._midnight(self.first)

    @property
    def until(self) -> datetime:
        """UTC: the local midnight that ends ``last``."""
        return self._midnight(self.last + timedelta(days=1))

    @property
    def previous(self) -> Window:
        """The same number of days just before this window."""
        return Window(
            self.first - timedelta(days=self.days), self.first - timedelta(days=1), self.tz
        )

    @property
    def label(self) -> str:
        """``Nov 1 – Nov 30, 2026``, or with both years when it spans a new year."""
        first, last = self.first, self.last
        if first == last:
            return f"{last:%a %b} {last.day}, {last.year}"
        start = f"{first:%b} {first.day}" + ("" if first.year == last.year else f", {first.year}")
        return f"{start} – {last:%b} {last.day}, {last.year}"


def dates_window(first: date, last: date, tz: str) -> Window:
    """The window from ``first`` to ``last`` inclusive; :class:`WindowError` if it is
    reversed or longer than :data:`MAX_DAYS`."""
    if last < first:
        raise WindowError(f"--from {first.isoformat()} is after --to {last.isoformat()}")
    window = Window(first, last, tz)
    if window.days > MAX_DAYS:
        raise WindowError(f"the window is {window.days} days; at most {MAX_DAYS} are reported")
    return window


def last_days(now: datetime, days: int, tz: str) -> Window:
    """The last ``days`` local days up to and including today (``now``'s local date)."""
    if not 1 <= days <= MAX_DAYS:
        raise WindowError(f"days must be between 1 and {MAX_DAYS}, not {days}")
    today = now.astimezone(ZoneInfo(tz)).date()
    return Window(today - timedelta(days=days - 1), today, tz)


def parse_day(raw: str, option: str) -> date:
    """A ``YYYY-MM-DD`` date given as ``option``; :class:`WindowError` naming it if not."""
    try:
        if not _DAY.match(raw.strip()):
            raise ValueError(raw)
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise WindowError(f"{option} {raw!r}: not a date; write it as YYYY-MM-DD") from None
