"""People who log in to the web UI: users, their workspaces, and server-side sessions.

Why server-side sessions rather than a signed cookie: logging out (or an owner
removing someone) must end the session at once, and a session carries its own
CSRF token. The cookie holds only a random token; the table keeps its sha256, so a
leaked database backup cannot be replayed as a login. Passwords are hashed with
argon2id (argon2-cffi's defaults), and a hash made with older parameters is
upgraded on the next successful login.

Every function takes a SQLAlchemy ``Connection``; the caller owns the transaction.
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import Connection, delete, insert, select, update

from hubbub.model import ROLES
from hubbub.store.tables import memberships, users, web_sessions, workspaces
from hubbub.store.types import as_utc

__all__ = [
    "NewSession",
    "SessionUser",
    "User",
    "UserError",
    "UserWorkspace",
    "add_membership",
    "authenticate",
    "create_session",
    "create_user",
    "end_session",
    "hash_token",
    "membership_role",
    "session_user",
    "user_workspaces",
]

_hasher = PasswordHasher()
# Verified against when the username is unknown, so a wrong username costs as much
# time as a wrong password and response times do not reveal which users exist.
_DUMMY_HASH = _hasher.hash("hubbub: no such user")


class UserError(ValueError):
    """A user or membership cannot be created as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class User:
    id: int
    username: str
    name: str


@dataclass(frozen=True, slots=True)
class SessionUser:
    """The user behind a session cookie, with the session's CSRF token."""

    user: User
    csrf_token: str
    expires: datetime


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just created: ``token`` goes into the cookie and is stored nowhere."""

    token: str
    csrf_token: str
    expires: datetime


@dataclass(frozen=True, slots=True)
class UserWorkspace:
    id: int
    slug: str
    name: str
    timezone: str
    role: str


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def hash_token(token: str) -> str:
    """The sha256 hex digest under which a session token is stored."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_user(conn: Connection, username: str, password: str, name: str = "") -> int:
    """Create a user with an argon2 password hash; return its id."""
    username = username.strip()
    if not username:
        raise UserError("username: must not be empty")
    if len(username) > 200:
        raise UserError("username: longer than 200 characters")
    if not password:
        raise UserError(f"password for {username!r}: must not be empty")
    exists = conn.execute(select(users.c.id).where(users.c.username == username)).first()
    if exists is not None:
        raise UserError(f"username {username!r}: already taken")
    result = conn.execute(
        insert(users).values(
            username=username,
            name=name,
            password_hash=_hasher.hash(password),
            created=datetime.now(UTC),
        )
    )
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def add_membership(conn: Connection, user_id: int, workspace_id: int, role: str) -> None:
    """Give a user a role in a workspace (replacing the role they had there)."""
    if role not in ROLES:
        raise UserError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    where = (memberships.c.user_id == user_id) & (memberships.c.workspace_id == workspace_id)
    if conn.execute(select(memberships.c.role).where(where)).first() is not None:
        conn.execute(update(memberships).where(where).values(role=role))
    else:
        conn.execute(
            insert(memberships).values(user_id=user_id, workspace_id=workspace_id, role=role)
        )


def authenticate(conn: Connection, username: str, password: str) -> User | None:
    """The user whose username and password these are, or ``None``."""
    row = conn.execute(
        select(users.c.id, users.c.username, users.c.name, users.c.password_hash).where(
            users.c.username == username.strip()
        )
    ).first()
    if row is None:
        with contextlib.suppress(VerificationError):
            _hasher.verify(_DUMMY_HASH, password)
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        conn.execute(
            update(users).where(users.c.id == row.id).values(password_hash=_hasher.hash(password))
        )
    return User(id=row.id, username=row.username, name=row.name)


def create_session(
    conn: Connection, user_id: int, hours: float, *, now: datetime | None = None
) -> NewSession:
    """Start a session for a user lasting ``hours``; expired sessions are swept away."""
    now = _now(now)
    conn.execute(delete(web_sessions).where(web_sessions.c.expires <= now))
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    expires = now + timedelta(hours=hours)
    conn.execute(
        insert(web_sessions).values(
            token_hash=hash_token(token),
            user_id=user_id,
            csrf_token=csrf,
            created=now,
            expires=expires,
        )
    )
    return NewSession(token=token, csrf_token=csrf, expires=expires)


def session_user(
    conn: Connection, token: str, *, now: datetime | None = None
) -> SessionUser | None:
    """The user of a live session, or ``None`` for an unknown or expired token."""
    if not token:
        return None
    row = conn.execute(
        select(
            users.c.id,
            users.c.username,
            users.c.name,
            web_sessions.c.csrf_token,
            web_sessions.c.expires,
        )
        .join(users, users.c.id == web_sessions.c.user_id)
        .where(web_sessions.c.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    expires = as_utc(row.expires)
    if expires <= _now(now):
        return None
    return SessionUser(
        user=User(id=row.id, username=row.username, name=row.name),
        csrf_token=row.csrf_token,
        expires=expires,
    )


def end_session(conn: Connection, token: str) -> None:
    """End a session (logging out); an unknown token is not an error."""
    conn.execute(delete(web_sessions).where(web_sessions.c.token_hash == hash_token(token)))


def user_workspaces(conn: Connection, user_id: int) -> list[UserWorkspace]:
    """The workspaces a user is a member of, by name."""
    rows = conn.execute(
        select(
            workspaces.c.id,
            workspaces.c.slug,
            workspaces.c.name,
            workspaces.c.timezone,
            memberships.c.role,
        )
        .join(memberships, memberships.c.workspace_id == workspaces.c.id)
        .where(memberships.c.user_id == user_id)
        .order_by(workspaces.c.name, workspaces.c.id)
    ).all()
    return [
        UserWorkspace(id=r.id, slug=r.slug, name=r.name, timezone=r.timezone, role=r.role)
        for r in rows
    ]


def membership_role(conn: Connection, user_id: int, workspace_id: int) -> str | None:
    """The user's role in a workspace, or ``None`` when they are not a member."""
    row = conn.execute(
        select(memberships.c.role).where(
            (memberships.c.user_id == user_id) & (memberships.c.workspace_id == workspace_id)
        )
    ).first()
    return None if row is None else str(row.role)
