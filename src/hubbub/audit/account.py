"""The account audit: figures on the business's own presence, and what to do about them.

Pure: every function here takes plain dataclasses read by :mod:`hubbub.store.audit`
(own posts, inbox times, mentions that asked for an answer) and the follower
verdicts, and returns figures and recommendations; nothing reads the database or the
network. :mod:`hubbub.audit.report` gathers the inputs, calls :func:`account_figures`
for the window and the one before it, and stores the dated report.

Voice. Each own post is one of three kinds, by the first rule that applies:

1. a repost or a quote → **sharing** (someone else's content);
2. a reply to someone else → **conversation**;
3. a link to another site than the business's own → **sharing**;
4. a link to the business's own site, a promotion word (``% off``, sale, order,
   gift card, hiring, ...) or the ``spam_promo`` intent → **promotion**;
5. a question, a thank-you or an @-mention → **conversation**;
6. the business's own name or a product named → **promotion**;
7. anything else (chat about the town, the weather) → **conversation**.

The target mix, 20% promotion / 50% conversation / 30% sharing, is hubbub's own
default, not a figure from a study: the articles hubbub grew from (shared/seeds 002
and 004) say to talk about yourself only "a small amount", to network and converse
"way more than posting links", and that social media "is about sharing". Half
conversation and a fifth promotion is the plainest reading of that.
"""

from __future__ import annotations

import math
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from itertools import pairwise
from typing import Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from hubbub.store.audit import AnsweredMention, InboxTimes, OwnPost

__all__ = [
    "TARGET_MIX",
    "THRESHOLDS",
    "VOICES",
    "AccountFigures",
    "Audience",
    "Level",
    "Recommendation",
    "Voice",
    "account_figures",
    "changes",
    "classify_voice",
    "recommend",
]

Voice = Literal["promotion", "conversation", "sharing"]
VOICES: tuple[Voice, ...] = ("promotion", "conversation", "sharing")
Level = Literal["good", "warn", "bad", "info"]

#: the voice mix hubbub aims for (see the module docstring for where it comes from)
TARGET_MIX: dict[str, float] = {"promotion": 0.20, "conversation": 0.50, "sharing": 0.30}

#: every threshold a recommendation uses, in one place (docs/audit.md lists them)
THRESHOLDS: dict[str, float] = {
    "questionable_warn": 0.15,  # share of questionable followers
    "questionable_bad": 0.30,
    "mix_tolerance": 0.10,  # how far a voice share may stray from the target
    "engagement_per_post_low": 2.0,  # likes + reposts + replies + quotes
    "engagement_per_follower_low": 0.05,  # engagement in the window per authentic follower
    "answered_warn": 0.80,  # share of questions answered
    "answered_bad": 0.50,
    "posts_per_week_low": 3.0,
    "posts_per_week_high": 35.0,  # five a day
    "silence_days_warn": 7.0,
    "promo_streak_warn": 5,  # promotional posts in a row, nothing else between them
    "promo_streak_bad": 8,
}

_PROMO = re.compile(
    r"\d+\s?% off|\b(?:sale|discount|deal|offer|order|buy|shop|book now|pre-?order|"
    r"coupon|promo|gift cards?|hiring|now open|limited|new on the blog|free delivery)\b",
    re.IGNORECASE,
)
_THANKS = re.compile(r"\b(?:thanks?|thank you|thx|grateful|congrat\w*)\b", re.IGNORECASE)
_MENTION = re.compile(r"(?<!\w)@\w")


@dataclass(frozen=True, slots=True)
class Audience:
    """The follower verdicts the classifier gave (counted for one window)."""

    followers: int
    authentic: int
    questionable: int


