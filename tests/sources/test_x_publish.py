"""XPublisher and OAuth 2.0 PKCE against the fake X: posts, replies, refresh, waits, errors."""

from __future__ import annotations

import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from tests.fakes.x_api import (
    CLIENT_ID,
    CLIENT_SECRET,
    ME,
    REFRESH_TOKEN,
    TOKEN,
    USER_TOKEN,
    FakeClock,
    FakeX,
)

from hubbub.settings import Settings
from hubbub.sources.base import Publisher, PublishError
from hubbub.sources.x.client import XClient
from hubbub.sources.x.oauth import (
    OAuthError,
    Tokens,
    authorize_url,
    catch_code,
    exchange_code,
    new_pkce,
    refresh_tokens,
)
from hubbub.sources.x.publish import XPublisher, publisher_from_settings, same_text
from hubbub.sources.x.usage import Budget, MemoryMeter


@pytest.fixture
def publisher(fake_x: FakeX, clock: FakeClock) -> Iterator[XPublisher]:
    budget = Budget(MemoryMeter())
    client = XClient(
        SecretStr(USER_TOKEN), fake_x.url, budget=budget, sleep=clock.sleep, clock=clock, timeout=5
    )
    saved: list[Tokens] = []
    pub = XPublisher(
        client,
        refresh_token=SecretStr(REFRESH_TOKEN),
        client_id=CLIENT_ID,
        client_secret=SecretStr(CLIENT_SECRET),
        on_tokens=saved.append,
    )
    pub.saved = saved  # type: ignore[attr-defined]
    yield pub
    pub.close()


def _writes(pub: XPublisher) -> int:
    return pub.client.budget.meter.usage(pub.client.budget.month())[1]


def test_a_post_is_made_and_metered_as_a_write(publisher: XPublisher, fake_x: FakeX) -> None:
    assert isinstance(publisher, Publisher)
    done = publisher.publish("Fresh sourdough at 7 tomorrow")
    assert fake_x.posted == [{"text": "Fresh sourdough at 7 tomorrow"}]
    made = fake_x.tweets[-1]
    assert done.network == "x" and done.id == made["id"] and made["author_id"] == ME
    assert done.url == f"https://x.com/i/web/status/{made['id']}" and done.reply_to is None
    assert _writes(publisher) == 1


def test_a_reply_names_its_parent(publisher: XPublisher, fake_x: FakeX) -> None:
    parent = fake_x.tweets[5]["id"]
    done = publisher.publish("Thanks, see you Saturday!", reply_to=parent)
    assert fake_x.posted[-1] == {
        "text": "Thanks, see you Saturday!",
        "reply": {"in_reply_to_tweet_id": parent},
    }
    assert done.reply_to == parent
    assert fake_x.tweets[-1]["referenced_tweets"] == [{"type": "replied_to", "id": parent}]


def test_an_expired_token_is_refreshed_once_and_the_new_tokens_handed_on(
    publisher: XPublisher, fake_x: FakeX
) -> None:
    fake_x.expire_user_tokens()
    done = publisher.publish("After two hours")
    assert done.id == fake_x.tweets[-1]["id"]
    saved = publisher.saved  # type: ignore[attr-defined]
    assert len(saved) == 1 and saved[0].refresh is not None
    new_access = saved[0].access.get_secret_value()
    assert fake_x.user_tokens == {new_access: ME}
    assert REFRESH_TOKEN not in fake_x.refresh_tokens  # single use: it was spent
    assert publisher.refresh_token == saved[0].refresh
    assert new_access not in repr(saved[0])
    # the next expiry uses the rotated refresh token
    fake_x.expire_user_tokens()
    publisher.publish("And two hours later")
    assert len(saved) == 2


