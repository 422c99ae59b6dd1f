"""The team: what each role may do, invitations, members, passwords, the login rate limit.

Why one module: the web routes, the command line and the docs must agree on the
same rules, so the permission table (:data:`PERMISSIONS`), the password policy, the
invitation lifetime and the rate limit's numbers are defined here once and every
face reads them. Data access is in :mod:`hubbub.store.team`; every change made here
is written to the workspace's audit log (who, what, when; never a password, token
or credential).

Roles rank owner > manager > staff; a role may do everything the roles below it
may. An invitation is a random token shown once as ``/invite/TOKEN``; only its
sha256 is stored, it expires after :data:`INVITE_DAYS` days and is used once.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from sqlalchemy import Connection

from hubbub.model import ROLES
from hubbub.store import team as store
from hubbub.store.users import (
    User,
    UserError,
    add_membership,
    authenticate,
    create_user,
    membership_role,
    user_workspaces,
)

__all__ = [
    "INVITE_DAYS",
    "LOCK",
    "LOGIN_LIMIT",
    "LOGIN_WINDOW",
    "MIN_PASSWORD",
    "PERMISSIONS",
    "ROLE_RANK",
    "AcceptedInvitation",
    "NewInvitation",
    "Permission",
    "TeamError",
    "accept_invitation",
    "allowed",
    "at_least",
    "change_password",
    "change_role",
    "check_password",
    "invitation_for",
    "invite",
    "invite_roles",
    "least_role",
    "login_keys",
    "login_locked_until",
    "note_login_failure",
    "note_login_success",
    "permissions_for",
    "remove_member",
    "revoke_invitation",
    "token_hash",
]

INVITE_DAYS = 7
MIN_PASSWORD = 10
LOGIN_LIMIT = 5  # failures ...
LOGIN_WINDOW = timedelta(minutes=15)  # ... within this lock the key ...
LOCK = timedelta(minutes=15)  # ... for this long

#: owner > manager > staff
ROLE_RANK: dict[str, int] = {"staff": 0, "manager": 1, "owner": 2}

_hasher = PasswordHasher()


class TeamError(ValueError):
    """A team change that cannot be made as asked; the message says why."""


@dataclass(frozen=True, slots=True)
class Permission:
    action: str  # the key routes check, e.g. "inbox.bulk"
    what: str  # for people: the Settings page's table and docs/team.md
    role: str  # the least role that may


PERMISSIONS: tuple[Permission, ...] = (
    Permission("inbox.view", "See the dashboard, mentions and inbox", "staff"),
    Permission("inbox.work", "Reply, add notes and change an item's state", "staff"),
    Permission("inbox.assign_self", "Assign an inbox item to themselves", "staff"),
    Permission("inbox.assign_others", "Assign inbox items to others or unassign", "manager"),
    Permission("inbox.bulk", "Bulk actions on inbox items", "manager"),
    Permission("inbox.canned", "Add and delete canned replies", "manager"),
    Permission("goals.leads", "Mark a lead contacted, won or lost", "staff"),
    Permission("streams.edit", "Add, change and pause streams", "manager"),
    Permission("goals.codes", "Declare and remove promo codes", "manager"),
    Permission("publish.schedule", "Schedule and publish posts", "manager"),
    Permission("team.invite_staff", "Invite staff and revoke their invitations", "manager"),
    Permission("settings.audit", "Read the audit log", "manager"),
    Permission("team.manage", "Invite managers and owners, change roles, remove members", "owner"),
    Permission("settings.workspace", "Change the workspace settings", "owner"),
    Permission("settings.credentials", "See (masked) and change network credentials", "owner"),
)
_NEEDS = {p.action: p.role for p in PERMISSIONS}


def at_least(role: str, least: str) -> bool:
    """Whether ``role`` ranks at or above ``least``."""
    return ROLE_RANK.get(role, -1) >= ROLE_RANK[least]


def allowed(role: str, action: str) -> bool:
    """Whether a member with ``role`` may do ``action`` (a key of :data:`PERMISSIONS`)."""
    return at_least(role, _NEEDS[action])


def least_role(action: str) -> str:
    """The least role that may do ``action``."""
    return _NEEDS[action]


def permissions_for(role: str) -> dict[str, bool]:
    """Every action of :data:`PERMISSIONS` and whether ``role`` may do it (for templates)."""
    return {p.action: at_least(role, p.role) for p in PERMISSIONS}


def invite_roles(role: str) -> tuple[str, ...]:
    """The roles a member with ``role`` may invite: owners any, managers staff, staff none."""
    if allowed(role, "team.manage"):
        return tuple(sorted(ROLES, key=lambda r: -ROLE_RANK[r]))
    if allowed(role, "team.invite_staff"):
        return ("staff",)
    return ()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


# --- passwords ------------------------------------------------------------------------------


def check_password(username: str, password: str) -> None:
    """Raise TeamError unless the password is long enough and not the username."""
    if len(password) < MIN_PASSWORD:
        raise TeamError(f"password: at least {MIN_PASSWORD} characters, please")
    if password.strip().casefold() == username.strip().casefold():
        raise TeamError("password: must not be the username")


def change_password(
    conn: Connection,
    user: User,
    current: str,
    new: str,
    *,
    keep_session: str | None = None,
    now: datetime,
) -> None:
    """Set a new password after checking the current one.

    Ends the user's other sessions (``keep_session`` is the sha256 of the one to
    keep) and writes the change to the audit log of each of the user's workspaces.
    """
    if authenticate(conn, user.username, current) is None:
        raise TeamError("current password: wrong")
    check_password(user.username, new)
    if new == current:
        raise TeamError("password: the new one is the same as the current one")
    store.set_password_hash(conn, user.id, _hasher.hash(new))
    store.end_other_sessions(conn, user.id, keep_session)
    for ws in user_workspaces(conn, user.id):
        store.log_action(conn, ws.id, user.id, "user.password", f"user:{user.username}", now=now)


# --- invitations ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NewInvitation:
    """An invitation just made: ``token`` is shown once (``path``) and stored nowhere."""

    id: int
    token: str
    role: str
    expires: datetime

    @property
    def path(self) -> str:
        return f"/invite/{self.token}"


@dataclass(frozen=True, slots=True)
class AcceptedInvitation:
    user_id: int
    workspace_id: int
    role: str


def invite(
    conn: Connection,
    workspace_id: int,
    *,
    role: str,
    email: str = "",
    name: str = "",
    by_user_id: int | None,
    by_role: str | None,
    now: datetime,
) -> NewInvitation:
    """Make a single-use invitation; ``by_role`` None is the command line (any role)."""
    if role not in ROLES:
        raise TeamError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    if by_role is not None and role not in invite_roles(by_role):
        raise TeamError(f"a {by_role} cannot invite a {role}")
    email, name = email.strip(), name.strip()
    if not email and not name:
        raise TeamError("invitation: give the person's e-mail or name")
    if email and ("@" not in email or len(email) > 320 or any(c.isspace() for c in email)):
        raise TeamError(f"e-mail {email!r}: not an e-mail address")
    if len(name) > 200:
        raise TeamError("name: longer than 200 characters")
    token = secrets.token_urlsafe(32)
    expires = now + timedelta(days=INVITE_DAYS)
    invitation_id = store.add_invitation(
        conn,
        workspace_id,
        token_hash=token_hash(token),
        email=email,
        name=name,
        role=role,
        created_by=by_user_id,
        now=now,
        expires=expires,
    )
    store.log_action(
        conn,
        workspace_id,
        by_user_id,
        "team.invite",
        f"invitation:{invitation_id}",
        {"role": role, "email": email, "name": name},
        now=now,
    )
    return NewInvitation(id=invitation_id, token=token, role=role, expires=expires)


def invitation_for(conn: Connection, token: str, now: datetime) -> store.Invitation:
    """The pending invitation of a token, or TeamError saying why it cannot be used."""
    found = store.invitation_by_hash(conn, token_hash(token)) if token else None
    if found is None:
        raise TeamError("This invitation link is not valid. Ask for a new one.")
    status = found.status(now)
    if status != "pending":
        raise TeamError(f"This invitation has been {status}. Ask for a new one.")
    return found


def accept_invitation(
    conn: Connection, token: str, username: str, password: str, name: str, *, now: datetime
) -> AcceptedInvitation:
    """Create the invitee's account and membership; the invitation cannot be used again."""
    invitation = invitation_for(conn, token, now)
    check_password(username, password)
    try:
        user_id = create_user(conn, username, password, name=name.strip() or invitation.name)
    except UserError as exc:
        raise TeamError(str(exc)) from None
    if not store.mark_invitation_accepted(conn, invitation.id, user_id, now):
        raise TeamError("This invitation has just been used or revoked. Ask for a new one.")
    add_membership(conn, user_id, invitation.workspace_id, invitation.role)
    store.log_action(
        conn,
        invitation.workspace_id,
        user_id,
        "team.join",
        f"invitation:{invitation.id}",
        {"username": username.strip(), "role": invitation.role},
        now=now,
    )
    return AcceptedInvitation(user_id, invitation.workspace_id, invitation.role)


