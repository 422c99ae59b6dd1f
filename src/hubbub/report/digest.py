"""The weekly digest: last week's report by e-mail, once per ISO week per workspace.

:func:`send_digest` builds the report of the seven whole local days before today
(:func:`~hubbub.report.model.build_report`), writes an e-mail with a plain-text part,
a short HTML part and the full report attached as one self-contained HTML file, and
sends it with the alerts' SMTP code and settings (:func:`hubbub.alerts.send_message`,
``HUBBUB_SMTP_*``). The week (``2026-W48``, in the workspace's time zone) is claimed
in the database before anything is sent (:func:`hubbub.store.report.claim_digest`),
so cron running ``hubbub report digest`` twice in a week, or two workers, send one
e-mail; ``force`` sends again. A failed send is recorded and retried by the next run.

Recipients: ``--to``, else the workspace's digest setting (the Settings page, owners
only), else the e-mails of the owners in ``hubbub.toml``'s ``[[team]]``. The worker
(:func:`send_due_digests`, called by ``hubbub worker`` and ``hubbub serve``) sends only
for workspaces whose digest setting names someone, from the configured weekday and
hour on (local time), so a worker that was down at that hour still sends that week.
"""

from __future__ import annotations

import logging
import re
import smtplib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from email.message import EmailMessage
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy import Connection

from hubbub.alerts import send_message, sender
from hubbub.report.model import Report, ReportError, build_report
from hubbub.report.render import (
    change_text,
    figure_value,
    goal_label,
    goal_title,
    goal_value,
    render_html,
)
from hubbub.report.window import Window, dates_window
from hubbub.settings import Settings
from hubbub.store import Store, load_workspace
from hubbub.store.queries import workspace_by_slug
from hubbub.store.report import claim_digest, digest_row, digest_workspaces, finish_digest
from hubbub.store.settings_store import read_settings, write_setting
from hubbub.store.team import log_action

__all__ = [
    "DEFAULT_HOUR",
    "DEFAULT_WEEKDAY",
    "RECIPIENTS",
    "RETRY_AFTER",
    "STALE_AFTER",
    "WEEKDAYS",
    "DigestError",
    "DigestResult",
    "DigestSettings",
    "digest_message",
    "digest_settings",
    "digest_text",
    "digest_window",
    "due_at",
    "parse_recipients",
    "recipients_for",
    "save_digest_settings",
    "send_digest",
    "send_due_digests",
    "week_key",
]

log = logging.getLogger(__name__)

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DEFAULT_WEEKDAY = 0  # Monday: last week's digest at the start of this one
DEFAULT_HOUR = 8
#: the stored settings' names (per workspace)
RECIPIENTS, WEEKDAY, HOUR = "digest_emails", "digest_weekday", "digest_hour"
#: a claim older than this belongs to a sender that died; another may take the week
STALE_AFTER = timedelta(minutes=15)
#: how long the worker waits after a failed send before trying that week again
RETRY_AFTER = timedelta(minutes=30)

_EMAIL = re.compile(r"^[^@\s,;<>\"']+@[^@\s,;<>\"']+\.[^@\s,;<>\"']+$")

Status = Literal["sent", "already sent", "busy", "dry run", "failed"]


class DigestError(ValueError):
    """The digest cannot be sent as asked (no recipients, no SMTP, a bad address); one line."""


@dataclass(frozen=True, slots=True)
class DigestSettings:
    recipients: tuple[str, ...]
    weekday: int  # 0 = Monday
    hour: int  # 0..23, local

    @property
    def enabled(self) -> bool:
        """The worker sends the digest only to a workspace that named its recipients."""
        return bool(self.recipients)


@dataclass(frozen=True, slots=True)
class DigestResult:
    workspace: str
    week: str
    status: Status
    recipients: tuple[str, ...] = ()
    subject: str = ""
    message: EmailMessage | None = field(default=None, repr=False)
    error: str = ""


# --- settings -------------------------------------------------------------------------------


