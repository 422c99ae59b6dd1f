"""``hubbub auth x`` against the fake X, and the X publisher keeping refreshed tokens stored."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from pydantic import SecretStr
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.configure import effective_settings
from hubbub.settings import Settings, get_settings
from hubbub.sources.publishers import publisher_for
from hubbub.sources.x.oauth import Tokens
from hubbub.store import Store
from hubbub.xauth import save_tokens
from tests.fakes.x_api import CLIENT_ID, CLIENT_SECRET, ME, REFRESH_TOKEN, USER_TOKEN, FakeX

runner = CliRunner()
ENV = (
    "HUBBUB_X_USER_TOKEN",
    "HUBBUB_X_USER_REFRESH_TOKEN",
    "HUBBUB_X_CLIENT_ID",
    "HUBBUB_X_CLIENT_SECRET",
    "HUBBUB_X_BEARER_TOKEN",
)


@pytest.fixture
def fake() -> Iterator[FakeX]:
    from tests.fakes.x_api import make_corpus

    tweets, users = make_corpus(10)
    fake = FakeX(tweets, users).start()
    yield fake
    fake.stop()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeX) -> Iterator[Path]:
    for key in ENV:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hubbub.db'}")
    monkeypatch.setenv("HUBBUB_X_API_URL", fake.url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_auth_x_runs_the_pkce_flow_and_stores_the_tokens_masked(
    env: Path, fake: FakeX, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HUBBUB_X_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("HUBBUB_X_CLIENT_SECRET", CLIENT_SECRET)
    get_settings.cache_clear()
    opened: list[str] = []

    def consent(url: str) -> bool:
        """What the user and X's consent page do: X redirects the browser with a code."""
        opened.append(url)
        q = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        code = fake.authorize(q["client_id"], q["redirect_uri"], q["code_challenge"])
        target = f"{q['redirect_uri']}?state={q['state']}&code={code}"
        threading.Thread(target=lambda: httpx.get(target, timeout=5), daemon=True).start()
        return True

    monkeypatch.setattr("hubbub.cli.auth.webbrowser.open", consent)
    port = _port()
    result = runner.invoke(app, ["auth", "x", "--port", str(port), "--timeout", "10"])
    assert result.exit_code == 0, result.output
    assert len(opened) == 1 and opened[0] in result.stdout.replace("\n", "")
    assert f"redirect_uri=http%3A%2F%2F127.0.0.1%3A{port}%2Fcallback" in opened[0]
    issued = [t for t, user in fake.user_tokens.items() if user == ME and t != USER_TOKEN]
    assert len(issued) == 1
    assert issued[0] not in result.stdout and issued[0][-4:] in result.stdout  # masked
    store = Store.open()
    try:
        settings = effective_settings(store, get_settings())
    finally:
        store.close()
    assert settings.x_user_token is not None
    assert settings.x_user_token.get_secret_value() == issued[0]
    assert settings.x_user_refresh_token is not None
    assert fake.refresh_tokens[settings.x_user_refresh_token.get_secret_value()] == ME


def test_auth_x_without_a_client_id_is_a_clear_error(env: Path) -> None:
    result = runner.invoke(app, ["auth", "x", "--no-browser", "--timeout", "1"])
    assert result.exit_code == 1
    assert "HUBBUB_X_CLIENT_ID" in result.output and "Traceback" not in result.output


def test_auth_unknown_network(env: Path) -> None:
    result = runner.invoke(app, ["auth", "myspace"])
    assert result.exit_code == 2 and "unknown network" in result.output


def test_the_x_publisher_stores_refreshed_tokens(env: Path, fake: FakeX) -> None:
    settings = Settings(x_client_id=SecretStr(CLIENT_ID), x_client_secret=SecretStr(CLIENT_SECRET))
    store = Store.open()
    try:
        save_tokens(store, settings, Tokens(SecretStr(USER_TOKEN), SecretStr(REFRESH_TOKEN)))
        fake.expire_user_tokens()  # two hours later
        publisher = publisher_for("x", effective_settings(store, settings))
        assert publisher is not None
        done = publisher.publish("Fresh bread, fresh token")
        assert done.id == fake.tweets[-1]["id"]
        again = effective_settings(store, settings)  # what the next process will use
    finally:
        store.close()
    assert again.x_user_token is not None and again.x_user_refresh_token is not None
    assert fake.user_tokens.get(again.x_user_token.get_secret_value()) == ME
    assert fake.refresh_tokens.get(again.x_user_refresh_token.get_secret_value()) == ME
    assert REFRESH_TOKEN not in fake.refresh_tokens
