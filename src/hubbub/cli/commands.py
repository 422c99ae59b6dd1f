"""The commands: init, import, mentions, serve, user add, user invite, demo.

Every command's help ends with an example (a test walks them all). Progress bars
and messages go to stderr so stdout stays clean for ``--json`` pipelines.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from hubbub import codec
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr
from hubbub.model import ROLES, Workspace
from hubbub.settings import get_settings
from hubbub.store import Store, workspace_id
from hubbub.store import load_workspace as stored_workspace
from hubbub.workspace import example_path, load_workspace, parse_workspace, starter_toml

__all__ = ["app", "main"]

app = typer.Typer(
    name="hubbub",
    help="Social listening and engagement for small businesses: listen, understand, answer."
    "\n\nExample: hubbub demo",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
user_app = typer.Typer(
    help="Manage the people who log in to the web UI.\n\n"
    "Example: hubbub user add maya --workspace larkspur --role owner",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")


def main() -> None:
    """The console script: the app, with known errors as one line and no traceback."""
    try:
        with handled():
            app(standalone_mode=True)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


def _out() -> Console:
    return Console(highlight=False, soft_wrap=True)


@contextmanager
def _progress() -> Iterator[Progress]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed:,.0f} posts"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        yield progress


# --- init ---------------------------------------------------------------------------------


def _stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


def _ask(value: str | None, question: str, interactive: bool) -> str:
    if value is not None or not interactive:
        return value or ""
    answer: str = typer.prompt(question, default="", show_default=False)
    return answer.strip()


def _ask_number(value: float | None, question: str, interactive: bool) -> float | None:
    if value is not None or not interactive:
        return value
    while True:
        answer = _ask(None, question, interactive)
        if not answer:
            return None
        try:
            return float(answer)
        except ValueError:
            stderr().print(f"{answer!r} is not a number; leave it empty to skip")


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Where to write the workspace file.")] = Path(
        "hubbub.toml"
    ),
    name: Annotated[str | None, typer.Option(help="The business's name.")] = None,
    town: Annotated[str | None, typer.Option(help="The town it serves.")] = None,
    latitude: Annotated[float | None, typer.Option(help="The town's latitude.")] = None,
    longitude: Annotated[float | None, typer.Option(help="The town's longitude.")] = None,
    x_handle: Annotated[str | None, typer.Option(help="The business's X handle.")] = None,
    website: Annotated[str | None, typer.Option(help="The business's website URL.")] = None,
    timezone: Annotated[
        str, typer.Option(help="The business's time zone, e.g. America/New_York.")
    ] = "UTC",
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write a starter hubbub.toml describing your business.

    Asks for what the flags leave out when run in a terminal.

    Example: hubbub init --name "Larkspur Bakery" --town Asheville --latitude 35.5951
    --longitude -82.5515 --x-handle larkspurbakes --website https://larkspurbakery.com
    --timezone America/New_York
    """
    with handled():
        if path.exists() and not force:
            fail(f"{path} already exists; use --force to overwrite it", FAILED)
        interactive = _stdin_is_terminal()
        name = _ask(name, "Business name", interactive)
        if not name:
            fail("--name is required (run in a terminal to be asked for it)", BAD_INPUT)
        town = _ask(town, "Town (empty to skip)", interactive)
        if town:
            latitude = _ask_number(latitude, f"Latitude of {town}", interactive)
            longitude = _ask_number(longitude, f"Longitude of {town}", interactive)
        x_handle = _ask(x_handle, "X handle (empty to skip)", interactive)
        website = _ask(website, "Website (empty to skip)", interactive)
        text = starter_toml(name, town, latitude, longitude, x_handle, website, timezone=timezone)
        workspace = parse_workspace(text, str(path))  # the answers themselves may be wrong
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        out = _out()
        out.print(f"Wrote {path} for {workspace.name} (slug {workspace.slug}). Its searches:")
        for stream in workspace.streams:
            out.print(f"  {stream.kind:<10} {stream.name}: {stream.query}", markup=False)
        out.print(f"Edit {path} to add competitors, products and your team, then `hubbub import`.")


# --- import ---------------------------------------------------------------------------------


