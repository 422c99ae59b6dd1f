"""``hubbub streams``: list, make, change, pause and check a workspace's streams.

Thin over :mod:`hubbub.store.streams` (the stored streams), :mod:`hubbub.rematch`
(stored posts matched again) and :mod:`hubbub.querycheck`. Streams made here are
'web' streams, exactly as if made on the Streams page; those of hubbub.toml are
changed in the file. ``--workspace`` takes a hubbub.toml (stored first, so its streams
are synced) or the slug of a stored workspace. Registers itself on the app when
imported.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, fail, handled
from hubbub.model import STREAM_KINDS
from hubbub.settings import get_settings
from hubbub.store import Store, upsert_workspace, workspace_id
from hubbub.store.streams import StreamRow, Window

__all__ = ["streams_app"]

streams_app = typer.Typer(
    help="Make, change, pause and check the workspace's streams.\n\n"
    'Example: hubbub streams add "Spring market" \'"spring market" (asheville OR avl)\'',
    no_args_is_help=True,
)
app.add_typer(streams_app, name="streams")

WorkspaceOpt = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The workspace file, or a stored workspace's slug [default: hubbub.toml].",
    ),
]
DaysOpt = Annotated[int, typer.Option(min=1, help="How many days of stored posts to match again.")]
StartsOpt = Annotated[
    str | None,
    typer.Option(
        help="An event's or campaign's first day, YYYY-MM-DD (local).", show_default=False
    ),
]
EndsOpt = Annotated[
    str | None,
    typer.Option(help="Its last day, YYYY-MM-DD (local; that day included).", show_default=False),
]


def _window(store: Store, slug: str, starts: str, ends: str) -> Window:
    """The dates as a stream's window, in the stored workspace's time zone."""
    from hubbub.days import day_bound
    from hubbub.store import load_workspace
    from hubbub.store.streams import StreamError

    with store.connect() as conn:
        ws = load_workspace(conn, slug)
    tz = ws.timezone if ws is not None else "UTC"
    try:
        return day_bound(starts, tz), day_bound(ends, tz, end=True)
    except ValueError as exc:
        raise StreamError(f"the dates: {exc}") from None


_KINDS = ", ".join(STREAM_KINDS)


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


def _open(workspace: str | None) -> tuple[Store, str, int]:
    """The store, and the workspace's slug and id (a hubbub.toml is stored first)."""
    from hubbub.workspace import load_workspace

    given = workspace or str(get_settings().workspace_file)
    store = Store.open()
    try:
        path = Path(given)
        if path.is_file() or given.endswith(".toml"):
            ws = load_workspace(path)
            with store.begin() as conn:
                return store, ws.slug, upsert_workspace(conn, ws)
        with store.connect() as conn:
            ws_id = workspace_id(conn, given)
        if ws_id is None:
            fail(f"no workspace {given!r}: give a hubbub.toml or a stored slug", BAD_INPUT)
        return store, given, ws_id
    except BaseException:
        store.close()
        raise


def _find(store: Store, ws_id: int, name: str) -> StreamRow:
    from hubbub.store.streams import stream_by_name

    with store.connect() as conn:
        found = stream_by_name(conn, ws_id, name)
    if found is None:
        fail(f"no stream {name!r} in this workspace (see `hubbub streams list`)", BAD_INPUT)
    return found


def _rematch(store: Store, slug: str, names: list[str], days: int) -> None:
    from hubbub.rematch import RematchError, rematch

    try:
        report = rematch(store, slug, names, days=days)
    except RematchError as exc:
        fail(str(exc), BAD_INPUT)
    _out().print(report.summary(), markup=False)


