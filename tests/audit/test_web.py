"""The Audit page through FastAPI's TestClient: access, roles, CSRF, a run, the report.

The store is tests/audit/world.py's hand-made one; the app's clock is its ``NOW``, so
a run from the page must store exactly the hand-counted figures.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hubbub.model import Workspace
from hubbub.settings import Settings
from hubbub.store import Store, upsert_workspace
from hubbub.store.audit import latest_report, report_history
from hubbub.store.users import add_membership, create_user
from hubbub.web import create_app
from tests.audit.site_server import FakeSite, offline_client, serve_site
from tests.audit.world import EXPECTED, NOW, WORKSPACE, fill
from tests.web.conftest import login

PASSWORD = "correct horse battery staple"


@dataclass
class Served:
    client: TestClient
    store: Store
    ws_id: int


def _app(store: Store, tmp_path: Path) -> TestClient:
    settings = Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789")
    app = create_app(store, settings, clock=lambda: NOW)
    app.state.audit_client = offline_client
    return TestClient(app, base_url="http://testserver")


@pytest.fixture
def served(store: Store, tmp_path: Path) -> Iterator[Served]:
    ws_id = fill(store)
    with store.begin() as conn:
        other = upsert_workspace(conn, Workspace(slug="other", name="Other"))
        for name, role, ws in (("alice", "manager", ws_id), ("sam", "staff", ws_id)):
            add_membership(conn, create_user(conn, name, PASSWORD), ws, role)
        add_membership(conn, create_user(conn, "olga", PASSWORD), other, "owner")
    with _app(store, tmp_path) as client:
        yield Served(client, store, ws_id)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _run(served: Served, crawl: bool = False) -> None:
    page = served.client.get("/w/larkspur/audit")
    data = {"csrf_token": _csrf(page.text)}
    if crawl:
        data["crawl"] = "on"
    response = served.client.post("/w/larkspur/audit/run", data=data, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/w/larkspur/audit?done=Audit+started")
    state = served.client.app.state.audit_runs.wait(served.ws_id)  # type: ignore[attr-defined]
    assert state is not None and state.state == "done", state


def test_login_required_and_404_for_other_workspaces(served: Served) -> None:
    first = served.client.get("/w/larkspur/audit", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    assert login(served.client, "olga", PASSWORD).status_code == 303
    assert served.client.get("/w/larkspur/audit").status_code == 404
    assert served.client.get("/w/other/audit").status_code == 200


def test_no_report_yet_then_a_run_shows_the_figures(served: Served) -> None:
    assert login(served.client, "alice", PASSWORD).status_code == 303
    empty = served.client.get("/w/larkspur/audit")
    assert empty.status_code == 200
    assert "No audit yet" in empty.text
    assert '<a href="/w/larkspur/audit" aria-current="page">Audit</a>' in empty.text
    assert "Run audit now" in empty.text and 'name="csrf_token"' in empty.text

    _run(served)
    with served.store.connect() as conn:
        stored = latest_report(conn, served.ws_id)
    assert stored is not None and stored.created == NOW
    for name, value in EXPECTED.items():
        assert stored.figures["account"][name] == value, name

    page = served.client.get("/w/larkspur/audit")
    text = html.unescape(page.text)
    assert 'id="kpi-followers">3<' in text
    assert 'id="kpi-questionable">33%<' in text
    assert 'id="kpi-posts">4<' in text
    assert 'data-state="done"' in text and "Audit stored." in text
    assert re.search(r'<tr data-voice="promotion">.*?<td class="num share">25%</td>', text, re.S)
    assert 'data-figure="share_questionable" data-level="bad"' in text
    assert "Trends appear from the second audit on." in text
    assert "were not checked in this audit" in text
    assert "<svg" in text and 'id="followers-title"' in text and 'id="voice-target-title"' in text


def test_a_second_run_draws_trends_and_a_crawl_groups_findings(served: Served) -> None:
    assert login(served.client, "alice", PASSWORD).status_code == 303
    _run(served)
    with serve_site() as site:
        _point_website_at(served, site)
        _run(served, crawl=True)
    with served.store.connect() as conn:
        assert len(report_history(conn, served.ws_id)) == 2
    text = html.unescape(served.client.get("/w/larkspur/audit").text)
    assert 'id="trend-shares-title"' in text and 'id="trend-cadence-title"' in text
    assert 'id="findings-broken_link"' in text and 'id="findings-spelling"' in text
    assert "“delicous” may be misspelt" in text
    assert "Audit stored, 4 pages checked." in text


def _point_website_at(served: Served, site: FakeSite) -> None:
    from dataclasses import replace

    with served.store.begin() as conn:
        upsert_workspace(
            conn, replace(WORKSPACE, website=site.base, blog_feed=site.base + "blog/feed.xml")
        )


def test_staff_cannot_run_and_forms_need_csrf(served: Served) -> None:
    assert login(served.client, "sam", PASSWORD).status_code == 303
    page = served.client.get("/w/larkspur/audit")
    assert "Run audit now" not in page.text
    assert "A manager or the owner can run a new audit." in page.text
    token = _csrf(page.text)  # the logout form's
    refused = served.client.post("/w/larkspur/audit/run", data={"csrf_token": token})
    assert refused.status_code == 403
    assert served.client.post("/w/larkspur/audit/run", data={}).status_code == 403
    with served.store.connect() as conn:
        assert latest_report(conn, served.ws_id) is None


def test_a_run_while_one_is_going_is_refused() -> None:
    import threading

    from hubbub.web.routes.audit import AuditRuns, RunState

    runs = AuditRuns()
    gate = threading.Event()
    assert runs.start(1, RunState("running", NOW, False), lambda: str(gate.wait(5)))
    assert not runs.start(1, RunState("running", NOW, False), lambda: "again")
    gate.set()
    state = runs.wait(1)
    assert state is not None and state.state == "done" and state.message == "True"

    def boom() -> str:
        raise RuntimeError("disk full")

    assert runs.start(1, RunState("running", NOW, False), boom)
    failed = runs.wait(1)
    assert failed is not None and failed.state == "failed" and "disk full" in failed.message
