"""Reads and writes behind the team: members, invitations, failed logins, the audit log.

The rules (who may invite whom, the last-owner guard, password strength, the rate
limit's numbers) live in :mod:`hubbub.team`; this module only reads and writes rows
and returns plain dataclasses, so routes and commands never touch tables.

Every function takes a SQLAlchemy ``Connection``; the caller owns the transaction.
Times are passed in (``now``) so tests can fix the clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.orm import aliased

from hubbub.store.tables import (
    audit_log,
    invitations,
    login_attempts,
    memberships,
    users,
    web_sessions,
    workspaces,
)
from hubbub.store.types import as_utc, opt_utc

__all__ = [
    "AuditLine",
    "Invitation",
    "LoginKeyState",
    "TeamMember",
    "add_invitation",
    "audit_count",
    "audit_page",
    "clear_login_failures",
    "end_other_sessions",
    "invitation_by_hash",
    "invitation_by_id",
    "invitation_list",
    "log_action",
    "login_lock",
    "mark_invitation_accepted",
    "mark_invitation_revoked",
    "member_list",
    "record_login_failure",
    "remove_membership",
    "set_password_hash",
    "user_password_hash",
    "workspace_name",
]


@dataclass(frozen=True, slots=True)
class TeamMember:
    id: int
    username: str
    name: str
    role: str


@dataclass(frozen=True, slots=True)
class Invitation:
    id: int
    workspace_id: int
    email: str
    name: str
    role: str
    created: datetime
    created_by: str | None  # the inviter's username; None: the command line
    expires: datetime
    accepted: datetime | None
    revoked: datetime | None

    def pending(self, now: datetime) -> bool:
        return self.accepted is None and self.revoked is None and self.expires > now

    def status(self, now: datetime) -> str:
        if self.accepted is not None:
            return "accepted"
        if self.revoked is not None:
            return "revoked"
        return "expired" if self.expires <= now else "pending"


@dataclass(frozen=True, slots=True)
class AuditLine:
    id: int
    user: str | None  # the username; None: hubbub itself
    action: str
    subject: str
    detail: dict[str, Any]
    created: datetime


@dataclass(frozen=True, slots=True)
class LoginKeyState:
    """One rate-limit key after a failure: its count in the window and its lock."""

    key: str
    failures: int
    locked_until: datetime | None


# --- members --------------------------------------------------------------------------------


def member_list(conn: Connection, workspace_id: int) -> list[TeamMember]:
    """The workspace's members, owners first, then by username."""
    rank = {"owner": 0, "manager": 1, "staff": 2}
    rows = conn.execute(
        select(users.c.id, users.c.username, users.c.name, memberships.c.role)
        .join(memberships, memberships.c.user_id == users.c.id)
        .where(memberships.c.workspace_id == workspace_id)
    ).all()
    found = [TeamMember(r.id, r.username, r.name, r.role) for r in rows]
    return sorted(found, key=lambda m: (rank.get(m.role, 9), m.username.lower()))


def remove_membership(conn: Connection, workspace_id: int, user_id: int) -> bool:
    """End a user's membership (their account stays); False when they were not a member."""
    result = conn.execute(
        delete(memberships).where(
            (memberships.c.workspace_id == workspace_id) & (memberships.c.user_id == user_id)
        )
    )
    return result.rowcount > 0


def workspace_name(conn: Connection, workspace_id: int) -> str | None:
    row = conn.execute(select(workspaces.c.name).where(workspaces.c.id == workspace_id)).first()
    return None if row is None else str(row.name)


def user_password_hash(conn: Connection, user_id: int) -> str | None:
    row = conn.execute(select(users.c.password_hash).where(users.c.id == user_id)).first()
    return None if row is None else str(row.password_hash)


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def end_other_sessions(conn: Connection, user_id: int, keep_token_hash: str | None) -> int:
    """End every session of a user but the one kept (after a password change)."""
    where = web_sessions.c.user_id == user_id
    if keep_token_hash is not None:
        where = where & (web_sessions.c.token_hash != keep_token_hash)
    return conn.execute(delete(web_sessions).where(where)).rowcount


# --- invitations ----------------------------------------------------------------------------


