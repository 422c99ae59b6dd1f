"""What the demo needs to know about the business, read once from its Workspace.

Only the generic Workspace fields are used (name, handles, website, products,
industry words, competitors, locale with nicknames, team, timezone), each with a
fallback, so any business's ``hubbub.toml`` yields a sensible world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hubbub.model import Workspace
from hubbub.sources.demo.net import slugify
from hubbub.sources.demo.templates import is_bakery
from hubbub.sources.demo.words import TOWN_REGIONS

__all__ = ["SOCIAL", "Context", "context_of"]

#: networks with accounts and posts (rss items are authored by a site)
SOCIAL: tuple[str, ...] = ("x", "mastodon", "bluesky")


@dataclass(frozen=True, slots=True)
class Context:
    name: str
    short: str  # what people call it in passing ("Larkspur")
    tag: str  # hashtag without '#'
    website: str
    handles: dict[str, str]  # social network -> handle
    products: tuple[str, ...]
    industry: tuple[str, ...]
    category: str  # "bakery": the noun in "anyone know a good ___ in town?"
    town: str
    nicknames: tuple[str, ...]
    region: str  # "NC" or the country code, for "Asheville, NC"
    country: str
    latitude: float
    longitude: float
    radius_km: float
    tz: ZoneInfo
    competitors: tuple[tuple[str, dict[str, str]], ...]  # (name, network -> handle)
    team: tuple[tuple[str, dict[str, str]], ...]
    bakery: bool

    @property
    def town_locations(self) -> tuple[str, ...]:
        """How people in town fill in their profile location."""
        base = f"{self.town}, {self.region}" if self.region else self.town
        return (base, base, base, self.town, *self.nicknames, f"{self.town} area", f"📍 {base}")


def context_of(ws: Workspace) -> Context:
    name = ws.name.strip() or ws.slug or "Our Shop"
    words = name.split()
    short = words[0] if len(words) > 1 else name
    tag = re.sub(r"[^A-Za-z0-9_]", "", name).lower() or "shop"
    website = ws.website.rstrip("/") or f"https://{slugify(name).replace('-', '')}.com"
    industry = tuple(w for w in ws.industry_words if w.strip()) or ("small business",)
    products = tuple(p for p in ws.products if p.strip()) or ("special",)
    loc = ws.locale
    town = loc.town if loc and loc.town else "Springfield"
    country = loc.country if loc else ""
    try:
        tz = ZoneInfo(ws.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        tz = ZoneInfo("UTC")
    return Context(
        name=name,
        short=short,
        tag=tag,
        website=website,
        handles={n: h.lstrip("@") for n, h in ws.handles.items() if n in SOCIAL and h},
        products=products,
        industry=industry,
        category=industry[0],
        town=town,
        nicknames=tuple(loc.nicknames) if loc else (),
        region=TOWN_REGIONS.get(town.lower(), country),
        country=country,
        latitude=loc.latitude if loc else 0.0,
        longitude=loc.longitude if loc else 0.0,
        radius_km=loc.radius_km if loc else 10.0,
        tz=tz,
        competitors=tuple(
            (c.name, {n: h.lstrip("@") for n, h in c.handles.items() if n in SOCIAL and h})
            for c in ws.competitors
        ),
        team=tuple(
            (m.name, {n: h.lstrip("@") for n, h in m.handles.items() if n in SOCIAL and h})
            for m in ws.team
        ),
        bakery=is_bakery(ws),
    )
