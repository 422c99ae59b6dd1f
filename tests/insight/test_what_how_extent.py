from __future__ import annotations

from hubbub.insight.extent import extent
from hubbub.insight.how import how
from hubbub.insight.what import key_phrases, what
from hubbub.model import Media, Metrics, Workspace
from tests.query.util import make_post

WS = Workspace("larkspur", "Larkspur Bakery", products=("sourdough", "cinnamon roll", "cold brew"))


def test_what_lists_entities_products_and_terms() -> None:
    p = make_post(
        "Cinnamon rolls? No, a cinnamon roll and #sourdough from @larkspurbakes"
        " https://larkspurbakery.com $BRD"
    )
    w = what(p, WS, ("sourdough", "sourdough", "@larkspurbakes"))
    assert w.hashtags == ("sourdough",) and w.mentions == ("larkspurbakes",)
    assert w.urls == ("https://larkspurbakery.com",) and w.cashtags == ("BRD",)
    assert w.products == ("sourdough", "cinnamon roll")  # "cold brew" absent; hashtag counts
    assert w.matched_terms == ("sourdough", "@larkspurbakes")
    assert what(make_post("#cinnamonroll time"), WS).products == ("cinnamon roll",)


def test_key_phrases_prefer_multiword_content() -> None:
    phrases = key_phrases("The new rosemary focaccia is really good, and the line was short.")
    assert phrases[0] == "new rosemary focaccia"
    assert all(w not in ("the", "is", "and") for p in phrases for w in p.split())
    assert key_phrases("the and of") == ()


def test_how() -> None:
    p = make_post("hi", network="mastodon", reply_to="3", client="Ivory", language="en",
                  media=(Media("link_card", "https://a.b"),))  # fmt: skip
    h = how(p)
    assert (h.network, h.client, h.post_type, h.has_media, h.language) == (
        "mastodon", "Ivory", "reply", False, "en",
    )  # fmt: skip
    assert how(make_post("hi", media=(Media("photo"),))).has_media


def test_extent_skips_unknown_counts() -> None:
    counts = Metrics(likes=10, reposts=None, replies=2, quotes=1, impressions=900)
    p = make_post("hi", account={"followers": 1200}, metrics=counts)
    e = extent(p)
    assert (e.reach, e.engagement, e.impressions) == (1200, 13, 900)
    assert extent(make_post("hi")).reach == 0 and extent(make_post("hi")).impressions is None


def test_key_phrases_ascii_path_splits_as_the_unicode_one() -> None:
    from hubbub.insight import what as what_module

    def split(text: str, clauses: object, words: object) -> list[list[str]]:
        return [words.findall(c) for c in clauses.split(text)]  # type: ignore[attr-defined]

    for code in range(128):
        c = chr(code)
        for text in (f"a{c}b", c, f"x {c} y", f"ab{c}{c}cd", f"one{c}-{c}two", f"it{c}s"):
            fast = split(text, what_module._ASCII_CLAUSE, what_module._ASCII_WORD)
            assert fast == split(text, what_module._CLAUSE, what_module._WORD), repr(text)
    assert key_phrases("Café crème, très bon") == key_phrases.__wrapped__("Café crème, très bon")