@app.command("import")
def import_(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="JSON Lines (.jsonl, .jsonl.gz: hubbub posts or X API v2 from twarc2), "
            "CSV (.csv, .tsv) or an X archive (.zip).",
            metavar="FILE...",
            exists=True,
            dir_okay=False,
            readable=True,
        ),
    ],
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="The workspace file [default: hubbub.toml]."),
    ] = None,
    from_start: Annotated[
        bool, typer.Option(help="Read every line again instead of resuming after the last.")
    ] = False,
    column: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="CSV: which column holds a field, e.g. --map text=Message (repeatable).",
            metavar="FIELD=Header",
        ),
    ] = None,
    network: Annotated[
        str, typer.Option(help="CSV: the network of rows without a network column.")
    ] = "x",
) -> None:
    """Import posts from JSON Lines, CSV or an X archive, resuming.

    Reads hubbub's own post JSON Lines and X API v2 JSON Lines as twarc2 writes them, CSV
    exports (common headers are found by themselves; name others with --map FIELD=Header
    for text, created, author, id, url, network, likes ...) and the ZIP of X's "Download
    an archive of your data" (your own posts, and your followers for the audit).

    Every bad line is reported as FILE:LINE: reason (CSV: FILE:LINE:FIELD: reason) on
    stderr and the good lines are still stored; the exit code is 1 when any line failed.
    Importing again stores nothing twice.

    Example: hubbub import export.csv --map text=Message --map created=Date --map author=User
    """
    from hubbub.listen import ingest
    from hubbub.sources.base import SourceError
    from hubbub.sources.csvfile import CsvOptions, parse_mapping
    from hubbub.sources.files import FileSource

    with handled():
        ws = load_workspace(workspace or get_settings().workspace_file)
        try:
            csv_options = CsvOptions(parse_mapping(column or []), network)
        except SourceError as exc:
            fail(str(exc), BAD_INPUT)
        source = FileSource(files, from_start=from_start, csv=csv_options)
        store = Store.open()
        try:
            with _progress() as progress:
                task = progress.add_task(f"Importing into {ws.slug}", total=None)
                report = ingest(store, ws, source, progress=lambda n: progress.advance(task, n))
        finally:
            store.close()
        err = stderr()
        for error in source.errors:
            err.print(error, markup=False)
        if source.lines_read == 0 and not from_start:
            _out().print(
                "Nothing new: these files were read to the end before "
                "(--from-start reads them again; nothing is stored twice)."
            )
            return
        followers = f", {report.followers_new:,} new followers" if report.followers_new else ""
        _out().print(
            f"Read {_count(source.lines_read, 'line')}: {report.posts_seen:,} posts, "
            f"{report.posts_new:,} new, {report.mentions_new:,} new mentions{followers} "
            f"({report.elapsed:.1f} s)."
        )
        if source.errors:
            failed = _count(len(source.errors), "line")
            err.print(f"hubbub: {failed} could not be imported (see above)", markup=False)
            raise typer.Exit(FAILED)


# --- mentions ------------------------------------------------------------------------------


def _resolve(conn_store: Store, workspace: str) -> tuple[Workspace, int]:
    """The workspace named by a file path or a stored slug, and its stored id."""
    path = Path(workspace)
    with conn_store.connect() as conn:
        if path.is_file() or workspace.endswith(".toml"):
            ws = load_workspace(path)
            ws_id = workspace_id(conn, ws.slug)
        else:
            ws_id = workspace_id(conn, workspace)
            found = stored_workspace(conn, workspace) if ws_id is not None else None
            if found is None or ws_id is None:
                fail(f"no workspace {workspace!r}: give a hubbub.toml or a stored slug", BAD_INPUT)
            ws = found
    if ws_id is None:
        fail(f"nothing stored for {ws.slug!r} yet; run `hubbub import FILE` first", FAILED)
    return ws, ws_id


@app.command()
def mentions(
    workspace: Annotated[
        str | None,
        typer.Option(
            "--workspace",
            "-w",
            help="The workspace file, or a stored workspace's slug [default: hubbub.toml].",
        ),
    ] = None,
    stream: Annotated[str | None, typer.Option(help="Only this stream's mentions.")] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many, newest first.")] = 20,
    json_: Annotated[
        bool, typer.Option("--json", help="Write JSON Lines of mentions to stdout.")
    ] = False,
) -> None:
    """Show the most recent mentions: who said what, and how they feel.

    Example: hubbub mentions --stream "Larkspur Bakery" --limit 5 --json | jq .post.text
    """
    from hubbub.store.objects import recent_mentions, stream_names

    with handled():
        store = Store.open()
        try:
            ws, ws_id = _resolve(store, workspace or str(get_settings().workspace_file))
            with store.connect() as conn:
                names = stream_names(conn, ws_id)
                if stream is not None and stream.lower() not in {n.lower() for n in names}:
                    fail(f"no stream {stream!r}; streams: {', '.join(names)}", BAD_INPUT)
                found = recent_mentions(conn, ws_id, ws.slug, stream=stream, limit=limit)
        finally:
            store.close()
        if json_:
            import json

            for mention in found:
                sys.stdout.write(json.dumps(codec.to_dict(mention), ensure_ascii=False) + "\n")
            return
        if not found:
            where = f" in stream {stream!r}" if stream else ""
            _out().print(
                f"{ws.name}: no mentions{where} yet. `hubbub import FILE` brings posts in."
            )
            return
        zone = ZoneInfo(ws.timezone)
        table = Table(title=f"{ws.name}: {len(found)} most recent mentions")
        for column in ("When", "Who", "Streams", "Feeling"):
            table.add_column(column, no_wrap=column in ("When", "Feeling"))
        table.add_column("Text", overflow="fold", min_width=30)
        for m in found:
            local = m.post.created.astimezone(zone).strftime("%b %d %H:%M")
            who = f"{m.post.author.handle} ({m.post.network})"
            feeling = f"{m.insight.sentiment.label} {m.insight.sentiment.score:+.2f}"
            table.add_row(local, who, ", ".join(m.streams), feeling, m.post.text[:280])
        _out().print(table)


