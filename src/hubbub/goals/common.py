"""What every goal shares: the measured result with its headline's points, buckets for
trends, the workspace as stored, and matching a name or code as whole words.

Each goal module computes its figures from the store's rows in one pass and also
returns the time of each event that makes its headline figure (a click, a redemption,
a new lead, a visit ...) as ``points``; a trend is those points summed (or their
median or mean taken) per bucket of the window, so the chart and the figure can never
disagree.
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from hubbub import codec
from hubbub.model import Goal, Workspace
from hubbub.store.tables import workspaces

__all__ = [
    "Aggregate",
    "Measured",
    "bucket_starts",
    "bucketed",
    "fold",
    "median",
    "share",
    "stored_workspace",
    "weeks_in",
    "whole_words",
]

Aggregate = Literal["sum", "median", "mean"]


@dataclass(slots=True)
class Measured:
    """A goal's figures, the ``(time, value)`` points behind its headline, and what its
    page panel lists beside the figures (per-code rows, leads, events, top fans ...)."""

    goal: Goal
    points: list[tuple[datetime, float]] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def bucket_starts(start: datetime, end: datetime, tz: str | None = None) -> list[datetime]:
    """The starts of a trend's buckets over [start, end): days for a window of two weeks
    or less, else weeks (the last one may be short). With ``tz`` the steps are local
    days, so a bucket still starts at local midnight after a daylight-saving change."""
    days = 1 if end - start <= timedelta(days=14) else 7
    zone = ZoneInfo(tz) if tz else UTC
    local = start.astimezone(zone)
    out: list[datetime] = []
    k = 0
    while True:
        day = datetime.combine(local.date() + timedelta(days=k * days), local.time(), zone)
        at = day.astimezone(UTC)
        if at >= end:
            return out
        out.append(at)
        k += 1


def bucketed(
    points: Iterable[tuple[datetime, float]],
    starts: Sequence[datetime],
    end: datetime,
    how: Aggregate,
) -> list[float | None]:
    """The points per bucket: summed (0 for an empty bucket), or their median or mean
    (None for an empty bucket: there is nothing to take it of)."""
    groups: list[list[float]] = [[] for _ in starts]
    for when, value in points:
        if not starts or when < starts[0] or when >= end:
            continue
        i = len(starts) - 1
        while i > 0 and when < starts[i]:
            i -= 1
        groups[i].append(value)
    if how == "sum":
        return [float(sum(g)) for g in groups]
    if how == "median":
        return [statistics.median(g) if g else None for g in groups]
    return [sum(g) / len(g) if g else None for g in groups]


def weeks_in(start: datetime, end: datetime) -> float:
    """The window's length in weeks (at least a day's worth, so a rate never divides by 0)."""
    return max(end - start, timedelta(days=1)) / timedelta(days=7)


def share(part: float, whole: float) -> float:
    """``part / whole``, 0 when there is no whole."""
    return part / whole if whole else 0.0


def median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


def fold(text: str) -> str:
    """Lower case, accents and punctuation off, spaces single: for comparing names."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", plain.lower()).split())


def whole_words(words: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern finding any of ``words`` as a whole word, without case: not inside a
    longer word, code or handle (``SOURDOUGH10`` is not found in ``SOURDOUGH100``)."""
    alternatives = sorted({re.escape(w) for w in words if w}, key=len, reverse=True)
    if not alternatives:
        return None
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives) + r")(?![\w-]*\w)", re.IGNORECASE)


def stored_workspace(conn: Connection, ws_id: int) -> Workspace | None:
    """The workspace as last stored from its ``hubbub.toml`` (handles, name, locale)."""
    config = conn.execute(
        select(workspaces.c.config).where(workspaces.c.id == ws_id)
    ).scalar_one_or_none()
    if config is None:
        return None
    return codec.from_dict(Workspace, config, f"workspaces[{ws_id}].config")
