"""``hubbub listen``: run every configured source live into the store until stopped.

Thin, like every command: it builds the store, the workspace and the live sources
(:func:`hubbub.sources.registry.configured_sources`, with the store's usage meter so
X's monthly cap holds across processes) and hands them to :func:`hubbub.listen.listen`,
which runs each source in its own thread under a lease. What is here is the face:
SIGINT / SIGTERM stop cleanly (the batch in hand is committed, leases released,
exit 0) and a second one forces; on a terminal a status line per source is redrawn
in place, otherwise (systemd, a pipe) plain lines are logged as things change.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.live import Live
from rich.logging import RichHandler
from rich.table import Table

from hubbub.cli.commands import app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr
from hubbub.listen import SourceStatus
from hubbub.listen import listen as run_listen
from hubbub.settings import get_settings
from hubbub.sources.registry import LiveSource
from hubbub.workspace import load_workspace

if TYPE_CHECKING:
    from hubbub.model import Workspace
    from hubbub.settings import Settings
    from hubbub.store import Store

__all__ = ["listen", "status_line"]

NOTHING_CONFIGURED = (
    "no source configured: set HUBBUB_X_BEARER_TOKEN (X), HUBBUB_MASTODON_BASE_URL "
    "(Mastodon), HUBBUB_BLUESKY_HANDLE and HUBBUB_BLUESKY_APP_PASSWORD (Bluesky), or "
    "blog_feed in the workspace file (RSS)"
)
#: in plain (non-terminal) mode, progress lines per source at most this often
PLAIN_EVERY = 30.0


def _clock(when: datetime | None) -> str:
    return when.astimezone().strftime("%H:%M:%S") if when is not None else "-"


def status_line(status: SourceStatus) -> str:
    """One line for a source: state, counts, last batch, what comes next, last error."""
    parts = [
        f"{status.source}: {status.state}",
        f"{status.posts:,} posts",
        f"{status.mentions:,} mentions",
        f"last batch {_clock(status.last_batch)}",
    ]
    if status.state in ("waiting for lease", "stopped") and status.holder:
        parts.append(f"held by {status.holder}")
    if status.next_run is not None and status.state in ("idle", "backing off"):
        parts.append(f"next {_clock(status.next_run)}")
    if status.last_error:
        parts.append(f"last error: {status.last_error}")
    return ", ".join(parts)


def _table(statuses: dict[str, SourceStatus]) -> Table:
    table = Table(box=None, pad_edge=False, show_edge=False)
    for column in ("source", "state", "posts", "mentions", "last batch", "note"):
        table.add_column(column, justify="right" if column in ("posts", "mentions") else "left")
    for status in statuses.values():
        note = status.last_error or ""
        if status.state in ("waiting for lease", "stopped") and status.holder:
            note = f"held by {status.holder}"
        elif status.next_run is not None and status.state in ("idle", "backing off"):
            note = f"next {_clock(status.next_run)}" + (f"; {note}" if note else "")
        table.add_row(
            status.source,
            status.state,
            f"{status.posts:,}",
            f"{status.mentions:,}",
            _clock(status.last_batch),
            note,
            style="red" if status.state == "backing off" else None,
        )
    return table


class _Plain:
    """Status changes as log lines: on each change of state or error, progress at most
    every :data:`PLAIN_EVERY` seconds per source."""

    def __init__(self, emit: Callable[[str], None]) -> None:
        self.emit = emit
        self.shown: dict[str, tuple[str, str | None, float]] = {}
        self.lock = threading.Lock()

    def __call__(self, status: SourceStatus) -> None:
        with self.lock:
            state, error, at = self.shown.get(status.source, ("", None, 0.0))
            now = time.monotonic()
            changed = (status.state, status.last_error) != (state, error)
            if changed or now - at >= PLAIN_EVERY:
                self.shown[status.source] = (status.state, status.last_error, now)
                self.emit(status_line(status))


@contextmanager
def _signals(stop: threading.Event, say: Callable[[str], None]) -> Iterator[None]:
    """SIGINT / SIGTERM set ``stop``; a second one raises KeyboardInterrupt (forced)."""

    def handler(signum: int, frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        stop.set()
        say("stopping: finishing the batch in hand (press Ctrl-C again to force)")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _close(sources: Sequence[LiveSource]) -> None:
    for live in sources:
        close = getattr(live.source, "close", None)
        if callable(close):
            try:
                close()
            except Exception:  # closing a client at exit must not hide the real outcome
                logging.getLogger(__name__).debug("closing %s failed", live.source.name)


@app.command()
def listen(
    workspace: Annotated[
        Path | None,
        typer.Option("--workspace", "-w", help="The workspace file [default: hubbub.toml]."),
    ] = None,
    once: Annotated[
        bool,
        typer.Option("--once", help="Run each polled source once to caught-up, then exit."),
    ] = False,
    poll: Annotated[
        float | None,
        typer.Option("--poll", min=0.1, help="Seconds between polls of polled sources (RSS: 900)."),
    ] = None,
    lease: Annotated[
        float,
        typer.Option(
            "--lease",
            min=1.0,
            help="Seconds a source's lease lasts unless renewed (renewed every third).",
        ),
    ] = 30.0,
) -> None:
    """Run every configured source live into the store until stopped.

    X's filtered stream (with HUBBUB_X_BEARER_TOKEN), Mastodon and Bluesky (with their
    credentials) and the workspace's RSS feeds each run in their own thread; each
    batch is stored with its cursor, so a restart resumes where it stopped. Several
    listeners may share one database: each source runs in one of them at a time (a
    lease), and the others take over within a minute if it dies (hot standby).
    Ctrl-C or SIGTERM stops cleanly; a second Ctrl-C forces. --once runs each polled
    source once to caught-up and exits (for cron); streams are left out.

    Example: hubbub listen -w hubbub.toml
    """
    from hubbub.configure import effective_settings
    from hubbub.sources.registry import configured_sources
    from hubbub.store import Store
    from hubbub.store.streams import stored_workspace
    from hubbub.store.usage import StoreUsageMeter

    with handled():
        settings = get_settings()
        ws = load_workspace(workspace or settings.workspace_file)
        store = Store.open()
        sources: list[LiveSource] = []
        try:
            settings = effective_settings(store, settings)  # + credentials from Settings page
            with store.begin() as conn:
                _, ws = stored_workspace(conn, ws)
            sources = configured_sources(
                ws, settings, meters=lambda network: StoreUsageMeter(store, network)
            )
            if not sources:
                fail(NOTHING_CONFIGURED, BAD_INPUT)
            err = stderr()
            if once:
                for live in sources:
                    if live.poll_seconds is None:
                        err.print(
                            f"{live.source.name}: a stream never catches up; left out with --once",
                            markup=False,
                        )
                sources_run = [live for live in sources if live.poll_seconds is not None]
                if not sources_run:
                    fail("--once: every configured source is a stream; run without --once")
            else:
                sources_run = list(sources)
            if poll is not None:
                sources_run = [
                    dataclasses.replace(live, poll_seconds=poll)
                    if live.poll_seconds is not None
                    else live
                    for live in sources_run
                ]
            final = _run(store, ws, sources_run, once=once, lease=lease, settings=settings)
        finally:
            _close(sources)
            store.close()
        if once and any(s.last_error for s in final):
            raise typer.Exit(FAILED)


def _run(
    store: Store,
    ws: Workspace,
    sources: list[LiveSource],
    *,
    once: bool,
    lease: float,
    settings: Settings,
) -> list[SourceStatus]:
    """Run the listener with a live table on a terminal, plain lines otherwise."""
    from hubbub.alerts import AfterBatches

    # spikes are checked as batches land (at most every 15 minutes), so alerts go out
    # while listening; customers and fans come from ingest's default processor
    after_batch = AfterBatches(store, ws.slug, settings)
    stop = threading.Event()
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    terminal = console.is_terminal
    handler: logging.Handler
    if terminal:
        handler = RichHandler(console=console, show_path=False, markup=False)
    else:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    root = logging.getLogger("hubbub")
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(settings.log_level)
    log = logging.getLogger("hubbub.cli.listen")
    try:
        if terminal:
            statuses: dict[str, SourceStatus] = {
                live.source.name: SourceStatus(live.source.name, "starting") for live in sources
            }

            def remember(status: SourceStatus) -> None:
                statuses[status.source] = status

            with (
                Live(_table(statuses), console=console, refresh_per_second=4) as live_view,
                _signals(stop, lambda line: console.print(line, markup=False)),
            ):
                view_done = threading.Event()

                def redraw() -> None:
                    while not view_done.wait(0.25):
                        live_view.update(_table(dict(statuses)))

                painter = threading.Thread(target=redraw, daemon=True)
                painter.start()
                try:
                    final = run_listen(
                        store,
                        ws,
                        sources,
                        stop=stop,
                        on_status=remember,
                        once=once,
                        lease_seconds=lease,
                        after_batch=after_batch,
                    )
                finally:
                    view_done.set()
                    painter.join(1.0)
                live_view.update(_table({s.source: s for s in final}))
        else:
            log.info("listening for %s: %s", ws.slug, ", ".join(s.source.name for s in sources))
            plain = _Plain(log.info)
            with _signals(stop, log.info):
                final = run_listen(
                    store,
                    ws,
                    sources,
                    stop=stop,
                    on_status=plain,
                    once=once,
                    lease_seconds=lease,
                    after_batch=after_batch,
                )
    finally:
        root.removeHandler(handler)
        root.setLevel(old_level)
    return final
