"""Source leases on SQLite and PostgreSQL: acquire, renew, expire, take over, fenced writes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Connection

from hubbub.listen import ingest
from hubbub.model import Batch
from hubbub.store import Store, get_cursor, upsert_workspace
from hubbub.store.leases import (
    LeaseLost,
    acquire,
    fence,
    get_lease,
    list_leases,
    release,
    renew,
)
from tests.store.helpers import count, make_post, make_workspace, match_streams

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
A, B = "host-a:1:aaaa", "host-b:2:bbbb"


@pytest.fixture
def ws_id(store: Store) -> int:
    with store.begin() as conn:
        return upsert_workspace(conn, make_workspace())


def _acquire(store: Store, ws_id: int, holder: str, at: datetime, ttl: float = 30) -> bool:
    with store.begin() as conn:
        return acquire(conn, ws_id, "rss", holder, ttl, now=at)


def _renew(store: Store, ws_id: int, holder: str, at: datetime, ttl: float = 30) -> bool:
    with store.begin() as conn:
        return renew(conn, ws_id, "rss", holder, ttl, now=at)


def test_acquire_a_free_lease_then_others_are_refused_until_it_expires(
    store: Store, ws_id: int
) -> None:
    assert _acquire(store, ws_id, A, T0)
    assert not _acquire(store, ws_id, B, T0 + timedelta(seconds=10))
    assert not _acquire(store, ws_id, B, T0 + timedelta(seconds=30))  # not expired: at the edge
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "rss")
    assert lease is not None
    assert (lease.holder, lease.acquired, lease.expires) == (A, T0, T0 + timedelta(seconds=30))
    assert _acquire(store, ws_id, B, T0 + timedelta(seconds=31))  # expired: taken over
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "rss")
    assert lease is not None
    assert lease.holder == B
    assert lease.acquired == T0 + timedelta(seconds=31)
    assert lease.expires == T0 + timedelta(seconds=61)


def test_renew_extends_only_the_holders_lease(store: Store, ws_id: int) -> None:
    assert _acquire(store, ws_id, A, T0)
    assert _renew(store, ws_id, A, T0 + timedelta(seconds=20))
    # renewed at +20 to +50: still A's at +45
    assert not _acquire(store, ws_id, B, T0 + timedelta(seconds=45))
    assert not _renew(store, ws_id, B, T0 + timedelta(seconds=45))
    # re-acquiring one's own lease renews it and keeps when it was first acquired
    assert _acquire(store, ws_id, A, T0 + timedelta(seconds=46))
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "rss")
    assert lease is not None
    assert (lease.acquired, lease.expires) == (T0, T0 + timedelta(seconds=76))


def test_an_expired_lease_nobody_took_is_still_renewable(store: Store, ws_id: int) -> None:
    assert _acquire(store, ws_id, A, T0)
    assert _renew(store, ws_id, A, T0 + timedelta(minutes=5))
    assert not _acquire(store, ws_id, B, T0 + timedelta(minutes=5, seconds=29))


def test_after_a_take_over_the_old_holder_can_neither_renew_nor_release(
    store: Store, ws_id: int
) -> None:
    assert _acquire(store, ws_id, A, T0)
    assert _acquire(store, ws_id, B, T0 + timedelta(seconds=40))
    assert not _renew(store, ws_id, A, T0 + timedelta(seconds=41))
    with store.begin() as conn:
        assert not release(conn, ws_id, "rss", A)
    with store.connect() as conn:
        assert [lease.holder for lease in list_leases(conn, ws_id)] == [B]
    with store.begin() as conn:
        assert release(conn, ws_id, "rss", B)
    with store.connect() as conn:
        assert list_leases(conn, ws_id) == []
    assert _acquire(store, ws_id, A, T0 + timedelta(seconds=42))  # free again


def test_leases_are_per_source_and_workspace(store: Store, ws_id: int) -> None:
    with store.begin() as conn:
        other_ws = upsert_workspace(conn, make_workspace("other"))
        assert acquire(conn, ws_id, "rss", A, now=T0)
        assert acquire(conn, ws_id, "x:stream", B, now=T0)
        assert acquire(conn, other_ws, "rss", B, now=T0)
    with store.connect() as conn:
        held = [(lease.source, lease.holder) for lease in list_leases(conn, ws_id)]
    assert held == [("rss", A), ("x:stream", B)]


def test_a_ttl_must_be_positive(store: Store, ws_id: int) -> None:
    with store.begin() as conn, pytest.raises(ValueError, match="positive"):
        acquire(conn, ws_id, "rss", A, 0)


class _Pages:
    """Two batches (cursor "1", "2"); between them another listener takes the lease over."""

    name = "rss"

    def __init__(self, on_first: Callable[[], None]) -> None:
        self.on_first = on_first

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        yield Batch("rss", [make_post(i) for i in range(5)], "1")
        self.on_first()
        yield Batch("rss", [make_post(i) for i in range(5, 10)], "2")


def test_a_fenced_batch_commit_is_refused_after_a_take_over(store: Store, ws_id: int) -> None:
    """A listener paused past its lease wakes up with a batch in hand: it must not commit."""
    now = datetime.now(UTC)
    assert _acquire(store, ws_id, A, now, ttl=30)

    def taken_over() -> None:  # B, a minute later (A was stalled), takes over
        assert _acquire(store, ws_id, B, now + timedelta(seconds=60))

    def fenced(conn: Connection) -> None:
        fence(conn, ws_id, "rss", A, 30)

    src = _Pages(taken_over)
    with pytest.raises(LeaseLost, match=B):
        ingest(store, make_workspace(), src, processor=match_streams, fence=fenced)
    # the first batch was A's to commit; the second rolled back whole, cursor included
    assert count(store, "posts") == 5
    with store.connect() as conn:
        assert get_cursor(conn, ws_id, "rss") == "1"
        lease = get_lease(conn, ws_id, "rss")
    assert lease is not None
    assert lease.holder == B


def test_a_fenced_commit_renews_the_lease(store: Store, ws_id: int) -> None:
    assert _acquire(store, ws_id, A, T0)
    later = T0 + timedelta(seconds=29)
    with store.begin() as conn:
        fence(conn, ws_id, "rss", A, 30, now=later)
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "rss")
    assert lease is not None
    assert lease.expires == later + timedelta(seconds=30)


def test_a_take_over_waits_for_a_fenced_transaction_and_then_sees_it_renewed(
    store: Store, ws_id: int
) -> None:
    """The fence and a take-over cannot interleave: the take-over waits for the commit."""
    assert _acquire(store, ws_id, A, T0, ttl=30)
    outcome: list[bool] = []
    started = threading.Event()

    def take_over() -> None:
        started.set()
        outcome.append(_acquire(store, ws_id, B, T0 + timedelta(seconds=40)))

    with store.begin() as conn:
        fence(conn, ws_id, "rss", A, 30, now=T0 + timedelta(seconds=29))  # to +59
        thread = threading.Thread(target=take_over)
        thread.start()
        started.wait(5)
        time.sleep(0.3)  # B is now blocked on A's transaction (row lock / write lock)
        assert outcome == []
    thread.join(10)
    assert outcome == [False]  # at +40 the renewed lease (to +59) was not expired


def test_racing_acquirers_of_an_expired_lease_have_one_winner(store: Store, ws_id: int) -> None:
    assert _acquire(store, ws_id, A, T0, ttl=30)
    holders = [f"host-{n}:{n}:x" for n in range(6)]
    wins: list[str] = []
    barrier = threading.Barrier(len(holders))

    def race(holder: str) -> None:
        barrier.wait(5)
        if _acquire(store, ws_id, holder, T0 + timedelta(seconds=31)):
            wins.append(holder)

    threads = [threading.Thread(target=race, args=(h,)) for h in holders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(20)
    assert len(wins) == 1
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "rss")
    assert lease is not None
    assert lease.holder == wins[0]
