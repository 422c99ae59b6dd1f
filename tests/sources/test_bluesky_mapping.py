"""Post views, Jetstream records and profiles as hubbub's Post and Account, facets included."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from tests.fakes.bluesky import make_posts, profile

from hubbub.model import Media, Provenance, Span
from hubbub.pipeline import fill_entities
from hubbub.sources.bluesky.mapping import (
    MappingError,
    account_from_profile,
    facet_entities,
    post_from_record,
    post_from_view,
    split_at_uri,
)

DID = "did:plc:z72i7hdynmk6r22z27h6tvur"


def _slice(start: int, text: str, needle: str) -> dict[str, int]:
    """Byte offsets of ``needle`` in ``text``, counted independently of the mapping."""
    b0 = len(text[:start].encode("utf-8"))
    return {"byteStart": b0, "byteEnd": b0 + len(needle.encode("utf-8"))}


def test_facet_byte_offsets_after_emoji_become_code_point_indices() -> None:
    # 🧑‍🍳 is three code points and eleven UTF-8 bytes; é is two bytes
    text = "🧑‍🍳 café @alice.bsky.social fresh #pain-au-chocolat $BAKE larkspur.example/menu"
    at, tag = text.index("@alice"), text.index("#pain")
    cash, link = text.index("$BAKE"), text.index("larkspur.example")
    facets = [
        {
            "index": _slice(link, text, "larkspur.example/menu"),
            "features": [
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://larkspur.example/menu"}
            ],
        },
        {
            "index": _slice(at, text, "@alice.bsky.social"),
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": DID}],
        },
        {
            "index": _slice(tag, text, "#pain-au-chocolat"),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "pain-au-chocolat"}],
        },
        {
            "index": _slice(cash, text, "$BAKE"),
            "features": [{"$type": "app.bsky.richtext.facet#tag", "tag": "$BAKE"}],
        },
    ]
    assert facets[1]["index"]["byteStart"] != at  # the test means something: bytes differ
    entities = facet_entities(text, facets)
    assert entities.mentions == (Span("alice.bsky.social", at, at + 18),)
    assert entities.hashtags == (Span("pain-au-chocolat", tag, tag + 17),)
    assert entities.cashtags == (Span("BAKE", cash, cash + 5),)
    assert entities.urls == (Span("https://larkspur.example/menu", link, len(text)),)
    assert text[entities.mentions[0].start : entities.mentions[0].end] == "@alice.bsky.social"


def test_facets_outside_the_text_or_inside_a_character_are_skipped() -> None:
    text = "🍞 #bread"
    bad = [
        {"index": {"byteStart": 1, "byteEnd": 4}, "features": [{"$type": "#tag", "tag": "x"}]},
        {"index": {"byteStart": 5, "byteEnd": 99}, "features": [{"$type": "#tag", "tag": "y"}]},
        {"index": {"byteStart": 5, "byteEnd": 11}, "features": [{"$type": "#tag", "tag": "bread"}]},
        "not a facet",
    ]
    assert facet_entities(text, bad).hashtags == (Span("bread", 2, 8),)


def test_a_post_view_maps_every_field() -> None:
    view = make_posts(3)[0]  # the first has an emoji, a tag and a shortened link
    view["embed"] = {
        "$type": "app.bsky.embed.images#view",
        "images": [{"thumb": "https://cdn/t.jpg", "fullsize": "https://cdn/f.jpg", "alt": "loaf"}],
    }
    seen = Provenance("bluesky:search", "http://x", datetime.now(UTC))
    post = post_from_view(view, seen)
    did, collection, rkey = split_at_uri(view["uri"])
    assert post.network == "bluesky" and post.id == view["uri"]
    assert collection == "app.bsky.feed.post"
    assert post.url == f"https://bsky.app/profile/baker0.bsky.social/post/{rkey}"
    assert post.author.id == did and post.author.handle == "baker0.bsky.social"
    assert post.author.followers is None  # a basic view has no counts: missing, not 0
    assert post.author.default_avatar is True  # baker0 never set an avatar
    assert post.language == "en" and post.text == view["record"]["text"]
    assert post.created == datetime.fromisoformat(view["record"]["createdAt"])
    assert (
        post.metrics.likes == 0 and post.metrics.reposts == 0 and post.metrics.impressions is None
    )
    assert post.media == (Media("photo", "https://cdn/f.jpg", "loaf"),)
    assert post.conversation_id == post.id and post.post_type == "original"
    assert post.raw is view and post.provenance is seen
    assert post.entities is not None
    assert [s.text for s in post.entities.hashtags] == ["larkspur"]
    assert [s.text for s in post.entities.urls] == ["https://larkspur.example/menu"]
    tag = post.entities.hashtags[0]
    assert post.text[tag.start : tag.end] == "#larkspur"
    assert fill_entities(post).entities is post.entities  # the pipeline keeps them


def test_a_reply_quoting_a_post_with_an_image_record() -> None:
    parent = f"at://{DID}/app.bsky.feed.post/3l3qo2vuowo2b"
    root = f"at://{DID}/app.bsky.feed.post/3l3qo2vaaaa2b"
    quoted = "at://did:plc:other/app.bsky.feed.post/3kquoted222"
    record = {
        "$type": "app.bsky.feed.post",
        "createdAt": "2026-11-24T10:00:00.000Z",
        "text": "agreed!",
        "langs": ["fr", "en"],
        "reply": {"root": {"uri": root, "cid": "bafyroot"}, "parent": {"uri": parent, "cid": "x"}},
        "embed": {
            "$type": "app.bsky.embed.recordWithMedia",
            "record": {"$type": "app.bsky.embed.record", "record": {"uri": quoted, "cid": "q"}},
            "media": {
                "$type": "app.bsky.embed.images",
                "images": [
                    {
                        "alt": "a loaf",
                        "image": {
                            "$type": "blob",
                            "ref": {"$link": "bafkreiimage"},
                            "mimeType": "image/jpeg",
                            "size": 1000,
                        },
                    }
                ],
            },
        },
    }
    post = post_from_record("did:plc:me", "3lreply22222", record, time_us=1)
    assert post.reply_to == parent and post.conversation_id == root
    assert post.quote_of == quoted and post.post_type == "quote"
    assert post.language == "fr"
    assert post.media == (
        Media(
            "photo",
            "https://cdn.bsky.app/img/feed_fullsize/plain/did:plc:me/bafkreiimage@jpeg",
            "a loaf",
        ),
    )
    assert post.author.handle == "did:plc:me" and post.author.followers is None
    assert post.url == "https://bsky.app/profile/did:plc:me/post/3lreply22222"
    assert post.metrics.likes is None  # a record has no counts


def test_an_external_embed_is_a_link_card_and_time_us_stands_in_for_created() -> None:
    record = {
        "text": "menu",
        "embed": {
            "$type": "app.bsky.embed.external",
            "external": {"uri": "https://larkspur.example", "title": "Larkspur", "description": ""},
        },
    }
    post = post_from_record(DID, "3k2222222222", record, time_us=1_764_000_000_000_000)
    assert post.media == (Media("link_card", "https://larkspur.example", "Larkspur"),)
    assert post.created == datetime.fromtimestamp(1_764_000_000, UTC)


@pytest.mark.parametrize(
    ("view", "message"),
    [
        ({"record": {}}, "no uri"),
        ({"uri": "https://bsky.app/x", "record": {"text": "a"}, "author": {"did": DID}}, "at://"),
        ({"uri": f"at://{DID}/app.bsky.feed.post/3k", "author": {"did": DID}}, "record is missing"),
        ({"uri": f"at://{DID}/app.bsky.feed.post/3k", "record": {"text": "a"}}, "author"),
        (
            {
                "uri": f"at://{DID}/app.bsky.feed.post/3k",
                "record": {"text": "a", "createdAt": "yesterday"},
                "author": {"did": DID, "handle": "a.b"},
            },
            "createdAt",
        ),
    ],
)
def test_bad_views_name_the_field(view: dict[str, object], message: str) -> None:
    with pytest.raises(MappingError, match=message):
        post_from_view(view)  # type: ignore[arg-type]


def test_a_detailed_profile_keeps_its_counts() -> None:
    view = profile(3) | {"verification": {"verifiedStatus": "valid"}}
    account = account_from_profile(view)
    assert (account.followers, account.following, account.posts) == (30, 7, 103)
    assert account.name == "Baker 3" and account.bio == "bread person in Asheville"
    assert account.verified is True and account.default_avatar is False
    assert account.created == datetime(2023, 11, 1, 12, tzinfo=UTC)
    assert account_from_profile({"did": DID}).handle == DID
    with pytest.raises(MappingError, match="no did"):
        account_from_profile({"handle": "x.bsky.social"})
