"""The team in a real browser: an owner invites, the invitee joins as staff, logins lock.

A workspace without mentions is enough here (the Settings page reads none), so the
store holds the example workspace and its owner only; the demo world is not built.
The rate-limit test runs last: it locks 127.0.0.1, the address of every context.
Screenshots: ``settings``, ``invite``, ``login-locked``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from hubbub.store import Store, upsert_workspace
from hubbub.store.users import add_membership, create_user, membership_role
from hubbub.workspace import example_path, load_workspace
from tests.e2e.conftest import BROWSER, serving, shot

pytestmark = BROWSER

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="Python playwright is not installed"
)

OWNER, PASSWORD = "olive", "olive's long password"


@dataclass
class Served:
    base: str
    store: Store
    ws_id: int
    link: str = ""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    home = tmp_path_factory.mktemp("e2e-team")
    store = Store.open(f"sqlite:///{home / 'hubbub.db'}")
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, load_workspace(example_path()))
        add_membership(conn, create_user(conn, OWNER, PASSWORD, name="Olive"), ws_id, "owner")
    try:
        with serving(store, home) as base:
            yield Served(base, store, ws_id)
    finally:
        store.close()


def _page(browser: Any, **kw: Any) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(**{"viewport": {"width": 1280, "height": 900}, **kw})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return context, page, problems


def _log_in(page: Any, base: str, user: str, password: str) -> None:
    page.goto(base + "/login")
    page.get_by_label("Username").fill(user)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def test_owner_invites_and_staff_joins_but_not_credentials(served: Served, browser: Any) -> None:
    owner_ctx, owner, owner_problems = _page(browser)
    guest_ctx, guest, guest_problems = _page(browser)
    try:
        _log_in(owner, served.base, OWNER, PASSWORD)
        owner.wait_for_url("**/w/larkspur/")
        owner.get_by_role("navigation", name="Workspace pages").get_by_role(
            "link", name="Settings"
        ).click()
        owner.wait_for_url("**/w/larkspur/settings")
        assert owner.locator("#roles-table tbody tr").count() >= 10
        owner.get_by_label("E-mail").fill("kim@example.com")
        owner.get_by_label("Name", exact=True).fill("Kim")
        owner.get_by_label("Role", exact=True).select_option("staff")
        owner.get_by_role("button", name="Make invitation link").click()
        link = owner.get_by_role("textbox", name="Invitation link").input_value()
        assert link.startswith(served.base + "/invite/")
        shot(owner, "settings")
        owner.get_by_role("link", name="Manage credentials").click()
        owner.get_by_label("Mastodon access token").fill("mastodon-token-5678")
        owner.get_by_role("button", name="Save credentials").click()
        stored = owner.locator('[data-name="mastodon_access_token"]')
        assert stored.get_attribute("data-source") == "stored"
        assert "••••••5678" in stored.inner_text()
        assert "mastodon-token-5678" not in owner.content()
        shot(owner, "settings-credentials")

        # a CSRF-less POST from the logged-in owner's own browser is refused
        forged = owner_ctx.request.post(
            served.base + "/w/larkspur/settings/invitations",
            form={"role": "owner", "name": "Mallory"},
        )
        assert forged.status == 403

        guest.goto(link)
        assert guest.get_by_role("heading", name="Join Larkspur Bakery").is_visible()
        guest.get_by_label("Username").fill("kim")
        guest.get_by_label("Your name").fill("Kim")
        guest.get_by_label("Password", exact=True).fill("kim's own password")
        guest.get_by_label("Password again").fill("kim's own passw0rd")
        guest.get_by_role("button", name="Create account and join").click()
        assert "the two passwords differ" in guest.locator("#invite-error").inner_text()
        guest.get_by_label("Password", exact=True).fill("kim's own password")
        guest.get_by_label("Password again").fill("kim's own password")
        shot(guest, "invite")
        guest.get_by_role("button", name="Create account and join").click()
        guest.wait_for_url("**/w/larkspur/")
        assert "Kim" in guest.locator(".who .user").inner_text()
        guest.set_viewport_size({"width": 390, "height": 844})
        guest.goto(served.base + "/w/larkspur/settings")
        assert guest.locator("#my-role").inner_text() == "staff"
        assert guest.evaluate("document.documentElement.scrollWidth") <= 390  # fits a phone
        shot(guest, "settings-staff-phone")
        assert guest.locator("#credentials-link").count() == 0
        refused = guest.goto(served.base + "/w/larkspur/settings/credentials")
        assert refused is not None and refused.status == 403
        assert "This needs the owner role; yours is staff." in guest.content()

        # the link was for one use only
        again = guest_ctx.new_page().goto(link)
        assert again is not None and again.status == 410
        owner.goto(served.base + "/w/larkspur/settings")
        assert owner.locator('#invitation-list tr[data-status="accepted"]').count() == 1
        assert owner.locator('#members tr[data-member="kim"] .member-role').inner_text() == "staff"
        # the refusals above are answered with 422/403/410 pages; nothing else may fail
        expected = ("status of 422", "status of 403", "status of 410")
        assert owner_problems == []
        assert [p for p in guest_problems if not any(e in p for e in expected)] == []
    finally:
        owner_ctx.close()
        guest_ctx.close()
    with served.store.connect() as conn:
        from hubbub.store.users import authenticate

        kim = authenticate(conn, "kim", "kim's own password")
        assert kim is not None and membership_role(conn, kim.id, served.ws_id) == "staff"


def test_five_wrong_passwords_lock_the_login(served: Served, browser: Any) -> None:
    context, page, problems = _page(browser, viewport={"width": 390, "height": 844})
    try:
        for i in range(5):
            _log_in(page, served.base, OWNER, f"not the password {i}")
        message = page.locator("#login-error").inner_text()
        assert "Too many failed logins" in message and "15 minutes" in message
        _log_in(page, served.base, OWNER, PASSWORD)  # right, but locked
        assert "Too many failed logins" in page.locator("#login-error").inner_text()
        assert page.url.endswith("/login")
        shot(page, "login-locked")
        assert [p for p in problems if "status of 401" not in p and "status of 429" not in p] == []
    finally:
        context.close()
