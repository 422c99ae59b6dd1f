"""A store with two workspaces, two users and a known set of mentions, and a client.

The mentions are listed in :data:`SPECS`; tests compute what the Overview should
show from that list (independently of the code under test) and compare. The clock
is fixed at :data:`NOW`, in the week New York enters daylight saving time, so the
day grouping is checked across a DST change and a UTC/local midnight split.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from hubbub.model import (
    Account,
    Batch,
    Entities,
    Extent,
    Insight,
    Mention,
    Metrics,
    Post,
    Sentiment,
    Span,
    Stream,
    Who,
    Workspace,
)
from hubbub.settings import Settings
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.users import add_membership, create_user
from hubbub.web import create_app
from tests.store.helpers import pg_url, store

__all__ = [
    "NOW",
    "SPECS",
    "Populated",
    "Spec",
    "app_settings",
    "client",
    "logged_in",
    "login",
    "pg_url",
    "populated",
    "store",
]

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)  # Tue Mar 10, 13:00 in New York (EDT)
TZ = "America/New_York"
PASSWORD = "correct horse battery staple"

BRAND, FLOUR, CRUST, LOCAL = "Larkspur Bakery", "Flour Child Bakehouse", "Mountain Crust", "AVL"
STREAMS = (
    Stream(BRAND, '"Larkspur Bakery" OR @larkspurbakes', "brand"),
    Stream(FLOUR, '"Flour Child Bakehouse" OR @flourchildavl', "competitor"),
    Stream(CRUST, '"Mountain Crust" OR @mountaincrust', "competitor"),
    Stream(LOCAL, "asheville OR avl", "locale"),
)

AUTHORS = {
    "ann": Account("x", "1", "annbakes", "Ann <Baker>", followers=5000),
    "bo": Account("x", "2", "bo_avl", "Bo", followers=200),
    "cy": Account("mastodon", "3", "cy@mastodon.social", "Cy", followers=50),
    "di": Account("bluesky", "4", "di.bsky.social", "Di", followers=900),
}

SCORES = {"positive": 0.7, "neutral": 0.0, "negative": -0.6}
LINKED_TEXT = "Love #larkspurbakery & @larkspurbakes <3 https://larkspurbakery.com/menu"


@dataclass(frozen=True)
class Spec:
    id: str
    created: datetime
    streams: tuple[str, ...]
    sentiment: str
    author: str
    text: str = ""


SPECS: tuple[Spec, ...] = (
    Spec("m1", datetime(2026, 3, 10, 12, 0, tzinfo=UTC), (BRAND,), "positive", "ann", LINKED_TEXT),
    Spec("m2", datetime(2026, 3, 9, 15, 0, tzinfo=UTC), (BRAND, LOCAL), "positive", "bo"),
    # 04:30 UTC on Mar 8 is 23:30 on Mar 7 in New York (EST): a Mar 7 mention
    Spec("m3", datetime(2026, 3, 8, 4, 30, tzinfo=UTC), (FLOUR,), "negative", "ann"),
    # 07:30 UTC on Mar 8 is 03:30 EDT, just after the clocks went forward
    Spec("m4", datetime(2026, 3, 8, 7, 30, tzinfo=UTC), (BRAND,), "neutral", "cy"),
    Spec("m5", datetime(2026, 3, 4, 5, 30, tzinfo=UTC), (CRUST, FLOUR), "neutral", "bo"),
    Spec("m6", datetime(2026, 3, 4, 4, 30, tzinfo=UTC), (BRAND,), "negative", "di"),  # Mar 3
    Spec("m7", datetime(2026, 2, 20, 10, 0, tzinfo=UTC), (BRAND,), "negative", "di"),
    Spec("m8", datetime(2026, 1, 5, 10, 0, tzinfo=UTC), (BRAND,), "positive", "ann"),
    Spec("m9", datetime(2025, 11, 1, 10, 0, tzinfo=UTC), (BRAND,), "positive", "ann"),
)
OTHER_SPECS: tuple[Spec, ...] = (
    Spec("o1", datetime(2026, 3, 10, 9, 0, tzinfo=UTC), (BRAND,), "negative", "di"),
    Spec("o2", datetime(2026, 3, 9, 9, 0, tzinfo=UTC), (BRAND,), "negative", "di"),
)


def _entities(text: str) -> Entities:
    """Spans for the fixed LINKED_TEXT (indices found by str.index, code points)."""
    if text != LINKED_TEXT:
        return Entities()
    tag = text.index("#larkspurbakery")
    handle = text.index("@larkspurbakes")
    url = text.index("https://")
    return Entities(
        hashtags=(Span("larkspurbakery", tag, tag + len("#larkspurbakery")),),
        mentions=(Span("larkspurbakes", handle, handle + len("@larkspurbakes")),),
        urls=(Span("https://larkspurbakery.com/menu", url, len(text)),),
    )


def _mention(ws: Workspace, spec: Spec) -> Mention:
    author = AUTHORS[spec.author]
    text = spec.text or f"post {spec.id} about {', '.join(spec.streams)}"
    post = Post(
        network=author.network,
        id=f"{ws.slug}-{spec.id}",
        author=author,
        text=text,
        created=spec.created,
        url=f"https://example.social/{author.handle}/{spec.id}",
        entities=_entities(text),
        metrics=Metrics(likes=3, reposts=1),
    )
    insight = Insight(
        who=Who(handle=author.handle, followers=author.followers),
        extent=Extent(reach=author.followers or 0, engagement=4),
        sentiment=Sentiment(spec.sentiment, SCORES[spec.sentiment]),  # type: ignore[arg-type]
    )
    return Mention(ws.slug, post, spec.streams, insight)


def workspace(slug: str, name: str) -> Workspace:
    return Workspace(slug=slug, name=name, timezone=TZ, streams=STREAMS)


def fill(store: Store, ws: Workspace, specs: tuple[Spec, ...]) -> int:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        found = [_mention(ws, s) for s in specs]
        write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)
    return ws_id


@dataclass(frozen=True)
class Populated:
    store: Store
    larkspur_id: int
    other_id: int


@pytest.fixture
def populated(store: Store) -> Populated:
    """Workspaces larkspur (SPECS) and other (OTHER_SPECS); alice is in larkspur only,
    bob in other only."""
    larkspur_id = fill(store, workspace("larkspur", "Larkspur Bakery"), SPECS)
    other_id = fill(store, workspace("other", "Other Bakery"), OTHER_SPECS)
    with store.begin() as conn:
        alice = create_user(conn, "alice", PASSWORD, name="Alice Example")
        bob = create_user(conn, "bob", PASSWORD)
        add_membership(conn, alice, larkspur_id, "owner")
        add_membership(conn, bob, other_id, "staff")
    return Populated(store, larkspur_id, other_id)


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path / "home", secret_key="test-secret-key-0123456789")


@pytest.fixture
def client(populated: Populated, app_settings: Settings) -> Iterator[TestClient]:
    app = create_app(populated.store, app_settings, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def login(client: TestClient, username: str = "alice", password: str = PASSWORD) -> httpx.Response:
    """Fetch the login form (for its CSRF token and cookie), then post it."""
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None, "login form has no CSRF field"
    response: httpx.Response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": found.group(1)},
        follow_redirects=False,
    )
    return response


@pytest.fixture
def logged_in(client: TestClient) -> TestClient:
    response = login(client)
    assert response.status_code == 303
    return client
