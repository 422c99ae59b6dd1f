"""Who lives in the demo world: the business, its staff, customers, locals, the
trade, competitors and their fans, spam bots, news sites, and the follower list
of the business's account with its share of bought followers.

Profiles are drawn so that the audit's follower classifier has something real to
learn: bought followers lean towards recent creation, default profiles, no bio,
generated screen names and following far more than they are followed, but every
one of those features overlaps with genuine accounts (lurkers, newcomers, people
who never set an avatar), so no single column separates them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from hubbub.model import Account
from hubbub.sources.demo.context import Context
from hubbub.sources.demo.net import bluesky_did, mastodon_id, slugify, snowflake
from hubbub.sources.demo.words import (
    BIO_BITS,
    ELSEWHERE,
    FAKE_BIOS,
    FIRST_NAMES,
    INSTANCES,
    LAST_NAMES,
    SPANISH_FIRST,
)

__all__ = ["Actor", "Cast", "cast_of"]

_X_START = datetime(2008, 1, 1, tzinfo=UTC)
_NETWORK_START = {"x": 16.0, "mastodon": 8.0, "bluesky": 2.5}  # years an account can be


@dataclass(slots=True)
class Actor:
    """An account with the demo's private knowledge of it."""

    account: Account
    role: str  # business, staff, customer, local, industry, competitor, competitor_fan, spam, news
    weight: float = 1.0  # how much it posts, relative to its pool
    spanish: bool = False
    competitor: int = -1  # which competitor (for competitor accounts and fans)


@dataclass(slots=True)
class Cast:
    business: list[Actor]
    staff: list[Actor]
    competitors: list[Actor]
    pools: dict[str, list[Actor]]  # customer, local, industry, competitor_fan, spam
    news: list[Actor]  # rss sites: [local news, industry blog]
    followers: list[Account]
    fake_followers: frozenset[str]


