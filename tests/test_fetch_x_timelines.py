"""``hubbub fetch x --timeline own|mentions|followers`` against the fake X."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Table, func, select
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import get_settings
from hubbub.store import Store
from hubbub.store.tables import followers as followers_table
from hubbub.store.tables import posts as posts_table
from tests.fakes.x_api import TOKEN, FakeX, make_corpus

WORKSPACE = """\
[business]
name = "Larkspur Bakery"
slug = "larkspur"
handles = { x = "baker0" }
products = ["sourdough", "croissant"]
"""
runner = CliRunner()


@pytest.fixture
def fake() -> Iterator[FakeX]:
    tweets, users = make_corpus(60)
    fake = FakeX(tweets, users).start()
    fake.followers["100"] = [str(101 + i) for i in range(15)]
    yield fake
    fake.stop()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake: FakeX) -> Iterator[Path]:
    (tmp_path / "hubbub.toml").write_text(WORKSPACE, encoding="utf-8")
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hubbub.db'}")
    monkeypatch.setenv("HUBBUB_X_BEARER_TOKEN", TOKEN)
    monkeypatch.setenv("HUBBUB_X_API_URL", fake.url)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _count(table: Table) -> int:
    store = Store.open()
    try:
        with store.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(table)).scalar_one())
    finally:
        store.close()


def test_own_timeline_then_followers(env: Path, fake: FakeX) -> None:
    own = runner.invoke(app, ["fetch", "x", "--timeline", "own"])
    assert own.exit_code == 0, own.output
    assert "Fetched 3 posts" in own.output  # tweets 0, 20, 40 are by @baker0
    assert _count(posts_table) == 3
    again = runner.invoke(app, ["fetch", "x", "--timeline", "own"])
    assert again.exit_code == 0 and "Fetched 0 posts" in again.output  # since_id resumed
    fans = runner.invoke(app, ["fetch", "x", "--timeline", "followers"])
    assert fans.exit_code == 0, fans.output
    assert "15 new followers" in fans.output and _count(followers_table) == 15


def test_bad_timeline_options(env: Path) -> None:
    bad = runner.invoke(app, ["fetch", "x", "--timeline", "likes"])
    assert bad.exit_code == 2 and "not one of own, mentions, followers" in bad.output
    rss = runner.invoke(app, ["fetch", "rss", "--timeline", "own"])
    assert rss.exit_code == 2 and "x only" in rss.output
    since = runner.invoke(
        app, ["fetch", "x", "--timeline", "own", "--since", "2026-11-20T00:00:00Z"]
    )
    assert since.exit_code == 2 and "--since-id" in since.output
