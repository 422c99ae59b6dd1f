"""``hubbub audit followers``: judge followers from JSON Lines on stdin, fast.

It reads JSON Lines on stdin, calls :func:`hubbub.audit.fast.audit_stream` (the batch
path, bytes to bytes; the same output as
:func:`hubbub.audit.followers.audit_followers`) and writes one JSON object a line on
stdout (so it composes with twarc and jq). It is its own module, importing only what
judging needs, because :func:`hubbub.cli.main` runs it without loading the rest of the
CLI (the web app, the store, SQLAlchemy: seconds of start-up for a command that judges
a million accounts in about as long); ``hubbub.cli.audit`` registers the same function
in the full app.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Annotated

import typer

from hubbub import codec
from hubbub.cli.errors import BAD_INPUT, fail, handled, stderr

__all__ = ["followers", "main"]


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
    """Judge followers authentic or questionable, from stdin.

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
        # imported here: every command of the full CLI imports this module
        from hubbub.audit.fast import audit_stream
        from hubbub.audit.followers import Failure, Verdict, audit_followers

        out = sys.stdout
        err = stderr()

        def emit(verdict: Verdict) -> None:
            out.write(json.dumps(verdict.to_json(), ensure_ascii=False) + "\n")

        def bad(failure: Failure) -> None:
            err.print(f"<stdin>:{failure.line}: {failure.reason}", markup=False)

        source = getattr(sys.stdin, "buffer", None)  # bytes: a bad byte fails one line only
        sink = getattr(out, "buffer", None)
        if source is not None and sink is not None:  # the batch path, bytes to bytes
            out.flush()
            _keep_freed_memory()
            summary, failed = audit_stream(source, sink.write, now, bad, explain=reasons)
            sink.write((json.dumps(summary.to_json()) + "\n").encode())
            sink.flush()
        else:  # text streams only (an embedding caller's): the reference path
            summary, failed = audit_followers(sys.stdin, now, emit, bad, explain=reasons)
            out.write(json.dumps(summary.to_json()) + "\n")
            out.flush()
        if failed:
            fail(f"{failed:,} line{'' if failed == 1 else 's'} could not be read (see above)")


def _keep_freed_memory() -> None:
    """Ask glibc to keep freed blocks (up to 64 MiB) for reuse rather than hand them back.

    Each chunk's arrays are a few hundred kilobytes to a megabyte; by default glibc
    maps such blocks afresh and unmaps them when freed, so the kernel zero-fills every
    page again for the next chunk: 8% of the command's time, as system time. With the
    thresholds raised the freed blocks are reused. Peak memory stays as the benchmark
    measures it. Nothing happens where the C library has no ``mallopt`` (not glibc).
    """
    import ctypes

    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    m_trim_threshold, m_mmap_threshold = -1, -3  # glibc's malloc.h
    mallopt(m_trim_threshold, 64 << 20)
    mallopt(m_mmap_threshold, 32 << 20)  # glibc's largest


def main(args: list[str]) -> None:
    """Run ``hubbub audit followers ARGS`` alone (the console script's fast way in)."""
    alone = typer.Typer(add_completion=False, pretty_exceptions_enable=False, rich_markup_mode=None)
    alone.command()(followers)
    alone(args=args, prog_name="hubbub audit followers")
