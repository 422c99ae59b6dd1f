"""The demo world: 90 days of social life around one small business, from a seed.

Why simulate rather than ship a fixture: the dashboard's "last 30 days" must be
alive whenever someone runs ``make demo``, and every derived stream (brand,
competitors, locale, industry) needs data, so the world is drawn for any
workspace and any end time. Everything comes from one ``random.Random(seed)``;
the only time input is ``end``, so the same ``(seed, end)`` gives the same posts.

How it is drawn: originals per kind at a daily rate, their times sampled from an
hour-of-week profile in the workspace's timezone (mornings and weekends for
customers, office hours for the business, evenings for locals), one bad week with
a viral complaint, then replies, threads, quotes and reposts spawned from those
originals, each after a delay (so every reply points at an earlier post on the
same network), and last the metrics (heavy-tailed, with reply and quote counts at
least what the world itself holds).
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hubbub.model import Account, Media, Place, Post, Provenance
from hubbub.sources.demo import net, words
from hubbub.sources.demo.context import Context
from hubbub.sources.demo.people import Actor, Cast
from hubbub.sources.demo.templates import BAKERY_KINDS, KINDS, SPANISH, labels

__all__ = ["DemoWorld", "World", "resolve_end"]


@dataclass(slots=True)
class DemoWorld:
    """Everything the demo source emits: posts in created order, their authors and the
    business's followers (``fake_followers`` holds the ids of the bought ones)."""

    posts: list[Post]
    accounts: list[Account]
    followers: list[Account]
    fake_followers: frozenset[str] = field(default_factory=frozenset)


def resolve_end(end: datetime | None) -> datetime:
    """``end`` in UTC; ``None`` is the current hour (truncated), so recent days are alive."""
    if end is None:
        return datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    if end.tzinfo is None:
        return end.replace(tzinfo=UTC)
    return end.astimezone(UTC)


# relative activity per local hour 0..23, and the weekend factor
_PROFILES: dict[str, tuple[tuple[float, ...], float]] = {
    name: (tuple(float(v) for v in hours.split()), weekend)
    for name, hours, weekend in (
        ("morning", ".1 .05 .03 .03 .05 .2 .6 1.4 2 2 1.6 1.3"
         " 1.2 1 .8 .7 .7 .8 .9 .9 .8 .6 .4 .2", 1.6),
        ("office", "0 0 0 0 .05 .3 1 1.5 1.5 1.3 1.2 1.2 1.1 1 1 1 .9 .7 .5 .4 .3 .2 .1 .05", 1.2),
        ("evening", ".3 .15 .08 .05 .05 .1 .3 .6 .8 .8 .8 .9"
         " 1 .9 .9 1 1.1 1.3 1.5 1.6 1.6 1.4 1 .6", 1.3),
        ("work", ".05 .02 .02 .02 .05 .1 .3 .7 1.2 1.4 1.4 1.3"
         " 1.2 1.3 1.3 1.2 1 .8 .6 .5 .4 .3 .2 .1", 0.4),
        ("flat", " ".join(["1"] * 24), 1.0),
    )
}  # fmt: skip

_PEOPLE = ("customer", "local", "competitor_fan", "industry", "spam", "staff")
_ELONGATE = {"so": "sooo", "good": "gooood", "love": "loooove", "yes": "yesss", "omg": "omggg"}
_ELONGATE |= {"wow": "wowww", "best": "bestttt", "need": "neeeed", "really": "reallyyy"}
_WORD = re.compile(r"\b(so|good|love|yes|omg|wow|best|need|really)\b", re.IGNORECASE)
_LINKS = (
    "https://www.youtube.com/watch?v={k}",
    "https://bit.ly/{k}",
    "https://www.instagram.com/p/{k}/",
    "https://open.spotify.com/episode/{k}",
    "https://medium.com/@writer/{k}",
)


