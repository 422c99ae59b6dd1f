"""Events: each event stream's activity within its own window, against the same length before."""

from __future__ import annotations

import dataclasses

import pytest

from hubbub.goals.events import measured
from hubbub.store import Store, upsert_workspace
from hubbub.store.goal_rows import windowed_streams
from hubbub.store.streams import StreamError, create_stream, get_stream, update_stream
from tests.goals.world import END, FAIR, START, World, at, person, workspace

FAIR_ONLY = ("Spring fair",)


def test_events(store: Store) -> None:
    with store.begin() as conn:
        w = World.make(conn)
        w.post("spring fair opens!", person(1), at(3, 1), streams=FAIR_ONLY,
               sentiment="positive", score=0.8)  # fmt: skip
        w.post("spring fair parking is awful", person(2, 300), at(4), streams=FAIR_ONLY,
               sentiment="negative", score=-0.4)  # fmt: skip
        w.post("back at the spring fair", person(1), at(4, 5), streams=FAIR_ONLY,
               sentiment="positive", score=0.6)  # fmt: skip
        w.post("spring fair is over", person(3), at(5), streams=FAIR_ONLY)  # ends: left out
        w.post("spring fair soon", person(4), at(1, 2), streams=FAIR_ONLY)  # the build-up
        w.post("spring fair next week", person(5), at(2), streams=FAIR_ONLY)
        w.post("spring fair planning", person(6), at(0), streams=FAIR_ONLY)  # before that
        w.post("open day at larkspur", person(7), at(4), streams=("Open day",))
        w.save()
    with store.connect() as conn:
        found = measured(conn, w.ws_id, START, END)
        late = measured(conn, w.ws_id, at(4), END)
        after = measured(conn, w.ws_id, at(6), END)
    assert found.goal.figures == pytest.approx(
        {
            "events": 1.0,
            "event_mentions": 3.0,
            "mentions_before": 2.0,
            "mentions_change": 0.5,
            "event_authors": 2.0,
            "event_reach": 400.0,  # person1's 100 once, person2's 300
            "event_positive_share": 2 / 3,
            "event_sentiment": (0.8 - 0.4 + 0.6) / 3,
        }
    )
    (row,) = found.details["events"]
    assert (row.stream.name, row.stream.starts, row.stream.ends) == ("Spring fair", *FAIR)
    assert [s.name for s in found.details["unwindowed"]] == ["Open day"]
    assert [t for t, _ in found.points] == [at(3, 1), at(4), at(4, 5)]
    # a window that starts inside the event's: the event whole, the trend's points inside
    assert late.goal.figures["event_mentions"] == 3.0
    assert [t for t, _ in late.points] == [at(4), at(4, 5)]
    assert after.goal.figures == {
        "events": 0.0,
        "event_mentions": 0.0,
        "mentions_before": 0.0,
        "event_authors": 0.0,
        "event_reach": 0.0,
    }


def test_windows_follow_the_file_and_the_web(store: Store) -> None:
    ws = workspace()
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        moved = tuple(
            dataclasses.replace(s, starts=at(7), ends=at(9)) if s.name == "Spring fair" else s
            for s in ws.streams
        )
        upsert_workspace(conn, dataclasses.replace(ws, streams=moved))
        fair = next(s for s in windowed_streams(conn, ws_id) if s.name == "Spring fair")
        assert (fair.starts, fair.ends) == (at(7), at(9))
        web = create_stream(conn, ws_id, "Bake-off", '"bake off"', "event", window=(at(1), at(2)))
        made = get_stream(conn, ws_id, web)
        assert made is not None and (made.starts, made.ends) == (at(1), at(2))
        with pytest.raises(StreamError, match="for event and campaign"):
            create_stream(conn, ws_id, "Brand 2", "larkspur", "brand", window=(at(1), None))
        with pytest.raises(StreamError, match="end must be after"):
            update_stream(conn, ws_id, web, window=(at(2), at(1)))
        with pytest.raises(StreamError, match="for event and campaign"):
            update_stream(conn, ws_id, web, kind="industry")  # the window would be left over
        assert update_stream(conn, ws_id, web, window=(None, None)) is False  # not the query
        cleared = get_stream(conn, ws_id, web)
        assert cleared is not None and (cleared.starts, cleared.ends) == (None, None)
