"""The Inbox's response times (:func:`hubbub.inbox.member_times`) read durations worked
out in SQL; these tests check them against the figures computed in Python from each
item's stored times, on times with odd microseconds, several members and open items."""

from __future__ import annotations

import random
import statistics
from datetime import timedelta

from sqlalchemy import update

from hubbub import inbox
from hubbub.store import Store
from hubbub.store import inbox as q
from hubbub.store.tables import inbox_items
from tests.test_inbox import T0, Team
from tests.test_inbox import pg_url as pg_url
from tests.test_inbox import store as store
from tests.test_inbox import team as team


def _expected(
    rows: list[q.ResponseRow], uid: int | None, target: float
) -> tuple[int, int, float | None, float | None, float | None]:
    """The figures as the per-row definition gives them, from Python datetimes."""
    firsts = [
        (r.first_response - r.created).total_seconds() / 3600
        for r in rows
        if r.first_response is not None and (uid is None or r.first_responder_id == uid)
    ]
    fixes = [
        (r.resolved - r.created).total_seconds() / 3600
        for r in rows
        if r.resolved is not None and (uid is None or r.resolver_id == uid)
    ]
    return (
        len(firsts),
        len(fixes),
        statistics.median(firsts) if firsts else None,
        statistics.median(fixes) if fixes else None,
        sum(h <= target for h in firsts) / len(firsts) if firsts else None,
    )


def test_member_times_match_the_stored_times_exactly(store: Store, team: Team) -> None:
    rng = random.Random(4)
    people = [team.maya, team.sam, None]
    with store.begin() as conn:
        ids = sorted(team.items.values())
        assert len(ids) >= 3
        for i, item in enumerate(ids):
            created = T0 - timedelta(days=i, microseconds=rng.randrange(1_000_000))
            first = created + timedelta(microseconds=rng.randrange(1, 30 * 3600 * 10**6))
            fixed = first + timedelta(microseconds=rng.randrange(0, 50 * 3600 * 10**6))
            open_item = i == 1
            conn.execute(
                update(inbox_items)
                .where(inbox_items.c.id == item)
                .values(
                    created=created,
                    first_response=first,
                    first_responder_id=people[i % 3],
                    resolved=None if open_item else fixed,
                    resolver_id=None if open_item else people[(i + 1) % 3],
                )
            )
    with store.connect() as conn:
        rows = q.response_rows(conn, team.ws_id)
        got = inbox.member_times(conn, team.ws_id, 7.5)
        since = T0 - timedelta(days=1, hours=12)
        recent = inbox.member_times(conn, team.ws_id, 7.5, since=since)
        recent_rows = q.response_rows(conn, team.ws_id, since)
    members = sorted(
        ({r.first_responder_id for r in rows} | {r.resolver_id for r in rows}) - {None}
    )
    assert [t.user_id for t in got] == [None, *members]
    for t in got:
        figures = (
            t.responded,
            t.resolved,
            t.median_first_response_hours,
            t.median_resolution_hours,
            t.within_target,
        )
        assert figures == _expected(rows, t.user_id, 7.5)  # equal, not approximately
    assert recent[0].responded == len(recent_rows) < len(rows)


def test_member_times_of_an_empty_window(store: Store, team: Team) -> None:
    with store.connect() as conn:
        got = inbox.member_times(conn, team.ws_id, 4.0, since=T0 + timedelta(days=400))
    assert [(t.user_id, t.responded, t.median_first_response_hours) for t in got] == [
        (None, 0, None)
    ]