def add_invitation(
    conn: Connection,
    workspace_id: int,
    *,
    token_hash: str,
    email: str,
    name: str,
    role: str,
    created_by: int | None,
    now: datetime,
    expires: datetime,
) -> int:
    result = conn.execute(
        insert(invitations).values(
            workspace_id=workspace_id,
            token_hash=token_hash,
            email=email,
            name=name,
            role=role,
            created=now,
            created_by=created_by,
            expires=expires,
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def _invitation_select() -> Any:
    inviter = aliased(users)
    return select(
        invitations.c.id,
        invitations.c.workspace_id,
        invitations.c.email,
        invitations.c.name,
        invitations.c.role,
        invitations.c.created,
        inviter.c.username.label("inviter"),
        invitations.c.expires,
        invitations.c.accepted,
        invitations.c.revoked,
    ).outerjoin(inviter, inviter.c.id == invitations.c.created_by)


def _invitation(r: Any) -> Invitation:
    return Invitation(
        id=r.id,
        workspace_id=r.workspace_id,
        email=r.email,
        name=r.name,
        role=r.role,
        created=as_utc(r.created),
        created_by=r.inviter,
        expires=as_utc(r.expires),
        accepted=opt_utc(r.accepted),
        revoked=opt_utc(r.revoked),
    )


def invitation_by_hash(conn: Connection, token_hash: str) -> Invitation | None:
    row = conn.execute(_invitation_select().where(invitations.c.token_hash == token_hash)).first()
    return None if row is None else _invitation(row)


def invitation_by_id(conn: Connection, workspace_id: int, invitation_id: int) -> Invitation | None:
    row = conn.execute(
        _invitation_select().where(
            (invitations.c.id == invitation_id) & (invitations.c.workspace_id == workspace_id)
        )
    ).first()
    return None if row is None else _invitation(row)


def invitation_list(conn: Connection, workspace_id: int, *, limit: int = 50) -> list[Invitation]:
    """The workspace's invitations, newest first."""
    rows = conn.execute(
        _invitation_select()
        .where(invitations.c.workspace_id == workspace_id)
        .order_by(invitations.c.created.desc(), invitations.c.id.desc())
        .limit(limit)
    ).all()
    return [_invitation(r) for r in rows]


def mark_invitation_accepted(
    conn: Connection, invitation_id: int, user_id: int, now: datetime
) -> bool:
    """Use an invitation once: False when it was already accepted or revoked meanwhile."""
    result = conn.execute(
        update(invitations)
        .where(
            (invitations.c.id == invitation_id)
            & invitations.c.accepted.is_(None)
            & invitations.c.revoked.is_(None)
        )
        .values(accepted=now, accepted_by=user_id)
    )
    return result.rowcount == 1


def mark_invitation_revoked(
    conn: Connection, workspace_id: int, invitation_id: int, user_id: int | None, now: datetime
) -> bool:
    """Revoke a pending invitation of the workspace; False when there is none to revoke."""
    result = conn.execute(
        update(invitations)
        .where(
            (invitations.c.id == invitation_id)
            & (invitations.c.workspace_id == workspace_id)
            & invitations.c.accepted.is_(None)
            & invitations.c.revoked.is_(None)
        )
        .values(revoked=now, revoked_by=user_id)
    )
    return result.rowcount == 1


# --- failed logins --------------------------------------------------------------------------


def login_lock(conn: Connection, keys: list[str], now: datetime) -> datetime | None:
    """The latest time any of ``keys`` is locked until, if one is locked at ``now``."""
    rows = conn.execute(
        select(login_attempts.c.locked_until).where(
            login_attempts.c.key.in_(keys) & (login_attempts.c.locked_until > now)
        )
    ).all()
    times = [as_utc(r.locked_until) for r in rows]
    return max(times) if times else None


def record_login_failure(
    conn: Connection,
    key: str,
    now: datetime,
    *,
    limit: int,
    window: timedelta,
    lock: timedelta,
) -> LoginKeyState:
    """Count a failure for ``key``; the ``limit``-th within ``window`` locks it for ``lock``.

    A failure after the window has passed starts a new window at one. When the key
    locks, its count starts again from zero, so after the lock it has a fresh window.
    """
    row = conn.execute(select(login_attempts).where(login_attempts.c.key == key)).first()
    if row is None or as_utc(row.window_start) <= now - window:
        failures, start = 1, now
    else:
        failures, start = int(row.failures) + 1, as_utc(row.window_start)
    locked_until = opt_utc(row.locked_until) if row is not None else None
    if failures >= limit:
        locked_until, failures, start = now + lock, 0, now
    values = {"failures": failures, "window_start": start, "locked_until": locked_until}
    if row is None:
        conn.execute(insert(login_attempts).values(key=key, **values))
    else:
        conn.execute(update(login_attempts).where(login_attempts.c.key == key).values(**values))
    return LoginKeyState(key=key, failures=failures, locked_until=locked_until)


def clear_login_failures(conn: Connection, key: str) -> None:
    conn.execute(delete(login_attempts).where(login_attempts.c.key == key))


# --- the audit log --------------------------------------------------------------------------


def log_action(
    conn: Connection,
    workspace_id: int,
    user_id: int | None,
    action: str,
    subject: str,
    detail: dict[str, Any] | None = None,
    *,
    now: datetime,
) -> None:
    """Append one line to the workspace's audit log (``user_id`` None: the command line)."""
    conn.execute(
        insert(audit_log).values(
            workspace_id=workspace_id,
            user_id=user_id,
            action=action,
            subject=subject,
            detail=detail or {},
            created=now,
        )
    )


def audit_count(conn: Connection, workspace_id: int) -> int:
    total = conn.execute(
        select(func.count()).select_from(audit_log).where(audit_log.c.workspace_id == workspace_id)
    ).scalar_one()
    return int(total)


def audit_page(
    conn: Connection, workspace_id: int, *, limit: int, offset: int = 0
) -> list[AuditLine]:
    """One page of the workspace's whole audit log, newest first."""
    rows = conn.execute(
        select(
            audit_log.c.id,
            users.c.username,
            audit_log.c.action,
            audit_log.c.subject,
            audit_log.c.detail,
            audit_log.c.created,
        )
        .outerjoin(users, users.c.id == audit_log.c.user_id)
        .where(audit_log.c.workspace_id == workspace_id)
        .order_by(audit_log.c.created.desc(), audit_log.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return [
        AuditLine(
            id=r.id,
            user=r.username,
            action=r.action,
            subject=r.subject,
            detail=dict(r.detail or {}),
            created=as_utc(r.created),
        )
        for r in rows
    ]
