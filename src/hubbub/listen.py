"""The runner: a source's batches through ``process()`` into the store.

For each batch the source yields, the pipeline runs first (pure, outside any
transaction, so the database is never locked while insight is computed), then the
batch's accounts, posts, mentions and the source's new cursor are written in ONE
transaction. That is the whole crash-safety argument: an exception from the
source, the processor or the writer rolls back at most the batch in hand, the
stored cursor still points after the last committed batch, and because every
write is an upsert a re-run resumes with nothing lost and nothing stored twice.

The cursor is kept under ``source.name`` (the stable name the Source protocol
promises); a batch whose own ``source`` label differs is stored under that name too,
so reading and writing the cursor always agree.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from sqlalchemy import Connection

from hubbub.inbox import triage
from hubbub.model import Batch, Mention, Post, Workspace
from hubbub.sources.base import Source
from hubbub.sources.registry import LiveSource
from hubbub.store import Store, WriteResult, get_cursor, leases, upsert_workspace, write_batch
from hubbub.store.streams import stored_workspace

__all__ = [
    "IngestReport",
    "Processor",
    "SourceState",
    "SourceStatus",
    "default_holder",
    "ingest",
    "listen",
]

Processor = Callable[[Sequence[Post], Workspace], Sequence[Mention]]


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What one :func:`ingest` run stored (the sum of its batches' writes)."""

    workspace: str
    source: str
    batches: int
    posts_seen: int
    posts_new: int
    mentions_new: int
    accounts_seen: int
    followers_new: int
    elapsed: float  # seconds
    cursor: str | None  # the cursor committed last (where the next run resumes)

    @property
    def posts_per_second(self) -> float:
        return self.posts_seen / self.elapsed if self.elapsed > 0 else 0.0


def _default_processor(store: Store) -> Processor:
    """The pipeline with the batch authors' stored history, so repeat customers and
    fans are known at ingest (:mod:`hubbub.relationships`)."""
    from hubbub.relationships import remembering  # lazy: listen imports without the pipeline

    return remembering(store)


def ingest(
    store: Store,
    workspace: Workspace,
    source: Source,
    *,
    processor: Processor | None = None,
    progress: Callable[[int], None] | None = None,
    fence: Callable[[Connection], None] | None = None,
) -> IngestReport:
    """Read ``source`` from its stored cursor into ``store`` for ``workspace``.

    ``processor(posts, workspace)`` turns each batch's posts into mentions (default
    :func:`hubbub.pipeline.process` given the authors' history from the store);
    ``progress(n)`` is called with the number of posts after each committed batch.
    ``fence(conn)`` is called first inside each batch's write transaction and may
    raise to refuse the commit (the live runner checks there that this process still
    holds the source's lease). Exceptions propagate after the batch in hand has been
    rolled back.
    """
    process = processor if processor is not None else _default_processor(store)
    started = time.perf_counter()
    with store.begin() as conn:
        ws_id, workspace = stored_workspace(conn, workspace)
        cursor = get_cursor(conn, ws_id, source.name)
    total = WriteResult()
    batches = 0
    for batch in source.batches(cursor):
        if batch.source != source.name:
            batch = dataclasses.replace(batch, source=source.name)
        found = process(batch.posts, workspace)
        with store.begin() as conn:
            if fence is not None:
                fence(conn)
            total += write_batch(conn, ws_id, batch, found)
            if found:  # the inbox sees the batch in the same transaction
                times = [p.created for p in batch.posts]
                triage(conn, ws_id, since=min(times), until=max(times))
        batches += 1
        if batch.cursor is not None:
            cursor = batch.cursor
        if progress is not None:
            progress(len(batch.posts))
    return IngestReport(
        workspace=workspace.slug,
        source=source.name,
        batches=batches,
        posts_seen=total.posts_seen,
        posts_new=total.posts_new,
        mentions_new=total.mentions_new,
        accounts_seen=total.accounts_seen,
        followers_new=total.followers_new,
        elapsed=time.perf_counter() - started,
        cursor=cursor,
    )


