"""``hubbub alerts check`` and ``hubbub insight summary`` on a store in a temporary home."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.model import Batch
from hubbub.settings import get_settings
from hubbub.store import Store, upsert_workspace, write_batch
from tests.store.helpers import make_post, make_workspace, match_streams

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUBBUB_DATABASE_URL", raising=False)
    for name in ("SMTP_HOST", "ALERT_EMAILS", "ALERT_WEBHOOKS"):
        monkeypatch.delenv("HUBBUB_" + name, raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def _stored(spike: bool) -> None:
    """A quiet week of 10 brand mentions a day, then 40 (a spike) or 10 in the last 24 h."""
    now = datetime.now(UTC)
    ws = make_workspace()
    posts = []
    for day in range(8):
        n = 40 if day == 0 and spike else 10
        for j in range(n):
            created = now - timedelta(days=day, minutes=30 + j * 20)
            posts.append(replace(make_post(day * 100 + j, "larkspur bakery"), created=created))
    store = Store.open()
    try:
        with store.begin() as conn:
            ws_id = upsert_workspace(conn, ws)
            write_batch(conn, ws_id, Batch("test", posts), match_streams(posts, ws))
    finally:
        store.close()


def test_alerts_check_reports_a_spike_once() -> None:
    _stored(spike=True)
    first = runner.invoke(app, ["alerts", "check", "-w", "larkspur"])
    assert first.exit_code == 0, first.output
    assert "volume spike: Larkspur Bakery: 40 mentions" in first.stdout
    assert "not sent (no e-mail or webhook set)" in first.stdout
    again = runner.invoke(app, ["alerts", "check", "-w", "larkspur"])
    assert again.exit_code == 0 and "larkspur: no new spikes" in again.stdout


def test_alerts_check_failed_delivery_exits_1(monkeypatch: pytest.MonkeyPatch) -> None:
    _stored(spike=True)
    monkeypatch.setenv("HUBBUB_ALERT_WEBHOOKS", "http://127.0.0.1:1/hook")
    get_settings.cache_clear()
    result = runner.invoke(app, ["alerts", "check", "-w", "larkspur"])
    assert result.exit_code == 1
    assert "webhook:http://127.0.0.1:1/hook error: " in result.stdout


def test_alerts_check_unknown_workspace_is_one_line() -> None:
    result = runner.invoke(app, ["alerts", "check", "-w", "nowhere"])
    assert result.exit_code != 0
    assert "no workspace 'nowhere'" in result.output


def test_insight_summary_json_and_text() -> None:
    _stored(spike=False)
    out = runner.invoke(app, ["insight", "summary", "-w", "larkspur", "--json"])
    assert out.exit_code == 0, out.output
    rows = {r["stream"]: r for r in map(json.loads, out.stdout.splitlines())}
    brand = rows["Larkspur Bakery"]
    # 7 days back from now: the last 24 h (10) and 6 full days (60); the 8th day is older
    assert brand["mentions"] == 70 and brand["recent"] == 10
    assert brand["strength"] == pytest.approx(10 / 70)
    assert brand["sentiment"] == "70:0" and brand["topics"] == []
    text = runner.invoke(app, ["insight", "summary", "-w", "larkspur"])
    assert text.exit_code == 0 and "Larkspur Bakery: 70 mentions in 7 d" in text.stdout


def test_insight_still_reads_stdin() -> None:
    result = runner.invoke(app, ["insight"], input='{"text": "I love this bakery"}\n')
    assert result.exit_code == 0
    assert json.loads(result.stdout)["sentiment"]["label"] == "positive"
