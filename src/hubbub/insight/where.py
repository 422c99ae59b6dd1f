"""Where: is the post from around here?

Coordinates win: the haversine distance from the locale's centre decides
``in_locale`` (within ``radius_km``). Without them, the place's name or the
author's profile location is matched, as whole words, against the town and its
nicknames ("AVL", "West Asheville"). A name that does not mention the town
says nothing certain (a county, a state, a joke), so ``in_locale`` stays
``None`` rather than ``False``; only coordinates outside the radius give False.
"""

from __future__ import annotations

from hubbub.model import Locale, Post, Where
from hubbub.query.geo import haversine_km
from hubbub.query.tokens import tokenize

__all__ = ["names_locale", "where"]


def _has_run(words: list[str], seq: list[str]) -> bool:
    n = len(words)
    return n > 0 and any(seq[i : i + n] == words for i in range(len(seq) - n + 1))


def names_locale(text: str, locale: Locale) -> bool:
    """True where ``text`` names the locale's town or one of its nicknames, as whole words."""
    seq = tokenize(text)
    return any(_has_run(tokenize(name), seq) for name in (locale.town, *locale.nicknames))


def where(post: Post, locale: Locale | None) -> Where:
    place = post.place
    lat = place.latitude if place else None
    lon = place.longitude if place else None
    place_name = (place.full_name or place.name) if place else ""
    label = place_name or post.author.location
    if locale is None:
        return Where(place=label, latitude=lat, longitude=lon)
    if lat is not None and lon is not None:
        distance = haversine_km(lat, lon, locale.latitude, locale.longitude)
        return Where(
            place=label,
            latitude=lat,
            longitude=lon,
            in_locale=distance <= locale.radius_km,
            distance_km=round(distance, 3),
        )
    for candidate in (place_name, post.author.location):
        if candidate and names_locale(candidate, locale):
            return Where(place=label, in_locale=True)
    return Where(place=label)