@streams_app.command("list")
def streams_list(
    workspace: WorkspaceOpt = None,
    json_: Annotated[
        bool, typer.Option("--json", help="Write JSON Lines of streams to stdout.")
    ] = False,
) -> None:
    """List the streams with their origin, state and mention counts.

    Example: hubbub streams list -w larkspur --json | jq .name
    """
    from hubbub.store.streams import list_streams

    with handled():
        store, _, ws_id = _open(workspace)
        try:
            with store.connect() as conn:
                rows = list_streams(conn, ws_id)
        finally:
            store.close()
        if json_:
            for s in rows:
                record = {
                    "name": s.name,
                    "kind": s.kind,
                    "query": s.query,
                    "origin": s.origin,
                    "paused": s.paused,
                    "mentions": s.mentions,
                    "mentions_7d": s.mentions_week,
                    "starts": s.starts.isoformat() if s.starts else None,
                    "ends": s.ends.isoformat() if s.ends else None,
                    "last_mention": s.last_mention.isoformat() if s.last_mention else None,
                }
                sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        table = Table()
        for column in ("Name", "Kind", "Origin", "State", "Mentions", "7 days", "Query"):
            table.add_column(column, overflow="fold")
        for s in rows:
            table.add_row(
                s.name,
                s.kind,
                s.origin,
                "paused" if s.paused else "active",
                f"{s.mentions:,}",
                f"{s.mentions_week:,}",
                s.query,
            )
        _out().print(table)


@streams_app.command("add")
def streams_add(
    name: Annotated[str, typer.Argument(help="The stream's name, unique in the workspace.")],
    query: Annotated[str, typer.Argument(help="The query in X's rule language, quoted.")],
    kind: Annotated[str, typer.Option(help=f"One of {_KINDS}.")] = "campaign",
    note: Annotated[str, typer.Option(help="Why the stream exists.")] = "",
    starts: StartsOpt = None,
    ends: EndsOpt = None,
    days: DaysOpt = 30,
    rematch: Annotated[
        bool, typer.Option(help="Match the stored posts of --days with it at once.")
    ] = True,
    workspace: WorkspaceOpt = None,
) -> None:
    """Add a stream (as if made on the Streams page) and match stored posts with it.

    Example: hubbub streams add "Spring market" '"spring market" (asheville OR avl)'
    --kind event --starts 2026-04-10 --ends 2026-04-12 --days 60
    """
    from hubbub.store.streams import StreamError, create_stream

    with handled():
        store, slug, ws_id = _open(workspace)
        try:
            try:
                window = _window(store, slug, starts or "", ends or "")
                with store.begin() as conn:
                    create_stream(conn, ws_id, name, query, kind, note=note, window=window)
            except StreamError as exc:
                fail(str(exc), BAD_INPUT)
            saved = " ".join(name.split())
            _out().print(f"Added stream {saved!r}.", markup=False)
            if rematch:
                _rematch(store, slug, [saved], days)
        finally:
            store.close()


@streams_app.command("edit")
def streams_edit(
    name: Annotated[str, typer.Argument(help="The stream to change.")],
    query: Annotated[str | None, typer.Option(help="The new query.")] = None,
    new_name: Annotated[str | None, typer.Option("--name", help="A new name.")] = None,
    kind: Annotated[str | None, typer.Option(help=f"A new kind: {_KINDS}.")] = None,
    note: Annotated[str | None, typer.Option(help="A new note.")] = None,
    starts: StartsOpt = None,
    ends: EndsOpt = None,
    no_dates: Annotated[bool, typer.Option("--no-dates", help="Remove the dates.")] = False,
    days: DaysOpt = 30,
    workspace: WorkspaceOpt = None,
) -> None:
    """Change a web stream's query, name, kind, note or dates; a new query is rematched.

    Example: hubbub streams edit "Spring market" --query '"spring market" OR #avlmarket'
    """
    from hubbub.store.streams import StreamError, update_stream

    with handled():
        store, slug, ws_id = _open(workspace)
        try:
            found = _find(store, ws_id, name)
            try:
                window: Window | None = None
                if no_dates:
                    window = (None, None)
                elif starts is not None or ends is not None:
                    given = _window(store, slug, starts or "", ends or "")
                    window = (
                        given[0] if starts is not None else found.starts,
                        given[1] if ends is not None else found.ends,
                    )
                with store.begin() as conn:
                    changed = update_stream(
                        conn,
                        ws_id,
                        found.id,
                        name=new_name,
                        query=query,
                        kind=kind,
                        note=note,
                        window=window,
                    )
            except StreamError as exc:
                fail(str(exc), BAD_INPUT)
            saved = " ".join(new_name.split()) if new_name is not None else found.name
            _out().print(f"Saved stream {saved!r}.", markup=False)
            if changed:
                _rematch(store, slug, [saved], days)
        finally:
            store.close()