class _Maker:
    def __init__(self, rng: random.Random, ctx: Context, end: datetime) -> None:
        self.rng = rng
        self.ctx = ctx
        self.end = end
        self.taken: set[tuple[str, str]] = set()
        self.counter = 0

    def unique(self, network: str, handle: str) -> str:
        base = handle
        while (network, handle) in self.taken:
            digits = str(self.rng.randrange(1, 999))
            if network == "x":
                handle = base[: 15 - len(digits)] + digits
            elif network == "mastodon":
                user, _, inst = base.partition("@")
                handle = f"{user}{digits}@{inst}"
            else:
                user, _, rest = base.partition(".")
                handle = f"{user}{digits}.{rest}"
        self.taken.add((network, handle))
        return handle

    def account_id(self, network: str, created: datetime, handle: str) -> str:
        self.counter += 1
        if network == "x":
            if created < datetime(2013, 1, 1, tzinfo=UTC):
                return str(int((created - _X_START).total_seconds() * 3) + self.counter)
            return snowflake(created, self.counter)
        if network == "mastodon":
            return mastodon_id(created, self.counter)
        if network == "bluesky":
            return bluesky_did(self.rng)
        return handle

    def created(self, network: str, max_years: float, min_days: float = 30.0) -> datetime:
        years = min(max_years, _NETWORK_START.get(network, 16.0))
        days = self.rng.uniform(min_days, max(min_days + 1, years * 365.0))
        return (self.end - timedelta(days=days, seconds=self.rng.randrange(86400))).replace(
            microsecond=0
        )

    def handle_for(self, network: str, first: str, last: str) -> str:
        r = self.rng
        f, la = slugify(first).replace("-", ""), slugify(last).replace("-", "")
        town = slugify(self.ctx.nicknames[0] if self.ctx.nicknames else self.ctx.town)
        options = (
            f"{f}{la}",
            f"{f}_{la}",
            f"{f}{la[:1]}",
            f"{f[:1]}{la}",
            f"{f}{r.randrange(1, 99)}",
            f"{f}in{town.replace('-', '')}",
            f"the{f}{la[:1]}",
            f"{f}{la}{r.randrange(70, 99)}",
            f"{f}{r.randrange(100, 99999)}",
            f"{f[:1]}{la}{r.randrange(1000, 999999)}",
        )
        base = r.choice(options)
        if network == "x":
            if r.random() < 0.3:
                base = "".join(p.capitalize() for p in base.split("_"))
            return base[:15]
        if network == "mastodon":
            return f"{base.replace('_', '')[:20]}@{r.choice(INSTANCES)}"
        domain = "bsky.social" if r.random() < 0.9 else f"{base.replace('_', '')}.com"
        return base.replace("_", "-") + "." + domain if domain == "bsky.social" else domain

    def location(self, in_town: float) -> str:
        r = self.rng.random()
        if r < in_town:
            return self.rng.choice(self.ctx.town_locations)
        if r < in_town + (1 - in_town) * 0.6:
            name, region, _c, _la, _lo = self.rng.choice(ELSEWHERE)
            return self.rng.choice((name, f"{name}, {region}"))
        return ""

    def person(
        self,
        network: str,
        role: str,
        *,
        in_town: float,
        followers_median: float,
        bio_words: tuple[str, ...] = (),
        spanish: bool = False,
    ) -> Actor:
        r = self.rng
        first = r.choice(SPANISH_FIRST if spanish else FIRST_NAMES)
        last = r.choice(LAST_NAMES)
        handle = self.unique(network, self.handle_for(network, first, last))
        created = self.created(network, 16.0)
        followers = int(r.lognormvariate(math.log(followers_median), 1.4))
        following = int(
            math.exp(0.45 * math.log(followers + 1) + 0.55 * math.log(350) + r.gauss(0, 0.7))
        )
        bits = list(r.sample(BIO_BITS, k=r.randint(1, 3)))
        if bio_words and r.random() < 0.8:
            bits.insert(0, r.choice(bio_words))
        if r.random() < 0.25:
            bits.append(r.choice(self.ctx.town_locations))
        bio = r.choice((" | ", ". ", " · ", ", ")).join(bits) if r.random() < 0.85 else ""
        name = r.choice((f"{first} {last}", f"{first} {last}", first, f"{first} {last[0]}."))
        account = Account(
            network=network,
            id=self.account_id(network, created, handle),
            handle=handle,
            name=name,
            bio=bio,
            location=self.location(in_town),
            url=f"https://{slugify(first + last)}.com" if r.random() < 0.08 else "",
            followers=followers,
            following=following,
            posts=int(r.lognormvariate(math.log(1500), 1.3)),
            listed=int(r.lognormvariate(0.5, 1.2)) if network == "x" else None,
            created=created,
            verified=(r.random() < 0.015) if network == "x" else None,
            default_avatar=r.random() < 0.05,
            default_profile=(r.random() < 0.3) if network == "x" else None,
        )
        return Actor(account, role, weight=r.paretovariate(1.3), spanish=spanish)

    def organisation(self, network: str, handle: str, name: str, bio: str, role: str) -> Actor:
        created = self.created(network, 9.0, min_days=900)
        r = self.rng
        return Actor(
            Account(
                network=network,
                id=self.account_id(network, created, handle),
                handle=handle,
                name=name,
                bio=bio,
                location=self.ctx.town_locations[0],
                url=self.ctx.website if role == "business" else "",
                followers=int(r.lognormvariate(math.log(2500), 0.6)),
                following=int(r.lognormvariate(math.log(600), 0.5)),
                posts=int(r.lognormvariate(math.log(3000), 0.5)),
                listed=int(r.lognormvariate(3, 0.5)) if network == "x" else None,
                created=created,
                verified=False if network == "x" else None,
                default_avatar=False,
                default_profile=False if network == "x" else None,
            ),
            role,
        )

    def fake(self) -> Account:
        r = self.rng
        first, last = r.choice(FIRST_NAMES), r.choice(LAST_NAMES)
        style = r.random()
        if style < 0.35:
            handle = f"{first.lower()}{r.randrange(10**5, 10**9)}"
        elif style < 0.45:
            handle = f"{first.lower()}_{last.lower()}{r.choice(('', '_', 'x', 'xo'))}"
        elif style < 0.7:
            handle = f"{first}{last}{r.randrange(10**3, 10**8)}"
        else:
            handle = "".join(r.choices("abcdefghijklmnopqrstuvwxyz", k=r.randint(6, 9)))
            handle += str(r.randrange(10, 99999))
        handle = self.unique("x", handle[:15])
        if r.random() < 0.7:  # bought in a few batches, created together
            burst = (40, 160, 330)[r.randrange(3)]
            created = self.end - timedelta(days=burst + r.gauss(0, 6), seconds=r.randrange(86400))
        else:
            created = self.created("x", 4.0, min_days=5)
        created = created.replace(microsecond=0)
        name = r.choice((f"{first} {last}", f"{first} {last}", first, handle))
        return Account(
            network="x",
            id=self.account_id("x", created, handle),
            handle=handle,
            name=name,
            bio=r.choice(FAKE_BIOS) if r.random() < 0.2 else "",
            location=self.location(0.02) if r.random() < 0.2 else "",
            followers=int(r.lognormvariate(math.log(8), 1.3)),
            following=min(5001, int(r.lognormvariate(math.log(900), 0.8))),
            posts=0 if r.random() < 0.55 else int(r.lognormvariate(math.log(6), 1.3)),
            listed=0,
            created=created,
            verified=False,
            default_avatar=r.random() < 0.65,
            default_profile=r.random() < 0.85,
        )


