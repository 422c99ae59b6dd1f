"""The backfill: archives cut into partitions, ``process()`` per partition on Dask.

The same :func:`hubbub.pipeline.process` the listener runs is called on each
partition's posts by :func:`run_partition`, on a Dask worker (or in this process,
``client=None``, which the benchmark uses as its baseline). Results go one of two
ways:

- the database: the worker sends the partition's posts and mentions back, and this
  (client) side writes them with :func:`hubbub.store.write_batch` in ONE transaction
  together with the partition's completion mark, a ``source_cursors`` row named
  ``backfill:<fingerprint>:<partition id>``. Only the client touches the database, so
  workers need no credentials and SQLite works too; a crash leaves every partition
  either wholly written and marked or unmarked, and an unmarked one is simply
  redone (every write is an upsert).
- Parquet (``out_dir``): the worker writes its partition's mentions itself, as it
  goes (one row group per batch, to a temporary name renamed at the end), so memory
  stays bounded by the batch; the client then drops a mark in ``out_dir/_done/``.

A partition with bad lines is written with its good posts but left unmarked, and its
``FILE:LINE: reason`` lines are reported: the other partitions finish, and the next
run redoes only the unmarked ones. At most ``2 x workers`` partitions are in flight,
so results waiting for the client never pile up.

Known difference from a single-process import: where the same post id occurs in
two partitions with different content, the partition written last wins (an import
keeps the later line). Archives with unique ids, the norm, store identically.
"""

from __future__ import annotations

import logging
import os
import resource
import socket
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from hubbub.model import Batch, Mention, Post, Workspace
from hubbub.pipeline import matcher_for, process
from hubbub.scale.partition import (
    DEFAULT_PARTITION_BYTES,
    Partition,
    PartitionError,
    plan,
    read_partition,
)
from hubbub.store import Store, write_batch
from hubbub.store.streams import stored_workspace
from hubbub.store.tables import source_cursors

if TYPE_CHECKING:
    from distributed import Client

__all__ = [
    "BackfillError",
    "BackfillReport",
    "PartitionResult",
    "backfill",
    "dask_client",
    "done_marks",
    "out_file",
    "run_partition",
]


class BackfillError(Exception):
    """The backfill cannot start (bad arguments, no scheduler); one line."""


@dataclass(slots=True)
class PartitionResult:
    """What one partition gave; ``posts_out``/``mentions_out`` only in database mode."""

    partition: Partition
    lines: int = 0
    posts: int = 0
    mentions: int = 0
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0
    peak_rss: int = 0  # bytes: the peak resident memory of the process that ran it
    worker: str = ""  # host:pid
    posts_out: list[Post] = field(default_factory=list)
    mentions_out: list[Mention] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass(slots=True)
class BackfillReport:
    """The whole run: counts, every error line, and each worker's peak memory."""

    partitions: int = 0
    skipped: int = 0  # marked done by an earlier run
    done: int = 0
    failed: int = 0
    lines: int = 0
    posts: int = 0
    mentions: int = 0
    errors: list[str] = field(default_factory=list)
    peak_rss: dict[str, int] = field(default_factory=dict)  # worker -> bytes
    elapsed: float = 0.0

    @property
    def posts_per_second(self) -> float:
        return self.posts / self.elapsed if self.elapsed > 0 else 0.0


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: KiB


def out_file(out_dir: Path, part: Partition) -> Path:
    """Where a partition's mentions go under ``out_dir``."""
    safe = part.id.replace("/", "_").replace("\\", "_")
    return out_dir / f"{Path(part.archive).name}-{part.fingerprint}-{safe}.parquet"


def _mark_file(out_dir: Path, part: Partition) -> Path:
    return out_dir / "_done" / out_file(out_dir, part).with_suffix(".done").name


def run_partition(
    part: Partition, workspace: Workspace, out_dir: str | None = None, batch_size: int = 500
) -> PartitionResult:
    """Read ``part``, run ``process()`` on each batch of its posts, keep or write the result.

    Runs on a Dask worker. With ``out_dir`` the mentions go to that partition's
    Parquet file (written whole or not at all); without, they come back in the result.
    """
    started = time.perf_counter()
    result = PartitionResult(part, worker=f"{socket.gethostname()}:{os.getpid()}")
    retrieved = datetime.now(UTC)
    writer: Any = None
    target = tmp = None
    if out_dir is not None:
        import pyarrow as pa  # type: ignore[import-untyped]
        import pyarrow.parquet as pq  # type: ignore[import-untyped]

        from hubbub.scale.columns import mention_record, mentions_schema

        target = out_file(Path(out_dir), part)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        writer = pq.ParquetWriter(tmp, mentions_schema())
    try:
        for piece in read_partition(part, retrieved, batch_size):
            found = process(piece.posts, workspace)
            result.lines += piece.lines
            result.posts += len(piece.posts)
            result.mentions += len(found)
            result.errors += piece.errors
            if writer is not None:
                if found:
                    rows = [mention_record(m) for m in found]
                    writer.write_table(pa.Table.from_pylist(rows, schema=mentions_schema()))
            else:
                result.posts_out += piece.posts
                result.mentions_out += found
        if writer is not None:
            writer.close()
            writer = None
            assert tmp is not None and target is not None
            tmp.replace(target)
    finally:
        if writer is not None:
            writer.close()
        if tmp is not None:
            with suppress(OSError):
                tmp.unlink()
    result.seconds = time.perf_counter() - started
    result.peak_rss = _peak_rss()
    return result


# --- the client side ----------------------------------------------------------------------


