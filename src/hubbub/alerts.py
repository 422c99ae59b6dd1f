"""Alerts: find a workspace's spikes, store them once, and tell people by e-mail and webhook.

:func:`check` is what ``hubbub alerts check`` and the listener's after-batch hook
call: counts from the store (:func:`hubbub.store.alerts.stream_day_counts`), the
pure detector (:func:`hubbub.insight.spikes.detect`), then each new alert (never
one already raised for that stream, kind and window) is sent:

- by e-mail over SMTP (:mod:`smtplib`) to ``HUBBUB_ALERT_EMAILS`` from
  ``HUBBUB_SMTP_FROM``, with STARTTLS and a login when configured;
- by webhook: an HTTP POST of the alert as JSON to each ``HUBBUB_ALERT_WEBHOOKS``
  URL, signed when ``HUBBUB_ALERT_WEBHOOK_SECRET`` is set with the header
  ``X-Hubbub-Signature: sha256=<hex HMAC-SHA256 of the raw body>`` (GitHub's
  scheme, so receivers already know how to check it: :func:`signature`).

A delivery that fails (SMTP down, webhook 500) is recorded on the alert as
``"error: ..."`` and does not stop the others; the alert itself is committed
before anything is sent, so a crash mid-send loses no alert.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import smtplib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from typing import Any

import httpx

from hubbub.insight.spikes import detect
from hubbub.settings import Settings
from hubbub.store import Store
from hubbub.store import workspace_id as stored_workspace_id
from hubbub.store.alerts import AlertRow, record_alerts, set_deliveries, stream_day_counts

__all__ = [
    "AfterBatches",
    "CheckResult",
    "alert_json",
    "check",
    "send_email",
    "send_message",
    "send_webhook",
    "sender",
    "signature",
]

SIGNATURE_HEADER = "X-Hubbub-Signature"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """What one check found: the new alerts, each with where it went."""

    workspace: str
    alerts: tuple[AlertRow, ...] = ()
    deliveries: dict[int, dict[str, str]] = field(default_factory=dict)


def _split(raw: str) -> list[str]:
    return [x.strip() for x in raw.split(",") if x.strip()]


def alert_json(alert: AlertRow, workspace: str) -> dict[str, Any]:
    """The webhook body: the alert's figures, times as ISO 8601 UTC."""
    return {
        "event": "hubbub.alert",
        "workspace": workspace,
        "id": alert.id,
        "stream": alert.stream,
        "kind": alert.kind,
        "message": alert.message,
        "window_start": alert.window_start.isoformat(),
        "window_end": alert.window_end.isoformat(),
        "observed": round(alert.observed, 4),
        "mean": round(alert.mean, 4),
        "threshold": round(alert.threshold, 4),
        "mentions": alert.mentions,
        "negative": alert.negative,
    }


def signature(body: bytes, secret: str) -> str:
    """``sha256=`` and the hex HMAC-SHA256 of ``body`` under ``secret``."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_email(alert: AlertRow, workspace: str, settings: Settings, timeout: float = 10.0) -> None:
    """Send one alert to every recipient in one message; raises on any SMTP failure."""
    recipients = _split(settings.alert_emails)
    msg = EmailMessage()
    msg["Subject"] = f"[hubbub {workspace}] {alert.kind} spike: {alert.stream}"
    msg["From"] = sender(settings)
    msg["To"] = ", ".join(recipients)
    window = f"{alert.window_start:%Y-%m-%d %H:%M} to {alert.window_end:%Y-%m-%d %H:%M} UTC"
    msg.set_content(
        f"{alert.message}.\n\nWindow: {window}\nMentions: {alert.mentions} "
        f"(negative: {alert.negative})\nThreshold: {alert.threshold:.2f} "
        f"(7-day mean {alert.mean:.2f})\n\n-- hubbub, workspace {workspace}\n"
    )
    send_message(msg, settings, timeout)


def sender(settings: Settings) -> str:
    """The From address of hubbub's e-mail: ``HUBBUB_SMTP_FROM``, else the SMTP user."""
    return settings.smtp_from or (settings.smtp_user or "hubbub@localhost")


