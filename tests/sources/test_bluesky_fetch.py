"""``hubbub fetch bluesky`` against the fake: what it stores, resuming after a failure, errors."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from tests.fakes.bluesky import HANDLE, PASSWORD, FakeBluesky, make_posts, profile
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import Settings, get_settings
from hubbub.sources.bluesky import BlueskyClient, client_from_settings

WORKSPACE = """\
[business]
name = "Larkspur Bakery"
slug = "larkspur"
products = ["sourdough", "croissant"]

[business.handles]
bluesky = "larkspur.bsky.social"
"""
SEARCH = "app.bsky.feed.searchPosts"
runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeBluesky]:
    server = FakeBluesky(make_posts(300)).start()
    server.followers = [profile(n, detailed=False) for n in range(30)]
    yield server
    server.stop()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeBluesky) -> Iterator[Path]:
    (tmp_path / "hubbub.toml").write_text(WORKSPACE, encoding="utf-8")
    values = {
        "HUBBUB_HOME": str(tmp_path / "home"),
        "HUBBUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hubbub.db'}",
        "HUBBUB_BLUESKY_HANDLE": HANDLE,
        "HUBBUB_BLUESKY_APP_PASSWORD": PASSWORD,
        "HUBBUB_BLUESKY_SERVICE_URL": fake.url,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path / "hubbub.db"
    get_settings.cache_clear()


def _stored(db: Path) -> tuple[int, int, str | None]:
    conn = sqlite3.connect(db)
    try:
        n, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT native_id) FROM posts WHERE network='bluesky'"
        ).fetchone()
        row = conn.execute(
            "SELECT cursor FROM source_cursors WHERE source='bluesky:search'"
        ).fetchone()
    finally:
        conn.close()
    return int(n), int(distinct), row[0] if row else None


def test_fetch_stores_posts_and_followers_and_a_second_run_finds_nothing_new(
    env: Path, fake: FakeBluesky
) -> None:
    result = runner.invoke(app, ["fetch", "bluesky"])
    assert result.exit_code == 0, result.output
    assert "Fetched 300 posts from Bluesky in" in result.output
    assert "300 new" in result.output
    assert "30 new followers of larkspur.bsky.social" in result.output
    posts, distinct, cursor = _stored(env)
    assert posts == distinct == 300
    terms = json.loads(cursor or "")["terms"]
    assert "since" in terms["sourdough"] and "since" in terms["croissant"]
    assert all("cursor" not in entry for entry in terms.values())
    again = runner.invoke(app, ["fetch", "bluesky"])
    assert again.exit_code == 0 and " 0 new," in again.output
    assert _stored(env)[0] == 300


def test_a_failure_midway_keeps_the_pages_stored_and_the_next_run_goes_on(
    env: Path, fake: FakeBluesky, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the brand stream's searches come first, then croissant, then sourdough, whose
    # second page fails until the service is healthy again
    slept: list[float] = []

    def instant(settings: Settings, **kwargs: object) -> BlueskyClient:
        return client_from_settings(settings, sleep=slept.append)  # backoff without waiting

    monkeypatch.setattr("hubbub.sources.bluesky.client_from_settings", instant)
    healthy = {"now": False}
    original = fake.search

    def flaky(params: dict[str, list[str]]) -> tuple[int, dict[str, object]]:
        if params["q"] == ["sourdough"] and "cursor" in params and not healthy["now"]:
            return 503, {"error": "NotEnoughResources", "message": "Service Unavailable"}
        return original(params)

    fake.search = flaky  # type: ignore[method-assign]
    first = runner.invoke(app, ["fetch", "bluesky"])
    assert first.exit_code == 1
    assert "bluesky: app.bsky.feed.searchPosts failed 6 times" in first.output
    assert slept == [1.0, 2.0, 4.0, 8.0, 16.0]
    stored, _, cursor = _stored(env)
    assert 0 < stored < 300
    assert "cursor" in json.loads(cursor or "")["terms"]["sourdough"]
    healthy["now"] = True
    second = runner.invoke(app, ["fetch", "bluesky"])
    assert second.exit_code == 0, second.output
    posts, distinct, _ = _stored(env)
    assert posts == distinct == 300
    resumed = [q for q in fake.calls(SEARCH) if q["q"] == ["sourdough"]]
    assert "cursor" in resumed[-2]  # went on from the stored page


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["fetch", "bluesky", "--since-id", "5"], "bluesky: takes no URL and no --since-id", 2),
        (["fetch", "bluesky", "--since", "soon"], "--since: 'soon' is not an ISO 8601", 2),
    ],
)
def test_bad_arguments_are_one_line(env: Path, args: list[str], message: str, code: int) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code and message in result.output
    assert "Traceback" not in result.output


def test_a_wrong_password_is_one_line(env: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUBBUB_BLUESKY_APP_PASSWORD", "nope-nope-nope-4321")
    get_settings.cache_clear()
    result = runner.invoke(app, ["fetch", "bluesky"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hubbub: bluesky: the handle")
    assert "nope-nope-nope" not in result.output and "4321" in result.output


def test_no_credentials_is_one_line_naming_the_settings(
    env: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeBluesky
) -> None:
    monkeypatch.delenv("HUBBUB_BLUESKY_APP_PASSWORD")
    get_settings.cache_clear()
    result = runner.invoke(app, ["fetch", "bluesky"])
    assert result.exit_code == 1
    assert "bluesky: no credentials: set HUBBUB_BLUESKY_HANDLE and" in result.output
    assert fake.requests == []
