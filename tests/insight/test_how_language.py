from __future__ import annotations

import pytest

from hubbub.insight.how import LANGUAGES, detect_language, how
from tests.query.util import make_post


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Best sourdough in Asheville, hands down!", "en"),
        ("¿Dónde puedo comprar pan de masa madre?", "es"),
        ("Je voudrais commander un gâteau pour samedi", "fr"),
        ("Das Brot war leider alt und trocken", "de"),
        ("Adoro questo forno, il pane è ottimo", "it"),
        ("Heerlijk brood bij deze bakker", "nl"),
        ("O pão desta padaria é maravilhoso", "pt"),
        ("Эта пекарня лучшая в городе", "ru"),
        ("このパン屋さん大好きです", "ja"),
    ],
)
def test_detects_hand_written_sentences(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_too_short_or_only_noise_is_none() -> None:
    assert detect_language("lol") is None
    assert detect_language("ok @maya #sourdough https://t.co/abcdefghij") is None


def test_answers_only_within_the_language_set() -> None:
    # Icelandic is not in the set: either unsure (None) or one of the set, never "is".
    got = detect_language("Ég elska þetta bakarí, brauðið er frábært og ferskt")
    assert got is None or got in LANGUAGES


def test_network_language_wins_and_missing_is_filled() -> None:
    text = "Das Brot war leider alt und trocken"
    assert how(make_post(text, language="en")).language == "en"
    assert how(make_post(text)).language == "de"
