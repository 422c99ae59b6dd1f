"""api_usage: monthly counts that add up across calls, months and processes' meters."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub.sources.x.usage import Budget, CapReached
from hubbub.store import Store
from hubbub.store.usage import StoreUsageMeter, add_usage, get_usage, month_of


def test_counts_add_up_per_network_and_month(store: Store) -> None:
    with store.begin() as conn:
        add_usage(conn, "x", "2026-11", reads=100)
        add_usage(conn, "x", "2026-11", reads=50, writes=2)
        add_usage(conn, "x", "2026-12", reads=7)
        add_usage(conn, "bluesky", "2026-11", reads=1)
    with store.connect() as conn:
        nov = get_usage(conn, "x", "2026-11")
        assert (nov.reads, nov.writes) == (150, 2)
        assert get_usage(conn, "x", "2026-12").reads == 7
        assert get_usage(conn, "x", "2027-01").reads == 0
    with store.begin() as conn, pytest.raises(ValueError):
        add_usage(conn, "x", "2026-11", reads=-1)


def test_two_meters_on_one_store_share_the_cap(store: Store) -> None:
    now = datetime(2026, 11, 25, 23, 59, tzinfo=UTC)
    first = Budget(StoreUsageMeter(store), read_cap=120, now=lambda: now)
    second = Budget(StoreUsageMeter(store), read_cap=120, now=lambda: now)
    first.record(reads=100, writes=1)
    second.record(reads=10)
    assert second.remaining_reads() == 10
    assert second.summary() == (
        "X usage in 2026-11: 110 posts read of a 120 cap, 1 written, about $0.56"
    )
    first.record(reads=10)
    with pytest.raises(CapReached, match="HUBBUB_X_MONTHLY_READ_CAP"):
        second.check()
    next_month = Budget(
        StoreUsageMeter(store), read_cap=120, now=lambda: datetime(2026, 12, 1, tzinfo=UTC)
    )
    next_month.check()  # a new month starts from zero
    assert month_of(datetime(2026, 12, 1, 2, tzinfo=UTC)) == "2026-12"
