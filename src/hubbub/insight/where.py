"""Where: is the post from around here?

Coordinates win: the haversine distance from the locale's centre decides
``in_locale`` (within ``radius_km``). Without them, the place's name or the
author's profile location is matched, as whole words, against the town and its
nicknames ("AVL", "West Asheville"); failing that, it is resolved offline with the
gazetteer (:mod:`hubbub.insight.gazetteer`: "Portland, OR" -> Portland, Oregon,
United States and its coordinates), and the town's distance from the locale
decides. A name that resolves to no town (a county, a state alone, a joke) says
nothing certain, so ``in_locale`` stays ``None`` rather than ``False``.
``town``/``region``/``country`` are filled wherever the gazetteer knows the name,
with or without a workspace locale.
"""

from __future__ import annotations

from functools import lru_cache

from hubbub.insight.gazetteer import Resolved, resolve
from hubbub.model import Locale, Post, Where
from hubbub.query.geo import haversine_km
from hubbub.query.tokens import tokenize

__all__ = ["names_locale", "where"]


def _has_run(words: list[str], seq: list[str]) -> bool:
    n = len(words)
    return n > 0 and any(seq[i : i + n] == words for i in range(len(seq) - n + 1))


@lru_cache(maxsize=16_384)
def names_locale(text: str, locale: Locale) -> bool:
    """True where ``text`` names the locale's town or one of its nicknames, as whole words.

    Cached: it is asked of every post's profile location, and authors repeat.
    """
    seq = tokenize(text)
    return any(_has_run(words, seq) for words in _locale_words(locale))


@lru_cache(maxsize=64)
def _locale_words(locale: Locale) -> tuple[list[str], ...]:
    return tuple(tokenize(name) for name in (locale.town, *locale.nicknames))


def _resolved(*names: str) -> Resolved | None:
    """The first of ``names`` the gazetteer resolves to a town; else the first it knows."""
    known = [r for r in map(resolve, filter(None, names)) if r is not None]
    return next((r for r in known if r.town), known[0] if known else None)


def where(post: Post, locale: Locale | None) -> Where:
    """Place, coordinates and whether ``post`` is in ``locale``; town/region/country named."""
    place = post.place
    found = _resolved((place.full_name or place.name) if place else "", post.author.location)
    label, lat, lon, in_locale, distance = _where(post, locale, found)
    if found is None:
        return Where(label, lat, lon, in_locale, distance)
    return Where(label, lat, lon, in_locale, distance, found.town, found.region, found.country)


#: (place, latitude, longitude, in_locale, distance_km) of a :class:`Where`
_Reading = tuple[str, float | None, float | None, bool | None, float | None]


def _where(post: Post, locale: Locale | None, found: Resolved | None) -> _Reading:
    place = post.place
    lat = place.latitude if place else None
    lon = place.longitude if place else None
    place_name = (place.full_name or place.name) if place else ""
    label = place_name or post.author.location
    if locale is None:
        return label, lat, lon, None, None
    if lat is not None and lon is not None:
        distance = haversine_km(lat, lon, locale.latitude, locale.longitude)
        return label, lat, lon, distance <= locale.radius_km, round(distance, 3)
    for candidate in (place_name, post.author.location):
        if candidate and names_locale(candidate, locale):
            return label, None, None, True, None
    if found is not None and found.latitude is not None and found.longitude is not None:
        distance = haversine_km(found.latitude, found.longitude, locale.latitude, locale.longitude)
        return (
            label,
            found.latitude,
            found.longitude,
            distance <= locale.radius_km,
            round(distance, 3),
        )
    return label, None, None, None, None
