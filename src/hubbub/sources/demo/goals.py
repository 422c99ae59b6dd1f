"""The demo's posts for the Goals page: check-ins, visits, promo codes and an event's buzz.

The rest of the world (:mod:`generate`) already holds leads (purchase intent,
recommendation requests) and complaints answered in threads. These are drawn last,
after every other post and its metrics, from the same seeded generator, so adding
them changed nothing that was drawn before, and the same ``(seed, end)`` still gives
the same world.

- **check-ins**: Swarm-style "I'm at <business> in <town>" posts and shouts
  "... (@ <business> in <town>)", on X, tagged with the business's place;
- **visits**: local customers saying they stopped by, popped in, grabbed a loaf;
- **promo codes** (:func:`demo_codes`): the business posts each code while it runs,
  and people mention it, in any case, sometimes as a hashtag;
- **an event**: each event stream with a window (:func:`with_event_windows` gives the
  workspace's event streams one in the world's last fortnight) draws talk in the
  days before it and much more during it, with the business at its stall.

The codes and windows are functions of the workspace and the world's end, so the
demo command can declare the same codes in the store (:mod:`hubbub.goals.demo`).
"""

from __future__ import annotations

import dataclasses
import math
import random
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from hubbub.model import Metrics, Place, Post, Stream, Workspace
from hubbub.sources.demo import net
from hubbub.sources.demo.people import Actor
from hubbub.sources.demo.world import World

__all__ = ["DemoCode", "demo_codes", "event_window", "goal_posts", "with_event_windows"]


@dataclass(frozen=True, slots=True)
class DemoCode:
    code: str
    description: str
    starts: datetime
    ends: datetime | None


