"""The weekly digest against a local SMTP server (aiosmtpd): sent once per ISO week, not
twice; a dry run sends and records nothing; a failed send is retried; the worker sends it
when due. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.model import TeamMember
from hubbub.publish.scheduler import run_forever
from hubbub.report import build_report, render_html
from hubbub.report.digest import (
    DigestError,
    digest_settings,
    digest_window,
    due_at,
    parse_recipients,
    save_digest_settings,
    send_digest,
    send_due_digests,
    week_key,
)
from hubbub.settings import Settings, get_settings
from hubbub.store import Store, upsert_workspace
from hubbub.store.report import claim_digest, digest_row
from tests.fakes.smtp import SmtpSink, free_port, smtp_server
from tests.report.helpers import NOW, TZ, fill, workspace
from tests.store.helpers import Databases

runner = CliRunner()
MAYA = "maya@larkspur.test"


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    with smtp_server() as server:
        yield server


def _settings(port: int, **kw: Any) -> Settings:
    return Settings(  # type: ignore[call-arg]
        _env_file=None,
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="hubbub@larkspur.test",
        **kw,
    )


def test_week_keys_and_when_the_digest_falls_due() -> None:
    assert NOW.astimezone(ZoneInfo(TZ)).strftime("%a %H:%M") == "Mon 10:00"
    assert week_key(NOW, TZ) == "2026-W46"
    # 03:00 UTC on Monday is still Sunday evening in New York: the week before
    assert week_key(datetime(2026, 11, 9, 3, 0, tzinfo=UTC), TZ) == "2026-W45"
    assert due_at(NOW, TZ, 0, 8) == datetime(2026, 11, 9, 13, 0, tzinfo=UTC)  # 08:00 EST
    assert due_at(NOW, TZ, 4, 17) == datetime(2026, 11, 13, 22, 0, tzinfo=UTC)
    window = digest_window(NOW, TZ)
    assert (window.first.isoformat(), window.last.isoformat()) == ("2026-11-02", "2026-11-08")


def test_sent_once_per_week_and_again_the_next(store: Store, sink: SmtpSink) -> None:
    fill(store)
    settings = _settings(sink.port)
    first = send_digest(store, "larkspur", settings, NOW, to=(MAYA,))
    assert first.status == "sent" and first.week == "2026-W46"
    assert len(sink.received) == 1
    got = sink.received[0]
    assert got.rcpt_tos == [MAYA] and got.mail_from == "hubbub@larkspur.test"
    msg = got.message
    assert msg["Subject"] == "Larkspur Bakery: your week on social media, Nov 2 – Nov 8, 2026"
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    assert "Mentions" in text.get_content() and "attached" in text.get_content()
    (attachment,) = list(msg.iter_attachments())
    assert attachment.get_filename() == "larkspur-report-2026-11-02-2026-11-08.html"
    with store.connect() as conn:
        report = build_report(conn, "larkspur", digest_window(NOW, TZ), now=NOW)
    # the full report, as written (the mail's text travels with CRLF line ends)
    assert attachment.get_content().replace("\r\n", "\n").rstrip() == render_html(report).rstrip()
    assert f"{report.totals.mentions:,}" in text.get_content()

    # cron again the same week: nothing more is sent
    for later in (NOW + timedelta(minutes=5), NOW + timedelta(days=6)):
        again = send_digest(store, "larkspur", settings, later, to=(MAYA,))
        assert again.status == "already sent"
    assert len(sink.received) == 1
    # the next ISO week sends again; --force resends this one
    next_week = send_digest(store, "larkspur", settings, NOW + timedelta(days=7), to=(MAYA,))
    assert next_week.status == "sent" and next_week.week == "2026-W47"
    forced = send_digest(store, "larkspur", settings, NOW, to=(MAYA,), force=True)
    assert forced.status == "sent" and len(sink.received) == 3


def test_a_dry_run_sends_and_records_nothing(store: Store, sink: SmtpSink) -> None:
    filled = fill(store)
    result = send_digest(store, "larkspur", _settings(sink.port), NOW, to=(MAYA,), dry_run=True)
    assert result.status == "dry run" and result.message is not None
    assert result.message["To"] == MAYA
    assert sink.received == []
    with store.connect() as conn:
        assert digest_row(conn, filled.ws_id, "2026-W46") is None
    # a dry run needs no SMTP server at all
    unset = Settings(_env_file=None)  # type: ignore[call-arg]
    assert send_digest(store, "larkspur", unset, NOW, to=(MAYA,), dry_run=True).message


def test_recipients_the_setting_else_the_owners(store: Store, sink: SmtpSink) -> None:
    filled = fill(store)
    settings = _settings(sink.port)
    with pytest.raises(DigestError, match="no one to send the digest to"):
        send_digest(store, "larkspur", settings, NOW)
    team = (
        TeamMember("Maya", MAYA, "owner"),
        TeamMember("Sam", "sam@larkspur.test", "staff"),
        TeamMember("Ann", "ann@larkspur.test", "owner"),
    )
    with store.begin() as conn:
        upsert_workspace(conn, replace(workspace(), team=team))
    owners = send_digest(store, "larkspur", settings, NOW, dry_run=True)
    assert owners.recipients == (MAYA, "ann@larkspur.test")
    with store.begin() as conn:
        save_digest_settings(
            conn,
            filled.ws_id,
            recipients="owner@larkspur.test; books@larkspur.test",
            weekday="0",
            hour="8",
            user_id=None,
            now=NOW,
        )
    chosen = send_digest(store, "larkspur", settings, NOW)
    assert chosen.recipients == ("owner@larkspur.test", "books@larkspur.test")
    assert sorted(sink.received[0].rcpt_tos) == ["books@larkspur.test", "owner@larkspur.test"]


def test_no_smtp_server_and_bad_addresses_are_one_line(store: Store) -> None:
    fill(store)
    unset = Settings(_env_file=None)  # type: ignore[call-arg]
    with pytest.raises(DigestError, match="no SMTP server: set HUBBUB_SMTP_HOST"):
        send_digest(store, "larkspur", unset, NOW, to=(MAYA,))
    with pytest.raises(DigestError, match="--to: 'maya-at-larkspur' is not an e-mail address"):
        parse_recipients("a@b.test, maya-at-larkspur", "--to")
    assert parse_recipients(" a@b.test;A@b.test  c@d.test ") == ("a@b.test", "c@d.test")


def test_a_failed_send_is_recorded_and_retried(store: Store) -> None:
    filled = fill(store)
    down = _settings(free_port())  # nothing listens there
    failed = send_digest(store, "larkspur", down, NOW, to=(MAYA,))
    assert failed.status == "failed" and failed.error
    with store.connect() as conn:
        row = digest_row(conn, filled.ws_id, "2026-W46")
    assert row is not None and row.state == "failed" and row.error == failed.error
    with smtp_server() as sink:
        retried = send_digest(store, "larkspur", _settings(sink.port), NOW, to=(MAYA,))
        assert retried.status == "sent" and len(sink.received) == 1


def test_one_claim_per_week_wins(store: Store) -> None:
    filled = fill(store)
    stale = NOW - timedelta(minutes=5)
    with store.begin() as conn:
        assert claim_digest(conn, filled.ws_id, "2026-W46", [MAYA], now=NOW, stale_before=stale)
        assert not claim_digest(conn, filled.ws_id, "2026-W46", [MAYA], now=NOW, stale_before=stale)
        # forcing never takes a claim still being sent; a stale one is free again
        assert not claim_digest(
            conn, filled.ws_id, "2026-W46", [MAYA], now=NOW, stale_before=stale, force=True
        )
        later = NOW + timedelta(hours=1)
        assert claim_digest(
            conn,
            filled.ws_id,
            "2026-W46",
            [MAYA],
            now=later,
            stale_before=later - timedelta(minutes=15),
        )


def test_the_worker_sends_when_due_and_only_then(store: Store, sink: SmtpSink) -> None:
    filled = fill(store)
    fill(store, "quiet")  # no recipients set: its digest is off
    settings = _settings(sink.port)
    with store.begin() as conn:
        save_digest_settings(
            conn, filled.ws_id, recipients=MAYA, weekday="0", hour="8", user_id=None, now=NOW
        )
        assert digest_settings(conn, filled.ws_id).enabled
    before = datetime(2026, 11, 9, 12, 59, tzinfo=UTC)  # 07:59 in New York
    assert send_due_digests(store, settings, before) == []
    assert send_due_digests(store, Settings(_env_file=None), NOW) == []  # type: ignore[call-arg]
    sent = send_due_digests(store, settings, NOW)
    assert [(r.workspace, r.status) for r in sent] == [("larkspur", "sent")]
    assert send_due_digests(store, settings, NOW + timedelta(hours=3)) == []
    assert len(sink.received) == 1

    # the scheduler loop calls it after each pass, with the time
    seen: list[datetime] = []
    stop = threading.Event()

    def hook(now: datetime) -> None:
        seen.append(now)
        stop.set()

    passes = run_forever(
        store, lambda network: None, stop, interval=0.01, clock=lambda: NOW, after_pass=hook
    )
    assert passes == 1 and seen == [NOW]


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def cli_env(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Databases, sink: SmtpSink
) -> Iterator[SmtpSink]:
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", db.url())
    monkeypatch.setenv("HUBBUB_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HUBBUB_SMTP_PORT", str(sink.port))
    monkeypatch.setenv("HUBBUB_SMTP_STARTTLS", "false")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    with Store.open() as store:
        fill(store)
    yield sink
    get_settings.cache_clear()


def test_cli_digest_sends_once_and_dry_runs(cli_env: SmtpSink) -> None:
    base = ["report", "digest", "-w", "larkspur", "--at", NOW.isoformat(), "--to", MAYA]
    dry = runner.invoke(app, [*base, "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "Dry run, nothing sent" in dry.stderr and "Mentions" in dry.stdout
    assert cli_env.received == []
    sent = runner.invoke(app, base)
    assert sent.exit_code == 0, sent.output
    assert f"Sent the digest for 2026-W46 to {MAYA}." in sent.stderr
    again = runner.invoke(app, base)
    assert again.exit_code == 0 and "already sent" in again.stderr
    assert len(cli_env.received) == 1
    forced = runner.invoke(app, [*base, "--force"])
    assert forced.exit_code == 0 and len(cli_env.received) == 2


def test_cli_digest_errors_are_one_line(cli_env: SmtpSink) -> None:
    base = ["report", "digest", "-w", "larkspur"]
    nobody = runner.invoke(app, base)
    assert nobody.exit_code == 2 and "no one to send the digest to" in nobody.stderr
    bad = runner.invoke(app, [*base, "--to", "not-an-address"])
    assert bad.exit_code == 2
    assert bad.stderr.strip() == "hubbub: --to: 'not-an-address' is not an e-mail address"
    when = runner.invoke(app, [*base, "--to", MAYA, "--at", "monday"])
    assert when.exit_code == 2 and "--at: 'monday' is not an ISO 8601 time" in when.stderr
    assert cli_env.received == []


def test_worker_once_sends_the_due_digest(cli_env: SmtpSink) -> None:
    with Store.open() as store, store.begin() as conn:
        ws_id = upsert_workspace(conn, workspace())
        save_digest_settings(
            conn, ws_id, recipients=MAYA, weekday="0", hour="0", user_id=None, now=NOW
        )
    result = runner.invoke(app, ["worker", "--once"])
    assert result.exit_code == 0, result.output
    assert "digest larkspur" in result.stderr and ": sent" in result.stderr
    assert [r.rcpt_tos for r in cli_env.received] == [[MAYA]]
    again = runner.invoke(app, ["worker", "--once"])
    assert again.exit_code == 0 and "digest" not in again.stderr
    assert len(cli_env.received) == 1
