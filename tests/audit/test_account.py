"""The account audit's pure rules: voice classification, figures, recommendations.

Each rule of hubbub.audit.account's docstring has a post that only it decides, and
each recommendation is pushed just over and just under its threshold.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest

from hubbub.audit.account import (
    THRESHOLDS,
    AccountFigures,
    Audience,
    account_figures,
    changes,
    classify_voice,
    recommend,
)
from hubbub.store.audit import AnsweredMention, InboxTimes, OwnPost

T0 = datetime(2025, 3, 1, tzinfo=UTC)
HOSTS = ("larkspurbakery.com",)
HANDLES = ("larkspurbakes",)
WORDS = ("Larkspur Bakery", "sourdough")


def post(text: str = "", **kw: object) -> OwnPost:
    fields: dict[str, object] = {
        "network": "x",
        "native_id": "1",
        "text": text,
        "created": T0,
        "reply_to": None,
        "reply_to_handle": None,
        "quote_of": None,
        "repost_of": None,
        "urls": (),
        "likes": 0,
        "reposts": 0,
        "replies": 0,
        "quotes": 0,
        "intents": (),
    }
    fields.update(kw)
    return OwnPost(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("item", "voice"),
    [
        (post("great news", repost_of="9"), "sharing"),  # 1
        (post("so true https://larkspurbakery.com", quote_of="9"), "sharing"),  # 1 before 3/4
        (post("50% off!", reply_to="9", reply_to_handle="jane"), "conversation"),  # 2
        (post("also: sourdough", reply_to="9", reply_to_handle="LarkspurBakes"), "promotion"),
        (post("read this", urls=("https://avlnews.com/market",)), "sharing"),  # 3
        (post("menu", urls=("https://www.larkspurbakery.com/menu",)), "promotion"),  # 4
        (post("menu", urls=("https://shop.larkspurbakery.com/",)), "promotion"),  # 4: subdomain
        (post("20% off today"), "promotion"),  # 4
        (post("Gift cards are here"), "promotion"),  # 4
        (post("hello", intents=("spam_promo",)), "promotion"),  # 4
        (post("Who is coming to the fair?"), "conversation"),  # 5
        (post("Thank you Asheville"), "conversation"),  # 5
        (post("lovely day with @jane"), "conversation"),  # 5
        (post("Our sourdough is back"), "promotion"),  # 6
        (post("Rain again in town"), "conversation"),  # 7
    ],
)
def test_voice_rules(item: OwnPost, voice: str) -> None:
    assert classify_voice(item, HOSTS, HANDLES, WORDS) == voice


def _figures(**changes_: object) -> AccountFigures:
    base = account_figures(
        [post("Thank you!", likes=5, created=T0 + timedelta(days=i)) for i in range(28)],
        Audience(100, 95, 5),
        [InboxTimes(T0, T0 + timedelta(hours=1), "replied")],
        [AnsweredMention("x", T0, T0 + timedelta(hours=1))],
        since=T0,
        until=T0 + timedelta(days=28),
    )
    return dataclasses.replace(base, **changes_)  # type: ignore[arg-type]


def _level(figures: AccountFigures, figure: str, **kw: float) -> str | None:
    for rec in recommend(figures, **kw):  # type: ignore[arg-type]
        if rec.figure == figure:
            return rec.level
    return None


def test_a_healthy_account_is_mostly_good() -> None:
    f = _figures()
    assert f.posts_per_week == 7.0 and f.longest_silence_days == 1.0
    assert f.engagement_per_post == 5.0
    levels = {r.figure: r.level for r in recommend(f)}
    assert levels["share_questionable"] == "good"
    assert levels["voice"] == "warn"  # all conversation: no sharing
    assert levels["inbox_answered_share"] == "good"
    assert levels["median_response_hours"] == "good"
    assert "longest_silence_days" not in levels


def test_questionable_share_thresholds() -> None:
    warn, bad = THRESHOLDS["questionable_warn"], THRESHOLDS["questionable_bad"]
    assert _level(_figures(share_questionable=warn - 0.01), "share_questionable") == "good"
    assert _level(_figures(share_questionable=warn), "share_questionable") == "warn"
    assert _level(_figures(share_questionable=bad), "share_questionable") == "bad"
    assert _level(_figures(share_questionable=None), "share_questionable") == "info"


def test_voice_thresholds_against_the_target_mix() -> None:
    def mix(p: float, c: float, s: float) -> AccountFigures:
        return _figures(voice_mix={"promotion": p, "conversation": c, "sharing": s})

    assert _level(mix(0.2, 0.5, 0.3), "voice") == "good"
    assert _level(mix(0.29, 0.41, 0.3), "voice") == "good"  # within 10 points
    assert _level(mix(0.35, 0.45, 0.2), "voice") == "warn"  # promotion +15
    assert _level(mix(0.6, 0.3, 0.1), "voice") == "bad"  # promotion +40
    assert _level(mix(0.2, 0.3, 0.5), "voice") == "warn"  # too little conversation
    assert _level(_figures(posts=0), "voice") == "bad"


def test_responsiveness_thresholds_use_the_workspace_target() -> None:
    assert _level(_figures(inbox_answered_share=0.8), "inbox_answered_share") == "good"
    assert _level(_figures(inbox_answered_share=0.79), "inbox_answered_share") == "warn"
    assert _level(_figures(inbox_answered_share=0.49), "inbox_answered_share") == "bad"
    f = _figures(median_response_hours=5.0)
    assert _level(f, "median_response_hours", target_hours=4.0) == "warn"
    assert _level(f, "median_response_hours", target_hours=6.0) == "good"
    assert _level(f, "median_response_hours", target_hours=2.0) == "bad"


def test_cadence_thresholds() -> None:
    assert _level(_figures(posts_per_week=2.9), "posts_per_week") == "warn"
    assert _level(_figures(posts_per_week=3.0), "posts_per_week") == "good"
    assert _level(_figures(posts_per_week=36.0), "posts_per_week") == "warn"
    assert _level(_figures(longest_silence_days=7.5), "longest_silence_days") == "warn"
    assert _level(_figures(longest_silence_days=7.0), "longest_silence_days") is None


def test_engagement_thresholds() -> None:
    low = THRESHOLDS["engagement_per_post_low"]
    assert _level(_figures(engagement_per_post=low - 0.1), "engagement_per_post") == "warn"
    assert _level(_figures(engagement_per_post=low), "engagement_per_post") == "good"


def test_changes_against_the_previous_window() -> None:
    now, before = _figures(posts=10, share_questionable=0.2), _figures(posts=4)
    delta = changes(now, before)
    assert delta["posts"] == 6
    assert delta["share_questionable"] == pytest.approx(0.2 - 5 / 100)
    assert changes(now, None)["posts"] is None
    recs = {r.figure: r for r in recommend(now, before)}
    assert recs["share_questionable"].change == delta["share_questionable"]


def test_empty_window() -> None:
    f = account_figures([], Audience(0, 0, 0), [], [], since=T0, until=T0 + timedelta(days=30))
    assert f.posts == 0 and f.engagement_per_post is None and f.share_questionable is None
    assert f.longest_silence_days == 30.0 and f.busiest_hours == []
    assert AccountFigures.from_json(f.to_json()) == f


def _streak_figures(voices: str) -> AccountFigures:
    """Posts an hour apart, given out of time order: P promotion, C conversation."""
    made = {"P": lambda i: post(f"{i}: 20% off today"), "C": lambda i: post(f"{i}: how are you?")}
    posts = [
        dataclasses.replace(made[v](i), created=T0 + timedelta(hours=i))
        for i, v in enumerate(voices)
    ]
    return account_figures(
        list(reversed(posts)),  # the streak is found in time order, not input order
        Audience(0, 0, 0),
        [],
        [],
        since=T0,
        until=T0 + timedelta(days=2),
        own_hosts=HOSTS,
        own_handles=HANDLES,
        own_words=WORDS,
    )


def test_the_longest_promotional_streak_is_found_in_time_order() -> None:
    f = _streak_figures("PPCPPPPCPP")
    assert f.promo_streak == 4
    assert f.promo_streak_start == (T0 + timedelta(hours=3)).isoformat()
    assert f.promo_streak_end == (T0 + timedelta(hours=6)).isoformat()
    assert _streak_figures("CCC").promo_streak == 0
    assert _streak_figures("CCC").promo_streak_start is None


@pytest.mark.parametrize(
    ("run", "level"),
    [
        (int(THRESHOLDS["promo_streak_warn"]) - 1, None),
        (int(THRESHOLDS["promo_streak_warn"]), "warn"),
        (int(THRESHOLDS["promo_streak_bad"]) - 1, "warn"),
        (int(THRESHOLDS["promo_streak_bad"]), "bad"),
    ],
)
def test_a_promotional_streak_is_flagged_over_its_threshold(run: int, level: str | None) -> None:
    f = _streak_figures("C" + "P" * run + "C")
    found = [r for r in recommend(f, timezone="America/New_York") if r.figure == "promo_streak"]
    if level is None:
        assert found == []
        return
    assert [r.level for r in found] == [level]
    assert found[0].text.startswith(f"{run} promotional posts in a row (Feb 28 20:00 to ")


def test_reports_stored_before_the_streak_figure_still_load() -> None:
    f = _streak_figures("PPC")
    old = {k: v for k, v in f.to_json().items() if not k.startswith("promo_streak")}
    assert AccountFigures.from_json(old).promo_streak == 0
