"""Is an account authentic or a bought/automated one? Cheap profile features and a shipped model.

The features are Cresci et al. 2015's cheap "class A" profile features and a few
more: the counts and their ratios, account age and the rates over it, default
profile and image, bio, URL, location, and screen-name patterns (length, digits,
how much the handle resembles the name). They are computed from :class:`Account`
alone, so X v1.1 and v2 users, Mastodon accounts and Bluesky profiles all score
once mapped. A feature the network does not give is ``NaN`` (missing), never 0:
Bluesky has no location or website field, Mastodon no location, only X lists.
The trees route a missing value down a branch learned for it: training shows each
labelled X profile also as X v2, Mastodon and Bluesky would give it.

The model is a gradient-boosted tree ensemble trained by
``scripts/train_authenticity.py`` (scikit-learn, at training time only) and
shipped as arrays in ``insight/data/authenticity.npz``. Why evaluate it by hand
with numpy rather than load scikit-learn: scikit-learn (and scipy) would be a
heavy run-time dependency for a few dozen small trees, and pickles are not a stable
format across versions. The trees are padded to complete binary trees of one
depth, so a whole batch walks every tree one level at a time with array
indexing (no per-account Python loop); single accounts (the per-post ``who``
insight), where numpy's per-call overhead would dominate, go through the trees
compiled once into a plain Python function of nested ``if``s (bit-identical).
Node values are kept for inner nodes too, so each step's change of the score
is credited to the feature split on (Saabas' path attribution): that gives the
reasons shown to a user.
"""

from __future__ import annotations

import math
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from itertools import pairwise
from operator import attrgetter

import numpy as np
import numpy.typing as npt

from hubbub.model import Account

__all__ = [
    "FEATURES",
    "LACKS",
    "Ensemble",
    "assemble",
    "authenticity",
    "feature_matrix",
    "feature_row",
    "load_model",
    "profile_text",
    "scores",
    "text_features",
]

FloatArray = npt.NDArray[np.float64]

#: The features, in the model's column order.
FEATURES: tuple[str, ...] = (
    "followers",
    "following",
    "posts",
    "listed",
    "age_days",
    "follower_share",  # followers / (followers + following)
    "following_per_follower",
    "posts_per_day",
    "followers_per_day",
    "following_per_day",
    "listed_per_follower",
    "verified",
    "default_avatar",
    "default_profile",
    "bio_length",
    "bio_has_url",
    "has_url",
    "has_location",
    "name_length",
    "handle_length",
    "handle_digits",
    "handle_trailing_digits",
    "name_handle_similarity",
)

#: Profile fields a network's profiles do not have: their features are missing (NaN).
LACKS: dict[str, frozenset[str]] = {
    "bluesky": frozenset({"location", "url"}),
    "mastodon": frozenset({"location"}),
    "rss": frozenset({"location", "url", "bio", "name"}),
}

NAN = math.nan
_CHUNK = 4096
_DIGITS = "0123456789"
_NO_DIGITS = str.maketrans("", "", _DIGITS)
_NO_PUNCT = str.maketrans("", "", string.punctuation + string.whitespace)
_PUNCT_BYTES = (string.punctuation + string.whitespace).encode()
_DIGIT_BYTES = _DIGITS.encode()
_NOTHING: frozenset[str] = frozenset()
_NUMBERS = attrgetter(
    "followers", "following", "posts", "listed", "verified", "default_avatar", "default_profile"
)


def _bigrams(text: str | bytes) -> set[tuple[object, object]]:
    """The text's bigrams, as pairs (one pair per two-character slice: the same sets)."""
    return set(pairwise(text))


def _bare(text: str) -> str | bytes:
    """``text`` lower-cased without punctuation and spaces (as bytes when ASCII: 4x faster)."""
    if text.isascii():  # the same characters go: punctuation and whitespace are all ASCII
        return text.lower().encode().translate(None, _PUNCT_BYTES)
    return text.lower().translate(_NO_PUNCT)