@dataclass(frozen=True, slots=True)
class AccountFigures:
    """One window's figures; shares are 0-1, ``None`` where there is nothing to measure."""

    followers: int
    followers_authentic: int
    followers_questionable: int
    share_questionable: float | None
    posts: int
    voice_counts: dict[str, int]
    voice_mix: dict[str, float]
    engagement: int
    engagement_per_post: float | None
    engagement_per_authentic_follower: float | None
    inbox_items: int
    inbox_answered: int
    inbox_answered_share: float | None
    median_response_hours: float | None
    asked: int
    asked_answered: int
    asked_answered_share: float | None
    median_reply_hours: float | None
    posts_per_week: float
    longest_silence_days: float
    posting_hours: list[int]  # 24 counts, local hours
    busiest_hours: list[int]
    # the longest run of promotional posts with nothing else between them (a "streak"
    # of offers reads as a robot in the corner even when the month's mix is fine)
    promo_streak: int = 0
    promo_streak_start: str | None = None  # ISO times of its first and last post
    promo_streak_end: str | None = None

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> AccountFigures:
        names = cls.__dataclass_fields__
        return cls(**{k: v for k, v in data.items() if k in names})


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What one figure says, in plain words: ``level`` is good, warn, bad or info."""

    figure: str
    level: Level
    text: str
    value: float | None = None
    change: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


# --- voice -------------------------------------------------------------------------------


def _host(url: str) -> str:
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.lower().removeprefix("www.")


def _own_host(host: str, own_hosts: Iterable[str]) -> bool:
    return any(host == h or host.endswith("." + h) for h in own_hosts if h)


def classify_voice(
    post: OwnPost,
    own_hosts: Sequence[str] = (),
    own_handles: Sequence[str] = (),
    own_words: Sequence[str] = (),
) -> Voice:
    """Promotion, conversation or sharing, by the rules of the module docstring."""
    if post.repost_of or post.quote_of:
        return "sharing"
    handles = {h.lower().lstrip("@") for h in own_handles}
    if post.reply_to and (post.reply_to_handle or "").lower().lstrip("@") not in handles:
        return "conversation"
    hosts = [h for h in (_host(u) for u in post.urls) if h]
    if any(not _own_host(h, own_hosts) for h in hosts):
        return "sharing"
    if hosts or "spam_promo" in post.intents or _PROMO.search(post.text):
        return "promotion"
    if "?" in post.text or _THANKS.search(post.text) or _MENTION.search(post.text):
        return "conversation"
    low = post.text.lower()
    if any(w and w.lower() in low for w in own_words):
        return "promotion"
    return "conversation"


# --- figures -----------------------------------------------------------------------------


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _median_hours(waits: Iterable[timedelta]) -> float | None:
    hours = [w.total_seconds() / 3600 for w in waits if w.total_seconds() >= 0]
    return round(statistics.median(hours), 2) if hours else None


def _longest_silence(times: Sequence[datetime], since: datetime, until: datetime) -> float:
    """The longest stretch without a post, counting from the window's start and to its end."""
    edges = [since, *sorted(times), until]
    gap = max((b - a for a, b in pairwise(edges)), default=until - since)
    return round(gap.total_seconds() / 86400, 2)


def _promo_streak(
    posts: Sequence[OwnPost], voices: Sequence[str]
) -> tuple[int, datetime | None, datetime | None]:
    """The longest run of consecutive promotional posts, in time order: (length, first, last)."""
    best: tuple[int, datetime | None, datetime | None] = (0, None, None)
    run = 0
    start: datetime | None = None
    for post, voice in sorted(zip(posts, voices, strict=True), key=lambda pv: pv[0].created):
        if voice != "promotion":
            run = 0
            continue
        if run == 0:
            start = post.created
        run += 1
        if run > best[0]:
            best = (run, start, post.created)
    return best


