"""UtcDateTime and the entities JSON: aware datetimes round-trip on both databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import insert, select

from hubbub.model import Entities, Span
from hubbub.store import Store
from hubbub.store.tables import users
from hubbub.store.types import entities_from_json, entities_to_json

EAST = timezone(timedelta(hours=9))
WEST = timezone(timedelta(hours=-5))


def _user(name: str, when: datetime) -> dict[str, object]:
    return {"username": name, "name": "", "password_hash": "x", "created": when}


def test_aware_datetimes_round_trip_as_utc(store: Store) -> None:
    when = datetime(2025, 6, 1, 23, 30, 15, 123456, tzinfo=EAST)
    with store.begin() as conn:
        conn.execute(insert(users), [_user("a", when)])
    with store.connect() as conn:
        back = conn.execute(select(users.c.created)).scalar_one()
    assert back == when
    assert back.tzinfo == UTC
    assert (back.hour, back.microsecond) == (14, 123456)


def test_order_and_comparison_follow_the_instant(store: Store) -> None:
    # 10:00 at UTC-5 is 15:00 UTC, later than 20:00 at UTC+9 (11:00 UTC)
    late = datetime(2025, 6, 1, 10, 0, tzinfo=WEST)
    early = datetime(2025, 6, 1, 20, 0, tzinfo=EAST)
    with store.begin() as conn:
        conn.execute(insert(users), [_user("late", late), _user("early", early)])
    with store.connect() as conn:
        order = conn.execute(select(users.c.username).order_by(users.c.created)).scalars().all()
        after = (
            conn.execute(
                select(users.c.username).where(
                    users.c.created > datetime(2025, 6, 1, 12, tzinfo=UTC)
                )
            )
            .scalars()
            .all()
        )
    assert order == ["early", "late"]
    assert after == ["late"]


def test_naive_datetimes_are_refused(store: Store) -> None:
    with pytest.raises(Exception, match="naive datetime"), store.begin() as conn:
        conn.execute(insert(users), [_user("n", datetime(2025, 1, 1))])


def test_entities_json_round_trip() -> None:
    ent = Entities(
        hashtags=(Span("avl", 0, 4),),
        mentions=(Span("larkspurbakes", 5, 19),),
        urls=(Span("https://larkspurbakery.com", 20, 46),),
        cashtags=(Span("BAKE", 47, 52),),
        reply="someone",
    )
    data = entities_to_json(ent)
    assert data is not None and data["hashtags"] == [["avl", 0, 4]]
    assert entities_from_json(data) == ent
    assert entities_to_json(None) is None and entities_from_json(None) is None


def test_as_utc_reads_naive_as_utc_and_converts_aware() -> None:
    from datetime import UTC, datetime, timedelta, timezone

    from hubbub.store.types import as_utc, opt_utc

    naive = datetime(2026, 3, 8, 7, 30)
    assert as_utc(naive) == datetime(2026, 3, 8, 7, 30, tzinfo=UTC)
    east = datetime(2026, 3, 8, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    converted = as_utc(east)
    assert converted.utcoffset() == timedelta(0) and converted.hour == 7
    assert opt_utc(None) is None and opt_utc(naive) == as_utc(naive)
