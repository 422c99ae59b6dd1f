"""The story of the demo's 90 days: originals, conversations, one bad week, reposts.

Separate from :mod:`world` (which knows how to draw one post) so the plot reads in
one place: what is posted how often, who answers whom and how fast, how the viral
complaint spreads, and how engagement is distributed afterwards.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import datetime, timedelta

from hubbub.model import Account, Metrics, Post, Workspace
from hubbub.sources.demo.context import context_of
from hubbub.sources.demo.goals import goal_posts
from hubbub.sources.demo.people import Actor, cast_of
from hubbub.sources.demo.world import DemoWorld, World, resolve_end

__all__ = ["generate_world"]

# originals per day: kind -> (rate, who posts, time profile)
_RATES: dict[str, tuple[float, str, str]] = {
    "biz_promo": (6.0, "business", "office"),
    "biz_question": (1.0, "business", "office"),
    "staff": (1.5, "staff", "morning"),
    "praise": (22.0, "customer", "morning"),
    "question": (7.0, "customer", "morning"),
    "complaint": (3.5, "customer", "morning"),
    "rec_request": (5.0, "customer", "evening"),
    "purchase": (5.0, "customer", "morning"),
    "compare": (2.0, "customer", "evening"),
    "comp_promo": (3.0, "competitor", "office"),
    "comp_fan": (11.0, "competitor_fan", "morning"),
    "comp_complaint": (1.2, "competitor_fan", "morning"),
    "local": (62.0, "local", "evening"),
    "industry": (30.0, "industry", "work"),
    "spam": (25.0, "spam", "flat"),
    "news_local": (4.0, "news_local", "work"),
    "news_industry": (1.2, "news_industry", "work"),
}
# chance the business answers a customer's post, by kind
_ANSWER = {"praise": ("biz_thanks", 0.15), "question": ("biz_answer", 0.6)}
_ANSWER |= {"complaint": ("biz_apology", 0.6), "purchase": ("biz_thanks", 0.1)}


def generate_world(
    workspace: Workspace, seed: int = 7, days: int = 90, end: datetime | None = None
) -> DemoWorld:
    """Draw the demo world for ``workspace``: deterministic for the same ``(seed, end)``."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"demo: days must be a whole number of at least 1, got {days!r}")
    end = resolve_end(end)
    rng = random.Random(seed)
    ctx = context_of(workspace)
    cast = cast_of(rng, ctx, end)
    w = World(ctx, cast, rng, seed, end, days)
    originals = _originals(w)
    _viral(w)
    _conversations(w, originals)
    _shares(w, originals)
    w.posts.sort(key=lambda p: (p.created, p.network, p.id))
    _metrics(w)
    if goal_posts(w, workspace):  # drawn last: what came before is as it always was
        w.posts.sort(key=lambda p: (p.created, p.network, p.id))
    accounts: dict[tuple[str, str], Account] = {}
    for p in w.posts:
        accounts.setdefault((p.author.network, p.author.id), p.author)
    for a in cast.followers:
        accounts.setdefault((a.network, a.id), a)
    return DemoWorld(w.posts, list(accounts.values()), cast.followers, cast.fake_followers)


def _originals(w: World) -> list[Post]:
    out: list[Post] = []
    for kind, (rate, pool, profile) in _RATES.items():
        if not w.pools.get(pool, ([], []))[0]:
            continue
        if kind.startswith("comp") and not w.ctx.competitors:
            continue
        count = int(rate * w.days * w.rng.uniform(0.9, 1.1))
        spiky = kind == "complaint"
        if spiky:
            count = int(count * 1.35)
        for when in w.times(profile, count, spiky):
            actor = w.pick(pool)
            if actor is None:
                continue
            if spiky and w.bad_start <= when < w.bad_end and w.rng.random() < 0.5:
                post = w.post(actor, "viral_followup", when, extra={"bad_week": True})
            else:
                post = w.post(actor, kind, when)
            if post is not None:
                out.append(post)
    return out


def _viral(w: World) -> None:
    """The bad week: one complaint that spreads, quoted, shared and answered late."""
    network = "x" if w.by_network[("customer", "x")][0] else "mastodon"
    actors = [
        a for a in w.by_network[("customer", network)][0] if (a.account.followers or 0) < 2000
    ]
    if not actors:
        return
    author = w.rng.choice(actors)
    when = w.bad_start + timedelta(hours=13, minutes=w.rng.randrange(60))
    root = w.post(author, "viral_complaint", when, extra={"viral": True})
    if root is None:
        return
    for _ in range(180):
        actor = w.pick_on(network)
        if actor is not None:
            w.repost(actor, root, w.later(when, 300, 1.2))
    for _ in range(45):
        actor = w.pick_on(network)
        if actor is not None and network != "mastodon":
            w.post(actor, "viral_followup", w.later(when, 400, 1.1), quote=root,
                   extra={"viral": True})  # fmt: skip
    for _ in range(35):
        actor = w.pick_on(network)
        if actor is not None:
            kind = "viral_followup" if w.rng.random() < 0.7 else "chat_reply"
            w.post(actor, kind, w.later(when, 240, 1.2), parent=root, extra={"viral": True})
    biz = w.business_on(network)
    if biz is not None:
        w.post(biz, "biz_apology", when + timedelta(hours=52), parent=root, extra={"viral": True})