def parse_recipients(raw: str, label: str = "Digest recipients") -> tuple[str, ...]:
    """Addresses separated by commas, semicolons or spaces; :class:`DigestError` naming the
    first one that is not an e-mail address. Duplicates are dropped, order kept."""
    found: list[str] = []
    for part in re.split(r"[,;\s]+", raw.strip()):
        if not part:
            continue
        if not _EMAIL.match(part) or len(part) > 320:
            raise DigestError(f"{label}: {part!r} is not an e-mail address")
        if part.lower() not in {f.lower() for f in found}:
            found.append(part)
    return tuple(found)


def _int(raw: str | None, default: int, low: int, high: int) -> int:
    try:
        value = int(raw) if raw is not None else default
    except ValueError:
        return default
    return value if low <= value <= high else default


def digest_settings(conn: Connection, workspace_id: int) -> DigestSettings:
    """The workspace's digest settings; no recipients (the digest is off) by default."""
    rows = read_settings(conn, workspace_id)
    raw = rows[RECIPIENTS].value if RECIPIENTS in rows else ""
    try:
        recipients = parse_recipients(raw)
    except DigestError:
        recipients = ()
    weekday = _int(rows[WEEKDAY].value if WEEKDAY in rows else None, DEFAULT_WEEKDAY, 0, 6)
    hour = _int(rows[HOUR].value if HOUR in rows else None, DEFAULT_HOUR, 0, 23)
    return DigestSettings(recipients, weekday, hour)


def save_digest_settings(
    conn: Connection,
    workspace_id: int,
    *,
    recipients: str,
    weekday: str,
    hour: str,
    user_id: int | None,
    now: datetime,
) -> DigestSettings:
    """Check and store the digest settings (the audit log records them); raises
    :class:`DigestError` naming the field, and then stores nothing."""
    addresses = parse_recipients(recipients)
    if not weekday.strip().isdigit() or not 0 <= int(weekday) <= 6:
        raise DigestError(f"Digest day: {weekday!r} is not a day of the week")
    if not hour.strip().isdigit() or not 0 <= int(hour) <= 23:
        raise DigestError(f"Digest hour: {hour!r} is not an hour from 0 to 23")
    values = {RECIPIENTS: ", ".join(addresses), WEEKDAY: str(int(weekday)), HOUR: str(int(hour))}
    for name, value in values.items():
        write_setting(conn, name, value, now=now, user_id=user_id, workspace_id=workspace_id)
    log_action(
        conn,
        workspace_id,
        user_id,
        "settings.digest",
        "settings:digest",
        {"recipients": len(addresses), "weekday": int(weekday), "hour": int(hour)},
        now=now,
    )
    return DigestSettings(addresses, int(weekday), int(hour))


def recipients_for(
    conn: Connection, slug: str, workspace_id: int, to: Sequence[str] = ()
) -> tuple[str, ...]:
    """Who gets the digest: ``to``, else the stored setting, else hubbub.toml's owners."""
    if to:
        return tuple(to)
    stored = digest_settings(conn, workspace_id).recipients
    if stored:
        return stored
    workspace = load_workspace(conn, slug)
    owners = [m.email for m in (workspace.team if workspace else ()) if m.role == "owner"]
    try:
        return parse_recipients(", ".join(e for e in owners if e))
    except DigestError:
        return tuple(e for e in owners if e and _EMAIL.match(e))


# --- when -----------------------------------------------------------------------------------


def week_key(now: datetime, tz: str) -> str:
    """The ISO week of ``now`` in the workspace's time zone, e.g. ``2026-W48``."""
    year, week, _ = now.astimezone(ZoneInfo(tz)).isocalendar()
    return f"{year}-W{week:02d}"


def due_at(now: datetime, tz: str, weekday: int, hour: int) -> datetime:
    """UTC: this ISO week's (local) ``weekday`` at ``hour``:00, when the digest falls due."""
    today = now.astimezone(ZoneInfo(tz)).date()
    monday = today - timedelta(days=today.weekday())
    slot = datetime.combine(monday + timedelta(days=weekday), time(hour), tzinfo=ZoneInfo(tz))
    return slot.astimezone(UTC)


