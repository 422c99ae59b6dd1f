from __future__ import annotations

import unicodedata

from hubbub.query import fold, parse, tokenize
from hubbub.query.ast import And, Keyword
from hubbub.query.geo import haversine_km


def test_tokenize_splits_on_punctuation_and_keeps_emoji_whole() -> None:
    assert tokenize("Larkspur's coca-cola, #AVL @Maya!") == [
        "larkspur", "s", "coca", "cola", "avl", "maya",
    ]  # fmt: skip
    assert tokenize("fresh🥐today 👍🏽 🇺🇸 👨‍🍳") == ["fresh", "🥐", "today", "👍🏽", "🇺🇸", "👨‍🍳"]
    assert tokenize("ＡＶＬ Café") == ["avl", "café"]
    assert tokenize("❤️") == tokenize("❤") == ["❤"]


def test_lowercase_or_is_a_word() -> None:
    assert parse("bakery or bread") == And((Keyword("bakery"), Keyword("or"), Keyword("bread")))


def test_haversine_known_distances() -> None:
    assert haversine_km(0, 0, 0, 0) == 0
    # Asheville to Charlotte is about 160 km as the crow flies.
    assert 155 < haversine_km(35.5951, -82.5515, 35.2271, -80.8431) < 165
    # One degree of latitude is ~111.2 km.
    assert abs(haversine_km(10, 20, 11, 20) - 111.19) < 0.1


def test_fold_fast_path_for_ascii_is_the_full_fold() -> None:
    for text in ("AVL Bakery", "Coca-Cola_42", "@Larkspur@Mastodon.Social", "", "ÀVL ＡＶＬ ❤️"):
        full = unicodedata.normalize("NFKC", text).casefold().replace("\ufe0f", "")
        assert fold(text) == full
    # Non-ASCII text is tokenised from its fold: variation selectors never leave empty tokens.
    assert tokenize("a \ufe0f b ❤\ufe0f\ufe0f") == ["a", "b", "❤"]