def revoke_invitation(
    conn: Connection,
    workspace_id: int,
    invitation_id: int,
    *,
    by_user_id: int | None,
    by_role: str | None,
    now: datetime,
) -> None:
    """Revoke a pending invitation (a manager only those for staff)."""
    found = store.invitation_by_id(conn, workspace_id, invitation_id)
    if found is None or not found.pending(now):
        raise TeamError("No pending invitation to revoke")
    if by_role is not None and found.role not in invite_roles(by_role):
        raise TeamError(f"a {by_role} cannot revoke an invitation for a {found.role}")
    if not store.mark_invitation_revoked(conn, workspace_id, invitation_id, by_user_id, now):
        raise TeamError("No pending invitation to revoke")
    store.log_action(
        conn,
        workspace_id,
        by_user_id,
        "team.revoke",
        f"invitation:{invitation_id}",
        {"role": found.role, "email": found.email, "name": found.name},
        now=now,
    )


# --- members --------------------------------------------------------------------------------


def _owners(conn: Connection, workspace_id: int) -> list[int]:
    return [m.id for m in store.member_list(conn, workspace_id) if m.role == "owner"]


def _username(conn: Connection, workspace_id: int, user_id: int) -> str:
    return next((m.username for m in store.member_list(conn, workspace_id) if m.id == user_id), "")


