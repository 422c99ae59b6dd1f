"""``hubbub audit``: checks of the business's own presence.

``audit followers`` lives in :mod:`hubbub.cli.followers` (it starts without the rest of
the CLI). ``audit report`` is a thin face over
:func:`hubbub.audit.report.run_audit` (the same function the Audit page calls);
``audit site`` over :func:`hubbub.audit.content.audit_site`. Progress goes to stderr.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from hubbub import codec
from hubbub.cli.commands import _resolve, app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled
from hubbub.cli.followers import followers

__all__ = ["audit_app", "followers", "report", "site"]

audit_app = typer.Typer(
    help="Audit the business's own presence: audience, voice, website.\n\n"
    "Example: hubbub audit report -w larkspur --no-crawl",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")
audit_app.command("followers")(followers)


class Format(StrEnum):
    text = "text"
    json = "json"
    html = "html"


@contextmanager
def _crawl_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar on stderr, fed as ``update(done, total)``."""
    columns = (TextColumn(label), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@audit_app.command("report")
def report(
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            help="The workspace file, or a stored workspace's slug [default: hubbub.toml].",
        ),
    ] = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="The window, in days.")] = 30,
    crawl: Annotated[
        bool, typer.Option("--crawl/--no-crawl", help="Also read the blog feed and the website.")
    ] = True,
    pages: Annotated[int, typer.Option(min=1, max=500, help="Most pages to crawl.")] = 30,
    format_: Annotated[Format, typer.Option("--format", help="How to write it.")] = Format.text,
    at: Annotated[
        str | None,
        typer.Option("--at", help="The end of the window (ISO 8601) [default: now]."),
    ] = None,
) -> None:
    """Audit a window of presence; store and print the dated report.

    Followers (authentic or questionable), the voice of its own posts, engagement,
    answers and their speed, cadence; with --crawl also the blog's freshness and the
    website (spelling, broken links, images, contact details, newsletter, social links).
    Each figure comes with a recommendation and its change against the window before.

    Example: hubbub audit report -w larkspur --days 30 --no-crawl --format json | jq .figures
    """
    from hubbub.audit.render import render_html, render_text
    from hubbub.audit.report import AuditError, run_audit
    from hubbub.settings import get_settings
    from hubbub.store import Store

    with handled():
        now = datetime.now(UTC)
        if at is not None:
            try:
                now = codec.parse_datetime(at)
            except ValueError:
                fail(f"--at: {at!r} is not an ISO 8601 time", BAD_INPUT)
        store = Store.open()
        try:
            ws, _ = _resolve(store, workspace or str(get_settings().workspace_file))
            try:
                with _crawl_progress("Checking the website") as update:
                    done = run_audit(
                        store,
                        ws,
                        now=now,
                        days=days,
                        crawl=crawl,
                        max_pages=pages,
                        progress=update,
                    )
            except AuditError as exc:
                fail(str(exc), BAD_INPUT)
        finally:
            store.close()
        data = done.to_json()
        if format_ is Format.json:
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        elif format_ is Format.html:
            sys.stdout.write(render_html(data))
        else:
            sys.stdout.write(render_text(data))


@audit_app.command("site")
def site(
    url: Annotated[str, typer.Argument(help="The website's address, e.g. https://example.com")],
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            help="A workspace file, for the business's own words and profiles to look for.",
        ),
    ] = None,
    pages: Annotated[int, typer.Option(min=1, max=500, help="Most pages to crawl.")] = 30,
    json_: Annotated[bool, typer.Option("--json", help="Write the findings as JSON.")] = False,
) -> None:
    """Crawl a website and list what to fix on it, page by page.

    Spelling, broken links (internal and external), small or blurry images, missing alt
    text, contact details, a newsletter sign-up and links to the social profiles.
    An unreachable site is one line on stderr and exit code 1.

    Example: hubbub audit site https://larkspurbakery.com -w hubbub.toml --pages 10
    """
    from hubbub.audit.content import CrawlError, audit_site, make_client
    from hubbub.model import Workspace
    from hubbub.workspace import load_workspace

    with handled():
        ws = load_workspace(Path(workspace)) if workspace else Workspace(slug="site", name="")
        with make_client() as client:
            try:
                with _crawl_progress("Checking the website") as update:
                    found = audit_site(url, ws, client, max_pages=pages, progress=update)
            except CrawlError as exc:
                fail(str(exc), FAILED)
        if json_:
            sys.stdout.write(json.dumps(found.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            out = sys.stdout
            out.write(f"{url}: {found.pages} pages read, {found.links_checked} links checked\n")
            for finding in found.findings:
                out.write(f"[{finding.kind}] {finding.detail}  ({finding.page})\n")
            for line in found.errors:
                out.write(f"could not check: {line}\n")
            if not found.findings:
                out.write("No problems found.\n")
