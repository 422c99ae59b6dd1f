"""``hubbub fetch x`` against the fake X: the crash test (SIGKILL midway) and clear errors."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import get_settings
from tests.crashes import CLI, cli_env, kill_when, stored_posts
from tests.fakes.x_api import TOKEN, FakeX, make_corpus

WORKSPACE = """\
[business]
name = "Larkspur Bakery"
slug = "larkspur"
products = ["sourdough", "croissant"]
"""
runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    yield from cli_env(tmp_path, monkeypatch, WORKSPACE, HUBBUB_X_BEARER_TOKEN=TOKEN)


def _stored_plain(db: Path) -> tuple[int, int, str | None]:
    return stored_posts(db, "x:search")


def _run_until(env: dict[str, str], db: Path, posts_at_least: int) -> None:
    """Start ``hubbub fetch x`` and SIGKILL it once the store holds that many posts."""
    kill_when(["fetch", "x"], env, lambda: _stored_plain(db)[0] >= posts_at_least)


def test_sigkill_midway_then_restart_stores_every_post_exactly_once(
    env: dict[str, str], tmp_path: Path
) -> None:
    tweets, users = make_corpus(2000)
    fake = FakeX(tweets, users, page_delay=0.02).start()
    env["HUBBUB_X_API_URL"] = fake.url
    db = tmp_path / "hubbub.db"
    try:
        # two queries (brand: "larkspur…", industry: sourdough OR croissant), 20 pages each;
        # kill once inside the first query's pagination and once inside the second's
        _run_until(env, db, 1_150)
        first_kill = _stored_plain(db)
        assert 1_150 <= first_kill[0] < 2_000
        assert "next_token" in (first_kill[2] or "")  # killed mid-pagination
        requests_before = len(fake.search_requests())
        _run_until(env, db, 2_000)  # the first query ends here; the second begins
        resumed = fake.search_requests()[requests_before]
        assert "next_token" in resumed  # it went on from the stored page, not from the top
        _run_until_second_query(env, db, fake)
        done = subprocess.run(
            [*CLI, "fetch", "x"], env={**os.environ, **env}, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
    finally:
        fake.stop()
    posts, distinct, cursor = _stored_plain(db)
    assert posts == distinct == 2_000
    conn = sqlite3.connect(db)
    stored_ids = {row[0] for row in conn.execute("SELECT native_id FROM posts")}
    mentions = conn.execute("SELECT count(*), count(DISTINCT post_id) FROM mentions").fetchone()
    conn.close()
    assert stored_ids == {t["id"] for t in tweets}
    assert mentions[0] == mentions[1] == 2_000
    newest = max(tweets, key=lambda t: int(t["id"]))["id"]
    queries = json.loads(cursor or "{}")["queries"]
    assert len(queries) == 2
    assert all(entry == {"since_id": newest} for entry in queries.values())
    # 40 pages in all; each of the 3 kills may cost the one page in flight, no more, and
    # the 2 runs after the first query ended each asked it once for newer posts (none)
    assert len(fake.search_requests()) <= 40 + 3 + 2


def _run_until_second_query(env: dict[str, str], db: Path, fake: FakeX) -> None:
    """Kill again once the second query has stored a few pages."""
    start = len(fake.search_requests())
    kill_when(["fetch", "x"], env, lambda: len(fake.search_requests()) >= start + 12)
    cursor = json.loads(_stored_plain(db)[2] or "{}")
    assert any("next_token" in entry for entry in cursor["queries"].values())


def test_fetch_reports_what_it_stored_and_the_cost(env: dict[str, str]) -> None:
    tweets, users = make_corpus(120)
    fake = FakeX(tweets, users).start()
    os.environ["HUBBUB_X_API_URL"] = fake.url
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["fetch", "x"])
        again = runner.invoke(app, ["fetch", "x"])
    finally:
        fake.stop()
        del os.environ["HUBBUB_X_API_URL"]
    assert result.exit_code == 0, result.output
    assert "Fetched 240 posts from X in 4 pages, 120 new" in result.output
    assert "X usage in" in result.output and "240 posts read" in result.output
    assert "$1.20" in result.output
    assert again.exit_code == 0 and "0 new" in again.output


@pytest.mark.parametrize(
    ("args", "message", "code"),
    [
        (["fetch", "myspace"], "unknown source 'myspace'", 2),
        (["fetch", "x", "--since", "yesterday"], "--since: 'yesterday' is not an ISO 8601", 2),
        (["fetch", "x", "--since-id", "12ab"], "--since-id: '12ab' is not a post id", 2),
        (["fetch", "x", "--since", "2026-11-20", "--since-id", "1"], "not both", 2),
        (["fetch", "x", "--since", "2020-01-01T00:00:00Z"], "seven days", 1),
    ],
)
def test_bad_arguments_are_one_line(
    env: dict[str, str], args: list[str], message: str, code: int
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == code
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_refused_token_is_one_line_naming_x(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakeX([], {}).start()
    monkeypatch.setenv("HUBBUB_X_API_URL", fake.url)
    monkeypatch.setenv("HUBBUB_X_BEARER_TOKEN", "not-the-right-token-4321")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["fetch", "x"])
    finally:
        fake.stop()
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("hubbub: x: the bearer token (")
    assert "not-the-right-token" not in result.output and "4321" in result.output


def test_the_monthly_cap_stops_the_fetch_and_keeps_what_was_stored(
    env: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    tweets, users = make_corpus(300)
    fake = FakeX(tweets, users).start()
    monkeypatch.setenv("HUBBUB_X_API_URL", fake.url)
    monkeypatch.setenv("HUBBUB_X_MONTHLY_READ_CAP", "150")
    get_settings.cache_clear()
    try:
        result = runner.invoke(app, ["fetch", "x"])
        again = runner.invoke(app, ["fetch", "x"])
    finally:
        fake.stop()
    assert result.exit_code == 1
    assert "cap of 150 posts is reached (150 read" in result.output
    assert "the pages before it are stored" in result.output
    assert _stored_plain(tmp_path / "hubbub.db")[0] == 150
    assert again.exit_code == 1 and len(fake.search_requests()) == 2  # no request when capped