def change_role(
    conn: Connection,
    workspace_id: int,
    user_id: int,
    role: str,
    *,
    by_user_id: int | None,
    now: datetime,
) -> None:
    """Give a member another role; the last owner cannot stop being one."""
    if role not in ROLES:
        raise TeamError(f"role {role!r}: must be one of {', '.join(ROLES)}")
    current = membership_role(conn, user_id, workspace_id)
    if current is None:
        raise TeamError("not a member of this workspace")
    if current == role:
        return
    if current == "owner" and _owners(conn, workspace_id) == [user_id]:
        raise TeamError("the last owner cannot stop being owner: make someone else owner first")
    username = _username(conn, workspace_id, user_id)
    add_membership(conn, user_id, workspace_id, role)
    store.log_action(
        conn,
        workspace_id,
        by_user_id,
        "team.role",
        f"user:{user_id}",
        {"username": username, "from": current, "to": role},
        now=now,
    )


def remove_member(
    conn: Connection, workspace_id: int, user_id: int, *, by_user_id: int | None, now: datetime
) -> None:
    """End a membership (the account stays, for the history); never the last owner."""
    current = membership_role(conn, user_id, workspace_id)
    if current is None:
        raise TeamError("not a member of this workspace")
    if current == "owner" and _owners(conn, workspace_id) == [user_id]:
        raise TeamError("the last owner cannot be removed: make someone else owner first")
    username = _username(conn, workspace_id, user_id)
    store.remove_membership(conn, workspace_id, user_id)
    store.log_action(
        conn,
        workspace_id,
        by_user_id,
        "team.remove",
        f"user:{user_id}",
        {"username": username, "role": current},
        now=now,
    )


# --- the login rate limit -------------------------------------------------------------------


def login_keys(username: str, client: str | None) -> list[str]:
    """The rate-limit keys of one login: the username (case-folded) and the client address."""
    keys = [f"user:{username.strip().casefold()}"]
    if client:
        keys.append(f"ip:{client}")
    return keys


def login_locked_until(
    conn: Connection, username: str, client: str | None, now: datetime
) -> datetime | None:
    """Until when this username or address may not try again, if either is locked."""
    return store.login_lock(conn, login_keys(username, client), now)


def note_login_failure(
    conn: Connection, username: str, client: str | None, now: datetime
) -> datetime | None:
    """Count a failed login against both keys; the lock's end if one is locked now."""
    ends = [
        store.record_login_failure(
            conn, key, now, limit=LOGIN_LIMIT, window=LOGIN_WINDOW, lock=LOCK
        ).locked_until
        for key in login_keys(username, client)
    ]
    locked = [t for t in ends if t is not None and t > now]
    return max(locked) if locked else None


def note_login_success(conn: Connection, username: str) -> None:
    """A successful login clears the username's count (the address's stays)."""
    store.clear_login_failures(conn, login_keys(username, None)[0])
