"""The gazetteer: profile location strings resolved offline to town, region, country."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from hubbub.insight.gazetteer import Gazetteer, fold_name, load_gazetteer, resolve
from hubbub.insight.where import where
from hubbub.model import Locale, Place
from hubbub.query.geo import haversine_km
from tests.query.util import make_post

AVL = Locale("Asheville", 35.5951, -82.5515, radius_km=15, nicknames=("AVL",))


@pytest.mark.parametrize(
    ("text", "town", "region", "country"),
    [
        ("Asheville, NC", "Asheville", "North Carolina", "United States"),
        ("asheville nc", "Asheville", "North Carolina", "United States"),
        ("AVL", "Asheville", "North Carolina", "United States"),  # GeoNames' alternate name
        ("Paris, France", "Paris", "", "France"),
        ("Paris, TX", "Paris", "Texas", "United States"),  # the hint picks the namesake
        ("Paris", "Paris", "", "France"),  # alone: the biggest
        ("NYC", "New York City", "New York", "United States"),  # hubbub's alias table
        ("Brooklyn, NY 🗽", "Brooklyn", "New York", "United States"),
        ("Portland, Maine", "Portland", "Maine", "United States"),
        ("PDX", "Portland", "Oregon", "United States"),
        ("München, Germany", "Munich", "", "Germany"),
        ("Londres", "London", "", "United Kingdom"),
        ("St. Louis, MO", "St. Louis", "Missouri", "United States"),
        ("North Carolina", "", "North Carolina", "United States"),  # a state alone
        ("USA", "", "", "United States"),
        ("Black Mountain, NC", "", "North Carolina", "United States"),  # too small: the state
    ],
)
def test_resolves_profile_locations(text: str, town: str, region: str, country: str) -> None:
    got = resolve(text)
    assert got is not None
    assert (got.town, got.region, got.country) == (town, region, country)
    assert (got.latitude is None) == (town == "")


def test_coordinates_are_the_towns() -> None:
    avl = resolve("Asheville, NC")
    paris = resolve("Paris, France")
    assert avl is not None and paris is not None
    assert avl.latitude is not None and avl.longitude is not None
    assert haversine_km(avl.latitude, avl.longitude, 35.5951, -82.5515) < 5
    assert paris.latitude is not None and paris.longitude is not None
    assert haversine_km(paris.latitude, paris.longitude, 48.8566, 2.3522) < 5


@pytest.mark.parametrize(
    "text", ["", "   ", "she/her", "he/him", "somewhere over the rainbow", "the moon", "CA", "🌈"]
)
def test_names_no_place(text: str) -> None:
    assert resolve(text) is None


def test_fold_name() -> None:
    assert fold_name("  Zürich!! ") == "zurich"
    assert fold_name("Saint-Étienne") == "saint etienne"
    assert fold_name("ST. LOUIS") == "st louis"


def test_small_gazetteer_ranks_own_name_over_alternate_then_population() -> None:
    gz = Gazetteer(
        [
            ("Springfield", "IL", "US", 39.8, -89.6, 114_000, ()),
            ("Springfield", "MA", "US", 42.1, -72.6, 155_000, ()),
            ("Big Town", "CA", "US", 34.0, -118.0, 4_000_000, ("springfield",)),
        ],
        {"US": "United States"},
        {"IL": "Illinois", "MA": "Massachusetts", "CA": "California", "TX": "Texas"},
    )
    best = gz.resolve("Springfield")
    assert best is not None and best.region == "Massachusetts"
    il = gz.resolve("Springfield, Illinois")
    assert il is not None and il.region == "Illinois"
    # a hint no Springfield fits: not the wrong town, only what is certain (the state)
    texas = gz.resolve("Springfield, Texas")
    assert texas is not None and (texas.town, texas.region) == ("", "Texas")


def test_bad_gazetteer_file_is_named(tmp_path: Path) -> None:
    bad = tmp_path / "gz.json.gz"
    bad.write_bytes(gzip.compress(json.dumps({"towns": []}).encode()))
    with pytest.raises(ValueError, match=str(bad)):
        load_gazetteer(bad)
    bad.write_bytes(b"not gzip")
    with pytest.raises(ValueError, match=str(bad)):
        load_gazetteer(bad)


def test_resolving_is_cached_and_fast() -> None:
    import time

    resolve("Asheville, NC")
    start = time.perf_counter()
    for _ in range(10_000):
        resolve("Asheville, NC")
    assert time.perf_counter() - start < 0.5  # a cached lookup, not a search


def test_where_fills_town_and_in_locale_from_the_profile() -> None:
    near = where(make_post("hi", account={"location": "Asheville, North Carolina"}), AVL)
    assert near.in_locale is True
    assert (near.town, near.region, near.country) == (
        "Asheville",
        "North Carolina",
        "United States",
    )
    far = where(make_post("hi", account={"location": "Paris, France"}), AVL)
    assert far.in_locale is False and far.distance_km is not None and far.distance_km > 6000
    assert far.latitude is not None and far.country == "France"
    # Without a workspace locale the names are still filled; in_locale stays unknown.
    free = where(make_post("hi", account={"location": "NYC"}), None)
    assert free.town == "New York City" and free.in_locale is None
    # The post's own coordinates beat the profile's town.
    placed = where(
        make_post(
            "hi",
            account={"location": "Paris, France"},
            place=Place(name="Biltmore", latitude=35.568, longitude=-82.543),
        ),
        AVL,
    )
    assert placed.in_locale is True and placed.latitude == 35.568