def test_a_refused_refresh_is_a_permanent_error(publisher: XPublisher, fake_x: FakeX) -> None:
    fake_x.expire_user_tokens()
    fake_x.refresh_tokens.clear()
    with pytest.raises(PublishError, match="hubbub auth x") as info:
        publisher.publish("nope")
    assert info.value.transient is False and fake_x.posted == []


def test_a_429_waits_for_the_reset_and_posts_once(
    publisher: XPublisher, fake_x: FakeX, clock: FakeClock
) -> None:
    fake_x.fail_next("/2/tweets", "429")
    publisher.publish("Patience")
    assert len(fake_x.posted) == 1
    assert clock.slept and clock.slept[0] > 60  # the window's reset, not a short backoff
    lookups = [p for m, p, q in fake_x.requests if p.endswith(f"/2/users/{ME}/tweets")]
    assert lookups == []  # X did not act on a 429: no need to look for a lost post


def test_duplicate_content_is_not_transient(publisher: XPublisher, fake_x: FakeX) -> None:
    publisher.publish("Same words")
    with pytest.raises(PublishError, match="duplicate content") as info:
        publisher.publish("Same words")
    assert info.value.transient is False and len(fake_x.posted) == 1


def test_a_reply_to_a_deleted_post_and_bad_text_are_not_transient(
    publisher: XPublisher, fake_x: FakeX
) -> None:
    with pytest.raises(PublishError, match="deleted or not visible") as info:
        publisher.publish("hello", reply_to="1")
    assert info.value.transient is False
    with pytest.raises(PublishError, match="280"):
        publisher.publish("x" * 281)
    with pytest.raises(PublishError, match="empty"):
        publisher.publish("   ")
    assert fake_x.posted == []


def test_5xx_that_outlast_the_retries_are_transient(publisher: XPublisher, fake_x: FakeX) -> None:
    fake_x.fail_next("/2/tweets", *["503"] * 6)
    with pytest.raises(PublishError) as info:
        publisher.publish("try later")
    assert info.value.transient is True and fake_x.posted == []


def test_a_lost_answer_is_found_instead_of_posting_twice(
    publisher: XPublisher, fake_x: FakeX
) -> None:
    fake_x.fail_next("/2/tweets", "lose")  # X posts it, the answer never arrives
    parent = fake_x.tweets[3]["id"]
    done = publisher.publish("Lost in transit https://larkspur.example/menu", reply_to=parent)
    assert len(fake_x.posted) == 1  # not twice
    assert done.id == fake_x.tweets[-1]["id"] and done.reply_to == parent
    assert _writes(publisher) == 1
    lookups = [q for m, p, q in fake_x.requests if p == f"/2/users/{ME}/tweets"]
    assert len(lookups) == 1 and "start_time" in lookups[0]


def test_same_text_ignores_link_rewriting_and_spacing() -> None:
    assert same_text("see https://a.example/x  now", "see https://t.co/abc now")
    assert not same_text("see it now", "see it later")


def test_publisher_from_settings_needs_a_user_token(fake_x: FakeX) -> None:
    assert publisher_from_settings(Settings(x_bearer_token=SecretStr(TOKEN))) is None
    settings = Settings(
        x_user_token=SecretStr(USER_TOKEN),
        x_user_refresh_token=SecretStr(REFRESH_TOKEN),
        x_client_id=SecretStr(CLIENT_ID),
        x_api_url=fake_x.url,
    )
    pub = publisher_from_settings(settings)
    assert pub is not None and pub.refresh_token is not None
    try:
        assert pub.publish("configured").network == "x"
    finally:
        pub.close()


def test_an_app_bearer_cannot_post(fake_x: FakeX, clock: FakeClock) -> None:
    pub = XPublisher(XClient(SecretStr(TOKEN), fake_x.url, sleep=clock.sleep, clock=clock))
    try:
        with pytest.raises(PublishError, match="403") as info:
            pub.publish("as the app")
    finally:
        pub.close()
    assert info.value.transient is False and fake_x.posted == []


