"""The report's figures against the same figures counted by hand from the specs, on
SQLite and PostgreSQL (the ``store`` fixture)."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from hubbub.goals import measure
from hubbub.report import ReportError, build_report, dates_window
from hubbub.store import Store
from tests.report.helpers import (
    AUTHORS,
    BRAND,
    CRUST,
    FIRST,
    FLOUR,
    LAST,
    NOW,
    PREV_SINCE,
    SINCE,
    SPECS,
    STREAMS,
    TZ,
    UNTIL,
    fill,
    in_window,
    local_hour_of_week,
)

WINDOW = dates_window(FIRST, LAST, TZ)


def test_window_bounds_follow_local_midnights_across_the_dst_change() -> None:
    assert (WINDOW.since, WINDOW.until) == (SINCE, UNTIL)
    assert WINDOW.until - WINDOW.since == timedelta(days=7, hours=1)  # Nov 1 had 25 hours
    assert WINDOW.previous.since == PREV_SINCE
    assert WINDOW.previous.until == SINCE
    assert WINDOW.label == "Nov 1 – Nov 7, 2026"


def _totals(since: object, until: object) -> dict[str, float]:
    found = [s for s in SPECS if in_window(s, since, until)]  # type: ignore[arg-type]
    n = len(found)
    return {
        "mentions": n,
        "reach": sum(AUTHORS[s.author].followers or 0 for s in found),
        "engagement": sum(s.engagement for s in found),
        "positive": sum(s.sentiment == "positive" for s in found) / n,
        "negative": sum(s.sentiment == "negative" for s in found) / n,
    }


def _voice(since: object, until: object) -> float:
    found = [s for s in SPECS if in_window(s, since, until)]  # type: ignore[arg-type]
    counts = Counter(name for s in found for name in s.streams if name in (BRAND, FLOUR, CRUST))
    return counts[BRAND] / sum(counts.values())


def test_summary_figures_and_their_change(store: Store) -> None:
    fill(store)
    fill(store, "other")  # another workspace's mentions never count
    with store.connect() as conn:
        report = build_report(conn, "larkspur", WINDOW, now=NOW)
    now, before = _totals(SINCE, UNTIL), _totals(PREV_SINCE, SINCE)
    assert now["mentions"] > 10 and before["mentions"] > 10  # the specs cover both windows
    figure = report.figure
    for key in ("mentions", "reach", "engagement", "positive", "negative"):
        assert figure[key].value == pytest.approx(now[key]), key
        assert figure[key].previous == pytest.approx(before[key]), key
        assert figure[key].change == pytest.approx(now[key] - before[key]), key
    assert figure["voice"].value == pytest.approx(_voice(SINCE, UNTIL))
    assert figure["voice"].previous == pytest.approx(_voice(PREV_SINCE, SINCE))
    assert figure["mentions"].relative == pytest.approx(
        (now["mentions"] - before["mentions"]) / before["mentions"]
    )


def test_streams_days_and_hours(store: Store) -> None:
    fill(store)
    with store.connect() as conn:
        report = build_report(conn, "larkspur", WINDOW, now=NOW)
    zone = ZoneInfo(TZ)
    found = [s for s in SPECS if in_window(s)]
    before = [s for s in SPECS if in_window(s, PREV_SINCE, SINCE)]
    totals = {s.name: (s.mentions, s.previous) for s in report.streams}
    for stream in STREAMS:
        expected = (
            sum(stream.name in s.streams for s in found),
            sum(stream.name in s.streams for s in before),
        )
        assert totals[stream.name] == expected, stream.name
    assert report.series.days == tuple(FIRST + timedelta(days=i) for i in range(7))
    brand = next(s for s in report.series.series if s.name == BRAND)
    per_day = Counter(s.created.astimezone(zone).date() for s in found if BRAND in s.streams)
    assert brand.counts == tuple(per_day[d] for d in report.series.days)
    hours = [0] * 168
    for s in found:
        hours[local_hour_of_week(s.created)] += 1
    assert list(report.insight.hours) == hours
    labels = Counter(s.sentiment for s in found)
    t = report.totals
    assert (t.positive, t.neutral, t.negative) == (
        labels["positive"],
        labels["neutral"],
        labels["negative"],
    )
    tags = Counter("#" + s.hashtag for s in found if s.hashtag)
    assert {c.value: c.mentions for c in report.insight.hashtags} == dict(tags)
    intents = Counter(i for s in found for i in s.intents)
    assert {c.value: c.mentions for c in report.insight.intents} == dict(intents)
    by_author = Counter(AUTHORS[s.author].handle for s in found)
    ranked = sorted(
        by_author,
        key=lambda h: (-by_author[h], -next(a.followers for a in AUTHORS if a.handle == h)),
    )
    assert [(a.handle, a.mentions) for a in report.authors] == [(h, by_author[h]) for h in ranked]


def test_goals_audit_and_attention(store: Store) -> None:
    filled = fill(store)
    with store.connect() as conn:
        report = build_report(conn, "larkspur", WINDOW, now=NOW)
        current = measure(conn, filled.ws_id, SINCE, UNTIL, 4.0)
        previous = measure(conn, filled.ws_id, PREV_SINCE, SINCE, 4.0)
    # whatever measure() returns, the report shows, with the previous window beside it
    assert [(g.name, g.figures) for g in report.goals] == [(g.name, g.figures) for g in current]
    assert [g.previous for g in report.goals] == [g.figures for g in previous]
    assert report.audit is not None and report.audit.id == filled.audit_id
    assert report.audit.figures["account"] == {"posts": 7}
    # open inbox items from the window only, none done, none from before or after
    shown = {int(item.text.split()[1]) for item in report.attention}
    assert report.attention_total == len(filled.open_in_window)
    assert 0 < len(filled.open_in_window) <= 10  # all of them fit in the list
    assert shown == set(filled.open_in_window)
    assert all(item.state in ("new", "assigned") for item in report.attention)
    assert report.target_hours == 4.0


def test_a_window_without_an_audit_or_mentions(store: Store) -> None:
    fill(store)
    quiet = dates_window(FIRST + timedelta(days=60), LAST + timedelta(days=60), TZ)
    with store.connect() as conn:
        report = build_report(conn, "larkspur", quiet, now=NOW)
        assert report.audit is None
        assert report.totals.mentions == 0 and report.attention == ()
        assert report.figure["positive"].value is None  # no share of nothing
        with pytest.raises(ReportError, match="no workspace 'nobody'"):
            build_report(conn, "nobody", WINDOW, now=NOW)
