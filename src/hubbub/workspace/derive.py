"""The standing searches a workspace implies: brand, each competitor, locale, industry.

The recipe (see the common brief): brand and competitors are the name as a phrase,
each handle as an @mention, a hashtag of the name and ``url:`` of the website's
host, and the name without its trade word ("Larkspur") beside a word of the trade;
the locale is the town and its nicknames as words and hashtags plus a
``point_radius``; the industry is its words and products OR'ed. The queries use only
the query language's basic features, so every derived query parses.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from hubbub.model import Stream, Workspace
from hubbub.query import MAX_LENGTH as MAX_QUERY_LENGTH

__all__ = ["DERIVED_KINDS", "derive_streams", "slugify"]

#: the kinds of stream hubbub derives itself, in the order it derives them
DERIVED_KINDS: tuple[str, ...] = ("brand", "competitor", "locale", "industry")
_WORD = re.compile(r"^\w+$")


def slugify(name: str) -> str:
    """A URL-safe slug from a business name: ``"Larkspur Bakery"`` -> ``"larkspur-bakery"``."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")[:64].strip("-")
    return slug or "workspace"


def _term(text: str, *, lower: bool = True) -> str:
    """A keyword as the query language wants it: bare when one word, else a quoted phrase."""
    cleaned = " ".join(text.replace('"', " ").split())
    if lower:
        cleaned = cleaned.lower()
    if _WORD.match(cleaned) and cleaned.upper() not in ("OR", "AND", "NOT"):
        return cleaned
    return f'"{cleaned}"'


def _hashtag(text: str) -> str | None:
    tag = "".join(ch for ch in text.lower() if ch.isalnum() or ch == "_")
    return f"#{tag}" if tag and not tag.isdigit() else None


def _mention(network: str, handle: str) -> str | None:
    if network == "rss":
        return None  # a feed is not an account anyone can @mention
    return "@" + handle.removeprefix("@")


def _host(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host.removeprefix("www.")


def _or(terms: Sequence[str | None]) -> str:
    seen: dict[str, str] = {}
    for term in terms:
        if term and term.casefold() not in seen:
            seen[term.casefold()] = term
    return " OR ".join(seen.values())


def _short_name(name: str, trade_words: Sequence[str]) -> str | None:
    """The distinctive part of a name: "Larkspur Bakery" less the trade word "bakery".

    People write "the focaccia at Larkspur", not the full name. The short name alone
    would catch every larkspur flower, so it only counts beside a word of the trade.
    """
    trade = {w.casefold() for w in trade_words}
    words = name.split()
    kept = [w for w in words if w.casefold() not in trade]
    if not kept or len(kept) == len(words):
        return None
    return " ".join(kept)


def _brand_query(
    name: str,
    handles: dict[str, str],
    website: str = "",
    trade_words: Sequence[str] = (),
) -> str:
    terms: list[str | None] = [_term(name, lower=False)]
    terms += [_mention(net, h) for net, h in handles.items()]
    terms.append(_hashtag(name))
    if website and _host(website):
        terms.append(f'url:"{_host(website)}"')
    query = _or(terms)
    short = _short_name(name, trade_words)
    if short:
        context = _or([_term(w) for w in trade_words])
        with_short = f"{query} OR ({_term(short)} ({context}))"
        if len(with_short) <= MAX_QUERY_LENGTH:
            return with_short
    return query


def derive_streams(ws: Workspace) -> tuple[Stream, ...]:
    """The standing searches a workspace implies: brand, each competitor, locale, industry.

    Pure: the same workspace always gives the same streams in the same order.
    """
    trade_words = [*ws.industry_words, *ws.products]
    brand = _brand_query(ws.name, ws.handles, ws.website, trade_words)
    streams = [Stream(ws.name, brand, "brand")]
    for competitor in ws.competitors:
        query = _brand_query(competitor.name, competitor.handles, trade_words=trade_words)
        streams.append(Stream(competitor.name, query, "competitor"))
    if ws.locale is not None:
        loc = ws.locale
        names = [loc.town, *loc.nicknames]
        terms: list[str | None] = [_term(n) for n in names]
        terms += [_hashtag(n) for n in names if _WORD.match(n.strip())]
        terms.append(f"point_radius:[{loc.longitude!r} {loc.latitude!r} {loc.radius_km:g}km]")
        streams.append(Stream(loc.town, _or(terms), "locale"))
    if trade_words:
        streams.append(Stream("Industry", _or([_term(w) for w in trade_words]), "industry"))
    return tuple(streams)