def _conversations(w: World, originals: list[Post]) -> None:
    """Replies: the business answering customers, threads, people answering each other."""
    r = w.rng
    for post in originals:
        truth = (post.raw or {})["demo"]
        kind, role = truth["kind"], truth["actor"]
        network = post.network
        if network == "rss":
            continue
        if role == "customer" and kind in _ANSWER:
            answer, chance = _ANSWER[kind]
            biz = w.business_on(network)
            if biz is not None and r.random() < chance:
                slow = w.bad_start <= post.created < w.bad_end
                when = w.on_shift(w.later(post.created, 840 if slow else 150, 1.0))
                reply = w.post(biz, answer, when, parent=post)
                if reply is not None and r.random() < 0.25:
                    author = _author_actor(w, post)
                    back = w.post(author, "chat_reply", w.later(reply.created, 30), parent=reply)
                    if back is not None and r.random() < 0.5:
                        when = w.on_shift(w.later(back.created, 60))
                        w.post(biz, "biz_thanks", when, parent=back)
        if kind == "rec_request":
            for _ in range(r.randint(1, 4)):
                actor = w.pick_on(network)
                if actor is not None:
                    w.post(actor, "rec_answer", w.later(post.created, 45), parent=post)
        elif kind == "biz_question":
            for _ in range(r.randint(2, 7)):
                actor = w.pick_on(network, ("customer",))
                if actor is not None:
                    kind2 = "praise" if r.random() < 0.4 else "chat_reply"
                    w.post(actor, kind2, w.later(post.created, 60), parent=post)
        elif kind in _CHATTY and r.random() < 0.12:
            for _ in range(r.randint(1, 3)):
                actor = w.pick_on(network)
                if actor is not None:
                    w.post(actor, "chat_reply", w.later(post.created, 40), parent=post)


def _author_actor(w: World, post: Post) -> Actor:
    if not w.actors:
        for pool in w.cast.pools.values():
            w.actors.update({(a.account.network, a.account.id): a for a in pool})
    return w.actors.get((post.network, post.author.id)) or Actor(post.author, "customer")


_CHATTY = ("praise", "local", "comp_fan", "industry", "staff", "biz_promo")
_SHARE_WEIGHT = {"biz_promo": 3.0, "praise": 2.0, "staff": 2.0, "comp_promo": 2.0, "local": 1.5}
_SHARE_WEIGHT |= {"industry": 1.0, "spam": 0.1, "news_local": 0.0, "news_industry": 0.0}


def _shares(w: World, originals: list[Post]) -> None:
    """Reposts (every social network) and quotes (X and Bluesky: Mastodon has none)."""
    r = w.rng
    weights = [_SHARE_WEIGHT.get((p.raw or {})["demo"]["kind"], 0.5) for p in originals]
    if not originals or sum(weights) <= 0:
        return
    count = int(28 * w.days * r.uniform(0.9, 1.1))
    for original in r.choices(originals, weights, k=count):
        actor = w.pick_on(original.network, ("customer", "local", "competitor_fan"))
        if actor is not None and actor.account.id != original.author.id:
            w.repost(actor, original, w.later(original.created, 120, 1.3))
    quotable = [
        (p, wt) for p, wt in zip(originals, weights, strict=True) if p.network != "mastodon"
    ]
    for original, _wt in r.choices(quotable, [wt for _p, wt in quotable], k=int(7 * w.days)):
        actor = w.pick_on(original.network)
        if actor is not None and actor.account.id != original.author.id:
            w.post(actor, "quote", w.later(original.created, 180, 1.2), quote=original)


def _metrics(w: World) -> None:
    """Heavy-tailed engagement from each author's reach, never below what the world holds."""
    r = w.rng
    replies: Counter[tuple[str, str]] = Counter()
    quotes: Counter[tuple[str, str]] = Counter()
    reposts: Counter[tuple[str, str]] = Counter()
    for p in w.posts:
        if p.reply_to:
            replies[(p.network, p.reply_to)] += 1
        if p.quote_of:
            quotes[(p.network, p.quote_of)] += 1
        if p.repost_of:
            reposts[(p.network, p.repost_of)] += 1
    for p in w.posts:
        network = p.network
        if network == "rss":
            continue
        has_quotes = network != "mastodon"
        if p.repost_of:
            p.metrics = Metrics(0, 0, 0, 0 if has_quotes else None, None)
            continue
        truth = (p.raw or {})["demo"]
        followers = p.author.followers or 0
        boost = _BOOST.get(truth["kind"], 1.0)
        mean = (0.4 + 0.015 * followers**0.85) * boost
        likes = int(r.lognormvariate(math.log(mean), 1.1))
        rp = int(likes * r.uniform(0.03, 0.25))
        rep = int(likes * r.uniform(0.0, 0.12))
        qt = int(rp * r.uniform(0.0, 0.15))
        if truth.get("viral") and truth["kind"] == "viral_complaint":
            likes, rp = r.randint(4000, 9000), r.randint(900, 2000)
            rep, qt = r.randint(300, 700), r.randint(150, 400)
        key = (network, p.id)
        impressions = None
        if network == "x":
            impressions = int(followers * r.uniform(0.05, 0.3) + likes * r.uniform(20, 80)) + 1
        p.metrics = Metrics(
            likes=likes,
            reposts=max(rp, reposts[key]),
            replies=max(rep, replies[key]),
            quotes=max(qt, quotes[key]) if has_quotes else None,
            impressions=impressions,
        )


_BOOST = {"biz_promo": 1.5, "praise": 1.5, "staff": 1.3, "spam": 0.1, "viral_followup": 2.0}
_BOOST |= {"chat_reply": 0.4, "rec_answer": 0.5, "biz_thanks": 0.5, "biz_answer": 0.5}
