"""UTM URLs, short codes, text rewriting, referrers, robots; links made once per network."""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from hubbub.publish.links import (
    agent_class,
    is_bot,
    network_from_referrer,
    new_code,
    rewrite,
    text_for_network,
    track_post_links,
    utm_url,
)
from hubbub.store import Store, upsert_workspace
from hubbub.store import publish as queries
from tests.store.helpers import make_workspace

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


def test_utm_url_adds_and_keeps() -> None:
    url = utm_url("larkspurbakery.com/menu?day=fri", source="x", campaign="spring", content="p-1")
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "larkspurbakery.com", "/menu")
    assert parse_qs(parts.query) == {
        "day": ["fri"],
        "utm_source": ["x"],
        "utm_medium": ["social"],
        "utm_campaign": ["spring"],
        "utm_content": ["p-1"],
    }
    kept = utm_url("https://menu.larkspur.com/?utm_source=newsletter", source="x")
    assert parse_qs(urlsplit(kept).query)["utm_source"] == ["newsletter"]


def test_codes_are_base62_and_distinct() -> None:
    codes = {new_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == 7 and c.isalnum() and c.isascii() for c in codes)


def test_rewrite_replaces_by_span() -> None:
    text = (
        "Menu: https://menu.larkspur.com/m and again https://menu.larkspur.com/m, not https://b.org"
    )
    out = rewrite(text, {"https://menu.larkspur.com/m": "https://hub.larkspur.com/l/abc"})
    assert out == (
        "Menu: https://hub.larkspur.com/l/abc and again https://hub.larkspur.com/l/abc, not https://b.org"
    )


@pytest.mark.parametrize(
    ("referrer", "network"),
    [
        ("https://t.co/xyz", "x"),
        ("https://x.com/larkspur/status/1", "x"),
        ("https://bsky.app/profile/larkspur", "bluesky"),
        ("https://mastodon.social/@larkspur", "mastodon"),
        ("https://toot.mastodon.example/@a", "mastodon"),
        ("https://l.facebook.com/l.php?u=1", "facebook"),
        ("https://www.google.com/", "search"),
        ("https://blog.example/post", "other"),
        ("", None),
    ],
)
def test_network_from_referrer(referrer: str, network: str | None) -> None:
    assert network_from_referrer(referrer) == network


@pytest.mark.parametrize(
    ("agent", "bot", "kind"),
    [
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148", False, "mobile"),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36", False, "desktop"),
        ("Twitterbot/1.0", True, "other"),
        (
            "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
            True,
            "other",
        ),
        ("http.rb/5.1.1 (Mastodon/4.2.1; +https://mastodon.social/)", True, "other"),
        ("Mozilla/5.0 (compatible; Bluesky Cardyb/1.1; +mailto:support@bsky.app)", True, "other"),
        ("curl/8.4.0", True, "other"),
        ("", True, "other"),
    ],
)
def test_robots_and_agent_classes(agent: str, bot: bool, kind: str) -> None:
    assert is_bot(agent) is bot
    assert agent_class(agent) == kind


def test_links_are_made_once_per_url_and_network(store: Store) -> None:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        post_id = queries.create_post(
            conn,
            ws_id,
            text="New menu https://larkspurbakery.com/menu",
            thread=(
                "And https://larkspurbakery.com/menu again, plus https://hub.larkspur.com/l/old",
            ),
            networks=("x", "bluesky"),
            campaign="spring",
            now=NOW,
        )
        post = queries.get_post(conn, post_id)
        assert post is not None
        links = track_post_links(conn, post, base_url="https://hub.larkspur.com/", now=NOW)
        again = track_post_links(conn, post, base_url="https://hub.larkspur.com", now=NOW)
    assert links == again and len(links) == 2  # one URL (our own short link left alone)
    by = {link.network: link for link in links}
    assert parse_qs(urlsplit(by["bluesky"].url).query)["utm_source"] == ["bluesky"]
    assert parse_qs(urlsplit(by["x"].url).query)["utm_campaign"] == ["spring"]
    out = text_for_network(post.text, links, "x", "https://hub.larkspur.com")
    assert out == f"New menu https://hub.larkspur.com/l/{by['x'].code}"


def test_opted_out_or_no_base_url_makes_no_links(store: Store) -> None:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        post_id = queries.create_post(
            conn, ws_id, text="https://menu.larkspur.com", track_links=False, now=NOW
        )
        post = queries.get_post(conn, post_id)
        assert post is not None
        assert track_post_links(conn, post, base_url="https://hub.larkspur.com", now=NOW) == []
        other = queries.get_post(
            conn, queries.create_post(conn, ws_id, text="https://menu.larkspur.com", now=NOW)
        )
        assert other is not None
        assert track_post_links(conn, other, base_url="", now=NOW) == []


def test_clicks_by_campaign_and_post() -> None:
    from hubbub.publish.links import clicks_by
    from hubbub.store.publish import LinkStat

    stats = [
        LinkStat("a", "u", "spring", 1, "x", 5),
        LinkStat("b", "u", "spring", 1, "bluesky", 2),
        LinkStat("c", "v", "", 2, "x", 9),
        LinkStat("d", "w", "fall", None, None, 0),
    ]
    assert clicks_by(stats, "campaign") == [("spring", 7), ("fall", 0)]
    assert clicks_by(stats, "post") == [("post-2", 9), ("post-1", 7)]
