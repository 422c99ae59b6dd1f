"""Each network's profile JSON as an Account, told apart per object."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub import codec
from hubbub.audit.profiles import ProfileError, account_from_json, parse_x_time
from hubbub.model import Account

V1 = {
    "id": 12, "id_str": "12", "screen_name": "jack", "name": "jack", "description": "bio",
    "location": "SF", "url": "https://t.co/x",
    "entities": {"url": {"urls": [{"expanded_url": "https://jack.example"}]}},
    "followers_count": 100, "friends_count": 50, "statuses_count": 7, "listed_count": 2,
    "favourites_count": 9, "created_at": "Tue Mar 21 20:50:14 +0000 2006",
    "verified": False, "default_profile": True, "default_profile_image": False,
}  # fmt: skip
V2 = {
    "id": "2244994945", "username": "XDevelopers", "name": "Developers",
    "created_at": "2013-12-14T04:35:55.000Z", "description": "", "verified": True,
    "profile_image_url": "https://abs.twimg.com/sticky/default_profile_images/x_normal.png",
    "public_metrics": {"followers_count": 5, "following_count": 6, "tweet_count": 7,
                       "listed_count": 8},
}  # fmt: skip
MASTODON = {
    "id": "109", "username": "maya", "acct": "maya@mastodon.social", "display_name": "Maya",
    "note": "<p>Bread &amp; <a href='x'>bikes</a></p>", "followers_count": 3,
    "following_count": 4, "statuses_count": 5, "created_at": "2022-11-01T00:00:00.000Z",
    "avatar": "https://mastodon.social/avatars/original/missing.png",
    "fields": [{"name": "web", "value": "<a href='https://maya.example'>maya.example</a>"}],
}  # fmt: skip
BLUESKY = {
    "did": "did:plc:abc", "handle": "maya.bsky.social", "displayName": "Maya",
    "description": "hi", "followersCount": 10, "followsCount": 20, "postsCount": 30,
    "createdAt": "2023-04-01T12:00:00.000Z",
}  # fmt: skip


def test_x_v1_user() -> None:
    a = account_from_json(V1)
    assert (a.network, a.id, a.handle, a.url) == ("x", "12", "jack", "https://jack.example")
    assert (a.followers, a.following, a.posts, a.listed) == (100, 50, 7, 2)
    assert a.created == datetime(2006, 3, 21, 20, 50, 14, tzinfo=UTC)
    assert a.default_profile is True and a.default_avatar is False and a.verified is False


def test_x_v2_user() -> None:
    a = account_from_json(V2)
    assert (a.network, a.id, a.handle) == ("x", "2244994945", "XDevelopers")
    assert (a.followers, a.following, a.posts, a.listed) == (5, 6, 7, 8)
    assert a.default_avatar is True and a.default_profile is None and a.verified is True
    assert a.created == datetime(2013, 12, 14, 4, 35, 55, tzinfo=UTC)


def test_mastodon_account_lacks_lists_and_profile_theme() -> None:
    a = account_from_json(MASTODON)
    assert (a.network, a.handle, a.name) == ("mastodon", "maya@mastodon.social", "Maya")
    assert "<" not in a.bio and "bikes" in a.bio
    assert a.default_avatar is True and a.listed is None and a.default_profile is None
    assert "https://maya.example" in a.url and a.verified is None


def test_bluesky_profile_without_avatar_is_a_default_avatar() -> None:
    a = account_from_json(BLUESKY)
    assert (a.network, a.id, a.followers, a.following, a.posts) == (
        "bluesky", "did:plc:abc", 10, 20, 30)  # fmt: skip
    assert a.default_avatar is True and a.location == "" and a.listed is None
    assert account_from_json(BLUESKY | {"avatar": "https://cdn/x.jpg"}).default_avatar is False


def test_hubbub_account_round_trips() -> None:
    a = Account("bluesky", "did:plc:z", "z.bsky.social", followers=3, created=datetime.now(UTC))
    assert account_from_json(codec.to_dict(a)) == a


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ([1], "expected a JSON object"),
        ({"foo": 1}, "not a profile"),
        ({"screen_name": "", "id": 1}, "no screen_name"),
        ({"screen_name": "a"}, "no id_str"),
        (V1 | {"created_at": "yesterday"}, "created_at 'yesterday'"),
        ({"network": "myspace", "handle": "a", "id": "1"}, "network 'myspace'"),
    ],
)
def test_bad_objects_say_what_is_wrong(obj: object, message: str) -> None:
    with pytest.raises(ProfileError, match=message):
        account_from_json(obj)


def test_x_times() -> None:
    assert parse_x_time("Wed Oct 10 20:19:24 +0000 2018") == datetime(
        2018, 10, 10, 20, 19, 24, tzinfo=UTC
    )
    assert parse_x_time("Wed Oct 10 22:19:24 +0200 2018").hour == 20