# --- serve, users -------------------------------------------------------------------------


def _serve(host: str | None, port: int | None, scheduler: bool = True) -> None:
    import uvicorn

    from hubbub.configure import effective_settings
    from hubbub.publish.media import media_root
    from hubbub.publish.scheduler import start_background
    from hubbub.report.digest import send_due_digests
    from hubbub.sources.publishers import publisher_for
    from hubbub.web import create_app

    settings = get_settings()
    store = Store.open()
    halt = (
        start_background(
            store,
            lambda n: publisher_for(n, effective_settings(store, settings)),
            base_url=settings.public_base_url,
            media_root=media_root(settings),
            after_pass=lambda now: send_due_digests(store, settings, now),
        )
        if scheduler
        else None
    )
    try:
        uvicorn.run(
            create_app(store, settings),
            host=host or settings.host,
            port=port or settings.port,
            log_level=settings.log_level.lower(),
        )
    finally:
        if halt is not None:
            halt()  # after uvicorn's own clean shutdown on SIGINT/SIGTERM


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    scheduler: Annotated[
        bool,
        typer.Option(help="Also publish scheduled posts and digests (as `hubbub worker` does)."),
    ] = True,
) -> None:
    """Run the web UI (dashboard, mentions) over the store.

    Example: hubbub serve --host 127.0.0.1 --port 8000
    """
    with handled():
        _serve(host, port, scheduler)