def digest_window(now: datetime, tz: str) -> Window:
    """The seven whole local days before today: a Monday's digest covers last Monday to
    Sunday."""
    today: date = now.astimezone(ZoneInfo(tz)).date()
    return dates_window(today - timedelta(days=7), today - timedelta(days=1), tz)


# --- the message ----------------------------------------------------------------------------


def _attention_lines(report: Report) -> list[str]:
    lines = []
    for item in report.attention[:5]:
        who = item.author_handle if item.network == "rss" else f"@{item.author_handle}"
        late = ", overdue" if item.overdue else ""
        text = " ".join(item.text.split())
        text = text if len(text) <= 140 else text[:139] + "…"
        lines.append(f"  - {who} ({item.network}, {item.reason}{late}): {text}")
    return lines


def digest_text(report: Report, attachment: str) -> str:
    """The plain-text part: the summary figures, what waits, the goals."""
    ws, window = report.workspace, report.window
    lines = [f"{ws.name}: your week on social media, {window.label}", ""]
    width = max(len(f.label) for f in report.figures)
    for f in report.figures:
        change, _ = change_text(f)
        lines.append(f"  {f.label:<{width}}  {figure_value(f):>9}  {change}".rstrip())
    lines.append("")
    if report.attention_total:
        lines.append(f"Waiting for an answer: {report.attention_total:,}")
        lines += [*_attention_lines(report), ""]
    else:
        lines += ["Nothing from the week is waiting for an answer.", ""]
    for goal in report.goals:
        shown = list(goal.figures.items())[:4]
        if shown:
            figures = "; ".join(
                f"{goal_label(goal.name, k)} {goal_value(goal.name, k, v)}" for k, v in shown
            )
            lines.append(f"{goal_title(goal.name)[0]}: {figures}")
    lines += [
        "",
        f"The full report is attached ({attachment}): open it in a browser, or print it.",
        "",
        f"-- hubbub, workspace {ws.slug}",
    ]
    return "\n".join(lines) + "\n"


def _digest_html(report: Report, attachment: str) -> str:
    from markupsafe import escape

    rows = []
    for f in report.figures:
        change, cls = change_text(f)
        color = "#00734f" if "good" in cls else ("#b34700" if "bad" in cls else "#5a5a60")
        rows.append(
            f'<tr><td style="padding:4px 12px 4px 0">{escape(f.label)}</td>'
            f'<td style="padding:4px 12px;text-align:right;font-weight:600">'
            f"{escape(figure_value(f))}</td>"
            f'<td style="padding:4px 0;color:{color}">{escape(change)}</td></tr>'
        )
    waiting = "".join(f"<li>{escape(line.strip()[2:])}</li>" for line in _attention_lines(report))
    ws, window = report.workspace, report.window
    attention = (
        f"<p><strong>Waiting for an answer: {report.attention_total:,}</strong></p>"
        f"<ul>{waiting}</ul>"
        if report.attention_total
        else "<p>Nothing from the week is waiting for an answer.</p>"
    )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(ws.name)}: your week</title></head>"
        '<body style="font-family:system-ui,sans-serif;color:#1d1d1f;max-width:40rem">'
        f'<h1 style="font-size:20px">{escape(ws.name)}: your week on social media</h1>'
        f'<p style="color:#5a5a60">{escape(window.label)}, against the week before</p>'
        f'<table style="border-collapse:collapse">{"".join(rows)}</table>{attention}'
        f"<p>The full report is attached as <strong>{escape(attachment)}</strong>: charts, "
        "who, what, when, where, why and how, goals and the audit. Open it in a browser, "
        'or print it.</p><p style="color:#5a5a60;font-size:12px">hubbub, workspace '
        f"{escape(ws.slug)}</p></body></html>"
    )


def digest_message(report: Report, recipients: Sequence[str], from_: str) -> EmailMessage:
    """The e-mail: plain text, a short HTML alternative, the full report attached."""
    window = report.window
    attachment = (
        f"{report.workspace.slug}-report-{window.first.isoformat()}-{window.last.isoformat()}.html"
    )
    msg = EmailMessage()
    msg["Subject"] = f"{report.workspace.name}: your week on social media, {window.label}"
    msg["From"] = from_
    msg["To"] = ", ".join(recipients)
    msg.set_content(digest_text(report, attachment))
    msg.add_alternative(_digest_html(report, attachment), subtype="html")
    msg.add_attachment(render_html(report), subtype="html", filename=attachment)
    return msg


