"""Praise phrased with a negation is praise; complaints phrased so stay complaints (issue 9).

Before the fix the shipped model called 10 of the 15 praise phrases below negative
(the complaints were all right): the negator weighs negative in training and its
scope ran over the whole clause. Phrases are written here, not taken from the
training data.
"""

from __future__ import annotations

import pytest

from hubbub.insight.sentiment import sentiment
from hubbub.insight.sentiment_features import features, normalise, tokens

PRAISE = [
    "Larkspur never misses, the almond croissant = heaven",
    "Can't stop thinking about the croissant from Larkspur",
    "This bakery never disappoints!",
    "I can't get enough of their sourdough",
    "No complaints at all, the coffee was perfect",
    "Couldn't be happier with my cake order",
    "You can't go wrong with their cinnamon rolls",
    "Never had a better croissant in my life",
    "Not a single bad thing to say about this place",
    "I don't think I've ever had better bread",
    "Can't wait to go back to Larkspur this weekend",
    "Nothing beats a warm baguette from Larkspur",
    "Never fails to make my morning, love this place",
    "Their pastries never get old",
    "Not bad at all, actually really tasty",
    # a negative word taken back by what follows it
    "Ok @larkspurbakes your focaccia is ridiculous. In a good way.",
    "ok @larkspurbakes your sourdough is ridiculous. in a gooood way.",
    "That queue was insane, in the best way",
]
COMPLAINTS = [
    "Never again. Cold coffee and a rude cashier.",
    "Can't recommend this place, the bread was stale",
    "Never going back to Larkspur",
    "I don't like their new menu",
    "The croissant was not good at all",
    "Not worth the money",
    "Wouldn't recommend the cake, dry and bland",
    "Can't believe how rude the staff were",
    "No flavour whatsoever, disappointed",
    "Didn't enjoy the coffee, too bitter",
    "This is ridiculous, waited an hour for a coffee",
]


@pytest.mark.parametrize("text", PRAISE)
def test_negated_praise_is_positive(text: str) -> None:
    s = sentiment(text)
    assert s.label == "positive" and s.score > 0, (text, s)


@pytest.mark.parametrize("text", COMPLAINTS)
def test_negated_complaints_stay_negative(text: str) -> None:
    s = sentiment(text)
    assert s.label == "negative" and s.score < 0, (text, s)


def test_praise_phrase_is_one_token_and_ends_the_negation_scope() -> None:
    toks = tokens(normalise("Can't stop thinking about the croissant"))
    assert toks == ["<negpraise>", "thinking", "about", "the", "croissant"]
    # a negation opened before the phrase ends at it
    toks = tokens(normalise("I don't think I've ever had better bread"))
    assert toks[-2:] == ["<negpraise>", "bread"]
    # "can't recommend ... enough" is praise; "can't recommend" alone a complaint
    assert "<negpraise>" in tokens(normalise("I can't recommend them enough!"))
    complaint = tokens(normalise("can't recommend this place"))
    assert complaint[0] == "<negcomplaint>" and "recommend_neg" in complaint
    # apostrophe-less and curly spellings too
    assert tokens(normalise("cant get enough"))[0] == "<negpraise>"
    assert tokens(normalise("can’t stop smiling"))[0] == "<negpraise>"
    # a word merely containing the letters is left alone
    assert "<negpraise>" not in tokens(normalise("cannot stopwatch"))


def test_negated_words_carry_no_character_ngrams() -> None:
    feats = features("this never fails")  # "fails" alone would bring " fail", "fails " ...
    assert "<negpraise>" in feats and " fail" not in feats and "ails " not in feats
    feats = features("not tasty")
    assert "tasty_neg" in feats and " tas" not in feats and "asty " not in feats
    assert {" tas", "asty "} <= features("tasty")


def test_a_negative_word_taken_back_by_in_a_good_way_is_praise() -> None:
    toks = tokens(normalise("Your focaccia is ridiculous. In a good way."))
    assert toks[3:] == ["<negpraise>", ".", "in", "a", "good", "way", "."]
    # only a negative word, and only right before the phrase
    assert "<negpraise>" not in tokens(normalise("I mean it in a good way"))
    assert "<negpraise>" not in tokens(normalise("ridiculous prices, not in a good way"))
    assert "<negpraise>" not in tokens(normalise("this is ridiculous"))
    # "not bad" is already negated praise: no second token inside it
    assert tokens(normalise("not bad in a good way")) == ["<negpraise>", "in", "a", "good", "way"]