def _pause(name: str, workspace: str | None, paused: bool) -> None:
    from hubbub.store.streams import StreamError, set_paused

    with handled():
        store, _, ws_id = _open(workspace)
        try:
            found = _find(store, ws_id, name)
            try:
                with store.begin() as conn:
                    changed = set_paused(conn, ws_id, found.id, paused)
            except StreamError as exc:
                fail(str(exc), BAD_INPUT)
        finally:
            store.close()
        state = "paused" if paused else "active"
        _out().print(
            f"Stream {found.name!r} is {state}{'' if changed else ' (it already was)'}.",
            markup=False,
        )


@streams_app.command("pause")
def streams_pause(
    name: Annotated[str, typer.Argument(help="The stream to pause.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Pause a web stream: it matches nothing new; its mentions stay.

    Example: hubbub streams pause "Spring market"
    """
    _pause(name, workspace, True)


@streams_app.command("resume")
def streams_resume(
    name: Annotated[str, typer.Argument(help="The stream to resume.")],
    workspace: WorkspaceOpt = None,
) -> None:
    """Resume a paused web stream.

    Example: hubbub streams resume "Spring market"
    """
    _pause(name, workspace, False)


@streams_app.command("check")
def streams_check(
    query: Annotated[str, typer.Argument(help="The query, quoted for the shell.")],
    preview: Annotated[
        bool, typer.Option(help="Also count the latest stored posts it would have matched.")
    ] = True,
) -> None:
    """Check a stream query: its terms and length, or the error with a caret (exit 2).

    Example: hubbub streams check '"west asheville" (bakery OR #sourdough) -is:retweet'
    """
    from hubbub.query import SEARCH_MAX_LENGTH, STREAM_MAX_LENGTH
    from hubbub.querycheck import check_query

    with handled():
        check = check_query(query)
        if not check.valid:
            where = f"column {check.column}: " if check.column else ""
            err = Console(stderr=True, highlight=False, soft_wrap=True)
            err.print(f"hubbub: query: {where}{check.error}", markup=False)
            if check.column:
                err.print(f"{check.before}{check.at}{check.after}", markup=False)
                err.print(" " * len(check.before) + "^", markup=False)
            raise typer.Exit(BAD_INPUT)
        out = _out()
        out.print("valid", markup=False)
        if check.includes:
            out.print("looks for: " + ", ".join(check.includes), markup=False)
        if check.excludes:
            out.print("leaves out: " + ", ".join(check.excludes), markup=False)
        search = "fits" if check.fits_search else "over"
        out.print(
            f"{check.length:,} characters: {search} X's {SEARCH_MAX_LENGTH} for a recent "
            f"search, fits the {STREAM_MAX_LENGTH:,} of a filtered-stream rule",
            markup=False,
        )
        if preview:
            from hubbub.rematch import preview as run_preview

            store = Store.open()
            try:
                found = run_preview(store, check.query)
            finally:
                store.close()
            out.print(
                f"would have matched {found.matched:,} of the last {found.scanned:,} stored posts",
                markup=False,
            )


@streams_app.command("rematch")
def streams_rematch(
    names: Annotated[list[str], typer.Argument(help="The streams to match again.")],
    days: DaysOpt = 30,
    workspace: WorkspaceOpt = None,
) -> None:
    """Match stored posts of the last --days with streams again (new ones become mentions).

    Example: hubbub streams rematch "Spring market" --days 365
    """
    with handled():
        store, slug, ws_id = _open(workspace)
        try:
            _rematch(store, slug, [_find(store, ws_id, n).name for n in names], days)
        finally:
            store.close()
