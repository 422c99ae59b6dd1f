"""The reasons worded by columns equal the reference wording, reason for reason."""

from __future__ import annotations

import numpy as np
import pytest

from hubbub.insight.authenticity import FEATURES
from hubbub.insight.reasons import GROUPS, explain_groups
from hubbub.insight.wording import reason_columns, sayable


def _matrix(rng: np.random.Generator, n: int) -> np.ndarray:
    """Feature rows of every kind of value a group says: counts, days, flags, ratios, NaN."""
    x = np.round(rng.lognormal(4, 3, (n, len(FEATURES))))
    x[rng.random(x.shape) < 0.1] = 0.0
    days = FEATURES.index("age_days")
    x[:, days] = rng.choice([0.0, 0.4, 0.5, 1.5, 2.5, 1e-9]) + rng.lognormal(5, 2, n) * (
        rng.random(n) < 0.8
    )
    for flag in ("verified", "default_avatar", "default_profile", "bio_has_url", "has_url"):
        x[:, FEATURES.index(flag)] = rng.integers(0, 2, n)
    x[:, FEATURES.index("name_handle_similarity")] = rng.choice([0.0, 0.5, 0.4999, 1.0, 0.73], n)
    odd = rng.random(x.shape) < 0.02  # what an export may hold: huge, negative, -0.0, inf
    x[odd] = rng.choice([2.0**53 + 2, 1e20, -5.0, -0.4, -0.0, np.inf], odd.sum())
    x[rng.random(x.shape) < 0.15] = np.nan
    return x


@pytest.mark.parametrize("k", [1, 3, 5, 10])
def test_reason_columns_say_what_explain_groups_says(k: int) -> None:
    rng = np.random.default_rng(k)
    n = 3000
    x = _matrix(rng, n)
    push = rng.normal(0, 1, (n, len(GROUPS))) * (rng.random((n, len(GROUPS))) < 0.7)
    push[rng.random(push.shape) < 0.05] = 5e-7  # too weak to count
    authentic = rng.random(n) < 0.5
    want = explain_groups(x, push, authentic, k)
    places, counts = reason_columns(x, push, authentic, k)
    assert len(places) == k
    got = ["".join(place[i] for place in places) for i in range(n)]
    assert got == [", ".join(f'"{w}"' for w in words) for words in want]
    assert counts.tolist() == [len(words) for words in want]
    assert any(len(words) == k for words in want) and any(len(words) < k for words in want)


def test_sayable_is_where_a_groups_function_says_something() -> None:
    x = _matrix(np.random.default_rng(9), 2000)
    can = sayable(x)
    for g, (_, columns, say) in enumerate(GROUPS):
        values = x[:, [FEATURES.index(c) for c in columns]].tolist()
        assert can[:, g].tolist() == [say(*v) is not None for v in values], GROUPS[g][0]