@contextmanager
def dask_client(address: str, workers: int = 2) -> Iterator[Client]:
    """A Dask client: ``"local"`` starts a LocalCluster of ``workers`` single-threaded
    processes on 127.0.0.1; ``tcp://host:port`` connects to a running scheduler.
    """
    from distributed import Client, LocalCluster

    if address == "local":
        if workers < 1:
            raise BackfillError("--workers must be at least 1")
        cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:  # type: ignore[no-untyped-call]
                yield client
        finally:
            cluster.close()
        return
    if "://" not in address:
        raise BackfillError(f"--dask {address!r}: expected 'local' or tcp://host:port")
    try:
        client = Client(address, timeout="10s")  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise BackfillError(f"cannot reach the Dask scheduler at {address}: {exc}") from None
    with client:
        yield client


def done_marks(store: Store, ws_id: int) -> set[str]:
    """The completion marks (``backfill:...`` source names) stored for the workspace."""
    with store.connect() as conn:
        rows = conn.execute(
            select(source_cursors.c.source).where(
                source_cursors.c.workspace_id == ws_id,
                source_cursors.c.source.like("backfill:%"),
            )
        )
        return {r[0] for r in rows}


def backfill(
    paths: Sequence[Path | str],
    workspace: Workspace,
    *,
    store: Store | None = None,
    out_dir: Path | None = None,
    client: Client | None = None,
    partition_bytes: int = DEFAULT_PARTITION_BYTES,
    on_plan: Callable[[int], None] | None = None,
    on_result: Callable[[PartitionResult], None] | None = None,
) -> BackfillReport:
    """Backfill ``paths`` into ``store`` or ``out_dir`` (exactly one), on ``client``'s workers.

    ``client=None`` runs every partition here, one after another. ``on_plan(n)`` is
    told how many partitions are left to do; ``on_result`` is called per partition
    done. Raises :class:`BackfillError` for bad arguments and
    :class:`~hubbub.query.QueryError` for a bad stream, before any work starts.
    """
    if (store is None) == (out_dir is None):
        raise BackfillError("give either a database or an output directory, not both")
    started = time.perf_counter()
    matcher_for(tuple(workspace.streams))  # a bad query fails here, not on every worker
    try:
        parts = plan(paths, partition_bytes)
    except PartitionError as exc:
        raise BackfillError(str(exc)) from None
    report = BackfillReport(partitions=len(parts))
    ws_id = 0
    if store is not None:
        with store.begin() as conn:
            # the stored streams, read once here and shipped to the workers
            ws_id, workspace = stored_workspace(conn, workspace)
        matcher_for(tuple(workspace.streams))
        marks = done_marks(store, ws_id)
        todo = [p for p in parts if p.source_name not in marks]
    else:
        assert out_dir is not None
        out_dir.mkdir(parents=True, exist_ok=True)
        todo = [p for p in parts if not _mark_file(out_dir, p).exists()]
    report.skipped = len(parts) - len(todo)
    if on_plan is not None:
        on_plan(len(todo))
    out = str(out_dir.resolve()) if out_dir is not None else None

    def finish(result: PartitionResult) -> None:
        if store is not None:
            batch = Batch(
                source=result.partition.source_name,
                posts=result.posts_out,
                cursor=None if result.errors else f"done: {result.lines} lines",
            )
            with store.begin() as conn:
                write_batch(conn, ws_id, batch, result.mentions_out)
            result.posts_out, result.mentions_out = [], []
        elif not result.errors:
            assert out_dir is not None
            mark = _mark_file(out_dir, result.partition)
            mark.parent.mkdir(parents=True, exist_ok=True)
            mark.write_text(f"{result.lines} lines\n", encoding="utf-8")
        _tally(report, result)
        if on_result is not None:
            on_result(result)

    if client is None:
        for part in todo:
            finish(run_partition(part, workspace, out))
    else:
        _run_on_dask(client, todo, workspace, out, finish, report)
    report.elapsed = time.perf_counter() - started
    return report


def _tally(report: BackfillReport, result: PartitionResult) -> None:
    report.lines += result.lines
    report.posts += result.posts
    report.mentions += result.mentions
    report.errors += result.errors
    if result.errors:
        report.failed += 1
    else:
        report.done += 1
    if result.worker:
        report.peak_rss[result.worker] = max(report.peak_rss.get(result.worker, 0), result.peak_rss)


def _run_on_dask(
    client: Client,
    todo: list[Partition],
    workspace: Workspace,
    out: str | None,
    finish: Callable[[PartitionResult], None],
    report: BackfillReport,
) -> None:
    from distributed import as_completed

    limit = max(2, 2 * sum(client.nthreads().values()))  # type: ignore[no-untyped-call]
    queue = list(reversed(todo))
    ws = client.scatter(workspace, broadcast=True)  # type: ignore[no-untyped-call]
    owner: dict[Any, Partition] = {}

    def submit() -> Any:
        part = queue.pop()
        future = client.submit(run_partition, part, ws, out, pure=False)
        owner[future.key] = part
        return future

    running = as_completed([submit() for _ in range(min(limit, len(queue)))])  # type: ignore[no-untyped-call]
    for future in running:
        part = owner.pop(future.key)
        try:
            result = future.result()
        except Exception as exc:  # the task raised, or its worker died (KilledWorker)
            message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            result = PartitionResult(part, errors=[f"{part.label}: failed: {message}"])
        finally:
            future.release()
        finish(result)
        if queue:
            running.add(submit())  # type: ignore[no-untyped-call]
    if owner:  # cannot happen unless as_completed lost a future; say so rather than hide it
        report.errors += [f"{p.label}: never finished" for p in owner.values()]
        report.failed += len(owner)