class _Slots(dict[str, str]):
    """A template's slot values, drawn on first use (so ``{e}{e}`` repeats one emoji)."""

    def __init__(self, world: World, network: str, competitor: int, instance: str) -> None:
        super().__init__()
        self.world, self.network, self.competitor, self.instance = (
            world,
            network,
            competitor,
            instance,
        )

    def __missing__(self, key: str) -> str:
        value = self.world.slot(key, self)
        self[key] = value
        return value


class World:
    """The generator's state: the cast, the time profiles, the posts drawn so far."""

    def __init__(self, ctx: Context, cast: Cast, rng: random.Random, seed: int, end: datetime,
                 days: int) -> None:  # fmt: skip
        self.ctx, self.cast, self.rng, self.end, self.days = ctx, cast, rng, end, days
        self.start = end - timedelta(days=days)
        self.provenance = Provenance(source="demo", url=f"demo://seed/{seed}", retrieved=end)
        self.posts: list[Post] = []
        self.actors: dict[tuple[str, str], Actor] = {}
        self.counter = 0
        self.bad_start = end - timedelta(days=days * 0.27)
        self.bad_end = self.bad_start + timedelta(days=max(1.0, days * 0.078))
        self.templates = {
            k: (*kind.templates, *(BAKERY_KINDS.get(k, ()) if ctx.bakery else ()))
            for k, kind in KINDS.items()
        }
        self.hours = self._hours()
        self._cum: dict[tuple[str, bool], list[float]] = {}
        self.pools: dict[str, tuple[list[Actor], list[float]]] = {}
        groups = dict(cast.pools)
        groups |= {"business": cast.business, "staff": cast.staff}
        groups |= {"competitor": cast.competitors}
        groups |= {"news_local": cast.news[:1], "news_industry": cast.news[1:]}
        for name, actors in groups.items():
            cum, total = [], 0.0
            for a in actors:
                total += a.weight * (2.0 if a.account.network == "x" and name == "business" else 1)
                cum.append(total)
            self.pools[name] = (actors, cum)
        self.by_network: dict[tuple[str, str], tuple[list[Actor], list[float]]] = {}
        for role in ("customer", "local", "competitor_fan"):
            for network in ("x", "mastodon", "bluesky"):
                actors = [a for a in cast.pools[role] if a.account.network == network]
                cum = list(_accumulate(a.weight for a in actors))
                self.by_network[(role, network)] = (actors, cum)

    # --- time ---------------------------------------------------------------------------
    def _hours(self) -> list[tuple[datetime, int, bool]]:
        out = []
        for h in range(self.days * 24):
            t = self.start + timedelta(hours=h)
            local = t.astimezone(self.ctx.tz)
            out.append((t, local.hour, local.weekday() >= 5))
        return out

    def times(self, profile: str, count: int, spiky: bool = False) -> list[datetime]:
        key = (profile, spiky)
        if key not in self._cum:
            by_hour, weekend = _PROFILES[profile]
            weights = []
            for t, hour, is_weekend in self.hours:
                w = by_hour[hour] * (weekend if is_weekend else 1.0)
                if spiky and self.bad_start <= t < self.bad_end:
                    w *= 5.0
                weights.append(w + 1e-6)
            self._cum[key] = list(_accumulate(weights))
        picks = self.rng.choices(self.hours, cum_weights=self._cum[key], k=count)
        rand = self.rng.random
        return [t + timedelta(seconds=rand() * 3599.999) for t, _h, _w in picks]

    def later(self, when: datetime, median_minutes: float, sigma: float = 1.0) -> datetime:
        minutes = max(0.5, self.rng.lognormvariate(math.log(median_minutes), sigma))
        return when + timedelta(minutes=minutes)

    def on_shift(self, when: datetime) -> datetime:
        """Move ``when`` into the business's staffed hours (7:00-20:00 local), never earlier."""
        local = when.astimezone(self.ctx.tz)
        if 7 <= local.hour < 20:
            return when
        days = 1 if local.hour >= 20 else 0
        opening = (local + timedelta(days=days)).replace(hour=7, minute=0, second=0)
        minutes = self.rng.lognormvariate(math.log(60), 0.8)
        return (opening + timedelta(minutes=minutes)).astimezone(UTC)

    # --- slots --------------------------------------------------------------------------
    def slot(self, key: str, s: _Slots) -> str:
        r, ctx = self.rng, self.ctx
        if key == "biz":
            x = r.random()
            if x < 0.7 or ctx.short == ctx.name:
                return ctx.name if x < 0.55 or x >= 0.7 else ctx.name.lower()
            return ctx.short
        if key == "biz_at":
            handle = ctx.handles.get(s.network)
            return net.mention(s.network, handle, s.instance) if handle else ctx.name
        if key == "biz_tag":
            return "#" + ctx.tag
        if key == "biz_url":
            product = net.slugify(r.choice(ctx.products))
            path = r.choice(
                ("/menu", "/order", f"/order/{product}", f"/blog/{product}-{r.randint(2, 40)}",
                 "/gift-cards", "/jobs", "/events", f"/?utm_source={s.network}&utm_medium=social")
            )  # fmt: skip
            return ctx.website + path
        if key in ("product", "product2"):
            other = s.get("product2" if key == "product" else "product")
            choices = [p for p in ctx.products if p != other] or list(ctx.products)
            return r.choice(choices)
        if key in ("comp", "comp_at"):
            if not ctx.competitors:
                return "the chain place"
            if s.competitor < 0:
                s.competitor = r.randrange(len(ctx.competitors))
            name, handles = ctx.competitors[s.competitor]
            if key == "comp_at" and s.network in handles:
                return net.mention(s.network, handles[s.network], s.instance)
            return name
        if key == "town":
            return ctx.town
        if key == "place":
            return r.choice(ctx.nicknames) if ctx.nicknames and r.random() < 0.5 else ctx.town
        if key == "town_tag":
            names = (ctx.town, *ctx.nicknames[:1])
            return "#" + re.sub(r"\W", "", r.choice(names)).lower()
        if key == "short":
            return ctx.short
        if key in ("category", "industry"):
            return ctx.category if key == "category" else r.choice(ctx.industry)
        if key == "tag":
            return "#" + re.sub(r"\W", "", r.choice((*ctx.industry, *ctx.products))).lower()
        if key == "link":
            if s.network == "x":
                return net.tco(r)
            return r.choice(_LINKS).format(k="".join(r.choices(net.ALNUM, k=11)))
        if key == "at":
            actors, cum = self.by_network[("customer", s.network)]
            return net.mention(
                s.network, r.choices(actors, cum_weights=cum)[0].account.handle, s.instance
            )
        if key == "staff":
            team = [name.split()[0] for name, _h in ctx.team if name]
            return r.choice(team or list(words.FIRST_NAMES))
        simple: dict[str, tuple[str, ...]] = {
            "time": words.TIMES, "day": words.DAYS, "occasion": words.OCCASIONS,
            "event": words.EVENTS, "weather": words.WEATHER, "e": words.EMOJI_POS,
            "bad": words.EMOJI_NEG, "person": words.FIRST_NAMES,
        }  # fmt: skip
        if key in simple:
            return r.choice(simple[key])
        bounds = {"price": (6, 120), "n": (2, 40), "pct": (3, 40), "mins": (15, 60)}
        if key in bounds:
            return str(r.randint(*bounds[key]))
        raise KeyError(f"demo template slot {{{key}}} is unknown")

    # --- posts --------------------------------------------------------------------------
    def text(self, actor: Actor, kind: str, competitor: int) -> tuple[str, str, int, str]:
        """Draw a template of ``kind`` for ``actor``: (text, language, index, template)."""
        r, ctx = self.rng, self.ctx
        net_name = actor.account.network
        instance = actor.account.handle.partition("@")[2]
        slots = _Slots(self, net_name, competitor if competitor >= 0 else actor.competitor,
                       instance)  # fmt: skip
        if actor.spanish and kind in SPANISH and r.random() < 0.6:
            i = r.randrange(len(SPANISH[kind]))
            return SPANISH[kind][i].format_map(slots), "es", 100 + i, SPANISH[kind][i]
        templates = self.templates[kind]
        i = r.randrange(len(templates))
        if not ctx.competitors and "{comp" in templates[i]:
            usable = [j for j, t in enumerate(templates) if "{comp" not in t] or [i]
            i = r.choice(usable)
        text = templates[i].format_map(slots)
        if actor.role in _PEOPLE:
            text = self.humanize(text, kind)
        return text, "en", i, templates[i]

    def humanize(self, text: str, kind: str) -> str:
        r = self.rng.random
        if r() < 0.12:
            text = _WORD.sub(lambda m: _ELONGATE[m.group(1).lower()], text, count=1)
        if r() < 0.06:
            parts = text.split(" ")
            plain = [i for i, w in enumerate(parts) if len(w) >= 5 and w.isalpha() and w.islower()]
            if plain:
                i = self.rng.choice(plain)
                w, j = parts[i], self.rng.randrange(len(parts[i]) - 1)
                parts[i] = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
                text = " ".join(parts)
        caps = 0.18 if kind in ("complaint", "viral_followup") else 0.03
        if r() < caps:
            text = " ".join(
                w if w[:1] in "@#" or "://" in w else w.upper() for w in text.split(" ")
            )
        elif r() < 0.1:
            text = " ".join(w if "://" in w else w.lower() for w in text.split(" "))
        return text

    def native_id(self, network: str, when: datetime) -> str:
        self.counter += 1
        if network == "x":
            return net.snowflake(when, self.counter)
        if network == "mastodon":
            return net.mastodon_id(when, self.counter)
        return net.bluesky_tid(when, self.counter)

    def post(
        self,
        actor: Actor,
        kind: str,
        when: datetime,
        *,
        parent: Post | None = None,
        quote: Post | None = None,
        competitor: int = -1,
        extra: dict[str, Any] | None = None,
    ) -> Post | None:
        """Make one post (``None`` when it would fall after ``end``) and keep it."""
        if when >= self.end:
            return None
        r = self.rng
        account = actor.account
        network = account.network
        when = when.replace(microsecond=(when.microsecond // 1000) * 1000)
        text, lang, index, template = self.text(actor, kind, competitor)
        if network == "rss":
            self.counter += 1  # a WordPress-style guid, and a permalink with the title's slug
            native = f"{account.url}/?p={self.counter}"
            url = f"{account.url}/{when:%Y/%m/%d}/{net.slugify(text)[:80]}/"
        else:
            if parent is not None and network in ("x", "mastodon"):
                instance = account.handle.partition("@")[2]
                text = f"{net.mention(network, parent.author.handle, instance)} {text}"
            if quote is not None and network == "x":
                text = f"{text} {net.tco(r)}"
            native = self.native_id(network, when)
            url = net.post_url(network, account.handle, native)
        media: tuple[Media, ...] = ()
        if network != "rss" and r.random() < _MEDIA.get(kind, 0.03):
            alt = r.choice(("", "", f"A {r.choice(self.ctx.products)} on a plate"))
            media = (Media("photo", net.media_url(r, network, account.id), alt),)
        place = self.place() if network == "x" and r.random() < 0.08 else None
        truth: dict[str, Any] = {"kind": kind, "template": index, "actor": actor.role}
        intent, sentiment = labels(kind, template)
        truth |= {"intent": intent, "sentiment": sentiment}
        truth |= {"fake": actor.role == "spam"} | (extra or {})
        post = Post(
            network=network,
            id=native,
            author=account,
            text=text,
            created=when,
            language=lang,
            url=url,
            reply_to=parent.id if parent else None,
            reply_to_handle=parent.author.handle if parent else None,
            quote_of=quote.id if quote else None,
            conversation_id=(parent.conversation_id or parent.id) if parent else native,
            place=place,
            client=self.client(actor),
            media=media,
            raw={"demo": truth},
            provenance=self.provenance,
        )
        self.posts.append(post)
        return post

    def repost(self, actor: Actor, original: Post, when: datetime) -> Post | None:
        if when >= self.end or original.network != actor.account.network:
            return None
        network = original.network
        native = self.native_id(network, when.replace(microsecond=0))
        text = original.text
        if network == "x":
            text = f"RT @{original.author.handle}: {text}"
        of = (original.raw or {}).get("demo", {})
        truth = {"kind": "repost", "template": -1, "actor": actor.role, "of": of.get("kind")}
        truth |= {"intent": of.get("intent", "other"), "sentiment": of.get("sentiment", "neutral")}
        truth |= {"fake": actor.role == "spam"}
        post = Post(
            network=network,
            id=native,
            author=actor.account,
            text=text,
            created=when.replace(microsecond=0),
            language=original.language,
            url=net.post_url(network, actor.account.handle, native),
            repost_of=original.id,
            conversation_id=native,
            client=self.client(actor),
            raw={"demo": truth},
            provenance=self.provenance,
        )
        self.posts.append(post)
        return post

    def client(self, actor: Actor) -> str:
        network = actor.account.network
        if actor.role in ("business", "competitor"):
            return (
                _CLIENT_BUSINESS[network] if self.rng.random() < 0.6 else _CLIENT_DEFAULT[network]
            )
        if actor.role == "spam":
            return "IFTTT" if network == "x" else _CLIENT_DEFAULT[network]
        apps, cum = _CLIENTS[network]
        return self.rng.choices(apps, cum_weights=cum)[0]

    def place(self) -> Place:
        r, ctx = self.rng, self.ctx
        if r.random() < 0.8:
            d, theta = ctx.radius_km * 0.6 * math.sqrt(r.random()), r.random() * 2 * math.pi
            lat = ctx.latitude + d * math.cos(theta) / 111.0
            lon = ctx.longitude + d * math.sin(theta) / (111.0 * math.cos(math.radians(lat)))
            name = r.choice((ctx.town, ctx.town, *ctx.nicknames))
            full = f"{ctx.town}, {ctx.region}" if ctx.region else ctx.town
            return Place(name, full, ctx.country, round(lat, 5), round(lon, 5))
        name, region, country, lat, lon = r.choice(words.ELSEWHERE)
        lat, lon = lat + r.uniform(-0.05, 0.05), lon + r.uniform(-0.05, 0.05)
        return Place(name, f"{name}, {region}", country, round(lat, 5), round(lon, 5))

    def pick(self, pool: str) -> Actor | None:
        actors, cum = self.pools.get(pool, ([], []))
        return self.rng.choices(actors, cum_weights=cum)[0] if actors else None

    def pick_on(self, network: str, roles: tuple[str, ...] = ("customer", "local")) -> Actor | None:
        actors, cum = self.by_network[(self.rng.choice(roles), network)]
        return self.rng.choices(actors, cum_weights=cum)[0] if actors else None

    def business_on(self, network: str) -> Actor | None:
        for actor in self.cast.business:
            if actor.account.network == network:
                return actor
        return None


def _accumulate(values: Any) -> list[float]:
    out, total = [], 0.0
    for v in values:
        total += v
        out.append(total)
    return out


_MEDIA = {"biz_promo": 0.6, "staff": 0.5, "praise": 0.3, "comp_promo": 0.5, "local": 0.2}
_MEDIA |= {"comp_fan": 0.25, "viral_complaint": 1.0, "complaint": 0.15, "spam": 0.2}
_CLIENTS = {
    network: ([app for app, _w in options], _accumulate(w for _app, w in options))
    for network, options in words.CLIENTS.items()
}
_CLIENT_BUSINESS = {"x": "Buffer", "mastodon": "Web", "bluesky": "Bluesky Web", "rss": ""}
_CLIENT_DEFAULT = {"x": "Twitter Web App", "mastodon": "Web", "bluesky": "Bluesky Web", "rss": ""}
