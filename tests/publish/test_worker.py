"""``hubbub worker``: one pass through the configured publishers; SIGTERM stops it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.model import Published
from hubbub.settings import Settings, get_settings
from hubbub.sources import publishers
from hubbub.store import Store, upsert_workspace
from hubbub.store import publish as queries
from tests.store.helpers import Databases, make_workspace
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases

runner = CliRunner()
CALLS: list[str] = []


class _Fake:
    network = "mastodon"

    def publish(
        self, text: str, *, reply_to: str | None = None, idempotency_key: str | None = None
    ) -> Published:
        CALLS.append(text)
        return Published("mastodon", "109", "https://mastodon.example/@larkspur/109")


def fake_factory(settings: Settings) -> _Fake:
    return _Fake()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Databases) -> Iterator[Path]:
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", db.url())
    get_settings.cache_clear()
    yield tmp_path / "home"
    get_settings.cache_clear()


def _due(networks: tuple[str, ...]) -> int:
    now = datetime.now(UTC)
    with Store.open() as store, store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        return queries.create_post(
            conn,
            ws_id,
            text="Bagels at noon",
            networks=networks,
            state="scheduled",
            scheduled_for=now - timedelta(minutes=1),
            now=now,
        )


def test_once_publishes_through_the_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(publishers.FACTORIES, "mastodon", f"{__name__}:fake_factory")
    CALLS.clear()
    ok = _due(("mastodon",))
    unconfigured = _due(("bluesky",))
    monkeypatch.delitem(publishers.FACTORIES, "bluesky", raising=False)
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "1 published, 0 to retry, 1 failed" in result.stderr
    assert CALLS == ["Bagels at noon"]
    with Store.open() as store, store.connect() as conn:
        done, failed = queries.get_post(conn, ok), queries.get_post(conn, unconfigured)
        assert done is not None and done.state == "published"
        assert [d.native_id for d in queries.deliveries(conn, ok)] == ["109"]
        assert failed is not None and failed.last_error == "posting to bluesky is not configured"


def test_sigterm_stops_the_loop_cleanly(home: Path) -> None:
    env = {**os.environ, "HUBBUB_HOME": str(home)}  # HUBBUB_DATABASE_URL: see home()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from hubbub.cli import main; main()",
            "worker",
            "--interval",
            "0.2",
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        assert proc.stderr is not None
        line = ""
        while "Publishing due posts" not in line:  # printed once the loop starts
            line = proc.stderr.readline()
            assert line and time.monotonic() < deadline, "the worker did not start"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=15) == 0
        assert "SIGTERM: stopping" in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
