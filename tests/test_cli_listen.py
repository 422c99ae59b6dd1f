"""``hubbub listen``: clear errors, --once against the fake feeds, and two processes
sharing one store (kill -9 the lease holder: the standby takes over; SIGTERM exits 0)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import get_settings
from tests.fakes.feeds import FakeFeeds
from tests.fakes.x_api import TOKEN, FakeX, make_corpus
from tests.store.helpers import Databases
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases
from tests.store.helpers import pg_url as pg_url

CLI = [sys.executable, "-c", "from hubbub.cli import main; main()"]
runner = CliRunner()
CREDENTIALS = (
    "HUBBUB_X_BEARER_TOKEN",
    "HUBBUB_MASTODON_BASE_URL",
    "HUBBUB_MASTODON_ACCESS_TOKEN",
    "HUBBUB_BLUESKY_HANDLE",
    "HUBBUB_BLUESKY_APP_PASSWORD",
)


def _workspace(feeds: FakeFeeds | None) -> str:
    lines = ["[business]", 'name = "Larkspur Bakery"', 'slug = "larkspur"']
    if feeds is not None:
        lines.append(f'blog_feed = "{feeds.url}/blog/feed.xml"')
        lines.append(f'handles = {{ rss = "{feeds.url}/news/atom.xml" }}')
    lines.append('products = ["sourdough", "croissant"]')
    return "\n".join(lines) + "\n"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Databases) -> Iterator[dict[str, str]]:
    values = {
        "HUBBUB_HOME": str(tmp_path / "home"),
        "HUBBUB_DATABASE_URL": db.url(),
    }
    for key in CREDENTIALS:
        monkeypatch.delenv(key, raising=False)
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


@pytest.fixture
def feeds() -> Iterator[FakeFeeds]:
    with FakeFeeds() as fake:
        yield fake


def _query(url: str, sql: str) -> list[tuple[object, ...]]:
    """``sql``'s rows, read beside the listeners (SQLite read-only, or PostgreSQL)."""
    if not url.startswith("sqlite:///"):
        import psycopg

        try:
            with psycopg.connect(url, connect_timeout=5) as pg:
                return [tuple(r) for r in pg.execute(sql).fetchall()]
        except psycopg.Error:
            return []
    db = Path(url.removeprefix("sqlite:///"))
    if not db.exists():
        return []
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return list(conn.execute(sql).fetchall())
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not created or migrated yet
        return []


def _wait(what: Callable[[], bool], seconds: float, why: str) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, f"timed out: {why}"
        time.sleep(0.05)


def test_nothing_configured_is_one_clear_line_and_exit_2(
    env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "hubbub.toml").write_text(_workspace(None), encoding="utf-8")
    result = runner.invoke(app, ["listen"])
    assert result.exit_code == 2
    assert "no source configured: set HUBBUB_X_BEARER_TOKEN" in result.output
    assert "Traceback" not in result.output


def test_once_with_only_a_stream_configured_says_so(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "hubbub.toml").write_text(_workspace(None), encoding="utf-8")
    monkeypatch.setenv("HUBBUB_X_BEARER_TOKEN", TOKEN)
    get_settings.cache_clear()
    result = runner.invoke(app, ["listen", "--once"])
    assert result.exit_code == 1
    assert "x:stream: a stream never catches up; left out with --once" in result.output
    assert "every configured source is a stream" in result.output


def test_once_polls_the_workspace_feeds_then_asks_with_validators(
    env: dict[str, str], tmp_path: Path, feeds: FakeFeeds
) -> None:
    (tmp_path / "hubbub.toml").write_text(_workspace(feeds), encoding="utf-8")
    expected = len(feeds.rss_items) + len(feeds.atom_items)
    first = runner.invoke(app, ["listen", "--once"])
    assert first.exit_code == 0, first.output
    assert f"rss: stopped, {expected} posts" in first.output
    db = env["HUBBUB_DATABASE_URL"]
    assert _query(db, "SELECT count(*) FROM posts") == [(expected,)]
    assert _query(db, "SELECT count(*) FROM source_leases") == [(0,)]
    again = runner.invoke(app, ["listen", "--once"])
    assert again.exit_code == 0, again.output
    assert "rss: stopped, 0 posts" in again.output
    assert "If-None-Match" in feeds.hits("/blog/feed.xml")[-1]


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [*CLI, "listen", "--poll", "0.2", "--lease", "2"],
            env={**os.environ, **env},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _holder_pid(db: str, source: str = "rss") -> int | None:
    rows = _query(db, f"SELECT holder FROM source_leases WHERE source = '{source}'")
    return int(str(rows[0][0]).split(":")[1]) if rows else None


