"""Column types that make SQLite and PostgreSQL hand back the same Python values.

``DateTime(timezone=True)`` alone does not: PostgreSQL returns aware datetimes in
the session's zone, SQLite stores a bare string and returns *naive* datetimes. The
:class:`UtcDateTime` decorator stores UTC (a fixed-width text on SQLite, so that
text order is time order) and always returns aware UTC datetimes; it refuses naive
ones, since in hubbub a naive datetime is a bug upstream, not a value to guess at.

The compact JSON of :class:`~hubbub.model.Entities`
(``[[text, start, end], ...]`` lists rather than one object per span, about half the
bytes of ``codec.to_dict``) is also defined here, so the writer and every reader
share one format.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

from hubbub.model import Entities, Span

__all__ = [
    "UtcDateTime",
    "as_utc",
    "entities_from_json",
    "entities_to_json",
    "json_dumps",
    "opt_utc",
]

_ENTITY_KINDS = ("hashtags", "mentions", "urls", "cashtags")


class UtcDateTime(TypeDecorator[datetime]):
    """An aware-UTC datetime column on every dialect (naive values are refused)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"UtcDateTime expects a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} given to the store: "
                "hubbub datetimes are timezone-aware UTC"
            )
        utc = value if value.tzinfo is UTC else value.astimezone(UTC)
        if dialect.name == "sqlite":
            return utc.replace(tzinfo=None)  # stored as fixed-width UTC text
        return utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        if when.tzinfo is None:
            return when.replace(tzinfo=UTC)
        return when.astimezone(UTC)


def as_utc(value: datetime) -> datetime:
    """A stored time as aware UTC.

    Columns of :class:`UtcDateTime` already come back so; an aggregate or a raw SQL
    expression bypasses the type, and SQLite then hands back a naive datetime,
    which in hubbub is always UTC.
    """
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def opt_utc(value: datetime | None) -> datetime | None:
    """:func:`as_utc` for a nullable column."""
    return None if value is None else as_utc(value)


def entities_to_json(entities: Entities | None) -> dict[str, Any] | None:
    """``Entities`` as the ``posts.entities`` JSON: ``{"hashtags": [[text, start, end]], ...}``."""
    if entities is None:
        return None
    out: dict[str, Any] = {
        kind: [[s.text, s.start, s.end] for s in getattr(entities, kind)] for kind in _ENTITY_KINDS
    }
    out["reply"] = entities.reply
    return out


def entities_from_json(data: dict[str, Any] | None) -> Entities | None:
    """The inverse of :func:`entities_to_json` (``None`` stays ``None``)."""
    if data is None:
        return None
    spans = {
        kind: tuple(Span(str(t), int(a), int(b)) for t, a, b in data.get(kind) or ())
        for kind in _ENTITY_KINDS
    }
    return Entities(
        hashtags=spans["hashtags"],
        mentions=spans["mentions"],
        urls=spans["urls"],
        cashtags=spans["cashtags"],
        reply=data.get("reply"),
    )


# JSON columns: compact, UTF-8 as is, no cycle check (our values are plain trees);
# measurably cheaper than json.dumps' defaults over 100,000 values a run.
json_dumps = json.JSONEncoder(
    ensure_ascii=False, check_circular=False, separators=(",", ":")
).encode
