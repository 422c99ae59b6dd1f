"""The Goals page through FastAPI's TestClient: access, roles, CSRF, leads, codes, figures.

The store is a small hand-built world (tests/goals/world.py); the app's clock is fixed,
so the 30-day window is Mar 16 - Apr 14 (New York days) and every figure shown can
be counted by hand from the posts below.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from hubbub.model import GOALS
from hubbub.settings import Settings
from hubbub.store import Store
from hubbub.store.goals import add_promo_code, insert_redemptions, promo_codes_of
from hubbub.store.tables import audit_log, inbox_items, leads, users
from hubbub.store.users import add_membership, create_user
from hubbub.web import create_app
from tests.goals.world import START, World, at, person, workspace
from tests.web.conftest import login

PASSWORD = "correct horse battery staple"
NOW = at(13, 16)  # Tue Apr 14, 12:00 in New York


@dataclass
class Served:
    client: TestClient
    store: Store
    ws_id: int
    other_id: int
    ids: dict[str, int]


@pytest.fixture
def served(store: Store, tmp_path: Path) -> Iterator[Served]:
    with store.begin() as conn:
        w = World.make(conn)
        buy = ("purchase_intent",)
        w.post("want a birthday cake from larkspur", person(1), at(2), intents=buy)
        w.post("any bakery in avl for sourdough?", person(2), at(5),
               intents=("recommendation_request",), streams=("Industry", "Asheville"))  # fmt: skip
        w.post("I'm at Larkspur Bakery in Asheville, NC", person(3), at(6))
        w.post("used SPRING10 at larkspur, great", person(4), at(7), sentiment="positive")
        ids = w.save()
        conn.execute(
            insert(inbox_items).values(
                workspace_id=w.ws_id, mention_id=ids["p1"], state="new", priority=30.0,
                reason="purchase_intent", created=at(2), triaged=at(2), updated=at(2),
            )
        )  # fmt: skip
        add_promo_code(conn, w.ws_id, "SPRING10", "10% off", now=START)
        insert_redemptions(
            conn,
            w.ws_id,
            [{"code": "SPRING10", "redeemed": at(8), "amount": 12.0, "ref": "o1",
              "source": "t.csv", "line": 2, "imported": START}],
        )  # fmt: skip
        other = World.make(conn, workspace("other"))
        other.post("I want to order from larkspur", person(9), at(3), intents=buy)
        other_ids = other.save()
        for name, role, ws in (("alice", "manager", w.ws_id), ("sam", "staff", w.ws_id)):
            add_membership(conn, create_user(conn, name, PASSWORD), ws, role)
        add_membership(conn, create_user(conn, "olga", PASSWORD), other.ws_id, "owner")
    settings = Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789")
    app = create_app(store, settings, clock=lambda: NOW)
    ids |= {"other": other_ids["p1"]}
    with TestClient(app, base_url="http://testserver") as client:
        yield Served(client, store, w.ws_id, other.ws_id, ids)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _panel(text: str, goal: str) -> str:
    found = re.search(rf'<section class="card goal" id="goal-{goal}".*?</section>', text, re.S)
    assert found is not None, goal
    return found.group(0)


def test_login_required_and_404_for_other_workspaces(served: Served) -> None:
    first = served.client.get("/w/larkspur/goals", follow_redirects=False)
    assert first.status_code == 303 and first.headers["location"].startswith("/login")
    assert login(served.client, "olga", PASSWORD).status_code == 303
    assert served.client.get("/w/larkspur/goals").status_code == 404
    assert served.client.get("/w/other/goals").status_code == 200
    token = _csrf(served.client.get("/w/other/goals").text)
    # olga's token, larkspur's lead: not her workspace
    posted = served.client.post(
        f"/w/larkspur/goals/leads/{served.ids['p1']}/status",
        data={"csrf_token": token, "status": "won"},
    )
    assert posted.status_code == 404
    # her own workspace, larkspur's lead id: no such lead there
    posted = served.client.post(
        f"/w/other/goals/leads/{served.ids['p1']}/status",
        data={"csrf_token": token, "status": "won"},
    )
    assert posted.status_code == 404


def test_the_page_shows_every_goal_with_hand_counted_figures(served: Served) -> None:
    assert login(served.client, "sam", PASSWORD).status_code == 303
    page = served.client.get("/w/larkspur/goals")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert '<a href="/w/larkspur/goals" aria-current="page">Goals</a>' in text
    assert re.findall(r'<section class="card goal" id="goal-(\w+)"', text) == list(GOALS)
    assert "Mar 16 – Apr 14, 2026" in text
    leads = _panel(text, "leads")
    assert re.search(r"data-headline>2<", leads)  # p1 (brand) and p2 (industry)
    assert re.search(r'<tr data-figure="open">.*?<td class="num value">2</td>', leads, re.S)
    assert "2 leads still open" in leads
    promotions = _panel(text, "promotions")
    assert re.search(r"data-headline>1<", promotions)
    assert re.search(r'data-figure="mentioned">.*?<td class="num value">1</td>', promotions, re.S)
    visits = _panel(text, "visits")
    assert re.search(r"data-headline>1<", visits) and "check-in" in visits
    for goal in GOALS:
        panel = _panel(text, goal)
        assert f'id="trend-{goal}-title"' in panel and "What to do:" in panel, goal
    assert re.search(r'<tr data-code="SPRING10">.*?<td class="num redeemed">1<', text, re.S)
    assert 'id="code-form"' not in text  # staff: no promo-code form
    assert "A manager or the owner declares promo codes." in text
    week = html.unescape(served.client.get("/w/larkspur/goals?days=7").text)
    assert '<a href="?days=7" aria-current="true">7 days</a>' in week
    assert re.search(r"data-headline>0<", _panel(week, "leads"))  # both leads are older


def test_staff_change_a_lead_with_csrf_and_htmx(served: Served) -> None:
    assert login(served.client, "sam", PASSWORD).status_code == 303
    page = served.client.get("/w/larkspur/goals")
    token = _csrf(page.text)
    url = f"/w/larkspur/goals/leads/{served.ids['p1']}/status"
    assert served.client.post(url, data={"status": "won"}).status_code == 403  # no token
    plain = served.client.post(
        url, data={"csrf_token": token, "status": "contacted", "days": "30"}, follow_redirects=False
    )
    assert plain.status_code == 303
    assert plain.headers["location"].endswith(f"#lead-{served.ids['p1']}")
    fragment = served.client.post(
        url,
        data={"status": "won", "days": "30"},
        headers={"HX-Request": "true", "X-CSRF-Token": token},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith(f'<li class="lead" id="lead-{served.ids["p1"]}"')
    assert 'data-status="won"' in fragment.text and "Saved" in fragment.text
    bad = served.client.post(
        url, data={"csrf_token": token, "status": "maybe"}, follow_redirects=False
    )
    assert bad.status_code == 303 and "must+be+one+of" in bad.headers["location"]
    with served.store.connect() as conn:
        stored = conn.execute(select(leads.c.status, leads.c.contacted, leads.c.updated_by)).one()
        sam = conn.execute(select(users.c.id).where(users.c.username == "sam")).scalar_one()
        log = conn.execute(
            select(audit_log.c.user_id, audit_log.c.action, audit_log.c.detail)
            .where(audit_log.c.workspace_id == served.ws_id)
            .order_by(audit_log.c.id)
        ).all()
    assert stored == ("won", NOW, sam)
    assert [(r.user_id, r.action, r.detail["to"]) for r in log[-2:]] == [
        (sam, "lead.status", "contacted"),
        (sam, "lead.status", "won"),
    ]
    text = html.unescape(served.client.get("/w/larkspur/goals").text)
    assert re.search(
        r'data-figure="won">.*?<td class="num value">1</td>', _panel(text, "leads"), re.S
    )


def test_a_lead_from_its_inbox_item(served: Served) -> None:
    assert login(served.client, "sam", PASSWORD).status_code == 303
    with served.store.connect() as conn:
        item = conn.execute(select(inbox_items.c.id)).scalar_one()
    page = served.client.get(f"/w/larkspur/inbox/{item}")
    assert 'id="lead-status" data-status="open"' in page.text
    token = _csrf(page.text)
    done = served.client.post(
        f"/w/larkspur/inbox/{item}/lead", data={"csrf_token": token, "status": "lost"},
        follow_redirects=False,
    )  # fmt: skip
    assert done.status_code == 303 and done.headers["location"] == f"/w/larkspur/inbox/{item}"
    again = served.client.get(f"/w/larkspur/inbox/{item}").text
    assert 'id="lead-status" data-status="lost"' in again and "marked the lead lost" in again
    assert (
        served.client.post(
            "/w/larkspur/inbox/99999/lead", data={"csrf_token": token, "status": "won"}
        ).status_code
        == 404
    )


def test_managers_declare_and_remove_codes(served: Served) -> None:
    assert login(served.client, "sam", PASSWORD).status_code == 303
    token = _csrf(served.client.get("/w/larkspur/goals").text)
    refused = served.client.post(
        "/w/larkspur/goals/codes", data={"csrf_token": token, "code": "X10"}
    )
    assert refused.status_code == 403
    served.client.cookies.clear()
    assert login(served.client, "alice", PASSWORD).status_code == 303
    page = served.client.get("/w/larkspur/goals")
    assert 'id="code-form"' in page.text
    token = _csrf(page.text)
    data = {"csrf_token": token, "code": "bread-5", "description": "5 off", "starts": "2026-04-01",
            "ends": "2026-04-30", "days": "30"}  # fmt: skip
    made = served.client.post("/w/larkspur/goals/codes", data=data, follow_redirects=False)
    assert made.status_code == 303 and "Declared+code+BREAD-5" in made.headers["location"]
    again = served.client.post("/w/larkspur/goals/codes", data=data)
    assert "code BREAD-5 is already declared" in html.unescape(again.text)
    bad = served.client.post("/w/larkspur/goals/codes", data={**data, "code": "no way"})
    assert "use 3 to 32 letters" in html.unescape(bad.text)
    with served.store.connect() as conn:
        codes = {c.code: c for c in promo_codes_of(conn, served.ws_id)}
    bread = codes["BREAD-5"]
    assert (bread.starts, bread.ends) == (at(0, 4), at(30, 4))  # New York days, Apr 30 included
    text = html.unescape(served.client.get("/w/larkspur/goals").text)
    assert re.search(r'<tr data-code="BREAD-5">.*?Apr 1 – Apr 30', text, re.S)
    removed = served.client.post(
        f"/w/larkspur/goals/codes/{bread.id}/delete", data={"csrf_token": token},
        follow_redirects=False,
    )  # fmt: skip
    assert removed.status_code == 303
    with served.store.begin() as conn:
        assert "BREAD-5" not in {c.code for c in promo_codes_of(conn, served.ws_id)}
        theirs = add_promo_code(conn, served.other_id, "THEIRS1")
    for code_id in (theirs, theirs + 100):  # another workspace's code, and none at all
        refused = served.client.post(
            f"/w/larkspur/goals/codes/{code_id}/delete", data={"csrf_token": token}
        )
        assert refused.status_code == 404
    with served.store.connect() as conn:
        assert [c.code for c in promo_codes_of(conn, served.other_id)] == ["THEIRS1"]


def test_an_event_stream_gets_its_dates_on_the_streams_page(served: Served) -> None:
    assert login(served.client, "alice", PASSWORD).status_code == 303
    form = served.client.get("/w/larkspur/streams/new")
    assert 'id="s-starts"' in form.text and 'id="s-ends"' in form.text
    token = _csrf(form.text)
    data = {"csrf_token": token, "name": "Bake-off", "kind": "event", "query": '"bake off"',
            "starts": "2026-04-10", "ends": "2026-04-11"}  # fmt: skip
    made = served.client.post("/w/larkspur/streams/new", data=data, follow_redirects=False)
    assert made.status_code == 303, made.text
    from hubbub.store.streams import stream_by_name

    with served.store.connect() as conn:
        row = stream_by_name(conn, served.ws_id, "Bake-off")
    assert row is not None and (row.starts, row.ends) == (at(9, 4), at(11, 4))
    listed = html.unescape(served.client.get("/w/larkspur/streams").text)
    assert re.search(r'data-stream="Bake-off".*?Runs Apr 10 – Apr 11', listed, re.S)
    edit = served.client.get(f"/w/larkspur/streams/{row.id}/edit").text
    assert 'value="2026-04-10"' in edit and 'value="2026-04-11"' in edit
    brand = {**data, "name": "Brand 2", "kind": "brand"}
    refused = served.client.post("/w/larkspur/streams/new", data=brand)
    assert refused.status_code == 422 and "are for event and campaign streams" in refused.text
    bad = served.client.post("/w/larkspur/streams/new", data={**data, "name": "B", "ends": "soon"})
    assert bad.status_code == 422 and "is not a date" in html.unescape(bad.text)
    goals = html.unescape(served.client.get("/w/larkspur/goals").text)
    assert re.search(r'<tr data-event="Bake-off">', goals)
    assert "Without dates, so not measured:" in goals and "Open day" in goals