# --- the live runner: every configured source in its own thread, under a lease ---------
#
# ``hubbub listen`` runs each LiveSource in a thread of its own. A thread first takes
# its source's lease (store/leases.py); while another listener holds it, the thread
# waits and retries, so a second listener is a hot standby. Holding the lease, it runs
# ingest(): a stream until stopped, a polled source once to caught-up and again every
# poll_seconds. One keeper thread renews every held lease; each batch commit is fenced
# (the lease is checked and renewed in the batch's own transaction), so a listener
# that was paused past its lease's expiry cannot commit once another took over. An
# error backs the one source off (exponentially, capped) and leaves the others alone.
# On stop, a source finishes and commits the batch in hand, then its lease is released.
# A source that blocks in a network read sees the stop through its own
# ``stop: threading.Event`` attribute when it has one (the X filtered stream checks
# it on every line and keep-alive, and a stalled read times out).

log = logging.getLogger(__name__)

SourceState = Literal["starting", "waiting for lease", "running", "idle", "backing off", "stopped"]


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """One source as the listener runs it (what the status line shows)."""

    source: str
    state: SourceState
    posts: int = 0  # posts stored by this listener since it started
    mentions: int = 0  # mentions found in them
    batches: int = 0
    last_batch: datetime | None = None  # when the last batch was committed
    last_error: str | None = None  # one line; kept after recovering, for the record
    next_run: datetime | None = None  # idle / backing off: when it runs again
    holder: str | None = None  # waiting for lease: who holds it


def default_holder() -> str:
    """``host:pid:token``: unique per listener run, readable in the leases table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


def _stream_stop(source: Source) -> threading.Event | None:
    """The source's own stop event, for sources that block in network reads."""
    event = getattr(source, "stop", None)
    return event if isinstance(event, threading.Event) else None


class _Stoppable:
    """``source`` whose batches end after the batch in hand once ``done()`` says so."""

    def __init__(self, source: Source, done: Callable[[], bool]) -> None:
        self.source = source
        self.name = source.name
        self.done = done
        self.current: Iterator[Batch] | None = None

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        self.current = self._run(cursor)
        return self.current

    def _run(self, cursor: str | None) -> Iterator[Batch]:
        inner = self.source.batches(cursor)
        try:
            if self.done():
                return
            for batch in inner:
                yield batch  # ingest commits it before asking for the next
                if self.done():
                    return
        finally:
            close = getattr(inner, "close", None)
            if close is not None:
                close()  # a stream's finally closes its connection

    def close(self) -> None:
        """Close the generator ingest left (it is suspended after an exception)."""
        if self.current is not None:
            close = getattr(self.current, "close", None)
            if close is not None:
                close()
            self.current = None


@dataclass
class _Context:
    store: Store
    workspace: Workspace
    ws_id: int
    holder: str
    stop: threading.Event
    once: bool
    ttl: float
    retry_seconds: float
    backoff_first: float
    backoff_max: float
    process: Processor
    on_status: Callable[[SourceStatus], None] | None
    after_batch: Callable[[int], None] | None = None


