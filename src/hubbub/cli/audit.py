"""``hubbub audit``: checks of the business's own presence; ``audit followers`` so far.

Thin: reads JSON Lines on stdin, calls :func:`hubbub.audit.followers.audit_followers`
and writes one JSON object a line on stdout (so it composes with twarc and jq).
Other audit commands attach to :data:`audit_app`.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from hubbub import codec
from hubbub.audit.followers import Failure, Verdict, audit_followers
from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, fail, handled, stderr

__all__ = ["audit_app", "followers"]

audit_app = typer.Typer(
    help="Audit the business's own presence: how real its audience is.\n\n"
    "Example: hubbub audit followers < followers.jsonl",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")


@audit_app.command("followers")
def followers(
    at: Annotated[
        str | None,
        typer.Option(
            "--at",
            help="When the profiles were collected (ISO 8601), for account ages [default: now].",
        ),
    ] = None,
    reasons: Annotated[
        int, typer.Option(min=0, max=10, help="How many reasons to give per account.")
    ] = 3,
) -> None:
    """Judge followers as authentic or questionable, from JSON Lines profiles on stdin.

    Each line is an X v1.1 or v2 user, a Mastodon account, a Bluesky profile or a hubbub
    Account. Writes {"id", "network", "handle", "authentic", "score", "reasons"} per account
    (score: how likely the account is authentic, 0-1), then {"summary": {...}}. Bad lines
    are reported as <stdin>:LINE: reason on stderr and skipped; the exit code is then 1.

    Example: twarc2 followers larkspurbakes | hubbub audit followers > verdicts.jsonl
    """
    with handled():
        now = datetime.now(UTC)
        if at is not None:
            try:
                now = codec.parse_datetime(at)
            except ValueError:
                fail(f"--at: {at!r} is not an ISO 8601 time", BAD_INPUT)
        out = sys.stdout
        err = stderr()

        def emit(verdict: Verdict) -> None:
            out.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")

        def bad(failure: Failure) -> None:
            err.print(f"<stdin>:{failure.line}: {failure.reason}", markup=False)

        lines = getattr(sys.stdin, "buffer", sys.stdin)  # bytes: a bad byte fails one line only
        summary, failed = audit_followers(lines, now, emit, bad, explain=reasons)
        out.write(json.dumps(summary.to_json()) + "\n")
        out.flush()
        if failed:
            fail(f"{failed:,} line{'' if failed == 1 else 's'} could not be read (see above)")
