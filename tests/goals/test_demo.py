"""The demo fills every goal, deterministically, and a rerun of its seeding adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hubbub.goals import HEADLINES, demo, measure_trends
from hubbub.listen import ingest
from hubbub.model import GOALS
from hubbub.sources.demo import DemoSource, demo_codes, generate_world, with_event_windows
from hubbub.store import Store
from hubbub.workspace import example_path, load_workspace

END = datetime(2026, 12, 5, 15, tzinfo=UTC)


def _goal_posts(seed: int) -> list[tuple[str, str]]:
    ws = with_event_windows(load_workspace(example_path()), END)
    world = generate_world(ws, seed, 14, END)
    return [
        (p.raw["demo"]["kind"], p.text) for p in world.posts if (p.raw or {})["demo"].get("goal")
    ]


def test_the_worlds_goal_posts_come_from_the_seed() -> None:
    first, again, other = _goal_posts(7), _goal_posts(7), _goal_posts(8)
    assert first == again and first != other
    kinds = {kind for kind, _ in first}
    assert kinds >= {"checkin", "visit", "biz_code", "code_mention", "event", "biz_event"}
    codes = [c.code for c in demo_codes(load_workspace(example_path()), END)]
    assert codes == ["SOURDOUGH10", "CROISSANT5"]
    assert any(c in text.upper() for _, text in first for c in codes)


def test_every_goal_has_numbers_and_seeding_twice_adds_nothing(store: Store) -> None:
    ws = demo.prepare(store, load_workspace(example_path()), END)
    (event,) = [s for s in ws.streams if s.kind == "event"]
    assert event.starts is not None and event.ends == event.starts + timedelta(days=3)
    ingest(store, ws, DemoSource(ws, days=14, end=END))
    first = demo.seed(store, ws, END, 7, 14)
    assert min(first.codes, first.redemptions, first.posts, first.clicks, first.leads) > 0
    assert demo.seed(store, ws, END, 7, 14) == demo.SeedReport()
    kept = demo.prepare(store, load_workspace(example_path()), END + timedelta(days=3))
    assert [s.starts for s in kept.streams if s.kind == "event"] == [event.starts]
    with store.connect() as conn:
        trends = measure_trends(conn, 1, END - timedelta(days=14), END, 4.0)
    for trend in trends:
        value = trend.goal.figures.get(HEADLINES[trend.goal.name].figure)
        assert value, (trend.goal.name, trend.goal.figures)
    assert [t.goal.name for t in trends] == list(GOALS)
