"""``hubbub insight``: the 5W+H+E and sentiment of each post on stdin, as JSON Lines.

Like ``hubbub text`` and ``hubbub query match`` it composes with jq and twarc:
one JSON object out per post in, a bad line reported as ``<stdin>:LINE: reason``
on stderr while the rest go on, exit code 1 at the end. Posts are read by
:mod:`hubbub.sources.files` (hubbub posts, X API v2 tweets and response pages:
the same mapping ``hubbub import`` uses), and a line with only ``{"text": ...}``
(optionally ``"id"`` and ``"lang"``) is scored on its text alone. The insight is
:func:`hubbub.insight.analyse`'s, for the workspace of ``-w`` or an empty one.

Each output object holds ``sentiment`` ({label, score}), ``intent`` (labels) and
``language`` at the top, as the issue asks, then every question the input can
answer: ``who``, ``what``, ``when``, ``where``, ``how``, ``extent`` for a real
post; only ``what`` for bare text (author, time and place would be made up).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from hubbub import codec
from hubbub.cli.commands import app
from hubbub.cli.errors import FAILED, handled, stderr
from hubbub.insight.analyse import analyse
from hubbub.model import Account, Insight, Post, Workspace
from hubbub.pipeline import fill_entities
from hubbub.sources.files import LineError, parse_object
from hubbub.workspace import load_workspace

__all__ = [
    "EMPTY_WORKSPACE",
    "alerts_app",
    "insight_app",
    "insight_json",
    "insight_lines",
    "read_posts",
]

STDIN = "<stdin>"
EMPTY_WORKSPACE = Workspace(slug="", name="")
_POST_KEYS = frozenset({"network", "author", "author_id", "data", "meta", "note_tweet"})


def _is_bare_text(obj: dict[str, Any]) -> bool:
    """``{"text": ...}`` (maybe with id/lang) rather than a post or tweet of a network."""
    return "text" in obj and not (_POST_KEYS & obj.keys()) and "post" not in obj


def _bare_post(obj: dict[str, Any], number: int) -> Post:
    text = obj["text"]
    if not isinstance(text, str):
        raise LineError(f'"text" is not a string but {type(text).__name__}')
    lang = obj.get("lang")
    if lang is not None and not isinstance(lang, str):
        raise LineError(f'"lang" is not a string but {type(lang).__name__}')
    ident = obj.get("id", number)
    return Post(
        network="",
        id=str(ident),
        author=Account(network="", id="", handle=""),
        text=text,
        created=datetime.now(UTC),
        language=lang or None,
    )


def read_posts(line: str, number: int) -> tuple[list[tuple[Post, bool]], list[str]]:
    """The posts of one line, each with whether it is bare text; and per-tweet problems.

    Raises :class:`LineError` when the line as a whole is unusable.
    """
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if isinstance(obj, dict) and _is_bare_text(obj):
        return [(_bare_post(obj, number), True)], []
    try:
        posts, problems = parse_object(obj)
    except LineError as exc:
        raise LineError(f'{exc}, or {{"text": ...}}') from None
    return [(post, False) for post in posts], problems


def insight_json(post: Post, insight: Insight, bare: bool = False) -> dict[str, Any]:
    """One output object: sentiment, intent, language first, then the questions filled."""
    out: dict[str, Any] = {"id": post.id}
    if not bare:
        out["network"] = post.network
    out["sentiment"] = codec.to_dict(insight.sentiment)
    out["intent"] = list(insight.why.intents)
    out["language"] = insight.how.language
    out["what"] = codec.to_dict(insight.what)
    if not bare:
        for name in ("who", "when", "where", "how", "extent"):
            out[name] = codec.to_dict(getattr(insight, name))
    return out


def insight_lines(lines: Iterable[str], workspace: Workspace) -> Iterator[str | LineError]:
    """One JSON line per post read, or a ``<stdin>:LINE: reason`` error per bad line."""
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            posts, problems = read_posts(line, number)
        except LineError as exc:
            yield LineError(f"{STDIN}:{number}: {exc}")
            continue
        for post, bare in posts:
            fill_entities(post)
            result = insight_json(post, analyse(post, workspace), bare)
            yield json.dumps(result, ensure_ascii=False)
        for problem in problems:
            yield LineError(f"{STDIN}:{number}: {problem}")


insight_app = typer.Typer(invoke_without_command=True, no_args_is_help=False)
app.add_typer(insight_app, name="insight")
alerts_app = typer.Typer(
    help="Spikes per stream, raised by e-mail and webhook.\n\n"
    "Example: hubbub alerts check -w larkspur",
    no_args_is_help=True,
)
app.add_typer(alerts_app, name="alerts")


@insight_app.callback(invoke_without_command=True)
def insight_command(
    ctx: typer.Context,
    workspace: Annotated[
        Path | None,
        typer.Option(
            "--workspace",
            "-w",
            help="A workspace file: its products, team, competitors, locale and timezone "
            "fill who/what/when/where [default: none, an empty workspace].",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
) -> None:
    """The 5W+H+E and sentiment of each post on stdin.

    Writes sentiment, intent, language and every other insight field it can fill.

    Reads JSON Lines: hubbub posts, X API v2 tweets (flattened, author embedded) or
    response pages, or just {"text": ...}. Writes one JSON object a post with
    "sentiment" {label, score}, "intent" [labels], "language", and who, what, when,
    where, how and extent where the input says them. A bad line is reported as
    <stdin>:LINE: reason on stderr; the rest go on and the exit code is then 1.

    `hubbub insight summary` prints a stored workspace's listening summary instead.

    Example: echo '{"text": "Where can I buy your sourdough?"}' | hubbub insight
    """
    if ctx.invoked_subcommand is not None:
        return
    with handled():
        ws = load_workspace(workspace) if workspace is not None else EMPTY_WORKSPACE
        failed = False
        out, err = sys.stdout, stderr()
        for item in insight_lines(sys.stdin, ws):
            if isinstance(item, LineError):
                failed = True
                out.flush()
                err.print(str(item), markup=False)
            else:
                out.write(item + "\n")
        if failed:
            raise typer.Exit(FAILED)


_STORED_WORKSPACE = typer.Option(
    "--workspace",
    "-w",
    help="The workspace file, or a stored workspace's slug [default: hubbub.toml].",
)


@insight_app.command("summary")
def summary_command(
    workspace: Annotated[str | None, _STORED_WORKSPACE] = None,
    days: Annotated[int, typer.Option(min=1, max=90, help="The window, in days up to now.")] = 7,
    json_: Annotated[bool, typer.Option("--json", help="Write one JSON object a stream.")] = False,
) -> None:
    """Each stream's strength, sentiment, passion, reach and top topics.

    Strength: the share of the window's mentions from the last 24 h (and per hour);
    sentiment: positive : negative; passion: the share of authors who came back;
    reach: unique authors / mentions. Topics: key phrases against the window before.

    Example: hubbub insight summary -w larkspur --days 7 --json | jq .strength
    """
    from hubbub.cli.commands import _resolve
    from hubbub.settings import get_settings
    from hubbub.store import Store
    from hubbub.summary import stream_reports

    with handled():
        store = Store.open()
        try:
            _, ws_id = _resolve(store, workspace or str(get_settings().workspace_file))
            with store.connect() as conn:
                reports = stream_reports(conn, ws_id, datetime.now(UTC), days=days)
        finally:
            store.close()
        out = sys.stdout
        for r in reports:
            s = r.summary
            if json_:
                row = {
                    **codec.to_dict(s),
                    "sentiment": s.sentiment_text,
                    "topics": [{**codec.to_dict(t), "change": t.change} for t in r.topics],
                }
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
                continue
            topics = ", ".join(t.phrase for t in r.topics) or "-"
            out.write(
                f"{s.stream}: {s.mentions} mentions in {days} d; strength {s.strength:.0%} "
                f"({s.per_hour:.1f}/h); sentiment {s.sentiment_text}; passion "
                f"{s.passion:.0%}; reach {s.reach:.0%}; topics: {topics}\n"
            )


@alerts_app.command("check")
def alerts_check(workspace: Annotated[str | None, _STORED_WORKSPACE] = None) -> None:
    """Look for spikes now; store and send the new ones.

    A spike: a stream's last 24 h above its 7-day mean plus HUBBUB_ALERT_K standard
    deviations, in volume or in negative share. New alerts go to HUBBUB_ALERT_EMAILS
    over HUBBUB_SMTP_HOST and to HUBBUB_ALERT_WEBHOOKS (JSON, HMAC-signed); one
    already raised for the same window is not sent again. Exit code 1 when a
    delivery failed.

    Example: HUBBUB_ALERT_EMAILS=owner@larkspur.com hubbub alerts check -w larkspur
    """
    from hubbub.alerts import check
    from hubbub.cli.commands import _resolve
    from hubbub.settings import get_settings
    from hubbub.store import Store

    with handled():
        settings = get_settings()
        store = Store.open()
        try:
            ws, ws_id = _resolve(store, workspace or str(settings.workspace_file))
            result = check(store, ws_id, ws.slug, datetime.now(UTC), settings)
        finally:
            store.close()
        if not result.alerts:
            sys.stdout.write(f"{ws.slug}: no new spikes\n")
            return
        failed = False
        for alert in result.alerts:
            sent = result.deliveries.get(alert.id, {})
            where = (
                "; ".join(f"{k} {v}" for k, v in sent.items())
                or "not sent (no e-mail or webhook set)"
            )
            failed = failed or any(v != "sent" for v in sent.values())
            sys.stdout.write(f"{alert.kind} spike: {alert.message} -> {where}\n")
        if failed:
            raise typer.Exit(FAILED)
