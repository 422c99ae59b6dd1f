"""The reads and writes only reports need: the audit of a window, the digest ledger.

:func:`audit_in_window` is the newest stored audit report dated inside a report's
window (the audit history is :mod:`hubbub.store.audit`'s). The digest ledger keeps
one row per workspace and ISO week: :func:`claim_digest` takes the week before the
e-mail goes out (an ``INSERT ... ON CONFLICT DO NOTHING``, or one conditional
``UPDATE`` of a failed or stale claim), so of two senders in the same week, say a
cron job run twice or two workers, exactly one wins; :func:`finish_digest` records
how it went. Both statements are atomic on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Connection, Table, select, update
from sqlalchemy.dialects import postgresql, sqlite

from hubbub.store.audit import StoredReport
from hubbub.store.queries import WorkspaceInfo
from hubbub.store.tables import audit_reports, digests, stored_settings, workspaces
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "DigestRow",
    "audit_in_window",
    "claim_digest",
    "digest_row",
    "digest_workspaces",
    "finish_digest",
]


def audit_in_window(
    conn: Connection, workspace_id: int, since: datetime, until: datetime
) -> StoredReport | None:
    """The newest audit report created in ``[since, until)``, or ``None`` if none was run."""
    row = conn.execute(
        select(audit_reports)
        .where(
            (audit_reports.c.workspace_id == workspace_id)
            & (audit_reports.c.created >= as_utc(since))
            & (audit_reports.c.created < as_utc(until))
        )
        .order_by(audit_reports.c.created.desc(), audit_reports.c.id.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return StoredReport(
        id=row.id,
        created=as_utc(row.created),
        window=row.window,
        figures=dict(row.figures),
        recommendations=list(row.recommendations),
    )


# --- the digest ledger ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DigestRow:
    week: str  # ISO week, e.g. "2026-W48"
    state: str  # sending | sent | failed
    claimed: datetime
    sent: datetime | None
    recipients: tuple[str, ...]
    error: str


def _insert(conn: Connection, table: Table) -> sqlite.Insert | postgresql.Insert:
    """The dialect's INSERT, which knows ``ON CONFLICT``."""
    if conn.dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _key(workspace_id: int, week: str) -> ColumnElement[bool]:
    return (digests.c.workspace_id == workspace_id) & (digests.c.week == week)


def digest_row(conn: Connection, workspace_id: int, week: str) -> DigestRow | None:
    """The ledger's row for the workspace's week, or ``None`` when nothing was sent."""
    r: Any = conn.execute(select(digests).where(_key(workspace_id, week))).first()
    if r is None:
        return None
    return DigestRow(
        week=r.week,
        state=r.state,
        claimed=as_utc(r.claimed),
        sent=opt_utc(r.sent),
        recipients=tuple(r.recipients or ()),
        error=r.error or "",
    )


def claim_digest(
    conn: Connection,
    workspace_id: int,
    week: str,
    recipients: Sequence[str],
    *,
    now: datetime,
    stale_before: datetime,
    force: bool = False,
) -> bool:
    """Take the week's digest for sending; ``False`` when it is not this caller's to send.

    A week is free when it has no row, when its last try ``failed``, or when a claim
    (``sending``) is older than ``stale_before`` (its sender died); with ``force`` a
    ``sent`` week is free again (an in-flight claim never is).
    """
    values = {
        "workspace_id": workspace_id,
        "week": week,
        "state": "sending",
        "claimed": as_utc(now),
        "sent": None,
        "recipients": list(recipients),
        "error": "",
    }
    inserted = conn.execute(
        _insert(conn, digests)
        .values(**values)
        .on_conflict_do_nothing(index_elements=[digests.c.workspace_id, digests.c.week])
        .returning(digests.c.id)
    ).first()
    if inserted is not None:
        return True
    free = (digests.c.state == "failed") | (
        (digests.c.state == "sending") & (digests.c.claimed < as_utc(stale_before))
    )
    if force:
        free = free | (digests.c.state == "sent")
    result = conn.execute(
        update(digests)
        .where(_key(workspace_id, week) & free)
        .values(state="sending", claimed=as_utc(now), sent=None, recipients=list(recipients))
        .values(error="")
    )
    return result.rowcount == 1


def finish_digest(
    conn: Connection, workspace_id: int, week: str, *, now: datetime, error: str = ""
) -> None:
    """Mark the week's claim ``sent`` at ``now``, or ``failed`` with the one-line ``error``."""
    values: dict[str, Any] = (
        {"state": "failed", "error": error[:500]}
        if error
        else {"state": "sent", "sent": as_utc(now), "error": ""}
    )
    conn.execute(update(digests).where(_key(workspace_id, week)).values(**values))


def digest_workspaces(conn: Connection, setting: str) -> list[WorkspaceInfo]:
    """The workspaces with a non-empty stored setting ``setting`` (the digest's
    recipients): the only ones a worker sends a scheduled digest for."""
    rows = conn.execute(
        select(workspaces.c.id, workspaces.c.slug, workspaces.c.name, workspaces.c.timezone)
        .join(stored_settings, stored_settings.c.workspace_id == workspaces.c.id)
        .where((stored_settings.c.name == setting) & (stored_settings.c.value != ""))
        .order_by(workspaces.c.id)
    ).all()
    return [WorkspaceInfo(r.id, r.slug, r.name, r.timezone) for r in rows]
