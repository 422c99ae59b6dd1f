"""Why an account looks authentic or questionable, in words a business owner reads.

The model's per-feature contributions (:meth:`Ensemble.explain`) are summed over
features that say the same thing (followers, following and their ratios are one
"follow shape"; posts and posts a day one "activity"), the groups pushing hardest
toward the verdict are picked for a whole batch with numpy, and only those few
are put into words, so explaining costs little beside scoring.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from hubbub.insight.authenticity import FEATURES
from hubbub.model import Account

__all__ = ["GROUPS", "MEMBERS", "explain", "explain_groups", "reasons", "signed_top"]

Say = Callable[..., str | None]


_MEMO_SIZE = 1 << 16  # numbers remembered in words, then forgotten
_WORDS: dict[int, str] = {}


def _n(value: float) -> str:
    """``f"{value:,.0f}"``, remembered: formatting a float costs more than a lookup.

    ``round`` rounds as ``.0f`` does (half to even, on the exact value); a negative
    value is formatted afresh, as -0.4 is "-0" there and 0 here.
    """
    if not value > 0.0 or value == math.inf:
        return f"{value:,.0f}"
    whole = round(value)
    said = _WORDS.get(whole)
    if said is None:
        if len(_WORDS) > _MEMO_SIZE:
            _WORDS.clear()
        said = _WORDS[whole] = f"{whole:,}"
    return said


def _follow(fol: float, ing: float) -> str | None:
    if fol != fol or ing != ing:
        return f"followed by {_n(fol)}" if fol == fol else None
    if ing > 2.0 * max(fol, 1.0):  # the follow-farm shape
        return f"follows {_n(ing)} but followed by {_n(fol)}"
    return f"followed by {_n(fol)}, follows {_n(ing)}"


def _posts(posts: float, age: float) -> str | None:
    if posts != posts:
        return None
    if posts == 0:
        return "has never posted"
    said = "1 post" if posts == 1 else f"{_n(posts)} posts"
    return said + (f" in {_n(age)} days" if age == age else "")


def _following_rate(ing: float, age: float) -> str | None:
    if ing != ing or age != age:
        return None
    return f"followed {ing / max(age, 1.0):,.1f} accounts a day since it was created"


def _listed(listed: float) -> str | None:
    if listed != listed:
        return None
    return f"on {_n(listed)} lists" if listed else "on no lists"


def _flag(yes: str, no: str) -> Say:
    def say(v: float) -> str | None:
        return None if v != v else (yes if v else no)

    return say


def _sized(text: str, empty: str) -> Say:
    def say(v: float) -> str | None:
        return None if v != v else (text.format(_n(v)) if v else empty)

    return say


def _similar(v: float) -> str | None:
    return None if v != v else ("handle matches the name" if v >= 0.5 else "handle unlike the name")


def _handle(size: float, digits: float, tail: float) -> str | None:
    if tail >= 4:
        return f"handle ends in {_n(tail)} digits"
    if digits:
        return f"{_n(digits)} digits in the handle"
    return f"handle of {_n(size)} characters, no digits"


#: Reason groups: (features whose contributions are summed, the columns said, how to say it).
GROUPS: tuple[tuple[tuple[str, ...], tuple[str, ...], Say], ...] = (
    (
        ("followers", "following", "follower_share", "following_per_follower", "followers_per_day"),
        ("followers", "following"),
        _follow,
    ),
    (("posts", "posts_per_day"), ("posts", "age_days"), _posts),
    (("following_per_day",), ("following", "age_days"), _following_rate),
    (("listed", "listed_per_follower"), ("listed",), _listed),
    (("age_days",), ("age_days",), _sized("account is {} days old", "account created today")),
    (("verified",), ("verified",), _flag("verified", "not verified")),
    (("default_avatar",), ("default_avatar",), _flag("default profile image", "own profile image")),
    (
        ("default_profile",),
        ("default_profile",),
        _flag("default profile theme", "customised profile"),
    ),
    (("bio_length",), ("bio_length",), _sized("bio of {} characters", "no bio")),
    (("bio_has_url",), ("bio_has_url",), _flag("a link in the bio", "no link in the bio")),
    (("has_url",), ("has_url",), _flag("a website", "no website")),
    (("has_location",), ("has_location",), _flag("a location", "no location")),
    (("name_length",), ("name_length",), _sized("name of {} characters", "no display name")),
    (
        ("handle_length", "handle_digits", "handle_trailing_digits"),
        ("handle_length", "handle_digits", "handle_trailing_digits"),
        _handle,
    ),
    (("name_handle_similarity",), ("name_handle_similarity",), _similar),
)

_MEMBERS = np.zeros((len(FEATURES), len(GROUPS)))
for _g, _group in enumerate(GROUPS):
    for _name in _group[0]:
        _MEMBERS[FEATURES.index(_name), _g] = 1.0
if not (_MEMBERS.sum(axis=1) == 1).all():
    raise RuntimeError("every feature must belong to exactly one reason group")
_SAID = [[FEATURES.index(c) for c in group[1]] for group in GROUPS]


#: ``(features, groups)``: 1 where a feature's contribution counts toward a group.
MEMBERS = _MEMBERS


def explain(
    accounts: Sequence[object],
    x: npt.NDArray[np.float64],
    contrib: npt.NDArray[np.float64],
    authentic: npt.NDArray[np.bool_],
    k: int = 3,
) -> list[list[str]]:
    """Per account, the ``k`` reasons that pushed hardest toward its verdict, strongest first.

    ``contrib`` holds each feature's contribution to the log-odds of *questionable*
    (:meth:`~hubbub.insight.authenticity.Ensemble.explain`); :func:`explain_groups` takes
    them already summed per group (:meth:`~hubbub.insight.authenticity.Ensemble.explain_by`).
    """
    if not len(accounts):
        return []
    return explain_groups(x, contrib @ _MEMBERS, authentic, k)


def signed_top(
    push: npt.NDArray[np.float64], authentic: npt.NDArray[np.bool_], k: int
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """The ``k + 2`` groups pushing hardest toward each verdict, and which push at all.

    For a questionable verdict the positive pushes count, for an authentic one the
    negative; the two beyond ``k`` are spares for a top group that cannot be said.
    """
    toward = push * np.where(authentic, -1.0, 1.0)[:, None]
    top = np.argsort(-toward, axis=1, kind="stable")[:, : k + 2]
    strong = np.take_along_axis(toward, top, axis=1) > 1e-6
    return top, strong


def explain_groups(
    x: npt.NDArray[np.float64],
    push: npt.NDArray[np.float64],
    authentic: npt.NDArray[np.bool_],
    k: int = 3,
) -> list[list[str]]:
    """:func:`explain` from each group's summed contribution ``push``, ``(n, groups)``.

    Each group's words are made for just the accounts it is a top reason of, from just
    the columns it says (turning the whole matrix into Python floats would cost more
    than scoring it).
    """
    n = len(x)
    if not n or k <= 0:
        return [[] for _ in range(n)]
    top, strong = signed_top(push, authentic, k)
    words = np.full(top.shape, None, dtype=object)
    wanted = strong.copy()
    wanted[:, k:] = False  # the spares are said only where a top reason could not be
    _say(words, top, wanted, x)
    unsaid = (strong[:, :k] & (words[:, :k] == None)).any(axis=1)  # noqa: E711 (elementwise)
    if unsaid.any():
        spares = strong & unsaid[:, None]
        spares[:, :k] = False
        _say(words, top, spares, x)
    return [[w for w in row if w][:k] for row in words.tolist()]


def _say(
    words: npt.NDArray[np.object_],
    top: npt.NDArray[np.intp],
    wanted: npt.NDArray[np.bool_],
    x: npt.NDArray[np.float64],
) -> None:
    """Fill ``words`` where ``wanted``: each group's phrase for the rows it tops."""
    for g, (_, _, say) in enumerate(GROUPS):
        rows, places = np.nonzero((top == g) & wanted)
        if len(rows):
            values = zip(*(x[rows, c].tolist() for c in _SAID[g]), strict=True)
            words[rows, places] = [say(*v) for v in values]


def reasons(
    account: Account, row: Sequence[float], contrib: Sequence[float], authentic: bool, k: int = 3
) -> list[str]:
    """:func:`explain` for one account."""
    return explain(
        [account],
        np.array([row], dtype=np.float64),
        np.array([contrib], dtype=np.float64),
        np.array([authentic]),
        k,
    )[0]
