"""MastodonClient against the fake instance: rate limits, 429, 5xx, drops, credentials, 4xx."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from tests.fakes.mastodon import TOKEN, FakeMastodon, make_corpus
from tests.fakes.x_api import FakeClock

from hubbub.settings import Settings
from hubbub.sources.base import SourceError
from hubbub.sources.mastodon.client import (
    REST_BACKOFF,
    MastodonClient,
    MastodonRequestError,
    MastodonUnavailable,
    client_from_settings,
)

TAG = "/api/v1/timelines/tag/sourdough"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon(make_corpus(120), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def client(fake: FakeMastodon, clock: FakeClock) -> Iterator[MastodonClient]:
    c = MastodonClient(fake.url, SecretStr(TOKEN), sleep=clock.sleep, clock=clock, timeout=5)
    yield c
    c.close()


def _page(client: MastodonClient, **kwargs: object) -> list[dict[str, object]]:
    reply = client.request(
        f"GET {TAG}", lambda api: api.timeline_hashtag("sourdough", limit=10, **kwargs)
    )
    assert isinstance(reply.data, list)
    return reply.data


def test_a_page_comes_back_raw_with_its_link_paging(
    client: MastodonClient, fake: FakeMastodon
) -> None:
    reply = client.request(f"GET {TAG}", lambda api: api.timeline_hashtag("sourdough", limit=10))
    tagged = [s for s in fake.statuses if s["tags"]]
    assert [s["id"] for s in reply.data] == [s["id"] for s in reversed(tagged[-10:])]
    # the JSON exactly as sent (Mastodon.py's own types would have turned times into datetimes)
    assert reply.data[0]["created_at"] == tagged[-1]["created_at"]
    assert reply.next_max_id == tagged[-10]["id"] and reply.prev_min_id == tagged[-1]["id"]
    assert reply.headers["X-RateLimit-Limit"] == "300"
    assert fake.headers_seen[-1]["Authorization"] == "Bearer " + TOKEN


def test_an_exhausted_window_is_waited_out_before_asking(
    client: MastodonClient, fake: FakeMastodon, clock: FakeClock
) -> None:
    fake.rate_limit = 3  # Mastodon.py's one look-up of /api/v2/instance counts too
    _page(client)
    _page(client)  # this answer said Remaining: 0
    assert clock.slept == []
    _page(client)
    assert len(clock.slept) == 1
    reset = fake._window
    assert reset is not None and clock() >= reset.reset - 300  # a new window had begun
    assert 1 <= clock.slept[0] <= 301
    assert len(fake.calls(TAG)) == 3  # no 429 was earned


def test_429_waits_for_the_reset_it_names(
    client: MastodonClient, fake: FakeMastodon, clock: FakeClock
) -> None:
    fake.fail_next(TAG, "429")
    start = clock()
    assert len(_page(client)) == 10
    assert len(clock.slept) == 1
    window_end = (start // 300 + 1) * 300
    assert clock.slept[0] == pytest.approx(window_end - start + 1, abs=1.01)


@pytest.mark.parametrize("failure", ["500", "502", "503", "drop", "truncated", "malformed"])
def test_5xx_and_broken_answers_are_retried_with_backoff(
    client: MastodonClient, fake: FakeMastodon, clock: FakeClock, failure: str
) -> None:
    fake.fail_next(TAG, failure, failure)
    told: list[tuple[str, float]] = []
    client.on_wait = lambda why, seconds: told.append((why, seconds))
    assert len(_page(client)) == 10
    assert clock.slept == [1.0, 2.0]
    assert len(told) == 2 and told[0][0].startswith("Mastodon: ")
    assert len(fake.calls(TAG)) == 3


def test_persistent_5xx_gives_up_with_one_line(client: MastodonClient, fake: FakeMastodon) -> None:
    fake.fail_next(TAG, *["503"] * 10)
    with pytest.raises(MastodonUnavailable) as caught:
        _page(client)
    message = str(caught.value)
    assert message.startswith("mastodon: GET /api/v1/timelines/tag/sourdough failed 6 times")
    assert "503 Service Unavailable" in message and "\n" not in message
    assert len(fake.calls(TAG)) == REST_BACKOFF.max_attempts


def test_connection_refused_is_retried_then_reported(clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = MastodonClient(f"http://127.0.0.1:{port}", None, sleep=clock.sleep, clock=clock)
    with pytest.raises(MastodonUnavailable, match="ConnectionError"):
        _page(client)
    assert clock.slept == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_a_wrong_token_is_one_clear_line_without_the_token(
    fake: FakeMastodon, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "wrong-token-abcdefgh-7777"
    client = MastodonClient(fake.url, SecretStr(secret), sleep=clock.sleep, clock=clock)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError) as caught:
        _page(client)
    message = str(caught.value)
    assert message.startswith("mastodon: the access token (••••••7777) was refused by 127.0.0.1")
    assert "401: The access token is invalid" in message
    assert "HUBBUB_MASTODON_ACCESS_TOKEN" in message and "\n" not in message
    assert secret not in message and secret not in repr(client)
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert clock.slept == []


def test_403_and_422_and_404_are_not_retried(client: MastodonClient, fake: FakeMastodon) -> None:
    fake.fail_next(TAG, "403")
    with pytest.raises(SourceError, match=r"forbidden on .*403: This action is outside"):
        _page(client)
    fake.fail_next(TAG, "422")
    with pytest.raises(MastodonRequestError, match=r"rejected \(422\): Validation failed") as c:
        _page(client)
    assert c.value.status == 422
    with pytest.raises(MastodonRequestError, match=r"not found .*404.*Record not found"):
        client.request("GET /api/v1/accounts/lookup", lambda api: api.account_lookup("nobody"))
    assert len(fake.calls(TAG)) == 2


def test_settings_give_the_instance_and_refuse_none() -> None:
    with pytest.raises(SourceError, match="no instance: set HUBBUB_MASTODON_BASE_URL"):
        client_from_settings(Settings(mastodon_base_url=""))
    with pytest.raises(SourceError, match="not an http"):
        client_from_settings(Settings(mastodon_base_url="mastodon.social"))
    client = client_from_settings(
        Settings(
            mastodon_base_url="https://bakers.social/",
            mastodon_access_token=SecretStr("tok-123456789"),
        )
    )
    assert client.base_url == "https://bakers.social" and client.has_token
    assert "tok-123456789" not in repr(client)
    anonymous = client_from_settings(
        Settings(mastodon_base_url="https://bakers.social", mastodon_access_token=SecretStr(" "))
    )
    assert not anonymous.has_token


def test_rate_limit_reset_is_read_as_an_iso_time(client: MastodonClient) -> None:
    client.note_window(
        {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2026-11-25T16:05:00.000Z"}
    )
    assert client.window is not None
    assert client.window.reset == datetime(2026, 11, 25, 16, 5, tzinfo=UTC).timestamp()
    client.note_window({"X-RateLimit-Remaining": "x", "X-RateLimit-Reset": "soon"})
    assert client.window.remaining == 0  # an unreadable answer leaves the window alone
