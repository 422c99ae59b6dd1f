"""How they feel: a linear model trained on SemEval tweets, shipped in the package.

Why this model: the pipeline's budget is thousands of posts per second per core,
which rules out running a transformer on every post; VADER (the rule-based
placeholder this replaced) is fast but scores macro-recall 0.57-0.6 on TweetEval.
A linear model over tweet-aware sparse features
(:mod:`hubbub.insight.sentiment_features`: words, bigrams, negation scope, emoji,
character n-grams, VADER-lexicon sums) trained on SemEval-2013..2016 by
``scripts/train_sentiment.py`` (one-vs-rest NB-SVM: linear SVMs on features
scaled by naive-Bayes log-count ratios, folded back into one weight matrix) is far
more accurate: on TweetEval sentiment val, macro-averaged recall 0.71 against
VADER's 0.60, at ~11k tweets/s per core in a batch, ~0.45x VADER's speed
(``bench/sentiment.py``; docs/insight.md). A sentence-
embedding tier for unsure posts was measured and left out: all-MiniLM-L6-v2 runs
at ~93 tweets/s per core, so at 5,000 tweets/s it could see under 1% of posts;
a logistic regression on its embeddings scores 0.67 alone, and averaged with this
model moves val macro-recall by -0.002 on the 0.75% least sure posts and +0.003
even on every post.

Why evaluated by hand rather than with scikit-learn: the model is a vocabulary
(feature string -> row) and a weight matrix, so scoring is a dictionary lookup
per feature and one sum; numpy does that directly, without a training library
at run time. The file ``data/sentiment.npz`` holds the vocabulary as one
newline-joined UTF-8 byte array, ``weights`` (features x 3, idf folded in),
``idf`` (for the L2 norm of each tweet's vector) and ``bias`` (the fitted
intercepts plus the offsets tuned for macro-averaged recall), and the rows of each
token seen in two or more training tweets (``tokens``, ``token_offsets``,
``token_rows``: derived from the vocabulary, shipped so a fresh process need not
build them); ``sentiment.json`` beside it records the training run's settings and
val figures.

Label: the class with the highest score (negative, neutral, positive). Score:
P(positive) - P(negative), in [-1, 1], P the softmax of the class scores (their
scale fitted for the least log-loss on held-out training tweets).
``vader_sentiment`` keeps VADER for the benchmark and as a comparison.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from hubbub.insight.sentiment_features import parts, word_features
from hubbub.model import Sentiment, SentimentLabel

__all__ = [
    "LABELS",
    "NEGATIVE_AT",
    "POSITIVE_AT",
    "SentimentModel",
    "forget_sentiments",
    "load_model",
    "model",
    "sentiment",
    "sentiments",
    "vader_analyser",
    "vader_sentiment",
]

LABELS: tuple[SentimentLabel, SentimentLabel, SentimentLabel] = ("negative", "neutral", "positive")
POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05

Floats = npt.NDArray[np.float32]
_TOKEN_CACHE = 50_000  # distinct tokens whose feature rows are kept (~10 MB at most)
_INT_SIZE = array("i").itemsize
_ROW0 = array("i", [0]).tobytes()
_FIRST = np.zeros(1, dtype=np.intp)


@dataclass(frozen=True)
class SentimentModel:
    """A linear model over :func:`~hubbub.insight.sentiment_features.features`: vocabulary,
    weights, idf and biases."""

    vocab: dict[str, int]
    weights: Floats  # (features, 3), idf already multiplied in
    idf_sq: Floats  # (features,) idf squared, for each tweet's L2 norm
    bias: Floats  # (3,)

    known_rows: dict[str, bytes] = field(default_factory=dict, compare=False)
    token_rows: dict[str, bytes] = field(default_factory=dict, compare=False)

    def _token(self, token: str) -> bytes:
        """The sorted rows of ``token``'s known :func:`word_features`, as native int32 bytes
        (cached: tweets reuse a small vocabulary, and bytes join without a Python loop).

        The training tokens' rows ship with the model (``known_rows``); others are built.
        """
        cache = self.token_rows
        if len(cache) >= _TOKEN_CACHE:
            cache.clear()
        packed = self.known_rows.get(token)
        if packed is None:
            rows = set(map(self.vocab.get, word_features(token)))
            rows.discard(None)
            packed = array("i", sorted(rows)).tobytes()  # type: ignore[type-var]
        cache[token] = packed
        return packed

    def _packed(self, text: str) -> bytes:
        """The rows of ``text``'s known features as int32 bytes, repeats included (the
        batch removes them): its tokens' cached rows, then its context features'."""
        toks, context = parts(text)
        cache_get = self.token_rows.get
        pieces = [cache_get(tok) or self._token(tok) for tok in toks]
        get = self.vocab.get
        pieces.append(array("i", [i for i in map(get, context) if i is not None]).tobytes())
        return b"".join(pieces)

    def indices(self, text: str) -> list[int]:
        """The rows of ``text``'s known features, each once (binary features), sorted:
        ``features(text)`` looked up in the vocabulary."""
        return sorted(set(np.frombuffer(self._packed(text), dtype=np.intc).tolist()))

    def scores(self, texts: Sequence[str]) -> Floats:
        """Decision scores (texts x 3): one gather and one segmented sum for the whole batch.

        Each text's rows are deduplicated and sorted for the whole batch at once (one
        stable sort of text x row keys, nearly sorted already), so each text's sum
        runs over its rows in ascending order: the same sums, bit for bit, however
        the text is batched and in every process. A lone text (the one-by-one path)
        is sorted on its own, with the same segmented sums.
        """
        n = len(texts)
        if not n:
            return np.zeros((0, 3), dtype=np.float32)
        blobs = [self._packed(text) for text in texts]
        if n == 1 and blobs[0]:  # one text (the one-by-one path): far fewer numpy calls
            take = np.sort(np.frombuffer(blobs[0], dtype=np.intc))
            keep = np.empty(len(take), dtype=bool)
            keep[0] = True
            np.not_equal(take[1:], take[:-1], out=keep[1:])
            take = take[keep]
            sums = np.add.reduceat(self.weights[take], _FIRST, axis=0)
            norms = np.sqrt(np.add.reduceat(self.idf_sq[take], _FIRST))
            one: Floats = (sums / norms[:, None] + self.bias).astype(np.float32)
            return one
        sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=n) // _INT_SIZE
        empty = sizes == 0
        if empty.any():  # a placeholder row for a text with no known feature, zeroed below
            blobs = [b or _ROW0 for b in blobs]
            sizes[empty] = 1
        width = np.int64(self.weights.shape[0])
        keys = np.frombuffer(b"".join(blobs), dtype=np.intc).astype(np.int64)
        keys += np.repeat(np.arange(n, dtype=np.int64) * width, sizes)
        keys.sort(kind="stable")  # runs of sorted rows: a near-linear merge
        keep = np.empty(len(keys), dtype=bool)
        keep[0] = True
        np.not_equal(keys[1:], keys[:-1], out=keep[1:])
        keys = keys[keep]
        which = keys // width
        take = keys - which * width
        starts = np.searchsorted(which, np.arange(n, dtype=np.int64))
        sums = np.add.reduceat(self.weights[take], starts, axis=0)
        norms = np.sqrt(np.add.reduceat(self.idf_sq[take], starts))
        norms[empty] = 1.0
        sums[empty] = 0.0
        out: Floats = (sums / norms[:, None] + self.bias).astype(np.float32)
        return out

    def predict(self, texts: Sequence[str]) -> list[Sentiment]:
        """A Sentiment per text, in order."""
        scores = self.scores(texts)
        if not len(scores):
            return []
        shifted = np.exp(scores - scores.max(axis=1, keepdims=True))
        probs = shifted / shifted.sum(axis=1, keepdims=True)
        polarity = np.clip(probs[:, 2] - probs[:, 0], -1.0, 1.0)
        best = scores.argmax(axis=1)
        return [
            Sentiment(LABELS[int(b)], round(float(p), 4))
            for b, p in zip(best, polarity, strict=True)
        ]


def load_model(path: Path | None = None) -> SentimentModel:
    """Read a model file (default: the one shipped in the package)."""
    if path is None:
        ref = resources.files("hubbub.insight") / "data" / "sentiment.npz"
        with ref.open("rb") as fh, np.load(fh) as data:
            arrays = dict(data)
    else:
        with np.load(path) as data:
            arrays = dict(data)
    words = arrays["vocab"].tobytes().decode("utf-8").split("\n")
    weights = arrays["weights"].astype(np.float32)
    if len(words) != weights.shape[0]:
        raise ValueError(
            f"{path or 'sentiment.npz'}: vocab has {len(words)} entries, weights "
            f"{weights.shape[0]} rows"
        )
    idf = arrays["idf"].astype(np.float32)
    return SentimentModel(
        vocab={w: i for i, w in enumerate(words)},
        weights=weights,
        idf_sq=idf * idf,
        bias=arrays["bias"].astype(np.float32),
        known_rows=_known_rows(arrays, len(words), path),
    )


def _known_rows(
    arrays: dict[str, npt.NDArray[Any]], width: int, path: Path | None
) -> dict[str, bytes]:
    """The shipped training tokens' rows (see ``token_table`` in the training script), as
    native int32 bytes; none in a model file without them."""
    if "tokens" not in arrays:
        return {}
    tokens = arrays["tokens"].tobytes().decode("utf-8").split("\n")
    offsets = arrays["token_offsets"].astype(np.int64)
    rows = arrays["token_rows"].astype(np.intc)
    if len(offsets) != len(tokens) + 1 or offsets[-1] != len(rows) or (rows >= width).any():
        raise ValueError(f"{path or 'sentiment.npz'}: its token table does not fit its vocab")
    blob = rows.tobytes()
    size = rows.itemsize
    bounds = (offsets * size).tolist()
    return {tok: blob[a:b] for tok, a, b in zip(tokens, bounds, bounds[1:], strict=False)}


@cache
def model() -> SentimentModel:
    """The shipped model, loaded once on first use (about 0.2 s)."""
    return load_model()


#: Texts already scored, by either path, so a repost seen in a later batch is not
#: scored again (bounded: emptied when full).
_FELT: dict[str, Sentiment] = {}
_FELT_LIMIT = 16_384


def _remember(texts: Sequence[str], felt: Sequence[Sentiment]) -> None:
    if len(texts) > _FELT_LIMIT:  # a huge batch: its last texts only
        texts, felt = texts[-_FELT_LIMIT:], felt[-_FELT_LIMIT:]
    if len(_FELT) + len(texts) > _FELT_LIMIT:
        _FELT.clear()
    _FELT.update(zip(texts, felt, strict=True))


def forget_sentiments() -> None:
    """Empty the memo of scored texts (see :func:`hubbub.insight.clear_caches`)."""
    _FELT.clear()


def sentiment(text: str) -> Sentiment:
    """Label and score ``text`` (remembered: reposts and templates repeat texts)."""
    found = _FELT.get(text)
    if found is None:
        found = model().predict([text])[0]
        _remember([text], [found])
    return found


def sentiments(texts: Sequence[str]) -> list[Sentiment]:
    """Label and score many texts at once (faster per text than :func:`sentiment`).

    A text repeated in the batch (reposts, templates), or scored before, is scored once.
    """
    get = _FELT.get
    found = [get(t) for t in texts]
    todo = list(dict.fromkeys(t for t, f in zip(texts, found, strict=True) if f is None))
    if not todo:  # every one remembered
        return [f for f in found if f is not None]
    scored = dict(zip(todo, model().predict(todo), strict=True))
    _remember(todo, list(scored.values()))
    return [f if f is not None else scored[t] for t, f in zip(texts, found, strict=True)]


@cache
def vader_analyser() -> SentimentIntensityAnalyzer:
    """VADER's one analyser (its lexicon loads in ~50 ms, so it is built once, lazily)."""
    return SentimentIntensityAnalyzer()


def vader_sentiment(text: str) -> Sentiment:
    """VADER's label (compound >= 0.05 positive, <= -0.05 negative) and compound score."""
    compound = float(vader_analyser().polarity_scores(text)["compound"])
    if compound >= POSITIVE_AT:
        return Sentiment("positive", compound)
    if compound <= NEGATIVE_AT:
        return Sentiment("negative", compound)
    return Sentiment("neutral", compound)
