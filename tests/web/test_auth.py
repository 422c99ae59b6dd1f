"""Login, sessions, CSRF and workspace access through the HTTP interface."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from hubbub.settings import Settings
from hubbub.store.tables import web_sessions
from hubbub.store.users import (
    authenticate,
    create_session,
    create_user,
    end_session,
    session_user,
    user_workspaces,
)
from hubbub.web.security import SESSION_COOKIE, load_secret_key
from tests.web.conftest import PASSWORD, Populated, login


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found is not None
    return found.group(1)


def test_login_sets_httponly_lax_cookie_and_goes_to_first_workspace(client: TestClient) -> None:
    response = login(client)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = next(
        h for h in response.headers.get_list("set-cookie") if h.startswith(SESSION_COOKIE + "=")
    )
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303
    assert home.headers["location"] == "/w/larkspur/"
    page = client.get("/w/larkspur/")
    assert page.status_code == 200
    assert "Alice Example" in page.text


def test_only_the_token_hash_is_stored(client: TestClient, populated: Populated) -> None:
    login(client)
    token = client.cookies[SESSION_COOKIE]
    with populated.store.connect() as conn:
        hashes = conn.execute(select(web_sessions.c.token_hash)).scalars().all()
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]
    assert token not in hashes


def test_wrong_password_shows_the_form_again_with_401(client: TestClient) -> None:
    response = login(client, password="not the password")
    assert response.status_code == 401
    assert "Wrong username or password" in response.text
    assert 'name="username"' in response.text
    assert SESSION_COOKIE not in client.cookies
    unknown = login(client, username="nobody")
    assert unknown.status_code == 401


def test_no_session_redirects_to_login_with_next(client: TestClient) -> None:
    response = client.get("/w/larkspur/?days=7", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=%2Fw%2Flarkspur%2F%3Fdays%3D7"
    assert client.get("/", follow_redirects=False).headers["location"] == "/login"


def test_login_returns_to_next_but_never_off_site(client: TestClient) -> None:
    page = client.get("/login")
    token = _csrf(page.text)
    response = client.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/w/larkspur/?days=7",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/w/larkspur/?days=7"
    client.cookies.clear()
    page = client.get("/login")
    response = client.post(
        "/login",
        data={
            "username": "alice",
            "password": PASSWORD,
            "csrf_token": _csrf(page.text),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/"


def test_login_post_without_csrf_is_403(client: TestClient) -> None:
    client.get("/login")  # has the cookie, but the form field is missing
    response = client.post("/login", data={"username": "alice", "password": PASSWORD})
    assert response.status_code == 403
    assert SESSION_COOKIE not in client.cookies


def test_login_csrf_must_match_the_cookie(client: TestClient) -> None:
    token = _csrf(client.get("/login").text)
    client.cookies.clear()
    client.get("/login")  # a new nonce cookie: the old token no longer matches
    client.cookies.set("hubbub_login", "another-nonce")
    response = client.post(
        "/login", data={"username": "alice", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 403


def test_logout_needs_csrf_then_ends_the_session(
    logged_in: TestClient, populated: Populated
) -> None:
    assert logged_in.post("/logout", follow_redirects=False).status_code == 403
    assert (
        logged_in.post("/logout", data={"csrf_token": "wrong"}, follow_redirects=False).status_code
        == 403
    )
    page = logged_in.get("/w/larkspur/")
    token = _csrf(page.text)
    old_cookie = logged_in.cookies[SESSION_COOKIE]
    response = logged_in.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login"
    with populated.store.connect() as conn:
        assert session_user(conn, old_cookie) is None
    logged_in.cookies.set(SESSION_COOKIE, old_cookie)  # replaying the old cookie fails
    assert logged_in.get("/w/larkspur/", follow_redirects=False).status_code == 303


def test_csrf_header_is_accepted_for_htmx(logged_in: TestClient) -> None:
    token = _csrf(logged_in.get("/w/larkspur/").text)
    response = logged_in.post("/logout", headers={"X-CSRF-Token": token}, follow_redirects=False)
    assert response.status_code == 303


def test_workspace_of_another_team_is_404_like_a_missing_one(logged_in: TestClient) -> None:
    other = logged_in.get("/w/other/")
    missing = logged_in.get("/w/no-such-place/")
    assert other.status_code == 404
    assert missing.status_code == 404
    assert "Other Bakery" not in other.text


def test_security_headers(logged_in: TestClient) -> None:
    response = logged_in.get("/w/larkspur/")
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["x-content-type-options"] == "nosniff"


def test_static_htmx_is_served(client: TestClient) -> None:
    response = client.get("/static/vendor/htmx.min.js")
    assert response.status_code == 200
    assert "htmx" in response.text[:200]


# --- store/users.py directly -------------------------------------------------------------


def test_users_sessions_expire_and_end(populated: Populated) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    with populated.store.begin() as conn:
        uid = create_user(conn, "carol", "pw-carol")
        assert authenticate(conn, "carol", "pw-carol") is not None
        assert authenticate(conn, "carol", "pw-carolx") is None
        new = create_session(conn, uid, hours=2, now=t0)
        assert new.expires == t0 + timedelta(hours=2)
        live = session_user(conn, new.token, now=t0 + timedelta(hours=1))
        assert live is not None and live.user.username == "carol"
        assert live.csrf_token == new.csrf_token
        assert session_user(conn, new.token, now=t0 + timedelta(hours=2)) is None
        assert session_user(conn, new.token + "x", now=t0) is None
        end_session(conn, new.token)
        assert session_user(conn, new.token, now=t0) is None
        assert user_workspaces(conn, uid) == []


def test_users_workspaces_and_duplicate_names(populated: Populated) -> None:
    import pytest

    from hubbub.store.users import UserError, add_membership

    with populated.store.begin() as conn:
        alice = authenticate(conn, "alice", PASSWORD)
        assert alice is not None
        assert [w.slug for w in user_workspaces(conn, alice.id)] == ["larkspur"]
        add_membership(conn, alice.id, populated.other_id, "manager")
        add_membership(conn, alice.id, populated.other_id, "staff")  # replaces the role
        found = {w.slug: w.role for w in user_workspaces(conn, alice.id)}
        assert found == {"larkspur": "owner", "other": "staff"}
        with pytest.raises(UserError, match="already taken"):
            create_user(conn, "alice", "x")
        with pytest.raises(UserError, match="role 'boss'"):
            add_membership(conn, alice.id, populated.other_id, "boss")


def test_secret_key_is_generated_once_and_kept_private(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path / "home")
    first = load_secret_key(settings)
    path = tmp_path / "home" / "secret_key"
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_secret_key(settings) == first and len(first) >= 32
    given = Settings(home=tmp_path / "elsewhere", secret_key="from-the-environment")
    assert load_secret_key(given) == b"from-the-environment"
    assert not (tmp_path / "elsewhere" / "secret_key").exists()