def _network(rng: random.Random, x_share: float = 0.6) -> str:
    r = rng.random()
    return "x" if r < x_share else ("mastodon" if r < x_share + (1 - x_share) * 0.55 else "bluesky")


def cast_of(rng: random.Random, ctx: Context, end: datetime, scale: float = 1.0) -> Cast:
    """Draw every actor and the business's follower list."""
    m = _Maker(rng, ctx, end)
    for net, handle in ctx.handles.items():
        m.taken.add((net, handle))
    bio = f"{ctx.category.capitalize()} in {ctx.town}. {', '.join(ctx.products[:3])}."
    business = [m.organisation(n, h, ctx.name, bio, "business") for n, h in ctx.handles.items()]
    staff: list[Actor] = []
    for name, handles in ctx.team:
        first = name.partition(" ")[0]
        for net, handle in handles.items():
            m.taken.add((net, handle))
            a = m.person(net, "staff", in_town=1.0, followers_median=300)
            acc = a.account
            staff.append(
                Actor(
                    Account(
                        network=net,
                        id=acc.id,
                        handle=handle,
                        name=name,
                        bio=f"{first} at {ctx.name} | {acc.bio}".strip(" |"),
                        location=ctx.town_locations[0],
                        followers=acc.followers,
                        following=acc.following,
                        posts=acc.posts,
                        listed=acc.listed,
                        created=acc.created,
                        verified=acc.verified,
                        default_avatar=False,
                        default_profile=acc.default_profile,
                    ),
                    "staff",
                    weight=1.0,
                )
            )
    competitors = []
    for i, (name, handles) in enumerate(ctx.competitors):
        for net, handle in handles.items():
            m.taken.add((net, handle))
            comp = m.organisation(net, handle, name, f"{ctx.category.capitalize()}.", "competitor")
            comp.competitor = i
            competitors.append(comp)
    trade = (*(f"{w} nerd" for w in ctx.industry), "owner-operator", "industry writer")
    sizes = {"customer": 1500, "local": 1150, "industry": 350, "competitor_fan": 400, "spam": 170}
    pools: dict[str, list[Actor]] = {}
    for role, size in sizes.items():
        actors = []
        for _ in range(max(3, int(size * scale))):
            spanish = role in ("customer", "local") and rng.random() < 0.04
            actor = m.person(
                _network(rng, 0.85 if role == "spam" else 0.6),
                role,
                in_town={"customer": 0.7, "local": 0.85, "competitor_fan": 0.7}.get(role, 0.1),
                followers_median={"industry": 900, "spam": 150}.get(role, 260),
                bio_words=trade if role == "industry" else (),
                spanish=spanish,
            )
            if role == "spam":
                acc = actor.account
                actor.account = Account(
                    network=acc.network,
                    id=acc.id,
                    handle=acc.handle,
                    name=acc.name,
                    bio=rng.choice(FAKE_BIOS),
                    location="",
                    followers=acc.followers,
                    following=int(rng.lognormvariate(math.log(3000), 0.6)),
                    posts=int(rng.lognormvariate(math.log(20000), 0.8)),
                    listed=0 if acc.network == "x" else None,
                    created=m.created(acc.network, 1.5, min_days=3),
                    verified=False if acc.network == "x" else None,
                    default_avatar=rng.random() < 0.4,
                    default_profile=(rng.random() < 0.7) if acc.network == "x" else None,
                )
            if role == "competitor_fan" and ctx.competitors:
                actor.competitor = rng.randrange(len(ctx.competitors))
            actors.append(actor)
        pools[role] = actors
    town_slug = slugify(ctx.town).replace("-", "")
    news = [
        _site(f"{ctx.town} Daily Ledger", f"https://www.{town_slug}ledger.com", "local news", end),
        _site(
            f"{ctx.category.title()} Weekly",
            f"https://{slugify(ctx.category).replace('-', '')}weekly.com",
            f"news and ideas for {ctx.industry[-1]}",
            end,
        ),
    ]
    followers, fakes = _followers(m, pools, ctx, scale)
    for actor in business:  # the account the follower list belongs to says how many it has
        if followers and actor.account.network == followers[0].network:
            actor.account = replace(actor.account, followers=len(followers))
    return Cast(business, staff, competitors, pools, news, followers, fakes)


