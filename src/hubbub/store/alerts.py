"""Alerts in the store: the counts spike detection reads, and the alerts it raised.

:func:`stream_day_counts` gathers, per stream, the mentions and negative mentions of
the last 24 hours and of each of the 7 days before, for the pure detector
(:func:`hubbub.insight.spikes.detect`); the database groups by stream, sentiment
and UTC hour (reading the window index of ``mention_streams``), Python folds the
hours into 24-hour windows that end at the next whole hour after ``now``.
:func:`record_alerts` stores new spikes, skipping one whose window overlaps an
alert already raised for the same stream and kind (a check every hour would
otherwise raise the same spike 24 times).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, literal_column, select, update

from hubbub.insight.spikes import BASELINE_DAYS, DayCount, Spike, StreamCounts
from hubbub.store.tables import alerts, mention_streams, mentions, streams
from hubbub.store.types import as_utc

__all__ = [
    "AlertRow",
    "dismiss_alert",
    "recent_alerts",
    "record_alerts",
    "set_deliveries",
    "stream_day_counts",
]


@dataclass(frozen=True, slots=True)
class AlertRow:
    id: int
    stream: str
    kind: str
    window_start: datetime
    window_end: datetime
    observed: float
    mean: float
    threshold: float
    mentions: int
    negative: int
    message: str
    created: datetime
    deliveries: dict[str, str]
    dismissed: datetime | None


def _hour_end(now: datetime) -> datetime:
    now = as_utc(now)
    return now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def stream_day_counts(
    conn: Connection, workspace_id: int, now: datetime, days: int = BASELINE_DAYS
) -> list[StreamCounts]:
    """Per non-paused stream: the last 24 h up to the hour after ``now``, and ``days``
    24-hour windows before it (oldest first), with zeros where nothing came."""
    end = _hour_end(now)
    since = end - timedelta(days=days + 1)
    if conn.dialect.name == "postgresql":
        bucket: ColumnElement[Any] = func.date_trunc("hour", mention_streams.c.created)
    else:  # fixed-width 'YYYY-MM-DD HH:MM:SS.ffffff' UTC text: the hour is 13 characters
        bucket = func.substr(mention_streams.c.created, 1, 13)
    bucket = bucket.label("bucket")
    rows = conn.execute(
        select(
            mention_streams.c.stream_id,
            mentions.c.sentiment_label,
            bucket,
            func.count().label("n"),
        )
        .select_from(mention_streams.join(mentions, mentions.c.id == mention_streams.c.mention_id))
        .where(
            (mention_streams.c.workspace_id == workspace_id)
            & (mention_streams.c.created >= since)
            & (mention_streams.c.created < end)
        )
        .group_by(mention_streams.c.stream_id, mentions.c.sentiment_label, literal_column("bucket"))
    ).all()
    known = conn.execute(
        select(streams.c.id, streams.c.name)
        .where((streams.c.workspace_id == workspace_id) & (streams.c.paused.is_(False)))
        .order_by(streams.c.id)
    ).all()
    totals = {sid: [[0, 0] for _ in range(days + 1)] for sid, _ in known}  # newest first
    for stream_id, label, raw, n in rows:
        if stream_id not in totals:
            continue
        if isinstance(raw, datetime):
            hour = as_utc(raw)
        elif isinstance(raw, date):  # pragma: no cover - date_trunc gives a timestamp
            hour = datetime(raw.year, raw.month, raw.day, tzinfo=UTC)
        else:
            hour = datetime.strptime(str(raw), "%Y-%m-%d %H").replace(tzinfo=UTC)
        back = int((end - hour - timedelta(hours=1)) // timedelta(days=1))
        if 0 <= back <= days:
            totals[stream_id][back][0] += int(n)
            if label == "negative":
                totals[stream_id][back][1] += int(n)
    out = []
    for sid, name in known:
        windows = [DayCount(m, neg) for m, neg in totals[sid]]
        out.append(
            StreamCounts(
                stream=name,
                window_start=end - timedelta(days=1),
                window_end=end,
                last=windows[0],
                baseline=tuple(reversed(windows[1:])),
            )
        )
    return out


def _row(r: Any) -> AlertRow:
    return AlertRow(
        id=r.id,
        stream=r.stream,
        kind=r.kind,
        window_start=as_utc(r.window_start),
        window_end=as_utc(r.window_end),
        observed=float(r.observed),
        mean=float(r.mean),
        threshold=float(r.threshold),
        mentions=int(r.mentions),
        negative=int(r.negative),
        message=r.message,
        created=as_utc(r.created),
        deliveries=dict(r.deliveries or {}),
        dismissed=as_utc(r.dismissed) if r.dismissed is not None else None,
    )


def record_alerts(
    conn: Connection, workspace_id: int, spikes: Sequence[Spike], now: datetime
) -> list[AlertRow]:
    """Store the spikes not already raised (same stream and kind, overlapping window);
    returns the new alerts."""
    new: list[AlertRow] = []
    for s in spikes:
        overlapping = conn.execute(
            select(alerts.c.id).where(
                (alerts.c.workspace_id == workspace_id)
                & (alerts.c.stream == s.stream)
                & (alerts.c.kind == s.kind)
                & (alerts.c.window_end > as_utc(s.window_start))
                & (alerts.c.window_start < as_utc(s.window_end))
            )
        ).first()
        if overlapping is not None:
            continue
        values = {
            "workspace_id": workspace_id,
            "stream": s.stream,
            "kind": s.kind,
            "window_start": as_utc(s.window_start),
            "window_end": as_utc(s.window_end),
            "observed": s.observed,
            "mean": s.mean,
            "threshold": s.threshold,
            "mentions": s.mentions,
            "negative": s.negative,
            "message": s.message,
            "created": as_utc(now),
            "deliveries": {},
        }
        alert_id = conn.execute(
            alerts.insert().values(**values).returning(alerts.c.id)
        ).scalar_one()
        row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
        new.append(_row(row))
    return new


def set_deliveries(conn: Connection, alert_id: int, deliveries: dict[str, str]) -> None:
    """Record where an alert was sent: channel -> "sent" or "error: ..."."""
    conn.execute(update(alerts).where(alerts.c.id == alert_id).values(deliveries=deliveries))


def recent_alerts(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    *,
    include_dismissed: bool = False,
    limit: int = 20,
) -> list[AlertRow]:
    """The workspace's alerts raised since ``since``, newest first."""
    where = (alerts.c.workspace_id == workspace_id) & (alerts.c.created >= as_utc(since))
    if not include_dismissed:
        where = where & alerts.c.dismissed.is_(None)
    rows = conn.execute(
        select(alerts)
        .where(where)
        .order_by(alerts.c.created.desc(), alerts.c.id.desc())
        .limit(limit)
    ).all()
    return [_row(r) for r in rows]


def dismiss_alert(conn: Connection, workspace_id: int, alert_id: int, now: datetime) -> bool:
    """Mark an alert seen; False when the workspace has no such alert."""
    result = conn.execute(
        update(alerts)
        .where((alerts.c.id == alert_id) & (alerts.c.workspace_id == workspace_id))
        .values(dismissed=as_utc(now))
    )
    return bool(result.rowcount)
