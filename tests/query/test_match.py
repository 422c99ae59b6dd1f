from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub.model import Account, Media, Metrics, Place, Post, Stream
from hubbub.query import QueryError, compile_streams
from tests.query.util import make_post


def matches(query: str, post: Post) -> bool:
    return bool(compile_streams([Stream("s", query)]).match(post))


def terms(query: str, post: Post) -> tuple[str, ...]:
    found = compile_streams([Stream("s", query)]).match(post)
    assert found, f"{query!r} did not match {post.text!r}"
    return found[0].terms


def test_keyword_is_a_whole_word_case_insensitive() -> None:
    p = make_post("Best BAKERY in town, the bakers are lovely")
    assert matches("bakery", p)
    assert not matches("baker", p)
    assert not matches("town's", make_post("in town today"))  # tokens: town, s


def test_keyword_matches_the_same_hashtag_but_hashtag_op_does_not_match_the_word() -> None:
    tagged = make_post("brunch in #Asheville")
    plain = make_post("brunch in Asheville")
    assert matches("asheville", tagged) and matches("asheville", plain)
    assert matches("#asheville", tagged)
    assert not matches("#asheville", plain)
    assert not matches("#ashe", tagged)  # exact, not tokenised


def test_phrase_is_a_run_of_whole_words() -> None:
    p = make_post("Loved the West Asheville farmers market!")
    assert matches('"west asheville"', p)
    assert matches('"west asheville farmers"', p)
    assert not matches('"asheville west"', p)
    assert not matches('"west ash"', p)
    assert matches("coca-cola", make_post("a cold Coca Cola"))


def test_emoji() -> None:
    p = make_post("fresh🍞today")
    assert matches("🍞", p)
    assert not matches("🥐", p)
    assert matches("❤️ bread", make_post("bread ❤"))  # variation selector ignored


def test_urls_are_not_words_but_url_op_matches_them() -> None:
    p = make_post("menu at https://larkspurbakery.com/menu")
    assert not matches("com", p)
    assert matches('url:"larkspurbakery.com"', p)
    assert matches("url:menu", p)
    assert not matches('url:"bakery.com"', p)  # whole tokens of the link
    assert not matches('url:"larkspurbakery.com"', make_post("larkspurbakery rocks"))


def test_mentions_with_instances() -> None:
    masto = make_post("thanks @larkspur@mastodon.social!")
    sky = make_post("hi @larkspurbakery.bsky.social")
    x = make_post("hi @LarkspurBakes")
    assert matches("@larkspur", masto)
    assert matches("@larkspur@mastodon.social", masto)
    assert not matches("@larkspur@other.town", masto)
    assert matches("@larkspurbakery.bsky.social", sky)
    assert not matches("@larkspurbakery", sky)  # not a prefix cut at the dot
    assert matches("@larkspurbakes", x)
    assert not matches("@larkspur", x)


def test_cashtag() -> None:
    assert matches("$SBUX", make_post("coffee $sbux up"))
    assert not matches("$SBUX", make_post("coffee sbux up"))


def test_from_and_to() -> None:
    p = make_post(
        "@larkspurbakes see you", handle="Maya", reply_to="9", reply_to_handle="larkspurbakes"
    )
    assert matches("from:maya", p)
    assert not matches("from:sam", p)
    assert matches("to:larkspurbakes", p)
    masto = make_post("hello", handle="maya@mastodon.social", network="mastodon")
    assert matches("from:maya", masto)
    assert matches("from:maya@mastodon.social", masto)


def test_lang_network_is_has() -> None:
    p = make_post(
        "new bread photo https://x.co/a #bread @sam $BRD",
        language="pt-BR",
        network="mastodon",
        quote_of="5",
        media=(Media("photo"),),
        account={"verified": True},
    )
    for q in [
        "bread lang:pt",
        "bread lang:pt-br",
        "bread network:mastodon",
        "bread is:quote",
        "bread is:verified",
        "bread has:links",
        "bread has:media",
        "bread has:images",
        "bread has:hashtags",
        "bread has:mentions",
        "bread has:cashtags",
    ]:
        assert matches(q, p), q
    for q in [
        "bread lang:en",
        "bread network:x",
        "bread is:reply",
        "bread is:retweet",
        "bread has:geo",
        "bread -is:quote",
    ]:
        assert not matches(q, p), q
    video = make_post("bread", media=(Media("video"),))
    assert matches("bread has:media", video) and not matches("bread has:images", video)
    repost = make_post("bread", repost_of="3")
    assert matches("bread is:retweet", repost) and matches("bread is:repost", repost)