class _Worker:
    """One source's thread: lease, ingest, poll or restart, back off on errors."""

    def __init__(self, live: LiveSource, ctx: _Context) -> None:
        self.live = live
        self.ctx = ctx
        self.name = live.source.name
        self.status = SourceStatus(self.name, "starting")
        self.held = False
        self.lost = threading.Event()  # set by the keeper when a renewal is refused
        self._lock = threading.Lock()

    # --- status ---------------------------------------------------------------------

    def _set(self, **changes: object) -> None:
        with self._lock:
            self.status = dataclasses.replace(self.status, **changes)  # type: ignore[arg-type]
            status = self.status
        if self.ctx.on_status is not None:
            try:
                self.ctx.on_status(status)
            except Exception:  # a display must never stop a source
                log.exception("listen: status callback failed")

    # --- the loop -------------------------------------------------------------------

    def run(self) -> None:
        try:
            self._loop()
        except BaseException as exc:  # not expected: the loop catches what sources raise
            log.exception("listen: %s: runner failed", self.name)
            self._set(last_error=_one_line(exc))
        finally:
            self._release()
            self._set(state="stopped", next_run=None)

    def _loop(self) -> None:
        ctx = self.ctx
        failures = 0
        while not ctx.stop.is_set():
            before = self.status.batches
            try:
                other = self._take()
                if other is not None:
                    self._set(state="waiting for lease", holder=other, next_run=None)
                    if ctx.once:
                        return  # another listener runs it: nothing to do once
                    ctx.stop.wait(ctx.retry_seconds)
                    continue
                self._set(state="running", holder=None, next_run=None)
                try:
                    self._ingest()
                finally:
                    self._problems()
                failures = 0
            except leases.LeaseLost as exc:
                self.held = False
                log.warning("listen: %s", exc)
                self._set(state="waiting for lease", last_error=_one_line(exc))
                if ctx.once:
                    return
                continue
            except Exception as exc:
                if self.status.batches > before:
                    failures = 0  # it ran a while: start the backoff over
                failures += 1
                delay = min(ctx.backoff_max, ctx.backoff_first * 2 ** (failures - 1))
                log.warning("listen: %s: %s; retrying in %.0f s", self.name, exc, delay)
                self._set(
                    state="backing off",
                    last_error=_one_line(exc),
                    next_run=datetime.now(UTC) + timedelta(seconds=delay),
                )
                if ctx.once:
                    return
                ctx.stop.wait(delay)
                continue
            if self.lost.is_set():
                self.held = False
                self._set(state="waiting for lease", last_error="the lease was taken over")
                continue
            if ctx.once:
                return
            if self.live.poll_seconds is None:  # a stream ended by itself: start it again
                ctx.stop.wait(min(ctx.backoff_first, 1.0))
                continue
            wake = datetime.now(UTC) + timedelta(seconds=self.live.poll_seconds)
            self._set(state="idle", next_run=wake)
            ctx.stop.wait(self.live.poll_seconds)

    def _take(self) -> str | None:
        """Acquire (or renew) the lease; None when held, else who holds it."""
        ctx = self.ctx
        with ctx.store.begin() as conn:
            if leases.acquire(conn, ctx.ws_id, self.name, ctx.holder, ctx.ttl):
                self.held = True
                self.lost.clear()
                return None
            current = leases.get_lease(conn, ctx.ws_id, self.name)
        self.held = False
        return current.holder if current is not None else "another listener"

    def _ingest(self) -> None:
        ctx = self.ctx
        source = self.live.source
        own_stop = _stream_stop(source)
        if own_stop is not None:
            own_stop.clear()
        found: list[int] = [0]

        def process(posts: Sequence[Post], workspace: Workspace) -> Sequence[Mention]:
            mentions = ctx.process(posts, workspace)
            found[0] = len(mentions)
            return mentions

        def progress(n: int) -> None:  # called after the batch committed
            self._set(
                posts=self.status.posts + n,
                mentions=self.status.mentions + found[0],
                batches=self.status.batches + 1,
                last_batch=datetime.now(UTC),
            )
            if ctx.after_batch is not None:
                ctx.after_batch(n)

        def fence(conn: Connection) -> None:
            leases.fence(conn, ctx.ws_id, self.name, ctx.holder, ctx.ttl)

        wrapped = _Stoppable(source, lambda: ctx.stop.is_set() or self.lost.is_set())
        try:
            ingest(
                ctx.store, ctx.workspace, wrapped, processor=process, progress=progress, fence=fence
            )
        finally:
            wrapped.close()

    def _problems(self) -> None:
        """Lines a source kept about what it skipped (a feed down) become the last error."""
        problems = getattr(self.live.source, "problems", None)
        if isinstance(problems, list) and problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            self._set(last_error=f"{problems[-1]}{more}"[:300])
            problems.clear()  # read once; a long-running listener must not grow it

    def renew(self) -> None:
        """From the keeper thread: extend the lease, or stop the source if it was lost."""
        if not self.held:
            return
        ctx = self.ctx
        try:
            with ctx.store.begin() as conn:
                kept = leases.renew(conn, ctx.ws_id, self.name, ctx.holder, ctx.ttl)
        except Exception as exc:  # the fence still protects the next commit
            log.warning("listen: %s: could not renew the lease: %s", self.name, exc)
            return
        if not kept:
            log.warning("listen: %s: the lease was taken over; stopping this source", self.name)
            self.held = False
            self.lost.set()
            own_stop = _stream_stop(self.live.source)
            if own_stop is not None:
                own_stop.set()

    def _release(self) -> None:
        if not self.held:
            return
        ctx = self.ctx
        try:
            with ctx.store.begin() as conn:
                leases.release(conn, ctx.ws_id, self.name, ctx.holder)
        except Exception as exc:  # it expires by itself within the TTL
            log.warning("listen: %s: could not release the lease: %s", self.name, exc)
        self.held = False


