from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub.insight.when import hour_of_week, when
from hubbub.insight.where import where
from hubbub.model import Locale, Place
from tests.query.util import make_post

AVL = Locale("Asheville", 35.5951, -82.5515, radius_km=15, nicknames=("AVL", "West Asheville"))


def test_local_time_across_dst() -> None:
    # 13:00 UTC is 08:00 EST in January and 09:00 EDT in July.
    winter = when(datetime(2026, 1, 12, 13, 0, tzinfo=UTC), "America/New_York")
    summer = when(datetime(2026, 7, 13, 13, 0, tzinfo=UTC), "America/New_York")
    assert winter.local_time is not None and summer.local_time is not None
    assert (winter.local_time.hour, summer.local_time.hour) == (8, 9)
    assert winter.hour_of_week == 8 and summer.hour_of_week == 9  # both Mondays


def test_dst_transition_day() -> None:
    # 2026-03-08: clocks go 02:00 EST -> 03:00 EDT. 06:59 UTC = 01:59 EST, 07:00 UTC = 03:00 EDT.
    before = when(datetime(2026, 3, 8, 6, 59, tzinfo=UTC), "America/New_York")
    after = when(datetime(2026, 3, 8, 7, 0, tzinfo=UTC), "America/New_York")
    assert before.local_time is not None and after.local_time is not None
    assert (before.local_time.hour, after.local_time.hour) == (1, 3)
    assert (before.hour_of_week, after.hour_of_week) == (6 * 24 + 1, 6 * 24 + 3)


def test_hour_of_week_bounds_and_bad_zone() -> None:
    assert hour_of_week(datetime(2026, 3, 9, 0, 0)) == 0  # Monday
    assert hour_of_week(datetime(2026, 3, 15, 23, 59)) == 167  # Sunday
    with pytest.raises(ValueError, match="unknown timezone 'Mars/Olympus'"):
        when(datetime(2026, 1, 1, tzinfo=UTC), "Mars/Olympus")


def test_in_locale_by_distance() -> None:
    near = where(
        make_post("hi", place=Place(name="Biltmore", latitude=35.5680, longitude=-82.5430)), AVL
    )
    far = where(
        make_post("hi", place=Place(name="Charlotte", latitude=35.2271, longitude=-80.8431)), AVL
    )
    assert near.in_locale is True and near.distance_km is not None and 2 < near.distance_km < 4
    assert far.in_locale is False and far.distance_km is not None and 150 < far.distance_km < 170
    assert near.place == "Biltmore"


def test_in_locale_by_town_name_or_nickname() -> None:
    assert where(make_post("hi", account={"location": "Asheville, NC"}), AVL).in_locale is True
    assert where(make_post("hi", account={"location": "west asheville ☀"}), AVL).in_locale is True
    assert where(make_post("hi", account={"location": "AVL"}), AVL).in_locale is True
    assert where(make_post("hi", place=Place(full_name="Asheville, NC")), AVL).in_locale is True
    # A town the gazetteer places elsewhere is out; a name it cannot place is unknown,
    # not False; and "Ashevillean" is not a whole-word match.
    portland = where(make_post("hi", account={"location": "Portland, OR"}), AVL)
    assert portland.in_locale is False and portland.town == "Portland"
    assert where(make_post("hi", account={"location": "Ashevillean"}), AVL).in_locale is None
    assert where(make_post("hi", account={"location": "North Carolina"}), AVL).in_locale is None
    assert where(make_post("hi"), AVL).in_locale is None
    assert where(make_post("hi", account={"location": "Asheville"}), None).in_locale is None
