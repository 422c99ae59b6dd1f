"""Hand-written cases for hubbub.text, so a lone clone (no ../shared/data) still
checks the essentials: entities and their indices, replies, weighted length,
validation, autolink escaping and highlighting."""

from __future__ import annotations

import pytest

from hubbub.model import Entities, Span
from hubbub.text import (
    LinkOptions,
    analyze,
    autolink,
    extract_entities,
    extract_reply_screen_name,
    highlight,
    is_valid_hashtag,
    is_valid_url,
    is_valid_username,
    parse_tweet,
)
from hubbub.text import extract as ex

POST = (
    "@larkspurbakes the #croissant at https://larkspurbakery.com/menu beats $SBUX, ask @avlfoodie"
)


def test_extract_entities_kinds_and_code_point_indices() -> None:
    e = extract_entities(POST)
    assert e.mentions == (Span("larkspurbakes", 0, 14), Span("avlfoodie", 82, 92))
    assert e.hashtags == (Span("croissant", 19, 29),)
    assert e.urls == (Span("https://larkspurbakery.com/menu", 33, 64),)
    assert e.cashtags == (Span("SBUX", 71, 76),)
    assert e.reply == "larkspurbakes"
    for span in (*e.mentions, *e.hashtags, *e.cashtags):
        assert POST[span.start + 1 : span.end] == span.text  # sigil excluded from text


def test_indices_count_code_points_past_astral_characters() -> None:
    text = "🥐🥐 #avl @larkspurbakes"
    e = extract_entities(text)
    assert e.hashtags == (Span("avl", 3, 7),)
    assert e.mentions == (Span("larkspurbakes", 8, 22),)


def test_no_entities_gives_empty_and_no_reply() -> None:
    assert extract_entities("just a plain sentence. nothing here") == Entities()
    assert extract_entities("") == Entities()


@pytest.mark.parametrize(
    ("text", "reply"),
    [
        ("@larkspurbakes thanks!", "larkspurbakes"),
        ("  @larkspurbakes thanks!", "larkspurbakes"),
        ("thanks @larkspurbakes", None),
        ("@larkspurbakes@mastodon.social hi", None),  # a fediverse address is not a reply
        (".@larkspurbakes hi", None),
    ],
)
def test_reply(text: str, reply: str | None) -> None:
    assert extract_reply_screen_name(text) == reply
    assert extract_entities(text).reply == reply


def test_email_and_accented_tail_are_not_mentions() -> None:
    assert extract_entities("write to orders@larkspurbakery.com").mentions == ()
    assert extract_entities("@josé hi").mentions == ()


def test_hashtag_rules() -> None:
    assert [s.text for s in extract_entities("#1st #2024 #café #東京 a#b").hashtags] == [
        "1st",
        "café",
        "東京",
    ]


def test_url_without_protocol_and_hashtag_in_url_fragment() -> None:
    e = extract_entities("menu at larkspurbakery.com/menu#today and foo.notatld")
    assert [s.text for s in e.urls] == ["larkspurbakery.com/menu#today"]
    assert e.hashtags == ()


def test_tco_slug_limit() -> None:
    assert ex.extract_urls("https://t.co/" + "a" * 40) == ["https://t.co/" + "a" * 40]
    assert ex.extract_urls("https://t.co/" + "a" * 41) == []


def test_list_reference_is_a_mention_of_the_user() -> None:
    found = ex.extract_mentions_or_lists_with_indices("see @larkspurbakes/regulars")
    assert [(e.value, e.list_slug, e.start, e.end) for e in found] == [
        ("larkspurbakes", "/regulars", 4, 27)
    ]
    assert extract_entities("see @larkspurbakes/regulars").mentions == (
        Span("larkspurbakes", 4, 18),
    )


def test_weighted_length_ascii_cjk_url_emoji() -> None:
    assert parse_tweet("hello").weighted_length == 5
    assert parse_tweet("東京").weighted_length == 4  # CJK weighs 2
    url = "https://example.com/" + "x" * 100
    assert parse_tweet(url).weighted_length == 23  # every URL counts 23
    family = "👨\u200d👩\u200d👧\u200d👦"
    assert parse_tweet(family, "v3").weighted_length == 2  # one emoji sequence
    assert parse_tweet(family, "v2").weighted_length == 11  # 4 x 2 + 3 ZWJ x 1


def test_overflow_ranges_are_utf16_and_inclusive() -> None:
    result = parse_tweet("a" * 281)
    assert (result.weighted_length, result.valid, result.permillage) == (281, False, 1003)
    assert (result.display_range_end, result.valid_range_end) == (280, 279)
    emoji = parse_tweet("😷" * 141, "v3")
    assert (emoji.display_range_end, emoji.valid_range_end) == (281, 279)


def test_invalid_character_and_empty_text() -> None:
    assert not parse_tweet("abc\ufffe").valid
    empty = parse_tweet("")
    assert (empty.weighted_length, empty.valid) == (0, False)


def test_unknown_config_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown twitter-text config 'v9'"):
        parse_tweet("x", "v9")


def test_analyze_equals_separate_calls() -> None:
    for text in (POST, "café crème 🥐 larkspurbakery.com", "é\u0301 http://a.co/x"):
        assert analyze(text) == (extract_entities(text), parse_tweet(text))


def test_validators() -> None:
    assert is_valid_username("@larkspurbakes")
    assert not is_valid_username("@lark-spur")
    assert is_valid_hashtag("#avl") and not is_valid_hashtag("#2024")
    assert is_valid_url("https://larkspurbakery.com/menu?day=mon")
    assert not is_valid_url("ftp://larkspurbakery.com/")
    assert is_valid_url("larkspurbakery.com", require_protocol=False)


def test_autolink_links_and_escapes_text() -> None:
    html = autolink("<b>hi</b> @larkspurbakes #avl https://larkspurbakery.com/?a=1&b=2")
    assert html.startswith('&lt;b&gt;hi&lt;/b&gt; @<a class="tweet-url username"')
    assert 'href="https://twitter.com/larkspurbakes"' in html
    assert 'href="https://twitter.com/search?q=%23avl"' in html
    assert 'href="https://larkspurbakery.com/?a=1&amp;b=2"' in html
    assert html.count('rel="nofollow"') == 3


def test_autolink_from_model_entities_with_other_bases() -> None:
    text = "hi @alice #avl larkspurbakery.com"
    opts = LinkOptions(
        username_url_base="https://mastodon.social/@",
        hashtag_url_base="https://mastodon.social/tags/",
        nofollow=False,
    )
    html = autolink(text, extract_entities(text), opts)
    assert '<a class="tweet-url username" href="https://mastodon.social/@alice">alice</a>' in html
    assert 'href="https://mastodon.social/tags/avl"' in html
    assert '<a href="http://larkspurbakery.com">larkspurbakery.com</a>' in html


def test_highlight_counts_text_not_markup() -> None:
    assert highlight("best croissant in town", [(5, 14)]) == "best <em>croissant</em> in town"
    linked = '<a href="x">croissant</a> rocks'
    assert highlight(linked, [(10, 15)]) == '<a href="x">croissant</a> <em>rocks</em>'
