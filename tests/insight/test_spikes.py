"""Spike detection: the last 24 h against the 7-day mean plus k standard deviations."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from hubbub.insight.spikes import DayCount, StreamCounts, detect

END = datetime(2026, 3, 10, 13, tzinfo=UTC)


def counts(
    last: tuple[int, int], days: list[tuple[int, int]], stream: str = "Brand"
) -> StreamCounts:
    return StreamCounts(
        stream, END - timedelta(days=1), END, DayCount(*last), tuple(DayCount(*d) for d in days)
    )


WEEK = [(20, 2), (24, 2), (18, 1), (22, 3), (26, 2), (20, 2), (24, 2)]  # mean 22, sd 2.56


def test_volume_spike_against_mean_plus_k_sd() -> None:
    vols = [d[0] for d in WEEK]
    mean = sum(vols) / 7
    sd = math.sqrt(sum((v - mean) ** 2 for v in vols) / 7)
    sd = max(sd, math.sqrt(mean))  # the Poisson floor: sqrt(22) = 4.69 > 2.56
    threshold = mean + 3 * sd
    assert round(threshold, 6) == round(22 + 3 * math.sqrt(22), 6)
    above = detect([counts((math.floor(threshold) + 1, 3), WEEK)])
    assert [s.kind for s in above] == ["volume"]
    spike = above[0]
    assert spike.mean == pytest.approx(mean) and spike.threshold == pytest.approx(threshold)
    assert spike.stream == "Brand" and spike.window_end == END
    assert "mentions in the last 24 h" in spike.message
    assert detect([counts((math.floor(threshold), 3), WEEK)]) == []  # at, not above


def test_k_moves_the_threshold() -> None:
    assert detect([counts((30, 3), WEEK)], k=3) == []
    assert [s.kind for s in detect([counts((30, 3), WEEK)], k=1)] == ["volume"]


def test_minimum_counts_keep_quiet_streams_quiet() -> None:
    quiet = [(0, 0)] * 7
    assert detect([counts((4, 0), quiet)]) == []  # 4 > 0 + 3 * 1, but under min_mentions
    assert [s.kind for s in detect([counts((4, 0), quiet)], min_mentions=3)] == ["volume"]
    # 4 of 4 negative after a week without complaints: under min_negative 5
    assert all(s.kind != "negative" for s in detect([counts((4, 4), quiet)], min_mentions=3))


def test_negative_share_spike() -> None:
    # The usual 10% negative; today 12 of 25 (48%) with ordinary volume.
    got = detect([counts((25, 12), WEEK)])
    assert [s.kind for s in got] == ["negative"]
    s = got[0]
    shares = [n / m for m, n in WEEK]
    assert s.mean == pytest.approx(sum(shares) / 7)
    assert s.observed == pytest.approx(12 / 25) and s.negative == 12
    assert "48% negative" in s.message
    # An ordinary share is no spike, even with many negatives.
    assert detect([counts((24, 3), WEEK)]) == []


def test_flat_baseline_uses_the_binomial_floor() -> None:
    flat = [(20, 2)] * 7  # sd of the shares is 0
    # 10% usual: floor sqrt(0.1 * 0.9 / 20) = 0.067, threshold 0.1 + 0.2 = 0.30
    assert detect([counts((20, 6), flat)]) == []  # 30%, at the threshold
    assert [s.kind for s in detect([counts((20, 7), flat)])] == ["negative"]


def test_both_kinds_and_several_streams_in_order() -> None:
    got = detect([counts((60, 40), WEEK, "Brand"), counts((22, 2), WEEK, "Rival")])
    assert [(s.stream, s.kind) for s in got] == [("Brand", "volume"), ("Brand", "negative")]


def test_no_baseline_and_bad_arguments() -> None:
    assert [s.kind for s in detect([counts((12, 0), [])])] == ["volume"]  # 12 > 0 + 3
    assert detect([]) == []
    with pytest.raises(ValueError, match="k, min_mentions and min_negative"):
        detect([], k=-1)