def _word(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", text).upper()[:12] or "SHOP"


def demo_codes(ws: Workspace, end: datetime) -> list[DemoCode]:
    """The two codes the demo business runs: 10% off its first product from 45 days
    before the world's end on, and 5 off its second for the last three weeks (and
    ten days beyond)."""
    products = [p for p in ws.products if p.strip()] or ["order"]
    first, second = products[0], products[1] if len(products) > 1 else products[0]
    day = end.replace(hour=0, minute=0, second=0, microsecond=0)
    return [
        DemoCode(f"{_word(first)}10", f"10% off any {first}", day - timedelta(days=45), None),
        DemoCode(
            f"{_word(second)}5",
            f"5 off a dozen {second}s",
            day - timedelta(days=21),
            day + timedelta(days=10),
        ),
    ]


def event_window(end: datetime, tz: str) -> tuple[datetime, datetime]:
    """A three-day event, Friday to Sunday in the workspace's zone, in the week that
    ended about twelve days before the world's end."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    local = (end - timedelta(days=12)).astimezone(zone).date()
    friday = local - timedelta(days=(local.weekday() - 4) % 7)
    starts = datetime.combine(friday, time(0), zone)
    return starts.astimezone(UTC), (starts + timedelta(days=3)).astimezone(UTC)


def with_event_windows(
    ws: Workspace,
    end: datetime,
    kept: Mapping[str, tuple[datetime | None, datetime | None]] | None = None,
) -> Workspace:
    """The workspace with a window on each event stream that has none: the one in
    ``kept`` (a window stored by an earlier demo run, so a rerun keeps its event), else
    :func:`event_window`."""
    kept = kept or {}
    streams: list[Stream] = []
    for s in ws.streams:
        if s.kind == "event" and s.starts is None and s.ends is None:
            starts, ends = kept.get(s.name) or event_window(end, ws.timezone)
            s = dataclasses.replace(s, starts=starts, ends=ends)
        streams.append(s)
    return dataclasses.replace(ws, streams=tuple(streams))


# --- drawing -------------------------------------------------------------------------------

_SWARM = "https://www.swarmapp.com/c/{k}"
_SHOUTS = (
    "Coffee and a {product} before work",
    "Treat day",
    "Saturday ritual",
    "Finally!",
    "Fuel for the hike",
    "Rainy day plan",
)
_VISITS = (
    "Stopped by {biz} for a {product} this morning {e}",
    "Popped into {biz} on the way to work. The {product} was still warm {e}",
    "Finally visited {biz} in {place}, worth the hype {e}",
    "Came in to {biz} for {occasion} and left with three {product}s",
    "Swung by {biz} after the market and grabbed a {product} {e}",
    "Dropped by {biz} today, the line was out the door but so worth it",
    "Picked up a {product} at {biz} on my lunch break {e}",
    "Was at {biz} with the kids, they loved the {product} {e}",
)
_BIZ_CODE = (
    "This week: {desc} with code {code} {url}",
    "Use code {code} at the counter or online for {desc} {url}",
    "Reminder: {code} still works! {desc} {url}",
)
_PEOPLE_CODE = (
    "Just used {code} at {biz}: {desc} and the {product} was perfect {e}",
    "{lower} still works at {biz}! Go go go",
    "Does code {lower} still work at {biz}?",
    "Thanks {biz} for the #{code} deal, grabbed two {product}s {e}",
)
_EVENT_BEFORE = (
    "Who's going to the {event} in {town} this weekend?",
    "Can't wait for the {event} in {town} {e}",
    "Is {biz} going to be at the {event} in {town}?",
)
_EVENT_DURING = (
    "The {event} in {town} is packed {e}",
    "Got a {product} from the {biz} stall at the {event} in {town} {e}",
    "Cold but cozy at the {event} in {town} {e}",
    "Parking near the {event} in {town} is a nightmare",
    "Best part of the {event} in {town}? The {product} at {biz} {e}",
    "Lights, music and mulled cider at the {event} in {town} {e}",
)
_BIZ_EVENT = (
    "Find us at the {event} in {town} today! Fresh {product} all day {e}",
    "Day {n} at the {event} in {town}: come say hi at our stall {e}",
    "Thank you {town}! The {event} was wonderful {e}",
)
_EMOJI = ("🥐", "😍", "☕", "🙌", "✨", "❤️", "")
_HOURS = (0, 0, 0, 0, 0, 0, 1, 3, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 1, 1, 1, 0, 0, 0)


def _when(rng: random.Random, start: datetime, end: datetime, tz: object) -> datetime | None:
    """A moment in [start, end) at a time of day people are out, or None if none."""
    days = (end - start).days
    if days <= 0:
        return None
    day = start + timedelta(days=rng.randrange(days))
    local = day.astimezone(tz)  # type: ignore[arg-type]
    hour = rng.choices(range(24), weights=_HOURS)[0]
    moment = local.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60))
    moment = moment.replace(microsecond=0).astimezone(UTC)
    return moment if start <= moment < end else None


def _post(
    w: World,
    actor: Actor,
    text: str,
    when: datetime,
    kind: str,
    *,
    intent: str,
    sentiment: str,
    place: Place | None = None,
    client: str = "",
) -> Post:
    network = actor.account.network
    native = w.native_id(network, when)
    likes = int(w.rng.lognormvariate(math.log(1.5), 1.0))
    post = Post(
        network=network,
        id=native,
        author=actor.account,
        text=text,
        created=when,
        language="en",
        url=net.post_url(network, actor.account.handle, native),
        conversation_id=native,
        metrics=Metrics(likes, int(likes * 0.1), 0, 0 if network != "mastodon" else None),
        place=place,
        client=client or w.client(actor),
        raw={
            "demo": {
                "kind": kind,
                "template": -1,
                "actor": actor.role,
                "intent": intent,
                "sentiment": sentiment,
                "fake": False,
                "goal": True,
            }
        },
        provenance=w.provenance,
    )
    w.posts.append(post)
    return post


def _locals(w: World, network: str) -> list[Actor]:
    towns = set(w.ctx.town_locations)
    actors, _ = w.by_network[("customer", network)]
    return [a for a in actors if a.account.location in towns] or actors


def goal_posts(w: World, workspace: Workspace) -> int:
    """Draw the goal posts into ``w`` (after everything else); return how many."""
    r, ctx = w.rng, w.ctx
    before = len(w.posts)
    start, end = w.start, w.end
    x_locals = _locals(w, "x")
    networks = [n for n in ("x", "mastodon", "bluesky") if w.by_network[("customer", n)][0]]

    def fill(text: str, **extra: str) -> str:
        slots = {
            "biz": ctx.name,
            "product": r.choice(ctx.products),
            "place": r.choice((ctx.town, *ctx.nicknames)),
            "town": ctx.town,
            "occasion": r.choice(("a birthday", "breakfast", "the weekend", "a picnic")),
            "e": r.choice(_EMOJI),
            **extra,
        }
        return " ".join(text.format(**slots).split())

    where = f"{ctx.town}, {ctx.region}" if ctx.region else ctx.town
    if x_locals:
        for _ in range(int(0.7 * w.days)):
            when = _when(r, start, end, ctx.tz)
            if when is None:
                continue
            actor = r.choice(x_locals)
            link = _SWARM.format(k="".join(r.choices(net.ALNUM, k=11)))
            if r.random() < 0.6:
                text = f"I'm at {ctx.name} in {where} {link}"
            else:
                shout = fill(r.choice(_SHOUTS))
                text = f"{shout} (@ {ctx.name} in {where}) {link}"
            lat = ctx.latitude + r.uniform(-0.002, 0.002)
            lon = ctx.longitude + r.uniform(-0.002, 0.002)
            place = Place(
                ctx.name, f"{ctx.name}, {where}", ctx.country, round(lat, 5), round(lon, 5)
            )
            _post(w, actor, text, when, "checkin", intent="other", sentiment="neutral",
                  place=place, client="Foursquare Swarm")  # fmt: skip
    for _ in range(int(1.5 * w.days)):
        when = _when(r, start, end, ctx.tz)
        if when is None or not networks:
            continue
        actor = r.choice(_locals(w, r.choice(networks)))
        _post(w, actor, fill(r.choice(_VISITS)), when, "visit", intent="praise",
              sentiment="positive")  # fmt: skip
    business = {a.account.network: a for a in w.cast.business}
    url = ctx.website + "/order"
    for code in demo_codes(workspace, end):
        run_start = max(start, code.starts)
        run_end = min(end, code.ends or end)
        days = (run_end - run_start).days
        for _ in range(days // 4):
            biz = business.get(r.choice(list(business) or ["x"]))
            when = _when(r, run_start, run_end, ctx.tz)
            if biz is None or when is None:
                continue
            text = fill(r.choice(_BIZ_CODE), code=code.code, desc=code.description, url=url)
            _post(w, biz, text, when, "biz_code", intent="spam_promo", sentiment="positive")
        for _ in range(int(0.6 * days)):
            when = _when(r, run_start, run_end, ctx.tz)
            if when is None or not networks:
                continue
            actor = r.choice(_locals(w, r.choice(networks)))
            lower = code.code.lower() if r.random() < 0.5 else code.code.capitalize()
            text = fill(r.choice(_PEOPLE_CODE), code=code.code, lower=lower,
                        desc=code.description)  # fmt: skip
            _post(w, actor, text, when, "code_mention", intent="praise", sentiment="positive")
    for stream in workspace.streams:
        if stream.kind != "event" or stream.starts is None or stream.ends is None:
            continue
        length = stream.ends - stream.starts
        days = max(1, round(length / timedelta(days=1)))
        name = stream.name.lower()
        for lo, hi, rate, texts in (
            (stream.starts - length, stream.starts, 4, _EVENT_BEFORE),
            (stream.starts, stream.ends, 16, _EVENT_DURING),
        ):
            for _ in range(rate * days):
                when = _when(r, max(lo, start), min(hi, end), ctx.tz)
                if when is None or not networks:
                    continue
                actor = r.choice(_locals(w, r.choice(networks)))
                good = texts is not _EVENT_DURING or r.random() > 0.15
                _post(w, actor, fill(r.choice(texts), event=name), when, "event",
                      intent="other", sentiment="positive" if good else "negative")  # fmt: skip
        for n in range(days):
            biz = business.get("x") or next(iter(business.values()), None)
            when = _when(
                r, stream.starts + timedelta(days=n), stream.starts + timedelta(days=n + 1), ctx.tz
            )
            if biz is not None and when is not None and when < end:
                text = fill(_BIZ_EVENT[min(n, 1) if n < days - 1 else 2], event=name, n=str(n + 1))
                _post(w, biz, text, when, "biz_event", intent="spam_promo", sentiment="positive")
    return len(w.posts) - before