def send_message(msg: EmailMessage, settings: Settings, timeout: float = 10.0) -> None:
    """Send one message through the configured SMTP server (STARTTLS and a login when
    configured): alerts and the weekly digest share it. Raises on any SMTP failure."""
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password is not None:
            smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        smtp.send_message(msg)


def send_webhook(
    alert: AlertRow, workspace: str, url: str, secret: str | None, client: httpx.Client
) -> None:
    """POST the alert as JSON to ``url`` (signed when ``secret``); raises on a non-2xx."""
    body = json.dumps(alert_json(alert, workspace), separators=(",", ":")).encode("utf-8")
    headers = {"Content-Type": "application/json", "User-Agent": "hubbub-alerts"}
    if secret:
        headers[SIGNATURE_HEADER] = signature(body, secret)
    response = client.post(url, content=body, headers=headers)
    response.raise_for_status()


def _one_line(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"error: {text[:300]}"


def deliver(
    alert: AlertRow, workspace: str, settings: Settings, client: httpx.Client
) -> dict[str, str]:
    """Send one alert everywhere configured: channel -> "sent" or "error: ..."."""
    out: dict[str, str] = {}
    if settings.smtp_host and _split(settings.alert_emails):
        key = "email:" + ",".join(_split(settings.alert_emails))
        try:
            send_email(alert, workspace, settings)
            out[key] = "sent"
        except (OSError, smtplib.SMTPException) as exc:
            out[key] = _one_line(exc)
    secret = settings.alert_webhook_secret
    for url in _split(settings.alert_webhooks):
        try:
            send_webhook(
                alert, workspace, url, secret.get_secret_value() if secret else None, client
            )
            out["webhook:" + url] = "sent"
        except httpx.HTTPError as exc:
            out["webhook:" + url] = _one_line(exc)
    return out


def check(
    store: Store,
    workspace_id: int,
    workspace: str,
    now: datetime,
    settings: Settings,
    *,
    client_factory: Callable[[], httpx.Client] | None = None,
) -> CheckResult:
    """Detect the workspace's spikes as of ``now``, store the new ones, send them."""
    with store.begin() as conn:
        counts = stream_day_counts(conn, workspace_id, now)
        spikes = detect(
            counts,
            k=settings.alert_k,
            min_mentions=settings.alert_min_mentions,
            min_negative=settings.alert_min_negative,
        )
        new = record_alerts(conn, workspace_id, spikes, now)
    if not new:
        return CheckResult(workspace)
    sent: dict[int, dict[str, str]] = {}
    factory = client_factory or (lambda: httpx.Client(timeout=10.0))
    with factory() as client:
        for alert in new:
            sent[alert.id] = deliver(alert, workspace, settings, client)
    with store.begin() as conn:
        for alert_id, deliveries in sent.items():
            set_deliveries(conn, alert_id, deliveries)
    return CheckResult(workspace, tuple(new), sent)


class AfterBatches:
    """A check after ingest batches, at most once per ``every``: a ``progress`` callback.

    ``ingest(store, ws, source, progress=AfterBatches(store, ws.slug, settings))``
    looks for spikes after a batch commits, but not after every one of a fast stream's
    batches (a check reads 8 days of counts): the first batch, then whenever ``every``
    has passed since the last check. A check that fails (say the database is busy) is
    given up until the next one rather than stopping the listener.
    """

    def __init__(
        self,
        store: Store,
        workspace: str,
        settings: Settings,
        every: timedelta = timedelta(minutes=15),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.store, self.workspace, self.settings = store, workspace, settings
        self.every, self.clock = every, clock
        self.last: datetime | None = None
        self.results: list[CheckResult] = []
        self.errors: list[str] = []

    def __call__(self, _posts: int = 0) -> None:
        now = self.clock()
        if self.last is not None and now - self.last < self.every:
            return
        self.last = now

        try:
            with self.store.connect() as conn:
                ws_id = stored_workspace_id(conn, self.workspace)
            if ws_id is not None:
                self.results.append(check(self.store, ws_id, self.workspace, now, self.settings))
        except Exception as exc:  # a failed check must not stop listening
            self.errors.append(_one_line(exc))
