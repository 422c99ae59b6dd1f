"""XClient against the fake X: rate limits, 429, 5xx, dropped and malformed replies, credentials."""

from __future__ import annotations

import logging
import socket

import pytest
from pydantic import SecretStr
from tests.fakes.x_api import TOKEN, FakeClock, FakeX

from hubbub.settings import Settings
from hubbub.sources.base import SourceError
from hubbub.sources.x.client import (
    REST_BACKOFF,
    STREAM_BACKOFF,
    XClient,
    client_from_settings,
)
from hubbub.sources.x.usage import Budget, CapReached, MemoryMeter

SEARCH = "/2/tweets/search/recent"
PARAMS: dict[str, str | int] = {"query": "sourdough", "max_results": 10}


def test_a_page_is_decoded_and_its_posts_counted(x_client: XClient) -> None:
    reply = x_client.request("GET", SEARCH, params=PARAMS)
    assert reply.status == 200
    assert len(reply.data["data"]) == 10
    assert "query=sourdough" in reply.url
    assert x_client.budget.meter.usage(x_client.budget.month()) == (10, 0)


def test_429_waits_for_the_reset_then_succeeds(
    x_client: XClient, fake_x: FakeX, clock: FakeClock
) -> None:
    start = clock()
    fake_x.fail_next(SEARCH, "429")
    reply = x_client.request("GET", SEARCH, params=PARAMS)
    assert reply.status == 200
    assert len(clock.slept) == 1
    # the fake's window resets 900 s after its first request: wait for it (+1 s margin)
    assert 900 <= clock.slept[0] <= 902
    assert clock() >= start + 900


def test_an_exhausted_window_is_waited_out_before_asking(
    x_client: XClient, fake_x: FakeX, clock: FakeClock
) -> None:
    fake_x.rate_limit = 2
    for _ in range(3):
        assert x_client.request("GET", SEARCH, params=PARAMS).status == 200
    # the second reply said remaining=0: the third call slept until the reset, no 429
    assert len(clock.slept) == 1 and clock.slept[0] >= 900
    assert len(fake_x.search_requests()) == 3


def test_5xx_backs_off_exponentially(x_client: XClient, fake_x: FakeX, clock: FakeClock) -> None:
    fake_x.fail_next(SEARCH, "503", "503", "503")
    told: list[tuple[str, float]] = []
    x_client.on_wait = lambda why, seconds: told.append((why, seconds))
    assert x_client.request("GET", SEARCH, params=PARAMS).status == 200
    assert clock.slept == [1.0, 2.0, 4.0]
    assert told[0] == ("X: 503 Service Unavailable; retrying", 1.0) and len(told) == 3


@pytest.mark.parametrize("failure", ["drop", "truncated", "malformed"])
def test_dropped_truncated_and_malformed_replies_are_retried(
    x_client: XClient, fake_x: FakeX, clock: FakeClock, failure: str
) -> None:
    fake_x.fail_next(SEARCH, failure)
    reply = x_client.request("GET", SEARCH, params=PARAMS)
    assert len(reply.data["data"]) == 10
    assert clock.slept == [1.0]
    assert len(fake_x.search_requests()) == 2
    # the failed attempt's posts were never counted
    assert x_client.budget.meter.usage(x_client.budget.month()) == (10, 0)


def test_persistent_5xx_gives_up_with_one_line(x_client: XClient, fake_x: FakeX) -> None:
    fake_x.fail_next(SEARCH, *["503"] * 10)
    with pytest.raises(SourceError) as caught:
        x_client.request("GET", SEARCH, params=PARAMS)
    message = str(caught.value)
    assert message.startswith("x: ") and "\n" not in message
    assert "6 times" in message and "503" in message and "try again later" in message
    assert len(fake_x.search_requests()) == REST_BACKOFF.max_attempts


def test_connection_refused_is_retried_then_reported(clock: FakeClock) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    client = XClient(SecretStr(TOKEN), f"http://127.0.0.1:{port}", sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError, match="ConnectError"):
        client.request("GET", SEARCH, params=PARAMS)
    assert clock.slept == [1.0, 2.0, 4.0, 8.0, 16.0]


def test_a_wrong_token_is_one_clear_line_without_the_token(
    fake_x: FakeX, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "wrong-token-abcdefgh-7777"
    client = XClient(SecretStr(secret), fake_x.url, sleep=clock.sleep, clock=clock)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(SourceError) as caught:
        client.request("GET", SEARCH, params=PARAMS)
    message = str(caught.value)
    assert "401" in message and "HUBBUB_X_BEARER_TOKEN" in message and message.startswith("x:")
    assert secret not in message and "7777" in message  # masked: only the last four
    assert secret not in repr(client)
    assert all(secret not in r.getMessage() for r in caplog.records)
    assert clock.slept == []  # credentials are not retried


def test_403_names_the_endpoint_and_the_portal(x_client: XClient, fake_x: FakeX) -> None:
    fake_x.fail_next(SEARCH, "403")
    with pytest.raises(SourceError, match=r"forbidden.*approved developer account.*portal"):
        x_client.request("GET", SEARCH, params=PARAMS)


def test_400_reports_x_reason_without_retrying(x_client: XClient, fake_x: FakeX) -> None:
    fake_x.fail_next(SEARCH, "400")
    with pytest.raises(SourceError, match="rejected \\(400\\): Invalid 'query'"):
        x_client.request("GET", SEARCH, params=PARAMS)
    assert len(fake_x.search_requests()) == 1


def test_the_cap_stops_before_asking(fake_x: FakeX, clock: FakeClock) -> None:
    budget = Budget(MemoryMeter(), read_cap=15)
    client = XClient(SecretStr(TOKEN), fake_x.url, budget=budget, sleep=clock.sleep, clock=clock)
    client.request("GET", SEARCH, params=PARAMS)
    client.request("GET", SEARCH, params=PARAMS)  # 10 < 15: allowed, and reads 10 more
    with pytest.raises(CapReached, match=r"cap of 15 posts is reached \(20 read.*\$0\.10"):
        client.request("GET", SEARCH, params=PARAMS)
    assert len(fake_x.search_requests()) == 2
    # reading rules costs nothing and is not capped
    assert client.request("GET", "/2/tweets/search/stream/rules").status == 200


def test_backoff_schedules_follow_x_documentation() -> None:
    net = [STREAM_BACKOFF.delay("network", n) for n in (1, 2, 3, 64, 65)]
    assert net == [0.25, 0.5, 0.75, 16.0, 16.0]
    http = [STREAM_BACKOFF.delay("http", n) for n in range(1, 9)]
    assert http == [5, 10, 20, 40, 80, 160, 320, 320]
    assert [STREAM_BACKOFF.delay("too_many", n) for n in (1, 2, 3)] == [60, 120, 240]
    assert STREAM_BACKOFF.max_attempts is None


def test_settings_give_the_url_and_refuse_a_missing_token() -> None:
    with pytest.raises(SourceError, match="no bearer token: set HUBBUB_X_BEARER_TOKEN"):
        client_from_settings(Settings(x_bearer_token=None))
    client = client_from_settings(
        Settings(x_bearer_token=SecretStr("tok-123456789"), x_api_url="http://127.0.0.1:9/")
    )
    assert client.base_url == "http://127.0.0.1:9"
    assert "tok-123456789" not in repr(client)
    client.close()
