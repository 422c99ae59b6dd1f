"""How they feel: VADER's rule-based sentiment, the placeholder until the trained model.

VADER (vaderSentiment) is tuned for social media text (emoji, caps, "!!!",
slang, negation) and needs no model download, so it works offline from the
first run. It is the placeholder until the trained model of the insight issue
replaces it behind the same function. Labels follow VADER's own thresholds:
compound >= 0.05 positive, <= -0.05 negative, else neutral; the score is the
compound value in [-1, 1].
"""

from __future__ import annotations

from functools import cache, lru_cache

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

from hubbub.model import Sentiment

__all__ = ["NEGATIVE_AT", "POSITIVE_AT", "analyser", "sentiment"]

POSITIVE_AT = 0.05
NEGATIVE_AT = -0.05


@cache
def analyser() -> SentimentIntensityAnalyzer:
    """The one analyser (loading its lexicon takes ~50 ms, so it is built once, lazily)."""
    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=8192)
def sentiment(text: str) -> Sentiment:
    """Label and score ``text`` (cached: reposts and templates repeat texts, VADER is slow)."""
    compound = float(analyser().polarity_scores(text)["compound"])
    if compound >= POSITIVE_AT:
        return Sentiment("positive", compound)
    if compound <= NEGATIVE_AT:
        return Sentiment("negative", compound)
    return Sentiment("neutral", compound)