def _similarity(handle: str, name: str) -> float:
    """Dice coefficient of the bigrams of handle and name, punctuation and case aside.

    1 when one contains the other ("jessica" in "jessica48213377"), 0 when nothing is shared.
    """
    h, n = _bare(handle), _bare(name)
    if not h or not n:
        return 0.0
    if type(h) is not type(n):  # one side ASCII, the other not: compare as text
        h, n = handle.lower().translate(_NO_PUNCT), name.lower().translate(_NO_PUNCT)
    if h in n or n in h:  # type: ignore[operator]  # both str or both bytes
        return 1.0
    a, b = _bigrams(h), _bigrams(n)
    if not a or not b:
        return 0.0
    return 2.0 * len(a & b) / (len(a) + len(b))


def _local_handle(network: str, handle: str) -> str:
    handle = handle.removeprefix("@")
    if network == "mastodon":
        return handle.split("@", 1)[0]
    if network == "bluesky":
        return handle.split(".", 1)[0]
    return handle


def _text_features(account: Account) -> tuple[float, ...]:
    """The profile-text and screen-name features: FEATURES[14:] in order."""
    a = account
    return text_features(a.network, a.handle, a.name, a.bio, a.url, a.location)


def text_features(
    network: str, handle: str, name: str, bio: str, url: str, location: str
) -> tuple[float, ...]:
    """The profile-text and screen-name features (FEATURES[14:] in order) from the fields.

    Separate from :class:`Account` so a batch reader can score profiles without making
    one; written for speed, as it runs per follower in an audit.
    """
    no_bio, no_url, no_location, no_name = _LACKING.get(network, _LACKS_NOTHING)
    if network != "x" or handle[:1] == "@":
        handle = _local_handle(network, handle)
    size = len(handle)
    if handle.isascii():
        digits = size - len(handle.encode().translate(None, _DIGIT_BYTES))
    else:
        digits = size - len(handle.translate(_NO_DIGITS))
    return (
        NAN if no_bio else float(len(bio)),
        NAN if no_bio else float("http" in bio or "www." in bio),
        NAN if no_url else float(bool(url)),
        NAN if no_location else float(bool(location.strip())),
        NAN if no_name else float(len(name.strip())),
        float(size),
        float(digits),
        float(size - len(handle.rstrip(_DIGITS))),
        NAN if no_name else _similarity(handle, name),
    )


#: Per network: whether it lacks the bio, the URL, the location, the name.
_LACKING = {
    network: ("bio" in lacks, "url" in lacks, "location" in lacks, "name" in lacks)
    for network, lacks in LACKS.items()
}
_LACKS_NOTHING = (False, False, False, False)


_TEXT_AT = FEATURES.index("bio_length")
#: :func:`text_features` memoised for :func:`feature_row`, the per-post path: an author
#: posts many times and their profile text rarely changes, while the counts and the age
#: (the other features) are read fresh for every post.
profile_text = lru_cache(maxsize=16_384)(text_features)


def feature_row(account: Account, now: datetime | None = None) -> list[float]:
    """The account's features in :data:`FEATURES` order; NaN where unknown.

    ``now`` is when the profile was seen (the post's time, or the audit's); without it
    the age and the per-day rates are missing. :func:`feature_matrix` gives the same
    values for many accounts at once.
    """
    a = account  # unrolled rather than a generator over _NUMBERS: it runs for every post
    fol = NAN if a.followers is None else float(a.followers)
    ing = NAN if a.following is None else float(a.following)
    posts = NAN if a.posts is None else float(a.posts)
    listed = NAN if a.listed is None else float(a.listed)
    verified = NAN if a.verified is None else float(a.verified)
    avatar = NAN if a.default_avatar is None else float(a.default_avatar)
    profile = NAN if a.default_profile is None else float(a.default_profile)
    age = NAN
    if account.created is not None and now is not None:
        age = max((now.timestamp() - account.created.timestamp()) / 86400.0, 0.0)
    day = max(age, 1.0) if age == age else NAN
    fol1 = max(fol, 1.0) if fol == fol else NAN
    return [
        fol,
        ing,
        posts,
        listed,
        age,
        fol / (fol + ing) if fol + ing > 0 else NAN,
        ing / fol1,
        posts / day,
        fol / day,
        ing / day,
        listed / fol1,
        verified,
        avatar,
        profile,
        *profile_text(
            account.network,
            account.handle,
            account.name,
            account.bio,
            account.url,
            account.location,
        ),
    ]