# --- OAuth 2.0 PKCE ---------------------------------------------------------------------


def test_pkce_flow_against_the_fake_token_endpoint(fake_x: FakeX) -> None:
    pkce = new_pkce()
    assert 43 <= len(pkce.verifier) <= 128 and pkce.challenge != pkce.verifier
    redirect = "http://127.0.0.1:8765/callback"
    url = authorize_url(CLIENT_ID, redirect, pkce)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and query["state"] == [pkce.state]
    assert "offline.access" in query["scope"][0].split()
    code = fake_x.authorize(CLIENT_ID, redirect, query["code_challenge"][0])
    tokens = exchange_code(
        code, pkce, redirect, CLIENT_ID, SecretStr(CLIENT_SECRET), api_url=fake_x.url
    )
    assert fake_x.user_tokens[tokens.access.get_secret_value()] == ME
    assert tokens.refresh is not None and tokens.expires_in == 7200
    # a code works once
    with pytest.raises(OAuthError, match="refused"):
        exchange_code(code, pkce, redirect, CLIENT_ID, SecretStr(CLIENT_SECRET), api_url=fake_x.url)
    # and only with its own verifier
    other = fake_x.authorize(CLIENT_ID, redirect, query["code_challenge"][0])
    with pytest.raises(OAuthError):
        exchange_code(
            other, new_pkce(), redirect, CLIENT_ID, SecretStr(CLIENT_SECRET), api_url=fake_x.url
        )
    renewed = refresh_tokens(
        tokens.refresh, CLIENT_ID, SecretStr(CLIENT_SECRET), api_url=fake_x.url
    )
    assert renewed.access != tokens.access
    with pytest.raises(OAuthError):  # the old refresh token was spent
        refresh_tokens(tokens.refresh, CLIENT_ID, SecretStr(CLIENT_SECRET), api_url=fake_x.url)


def test_wrong_client_secret_is_refused(fake_x: FakeX) -> None:
    with pytest.raises(OAuthError, match="401"):
        refresh_tokens(SecretStr(REFRESH_TOKEN), CLIENT_ID, SecretStr("wrong"), api_url=fake_x.url)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _visit(url: str) -> httpx.Response:
    return httpx.get(url, timeout=5)


def test_catch_code_reads_one_callback_and_checks_state() -> None:
    redirect = f"http://127.0.0.1:{_free_port()}/callback"
    got: list[httpx.Response] = []

    def browser() -> None:
        got.append(_visit(redirect.replace("/callback", "/favicon.ico")))
        got.append(_visit(f"{redirect}?state=s1&code=the-code"))

    assert catch_code(redirect, "s1", timeout=5, ready=browser) == "the-code"
    deadline = time.monotonic() + 5
    while len(got) < 2 and time.monotonic() < deadline:  # the browser reads its answer
        time.sleep(0.01)
    assert [r.status_code for r in got] == [404, 200] and "connected" in got[1].text

    redirect = f"http://127.0.0.1:{_free_port()}/callback"
    with pytest.raises(OAuthError, match="state"):
        catch_code(
            redirect,
            "s1",
            timeout=5,
            ready=lambda: got.append(_visit(redirect + "?state=x&code=c")),
        )
    redirect = f"http://127.0.0.1:{_free_port()}/callback"
    with pytest.raises(OAuthError, match="access_denied"):
        catch_code(
            redirect,
            "s1",
            timeout=5,
            ready=lambda: got.append(_visit(redirect + "?state=s1&error=access_denied")),
        )


def test_catch_code_times_out() -> None:
    redirect = f"http://127.0.0.1:{_free_port()}/cb"
    with pytest.raises(OAuthError, match="no answer"):
        catch_code(redirect, "s", timeout=0.3)


def test_catch_code_wants_a_loopback_callback() -> None:
    with pytest.raises(OAuthError, match=r"127\.0\.0\.1"):
        catch_code("https://example.com/cb", "s")