def test_geo_operators() -> None:
    # Larkspur's locale centre; Black Mountain is ~24 km east, Charlotte ~180 km.
    avl = Place(name="Asheville", country_code="US", latitude=35.60, longitude=-82.55)
    black_mtn = Place(
        name="Black Mountain", country_code="US", latitude=35.6179, longitude=-82.3212
    )
    radius = "point_radius:[-82.5515 35.5951 15km]"
    assert matches(radius, make_post("hi", place=avl))
    assert not matches(radius, make_post("hi", place=black_mtn))
    assert matches("point_radius:[-82.5515 35.5951 16mi]", make_post("hi", place=black_mtn))
    assert not matches(radius, make_post("hi"))
    assert matches("hi bounding_box:[-82.6 35.5 -82.5 35.7]", make_post("hi", place=avl))
    assert not matches("hi bounding_box:[-82.6 35.5 -82.5 35.7]", make_post("hi", place=black_mtn))
    assert matches("place_country:us", make_post("hi", place=avl))
    assert not matches("place_country:ca", make_post("hi", place=avl))
    assert matches("hi has:geo", make_post("hi", place=Place(name="Asheville")))


def test_min_counts_skip_unknown_metrics() -> None:
    p = make_post("bread", metrics=Metrics(likes=10, replies=None, reposts=2))
    assert matches("bread min_likes:10", p)
    assert not matches("bread min_likes:11", p)
    assert not matches("bread min_replies:0", p)  # None is unknown, not zero
    assert matches("bread min_reposts:2", p)


def test_boolean_structure() -> None:
    p = make_post("sourdough and croissant")
    assert matches("sourdough croissant", p)
    assert not matches("sourdough baguette", p)
    assert matches("baguette OR croissant", p)
    assert matches("sourdough -baguette", p)
    assert not matches("sourdough -croissant", p)
    assert not matches("sourdough -(croissant OR baguette)", p)
    assert matches("sourdough -(croissant baguette)", p)


def test_terms_are_the_positive_matched_ones() -> None:
    p = make_post("Larkspur Bakery sourdough at #AVL, no baguette")
    assert terms('"larkspur bakery" (sourdough OR focaccia) -rye', p) == (
        "larkspur bakery",
        "sourdough",
    )
    assert terms("avl OR #avl OR asheville", p) == ("avl", "#avl")
    assert terms("sourdough -focaccia OR baguette", p) == ("sourdough", "baguette")


def test_compile_streams_skips_paused_and_names_bad_streams() -> None:
    p = make_post("sourdough")
    m = compile_streams([Stream("on", "sourdough"), Stream("off", "sourdough", paused=True)])
    assert [s.name for s in m.match(p)] == ["on"]
    with pytest.raises(QueryError) as info:
        compile_streams(
            [Stream("ok", "a"), Stream("Broken", "a (b"), Stream("off", ")", paused=True)]
        )
    assert info.value.stream == "Broken" and info.value.column == 3
    assert str(info.value).startswith("stream 'Broken': column 3: unbalanced parenthesis")


def test_post_without_entities_is_refused_clearly() -> None:
    p = make_post("sourdough", entities=False)
    with pytest.raises(ValueError, match="has no entities"):
        compile_streams([Stream("s", "sourdough")]).match(p)


def test_results_keep_stream_order() -> None:
    streams = [Stream(f"s{i}", q) for i, q in enumerate(["b", "a", "a OR b", "c"])]
    p = Post("x", "1", Account("x", "1", "u"), "a b", datetime(2026, 1, 1, tzinfo=UTC))
    p.entities = make_post("a b").entities
    assert [m.name for m in compile_streams(streams).match(p)] == ["s0", "s1", "s2"]
