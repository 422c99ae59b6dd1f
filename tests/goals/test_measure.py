"""measure() and measure_trends(): every goal in DESIGN.md's order, trends that add up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hubbub.goals import HEADLINES, measure, measure_trends
from hubbub.goals.common import bucket_starts, bucketed
from hubbub.model import GOALS
from hubbub.store import Store
from hubbub.store.goals import add_promo_code, insert_redemptions
from tests.goals.world import END, START, World, at, person


def test_buckets() -> None:
    assert len(bucket_starts(START, START + timedelta(days=7))) == 7
    weeks = bucket_starts(START, START + timedelta(days=30))
    assert [(b - START).days for b in weeks] == [0, 7, 14, 21, 28]
    points = [(at(0), 2.0), (at(6, 23), 4.0), (at(7), 1.0), (at(29), 5.0), (at(30), 9.0)]
    end = START + timedelta(days=30)
    assert bucketed(points, weeks, end, "sum") == [6.0, 1.0, 0.0, 0.0, 5.0]
    assert bucketed(points, weeks, end, "median") == [3.0, 1.0, None, None, 5.0]
    assert bucketed(points, weeks, end, "mean") == [3.0, 1.0, None, None, 5.0]
    # New York leaves daylight saving time on Nov 1, 2026: weeks stay on local midnights
    edt = datetime(2026, 10, 20, 4, tzinfo=UTC)  # Oct 20, 00:00 EDT
    local = bucket_starts(edt, edt + timedelta(days=30, hours=1), "America/New_York")
    assert [b.astimezone(ZoneInfo("America/New_York")).hour for b in local] == [0] * 5
    assert local[2] == datetime(2026, 11, 3, 5, tzinfo=UTC)  # 00:00 EST


def _world(store: Store) -> int:
    with store.begin() as conn:
        w = World.make(conn)
        add_promo_code(conn, w.ws_id, "BREAD5", now=START)
        insert_redemptions(
            conn,
            w.ws_id,
            [
                {"code": "BREAD5", "redeemed": when, "amount": None, "ref": f"r{i}",
                 "source": "t.csv", "line": i, "imported": START}
                for i, when in enumerate((at(-3), at(1), at(1, 5), at(9)))
            ],
        )  # fmt: skip
        for i, day in enumerate((-10, -2, 0, 3, 3, 12)):
            w.post("want a cake from larkspur", person(i), at(day), intents=("purchase_intent",),
                   sentiment="positive", score=0.5)  # fmt: skip
        w.post("stopped by larkspur", person(2), at(2), in_locale=True, sentiment="positive")
        w.save()
        return w.ws_id


def test_measure_and_trends(store: Store) -> None:
    ws_id = _world(store)
    with store.connect() as conn:
        goals = measure(conn, ws_id, START, END, 4.0)
        trends = measure_trends(conn, ws_id, START, END, 4.0)
        before = measure(conn, ws_id, START - (END - START), START, 4.0)
    assert tuple(g.name for g in goals) == GOALS
    assert [t.goal for t in trends] == goals
    assert [t.previous for t in trends] == before
    by = {t.goal.name: t for t in trends}
    for trend in trends:
        assert len(trend.buckets) == len(trend.values) == 14  # two weeks: days
        headline = HEADLINES[trend.goal.name]
        if headline.how == "sum":
            total = sum(v or 0 for v in trend.values)
            assert total == trend.goal.figures[headline.figure], trend.goal.name
    assert by["promotions"].values[1] == 2.0 and by["promotions"].values[9] == 1.0
    assert by["leads"].goal.figures["new_leads"] == 4.0  # days 0, 3, 3, 12
    assert by["leads"].previous.figures["new_leads"] == 2.0  # days -10 and -2
    assert by["leads"].change("new_leads") == pytest.approx(1.0)
    assert by["promotions"].change("redeemed") == pytest.approx(2.0)  # 3 against 1
    assert by["traffic"].change("clicks") is None  # nothing before
    assert by["visits"].goal.figures["visits"] == 1.0
    # loyalty: person2 posted twice (days 0 and 2): their two of the window's 5 mentions
    loyalty = by["loyalty"]
    assert loyalty.goal.figures["repeat_share"] == pytest.approx(2 / 5)
    assert loyalty.values[0] == 1.0 and loyalty.values[3] == 0.0 and loyalty.values[5] is None
