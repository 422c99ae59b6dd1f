"""``hubbub text`` and ``hubbub query``: twitter-text and the rule language on the command line.

Both speak JSON Lines on stdin/stdout (DESIGN.md: the CLI composes with jq and
twarc), one output line per input line, so a bad line never stops a run: it is
reported as ``<stdin>:LINE: reason`` on stderr, the rest go on, and the exit
code is 1 at the end. The field names are twitter-text's own, so its users need
no mapping. Posts for ``query match`` are read by :mod:`hubbub.sources.files`'
``parse_line``, the same mapping ``hubbub import`` uses, so a file that imports
also matches the same way.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr
from hubbub.model import Entities, Post, Stream
from hubbub.query import LENGTH_LIMITS, QueryError, compile_streams, parse
from hubbub.query.matcher import Matcher
from hubbub.sources.files import LineError, parse_line
from hubbub.text import extract_entities, parse_tweet

__all__ = [
    "entities_json",
    "match_lines",
    "query_app",
    "read_rules",
    "text_app",
    "validate_json",
]

STDIN = "<stdin>"

text_app = typer.Typer(
    help="twitter-text on JSON Lines: entities and weighted length.\n\n"
    'Example: echo \'{"text": "hi @maya #avl"}\' | hubbub text entities',
    no_args_is_help=True,
)
query_app = typer.Typer(
    help="The X rule language: check a query, match posts against rules.\n\n"
    'Example: hubbub query check "(sourdough OR croissant) asheville -is:retweet"',
    no_args_is_help=True,
)
app.add_typer(text_app, name="text")
app.add_typer(query_app, name="query")

LimitName = Literal["stream", "search"]


# --- the work, as plain functions ----------------------------------------------------------


def entities_json(ents: Entities) -> dict[str, Any]:
    """``ents`` under twitter-text's field names (indices include the sigil)."""
    return {
        "mentions": [{"screen_name": s.text, "indices": [s.start, s.end]} for s in ents.mentions],
        "hashtags": [{"hashtag": s.text, "indices": [s.start, s.end]} for s in ents.hashtags],
        "urls": [{"url": s.text, "indices": [s.start, s.end]} for s in ents.urls],
        "cashtags": [{"cashtag": s.text, "indices": [s.start, s.end]} for s in ents.cashtags],
        "reply": ents.reply,
    }


def validate_json(text: str, config: str) -> dict[str, Any]:
    """twitter-text's ``parseTweet`` result for ``text`` under ``config`` (v2 or v3)."""
    return dict(parse_tweet(text, config).as_dict())


def _text_of(line: str) -> str:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        raise LineError(f"not JSON: {exc.msg} (column {exc.colno})") from None
    if not isinstance(obj, dict):
        raise LineError(f'expected a JSON object like {{"text": ...}}, got {type(obj).__name__}')
    text = obj.get("text")
    if not isinstance(text, str):
        what = "missing" if text is None else f"not a string but {type(text).__name__}"
        raise LineError(f'"text" is {what}')
    return text


@dataclass(slots=True)
class RunReport:
    """What a JSON Lines run did: output lines written and ``<stdin>:LINE: reason`` errors."""

    written: int = 0
    errors: list[str] = field(default_factory=list)


def _lines(stream: Iterator[str]) -> Iterator[tuple[int, str]]:
    for number, raw in enumerate(stream, start=1):
        line = raw.strip()
        if line:
            yield number, line


def _dump(obj: dict[str, Any]) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(", ", ": "))


def _text_run(kind: Literal["entities", "validate"], config: str) -> RunReport:
    report = RunReport()
    out = sys.stdout
    for number, line in _lines(iter(sys.stdin)):
        try:
            text = _text_of(line)
        except LineError as exc:
            report.errors.append(f"{STDIN}:{number}: {exc}")
            continue
        if kind == "entities":
            result = entities_json(extract_entities(text))
        else:
            result = validate_json(text, config)
        out.write(_dump(result) + "\n")
        report.written += 1
    return report