def account_figures(
    posts: Sequence[OwnPost],
    audience: Audience,
    inbox: Sequence[InboxTimes],
    asked: Sequence[AnsweredMention],
    *,
    since: datetime,
    until: datetime,
    timezone: str = "UTC",
    own_hosts: Sequence[str] = (),
    own_handles: Sequence[str] = (),
    own_words: Sequence[str] = (),
) -> AccountFigures:
    """Every figure of one window ``[since, until)`` from its inputs."""
    counts: dict[str, int] = dict.fromkeys(VOICES, 0)
    voices = [classify_voice(post, own_hosts, own_handles, own_words) for post in posts]
    for voice in voices:
        counts[voice] += 1
    streak, streak_start, streak_end = _promo_streak(posts, voices)
    n = len(posts)
    mix: dict[str, float] = {v: round(counts[v] / n, 4) if n else 0.0 for v in VOICES}
    engagement = sum(p.likes + p.reposts + p.replies + p.quotes for p in posts)

    answered = [i for i in inbox if i.first_response is not None]
    replied = [a for a in asked if a.answered is not None]

    zone = ZoneInfo(timezone)
    hours = [0] * 24
    for post in posts:
        hours[post.created.astimezone(zone).hour] += 1
    busiest = sorted(range(24), key=lambda h: (-hours[h], h))[:3] if n else []

    weeks = max((until - since).total_seconds() / (7 * 86400), 1 / 7)
    return AccountFigures(
        followers=audience.followers,
        followers_authentic=audience.authentic,
        followers_questionable=audience.questionable,
        share_questionable=_share(
            audience.questionable, audience.authentic + audience.questionable
        ),
        posts=n,
        voice_counts=counts,
        voice_mix=mix,
        engagement=engagement,
        engagement_per_post=round(engagement / n, 2) if n else None,
        engagement_per_authentic_follower=(
            round(engagement / audience.authentic, 4) if audience.authentic else None
        ),
        inbox_items=len(inbox),
        inbox_answered=len(answered),
        inbox_answered_share=_share(len(answered), len(inbox)),
        median_response_hours=_median_hours(
            i.first_response - i.created for i in answered if i.first_response
        ),
        asked=len(asked),
        asked_answered=len(replied),
        asked_answered_share=_share(len(replied), len(asked)),
        median_reply_hours=_median_hours(a.answered - a.created for a in replied if a.answered),
        posts_per_week=round(n / weeks, 2),
        longest_silence_days=_longest_silence([p.created for p in posts], since, until),
        posting_hours=hours,
        busiest_hours=busiest,
        promo_streak=streak,
        promo_streak_start=streak_start.isoformat() if streak_start else None,
        promo_streak_end=streak_end.isoformat() if streak_end else None,
    )


#: the figures whose change against the previous window is reported
TRENDED: tuple[str, ...] = (
    "followers",
    "share_questionable",
    "posts",
    "engagement_per_post",
    "engagement_per_authentic_follower",
    "inbox_answered_share",
    "median_response_hours",
    "asked_answered_share",
    "median_reply_hours",
    "posts_per_week",
    "longest_silence_days",
)


def changes(current: AccountFigures, previous: AccountFigures | None) -> dict[str, float | None]:
    """Each trended figure's change against the previous window (``None``: not comparable)."""
    out: dict[str, float | None] = {}
    for name in TRENDED:
        now, then = getattr(current, name), getattr(previous, name) if previous else None
        out[name] = None if now is None or then is None else round(now - then, 4)
    if previous is not None:
        for voice in VOICES:
            out[f"voice_{voice}"] = round(
                current.voice_mix.get(voice, 0.0) - previous.voice_mix.get(voice, 0.0), 4
            )
    return out


# --- recommendations -----------------------------------------------------------------------


def _pct(x: float) -> str:
    return f"{x * 100:.0f}%"


def _audience(f: AccountFigures, change: Mapping[str, float | None]) -> Recommendation:
    t = THRESHOLDS
    share = f.share_questionable
    if share is None:
        return Recommendation(
            "share_questionable",
            "info",
            "hubbub knows none of your followers yet: import them (hubbub audit followers, "
            "or a source that lists them) to see how real your audience is.",
        )
    c = change.get("share_questionable")
    if share >= t["questionable_bad"]:
        level: Level = "bad"
        text = (
            f"{_pct(share)} of your followers look questionable (bought or automated). "
            "500 authentic followers are worth more than 10,000 questionable ones: never "
            "buy followers, and consider removing the obvious fakes."
        )
    elif share >= t["questionable_warn"]:
        level = "warn"
        text = (
            f"{_pct(share)} of your followers look questionable. Keep an eye on sudden "
            "jumps in followers, which usually mean fake accounts."
        )
    else:
        level = "good"
        text = f"Only {_pct(share)} of your followers look questionable: a real audience."
    return Recommendation("share_questionable", level, text, share, c)


