"""hubbub.team against a real store: roles, passwords, invitations, members, the rate limit.

Times are fixed (``T0`` and offsets) so expiry and the lock window are checked at
their edges; expected values are written out from the rules in docs/team.md, not
computed with the code under test.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from hubbub import team
from hubbub.store import Store, upsert_workspace
from hubbub.store import team as queries
from hubbub.store.tables import audit_log, invitations, login_attempts, web_sessions
from hubbub.store.users import (
    User,
    add_membership,
    authenticate,
    create_session,
    create_user,
    membership_role,
    session_user,
)
from tests.store.helpers import make_workspace, pg_url, store

__all__ = ["pg_url", "store"]

T0 = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)
PASSWORD = "a long enough password"


@pytest.fixture
def ws(store: Store) -> int:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        owner = create_user(conn, "olive", PASSWORD)
        add_membership(conn, owner, ws_id, "owner")
    return ws_id


def _user(store: Store, username: str) -> int:
    with store.connect() as conn:
        found = authenticate(conn, username, PASSWORD)
    assert found is not None
    return found.id


def _actions(store: Store, ws_id: int) -> list[str]:
    with store.connect() as conn:
        return list(
            conn.execute(
                select(audit_log.c.action)
                .where(audit_log.c.workspace_id == ws_id)
                .order_by(audit_log.c.id)
            ).scalars()
        )


# --- roles ----------------------------------------------------------------------------------


def test_roles_rank_owner_over_manager_over_staff() -> None:
    assert team.allowed("staff", "inbox.work")
    assert team.allowed("staff", "inbox.assign_self")
    assert not team.allowed("staff", "inbox.bulk")
    assert not team.allowed("staff", "inbox.assign_others")
    assert not team.allowed("staff", "settings.credentials")
    assert team.allowed("manager", "inbox.bulk") and team.allowed("manager", "publish.schedule")
    assert not team.allowed("manager", "team.manage")
    assert not team.allowed("manager", "settings.credentials")
    assert all(team.allowed("owner", p.action) for p in team.PERMISSIONS)
    assert not team.allowed("nobody", "inbox.view")
    assert team.invite_roles("owner") == ("owner", "manager", "staff")
    assert team.invite_roles("manager") == ("staff",)
    assert team.invite_roles("staff") == ()


def test_every_permission_names_a_known_role_and_is_unique() -> None:
    actions = [p.action for p in team.PERMISSIONS]
    assert len(actions) == len(set(actions))
    assert {p.role for p in team.PERMISSIONS} <= set(team.ROLE_RANK)


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "password", "problem"),
    [
        ("sam", "short", "at least 10"),
        ("sam", "123456789", "at least 10"),  # 9 characters
        ("samantha_b", "Samantha_B", "not be the username"),
        ("samantha_b", " samantha_b ", "not be the username"),
    ],
)
def test_weak_passwords_are_refused(username: str, password: str, problem: str) -> None:
    with pytest.raises(team.TeamError, match=problem):
        team.check_password(username, password)


def test_ten_characters_that_are_not_the_username_pass() -> None:
    team.check_password("sam", "0123456789")


def test_change_password_needs_the_current_one_and_ends_other_sessions(
    store: Store, ws: int
) -> None:
    olive = _user(store, "olive")
    with store.begin() as conn:
        keep = create_session(conn, olive, 1)
        other = create_session(conn, olive, 1)
    user = User(olive, "olive", "")
    with store.begin() as conn, pytest.raises(team.TeamError, match="current password"):
        team.change_password(conn, user, "wrong one", "a brand new password", now=T0)
    with store.begin() as conn:
        team.change_password(
            conn,
            user,
            PASSWORD,
            "a brand new password",
            keep_session=hashlib.sha256(keep.token.encode()).hexdigest(),
            now=T0,
        )
    with store.connect() as conn:
        assert authenticate(conn, "olive", PASSWORD) is None
        assert authenticate(conn, "olive", "a brand new password") is not None
        assert session_user(conn, keep.token) is not None
        assert session_user(conn, other.token) is None
        assert conn.execute(select(func.count()).select_from(web_sessions)).scalar_one() == 1
    assert _actions(store, ws) == ["user.password"]


# --- invitations ----------------------------------------------------------------------------


def test_invitation_is_stored_hashed_and_accepted_once(store: Store, ws: int) -> None:
    olive = _user(store, "olive")
    with store.begin() as conn:
        new = team.invite(
            conn,
            ws,
            role="staff",
            email="sam@example.com",
            by_user_id=olive,
            by_role="owner",
            now=T0,
        )
    assert new.path == f"/invite/{new.token}" and len(new.token) >= 40
    assert new.expires == T0 + timedelta(days=7)
    with store.connect() as conn:
        stored = conn.execute(select(invitations.c.token_hash)).scalars().all()
    assert stored == [hashlib.sha256(new.token.encode()).hexdigest()]
    with store.begin() as conn:
        joined = team.accept_invitation(
            conn, new.token, "sam", "sams password!", "Sam", now=T0 + timedelta(days=6)
        )
    with store.connect() as conn:
        assert membership_role(conn, joined.user_id, ws) == "staff"
        assert authenticate(conn, "sam", "sams password!") is not None
    with store.begin() as conn, pytest.raises(team.TeamError, match="accepted"):
        team.accept_invitation(conn, new.token, "sam2", "another password", "", now=T0)
    assert _actions(store, ws) == ["team.invite", "team.join"]


def test_expired_revoked_and_unknown_invitations_are_refused(store: Store, ws: int) -> None:
    with store.begin() as conn:
        old = team.invite(conn, ws, role="staff", name="Old", by_user_id=None, by_role=None, now=T0)
        gone = team.invite(
            conn, ws, role="staff", name="Gone", by_user_id=None, by_role=None, now=T0
        )
        team.revoke_invitation(conn, ws, gone.id, by_user_id=None, by_role=None, now=T0)
    at_expiry = T0 + timedelta(days=7)
    with store.begin() as conn:
        with pytest.raises(team.TeamError, match="expired"):
            team.accept_invitation(conn, old.token, "ann", "a long password", "", now=at_expiry)
        with pytest.raises(team.TeamError, match="revoked"):
            team.accept_invitation(conn, gone.token, "ann", "a long password", "", now=T0)
        with pytest.raises(team.TeamError, match="not valid"):
            team.accept_invitation(conn, "no-such-token", "ann", "a long password", "", now=T0)
        with pytest.raises(team.TeamError, match="No pending"):
            team.revoke_invitation(conn, ws, gone.id, by_user_id=None, by_role=None, now=T0)
    # one second before expiry it still works
    with store.begin() as conn:
        team.accept_invitation(
            conn, old.token, "ann", "a long password", "", now=at_expiry - timedelta(seconds=1)
        )


def test_a_weak_password_or_taken_username_leaves_the_invitation_usable(
    store: Store, ws: int
) -> None:
    with store.begin() as conn:
        new = team.invite(
            conn, ws, role="manager", name="Max", by_user_id=None, by_role=None, now=T0
        )
    for username, password, problem in (
        ("max", "short", "at least 10"),
        ("olive", "a long password", "already taken"),
        ("", "a long password", "must not be empty"),
    ):
        with store.begin() as conn, pytest.raises(team.TeamError, match=problem):
            team.accept_invitation(conn, new.token, username, password, "", now=T0)
    with store.begin() as conn:
        joined = team.accept_invitation(conn, new.token, "max", "a long password", "", now=T0)
    assert joined.role == "manager"


def test_managers_invite_and_revoke_only_staff(store: Store, ws: int) -> None:
    with store.begin() as conn:
        with pytest.raises(team.TeamError, match="manager cannot invite a owner"):
            team.invite(
                conn, ws, role="owner", name="X", by_user_id=None, by_role="manager", now=T0
            )
        with pytest.raises(team.TeamError, match="staff cannot invite"):
            team.invite(conn, ws, role="staff", name="X", by_user_id=None, by_role="staff", now=T0)
        for_manager = team.invite(
            conn, ws, role="manager", name="M", by_user_id=None, by_role="owner", now=T0
        )
        with pytest.raises(team.TeamError, match="cannot revoke"):
            team.revoke_invitation(
                conn, ws, for_manager.id, by_user_id=None, by_role="manager", now=T0
            )
        with pytest.raises(team.TeamError, match="e-mail or name"):
            team.invite(conn, ws, role="staff", by_user_id=None, by_role="owner", now=T0)
        with pytest.raises(team.TeamError, match="not an e-mail"):
            team.invite(conn, ws, role="staff", email="nope", by_user_id=None, by_role=None, now=T0)
        with pytest.raises(team.TeamError, match="role 'boss'"):
            team.invite(conn, ws, role="boss", name="B", by_user_id=None, by_role=None, now=T0)


# --- members --------------------------------------------------------------------------------


def test_the_last_owner_stays_owner(store: Store, ws: int) -> None:
    olive = _user(store, "olive")
    with store.begin() as conn:
        sam = create_user(conn, "sam", PASSWORD)
        add_membership(conn, sam, ws, "staff")
    with store.begin() as conn:
        with pytest.raises(team.TeamError, match="last owner"):
            team.change_role(conn, ws, olive, "manager", by_user_id=olive, now=T0)
        with pytest.raises(team.TeamError, match="last owner"):
            team.remove_member(conn, ws, olive, by_user_id=olive, now=T0)
    with store.begin() as conn:
        team.change_role(conn, ws, sam, "owner", by_user_id=olive, now=T0)
        team.change_role(conn, ws, olive, "manager", by_user_id=olive, now=T0)  # now allowed
    with store.begin() as conn:
        team.remove_member(conn, ws, olive, by_user_id=sam, now=T0)
        assert [(m.username, m.role) for m in queries.member_list(conn, ws)] == [("sam", "owner")]
        with pytest.raises(team.TeamError, match="not a member"):
            team.remove_member(conn, ws, olive, by_user_id=sam, now=T0)
    assert _actions(store, ws) == ["team.role", "team.role", "team.remove"]


# --- the login rate limit -------------------------------------------------------------------


def test_five_failures_within_the_window_lock_for_fifteen_minutes(store: Store) -> None:
    times = [T0 + timedelta(minutes=m) for m in (0, 3, 6, 9, 14)]
    with store.begin() as conn:
        ends = [team.note_login_failure(conn, "Sam", "10.0.0.1", t) for t in times]
    assert ends[:4] == [None] * 4
    assert ends[4] == times[4] + timedelta(minutes=15)
    with store.connect() as conn:
        # both the username (case-folded) and the address are locked
        assert team.login_locked_until(conn, "sam", None, times[4]) == ends[4]
        assert team.login_locked_until(conn, "other", "10.0.0.1", times[4]) == ends[4]
        assert team.login_locked_until(conn, "other", "10.0.0.2", times[4]) is None
        just_before = ends[4] - timedelta(seconds=1)
        assert team.login_locked_until(conn, "sam", "10.0.0.9", just_before) == ends[4]
        assert team.login_locked_until(conn, "sam", "10.0.0.9", ends[4]) is None


def test_failures_spread_beyond_the_window_do_not_lock(store: Store) -> None:
    # 4 failures, then the 5th 15 minutes after the first: a new window starts there
    times = [T0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 15, 16, 17, 18, 19)]
    with store.begin() as conn:
        ends = [team.note_login_failure(conn, "sam", None, t) for t in times]
    assert ends[:8] == [None] * 8
    assert ends[8] == times[8] + timedelta(minutes=15)  # the 5th of the window begun at 15


def test_success_clears_the_username_but_not_the_address(store: Store) -> None:
    with store.begin() as conn:
        for i in range(4):
            team.note_login_failure(conn, "sam", "10.0.0.1", T0 + timedelta(minutes=i))
        team.note_login_success(conn, "SAM")
        keys = dict(conn.execute(select(login_attempts.c.key, login_attempts.c.failures)).all())
    assert keys == {"ip:10.0.0.1": 4}
    with store.begin() as conn:
        # the address's fifth failure still locks it
        assert team.note_login_failure(conn, "sam", "10.0.0.1", T0 + timedelta(minutes=5))
