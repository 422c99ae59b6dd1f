"""What X costs: posts read and written this month, the estimated bill, the monthly cap.

X's pay-per-use plan bills every post a request returns (about $0.005 each) and
every post written. A listener left running on a busy search can spend real money,
so the client counts every post it receives, and before each request that reads
posts it checks the month's count against the user's cap
(``HUBBUB_X_MONTHLY_READ_CAP``) and stops with a clear message once it is reached.

The counts live behind the small :class:`UsageMeter` protocol so that this package
does not import the store: :class:`MemoryMeter` for tests and one-off runs,
``hubbub.store.usage.StoreUsageMeter`` to keep them in the database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from hubbub.sources.base import SourceError

__all__ = ["Budget", "CapReached", "MemoryMeter", "UsageMeter", "month_of"]


def month_of(when: datetime) -> str:
    """The calendar month (UTC) of ``when`` as ``"YYYY-MM"``."""
    return when.astimezone(UTC).strftime("%Y-%m")


class UsageMeter(Protocol):
    """Running counts of posts read and written per calendar month."""

    def add(self, month: str, reads: int = 0, writes: int = 0) -> None: ...

    def usage(self, month: str) -> tuple[int, int]:
        """``(reads, writes)`` so far in ``month``."""
        ...


class MemoryMeter:
    """A :class:`UsageMeter` in memory (lost at exit)."""

    def __init__(self) -> None:
        self.counts: dict[str, tuple[int, int]] = {}

    def add(self, month: str, reads: int = 0, writes: int = 0) -> None:
        r, w = self.counts.get(month, (0, 0))
        self.counts[month] = (r + reads, w + writes)

    def usage(self, month: str) -> tuple[int, int]:
        return self.counts.get(month, (0, 0))


class CapReached(SourceError):
    """The month's read cap is reached; nothing more is requested until next month."""


@dataclass
class Budget:
    """A meter with prices and a cap: what the client consults around each request."""

    meter: UsageMeter
    read_cap: int | None = None
    cost_per_read: float = 0.005
    cost_per_write: float = 0.01
    now: Callable[[], datetime] = lambda: datetime.now(UTC)

    def month(self) -> str:
        return month_of(self.now())

    def record(self, reads: int = 0, writes: int = 0) -> None:
        self.meter.add(self.month(), reads, writes)

    def cost(self, reads: int, writes: int) -> float:
        return reads * self.cost_per_read + writes * self.cost_per_write

    def remaining_reads(self) -> int | None:
        """Posts that may still be read this month (``None``: no cap)."""
        if self.read_cap is None:
            return None
        reads, _ = self.meter.usage(self.month())
        return max(0, self.read_cap - reads)

    def check(self) -> None:
        """Raise :class:`CapReached` when the month's reads have reached the cap."""
        if self.read_cap is None:
            return
        month = self.month()
        reads, writes = self.meter.usage(month)
        if reads >= self.read_cap:
            raise CapReached(
                f"x: the monthly read cap of {self.read_cap:,} posts is reached "
                f"({reads:,} read in {month}, about ${self.cost(reads, writes):,.2f}); "
                "raise HUBBUB_X_MONTHLY_READ_CAP or wait for next month"
            )

    def summary(self) -> str:
        """One line: this month's reads, writes and estimated cost (and the cap)."""
        month = self.month()
        reads, writes = self.meter.usage(month)
        cap = f" of a {self.read_cap:,} cap" if self.read_cap is not None else ""
        return (
            f"X usage in {month}: {reads:,} posts read{cap}, {writes:,} written, "
            f"about ${self.cost(reads, writes):,.2f}"
        )
