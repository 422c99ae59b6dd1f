"""Mastodon Status/Account JSON as Post/Account, and streams as Mastodon feeds.

The payloads below follow the entity examples of the Mastodon API documentation
(docs.joinmastodon.org/entities/Status, /Account, /MediaAttachment, /PreviewCard):
field names, HTML as Mastodon renders it (``h-card`` mentions, ``invisible`` and
``ellipsis`` spans in links, ``mention hashtag`` links), ids as strings.
"""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from hubbub.model import Provenance, Stream, Workspace
from hubbub.pipeline import process
from hubbub.sources.base import SourceError
from hubbub.sources.mastodon.mapping import (
    MappingError,
    account_from_json,
    html_text,
    status_post,
    statuses_posts,
)
from hubbub.sources.mastodon.plan import Feed, plan_feeds, stream_terms

ACCOUNT: dict[str, Any] = {
    "id": "23634",
    "username": "noiob",
    "acct": "noiob@awoo.space",
    "display_name": "ikea shark fan account",
    "locked": False,
    "bot": False,
    "discoverable": True,
    "group": False,
    "created_at": "2017-02-08T02:00:53.274Z",
    "note": (
        "<p>:ms_rainbow_flag:\u200b :ms_bisexual_flagweb:\u200b :ms_nonbinary_flag:\u200b "
        '<a href="https://awoo.space/tags/awoo" class="mention hashtag" '
        'rel="nofollow noopener noreferrer" target="_blank">#<span>awoo</span></a>.space '
        '<a href="https://awoo.space/tags/bi" class="mention hashtag" '
        'rel="nofollow noopener noreferrer" target="_blank">#<span>bi</span></a>'
        "<br />she/her</p>"
    ),
    "url": "https://awoo.space/@noiob",
    "avatar": "https://files.mastodon.social/accounts/avatars/000/023/634/original/6ca8804dc46800ad.png",
    "header": "https://files.mastodon.social/accounts/headers/000/023/634/original/256eb8d7ac40f49a.png",
    "followers_count": 547,
    "following_count": 404,
    "statuses_count": 28468,
    "last_status_at": "2019-11-17",
    "emojis": [],
    "fields": [
        {"name": "Pronouns", "value": "she/her", "verified_at": None},
        {"name": "Location", "value": "Asheville, NC", "verified_at": None},
        {
            "name": "Website",
            "value": (
                '<a href="https://noiob.example/" rel="nofollow noopener noreferrer me" '
                'target="_blank"><span class="invisible">https://</span>'
                '<span class="">noiob.example/</span><span class="invisible"></span></a>'
            ),
            "verified_at": "2019-07-15T18:29:57.191+00:00",
        },
    ],
}

LOCAL_ACCOUNT = {
    "id": "1",
    "username": "Gargron",
    "acct": "Gargron",
    "display_name": "Eugen",
    "locked": False,
    "bot": False,
    "created_at": "2016-03-16T14:34:26.392Z",
    "note": "<p>Developer of Mastodon and administrator of mastodon.social.</p>",
    "url": "https://mastodon.social/@Gargron",
    "avatar": "https://files.mastodon.social/accounts/avatars/000/000/001/original/d96d39a0abb45b92.jpg",
    "header": "https://mastodon.social/headers/original/missing.png",
    "followers_count": 322930,
    "following_count": 459,
    "statuses_count": 61323,
    "emojis": [],
    "fields": [],
}