def _voice(f: AccountFigures, target: Mapping[str, float]) -> Recommendation:
    if not f.posts:
        return Recommendation(
            "voice",
            "bad",
            "The business posted nothing in this period. People follow to hear from you: "
            "post a few times a week, and mostly talk with people.",
            0.0,
        )
    tol = THRESHOLDS["mix_tolerance"]
    mix = f.voice_mix
    extra = {"mix": mix, "target": dict(target)}
    if mix["promotion"] > target["promotion"] + tol:
        return Recommendation(
            "voice",
            "bad" if mix["promotion"] > target["promotion"] + 2 * tol else "warn",
            f"{_pct(mix['promotion'])} of your posts promote the business (aim for about "
            f"{_pct(target['promotion'])}). Don't be a robot in the corner posting links: "
            "answer people, ask questions, thank customers and share others' news.",
            mix["promotion"],
            extra=extra,
        )
    if mix["conversation"] < target["conversation"] - tol:
        return Recommendation(
            "voice",
            "warn",
            f"Only {_pct(mix['conversation'])} of your posts are conversation (aim for "
            f"about {_pct(target['conversation'])}): reply to the people who mention you.",
            mix["conversation"],
            extra=extra,
        )
    if mix["sharing"] < target["sharing"] - tol:
        return Recommendation(
            "voice",
            "warn",
            f"Only {_pct(mix['sharing'])} of your posts share others' content (aim for "
            f"about {_pct(target['sharing'])}): repost local news, neighbours and customers.",
            mix["sharing"],
            extra=extra,
        )
    return Recommendation(
        "voice",
        "good",
        "A good mix: mostly conversation, some sharing, a little promotion.",
        mix["conversation"],
        extra=extra,
    )


def _engagement(f: AccountFigures, change: Mapping[str, float | None]) -> list[Recommendation]:
    t = THRESHOLDS
    out: list[Recommendation] = []
    per_post = f.engagement_per_post
    if per_post is not None:
        low = per_post < t["engagement_per_post_low"]
        out.append(
            Recommendation(
                "engagement_per_post",
                "warn" if low else "good",
                (
                    f"Your posts get {per_post:g} likes, reposts and replies each: ask "
                    "questions and reply to people to start conversations."
                )
                if low
                else f"Your posts get {per_post:g} likes, reposts and replies each.",
                per_post,
                change.get("engagement_per_post"),
            )
        )
    per_follower = f.engagement_per_authentic_follower
    if per_follower is not None:
        low = per_follower < t["engagement_per_follower_low"]
        out.append(
            Recommendation(
                "engagement_per_authentic_follower",
                "warn" if low else "good",
                (
                    f"{per_follower:g} interactions per authentic follower in this period: "
                    "most of your audience is not hearing you. Post when they are online."
                )
                if low
                else f"{per_follower:g} interactions per authentic follower in this period.",
                per_follower,
                change.get("engagement_per_authentic_follower"),
            )
        )
    return out


