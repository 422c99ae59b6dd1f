from __future__ import annotations

import pytest

from hubbub.insight.sentiment import analyser, sentiment


@pytest.mark.parametrize(
    "text",
    [
        "I love Larkspur Bakery, the croissants are amazing!",
        "Best sourdough in Asheville 😍 thank you!!",
    ],
)
def test_clearly_positive(text: str) -> None:
    s = sentiment(text)
    assert s.label == "positive" and s.score >= 0.05


@pytest.mark.parametrize(
    "text",
    [
        "Worst service ever. The bread was stale and the staff were rude.",
        "Terrible, disgusting cake. I hate it 😡",
    ],
)
def test_clearly_negative(text: str) -> None:
    s = sentiment(text)
    assert s.label == "negative" and s.score <= -0.05


def test_neutral_and_negation() -> None:
    assert sentiment("The bakery opens at 7 on Main Street.").label == "neutral"
    assert sentiment("The croissant was not good").label == "negative"


def test_score_is_the_compound_and_analyser_is_shared() -> None:
    text = "pretty good bread"
    assert sentiment(text).score == analyser().polarity_scores(text)["compound"]
    assert analyser() is analyser()
