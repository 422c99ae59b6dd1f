"""``hubbub report``: a window's report as one HTML or PDF file, and the weekly digest.

Thin faces over :mod:`hubbub.report`: the window is whole days in the workspace's time
zone (``--from``/``--to``, both inclusive), the file's extension says HTML or PDF (the
PDF printed offline by chromium, :mod:`hubbub.report.pdf`). ``report digest`` sends last
week's report by e-mail once per ISO week (:mod:`hubbub.report.digest`). Bad dates, an
unknown extension, no recipients or no SMTP server are one line and exit code 2; a PDF
or an e-mail that could not be made is one line and exit code 1.
"""

from __future__ import annotations

import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer

from hubbub import codec
from hubbub.cli.commands import _resolve, app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr

__all__ = ["digest", "report", "report_app"]

report_app = typer.Typer()
app.add_typer(report_app, name="report")

WorkspaceOption = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The workspace file, or a stored workspace's slug [default: hubbub.toml].",
    ),
]


def _window_days(first: str | None, last: str | None, today: date) -> tuple[date, date]:
    """The report's first and last local days from the options, by the rules in --help."""
    from hubbub.report import parse_day

    end = parse_day(last, "--to") if last else None
    start = parse_day(first, "--from") if first else None
    if end is None:
        end = today if start is not None else today - timedelta(days=1)
    if start is None:
        start = end - timedelta(days=6)
    return start, end


@report_app.callback(invoke_without_command=True)
def report(
    ctx: typer.Context,
    workspace: WorkspaceOption = None,
    from_: Annotated[
        str | None,
        typer.Option("--from", help="The first day (YYYY-MM-DD, in the workspace's time zone)."),
    ] = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="The last day, included [default: yesterday, or today after --from]."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Where to write it: FILE.html or FILE.pdf."),
    ] = None,
) -> None:
    """A window's report as HTML or PDF; the weekly digest by e-mail.

    Mentions over time, sentiment, share of voice, who/what/when/where/why/how/how far,
    the listening summary, goals, the newest audit and what waits for an answer, each
    against the window before. Without --from and --to: the last 7 whole days. A PDF is
    printed offline by chromium (HUBBUB_CHROMIUM, else found on PATH).

    Example: hubbub report --from 2026-11-01 --to 2026-11-30 --out november.pdf
    """
    if ctx.invoked_subcommand is not None:
        return
    from hubbub.report import (
        PdfError,
        ReportError,
        WindowError,
        build_report,
        dates_window,
        print_pdf,
        render_html,
    )
    from hubbub.settings import get_settings
    from hubbub.store import Store

    with handled():
        if out is None:
            fail("--out FILE.html or FILE.pdf is needed: where to write the report", BAD_INPUT)
        kind = out.suffix.lower()
        if kind not in (".html", ".htm", ".pdf"):
            fail(f"--out {out}: the file must end in .html or .pdf", BAD_INPUT)
        settings = get_settings()
        now = datetime.now(UTC)
        store = Store.open()
        try:
            ws, _ = _resolve(store, workspace or str(settings.workspace_file))
            try:
                first, last = _window_days(from_, to, now.astimezone(ZoneInfo(ws.timezone)).date())
                window = dates_window(first, last, ws.timezone)
                with store.connect() as conn:
                    made = build_report(conn, ws.slug, window, now=now)
            except (WindowError, ReportError) as exc:
                fail(str(exc), BAD_INPUT)
        finally:
            store.close()
        html = render_html(made)
        if kind == ".pdf":
            try:
                print_pdf(html, out, chromium=settings.chromium)
            except PdfError as exc:
                fail(str(exc), FAILED)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(html, encoding="utf-8")
        stderr().print(
            f"Wrote {out}: {made.workspace.name}, {window.label} "
            f"({made.totals.mentions:,} mentions, {out.stat().st_size // 1024:,} KB)",
            markup=False,
        )


@report_app.command("digest")
def digest(
    workspace: WorkspaceOption = None,
    to: Annotated[
        list[str] | None,
        typer.Option(
            "--to",
            help="Send to this address (repeat it, or separate with commas) "
            "[default: the Settings page's recipients, else hubbub.toml's owners].",
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the e-mail's text; send and record nothing.")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Send again though this week's digest went out.")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Send as of this time (ISO 8601) [default: now]."),
    ] = None,
) -> None:
    """E-mail last week's report, once per week: cron may run it daily.

    The 7 whole days before today, as a short e-mail (HTML and plain text) with the full
    report attached. Sent over HUBBUB_SMTP_HOST like the alerts; recorded per ISO week,
    so running it again the same week sends nothing (--force resends).

    Example: hubbub report digest -w larkspur --to maya@larkspurbakery.com --dry-run
    """
    from hubbub.report import ReportError
    from hubbub.report.digest import DigestError, parse_recipients, send_digest
    from hubbub.settings import get_settings
    from hubbub.store import Store

    with handled():
        now = datetime.now(UTC)
        if at is not None:
            try:
                now = codec.parse_datetime(at)
            except ValueError:
                fail(f"--at: {at!r} is not an ISO 8601 time", BAD_INPUT)
        settings = get_settings()
        store = Store.open()
        try:
            ws, _ = _resolve(store, workspace or str(settings.workspace_file))
            try:
                recipients = parse_recipients(",".join(to or []), "--to")
                done = send_digest(
                    store, ws.slug, settings, now, to=recipients, force=force, dry_run=dry_run
                )
            except (DigestError, ReportError) as exc:
                fail(str(exc), BAD_INPUT)
        finally:
            store.close()
        who = ", ".join(done.recipients)
        if done.status == "dry run":
            assert done.message is not None
            stderr().print(
                f"Dry run, nothing sent: {done.subject!r} to {who} (week {done.week})",
                markup=False,
            )
            body = done.message.get_body(("plain",))
            sys.stdout.write(body.get_content() if body is not None else "")
        elif done.status == "sent":
            stderr().print(f"Sent the digest for {done.week} to {who}.", markup=False)
        elif done.status == "already sent":
            stderr().print(
                f"This week's digest ({done.week}) was already sent to {who}; "
                "--force sends it again.",
                markup=False,
            )
        elif done.status == "busy":
            stderr().print(
                f"Another hubbub is sending this week's digest ({done.week}) now.", markup=False
            )
        else:
            fail(f"digest not sent: {done.error}", FAILED)
