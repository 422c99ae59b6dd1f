"""Roles on the Inbox, the Settings page, invitations, the login rate limit, passwords (HTTP).

Three members of larkspur: alice (owner), max (manager) and sam (staff). The clock
is a list so a test can move it (the lock's 15 minutes pass without sleeping).
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from hubbub import inbox
from hubbub.settings import Settings
from hubbub.store import Store
from hubbub.store.tables import audit_log, inbox_items, stored_settings
from hubbub.store.users import add_membership, create_user, membership_role
from hubbub.web import create_app
from tests.test_inbox import SPECS, T0, fill
from tests.web.conftest import login

PASSWORD = "correct horse battery staple"
SECRET = "xoxo-bearer-token-9876"


@dataclass
class Team:
    store: Store
    settings: Settings
    ws_id: int
    ids: dict[str, int]
    clock: list[datetime]

    def client(self, who: str | None = None) -> TestClient:
        app = create_app(self.store, self.settings, clock=lambda: self.clock[0])
        client = TestClient(app, base_url="http://testserver")
        if who is not None:
            assert login(client, who, PASSWORD).status_code == 303
        return client


@pytest.fixture
def team(store: Store, app_settings: Settings) -> Iterator[Team]:
    ws_id = fill(store, SPECS)
    ids: dict[str, int] = {}
    with store.begin() as conn:
        inbox.triage(conn, ws_id, now=T0)
        for name, role in (("alice", "owner"), ("max", "manager"), ("sam", "staff")):
            ids[name] = create_user(conn, name, PASSWORD, name=name.title())
            add_membership(conn, ids[name], ws_id, role)
        items = conn.execute(select(inbox_items.c.id).order_by(inbox_items.c.id)).scalars().all()
    ids["item"] = items[0]
    ids["item2"] = items[1]
    yield Team(store, app_settings, ws_id, ids, [T0 + timedelta(hours=1)])


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _post(client: TestClient, page_url: str, url: str, data: dict[str, str]) -> httpx.Response:
    token = _csrf(client.get(page_url).text)
    response: httpx.Response = client.post(
        url, data={**data, "csrf_token": token}, follow_redirects=False
    )
    return response


# --- roles on the inbox ---------------------------------------------------------------------


def test_staff_is_refused_manager_actions_on_the_inbox(team: Team) -> None:
    sam = team.client("sam")
    item = team.ids["item"]
    inbox_url, item_url = "/w/larkspur/inbox", f"/w/larkspur/inbox/{item}"
    refused = {
        "bulk": _post(sam, inbox_url, f"{inbox_url}/bulk", {"ids": str(item), "action": "done"}),
        "canned": _post(sam, inbox_url, f"{inbox_url}/canned", {"title": "Hi", "text": "Hello"}),
        "assign other": _post(
            sam, item_url, f"{item_url}/assign", {"assignee": str(team.ids["max"])}
        ),
        "unassign": _post(sam, item_url, f"{item_url}/assign", {"assignee": ""}),
    }
    assert {k: r.status_code for k, r in refused.items()} == dict.fromkeys(refused, 403)
    assert "This needs the manager role; yours is staff." in html.unescape(refused["bulk"].text)
    with team.store.connect() as conn:
        row = conn.execute(select(inbox_items).where(inbox_items.c.id == item)).one()
    assert (row.state, row.assignee_id) == ("new", None)
    # what staff may do still works
    mine = _post(sam, item_url, f"{item_url}/assign", {"assignee": str(team.ids["sam"])})
    note = _post(sam, item_url, f"{item_url}/note", {"text": "on it"})
    state = _post(sam, item_url, f"{item_url}/state", {"state": "done"})
    assert [mine.status_code, note.status_code, state.status_code] == [303, 303, 303]


def test_staff_does_not_see_what_they_cannot_do(team: Team) -> None:
    sam, max_ = team.client("sam"), team.client("max")
    staff_list, manager_list = sam.get("/w/larkspur/inbox").text, max_.get("/w/larkspur/inbox").text
    for marker in ('id="bulk-action"', 'name="ids"', 'id="canned-form"'):
        assert marker not in staff_list
        assert marker in manager_list
    item = team.ids["item"]
    staff_item = sam.get(f"/w/larkspur/inbox/{item}").text
    assert 'id="assign-me"' in staff_item and 'id="assignee"' not in staff_item
    assert 'id="assignee"' in max_.get(f"/w/larkspur/inbox/{item}").text


def test_a_manager_may_bulk_and_assign_others(team: Team) -> None:
    max_ = team.client("max")
    items = [team.ids["item"], team.ids["item2"]]
    token = _csrf(max_.get("/w/larkspur/inbox").text)
    sent = max_.post(
        "/w/larkspur/inbox/bulk",
        data={
            "ids": [str(i) for i in items],
            "action": "assign",
            "assignee": str(team.ids["sam"]),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303
    with team.store.connect() as conn:
        got = (
            conn.execute(select(inbox_items.c.assignee_id).where(inbox_items.c.id.in_(items)))
            .scalars()
            .all()
        )
    assert got == [team.ids["sam"]] * 2


# --- the Settings page ----------------------------------------------------------------------


def test_settings_page_by_role(team: Team) -> None:
    pages = {who: team.client(who).get("/w/larkspur/settings") for who in ("alice", "max", "sam")}
    assert all(p.status_code == 200 for p in pages.values())
    for text in (p.text for p in pages.values()):
        assert 'id="roles-table"' in text and 'id="members"' in text
        assert '<a href="/w/larkspur/settings" aria-current="page">Settings</a>' in text
    owner, manager, staff = pages["alice"].text, pages["max"].text, pages["sam"].text
    assert 'id="credentials-link"' in owner
    assert 'id="credentials-link"' not in manager and 'id="credentials-link"' not in staff
    assert 'id="invite-role"' in manager and 'id="invite-role"' not in staff
    assert (
        re.findall(r'<select id="invite-role" name="role">(.*?)</select>', manager)[0].count(
            "<option"
        )
        == 1
    )  # staff only
    assert 'action="/w/larkspur/settings/workspace"' in owner
    assert 'action="/w/larkspur/settings/workspace"' not in manager
    assert 'id="audit-log"' in owner or "Nothing recorded yet" in owner
    assert 'id="h-audit"' not in staff


def test_staff_is_refused_settings_changes_and_credentials(team: Team) -> None:
    sam = team.client("sam")
    page = "/w/larkspur/settings"
    assert sam.get(f"{page}/credentials").status_code == 403
    assert sam.get(f"{page}/audit").status_code == 403
    for url, data in (
        (f"{page}/credentials", {"x_bearer_token": SECRET}),
        (f"{page}/workspace", {"response_target_hours": "1", "promotion_percent": "5"}),
        (f"{page}/invitations", {"role": "staff", "name": "Friend"}),
        (f"{page}/members/{team.ids['alice']}/remove", {}),
        (f"{page}/members/{team.ids['sam']}/role", {"role": "owner"}),
    ):
        assert _post(sam, page, url, data).status_code == 403, url
    max_ = team.client("max")
    assert (
        _post(max_, page, f"{page}/invitations", {"role": "owner", "name": "B"}).status_code == 403
    )
    assert max_.get(f"{page}/credentials").status_code == 403
    with team.store.connect() as conn:
        assert conn.execute(select(stored_settings)).first() is None
        assert membership_role(conn, team.ids["sam"], team.ws_id) == "staff"


def test_csrf_less_posts_are_refused(team: Team) -> None:
    alice = team.client("alice")
    for url in ("/w/larkspur/settings/credentials", "/w/larkspur/settings/invitations"):
        assert alice.post(url, data={"x_bearer_token": SECRET, "name": "x"}).status_code == 403
    assert team.client().post("/invite/whatever", data={"username": "eve"}).status_code == 403


def test_owner_stores_credentials_shown_masked_only(team: Team) -> None:
    alice = team.client("alice")
    page = "/w/larkspur/settings/credentials"
    sent = _post(
        alice, page, page, {"x_bearer_token": SECRET, "bluesky_handle": "lark.bsky.social"}
    )
    assert sent.status_code == 303
    shown = alice.get(page).text
    assert SECRET not in shown and "••••••9876" in shown
    assert re.search(r'data-name="x_bearer_token" data-source="stored"', shown)
    assert "lark.bsky.social" in shown
    with team.store.connect() as conn:
        stored = conn.execute(
            select(stored_settings.c.value).where(stored_settings.c.name == "x_bearer_token")
        ).scalar_one()
    assert SECRET not in stored
    bad = _post(alice, page, page, {"mastodon_base_url": "social.example"})
    assert bad.status_code == 422 and "must start with https://" in bad.text


def test_environment_credentials_win_and_say_so(team: Team) -> None:
    team.settings = Settings(
        home=team.settings.home,
        secret_key=team.settings.secret_key,
        x_bearer_token=SecretStr("from-env-token-abcd"),
    )
    alice = team.client("alice")
    page = "/w/larkspur/settings/credentials"
    _post(alice, page, page, {"x_bearer_token": SECRET})
    shown = alice.get(page).text
    assert re.search(r'data-name="x_bearer_token" data-source="environment"', shown)
    assert "••••••abcd" in shown and "HUBBUB_X_BEARER_TOKEN" in shown and SECRET not in shown


def test_workspace_settings_change_the_inbox_target(team: Team) -> None:
    alice = team.client("alice")
    page = "/w/larkspur/settings"
    sent = _post(
        alice,
        page,
        f"{page}/workspace",
        {"response_target_hours": "2", "promotion_percent": "15", "x_monthly_read_cap": ""},
    )
    assert sent.status_code == 303 and "done=Saved" in sent.headers["location"]
    assert "answer within 2 h" in alice.get("/w/larkspur/inbox").text
    bad = _post(
        alice, page, f"{page}/workspace", {"response_target_hours": "0", "promotion_percent": "15"}
    )
    shown = alice.get(bad.headers["location"]).text
    assert "Response target (hours): must be between 0.25 and 336" in html.unescape(shown)


def test_owner_changes_roles_and_cannot_remove_the_last_owner(team: Team) -> None:
    alice = team.client("alice")
    page = "/w/larkspur/settings"
    sent = _post(alice, page, f"{page}/members/{team.ids['alice']}/role", {"role": "staff"})
    assert "last+owner" in sent.headers["location"]
    promote = _post(alice, page, f"{page}/members/{team.ids['sam']}/role", {"role": "manager"})
    removed = _post(alice, page, f"{page}/members/{team.ids['max']}/remove", {})
    assert promote.status_code == removed.status_code == 303
    with team.store.connect() as conn:
        assert membership_role(conn, team.ids["sam"], team.ws_id) == "manager"
        assert membership_role(conn, team.ids["max"], team.ws_id) is None
        actions = conn.execute(select(audit_log.c.action).order_by(audit_log.c.id)).scalars().all()
    assert actions[-2:] == ["team.role", "team.remove"]
    assert team.client("max").get("/w/larkspur/settings").status_code == 404  # no longer a member


# --- invitations ----------------------------------------------------------------------------


def test_invite_accept_once_and_log_in_as_staff(team: Team) -> None:
    alice = team.client("alice")
    page = "/w/larkspur/settings"
    made = _post(alice, page, f"{page}/invitations", {"role": "staff", "email": "kim@example.com"})
    assert made.status_code == 200
    link = re.search(r'id="invite-url" type="text" readonly value="([^"]+)"', made.text)
    assert link is not None and link.group(1).startswith("http://testserver/invite/")
    path = link.group(1).removeprefix("http://testserver")
    assert path not in alice.get(page).text  # shown once
    kim = team.client()
    form = kim.get(path)
    assert form.status_code == 200 and "Join Larkspur Bakery" in form.text
    token = _csrf(form.text)
    weak = kim.post(
        path, data={"username": "kim", "password": "kim", "password2": "kim", "csrf_token": token}
    )
    assert weak.status_code == 422 and "at least 10 characters" in weak.text
    differ = kim.post(
        path,
        data={
            "username": "kim",
            "password": "kims password",
            "password2": "kims passw0rd",
            "csrf_token": token,
        },
    )
    assert differ.status_code == 422 and "differ" in differ.text
    joined = kim.post(
        path,
        data={
            "username": "kim",
            "name": "Kim",
            "password": "kims password",
            "password2": "kims password",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert joined.status_code == 303 and joined.headers["location"] == "/w/larkspur/"
    assert "Kim" in kim.get("/w/larkspur/").text  # logged in
    assert kim.get("/w/larkspur/settings").text.count('id="my-role">staff<') == 1
    again = team.client().get(path)
    assert again.status_code == 410 and "accepted" in again.text
    assert team.client().get("/invite/not-a-token").status_code == 410
    listed = alice.get(page).text
    assert 'data-status="accepted"' in listed and "team.join" in listed


def test_revoked_invitation_cannot_be_used(team: Team) -> None:
    max_ = team.client("max")
    page = "/w/larkspur/settings"
    made = _post(max_, page, f"{page}/invitations", {"role": "staff", "name": "Lee"})
    link = re.search(r'value="http://testserver(/invite/[^"]+)"', made.text)
    assert link is not None
    revoke = re.search(
        r'action="(/w/larkspur/settings/invitations/\d+/revoke)"', max_.get(page).text
    )
    assert revoke is not None
    assert _post(max_, page, revoke.group(1), {}).status_code == 303
    assert team.client().get(link.group(1)).status_code == 410


# --- the login rate limit -------------------------------------------------------------------


def test_five_wrong_passwords_lock_the_login_then_it_opens(team: Team) -> None:
    client = team.client()
    codes = [login(client, "sam", f"wrong {i}").status_code for i in range(5)]
    assert codes == [401, 401, 401, 401, 429]
    locked = login(client, "sam", PASSWORD)  # the right password, while locked
    assert locked.status_code == 429
    assert "Try again in 15 minutes." in locked.text
    assert locked.headers["retry-after"] == "900"
    other = login(client, "alice", PASSWORD)  # same address: locked too
    assert other.status_code == 429
    team.clock[0] += timedelta(minutes=14, seconds=1)
    assert "Try again in 1 minute." in login(client, "sam", PASSWORD).text
    team.clock[0] += timedelta(minutes=1)
    assert login(client, "sam", PASSWORD).status_code == 303


# --- your password --------------------------------------------------------------------------


def test_change_password_needs_the_current_one(team: Team) -> None:
    sam = team.client("sam")
    page = "/account/password"
    wrong = _post(
        sam,
        page,
        page,
        {"current": "nope", "password": "new password!", "password2": "new password!"},
    )
    assert wrong.status_code == 422 and "current password: wrong" in wrong.text
    done = _post(
        sam,
        page,
        page,
        {"current": PASSWORD, "password": "new password!", "password2": "new password!"},
    )
    assert done.status_code == 303 and done.headers["location"] == "/account/password?done=1"
    assert sam.get("/w/larkspur/").status_code == 200  # this session stays
    assert login(team.client(), "sam", "new password!").status_code == 303