def test_two_listeners_kill_9_the_holder_the_standby_takes_over_sigterm_exits_0(
    env: dict[str, str], tmp_path: Path, feeds: FakeFeeds
) -> None:
    (tmp_path / "hubbub.toml").write_text(_workspace(feeds), encoding="utf-8")
    db = env["HUBBUB_DATABASE_URL"]
    first = _start(env, tmp_path / "first.log")
    _wait(lambda: _holder_pid(db) == first.pid, 60, "the first listener takes the lease")
    second = _start(env, tmp_path / "second.log")
    procs = {first.pid: first, second.pid: second}
    try:
        initial = len(feeds.rss_items) + len(feeds.atom_items)
        _wait(lambda: _query(db, "SELECT count(*) FROM posts") == [(initial,)], 30, "first poll")
        second_log = tmp_path / "second.log"
        _wait(
            lambda: "waiting for lease" in second_log.read_text(encoding="utf-8"),
            60,
            "the second listener stands by",
        )
        assert second.poll() is None
        assert _holder_pid(db) == first.pid
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        killed = time.monotonic()
        feeds.add_rss_item("Rye week", "<p>rye and sourdough all week</p>", datetime.now(UTC))
        _wait(lambda: _holder_pid(db) == second.pid, 10, "the standby takes over")
        took_over = time.monotonic() - killed
        _wait(
            lambda: _query(db, "SELECT count(*) FROM posts") == [(initial + 1,)],
            10,
            "the standby stores the new post",
        )
        # the lease lasts 2 s and the standby retries every 2/3 s: 2.7 s, plus slack for a
        # loaded machine; the point is seconds (one TTL), not the minute of a default TTL
        assert took_over < 6.0, took_over
        posts = _query(db, "SELECT count(*), count(DISTINCT native_id) FROM posts")
        assert posts == [(initial + 1, initial + 1)]
        second.send_signal(signal.SIGTERM)
        assert second.wait(15) == 0
        assert _query(db, "SELECT count(*) FROM source_leases") == [(0,)]
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    log = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert "waiting for lease" in log
    assert "stopping: finishing the batch in hand" in log
    assert "rss: stopped" in log


def test_the_x_stream_moves_to_the_standby_after_kill_9_and_stops_on_sigterm(
    env: dict[str, str], tmp_path: Path
) -> None:
    """The filtered stream: the standby reconnects after the holder dies, stores what
    arrives after that once, and SIGTERM reaches the blocking stream read."""
    (tmp_path / "hubbub.toml").write_text(_workspace(None), encoding="utf-8")
    tweets, users = make_corpus(30)
    fake = FakeX(users=users).start()
    env |= {"HUBBUB_X_BEARER_TOKEN": TOKEN, "HUBBUB_X_API_URL": fake.url}
    db = env["HUBBUB_DATABASE_URL"]
    first = _start(env, tmp_path / "first.log")
    second: subprocess.Popen[bytes] | None = None
    try:
        _wait(lambda: fake.stream_connections == 1, 60, "the first listener connects")
        fake.stream_queue.extend(tweets[:10])
        _wait(lambda: _query(db, "SELECT count(*) FROM posts") == [(10,)], 30, "first posts")
        second = _start(env, tmp_path / "second.log")
        second_log = tmp_path / "second.log"
        _wait(
            lambda: "waiting for lease" in second_log.read_text(encoding="utf-8"),
            60,
            "the second listener stands by",
        )
        assert fake.stream_connections == 1  # a standby does not connect
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        _wait(lambda: fake.stream_connections == 2, 15, "the standby connects")
        assert _holder_pid(db, "x:stream") == second.pid
        fake.stream_queue.extend(tweets[10:])
        _wait(lambda: _query(db, "SELECT count(*) FROM posts") == [(30,)], 30, "later posts")
        stored = {str(r[0]) for r in _query(db, "SELECT native_id FROM posts")}
        assert stored == {t["id"] for t in tweets}
        assert _query(db, "SELECT count(DISTINCT native_id) FROM posts") == [(30,)]
        reads = _query(db, "SELECT sum(reads) FROM api_usage WHERE network = 'x'")
        assert reads == [(30,)]  # metered in the store, by both processes
        started = time.monotonic()
        second.send_signal(signal.SIGTERM)
        assert second.wait(30) == 0
        assert time.monotonic() - started < 10
        assert _query(db, "SELECT count(*) FROM source_leases") == [(0,)]
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
                proc.wait()
        fake.stop()
