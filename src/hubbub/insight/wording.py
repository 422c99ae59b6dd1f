"""The reasons of many verdicts at once, already as JSON: the follower audit's fast wording.

:func:`hubbub.insight.reasons.explain_groups` is the definition: per account, the
groups pushing hardest toward its verdict, said by each group's function, an unsayable
one (its columns unknown) replaced by a spare. It calls a Python function per reason,
about a third of the time of judging an account. :func:`reason_columns` makes the same
choice with array operations (which group can be said is which columns are known,
:func:`sayable`) and words the frequent groups with one f-string per reason over
columns of pre-formatted numbers; the rest use the group's own function. The reasons
come out as JSON list items (``"followed by 12, follows 4,210"``, then ``, "..."``),
one column per place, ready to be joined into the verdict lines. The follower audit's
tests check every line against the reference path, byte for byte.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from hubbub.insight.authenticity import FEATURES
from hubbub.insight.reasons import GROUPS, _n, signed_top

__all__ = ["reason_columns", "sayable"]

FloatArray = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

_SAID = [[FEATURES.index(c) for c in group[1]] for group in GROUPS]
_FOLLOW, _POSTS, _RATE, _AGE, _BIO, _NAME, _HANDLE, _SIMILAR = (
    next(g for g, group in enumerate(GROUPS) if group[0][0] == first)
    for first in (
        "followers",
        "posts",
        "following_per_day",
        "age_days",
        "bio_length",
        "name_length",
        "handle_length",
        "name_handle_similarity",
    )
)
#: Per group, the columns that must be known for its function to say something.
_NEEDED = [
    [_SAID[g][0]] if g in (_FOLLOW, _POSTS) else [] if g == _HANDLE else _SAID[g]
    for g in range(len(GROUPS))
]
_SMALL = [f"{i:,}" for i in range(10_000)]


def sayable(x: FloatArray) -> Mask:
    """``(n, groups)``: where each group's function says something (returns no None)."""
    known = ~np.isnan(x)
    out = np.ones((len(x), len(GROUPS)), dtype=bool)
    for g, columns in enumerate(_NEEDED):
        for c in columns:
            out[:, g] &= known[:, c]
    return out


def _numbers(values: FloatArray) -> list[str]:
    """``_n`` of each value: whole, with thousands separators."""
    ok = np.isfinite(values) & (values < 2.0**53) & ~np.signbit(values)
    if not ok.all():
        return [_n(v) for v in values.tolist()]
    small = _SMALL
    return [small[i] if i < 10_000 else f"{i:,}" for i in np.rint(values).astype(np.int64).tolist()]


Words = Callable[[FloatArray, list[str]], list[str]]


def _follow(c: FloatArray, pre: list[str]) -> list[str]:
    fol, ing = c[:, 0], c[:, 1]
    known = ~np.isnan(ing)
    shape = np.where(known, np.where(ing > 2.0 * np.maximum(fol, 1.0), 1, 2), 0).tolist()
    a, b = _numbers(fol), _numbers(np.where(known, ing, 0.0))
    return [
        f'{p}followed by {x}, follows {y}"'
        if s == 2
        else f'{p}follows {y} but followed by {x}"'
        if s
        else f'{p}followed by {x}"'
        for p, s, x, y in zip(pre, shape, a, b, strict=True)
    ]


def _posts(c: FloatArray, pre: list[str]) -> list[str]:
    posts, age = c[:, 0], c[:, 1]
    known = ~np.isnan(age)
    days = [
        f" in {y} days" if k else ""
        for y, k in zip(_numbers(np.where(known, age, 0.0)), known.tolist(), strict=True)
    ]
    return [
        (f'{p}1 post{d}"' if n == 1 else f'{p}{x} posts{d}"') if n else f'{p}has never posted"'
        for p, n, x, d in zip(pre, posts.tolist(), _numbers(posts), days, strict=True)
    ]


def _following_rate(c: FloatArray, pre: list[str]) -> list[str]:
    rate = c[:, 0] / np.maximum(c[:, 1], 1.0)  # the same division as Python's, per row
    return [
        f'{p}followed {r:,.1f} accounts a day since it was created"'
        for p, r in zip(pre, rate.tolist(), strict=True)
    ]


