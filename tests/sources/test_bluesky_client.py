"""BlueskyClient against the fake XRPC service: sessions, rate limits, 429, 5xx, drops, errors."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from tests.fakes.bluesky import HANDLE, PASSWORD, FakeBluesky, make_posts
from tests.fakes.x_api import FakeClock

from hubbub.settings import Settings
from hubbub.sources.base import SourceError
from hubbub.sources.bluesky import (
    BlueskyAuthError,
    BlueskyClient,
    BlueskyRequestError,
    BlueskyUnavailable,
    client_from_settings,
)

SEARCH = "app.bsky.feed.searchPosts"
PARAMS: dict[str, str | int] = {"q": "sourdough", "limit": 10, "sort": "latest"}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeBluesky]:
    server = FakeBluesky(make_posts(60), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def client(fake: FakeBluesky, clock: FakeClock) -> Iterator[BlueskyClient]:
    c = BlueskyClient(
        HANDLE, SecretStr(PASSWORD), fake.url, sleep=clock.sleep, clock=clock, timeout=5
    )
    yield c
    c.close()


def test_logs_in_once_and_sends_the_access_token(client: BlueskyClient, fake: FakeBluesky) -> None:
    first = client.get(SEARCH, PARAMS)
    client.get(SEARCH, PARAMS)
    assert len(first["posts"]) == 10
    assert client.logins == 1 and len(fake.calls("com.atproto.server.createSession")) == 1
    assert client.session is not None and client.session.did == fake.did
    assert fake.bodies("com.atproto.server.createSession") == [
        {"identifier": HANDLE, "password": PASSWORD}
    ]


def test_an_expired_access_token_is_refreshed_and_the_call_repeated(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    client.get(SEARCH, PARAMS)
    fake.expire_access()
    again = client.get(SEARCH, PARAMS)
    assert len(again["posts"]) == 10
    assert client.refreshes == 1 and client.logins == 1
    assert len(fake.calls(SEARCH)) == 3  # the refused one, then the repeat


def test_an_expired_refresh_token_logs_in_again(client: BlueskyClient, fake: FakeBluesky) -> None:
    client.get(SEARCH, PARAMS)
    fake.expire_access()
    fake.expire_refresh()
    assert len(client.get(SEARCH, PARAMS)["posts"]) == 10
    assert client.logins == 2 and client.refreshes == 0


def test_429_waits_for_the_reset_header(
    client: BlueskyClient, fake: FakeBluesky, clock: FakeClock
) -> None:
    client.get(SEARCH, PARAMS)  # opens the fake's 300 s window
    fake.fail_next(SEARCH, "429")
    assert len(client.get(SEARCH, PARAMS)["posts"]) == 10
    assert len(clock.slept) == 1 and 299 <= clock.slept[0] <= 302


def test_a_used_up_window_is_waited_out_before_asking(
    client: BlueskyClient, fake: FakeBluesky, clock: FakeClock
) -> None:
    fake.rate_limit = 3  # createSession has its own window
    for _ in range(4):
        client.get(SEARCH, PARAMS)
    # the third answer said remaining=0: the fourth call slept until the reset, no 429
    assert len(clock.slept) == 1 and clock.slept[0] >= 300
    assert len(fake.calls(SEARCH)) == 4


def test_5xx_backs_off_exponentially_and_reports_the_wait(
    client: BlueskyClient, fake: FakeBluesky, clock: FakeClock
) -> None:
    fake.fail_next(SEARCH, "502", "503", "503")
    told: list[tuple[str, float]] = []
    client.on_wait = lambda why, seconds: told.append((why, seconds))
    assert len(client.get(SEARCH, PARAMS)["posts"]) == 10
    assert clock.slept == [1.0, 2.0, 4.0]
    assert told[0] == ("Bluesky: 502 Bad Gateway; retrying", 1.0)


@pytest.mark.parametrize("failure", ["drop", "malformed"])
def test_dropped_and_malformed_answers_are_retried(
    client: BlueskyClient, fake: FakeBluesky, clock: FakeClock, failure: str
) -> None:
    client.get(SEARCH, PARAMS)
    fake.fail_next(SEARCH, failure)
    assert len(client.get(SEARCH, PARAMS)["posts"]) == 10
    assert clock.slept == [1.0]


def test_persistent_5xx_gives_up_with_one_line(client: BlueskyClient, fake: FakeBluesky) -> None:
    client.get(SEARCH, PARAMS)
    fake.fail_next(SEARCH, *["503"] * 10)
    with pytest.raises(BlueskyUnavailable) as caught:
        client.get(SEARCH, PARAMS)
    message = str(caught.value)
    assert message.startswith("bluesky: ") and "\n" not in message
    assert "6 times" in message and "503" in message and "try again later" in message


def test_a_rejected_call_carries_the_xrpc_error_and_is_not_retried(
    client: BlueskyClient, fake: FakeBluesky, clock: FakeClock
) -> None:
    client.get(SEARCH, PARAMS)
    fake.fail_next(SEARCH, "400")
    with pytest.raises(BlueskyRequestError) as caught:
        client.get(SEARCH, PARAMS)
    assert caught.value.status == 400 and caught.value.error == "InvalidRequest"
    assert "Input/q must be a string" in str(caught.value)
    assert clock.slept == [] and len(fake.calls(SEARCH)) == 2


def test_a_wrong_password_is_one_line_without_the_password(
    fake: FakeBluesky, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "wrong-pass-word-9876"
    client = BlueskyClient(HANDLE, SecretStr(secret), fake.url, sleep=clock.sleep, clock=clock)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(BlueskyAuthError) as caught:
        client.get(SEARCH, PARAMS)
    message = str(caught.value)
    assert "HUBBUB_BLUESKY_APP_PASSWORD" in message and "Invalid identifier or password" in message
    assert secret not in message and "9876" in message
    assert secret not in repr(client)
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert clock.slept == []


def test_connection_refused_is_retried_then_reported(clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = BlueskyClient(base_url=f"http://127.0.0.1:{port}", sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError, match="ConnectError"):
        client.get(SEARCH, PARAMS)
    assert clock.slept == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_without_credentials_calls_go_out_unauthenticated(fake: FakeBluesky) -> None:
    client = BlueskyClient(base_url=fake.url)
    with pytest.raises(BlueskyAuthError, match="AuthenticationRequired"):
        client.get(SEARCH, PARAMS)
    assert fake.calls("com.atproto.server.createSession") == []
    with pytest.raises(SourceError, match="HUBBUB_BLUESKY_HANDLE"):
        client.login()


def test_settings_give_the_service_url_and_handle() -> None:
    settings = Settings(
        bluesky_handle="@me.bsky.social",
        bluesky_app_password=SecretStr("pass-word-1234"),
        bluesky_service_url="http://127.0.0.1:9/",
    )
    client = client_from_settings(settings)
    assert client.base_url == "http://127.0.0.1:9" and client.handle == "me.bsky.social"
    assert "pass-word-1234" not in repr(client)
    assert Settings().bluesky_jetstream_url.startswith("wss://jetstream")
    client.close()
