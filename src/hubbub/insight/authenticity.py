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
_CHUNK = 2048
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
        return self._walk(x, explain=False)[0]

    def explain(self, x: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Log-odds and each feature's contribution to it, ``(n,)`` and ``(n, features)``."""
        raw, contrib = self._walk(x, explain=True)
        assert contrib is not None
        return raw, contrib

    def _walk(self, x: FloatArray, explain: bool) -> tuple[FloatArray, FloatArray | None]:
        n, width = x.shape
        raw = np.empty(n)
        contrib = np.zeros((n, width)) if explain else None
        for lo in range(0, n, _CHUNK):  # chunks keep the (rows x trees) arrays in cache
            hi = min(lo + _CHUNK, n)
            part = contrib[lo:hi] if contrib is not None else None
            raw[lo:hi] = self._walk_chunk(x[lo:hi], part)
        return raw, contrib

    def _walk_chunk(self, x: FloatArray, contrib: FloatArray | None) -> FloatArray:
        n, width = x.shape
        trees, inner = self.feature.shape
        nodes = self.value.shape[1]
        # Two copies of the columns, NaN as -inf and as +inf: a node whose missing values go
        # right reads the second, so one comparison decides every row (no isnan per step).
        both = np.empty((n, 2 * width))
        both[:, :width] = np.where(np.isnan(x), -np.inf, x)
        both[:, width:] = np.where(np.isnan(x), np.inf, x)
        column, thr, value = self._column.ravel(), self.threshold.ravel(), self.value.ravel()
        inner_base = np.arange(trees, dtype=np.intp) * inner
        node_base = np.arange(trees, dtype=np.intp) * nodes
        rows = (np.arange(n, dtype=np.intp) * (2 * width))[:, None]
        flat = both.ravel()
        idx = np.zeros((n, trees), dtype=np.intp)
        before = value[node_base][None, :] if contrib is not None else None
        for _ in range(self.depth):
            at = inner_base + idx
            col = column[at]
            idx = 2 * idx + 1 + (flat[rows + col] > thr[at])
            if contrib is not None and before is not None:
                after = value[node_base + idx]
                feat = (col % width) + (np.arange(n, dtype=np.intp) * width)[:, None]
                contrib += np.bincount(feat.ravel(), (after - before).ravel(), n * width).reshape(
                    n, width
                )
                before = after
        out: FloatArray = value[node_base + idx].sum(axis=1) + self.baseline
        return out

    @property
    def _column(self) -> npt.NDArray[np.intp]:
        """Per inner node, the column of the doubled matrix it reads (see ``_walk_chunk``)."""
        return _columns(self)

    def raw_one(self, row: Sequence[float]) -> float:
        """:meth:`raw` for one row in plain Python (no per-call numpy overhead)."""
        return _raw_one(self, tuple(row))


@lru_cache(maxsize=4)
def _columns(model: Ensemble) -> npt.NDArray[np.intp]:
    out: npt.NDArray[np.intp] = model.feature + model.nan_right * len(model.features)
    return out


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
