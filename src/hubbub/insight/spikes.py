"""When is it unusual: volume and negative-sentiment spikes per stream against a baseline.

Pure detection over counts the store has already gathered
(:func:`hubbub.store.alerts.stream_day_counts`); :mod:`hubbub.alerts` stores what is
found as alerts and sends them. The rule is the one people can check by hand:
the last 24 hours against the 7 days before them, a spike when the last day is
above the 7-day mean plus ``k`` standard deviations.

Two guards keep a quiet stream from crying wolf:

- minimum counts: a volume spike needs ``min_mentions`` mentions in the last day,
  a negative spike ``min_negative`` negative mentions (3 complaints after 0 a day
  is a change, but not yet news);
- a floor under the standard deviation: seven identical days have sd 0, so any
  extra mention would be "infinitely" unusual. Counts are treated as at least
  Poisson-noisy (sd >= sqrt(mean), and >= 1), shares as at least binomially
  noisy (sd >= sqrt(p(1-p)/n) for the last day's n).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

__all__ = ["BASELINE_DAYS", "DayCount", "Spike", "SpikeKind", "StreamCounts", "detect"]

BASELINE_DAYS = 7
SpikeKind = Literal["volume", "negative"]


@dataclass(frozen=True, slots=True)
class DayCount:
    """Mentions and negative mentions in one 24-hour window."""

    mentions: int
    negative: int

    @property
    def negative_share(self) -> float:
        return self.negative / self.mentions if self.mentions else 0.0


@dataclass(frozen=True, slots=True)
class StreamCounts:
    """One stream's last 24 hours and the :data:`BASELINE_DAYS` 24-hour windows before."""

    stream: str
    window_start: datetime
    window_end: datetime
    last: DayCount
    baseline: tuple[DayCount, ...]  # oldest first


@dataclass(frozen=True, slots=True)
class Spike:
    """A stream's last day above its baseline: what was seen against what was expected."""

    stream: str
    kind: SpikeKind
    window_start: datetime
    window_end: datetime
    observed: float  # mentions, or the negative share (0..1)
    mean: float
    sd: float  # after the floor
    threshold: float  # mean + k * sd
    mentions: int
    negative: int

    @property
    def message(self) -> str:
        """One line a person reads in an e-mail subject or a banner."""
        if self.kind == "volume":
            return (
                f"{self.stream}: {self.mentions} mentions in the last 24 h, "
                f"against {self.mean:.1f} a day over the week before"
            )
        return (
            f"{self.stream}: {self.observed:.0%} negative in the last 24 h "
            f"({self.negative} of {self.mentions}), against {self.mean:.0%} over the week before"
        )


def _mean_sd(values: Sequence[float]) -> tuple[float, float]:
    n = len(values)
    if n == 0:
        return 0.0, 0.0
    mean = sum(values) / n
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / n)


def detect(
    counts: Sequence[StreamCounts],
    *,
    k: float = 3.0,
    min_mentions: int = 10,
    min_negative: int = 5,
) -> list[Spike]:
    """The spikes among ``counts``: per stream, volume first, then negative share.

    Raises ValueError for a negative ``k`` or minimum (a threshold below the mean
    would alert on every ordinary day).
    """
    if k < 0 or min_mentions < 0 or min_negative < 0:
        raise ValueError(
            f"k, min_mentions and min_negative must be >= 0, not {k}, "
            f"{min_mentions}, {min_negative}"
        )
    found: list[Spike] = []
    for c in counts:
        last = c.last
        volumes = [float(d.mentions) for d in c.baseline]
        mean, sd = _mean_sd(volumes)
        sd = max(sd, math.sqrt(mean), 1.0)
        threshold = mean + k * sd
        if last.mentions >= min_mentions and last.mentions > threshold:
            found.append(
                Spike(
                    c.stream,
                    "volume",
                    c.window_start,
                    c.window_end,
                    float(last.mentions),
                    mean,
                    sd,
                    threshold,
                    last.mentions,
                    last.negative,
                )
            )
        if last.negative < min_negative or not last.mentions:
            continue
        shares = [d.negative_share for d in c.baseline if d.mentions]
        mean, sd = _mean_sd(shares)
        share = last.negative_share
        p = min(max(mean, 1.0 / (last.mentions + 1)), 1.0)
        sd = max(sd, math.sqrt(p * (1 - p) / last.mentions))
        threshold = mean + k * sd
        if share > threshold:
            found.append(
                Spike(
                    c.stream,
                    "negative",
                    c.window_start,
                    c.window_end,
                    share,
                    mean,
                    sd,
                    threshold,
                    last.mentions,
                    last.negative,
                )
            )
    return found