def read_rules(path: Path, max_length: int) -> list[Stream]:
    """The rules of a ``name<TAB>query`` file; every bad line as ``FILE:LINE: message``.

    Blank lines and lines starting with ``//`` are skipped (``#`` starts a hashtag
    rule name as easily as a comment, so it is not a comment marker). Raises
    :class:`LineError` whose message holds one problem a line.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise LineError(f"{path}: not UTF-8 text") from None
    rules: list[Stream] = []
    problems: list[str] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        name, tab, query = raw.partition("\t")
        name, query = name.strip(), query.strip()
        where = f"{path}:{number}"
        if not tab or not name or not query:
            problems.append(f"{where}: expected name<TAB>query")
            continue
        if name in seen:
            problems.append(f"{where}: rule {name!r} is already named on line {seen[name]}")
            continue
        seen[name] = number
        try:
            parse(query, max_length=max_length)
        except QueryError as err:
            problems.append(f"{where}: rule {name!r}: {err}")
            continue
        rules.append(Stream(name, query))
    if problems:
        raise LineError("\n".join(problems))
    if not rules:
        raise LineError(f"{path}: no rules (one name<TAB>query a line)")
    return rules


def _posts_of(line: str) -> tuple[list[Post], list[str]]:
    posts, problems = parse_line(line)
    for post in posts:
        if post.entities is None:
            post.entities = extract_entities(post.text)
    return posts, problems


def match_lines(matcher: Matcher, lines: Iterator[str]) -> Iterator[str | LineError]:
    """One output line (``{"id", "matched"}``) per post read, or the error of a bad line.

    Errors carry ``<stdin>:LINE: reason``; a response page yields one line per tweet.
    """
    for number, line in _lines(lines):
        try:
            posts, problems = _posts_of(line)
        except LineError as exc:
            yield LineError(f"{STDIN}:{number}: {exc}")
            continue
        for post in posts:
            names = matcher.match_names(post)  # no highlight terms: the fast path
            yield _dump({"id": post.id, "matched": names})
        for problem in problems:
            yield LineError(f"{STDIN}:{number}: {problem}")


def _finish(report: RunReport) -> None:
    err = stderr()
    for line in report.errors:
        err.print(line, markup=False)
    if report.errors:
        raise typer.Exit(FAILED)


# --- the commands --------------------------------------------------------------------------


@text_app.command("entities")
def text_entities() -> None:
    """Extract mentions, hashtags, URLs, cashtags and the reply name of each {"text": ...} line.

    Reads JSON Lines on stdin; writes one JSON object a line with twitter-text's field
    names ({"mentions": [{"screen_name", "indices"}], "hashtags": [{"hashtag",
    "indices"}], "urls": [{"url", "indices"}], "cashtags": [{"cashtag", "indices"}],
    "reply"}). A bad line is reported as <stdin>:LINE: reason; the exit code is then 1.

    Example: echo '{"text": "@maya try #sourdough at larkspurbakery.com"}' | hubbub text entities
    """
    with handled():
        _finish(_text_run("entities", "v3"))


@text_app.command("validate")
def text_validate(
    config: Annotated[
        str,
        typer.Option(help="twitter-text config: v2 (emoji weigh 2) or v3 (emoji weigh 2 as one)."),
    ] = "v3",
) -> None:
    """Weigh each {"text": ...} line as X does: length, validity and ranges.

    Writes {"weightedLength", "valid", "permillage", "displayRangeStart",
    "displayRangeEnd", "validRangeStart", "validRangeEnd"} a line, as twitter-text's
    parseTweet. A bad line is reported as <stdin>:LINE: reason; the exit code is then 1.

    Example: echo '{"text": "Fresh sourdough at 7 🍞"}' | hubbub text validate --config v3
    """
    with handled():
        if config not in ("v2", "v3"):
            fail(f"--config must be v2 or v3, got {config!r}", BAD_INPUT)
        _finish(_text_run("validate", config))


def _limit(name: str) -> int:
    if name not in LENGTH_LIMITS:
        fail(f"--limit must be one of {', '.join(LENGTH_LIMITS)}, got {name!r}", BAD_INPUT)
    return LENGTH_LIMITS[name]


_LIMIT_HELP = "X's length limit to hold queries to: stream (1,024) or search (512)."


@query_app.command("check")
def query_check(
    query: Annotated[str, typer.Argument(help="The query, quoted for the shell.")],
    limit: Annotated[str, typer.Option(help=_LIMIT_HELP)] = "stream",
) -> None:
    """Check a query: exit 0 when valid, else 2 with the message and a caret under the spot.

    Example: hubbub query check '"west asheville" (bakery OR #sourdough) -is:retweet'
    """
    with handled():
        max_length = _limit(limit)
        try:
            parse(query, max_length=max_length)
        except QueryError as err:
            err_console = stderr()
            err_console.print(f"hubbub: query: {err}", markup=False)
            if err.column is not None and err.column <= len(query) + 1:
                err_console.print(err.caret(), markup=False)
            raise typer.Exit(BAD_INPUT) from None
        sys.stdout.write("valid\n")


@query_app.command("match")
def query_match(
    rules: Annotated[
        Path,
        typer.Option(help="The rules: one name<TAB>query a line.", exists=True, dir_okay=False),
    ],
    limit: Annotated[str, typer.Option(help=_LIMIT_HELP)] = "stream",
) -> None:
    """Match posts on stdin against rules; write {"id", "matched": [rule names]} a post.

    Posts are JSON Lines: hubbub posts, X API v2 tweets (flattened, with their
    author embedded) or X API v2 response pages (with includes). A bad rule is
    reported as FILE:LINE: message (exit 2); a bad post line as <stdin>:LINE: reason
    (the rest still go on; exit 1 at the end).

    Example: hubbub query match --rules rules.tsv < posts.jsonl
    """
    with handled():
        try:
            streams = read_rules(rules, _limit(limit))
        except LineError as exc:
            stderr().print(str(exc), markup=False)
            raise typer.Exit(BAD_INPUT) from None
        matcher = compile_streams(streams, max_length=_limit(limit))
        report = RunReport()
        out = sys.stdout
        for item in match_lines(matcher, iter(sys.stdin)):
            if isinstance(item, LineError):
                report.errors.append(str(item))
            else:
                out.write(item + "\n")
                report.written += 1
        _finish(report)
