"""Running the real ``hubbub`` CLI in a subprocess and killing it midway: the crash tests.

The fetch crash tests (``tests/test_fetch_x.py``, ``tests/sources/test_mastodon_fetch.py``)
all do the same three things: give the command a workspace and an environment of its
own, SIGKILL it once the store (or the fake network) shows it is in the middle of its
work, and read the SQLite store back without the code under test. They share them here.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import pytest

from hubbub.settings import get_settings

__all__ = ["CLI", "cli_env", "kill_when", "stored_posts"]

#: the CLI as a fresh interpreter runs it (``hubbub`` may not be on PATH in a test run)
CLI = [sys.executable, "-c", "from hubbub.cli import main; main()"]


def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workspace: str, **extra: str
) -> Iterator[dict[str, str]]:
    """A ``hubbub.toml`` and a SQLite store in ``tmp_path``, set in this process's
    environment (for ``CliRunner``) and returned (for subprocesses); ``extra`` adds
    variables such as a network's token. Use it as a fixture's body (``yield from``)."""
    (tmp_path / "hubbub.toml").write_text(workspace, encoding="utf-8")
    values = {
        "HUBBUB_HOME": str(tmp_path / "home"),
        "HUBBUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hubbub.db'}",
        **extra,
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield values
    get_settings.cache_clear()


def stored_posts(db: Path, source: str) -> tuple[int, int, str | None]:
    """(posts, distinct native ids, ``source``'s stored cursor), read with plain sqlite3
    while the command may still be writing; zeros before the store exists."""
    if not db.exists():
        return 0, 0, None
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            n, distinct = conn.execute(
                "SELECT count(*), count(DISTINCT native_id) FROM posts"
            ).fetchone()
            row = conn.execute(
                "SELECT cursor FROM source_cursors WHERE source=?", (source,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.OperationalError:  # not migrated yet
        return 0, 0, None
    return int(n), int(distinct), row[0] if row else None


def kill_when(
    args: Sequence[str],
    env: dict[str, str],
    ready: Callable[[], bool],
    *,
    what: str = "the point to kill it at",
    log: Path | None = None,
    seconds: float = 120,
) -> None:
    """Start ``hubbub ARGS`` and SIGKILL it as soon as ``ready()`` holds; fail if the
    command ends first or has not reached ``what`` within ``seconds``. With ``log``, the
    command's output is appended there and its end is shown in the failure."""
    name = f"hubbub {' '.join(args)}"
    with log.open("ab") if log is not None else open(os.devnull, "wb") as out:
        proc = subprocess.Popen([*CLI, *args], env={**os.environ, **env}, stdout=out, stderr=out)
    deadline = time.monotonic() + seconds
    try:
        while not ready():
            if proc.poll() is not None:
                pytest.fail(f"{name} ended before {what}{_tail(log)}")
            if time.monotonic() > deadline:
                pytest.fail(f"{name} never reached {what}{_tail(log)}")
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()


def _tail(log: Path | None) -> str:
    return f":\n{log.read_text(errors='replace')[-3000:]}" if log is not None else ""