def feature_matrix(accounts: Sequence[Account], now: datetime | None = None) -> FloatArray:
    """:func:`feature_row` for many accounts, as an ``(n, len(FEATURES))`` float array.

    The counts and their ratios are computed column-wise with numpy; only reading the
    fields and the screen-name features are per account.
    """
    n = len(accounts)
    if not n:
        return np.empty((0, len(FEATURES)))
    # numpy turns None into NaN when it is asked for floats: missing stays missing
    numbers = np.array([_NUMBERS(a) for a in accounts], dtype=np.float64)
    created = np.array([NAN if a.created is None else a.created.timestamp() for a in accounts])
    text = np.array([_text_features(a) for a in accounts], dtype=np.float64)
    return assemble(numbers, created, text, now)


def assemble(
    numbers: FloatArray, created: FloatArray, text: FloatArray, now: datetime | None
) -> FloatArray:
    """The feature matrix from per-account columns read however the caller likes.

    ``numbers`` is ``(n, 7)``: followers, following, posts, listed, verified, default
    avatar, default profile (NaN when unknown); ``created`` the POSIX creation times (NaN
    when unknown); ``text`` the :func:`text_features` rows. :func:`feature_matrix` reads
    them from Accounts; the follower audit's batch reader straight from the JSON.
    """
    n = len(created)
    out = np.empty((n, len(FEATURES)))
    if not n:
        return out
    cols = numbers.T
    fol, ing, posts, listed = cols[0], cols[1], cols[2], cols[3]
    stamp = NAN if now is None else now.timestamp()
    age = np.maximum((stamp - created) / 86400.0, 0.0)  # NaN stays NaN
    day, fol1 = np.maximum(age, 1.0), np.maximum(fol, 1.0)
    both = fol + ing
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 0], out[:, 1], out[:, 2], out[:, 3], out[:, 4] = fol, ing, posts, listed, age
        out[:, 5] = np.where(both > 0, fol / np.where(both > 0, both, 1.0), NAN)
        out[:, 6] = ing / fol1
        out[:, 7], out[:, 8], out[:, 9] = posts / day, fol / day, ing / day
        out[:, 10] = listed / fol1
    out[:, 11:_TEXT_AT] = numbers[:, 4:7]
    out[:, _TEXT_AT:] = text
    return out


def _known(account: Account) -> bool:
    """Whether anything the model can judge is known (an RSS author usually has nothing)."""
    return not (
        account.followers is None
        and account.following is None
        and account.posts is None
        and account.created is None
        and account.default_avatar is None
        and account.default_profile is None
    )


