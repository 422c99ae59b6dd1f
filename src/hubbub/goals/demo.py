"""What the demo adds beyond its posts, so its Goals page shows real numbers.

The demo world's posts (:mod:`hubbub.sources.demo.goals`) hold check-ins, visits,
code mentions and an event's talk; a real business would also have its till's
redemptions, clicks on its links, and a team that marks leads and closes inbox items.
:func:`seed` makes those, deterministically from the seed and the world's end, and
idempotently (a rerun of ``hubbub demo`` adds nothing twice):

- the demo's promo codes, declared (:func:`hubbub.sources.demo.demo_codes`);
- 0-4 redemptions a day of each code while it runs, with order values;
- a post published every third day with a tracked link, and its clicks over the next
  days (from X, Bluesky, Mastodon or no referrer);
- leads older than a day followed up: about a third won, one in six lost, a fifth
  contacted; the rest left open;
- replied inbox items older than half a day marked done (six in ten), some hours later.

:func:`prepare` gives the workspace's event streams their window before the world is
drawn, keeping one an earlier run stored.
"""

from __future__ import annotations

import hashlib
import math
import random
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, select

from hubbub.inbox import set_state
from hubbub.model import Workspace
from hubbub.sources.demo import demo_codes, with_event_windows
from hubbub.store import Store, workspace_id
from hubbub.store import publish as publish_queries
from hubbub.store.goals import (
    add_promo_code,
    insert_redemptions,
    lead_rows,
    promo_codes_of,
    set_lead_status,
)
from hubbub.store.tables import inbox_items, scheduled_posts, streams

__all__ = ["CAMPAIGN", "SeedReport", "prepare", "seed"]

CAMPAIGN = "demo"  # the campaign of the demo's published posts: present means seeded
_REFERRERS = (
    ("x", "https://t.co/", 0.45),
    ("bluesky", "https://bsky.app/", 0.15),
    ("mastodon", "https://mastodon.social/", 0.1),
    (None, "", 0.3),
)
_POSTS = (
    "Our {product} menu for the week is up: {url}",
    "Order ahead for the weekend and skip the line: {url}",
    "How we make our {product}, start to finish: {url}",
)


@dataclass(frozen=True, slots=True)
class SeedReport:
    codes: int = 0
    redemptions: int = 0
    posts: int = 0
    clicks: int = 0
    leads: int = 0
    resolved: int = 0


def prepare(store: Store, ws: Workspace, end: datetime) -> Workspace:
    """The workspace with a window on each event stream that has none (the stored one
    when an earlier demo run set it)."""
    kept: dict[str, tuple[datetime | None, datetime | None]] = {}
    with store.connect() as conn:
        ws_id = workspace_id(conn, ws.slug)
        if ws_id is not None:
            rows = conn.execute(
                select(streams.c.name, streams.c.starts, streams.c.ends).where(
                    streams.c.workspace_id == ws_id, streams.c.kind == "event"
                )
            )
            kept = {r.name: (r.starts, r.ends) for r in rows if r.starts and r.ends}
    return with_event_windows(ws, end, kept)


def _rng(seed: int, *parts: object) -> random.Random:
    key = ":".join(str(p) for p in (seed, *parts))
    return random.Random(int(hashlib.sha256(key.encode()).hexdigest()[:16], 16))


def seed(
    store: Store, ws: Workspace, end: datetime, seed_value: int = 7, days: int = 90
) -> SeedReport:
    """Add the demo's codes, redemptions, clicks, lead statuses and closed items."""
    with store.connect() as conn:
        ws_id = workspace_id(conn, ws.slug)
    if ws_id is None:
        raise ValueError(f"demo: workspace {ws.slug!r} is not stored yet")
    start = end - timedelta(days=days)
    zone = ZoneInfo(ws.timezone)
    codes = redemptions = posts = clicks = 0
    with store.begin() as conn:
        declared = {c.code for c in promo_codes_of(conn, ws_id)}
        for code in demo_codes(ws, end):
            if code.code not in declared:
                add_promo_code(conn, ws_id, code.code, code.description, code.starts, code.ends,
                               now=start)  # fmt: skip
                codes += 1
            rows = []
            first = max(start, code.starts)
            last = min(end, code.ends or end)
            day = first.astimezone(zone).date()
            while day <= last.astimezone(zone).date():
                r = _rng(seed_value, "redeem", code.code, day)
                for i in range(r.choice((0, 1, 1, 2, 2, 3, 4))):
                    hours = timedelta(hours=r.uniform(7, 18))  # shop hours
                    when = (datetime.combine(day, time(0), zone) + hours).astimezone(UTC)
                    if first <= when < last:
                        rows.append({"code": code.code, "redeemed": when,
                                     "amount": round(r.uniform(6, 42), 2),
                                     "ref": f"demo:{code.code}:{day}:{i}",
                                     "source": "demo", "line": None, "imported": end})  # fmt: skip
                day += timedelta(days=1)
            redemptions += insert_redemptions(conn, ws_id, rows)
        seeded = conn.execute(
            select(scheduled_posts.c.id).where(
                scheduled_posts.c.workspace_id == ws_id, scheduled_posts.c.campaign == CAMPAIGN
            )
        ).first()
        if seeded is None:
            posts, clicks = _links(conn, ws, ws_id, start, end, seed_value)
    leads = _leads(store, ws_id, start, end, seed_value)
    resolved = _resolve(store, ws_id, start, end, seed_value)
    return SeedReport(codes, redemptions, posts, clicks, leads, resolved)