def _sized(text: str, empty: str) -> Words:
    before, after = text.split("{}")

    def words(c: FloatArray, pre: list[str]) -> list[str]:
        v = c[:, 0]
        return [
            f'{p}{before}{x}{after}"' if n else f'{p}{empty}"'
            for p, x, n in zip(pre, _numbers(v), v.tolist(), strict=True)
        ]

    return words


def _handle(c: FloatArray, pre: list[str]) -> list[str]:
    if np.isnan(c).any():
        return _generic(_HANDLE)(c, pre)
    size, digits, tail = _numbers(c[:, 0]), _numbers(c[:, 1]), _numbers(c[:, 2])
    shape = np.where(c[:, 2] >= 4, 2, np.where(c[:, 1] != 0, 1, 0)).tolist()
    return [
        f'{p}handle ends in {t} digits"'
        if s == 2
        else f'{p}{d} digits in the handle"'
        if s
        else f'{p}handle of {n} characters, no digits"'
        for p, s, n, d, t in zip(pre, shape, size, digits, tail, strict=True)
    ]


def _similar(c: FloatArray, pre: list[str]) -> list[str]:
    match = (c[:, 0] >= 0.5).tolist()
    return [
        f'{p}handle matches the name"' if m else f'{p}handle unlike the name"'
        for p, m in zip(pre, match, strict=True)
    ]


def _generic(g: int) -> Words:
    say = GROUPS[g][2]

    def words(c: FloatArray, pre: list[str]) -> list[str]:
        return [f'{p}{say(*v)}"' for p, v in zip(pre, c.tolist(), strict=True)]

    return words


_WORDS: list[Words] = [_generic(g) for g in range(len(GROUPS))]
_WORDS[_FOLLOW], _WORDS[_POSTS], _WORDS[_HANDLE], _WORDS[_SIMILAR] = (
    _follow,
    _posts,
    _handle,
    _similar,
)
_WORDS[_RATE] = _following_rate
_WORDS[_AGE] = _sized("account is {} days old", "account created today")
_WORDS[_BIO] = _sized("bio of {} characters", "no bio")
_WORDS[_NAME] = _sized("name of {} characters", "no display name")
_FIRST, _NEXT = '"', ', "'


def reason_columns(
    x: FloatArray, push: FloatArray, authentic: Mask, k: int
) -> tuple[list[list[str]], npt.NDArray[np.intp]]:
    """Each account's reasons as JSON list items, one list per place (``k`` of them).

    The first place holds ``"reason"``, later ones ``, "reason"``; an account with
    fewer reasons has "" in the places left. Also returns how many each account has.
    The same reasons, in the same order, as :func:`~hubbub.insight.reasons.explain_groups`.
    """
    n = len(x)
    if not n or k <= 0:
        return [], np.zeros(n, dtype=np.intp)
    top, strong = signed_top(push, authentic, k)
    can = np.take_along_axis(sayable(x), top, axis=1)
    unsaid = np.asarray((strong[:, :k] & ~can[:, :k]).any(axis=1))
    tried = strong.copy()
    tried[:, k:] &= unsaid[:, None]  # the spares only where a top reason could not be said
    said = tried & can
    place = np.cumsum(said, axis=1) - 1
    said &= place < k
    # every said (account, slot), grouped by reason group with one sort
    flat = np.flatnonzero(said)
    groups = top.ravel()[flat]
    order = np.argsort(groups, kind="stable")
    flat, groups = flat[order], groups[order]
    rows = flat // (k + 2)
    at = place.ravel()[flat]
    where = rows * k + at
    pre = np.where(at == 0, _FIRST, _NEXT)
    words = np.full(n * k, "", dtype=object)
    bounds = (np.flatnonzero(np.diff(groups)) + 1).tolist()
    for lo, hi in zip([0, *bounds], [*bounds, len(groups)], strict=True) if len(groups) else ():
        g, mine = int(groups[lo]), rows[lo:hi]
        said_by = _WORDS[g](x[mine[:, None], _SAID[g]], pre[lo:hi].tolist())
        words[where[lo:hi]] = said_by
    return [column.tolist() for column in words.reshape(n, k).T], said.sum(axis=1)
