"""Entity linking from stored indices, URL safety and local times."""

from __future__ import annotations

from datetime import UTC, datetime

from hubbub.model import Entities, Span
from hubbub.web.format import entity_href, handle, http_url, linkify, local_time, percent


def test_linkify_links_each_entity_and_escapes_the_rest() -> None:
    text = "<b>hi</b> #Café @bob x.com/a?b=1&c=2 ok"
    ents = Entities(
        hashtags=(Span("Café", 10, 15),),
        mentions=(Span("bob", 16, 20),),
        urls=(Span("x.com/a?b=1&c=2", 21, 36),),
    )
    html = str(linkify(text, ents, "x"))
    assert html.startswith("&lt;b&gt;hi&lt;/b&gt; ")
    assert '<a class="entity hashtag" href="https://x.com/hashtag/Caf%C3%A9"' in html
    assert ">#Café</a>" in html
    assert '<a class="entity mention" href="https://x.com/bob"' in html
    assert 'href="https://x.com/a?b=1&amp;c=2"' in html and ">x.com/a?b=1&amp;c=2</a> ok" in html


def test_linkify_code_point_indices_after_emoji() -> None:
    text = "🥐🥐 #avl"
    html = str(linkify(text, Entities(hashtags=(Span("avl", 3, 7),)), "bluesky"))
    assert html == (
        '🥐🥐 <a class="entity hashtag" href="https://bsky.app/hashtag/avl" '
        'rel="nofollow noopener noreferrer ugc">#avl</a>'
    )


def test_linkify_ignores_bad_or_overlapping_spans_and_unsafe_urls() -> None:
    text = "see javascript:alert(1) #a"
    ents = Entities(
        hashtags=(Span("a", 24, 26), Span("a", 24, 30)),
        urls=(Span("javascript:alert(1)", 4, 23),),
        mentions=(Span("zz", 50, 53),),
    )
    html = str(linkify(text, ents, "x"))
    assert 'href="javascript' not in html
    assert '<span class="entity url">javascript:alert(1)</span>' in html
    assert html.count("<a ") == 1
    assert str(linkify("<i>", None, "x")) == "&lt;i&gt;"


def test_mastodon_and_rss_targets() -> None:
    assert entity_href("mention", "ann@fosstodon.org", "mastodon") == "https://fosstodon.org/@ann"
    assert (
        entity_href("mention", "ann", "mastodon", "me@hachyderm.io") == "https://hachyderm.io/@ann"
    )
    assert (
        entity_href("hashtag", "avl", "mastodon", "me@hachyderm.io")
        == "https://hachyderm.io/tags/avl"
    )
    assert entity_href("hashtag", "avl", "rss") is None
    assert handle("news.example", "rss") == "news.example"
    assert handle("ann", "x") == "@ann"
    assert http_url("javascript:alert(1)") == "" and http_url("HTTPS://a.b") == "HTTPS://a.b"


def test_local_time_and_percent() -> None:
    moment = datetime(2026, 7, 4, 16, 5, tzinfo=UTC)
    assert local_time(moment, "America/New_York") == "Sat Jul 4, 12:05 EDT"
    assert local_time(moment, "UTC") == "Sat Jul 4, 16:05 UTC"
    assert percent(0) == "0%" and percent(0.0456) == "4.6%" and percent(0.5) == "50%"
