"""Metered API usage: posts read and written per network and calendar month.

X bills per post read and per post written, so the count must survive restarts and
be shared by every process that talks to X (a backfill and a listener at once).
Each increment is its own small upsert (``reads = reads + n``), committed at once:
a post read is billed whether or not its batch is stored later, so the count is
recorded when the response arrives, not with the batch.

:class:`StoreUsageMeter` implements the ``UsageMeter`` protocol of
:mod:`hubbub.sources.x.usage` structurally; this module does not import sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from hubbub.store.engine import Store
from hubbub.store.tables import api_usage

__all__ = ["MonthUsage", "StoreUsageMeter", "add_usage", "get_usage", "month_of"]


@dataclass(frozen=True, slots=True)
class MonthUsage:
    """One network's counts for one calendar month."""

    network: str
    month: str  # "YYYY-MM", UTC
    reads: int = 0
    writes: int = 0


def month_of(when: datetime) -> str:
    """The calendar month (UTC) of ``when`` as ``"YYYY-MM"``."""
    return when.astimezone(UTC).strftime("%Y-%m")


def add_usage(conn: Connection, network: str, month: str, reads: int = 0, writes: int = 0) -> None:
    """Add ``reads`` and ``writes`` to the month's counts (an upsert that adds)."""
    if reads < 0 or writes < 0:
        raise ValueError("usage counts only grow")
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    stmt = insert(api_usage).values(
        network=network, month=month, reads=reads, writes=writes, updated=datetime.now(UTC)
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=[api_usage.c.network, api_usage.c.month],
        set_={
            "reads": api_usage.c.reads + stmt.excluded.reads,
            "writes": api_usage.c.writes + stmt.excluded.writes,
            "updated": stmt.excluded.updated,
        },
    )
    conn.execute(stmt)


def get_usage(conn: Connection, network: str, month: str) -> MonthUsage:
    """The month's counts (zero when nothing was recorded)."""
    row = conn.execute(
        select(api_usage.c.reads, api_usage.c.writes).where(
            api_usage.c.network == network, api_usage.c.month == month
        )
    ).first()
    if row is None:
        return MonthUsage(network, month)
    return MonthUsage(network, month, int(row.reads), int(row.writes))


class StoreUsageMeter:
    """A usage meter that keeps its counts in the store's ``api_usage`` table."""

    def __init__(self, store: Store, network: str = "x") -> None:
        self.store = store
        self.network = network

    def add(self, month: str, reads: int = 0, writes: int = 0) -> None:
        if reads or writes:
            with self.store.begin() as conn:
                add_usage(conn, self.network, month, reads, writes)

    def usage(self, month: str) -> tuple[int, int]:
        with self.store.connect() as conn:
            found = get_usage(conn, self.network, month)
        return found.reads, found.writes