def _responsiveness(
    f: AccountFigures, target_hours: float, change: Mapping[str, float | None]
) -> list[Recommendation]:
    t = THRESHOLDS
    out: list[Recommendation] = []
    for figure, share, total, what in (
        ("inbox_answered_share", f.inbox_answered_share, f.inbox_items, "inbox items"),
        ("asked_answered_share", f.asked_answered_share, f.asked, "questions and complaints"),
        # (mentions asking, complaining or asking for a recommendation, answered on the network)
    ):
        if share is None or not total:
            continue
        level: Level = (
            "bad" if share < t["answered_bad"] else "warn" if share < t["answered_warn"] else "good"
        )
        text = f"You answered {_pct(share)} of {total:,} {what}."
        if level != "good":
            text += " Every unanswered question is a customer who may go elsewhere."
        out.append(Recommendation(figure, level, text, share, change.get(figure)))
    for figure, hours, what in (
        ("median_response_hours", f.median_response_hours, "inbox items had a first response"),
        ("median_reply_hours", f.median_reply_hours, "replies on the networks came"),
    ):
        if hours is None:
            continue
        level = "good" if hours <= target_hours else "warn"
        if hours > 2 * target_hours:
            level = "bad"
        text = f"Half the {what} within {hours:g} h (your target: {target_hours:g} h)."
        if level != "good":
            text += " Check the inbox at set times each day, or share it with a colleague."
        out.append(
            Recommendation(
                figure,
                level,
                text,
                hours,
                change.get(figure),
                {"target_hours": target_hours},
            )
        )
    return out


def _cadence(f: AccountFigures, change: Mapping[str, float | None]) -> list[Recommendation]:
    t = THRESHOLDS
    ppw = f.posts_per_week
    if ppw < t["posts_per_week_low"]:
        level: Level = "warn"
        text = f"{ppw:g} posts a week: post at least three times a week to stay in view."
    elif ppw > t["posts_per_week_high"]:
        level = "warn"
        text = f"{ppw:g} posts a week is a lot: fewer, more personal posts may serve you better."
    else:
        level = "good"
        text = f"{ppw:g} posts a week: a steady rhythm."
    if f.busiest_hours and level == "good":
        text += " You post most around " + ", ".join(f"{h:02d}:00" for h in f.busiest_hours) + "."
    out = [Recommendation("posts_per_week", level, text, ppw, change.get("posts_per_week"))]
    silence = f.longest_silence_days
    if silence > t["silence_days_warn"]:
        out.append(
            Recommendation(
                "longest_silence_days",
                "warn",
                f"The longest silence lasted {silence:g} days. Schedule posts ahead for "
                "busy weeks and holidays.",
                silence,
                change.get("longest_silence_days"),
            )
        )
    return out


def _streak(f: AccountFigures, timezone: str) -> list[Recommendation]:
    t = THRESHOLDS
    if f.promo_streak < t["promo_streak_warn"] or not f.promo_streak_start:
        return []
    zone = ZoneInfo(timezone)
    first = datetime.fromisoformat(f.promo_streak_start).astimezone(zone)
    last = datetime.fromisoformat(f.promo_streak_end or f.promo_streak_start).astimezone(zone)
    when = f"{first:%b %-d %H:%M} to {last:%b %-d %H:%M}"
    return [
        Recommendation(
            "promo_streak",
            "bad" if f.promo_streak >= t["promo_streak_bad"] else "warn",
            f"{f.promo_streak} promotional posts in a row ({when}), nothing else between "
            "them: break a run of offers with a question, a thank-you or a neighbour's news.",
            float(f.promo_streak),
            extra={"start": f.promo_streak_start, "end": f.promo_streak_end},
        )
    ]


def recommend(
    figures: AccountFigures,
    previous: AccountFigures | None = None,
    *,
    target_hours: float = 4.0,
    target_mix: Mapping[str, float] = TARGET_MIX,
    timezone: str = "UTC",
) -> list[Recommendation]:
    """The plain-language recommendations for ``figures`` (with changes from ``previous``)."""
    change = changes(figures, previous)
    out = [_audience(figures, change), _voice(figures, target_mix)]
    out += _streak(figures, timezone)
    out += _engagement(figures, change)
    out += _responsiveness(figures, target_hours, change)
    out += _cadence(figures, change)
    for rec in out:
        if rec.value is not None and not math.isfinite(rec.value):  # never store NaN
            raise ValueError(f"{rec.figure}: not a finite number")
    return out