@dataclass(frozen=True, slots=True, eq=False)  # hashed by identity (the tree cache)
class Ensemble:
    """Gradient-boosted trees, padded to complete binary trees of ``depth`` levels.

    Node ``i``'s children are ``2i+1`` (left) and ``2i+2`` (right). An inner node goes
    right when ``x > threshold``, or when ``x`` is NaN and ``nan_right``. ``value`` holds
    every node's expected raw score (leaves: the tree's output), so the change along the
    path is each split's contribution. The raw score is the log-odds of *questionable*.
    """

    features: tuple[str, ...]
    depth: int
    baseline: float
    feature: npt.NDArray[np.intp]  # (trees, inner nodes)
    threshold: FloatArray  # (trees, inner nodes)
    nan_right: npt.NDArray[np.bool_]  # (trees, inner nodes)
    value: FloatArray  # (trees, all nodes)

    @property
    def trees(self) -> int:
        return int(self.feature.shape[0])

    def raw(self, x: FloatArray) -> FloatArray:
        """The log-odds of questionable for each row of ``x``."""
        return self.raw_of(self.leaves(x))

    def explain(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Log-odds and each feature's contribution to it, ``(n,)`` and ``(n, features)``."""
        return self.explain_by(x, np.eye(len(self.features)))

    def explain_by(self, x: FloatArray, groups: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Log-odds and the contributions summed per group of features.

        ``groups`` is ``(features, groups)``: 1 where a feature belongs to a group
        (:data:`hubbub.insight.reasons.GROUPS`). Each tree's path to each leaf credits the
        same features the same amounts, so the sums per leaf are computed once per model
        (:func:`_leaf_credit`) and an account's are a lookup per tree, two trees at a time.
        """
        leaves = self.leaves(x)
        used, credit = _leaf_credit(self, groups.tobytes(), groups.shape)
        if len(leaves) % 2:  # an odd count: the last tree's partner credits nothing
            leaves = np.vstack((leaves, np.zeros((1, leaves.shape[1]), dtype=np.intp)))
        pairs = leaves[0::2] * (2**self.depth) + leaves[1::2]
        sums = np.zeros((x.shape[0], len(used)))
        for table, at in zip(credit, pairs, strict=True):
            sums += table[at]
        out: FloatArray = np.zeros((x.shape[0], groups.shape[1]))
        out[:, used] = sums  # groups no split reads stay 0
        return self.raw_of(leaves[: self.trees]), out

    def leaves(self, x: FloatArray) -> npt.NDArray[np.intp]:
        """Which leaf of each tree each row of ``x`` ends in, ``(trees, n)``, 0 to 2**depth - 1.

        Every inner node's test is made for every row at once (a few hundred comparisons
        of a column with a number; a node sending missing values right asks "not
        ``x <= t``", which NaN passes). With at most 8 inner nodes a tree's answers are
        packed into one byte, whose leaf is a lookup; deeper trees pick each level's
        answer in turn.
        """
        n = x.shape[0]
        trees, inner = self.feature.shape
        out = np.empty((trees, n), dtype=np.intp)
        tests = _node_tests(self)
        for lo in range(0, n, _CHUNK):  # chunks keep the (nodes x rows) answers in cache
            part = np.ascontiguousarray(x[lo : lo + _CHUNK].T)
            answer = np.zeros((trees, max(inner, 8), part.shape[1]), dtype=bool)
            flat = answer.reshape(trees * answer.shape[1], -1)
            for feature, rows, bound, nan_right in tests:  # a column against its thresholds
                column = part[feature]
                flat[rows] = ~(column <= bound) if nan_right else column > bound
            if inner <= 8:
                code = answer[:, 0].view(np.uint8).copy()
                for j in range(1, inner):  # (np.packbits along this axis is 6x slower)
                    code |= answer[:, j].view(np.uint8) << j
                out[:, lo : lo + _CHUNK] = _leaf_of_code(self.depth)[code]
                continue
            idx = np.zeros((trees, part.shape[1]), dtype=np.intp)
            for _ in range(self.depth):
                idx = 2 * idx + 1 + np.take_along_axis(answer, idx[:, None, :], axis=1)[:, 0]
            out[:, lo : lo + _CHUNK] = idx - inner
        return out

    def raw_of(self, leaves: npt.NDArray[np.intp]) -> FloatArray:
        """The log-odds of the rows that ended in ``leaves`` (see :meth:`leaves`)."""
        inner = self.feature.shape[1]
        values = self.value[:, inner:]
        out: FloatArray = values[np.arange(self.trees)[:, None], leaves].sum(axis=0)
        return out + self.baseline

    def raw_one(self, row: Sequence[float]) -> float:
        """:meth:`raw` for one row in plain Python (no per-call numpy overhead)."""
        return _raw_one(self, tuple(row))


Test = tuple[int, npt.NDArray[np.intp], FloatArray, bool]


@lru_cache(maxsize=4)
def _node_tests(model: Ensemble) -> list[Test]:
    """The inner nodes' tests, by feature and by where missing values go.

    Each is (feature, answer rows, thresholds as a column, missing go right): the rows
    of the ``(trees * max(inner, 8), n)`` answers in :meth:`Ensemble.leaves` that compare
    that feature's column with their thresholds, all in one broadcast comparison (no
    copy of the column per node). A node's answer is "go right": ``x > t`` (NaN: no)
    where missing values go left, "not ``x <= t``" (NaN: yes) where they go right.
    """
    trees, inner = model.feature.shape
    width = max(inner, 8)
    rows = (np.arange(trees)[:, None] * width + np.arange(inner)).ravel()
    feature, threshold = model.feature.ravel(), model.threshold.ravel()
    nan_right = model.nan_right.ravel()
    out: list[Test] = []
    for f in np.unique(feature).tolist():
        for right in (False, True):
            mine = (feature == f) & (nan_right == right)
            if mine.any():
                out.append((f, rows[mine], threshold[mine][:, None], right))
    return out


@lru_cache(maxsize=4)
def _leaf_of_code(depth: int) -> npt.NDArray[np.intp]:
    """Per byte of a tree's answers (bit ``i``: inner node ``i`` goes right), its leaf."""
    inner = 2**depth - 1
    out = np.empty(256, dtype=np.intp)
    for code in range(256):
        node = 0
        for _ in range(depth):
            node = 2 * node + 1 + ((code >> node) & 1)
        out[code] = node - inner
    return out


@lru_cache(maxsize=8)
def _leaf_credit(
    model: Ensemble, groups: bytes, shape: tuple[int, int]
) -> tuple[npt.NDArray[np.intp], FloatArray]:
    """Per pair of trees and pair of leaves, what the two paths credit each group.

    Saabas' attribution: each split is credited with the change of the expected score
    from the node to the child taken. Returns the groups some split reads, and for
    those only the ``(trees / 2, leaves**2, groups used)`` credits.
    """
    members = np.frombuffer(groups).reshape(shape)
    trees, inner = model.feature.shape
    leaves = 2**model.depth
    per_tree = np.zeros((trees, leaves, len(model.features)))
    for t in range(trees):
        for leaf in range(leaves):
            node = leaf + inner
            while node:
                parent = (node - 1) // 2
                per_tree[t, leaf, model.feature[t, parent]] += (
                    model.value[t, node] - model.value[t, parent]
                )
                node = parent
    read = np.zeros(len(model.features), dtype=bool)
    read[model.feature.ravel()] = True
    used = np.flatnonzero(members[read].any(axis=0))
    credit = per_tree @ members[:, used]
    if trees % 2:  # an odd count: a last tree paired with nothing
        credit = np.concatenate((credit, np.zeros((1, leaves, len(used)))))
    out: FloatArray = (credit[0::2, :, None, :] + credit[1::2, None, :, :]).reshape(
        len(credit) // 2, leaves * leaves, len(used)
    )
    return used, out


@lru_cache(maxsize=4)
def _compiled(model: Ensemble) -> Callable[[tuple[float, ...]], float]:
    """The ensemble as one generated Python function of a feature row: nested ``if``s
    with the thresholds as constants, the row unpacked into locals.

    Why generated code: the per-post ``who`` insight scores one account at a time,
    where numpy's per-call overhead dominates, and a loop over node arrays costs a
    dozen list lookups per split; straight-line comparisons run several times
    faster. It adds the trees' leaf values to the baseline in tree order, exactly as
    the node walk does, so the score is the same to the last bit. A node goes right
    when ``x > threshold``, or when ``x`` is NaN and ``nan_right``: ``not x <= t``.
    """
    width = len(model.features)
    names = [f"x{j}" for j in range(width)]
    lines = ["def walk(row):", f"    {', '.join(names)}, = row", "    total = BASELINE"]
    for t in range(model.trees):
        tree = (
            model.feature[t].tolist(),
            model.threshold[t].tolist(),
            model.nan_right[t].tolist(),
            model.value[t].tolist(),
        )
        _tree_source(tree, names, 0, "    ", lines)
    lines.append("    return total")
    scope: dict[str, object] = {"BASELINE": model.baseline, "INF": math.inf, "NAN": math.nan}
    exec(compile("\n".join(lines), "<authenticity trees>", "exec"), scope)
    walk: Callable[[tuple[float, ...]], float] = scope["walk"]  # type: ignore[assignment]
    return walk


def _tree_source(
    tree: tuple[list[int], list[float], list[bool], list[float]],
    names: list[str],
    i: int,
    indent: str,
    lines: list[str],
) -> None:
    """Append the source of node ``i`` of ``tree`` (feature, threshold, nan_right, value)."""
    feature, threshold, nan_right, value = tree
    if i >= len(feature):  # a leaf
        lines.append(f"{indent}total += {_literal(value[i])}")
        return
    x, thr = names[feature[i]], _literal(threshold[i])
    lines.append(f"{indent}if {'not ' + x + ' <= ' if nan_right[i] else x + ' > '}{thr}:")
    _tree_source(tree, names, 2 * i + 2, indent + "    ", lines)
    lines.append(f"{indent}else:")
    _tree_source(tree, names, 2 * i + 1, indent + "    ", lines)


def _literal(x: float) -> str:
    """``x`` as Python source that reads back as the same float (repr round-trips)."""
    if math.isinf(x):
        return "INF" if x > 0 else "(-INF)"
    return "NAN" if x != x else repr(x)


def _raw_one(model: Ensemble, row: tuple[float, ...]) -> float:
    return _compiled(model)(row)


def load_model(path: str | None = None) -> Ensemble:
    """The shipped model (``insight/data/authenticity.npz``), or the one at ``path``."""
    return _load(path)


@lru_cache(maxsize=4)
def _load(path: str | None) -> Ensemble:
    if path is None:
        ref = resources.files("hubbub.insight") / "data" / "authenticity.npz"
        with ref.open("rb") as fh, np.load(fh) as data:
            return _ensemble(dict(data))
    with np.load(path) as data:
        return _ensemble(dict(data))


def _ensemble(data: dict[str, npt.NDArray[np.generic]]) -> Ensemble:
    names = tuple(str(s) for s in data["features"].tolist())
    if names != FEATURES:
        raise ValueError("the authenticity model was trained on other features; retrain it")
    return Ensemble(
        features=names,
        depth=int(data["depth"]),
        baseline=float(data["baseline"]),
        feature=data["feature"].astype(np.intp),
        threshold=data["threshold"].astype(np.float64),
        nan_right=data["nan_right"].astype(np.bool_),
        value=data["value"].astype(np.float64),
    )


def _sigmoid(raw: FloatArray) -> FloatArray:
    out: FloatArray = 1.0 / (1.0 + np.exp(-np.clip(raw, -40.0, 40.0)))
    return out


def scores(
    accounts: Sequence[Account], now: datetime | None = None, model: Ensemble | None = None
) -> FloatArray:
    """Each account's authenticity in [0, 1] (1 authentic); NaN where nothing is known."""
    model = model or load_model()
    out = 1.0 - _sigmoid(model.raw(feature_matrix(accounts, now)))
    unknown = [i for i, a in enumerate(accounts) if not _known(a)]
    out[unknown] = np.nan
    return out


def authenticity(account: Account, now: datetime | None = None) -> float | None:
    """One account's authenticity in [0, 1] (1 authentic), or None when nothing is known."""
    if not _known(account):
        return None
    raw = _raw_one(load_model(), tuple(feature_row(account, now)))
    return round(1.0 - 1.0 / (1.0 + math.exp(-max(min(raw, 40.0), -40.0))), 4)
