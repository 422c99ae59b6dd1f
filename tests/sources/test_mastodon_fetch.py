"""``hubbub fetch mastodon`` against the fake: the crash test (SIGKILL midway) and errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tests.crashes import CLI, cli_env, kill_when, stored_posts
from tests.fakes.mastodon import DOMAIN, TOKEN, FakeMastodon, make_account, make_corpus
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import get_settings

WORKSPACE = f"""\
[business]
name = "Larkspur Bakery"
slug = "larkspur"
products = ["sourdough", "croissant"]

[business.handles]
mastodon = "baker99@{DOMAIN}"
"""
START = datetime.now(UTC) - timedelta(days=2)
SINCE = (START - timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield from cli_env(tmp_path, monkeypatch, WORKSPACE, HUBBUB_MASTODON_ACCESS_TOKEN=TOKEN)


def _stored(db: Path) -> tuple[int, int, str | None]:
    return stored_posts(db, "mastodon:timelines")


def _run_until(env: dict[str, str], db: Path, posts_at_least: int) -> None:
    """Start ``hubbub fetch mastodon`` and SIGKILL it once the store holds that many posts."""
    args = ["fetch", "mastodon", "--since", SINCE]
    kill_when(args, env, lambda: _stored(db)[0] >= posts_at_least)


def test_sigkill_midway_then_restart_stores_every_post_exactly_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    statuses = make_corpus(800, start=START)
    fake = FakeMastodon(statuses, page_delay=0.03).start()
    env["HUBBUB_MASTODON_BASE_URL"] = fake.url
    db = tmp_path / "hubbub.db"
    try:
        # feeds: #larkspurbakery, "larkspur bakery", @baker99@bakers.social (none of
        # them found), then croissant and sourdough (400 each, 10 pages of 40): killed
        # inside the croissant search's paging
        _run_until(env, db, 200)
        killed = _stored(db)
        assert 200 <= killed[0] < 400
        entry = json.loads(killed[2] or "{}")["feeds"]["search:croissant"]
        assert "max_id" in entry  # killed mid-pagination
        before = len(fake.calls("/api/v2/search"))
        done = subprocess.run(
            [*CLI, "fetch", "mastodon", "--since", SINCE],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
        )
        assert done.returncode == 0, done.stderr
        again = [c for c in fake.calls("/api/v2/search")[before:] if c["q"] == "croissant"]
        resumed = again[0]  # the feeds done before it are asked once more for newer posts
        assert resumed["max_id"] == entry["max_id"]
        assert resumed["min_id"] == entry["run_since"]
    finally:
        fake.stop()
    posts, distinct, cursor = _stored(db)
    assert posts == distinct == 800
    conn = sqlite3.connect(db)
    stored = {row[0] for row in conn.execute("SELECT native_id FROM posts")}
    mentions = conn.execute("SELECT count(*), count(DISTINCT post_id) FROM mentions").fetchone()
    conn.close()
    assert stored == {s["id"] for s in statuses}
    assert mentions[0] == mentions[1] == 800
    feeds = json.loads(cursor or "{}")["feeds"]
    assert feeds["search:croissant"] == {"newest": statuses[-1]["id"]}
    assert feeds["search:sourdough"] == {"newest": statuses[-2]["id"]}
    assert all(set(entry) <= {"newest"} for entry in feeds.values())
    # 10 pages and an empty one per word, 2 empty searches, each twice; the kill may
    # cost the one page in flight
    assert len(fake.calls("/api/v2/search")) <= (10 + 1) * 2 + 2 * 2 + 1


def test_fetch_reports_what_it_stored_and_reads_the_followers(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeMastodon(make_corpus(90, start=START)).start()
    fake.followers = [make_account(300 + i, remote="fans.example") for i in range(5)]
    monkeypatch.setenv("HUBBUB_MASTODON_BASE_URL", fake.url)
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["fetch", "mastodon", "--since", SINCE])
        again = runner.invoke(app, ["fetch", "mastodon"])
    finally:
        fake.stop()
    assert result.exit_code == 0, result.output
    assert "Fetched 90 posts from Mastodon (127.0.0.1:" in result.output
    assert "90 new" in result.output and "5 new followers of baker99@bakers.social" in result.output
    assert again.exit_code == 0 and " 0 new," in again.output


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["fetch", "mastodon", "--since-id", "1"], "mastodon: takes no URL and no --since-id", 2),
        (["fetch", "mastodon", "--since", "soon"], "--since: 'soon' is not an ISO 8601", 2),
    ],
)
def test_bad_arguments_are_one_line(
    env: dict[str, str], args: list[str], message: str, code: int
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code and message in result.output
    assert "Traceback" not in result.output


def test_no_instance_and_a_refused_token_are_one_line(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = runner.invoke(app, ["fetch", "mastodon"])
    assert result.exit_code == 1
    assert "mastodon: no instance: set HUBBUB_MASTODON_BASE_URL" in result.output
    fake = FakeMastodon([]).start()
    monkeypatch.setenv("HUBBUB_MASTODON_BASE_URL", fake.url)
    monkeypatch.setenv("HUBBUB_MASTODON_ACCESS_TOKEN", "not-the-right-token-4321")
    get_settings.cache_clear()
    try:
        refused = runner.invoke(app, ["fetch", "mastodon"])
    finally:
        fake.stop()
    assert refused.exit_code == 1
    lines = [line for line in refused.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hubbub: mastodon: the access token (")
    assert "not-the-right-token" not in refused.output and "4321" in refused.output