STATUS: dict[str, Any] = {
    "id": "103270115826048975",
    "created_at": "2019-12-08T03:48:33.901Z",
    "in_reply_to_id": "103270100000000000",
    "in_reply_to_account_id": "23634",
    "sensitive": False,
    "spoiler_text": "",
    "visibility": "public",
    "language": "en",
    "uri": "https://mastodon.social/users/Gargron/statuses/103270115826048975",
    "url": "https://mastodon.social/@Gargron/103270115826048975",
    "replies_count": 5,
    "reblogs_count": 6,
    "favourites_count": 11,
    "edited_at": None,
    "content": (
        '<p><span class="h-card" translate="no"><a href="https://awoo.space/@noiob" '
        'class="u-url mention">@<span>noiob</span></a></span> '
        '<span class="h-card" translate="no"><a href="https://mastodon.social/@Larkspur" '
        'class="u-url mention">@<span>Larkspur</span></a></span> '
        "&quot;I lost my inheritance with one wrong digit on my sort code&quot; &amp; more "
        '<a href="https://mastodon.social/tags/Sourdough" class="mention hashtag" rel="tag">'
        "#<span>Sourdough</span></a></p>"
        '<p><a href="https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance'
        '-with-one-wrong-digit-on-my-sort-code" rel="nofollow noopener noreferrer" '
        'target="_blank"><span class="invisible">https://www.</span><span class="ellipsis">'
        'theguardian.com/money/2019/dec</span><span class="invisible">/07/i-lost-my-193000-'
        "inheritance-with-one-wrong-digit-on-my-sort-code</span></a><br />second line</p>"
    ),
    "reblog": None,
    "application": {"name": "Tusky", "website": "https://tusky.app"},
    "account": LOCAL_ACCOUNT,
    "media_attachments": [
        {
            "id": "22345792",
            "type": "image",
            "url": "https://files.mastodon.social/media_attachments/files/022/345/792/original/57859aede991da25.jpeg",
            "preview_url": "https://files.mastodon.social/media_attachments/files/022/345/792/small/57859aede991da25.jpeg",
            "remote_url": None,
            "text_url": "https://mastodon.social/media/2N4uvkuUtPVrkZGysms",
            "meta": {"original": {"width": 640, "height": 480}},
            "description": "test media description",
            "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}",
        },
        {
            "id": "21130559",
            "type": "gifv",
            "url": "https://files.mastodon.social/media_attachments/files/021/130/559/original/bc84838f77991326.mp4",
            "preview_url": "https://files.mastodon.social/media_attachments/files/021/130/559/small/bc84838f77991326.png",
            "remote_url": None,
            "description": None,
        },
    ],
    "mentions": [
        {
            "id": "23634",
            "username": "noiob",
            "url": "https://awoo.space/@noiob",
            "acct": "noiob@awoo.space",
        },
        {
            "id": "77",
            "username": "Larkspur",
            "url": "https://mastodon.social/@Larkspur",
            "acct": "Larkspur",
        },
    ],
    "tags": [{"name": "sourdough", "url": "https://mastodon.social/tags/sourdough"}],
    "emojis": [],
    "card": {
        "url": "https://www.theguardian.com/money/2019/dec/07/i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code",
        "title": "‘I lost my £193,000 inheritance – with one wrong digit on my sort code’",
        "type": "link",
    },
    "poll": None,
}
PROVENANCE = Provenance("mastodon:timelines", "https://mastodon.social/api/v1/timelines/tag/x")
GUARDIAN = (
    "https://www.theguardian.com/money/2019/dec/07/"
    "i-lost-my-193000-inheritance-with-one-wrong-digit-on-my-sort-code"
)


def test_a_documented_status_maps_every_field() -> None:
    post = status_post(STATUS, PROVENANCE)
    assert post.network == "mastodon" and post.id == "103270115826048975"
    assert post.text == (
        "@noiob@awoo.space @Larkspur@mastodon.social "
        '"I lost my inheritance with one wrong digit on my sort code" & more #Sourdough\n\n'
        f"{GUARDIAN}\nsecond line"
    )
    assert post.created == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=UTC)
    assert post.language == "en"
    assert post.url == "https://mastodon.social/@Gargron/103270115826048975"
    assert post.reply_to == "103270100000000000"
    assert post.reply_to_handle == "noiob@awoo.space"
    assert post.repost_of is None and post.post_type == "reply"
    assert post.client == "Tusky"
    assert (post.metrics.likes, post.metrics.reposts, post.metrics.replies) == (11, 6, 5)
    assert post.metrics.quotes is None and post.metrics.impressions is None
    assert [(m.kind, m.alt) for m in post.media] == [
        ("photo", "test media description"),
        ("animated_gif", ""),
        ("link_card", "‘I lost my £193,000 inheritance – with one wrong digit on my sort code’"),
    ]
    assert post.raw is STATUS and post.provenance is PROVENANCE
    author = post.author
    assert author.handle == "Gargron@mastodon.social" and author.id == "1"
    assert author.name == "Eugen" and author.followers == 322930 and author.posts == 61323
    assert author.bio == "Developer of Mastodon and administrator of mastodon.social."
    assert author.default_profile is True and author.default_avatar is False
    assert author.created == datetime(2016, 3, 16, 14, 34, 26, 392000, tzinfo=UTC)


def test_entities_are_found_in_the_text_with_full_handles() -> None:
    post = status_post(STATUS)
    ents = post.entities
    assert ents is not None
    # every span points at its own text, counted in code points
    assert [post.text[s.start : s.end] for s in ents.mentions] == [
        "@noiob@awoo.space",
        "@Larkspur@mastodon.social",
    ]
    assert [s.text for s in ents.mentions] == ["noiob@awoo.space", "Larkspur@mastodon.social"]
    assert [(s.text, post.text[s.start : s.end]) for s in ents.hashtags] == [
        ("Sourdough", "#Sourdough")
    ]
    assert [s.text for s in ents.urls] == [GUARDIAN]
    assert ents.reply == "noiob@awoo.space"


def test_an_account_keeps_its_instance_location_and_website() -> None:
    account = account_from_json(ACCOUNT)
    assert account.handle == "noiob@awoo.space" and account.id == "23634"
    assert account.location == "Asheville, NC"
    assert account.url == "https://noiob.example/"
    assert account.bio.endswith("#awoo.space #bi\nshe/her")
    assert (account.followers, account.following) == (547, 404)
    assert account.default_profile is False


