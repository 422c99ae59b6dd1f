"""Local days typed by people: a date as a UTC bound, and a window back as words.

A date typed in a form (``<input type="date">``) or on the command line
(``hubbub streams add --starts``) is a day in the workspace's time zone:
a start is that day's local midnight, an end the midnight after it (the day is
included), so ``[start, end)`` holds every moment of the days chosen. This is what
hubbub.toml's ``starts``/``ends`` dates mean too.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = ["day_bound", "day_field", "days_text"]


def day_bound(value: str, tz: str, *, end: bool = False) -> datetime | None:
    """``YYYY-MM-DD`` as the local midnight that starts it (``end``: the one after it), in
    UTC; None for an empty field. ValueError names a value that is not a date."""
    text = value.strip()
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    local = datetime.combine(day + timedelta(days=1 if end else 0), time(0), ZoneInfo(tz))
    return local.astimezone(UTC)


def day_field(moment: datetime | None, tz: str, *, end: bool = False) -> str:
    """A bound back as the form's ``YYYY-MM-DD`` (an end as the last day it includes)."""
    if moment is None:
        return ""
    if end:
        moment -= timedelta(microseconds=1)
    return moment.astimezone(ZoneInfo(tz)).date().isoformat()


def days_text(starts: datetime | None, ends: datetime | None, tz: str) -> str:
    """A window as people say it: ``Apr 1 – Apr 30``, ``from Apr 1``, ``until Apr 30``,
    or ``always`` (an end is shown as the last day it includes)."""
    zone = ZoneInfo(tz)

    def day(moment: datetime) -> str:
        local = moment.astimezone(zone)
        return f"{local:%b} {local.day}"

    first = day(starts) if starts else ""
    last = day(ends - timedelta(microseconds=1)) if ends else ""
    if first and last:
        return f"{first} – {last}" if first != last else first
    if first:
        return f"from {first}"
    return f"until {last}" if last else "always"
