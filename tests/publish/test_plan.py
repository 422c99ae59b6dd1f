"""The calendar grid, the balance guard and the best hour, against hand-made figures."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from hubbub.publish.plan import balance, best_hour, calendar
from hubbub.store.publish import StoredPost

T = datetime(2026, 3, 1, tzinfo=UTC)


def _post(at: datetime) -> StoredPost:
    return StoredPost(
        1,
        1,
        "t",
        (),
        ("x",),
        at,
        "scheduled",
        0,
        None,
        None,
        "k",
        None,
        None,
        None,
        None,
        "conversation",
        True,
        "",
        T,
        T,
    )


def test_month_grid_starts_monday_and_places_posts_in_local_days() -> None:
    # 03:30 UTC on Mar 9 is 23:30 on Mar 8 in New York
    late = _post(datetime(2026, 3, 9, 3, 30, tzinfo=UTC))
    first, end, weeks = calendar([late], date(2026, 3, 17), "month", "America/New_York")
    assert (first, end) == (date(2026, 3, 1), date(2026, 4, 1))
    assert weeks[0][0].day == date(2026, 2, 23) and not weeks[0][0].in_range  # a Monday
    assert weeks[-1][-1].day == date(2026, 4, 5)
    assert all(len(w) == 7 for w in weeks) and len(weeks) == 6
    placed = {d.day: d.posts for w in weeks for d in w if d.posts}
    assert placed == {date(2026, 3, 8): (late,)}


def test_week_grid() -> None:
    first, end, weeks = calendar([], date(2026, 3, 12), "week", "UTC")
    assert (first, end, len(weeks)) == (date(2026, 3, 9), date(2026, 3, 16), 1)


def test_balance_guard() -> None:
    fine = balance({"conversation": 8, "sharing": 1, "self_promotion": 2}, 0.2)
    assert fine.total == 11 and round(fine.promotion_share, 4) == round(2 / 11, 4) and not fine.over
    over = balance({"conversation": 3, "self_promotion": 1})
    assert over.promotion_share == 0.25 and over.over
    assert not balance({}).over


def test_best_hour_uses_medians_and_local_time() -> None:
    monday_9 = datetime(2026, 1, 5, 14, 0, tzinfo=UTC)  # 09:00 EST, a Monday in winter
    times = [
        (monday_9, 10),
        (monday_9 + timedelta(days=7), 12),
        (monday_9 + timedelta(days=14), 11),
        # Tuesday 12:00 EST: one huge outlier but a lower median
        (monday_9 + timedelta(days=1, hours=3), 1000),
        (monday_9 + timedelta(days=8, hours=3), 1),
        (monday_9 + timedelta(days=15, hours=3), 2),
        # a single post at the best figure: too few to count
        (monday_9 + timedelta(days=2), 500),
    ]
    assert best_hour(times, "America/New_York") == (0, 9, 11.0, 3)
    assert best_hour(times[:1], "UTC") is None
