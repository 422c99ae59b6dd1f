from __future__ import annotations

import pytest

from hubbub.insight.intent import intents
from hubbub.model import INTENTS, Entities, Span


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Does @larkspurbakes have gluten-free options", {"question"}),
        ("Is Larkspur open on Thanksgiving?", {"question"}),
        (
            "Can anyone recommend a good bakery in West Asheville? Need a birthday cake",
            {"question", "recommendation_request", "purchase_intent"},
        ),
        (  # "my order": one already placed, not an intent to buy
            "Waited 40 minutes and my order was wrong. Never again, @larkspurbakes",
            {"complaint"},
        ),
        ("@larkspurbakes my focaccia order was wrong AGAIN 😤", {"complaint"}),
        ("Ok @larkspurbakes your focaccia is ridiculous. In a good way.", {"praise"}),
        ("That line was ridiculous, in the best way: worth it", {"praise"}),
        ("This is ridiculous. Waited 40 minutes.", {"complaint"}),
        ("Where is the place to order cakes", {"question", "purchase_intent"}),
        ("Can I order 2 loaves for Saturday?", {"question", "purchase_intent"}),
        ("The croissants were stale and overpriced today 😞", {"complaint"}),
        ("Absolutely love the cinnamon rolls at Larkspur, thank you Maya!", {"praise"}),
        ("Their sourdough is not great honestly", {"other"}),
        ("how much is a wedding cake for 80 people?", {"question", "purchase_intent"}),
        ("I want to buy 3 baguettes for pickup tomorrow", {"purchase_intent"}),
        ("GIVEAWAY 🎉 follow + RT, link in bio, use code BREAD for 20% off", {"spam_promo"}),
        ("Walked past the river arts district this morning", {"other"}),
        ("What's the best bakery in AVL?", {"question", "recommendation_request"}),
        ("Can't stop thinking about that focaccia 💯", {"praise"}),
        ("The fcoaccia at Larkspur is sooo good", {"praise"}),
        ("Paid $27 for a sourdough and it was raw in the middle", {"complaint"}),
        ("Go to @larkspurbakes, thank me later", {"praise"}),
        ("Their cold brew is on point, and a pre-order for Friday is in", {"purchase_intent"}),
    ],
)
def test_hand_written_examples(text: str, expected: set[str]) -> None:
    assert set(intents(text)) == expected


def test_labels_are_in_model_order_and_valid() -> None:
    got = intents("Love it! But where can I get more? Worst wait ever, want to buy 2")
    assert got == ("question", "complaint", "praise", "recommendation_request", "purchase_intent")
    assert all(i in INTENTS for i in got)


def test_many_hashtags_are_promotional() -> None:
    tags = tuple(Span(f"t{i}", 0, 1) for i in range(5))
    assert "spam_promo" in intents("fresh bread", Entities(hashtags=tags))
    assert "spam_promo" not in intents("fresh bread", Entities(hashtags=tags[:4]))


def test_curly_apostrophe() -> None:
    assert "praise" not in intents("it wasn\u2019t great")


def test_entities_add_promotion_to_the_texts_own_intents_in_order() -> None:
    tags = tuple(Span(f"t{i}", 0, 1) for i in range(5))
    plain = intents("Love it! where can I get more?")
    tagged = intents("Love it! where can I get more?", Entities(hashtags=tags))
    assert tagged == (*plain, "spam_promo")
    assert intents("hello there", Entities(hashtags=tags)) == ("spam_promo",)  # not "other"
    assert intents("hello there") == ("other",)
