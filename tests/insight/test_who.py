from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubbub.insight.who import authenticity, authenticity_features, relationship, same_handle
from hubbub.model import Account, Competitor, TeamMember, Workspace

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
        "maya", followers=800, following=300, posts=4000, created=NOW - timedelta(days=2000),
        default_avatar=False, default_profile=False, bio="Baker", location="Asheville, NC",
    )  # fmt: skip
    bot = acct(
        "x8h2k1", followers=3, following=2900, posts=2, created=NOW - timedelta(days=3),
        default_avatar=True, default_profile=True,
    )  # fmt: skip
    hi, lo = authenticity(person, NOW), authenticity(bot, NOW)
    assert hi is not None and lo is not None
    assert hi == 1.0
    assert lo < 0.15


def test_missing_features_are_skipped_not_zero() -> None:
    assert authenticity(acct("rss-author")) is None
    only_ratio = acct("a", followers=100, following=100)
    feats = authenticity_features(only_ratio)
    assert set(feats) == {"follow_ratio", "bio", "location"}
    assert "age" not in authenticity_features(acct("a", created=NOW, posts=5))  # no 'now' given
    # A known-good avatar alone is not dragged down by unknown counts.
    a = authenticity(acct("a", default_avatar=False, bio="hi", location="AVL"))
    assert a == 1.0


def test_ratio_is_monotonic() -> None:
    scores = [
        authenticity_features(acct("a", followers=100, following=f))["follow_ratio"]
        for f in (100, 400, 1000, 3000, 6000)
    ]
    assert scores == sorted(scores, reverse=True)
    assert scores[0] == 1.0 and scores[-1] == 0.0