@user_app.command("add")
def user_add(
    username: Annotated[str, typer.Argument(help="The login name.")],
    workspace: Annotated[str, typer.Option(help="The slug of the workspace to join.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "owner",
    password_stdin: Annotated[
        bool, typer.Option(help="Read the password from stdin instead of asking.")
    ] = False,
) -> None:
    """Create a user who can log in to the web UI, with a role in one workspace.

    Example: echo "$PASSWORD" | hubbub user add maya --workspace larkspur --role owner
    --password-stdin
    """
    from hubbub.store.users import add_membership, create_user

    with handled():
        if role not in ROLES:
            fail(f"--role {role!r} must be one of {', '.join(ROLES)}", BAD_INPUT)
        if password_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        else:
            password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        store = Store.open()
        try:
            with store.begin() as conn:
                ws_id = workspace_id(conn, workspace)
                if ws_id is None:
                    fail(f"no workspace {workspace!r} stored; import into it first", BAD_INPUT)
                user_id = create_user(conn, username, password)
                add_membership(conn, user_id, ws_id, role)
        finally:
            store.close()
        _out().print(f"Created user {username!r}, {role} of {workspace}.", markup=False)


@user_app.command("invite")
def user_invite(
    workspace: Annotated[str, typer.Option(help="The slug of the workspace to join.")],
    role: Annotated[str, typer.Option(help=f"One of {', '.join(ROLES)}.")] = "staff",
    email: Annotated[str, typer.Option(help="The invitee's e-mail (for your records).")] = "",
    name: Annotated[str, typer.Option(help="The invitee's name.")] = "",
    base_url: Annotated[
        str | None,
        typer.Option(
            help="The web UI's address [default: HUBBUB_PUBLIC_BASE_URL, else host:port]."
        ),
    ] = None,
) -> None:
    """Make a single-use link that lets someone join a workspace (valid 7 days).

    The link is printed once and stored only as a hash; the invitee opens it, chooses
    a username and a password and is logged in. Revoke it on the Settings page.

    Example: hubbub user invite --workspace larkspur --role staff --email sam@example.com
    """
    from datetime import UTC, datetime

    from hubbub import team

    with handled():
        if role not in ROLES:
            fail(f"--role {role!r} must be one of {', '.join(ROLES)}", BAD_INPUT)
        settings = get_settings()
        base = base_url or settings.public_base_url or f"http://{settings.host}:{settings.port}"
        store = Store.open()
        try:
            with store.begin() as conn:
                ws_id = workspace_id(conn, workspace)
                if ws_id is None:
                    fail(f"no workspace {workspace!r} stored; import into it first", BAD_INPUT)
                try:
                    new = team.invite(
                        conn,
                        ws_id,
                        role=role,
                        email=email,
                        name=name,
                        by_user_id=None,
                        by_role=None,
                        now=datetime.now(UTC),
                    )
                except team.TeamError as exc:
                    fail(str(exc), BAD_INPUT)
        finally:
            store.close()
        stderr().print(
            f"Invitation for a {role} of {workspace}, valid until "
            f"{new.expires:%Y-%m-%d %H:%M} UTC; it is shown only now:",
            markup=False,
        )
        print(base.rstrip("/") + new.path)


# --- demo -------------------------------------------------------------------------------------


def _demo_user(store: Store, slug: str) -> str:
    from contextlib import suppress

    from hubbub.store.users import UserError, add_membership, authenticate, create_user

    with store.begin() as conn:
        ws_id = workspace_id(conn, slug)
        assert ws_id is not None  # ingest stored it
        user = authenticate(conn, "demo", "demo")
        if user is None:
            try:
                user_id = create_user(conn, "demo", "demo", name="Demo")
            except UserError:
                return "the user demo exists with another password; log in with that"
        else:
            user_id = user.id
        add_membership(conn, user_id, ws_id, "owner")
        # a second member, so that a team of two can share the demo's inbox
        sam = authenticate(conn, "sam", "demo")
        if sam is None:
            with suppress(UserError):  # "sam" exists with another password: leave it be
                add_membership(conn, create_user(conn, "sam", "demo", name="Sam"), ws_id, "staff")
        else:
            add_membership(conn, sam.id, ws_id, "staff")
    return "log in as demo / demo (or sam / demo, staff)"


@app.command()
def demo(
    seed: Annotated[int, typer.Option(help="Seed of the simulated world.")] = 7,
    days: Annotated[int, typer.Option(min=1, help="Days of history to simulate.")] = 90,
    no_serve: Annotated[bool, typer.Option(help="Only generate and store.")] = False,
    host: Annotated[str | None, typer.Option(help="Address to listen on.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Simulate a bakery's world offline and open the web UI.

    Stores 90 days of the example business's social life, then serves the dashboard.

    Runs offline and deterministically: the same seed gives the same world.

    Example: hubbub demo --seed 7 --days 90
    """
    from hubbub.goals import demo as goals_demo
    from hubbub.listen import ingest
    from hubbub.sources.demo import DemoSource, resolve_end

    with handled():
        store = Store.open()
        try:
            end = resolve_end(None)
            # the holiday market gets its dates in the world's last fortnight
            ws = goals_demo.prepare(store, load_workspace(example_path()), end)
            started = time.perf_counter()
            source = DemoSource(ws, seed=seed, days=days, end=end)
            world = source.world  # drawn here so that its time is its own figure
            generated = time.perf_counter() - started
            with _progress() as progress:
                task = progress.add_task(f"Listening to {ws.name}", total=len(world.posts))
                report = ingest(store, ws, source, progress=lambda n: progress.advance(task, n))
            took = time.perf_counter() - started
            login = _demo_user(store, ws.slug)
            # what a real business would add: its codes' redemptions, clicks, followed-up leads
            goals_demo.seed(store, ws, end, seed, days)
        finally:
            store.close()
        out = _out()
        if report.posts_seen == 0:
            out.print(
                f"The demo world of {ws.name} is already stored (delete HUBBUB_HOME to redo)."
            )
        else:
            out.print(
                f"Demo: {report.posts_seen:,} posts by {len(world.accounts):,} accounts over "
                f"{days} days (seed {seed}), generated in {generated:.1f} s; "
                f"{report.mentions_new:,} mentions processed and stored in {took:.1f} s "
                f"({report.posts_per_second:,.0f} posts/s)."
            )
        if no_serve:
            return
        settings = get_settings()
        url = f"http://{host or settings.host}:{port or settings.port}"
        out.print(f"Open {url} and {login}. Stop with Ctrl+C.", markup=False)
        _serve(host, port)