# --- sending --------------------------------------------------------------------------------


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:300]


def send_digest(
    store: Store,
    slug: str,
    settings: Settings,
    now: datetime,
    *,
    to: Sequence[str] = (),
    force: bool = False,
    dry_run: bool = False,
) -> DigestResult:
    """Send workspace ``slug``'s digest for ``now``'s week, unless it was sent already.

    ``dry_run`` builds the message and returns it, sending and recording nothing.
    Raises :class:`DigestError` (no recipients, no SMTP server) and
    :class:`~hubbub.report.model.ReportError` (no such workspace).
    """
    with store.connect() as conn:
        info = workspace_by_slug(conn, slug)
        if info is None:
            raise ReportError(f"no workspace {slug!r} in the store: run hubbub import first")
        week = week_key(now, info.timezone)
        recipients = recipients_for(conn, slug, info.id, to)
        if not recipients:
            raise DigestError(
                "no one to send the digest to: give --to, set the recipients on the Settings "
                "page, or give an owner an email in hubbub.toml's [[team]]"
            )
        if not dry_run and not settings.smtp_host:
            raise DigestError("no SMTP server: set HUBBUB_SMTP_HOST (and HUBBUB_SMTP_FROM)")
        row = digest_row(conn, info.id, week)
        if row is not None and row.state == "sent" and not force and not dry_run:
            return DigestResult(slug, week, "already sent", row.recipients)
        report = build_report(conn, slug, digest_window(now, info.timezone), now=now)
    msg = digest_message(report, recipients, sender(settings))
    subject = str(msg["Subject"])
    if dry_run:
        return DigestResult(slug, week, "dry run", recipients, subject, msg)
    with store.begin() as conn:
        won = claim_digest(
            conn, info.id, week, recipients, now=now, stale_before=now - STALE_AFTER, force=force
        )
        row = None if won else digest_row(conn, info.id, week)
    if not won:
        status: Status = "already sent" if row is not None and row.state == "sent" else "busy"
        return DigestResult(slug, week, status, recipients, subject)
    try:
        send_message(msg, settings)
    except (OSError, smtplib.SMTPException) as exc:
        with store.begin() as conn:
            finish_digest(conn, info.id, week, now=now, error=_one_line(exc))
        return DigestResult(slug, week, "failed", recipients, subject, msg, _one_line(exc))
    with store.begin() as conn:
        finish_digest(conn, info.id, week, now=now)
    return DigestResult(slug, week, "sent", recipients, subject, msg)


def send_due_digests(store: Store, settings: Settings, now: datetime) -> list[DigestResult]:
    """Send every workspace's digest that is due at ``now`` and not yet sent this week
    (the worker's hook; without an SMTP server it does nothing). A workspace whose
    digest fails is logged and recorded; the others go on."""
    if not settings.smtp_host:
        return []
    results: list[DigestResult] = []
    with store.connect() as conn:
        candidates = []
        for info in digest_workspaces(conn, RECIPIENTS):
            chosen = digest_settings(conn, info.id)
            if not chosen.enabled or now < due_at(now, info.timezone, chosen.weekday, chosen.hour):
                continue
            row = digest_row(conn, info.id, week_key(now, info.timezone))
            if row is None or (row.state == "failed" and row.claimed <= now - RETRY_AFTER):
                candidates.append(info.slug)
    for slug in candidates:
        try:
            result = send_digest(store, slug, settings, now)
        except Exception as exc:  # one workspace's failure must not stop the others
            log.exception("digest for %s failed", slug)
            results.append(DigestResult(slug, "", "failed", error=_one_line(exc)))
            continue
        if result.status == "failed":
            log.warning("digest for %s not sent: %s", slug, result.error)
        elif result.status == "sent":
            log.info("digest for %s sent to %d recipients", slug, len(result.recipients))
        results.append(result)
    return results
