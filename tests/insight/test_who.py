from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from hubbub.insight.authenticity import FEATURES, feature_row
from hubbub.insight.who import authenticity, relationship, same_handle, who
from hubbub.model import Account, Competitor, Post, TeamMember, Workspace

WS = Workspace(
    slug="larkspur",
    name="Larkspur Bakery",
    handles={"x": "larkspurbakes", "mastodon": "larkspur@mastodon.social"},
    competitors=(Competitor("Mountain Crust", {"x": "mountaincrust"}),),
    team=(TeamMember("Sam Reed", handles={"x": "samreedavl"}),),
)
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def acct(handle: str, network: str = "x", **kw: object) -> Account:
    return Account(network, "1", handle, **kw)  # type: ignore[arg-type]


def test_relationship() -> None:
    assert relationship(acct("LarkspurBakes"), WS) == "business"
    assert relationship(acct("@larkspur", "mastodon"), WS) == "business"
    assert relationship(acct("larkspur@mastodon.social", "mastodon"), WS) == "business"
    assert relationship(acct("larkspurbakes", "bluesky"), WS) == "new"  # other network
    assert relationship(acct("samreedavl"), WS) == "staff"
    assert relationship(acct("mountaincrust"), WS) == "competitor"
    assert relationship(acct("somebody"), WS) == "new"


def test_same_handle() -> None:
    assert same_handle("user", "user@inst.social")
    assert not same_handle("user@a.social", "user@b.social")
    assert not same_handle("", "")


def test_authentic_account_scores_high_and_bot_low() -> None:
    person = acct(
        "maya", name="Maya Lopez", followers=800, following=300, posts=4000,
        created=NOW - timedelta(days=2000), default_avatar=False, default_profile=False,
        bio="Baker", location="Asheville, NC",
    )  # fmt: skip
    bot = acct(
        "x8h2k1", followers=3, following=2900, posts=2, created=NOW - timedelta(days=3),
        default_avatar=True, default_profile=True,
    )  # fmt: skip
    hi, lo = authenticity(person, NOW), authenticity(bot, NOW)
    assert hi is not None and lo is not None
    assert hi > 0.9
    assert lo < 0.15
    # who() scores the author at the post's time
    post = Post("x", "9", bot, "hi", NOW)
    assert who(post, WS).authenticity == lo


def col(row: list[float], name: str) -> float:
    return row[FEATURES.index(name)]


def test_missing_features_are_nan_not_zero() -> None:
    assert authenticity(acct("rss-author", "rss")) is None  # nothing known: no score
    row = feature_row(acct("a", followers=100, following=100))
    assert col(row, "follower_share") == 0.5
    for name in ("posts", "listed", "age_days", "verified", "default_avatar", "posts_per_day"):
        assert math.isnan(col(row, name)), name
    assert math.isnan(col(feature_row(acct("a", created=NOW, posts=5)), "age_days"))  # no 'now'
    sky = feature_row(acct("maya.bsky.social", "bluesky", followers=5, location=""))
    assert math.isnan(col(sky, "has_location")) and math.isnan(col(sky, "has_url"))
    assert col(sky, "handle_length") == 4.0  # the first label of a Bluesky handle
    x = feature_row(acct("maya", followers=5))
    assert col(x, "has_location") == 0.0  # X has locations: an empty one is known


def test_follow_farm_shape_scores_lower() -> None:
    def score(following: int) -> float:
        a = acct(
            "jo", followers=100, following=following, posts=3000,
            created=NOW - timedelta(days=1500), default_avatar=False, default_profile=False,
        )  # fmt: skip
        s = authenticity(a, NOW)
        assert s is not None
        return s

    assert score(150) > score(5000)


def test_relationship_memo_follows_the_workspace() -> None:
    from dataclasses import replace

    assert relationship(acct("somebody"), WS) == "new"
    moved = replace(WS, handles={"x": "somebody"})  # a new workspace object: asked afresh
    assert relationship(acct("somebody"), moved) == "business"
    assert relationship(acct("larkspurbakes"), moved) == "new"
    assert relationship(acct("somebody"), WS) == "new"
