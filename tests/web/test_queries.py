"""store/queries.py against SQLite and PostgreSQL (the read side of the Overview)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from hubbub.model import Account, Batch, Extent, Who
from hubbub.store import queries as q
from hubbub.store import upsert_workspace, write_batch
from tests.web.conftest import (
    BRAND,
    FLOUR,
    LINKED_TEXT,
    SPECS,
    TZ,
    Populated,
    Spec,
    _mention,
    workspace,
)

SINCE = datetime(2026, 3, 4, 5, 0, tzinfo=UTC)  # Mar 4 00:00 EST
UNTIL = datetime(2026, 3, 11, 4, 0, tzinfo=UTC)  # Mar 11 00:00 EDT


def test_local_days_span_a_dst_change() -> None:
    days = q.local_days(SINCE, UNTIL, TZ)
    assert days == tuple(date(2026, 3, 4) + timedelta(days=i) for i in range(7))
    with pytest.raises(ValueError, match="timezone 'Mars/Olympus'"):
        q.local_days(SINCE, UNTIL, "Mars/Olympus")
    with pytest.raises(ValueError, match="not a time zone name"):
        q.local_days(SINCE, UNTIL, "UTC'; drop table x; --")


def test_window_is_half_open(populated: Populated) -> None:
    m1 = next(s for s in SPECS if s.id == "m1").created
    with populated.store.connect() as conn:
        assert q.mention_count(conn, populated.larkspur_id, m1, m1 + timedelta(seconds=1)) == 1
        assert q.mention_count(conn, populated.larkspur_id, m1 - timedelta(hours=1), m1) == 0
        everything = q.mention_count(
            conn, populated.larkspur_id, datetime(2000, 1, 1, tzinfo=UTC), UNTIL
        )
    assert everything == len(SPECS)


def test_mentions_over_time_lists_every_stream_by_local_day(populated: Populated) -> None:
    with populated.store.connect() as conn:
        series = q.mentions_over_time(conn, populated.larkspur_id, SINCE, UNTIL, TZ)
    by_name = {s.name: s for s in series.series}
    assert list(by_name) == [BRAND, FLOUR, "Mountain Crust", "AVL"]  # brand, competitors, rest
    for name, s in by_name.items():
        inside = [sp for sp in SPECS if name in sp.streams and SINCE <= sp.created < UNTIL]
        local = [sp.created.astimezone(ZoneInfo(TZ)).date() for sp in inside]
        expected = [local.count(d) for d in series.days]
        assert list(s.counts) == expected, name
    assert by_name[FLOUR].counts[3] == 1  # Mar 7 23:30 EST, stored as Mar 8 UTC
    # a UTC window gives UTC days: the same mention lands on Mar 8 there
    with populated.store.connect() as conn:
        utc = q.mentions_over_time(conn, populated.larkspur_id, SINCE, UNTIL, "UTC")
    flour = next(s for s in utc.series if s.name == FLOUR)
    assert flour.counts[utc.days.index(date(2026, 3, 8))] == 1


def test_share_of_voice_and_sentiment(populated: Populated) -> None:
    with populated.store.connect() as conn:
        voice = q.share_of_voice(conn, populated.larkspur_id, SINCE, UNTIL)
        split = q.sentiment_split(conn, populated.larkspur_id, SINCE, UNTIL)
        series = q.mentions_over_time(conn, populated.larkspur_id, SINCE, UNTIL, TZ)
    assert q.voice_from_series(series) == voice
    inside = [s for s in SPECS if SINCE <= s.created < UNTIL]
    brand = sum(BRAND in s.streams for s in inside)
    flour = sum(FLOUR in s.streams for s in inside)
    crust = sum("Mountain Crust" in s.streams for s in inside)
    assert [(v.stream, v.kind, v.mentions) for v in voice] == [
        (BRAND, "brand", brand),
        (FLOUR, "competitor", flour),
        ("Mountain Crust", "competitor", crust),
    ]
    assert sum(v.share for v in voice) == pytest.approx(1.0)
    assert voice[0].share == pytest.approx(brand / (brand + flour + crust))
    assert split.total == len(inside)
    assert split.negative == sum(s.sentiment == "negative" for s in inside)
    assert split.share("positive") == pytest.approx(
        sum(s.sentiment == "positive" for s in inside) / len(inside)
    )


def test_top_authors_leave_out_the_business_itself(populated: Populated) -> None:
    ws = workspace("larkspur", "Larkspur Bakery")
    own = Account("x", "99", "larkspurbakes", "Larkspur Bakery", followers=10_000)
    extra = []
    for i in range(5):
        m = _mention(
            ws, Spec(f"own{i}", SINCE + timedelta(hours=i + 1), (BRAND,), "neutral", "ann")
        )
        post = replace(m.post, author=own)
        extra.append(
            replace(
                m,
                post=post,
                insight=replace(
                    m.insight,
                    who=Who("larkspurbakes", 10_000, None, "business"),
                    extent=Extent(reach=10_000),
                ),
            )
        )
    with populated.store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        write_batch(conn, ws_id, Batch("test", [m.post for m in extra]), extra)
    with populated.store.connect() as conn:
        default = q.top_authors(conn, ws_id, SINCE, UNTIL)
        everyone = q.top_authors(conn, ws_id, SINCE, UNTIL, exclude_relationships=())
    assert "larkspurbakes" not in [a.handle for a in default]
    assert everyone[0].handle == "larkspurbakes" and everyone[0].mentions == 5
    assert everyone[0].reach == 10_000
    assert [a.mentions for a in default] == sorted((a.mentions for a in default), reverse=True)


def test_latest_mentions_join_post_author_streams_and_entities(populated: Populated) -> None:
    with populated.store.connect() as conn:
        latest = q.latest_mentions(conn, populated.larkspur_id, SINCE, UNTIL, limit=2)
    assert [m.native_id for m in latest] == ["larkspur-m1", "larkspur-m2"]
    first, second = latest
    assert first.text == LINKED_TEXT and first.author_handle == "annbakes"
    assert first.created == next(s.created for s in SPECS if s.id == "m1")
    assert first.created.tzinfo is not None
    assert first.entities is not None
    assert [h.text for h in first.entities.hashtags] == ["larkspurbakery"]
    assert second.streams == (BRAND, "AVL")
    assert first.sentiment == "positive" and first.sentiment_score == pytest.approx(0.7)
    with populated.store.connect() as conn:
        assert q.workspace_by_slug(conn, "larkspur") == q.WorkspaceInfo(
            populated.larkspur_id, "larkspur", "Larkspur Bakery", TZ
        )
        assert q.workspace_by_slug(conn, "nope") is None
