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
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hubbub.inbox import triage
from hubbub.model import Mention, Post, Workspace
from hubbub.sources.base import Source
from hubbub.store import Store, WriteResult, get_cursor, upsert_workspace, write_batch

__all__ = ["IngestReport", "Processor", "ingest"]

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


def _default_processor() -> Processor:
    from hubbub.pipeline import process  # lazy: listen must import without the pipeline

    return process


def ingest(
    store: Store,
    workspace: Workspace,
    source: Source,
    *,
    processor: Processor | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestReport:
    """Read ``source`` from its stored cursor into ``store`` for ``workspace``.

    ``processor(posts, workspace)`` turns each batch's posts into mentions (default
    :func:`hubbub.pipeline.process`); ``progress(n)`` is called with the number of
    posts after each committed batch. Exceptions propagate after the batch in hand
    has been rolled back.
    """
    process = processor if processor is not None else _default_processor()
    started = time.perf_counter()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, workspace)
        cursor = get_cursor(conn, ws_id, source.name)
    total = WriteResult()
    batches = 0
    for batch in source.batches(cursor):
        if batch.source != source.name:
            batch = dataclasses.replace(batch, source=source.name)
        found = process(batch.posts, workspace)
        with store.begin() as conn:
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