def test_a_boost_is_a_repost_with_the_boosted_text_and_a_warning_comes_first() -> None:
    original = copy.deepcopy(STATUS)
    original["spoiler_text"] = "money, bank"
    boost = {
        **{k: STATUS[k] for k in ("created_at", "visibility", "uri", "url", "account")},
        "id": "103270200000000000",
        "content": "",
        "reblog": original,
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "mentions": [],
        "media_attachments": [],
        "application": None,
        "reblogs_count": 0,
        "favourites_count": 0,
        "replies_count": 0,
    }
    post = status_post(boost)
    assert post.post_type == "repost" and post.repost_of == "103270115826048975"
    assert post.text.startswith("money, bank\n\n@noiob@awoo.space @Larkspur@mastodon.social")
    assert post.entities is not None
    assert [post.text[s.start : s.end] for s in post.entities.mentions] == [
        "@noiob@awoo.space",
        "@Larkspur@mastodon.social",
    ]
    assert len(post.media) == 3 and post.client == ""
    assert post.metrics.likes == 0


def test_html_edge_cases() -> None:
    text, spans = html_text('<p>a <a href="https://x.example/page">read this</a></p><p></p>')
    assert text == "a read this (https://x.example/page)" and spans == ()
    text, _ = html_text("<p>one</p>\n<p>  two   words </p>")
    assert text == "one\n\ntwo words"
    text, spans = html_text(
        '<p><a href="https://h.example/@ann" class="u-url mention">@ann</a></p>'
    )
    assert text == "@ann@h.example" and spans[0].text == "ann@h.example"


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id": None}, "status has no id"),
        ({"created_at": "yesterday"}, "status 103270115826048975: created_at 'yesterday'"),
        ({"account": None}, "status 103270115826048975: account is missing"),
        ({"content": None}, "status 103270115826048975: content is missing"),
    ],
)
def test_a_bad_status_names_the_field(change: dict[str, Any], reason: str) -> None:
    bad = {**STATUS, **change}
    with pytest.raises(MappingError, match=reason):
        status_post(bad)
    posts, problems = statuses_posts([STATUS, bad, "nonsense"])
    assert [p.id for p in posts] == ["103270115826048975"]
    assert problems[0].startswith(reason[:20]) and problems[1] == "expected a status object"


def test_the_pipeline_matches_a_mastodon_post_on_its_full_handle_and_tag() -> None:
    ws = Workspace(
        "larkspur",
        "Larkspur",
        handles={"mastodon": "Larkspur@mastodon.social"},
        streams=(
            Stream("Brand", "@Larkspur@mastodon.social", "brand"),
            Stream("Bread", "#sourdough", "industry"),
            Stream("Other", "@Larkspur@other.example", "competitor"),
        ),
    )
    (mention,) = process([status_post(STATUS)], ws)
    assert sorted(mention.streams) == ["Brand", "Bread"]
    assert mention.insight.how.client == "Tusky" and mention.insight.how.post_type == "reply"


# --- streams as feeds --------------------------------------------------------------------

BRAND = (
    '"Larkspur Bakery" OR @larkspur@mastodon.social OR #larkspurbakery OR '
    'url:"larkspurbakery.com" OR (larkspur (bread OR bakery))'
)


def test_streams_become_tag_timelines_searches_and_the_public_timeline() -> None:
    streams = [
        Stream("Brand", BRAND, "brand"),
        Stream("Bread", "(sourdough OR #croissant) -rye lang:en", "industry"),
        Stream("X only", "network:x bread"),
        Stream("Paused", "#paused", paused=True),
    ]
    feeds = plan_feeds(streams, can_search=True)
    assert feeds == [
        Feed("tag", "larkspurbakery"),
        Feed("tag", "croissant"),
        Feed("search", '"larkspur bakery"'),
        Feed("search", "@larkspur@mastodon.social"),
        Feed("search", "larkspur"),  # the AND's smaller part: every match contains it
        Feed("search", "sourdough"),
        Feed("public", "local"),  # url:… OR'ed in the brand: only the timeline has those
    ]
    # without a token nothing is searched: the words fall to the public timeline
    assert plan_feeds(streams, can_search=False, public="remote") == [
        Feed("tag", "larkspurbakery"),
        Feed("tag", "croissant"),
        Feed("public", "remote"),
    ]
    assert plan_feeds([Stream("T", "#a OR #b")], can_search=True) == [
        Feed("tag", "a"),
        Feed("tag", "b"),
    ]
    assert stream_terms(Stream("X", "network:x bread")) == (frozenset(), True)
    assert stream_terms(Stream("Geo", "point_radius:[-82.5 35.6 10km] -rye")) == (
        frozenset(),
        False,
    )


def test_a_bad_stream_query_names_the_stream() -> None:
    with pytest.raises(SourceError, match=r"mastodon: stream 'Broken': .*parenthesis"):
        plan_feeds([Stream("Broken", "(bread")], can_search=True)