def _site(name: str, url: str, bio: str, end: datetime) -> Actor:
    feed = f"{url}/feed.xml"
    host = url.split("//", 1)[1]
    account = Account(
        network="rss", id=feed, handle=host, name=name, bio=bio, url=url, created=None
    )
    return Actor(account, "news")


def _followers(
    m: _Maker, pools: dict[str, list[Actor]], ctx: Context, scale: float
) -> tuple[list[Account], frozenset[str]]:
    """The business's X followers: some who post, lurkers, and ~30% bought ones."""
    rng = m.rng
    if not ctx.handles:
        return [], frozenset()
    network = "x" if "x" in ctx.handles else next(iter(ctx.handles))
    posting = [
        a.account
        for role in ("customer", "local", "competitor_fan")
        for a in pools[role]
        if a.account.network == network and rng.random() < 0.6
    ]
    lurkers = []
    for _ in range(int(1100 * scale)):
        acc = m.person(network, "customer", in_town=0.6, followers_median=120).account
        if rng.random() < 0.35:  # people who read and never post
            acc = Account(
                network=acc.network,
                id=acc.id,
                handle=acc.handle,
                name=acc.name,
                bio=acc.bio if rng.random() < 0.5 else "",
                location=acc.location,
                followers=int(rng.lognormvariate(math.log(15), 1.2)),
                following=int(rng.lognormvariate(math.log(180), 0.9)),
                posts=int(rng.lognormvariate(math.log(4), 1.5)),
                listed=0,
                created=acc.created,
                verified=False,
                default_avatar=rng.random() < 0.25,
                default_profile=rng.random() < 0.6,
            )
        lurkers.append(acc)
    genuine = posting + lurkers
    share = rng.uniform(0.27, 0.33)
    fakes = [m.fake() for _ in range(round(len(genuine) * share / (1 - share)))]
    followers = genuine + fakes
    rng.shuffle(followers)
    return followers, frozenset(a.id for a in fakes)
