"""Source leases: at most one ``hubbub listen`` process runs a workspace's source at a time.

Several listeners may share one database (a hot standby, or one per machine). Each
(workspace, source) has at most one row in ``source_leases``: the holder
(``host:pid:token``, unique per process run) and when the lease expires. A holder
renews every few seconds; another listener can take the row over only once it has
expired, so a killed listener's sources move to a standby within one TTL.

Expiry alone cannot stop a listener that was paused (a stopped VM, a long GC, a
SIGSTOP) from waking up and committing a batch after its lease was taken over.
That is what :func:`fence` is for: the runner calls it inside each batch's write
transaction, and it renews the lease *only if the holder is still this process*
(``UPDATE ... WHERE holder = me``). If another holder took over, it raises
:class:`LeaseLost` and the whole batch rolls back. Because the check is a write on
the lease row in the same transaction, the two cannot interleave: on SQLite the
transaction holds the database's write lock from ``BEGIN IMMEDIATE``; on PostgreSQL
the fenced ``UPDATE`` locks the row until commit, and a concurrent take-over's
``ON CONFLICT DO UPDATE ... WHERE expires < now`` waits for it and then sees the
renewed expiry. Row leases rather than PostgreSQL advisory locks so that the same
code works on both databases and survives a dropped connection the same way.

Times are the caller's clock (``now``); hosts whose clocks disagree by more than a
few seconds take over earlier or later than the TTL says, but the fence does not
depend on clocks: it compares holders.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Row, case, delete, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hubbub.store.tables import source_leases

__all__ = [
    "DEFAULT_TTL",
    "Lease",
    "LeaseLost",
    "acquire",
    "fence",
    "get_lease",
    "list_leases",
    "release",
    "renew",
]

#: seconds a lease lasts unless renewed (the listener renews every third of it)
DEFAULT_TTL = 30.0


class LeaseLost(Exception):
    """Another listener holds the source's lease now; the write in hand must not commit."""


@dataclass(frozen=True, slots=True)
class Lease:
    """Who runs a workspace's source, since when and until when (unless renewed)."""

    workspace_id: int
    source: str
    holder: str
    acquired: datetime
    expires: datetime


def _now(now: datetime | None) -> datetime:
    return now if now is not None else datetime.now(UTC)


def _check_ttl(ttl: float) -> timedelta:
    if ttl <= 0:
        raise ValueError(f"a lease's ttl must be positive, got {ttl!r}")
    return timedelta(seconds=ttl)


def acquire(
    conn: Connection,
    workspace_id: int,
    source: str,
    holder: str,
    ttl: float = DEFAULT_TTL,
    *,
    now: datetime | None = None,
) -> bool:
    """Take the lease on ``source`` for ``holder`` if it is free, expired or already ours.

    One atomic ``INSERT ... ON CONFLICT DO UPDATE ... WHERE`` (expired or ours), so two
    listeners racing for a free or expired lease cannot both win. Returns whether
    ``holder`` holds it now (its expiry moved to ``now + ttl``).
    """
    when = _now(now)
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(source_leases).values(
        workspace_id=workspace_id,
        source=source,
        holder=holder,
        acquired=when,
        expires=when + _check_ttl(ttl),
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[source_leases.c.workspace_id, source_leases.c.source],
        set_={
            "holder": stmt.excluded.holder,
            "acquired": case(
                (source_leases.c.holder == stmt.excluded.holder, source_leases.c.acquired),
                else_=stmt.excluded.acquired,
            ),
            "expires": stmt.excluded.expires,
        },
        where=or_(source_leases.c.expires < when, source_leases.c.holder == holder),
    )
    conn.execute(stmt)
    current = get_lease(conn, workspace_id, source)
    return current is not None and current.holder == holder


def renew(
    conn: Connection,
    workspace_id: int,
    source: str,
    holder: str,
    ttl: float = DEFAULT_TTL,
    *,
    now: datetime | None = None,
) -> bool:
    """Extend ``holder``'s lease to ``now + ttl``; False when it is not ``holder``'s any more.

    A lease that expired but that nobody took over is still ``holder``'s and is renewed.
    """
    result = conn.execute(
        update(source_leases)
        .where(
            source_leases.c.workspace_id == workspace_id,
            source_leases.c.source == source,
            source_leases.c.holder == holder,
        )
        .values(expires=_now(now) + _check_ttl(ttl))
    )
    return result.rowcount == 1


def fence(
    conn: Connection,
    workspace_id: int,
    source: str,
    holder: str,
    ttl: float = DEFAULT_TTL,
    *,
    now: datetime | None = None,
) -> None:
    """Inside a write transaction: renew the lease or raise :class:`LeaseLost`.

    Raising rolls back everything the transaction wrote, which is the point: a batch
    is committed only by the process that holds its source's lease at commit time.
    """
    if not renew(conn, workspace_id, source, holder, ttl, now=now):
        current = get_lease(conn, workspace_id, source)
        other = current.holder if current is not None else "nobody"
        raise LeaseLost(f"{source}: the lease is held by {other} now, not {holder}")


def release(conn: Connection, workspace_id: int, source: str, holder: str) -> bool:
    """Give the lease up (only ``holder``'s own); True when there was one to give up."""
    result = conn.execute(
        delete(source_leases).where(
            source_leases.c.workspace_id == workspace_id,
            source_leases.c.source == source,
            source_leases.c.holder == holder,
        )
    )
    return result.rowcount == 1


def _lease(row: Row[Any]) -> Lease:
    return Lease(int(row.workspace_id), str(row.source), str(row.holder), row.acquired, row.expires)


def get_lease(conn: Connection, workspace_id: int, source: str) -> Lease | None:
    """The row of ``source``'s lease (possibly expired), or ``None`` when nobody has it."""
    row = conn.execute(
        select(source_leases).where(
            source_leases.c.workspace_id == workspace_id, source_leases.c.source == source
        )
    ).first()
    return None if row is None else _lease(row)


def list_leases(conn: Connection, workspace_id: int) -> list[Lease]:
    """Every lease row of the workspace (expired ones too), by source."""
    rows = conn.execute(
        select(source_leases)
        .where(source_leases.c.workspace_id == workspace_id)
        .order_by(source_leases.c.source)
    )
    return [_lease(row) for row in rows]