def listen(
    store: Store,
    workspace: Workspace,
    live_sources: Sequence[LiveSource],
    *,
    stop: threading.Event,
    holder: str | None = None,
    on_status: Callable[[SourceStatus], None] | None = None,
    once: bool = False,
    lease_seconds: float = leases.DEFAULT_TTL,
    renew_seconds: float | None = None,
    backoff_first: float = 1.0,
    backoff_max: float = 300.0,
    processor: Processor | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> list[SourceStatus]:
    """Run every live source for ``workspace`` until ``stop`` is set; their final statuses.

    Each source runs in its own thread under a lease held by ``holder`` (default
    :func:`default_holder`), renewed every ``renew_seconds`` (a third of
    ``lease_seconds``); while another listener holds it the thread retries as often.
    ``on_status`` is called (from the source's thread) with every change of a
    source's :class:`SourceStatus`; ``after_batch(n)`` after each committed batch of
    ``n`` posts (the spike check of :class:`hubbub.alerts.AfterBatches`). With
    ``once`` each source runs once to caught-up (an error or a lease held elsewhere
    ends it too) and the call returns when all have; a stream source never catches
    up, so leave streams out for ``once``.
    """
    names = [live.source.name for live in live_sources]
    if len(set(names)) != len(names):
        raise ValueError(f"two live sources share a name: {sorted(names)}")
    renew_every = renew_seconds if renew_seconds is not None else lease_seconds / 3
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, workspace)
    ctx = _Context(
        store=store,
        workspace=workspace,
        ws_id=ws_id,
        holder=holder or default_holder(),
        stop=stop,
        once=once,
        ttl=lease_seconds,
        retry_seconds=renew_every,
        backoff_first=backoff_first,
        backoff_max=backoff_max,
        process=processor if processor is not None else _default_processor(store),
        on_status=on_status,
        after_batch=after_batch,
    )
    workers = [_Worker(live, ctx) for live in live_sources]
    finished = threading.Event()

    def keep() -> None:
        while not finished.wait(renew_every):
            for worker in workers:
                worker.renew()

    keeper = threading.Thread(target=keep, name="hubbub-lease-keeper", daemon=True)
    threads = [
        threading.Thread(target=w.run, name=f"hubbub-listen-{w.name}", daemon=True) for w in workers
    ]
    keeper.start()
    for thread in threads:
        thread.start()
    try:
        while any(t.is_alive() for t in threads):
            if stop.is_set():  # reach sources blocked in a read
                for worker in workers:
                    own_stop = _stream_stop(worker.live.source)
                    if own_stop is not None:
                        own_stop.set()
            for thread in threads:
                thread.join(0.2)
    except BaseException:  # Ctrl-C a second time, say: let the threads know too
        stop.set()
        raise
    finally:
        finished.set()
    return [w.status for w in workers]
