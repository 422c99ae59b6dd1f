"""Alerts end to end: counts from the store, spikes stored once, sent by SMTP and webhook.

The SMTP server is aiosmtpd on 127.0.0.1 (a real SMTP conversation); the webhook
receiver is an http.server on 127.0.0.1 that checks nothing and records what came.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
from aiosmtpd.controller import Controller
from pydantic import SecretStr

from hubbub.alerts import SIGNATURE_HEADER, AfterBatches, check, signature
from hubbub.model import Batch, Mention, Sentiment
from hubbub.settings import Settings
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.alerts import dismiss_alert, recent_alerts, stream_day_counts
from tests.store.helpers import make_post, make_workspace, match_streams, pg_url, store

__all__ = ["pg_url", "store"]  # the store fixtures, on SQLite and PostgreSQL

NOW = datetime(2026, 3, 10, 12, 30, tzinfo=UTC)  # windows end at 13:00
END = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)


class _Sink:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[_Sink, int]]:
    sink = _Sink()
    with socket.socket() as probe:  # a free port (aiosmtpd's readiness check needs a real one)
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, str], bytes]]] = []
    status = 200

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).received.append((dict(self.headers), body))
        self.send_response(type(self).status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def webhook() -> Iterator[tuple[type[_Hook], str]]:
    handler = type("Hook", (_Hook,), {"received": [], "status": 200})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def _fill(store: Store, per_day: list[tuple[int, int]], last: tuple[int, int]) -> int:
    """Brand mentions: ``per_day`` (mentions, negative) for the 7 windows before the last
    24 h (oldest first), then ``last``; returns the workspace id."""
    ws = make_workspace()
    mentions: list[Mention] = []
    n = 0
    windows = [*per_day, last]
    for back, (total, negative) in zip(range(len(windows) - 1, -1, -1), windows, strict=True):
        start = END - timedelta(days=back + 1)
        for j in range(total):
            n += 1
            post = replace(
                make_post(n, "larkspur bakery again"),
                created=start + timedelta(minutes=5 + j * (1400 // max(total, 1))),
            )
            (m,) = match_streams([post], ws)
            label = "negative" if j < negative else "positive"
            insight = replace(m.insight, sentiment=Sentiment(label, -0.5 if j < negative else 0.5))
            mentions.append(replace(m, insight=insight))
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", [m.post for m in mentions]), mentions)
    return ws_id


WEEK = [(20, 2), (24, 2), (18, 1), (22, 3), (26, 2), (20, 2), (24, 2)]


def _settings(**kw: Any) -> Settings:
    return Settings(_env_file=None, **kw)  # type: ignore[call-arg]


def test_counts_fold_hours_into_24h_windows(store: Store) -> None:
    ws_id = _fill(store, WEEK, (30, 5))
    with store.connect() as conn:
        got = {c.stream: c for c in stream_day_counts(conn, ws_id, NOW)}
    brand = got["Larkspur Bakery"]
    assert (brand.last.mentions, brand.last.negative) == (30, 5)
    assert [(d.mentions, d.negative) for d in brand.baseline] == WEEK
    assert brand.window_end == END and brand.window_start == END - timedelta(days=1)
    assert got["Asheville"].last.mentions == 0  # a stream without mentions: zeros


def test_spike_stored_once_and_sent_by_email_and_signed_webhook(
    store: Store, smtp: tuple[_Sink, int], webhook: tuple[type[_Hook], str]
) -> None:
    sink, port = smtp
    hook, url = webhook
    ws_id = _fill(store, WEEK, (60, 30))  # both a volume and a negative spike
    settings = _settings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        smtp_starttls=False,
        smtp_from="hubbub@larkspur.test",
        alert_emails="owner@larkspur.test, manager@larkspur.test",
        alert_webhooks=url,
        alert_webhook_secret=SecretStr("s3cret"),
    )
    result = check(store, ws_id, "larkspur", NOW, settings)
    assert sorted(a.kind for a in result.alerts) == ["negative", "volume"]
    assert {a.stream for a in result.alerts} == {"Larkspur Bakery"}
    # e-mail: one message per alert to both recipients
    assert len(sink.messages) == 2
    sender, rcpts, content = sink.messages[0]
    assert sender == "hubbub@larkspur.test"
    assert rcpts == ["owner@larkspur.test", "manager@larkspur.test"]
    mail = message_from_bytes(content)
    assert "Larkspur Bakery" in str(mail["Subject"]) and "spike" in str(mail["Subject"])
    # webhook: JSON body, signature over the exact bytes
    assert len(hook.received) == 2
    headers, body = hook.received[0]
    want = "sha256=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert headers[SIGNATURE_HEADER] == want == signature(body, "s3cret")
    payload = json.loads(body)
    assert payload["stream"] == "Larkspur Bakery" and payload["workspace"] == "larkspur"
    assert payload["mentions"] == 60 and payload["window_end"] == END.isoformat()
    # stored, with where it went
    with store.connect() as conn:
        stored = recent_alerts(conn, ws_id, NOW - timedelta(days=1))
    assert len(stored) == 2
    for a in stored:
        assert set(a.deliveries.values()) == {"sent"}
    # an hour later the same spike is still in the window: not raised again
    again = check(store, ws_id, "larkspur", NOW + timedelta(hours=1), settings)
    assert again.alerts == () and len(sink.messages) == 2 and len(hook.received) == 2


def test_failed_delivery_is_recorded_and_others_still_go(
    store: Store, webhook: tuple[type[_Hook], str]
) -> None:
    hook, url = webhook
    hook.status = 500
    ws_id = _fill(store, WEEK, (60, 2))
    settings = _settings(
        smtp_host="127.0.0.1",
        smtp_port=1,  # nothing listens there
        smtp_starttls=False,
        alert_emails="owner@larkspur.test",
        alert_webhooks=url,
    )
    result = check(store, ws_id, "larkspur", NOW, settings)
    (alert,) = result.alerts
    deliveries = result.deliveries[alert.id]
    assert deliveries["email:owner@larkspur.test"].startswith("error: ")
    assert (
        deliveries["webhook:" + url].startswith("error: ") and "500" in deliveries["webhook:" + url]
    )
    assert SIGNATURE_HEADER not in hook.received[0][0]  # no secret: unsigned
    with store.connect() as conn:
        (stored,) = recent_alerts(conn, ws_id, NOW - timedelta(days=1))
    assert stored.deliveries == deliveries


def test_ordinary_day_raises_nothing_and_dismiss(store: Store) -> None:
    ws_id = _fill(store, WEEK, (23, 2))
    assert check(store, ws_id, "larkspur", NOW, _settings()).alerts == ()
    ws2 = _fill_other(store)
    result = check(store, ws2, "other", NOW, _settings())
    (alert,) = result.alerts
    with store.begin() as conn:
        assert dismiss_alert(conn, ws_id, alert.id, NOW) is False  # not this workspace's
        assert dismiss_alert(conn, ws2, alert.id, NOW) is True
        assert recent_alerts(conn, ws2, NOW - timedelta(days=1)) == []
        assert len(recent_alerts(conn, ws2, NOW - timedelta(days=1), include_dismissed=True)) == 1


def _fill_other(store: Store) -> int:
    ws = make_workspace("other")
    posts = [
        replace(make_post(5000 + i, "larkspur bakery"), created=END - timedelta(hours=1 + i % 20))
        for i in range(40)
    ]
    mentions = match_streams(posts, ws)
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", posts), mentions)
    return ws_id


def test_after_batches_checks_at_most_once_per_interval(store: Store) -> None:
    ws_id = _fill(store, WEEK, (60, 2))
    assert ws_id
    times = [NOW, NOW + timedelta(minutes=5), NOW + timedelta(minutes=20)]
    clock = iter(times)
    watch = AfterBatches(store, "larkspur", _settings(), timedelta(minutes=15), lambda: next(clock))
    watch(40)
    watch(40)  # 5 minutes later: skipped
    watch(40)  # 20 minutes after the first: checked again (nothing new by then)
    assert [len(r.alerts) for r in watch.results] == [1, 0] and watch.errors == []
    missing = AfterBatches(store, "nowhere", _settings())
    missing(1)
    assert missing.results == [] and missing.errors == []