def _links(
    conn: Connection, ws: Workspace, ws_id: int, start: datetime, end: datetime, seed_value: int
) -> tuple[int, int]:
    site = ws.website.rstrip("/") or "https://example.com"
    products = [p for p in ws.products if p.strip()] or ["order"]
    posts = clicks = 0
    at = start + timedelta(days=1, hours=14)
    i = 0
    while at < end - timedelta(hours=2):
        r = _rng(seed_value, "post", i)
        target = f"{site}/{r.choice(('menu', 'order', 'blog'))}"
        text = r.choice(_POSTS).format(product=r.choice(products), url=target)
        post_id = publish_queries.create_post(
            conn, ws_id, text=text, state="published", scheduled_for=at, now=at,
            kind="sharing" if "blog" in target else "self_promotion", campaign=CAMPAIGN,
        )  # fmt: skip
        code = f"dm{ws_id}x{i}"
        url = f"{target}?utm_source=hubbub&utm_medium=social&utm_campaign={CAMPAIGN}"
        publish_queries.add_link(conn, ws_id, code=code, url=url, target=target, now=at,
                                 campaign=CAMPAIGN, post_id=post_id, network="x")  # fmt: skip
        posts += 1
        for _ in range(int(r.lognormvariate(math.log(12), 0.7))):
            when = at + timedelta(hours=r.lognormvariate(math.log(6), 1.0))
            if when >= end:
                continue
            network, referrer, _w = r.choices(_REFERRERS, [w for *_, w in _REFERRERS])[0]
            agent = r.choice(("mobile", "mobile", "desktop"))
            publish_queries.record_click(
                conn, code, time=when, referrer=referrer, network=network, agent=agent
            )
            clicks += 1
        at += timedelta(days=3)
        i += 1
    return posts, clicks


def _leads(store: Store, ws_id: int, start: datetime, end: datetime, seed_value: int) -> int:
    changed = 0
    with store.begin() as conn:
        for lead in lead_rows(conn, ws_id, start, end - timedelta(days=1)):
            if lead.status is not None:
                continue
            r = _rng(seed_value, "lead", lead.network, lead.url)
            roll = r.random()
            if roll >= 0.7:
                continue  # left open
            outcome = "won" if roll < 0.33 else "lost" if roll < 0.5 else "contacted"
            contacted = lead.first_response or lead.created + timedelta(hours=r.uniform(0.5, 8))
            if lead.first_response is None:
                set_lead_status(conn, ws_id, lead.mention_id, "contacted", now=min(contacted, end))
            if outcome != "contacted":
                closed = contacted + timedelta(hours=r.uniform(2, 60))
                set_lead_status(conn, ws_id, lead.mention_id, outcome, now=min(closed, end))
            changed += 1
    return changed


def _resolve(store: Store, ws_id: int, start: datetime, end: datetime, seed_value: int) -> int:
    done = 0
    with store.begin() as conn:
        rows = conn.execute(
            select(inbox_items.c.id, inbox_items.c.first_response).where(
                inbox_items.c.workspace_id == ws_id,
                inbox_items.c.state == "replied",
                inbox_items.c.created >= start,
                inbox_items.c.first_response < end - timedelta(hours=12),
            )
        ).all()
        for item_id, first in rows:
            r = _rng(seed_value, "resolve", item_id)
            if r.random() < 0.6:
                when = min(first + timedelta(hours=r.lognormvariate(math.log(5), 0.8)), end)
                set_state(conn, ws_id, item_id, "done", None, now=when)
                done += 1
    return done
