"""Replies sent from the inbox through the network's publisher (a fake one here).

The fake stands where :func:`hubbub.sources.publishers.publisher_for` would build the
real X, Mastodon or Bluesky client (those are tested against their local fake
servers in tests/sources); here the question is what the inbox does with it: the
text validated first, the reply threaded under the mention, the key stable across a
double click, the item recorded only when the network took it, and a refusal shown
with nothing recorded.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from sqlalchemy import select

from hubbub.inbox.send import reply_key
from hubbub.model import Published
from hubbub.settings import Settings
from hubbub.sources.base import Publisher, PublishError
from hubbub.store import Store
from hubbub.store.tables import audit_log, inbox_items
from tests.web.test_inbox import NOW, Inbox, _csrf, _row, box  # noqa: F401  (the fixture)


@dataclass
class FakePublisher:
    network: str = "x"
    refuse: PublishError | None = None
    calls: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    by_key: dict[str, Published] = field(default_factory=dict)

    def publish(
        self, text: str, *, reply_to: str | None = None, idempotency_key: str | None = None
    ) -> Published:
        self.calls.append((text, reply_to, idempotency_key))
        if self.refuse is not None:
            raise self.refuse
        if idempotency_key in self.by_key:  # as Mastodon and Bluesky honour the key
            return self.by_key[idempotency_key]
        done = Published(
            self.network, f"r{len(self.by_key) + 1}", url="https://x.test/r", reply_to=reply_to
        )
        if idempotency_key is not None:
            self.by_key[idempotency_key] = done
        return done


@dataclass
class Sending:
    box: Inbox
    fake: FakePublisher


@pytest.fixture
def sending(box: Inbox) -> Iterator[Sending]:  # noqa: F811
    fake = FakePublisher()

    def factory(network: str, settings: Settings) -> Publisher | None:
        return fake if network == fake.network else None

    box.client.app.state.publisher_for = factory  # type: ignore[attr-defined]
    yield Sending(box, fake)


def _native(store: Store, item: int) -> str:
    from hubbub.store.tables import mentions, posts

    with store.connect() as conn:
        return str(
            conn.execute(
                select(posts.c.native_id)
                .join(mentions, mentions.c.post_id == posts.c.id)
                .join(inbox_items, inbox_items.c.mention_id == mentions.c.id)
                .where(inbox_items.c.id == item)
            ).scalar_one()
        )


def test_send_posts_under_the_mention_and_records_the_reply(sending: Sending) -> None:
    ib, fake = sending.box, sending.fake
    item = ib.items["q1"]
    page = ib.client.get(f"/w/larkspur/inbox/{item}").text
    assert 'id="send-reply"' in page and f'action="/w/larkspur/inbox/{item}/send"' in page
    sent = ib.client.post(
        f"/w/larkspur/inbox/{item}/send",
        data={"reply": "  We open at 7 on Sundays!  ", "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    assert len(fake.calls) == 1
    text, reply_to, key = fake.calls[0]
    assert text == "We open at 7 on Sundays!"  # trimmed, as recorded
    assert reply_to == _native(ib.store, item)  # threaded under the mention
    assert key == reply_key(ib.ws_id, item, text)
    row = _row(ib.store, item)
    assert row.state == "replied"  # type: ignore[attr-defined]
    assert row.first_response == NOW  # type: ignore[attr-defined]
    with ib.store.connect() as conn:
        logged = conn.execute(
            select(audit_log.c.detail).where(audit_log.c.action == "inbox.sent")
        ).scalar_one()
    assert logged == {"network": "x", "id": "r1", "url": "https://x.test/r"}


def test_a_second_send_is_refused_before_posting(sending: Sending) -> None:
    ib, fake = sending.box, sending.fake
    item = ib.items["q1"]
    page = ib.client.get(f"/w/larkspur/inbox/{item}").text
    data = {"reply": "Yes, 7am.", "csrf_token": _csrf(page)}
    ib.client.post(f"/w/larkspur/inbox/{item}/send", data=data, follow_redirects=False)
    again = ib.client.post(f"/w/larkspur/inbox/{item}/send", data=data, follow_redirects=False)
    assert again.status_code == 422
    assert "reopen it before sending" in html.unescape(again.text)
    assert len(fake.calls) == 1  # the network was not asked twice


def test_the_same_key_for_the_same_reply_and_another_for_another() -> None:
    key = reply_key(1, 2, "hello")
    assert key == reply_key(1, 2, "hello")
    assert len({key, reply_key(1, 2, "hello!"), reply_key(1, 3, "hello")}) == 3


@pytest.mark.parametrize("transient", [False, True])
def test_a_refusal_is_shown_and_nothing_is_recorded(sending: Sending, transient: bool) -> None:
    ib, fake = sending.box, sending.fake
    fake.refuse = PublishError("403 duplicate content", transient=transient)
    item = ib.items["q1"]
    page = ib.client.get(f"/w/larkspur/inbox/{item}").text
    sent = ib.client.post(
        f"/w/larkspur/inbox/{item}/send",
        data={"reply": "Yes!", "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 422
    text = html.unescape(sent.text)
    assert "x did not take the reply: 403 duplicate content" in text
    assert ("try again in a moment" in text) is transient
    assert re.search(r"<textarea[^>]*>Yes!</textarea>", sent.text)  # the draft is kept
    row = _row(ib.store, item)
    assert row.state != "replied" and row.first_response is None  # type: ignore[attr-defined]


def test_too_long_for_the_network_is_refused_without_posting(sending: Sending) -> None:
    ib, fake = sending.box, sending.fake
    item = ib.items["q1"]
    page = ib.client.get(f"/w/larkspur/inbox/{item}").text
    sent = ib.client.post(
        f"/w/larkspur/inbox/{item}/send",
        data={"reply": "a" * 281, "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 422
    assert "281 characters, over x's limit of 280" in html.unescape(sent.text)
    assert fake.calls == []


def test_without_a_publisher_the_page_offers_copy_and_send_is_refused(
    box: Inbox,  # noqa: F811
    store: Store,
    app_settings: Settings,
) -> None:
    box.client.app.state.publisher_for = lambda network, settings: None  # type: ignore[attr-defined]
    item = box.items["q1"]
    page = box.client.get(f"/w/larkspur/inbox/{item}").text
    assert 'id="send-reply"' not in page and "Copy reply and mark replied" in page
    sent = box.client.post(
        f"/w/larkspur/inbox/{item}/send",
        data={"reply": "Yes!", "csrf_token": _csrf(page)},
        follow_redirects=False,
    )
    assert sent.status_code == 422
    assert "posting to x is not set up" in html.unescape(sent.text)


def test_send_needs_csrf_and_another_workspace_is_404(sending: Sending) -> None:
    ib, fake = sending.box, sending.fake
    refused = ib.client.post(f"/w/larkspur/inbox/{ib.items['q1']}/send", data={"reply": "Yes!"})
    assert refused.status_code == 403
    page = ib.client.get(f"/w/larkspur/inbox/{ib.items['q1']}").text
    other = ib.client.post(
        f"/w/larkspur/inbox/{ib.other_item}/send",
        data={"reply": "Yes!", "csrf_token": _csrf(page)},
    )
    assert other.status_code == 404
    assert fake.calls == []
