"""The scheduler publishes each part once per network, whatever crashes or races."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from hubbub.model import Published
from hubbub.publish.scheduler import MAX_ATTEMPTS, STALE_AFTER, backoff, run_due
from hubbub.sources.base import PublishError
from hubbub.store import Store, upsert_workspace
from hubbub.store import publish as queries
from tests.store.helpers import make_workspace

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class FakePublisher:
    """Counts calls; ``fail`` holds errors to raise, one per call, before succeeding."""

    def __init__(self, network: str, fail: list[PublishError] | None = None, delay: float = 0):
        self.network = network
        self.fail = list(fail or [])
        self.delay = delay
        self.calls: list[tuple[str, str | None, str | None]] = []
        self.lock = threading.Lock()

    def publish(
        self, text: str, *, reply_to: str | None = None, idempotency_key: str | None = None
    ) -> Published:
        with self.lock:
            self.calls.append((text, reply_to, idempotency_key))
            n = len(self.calls)
            error = self.fail.pop(0) if self.fail else None
        if self.delay:
            time.sleep(self.delay)
        if error is not None:
            raise error
        return Published(self.network, f"{self.network}-{n}", f"https://{self.network}/{n}")


def _post(store: Store, *, networks: tuple[str, ...] = ("x",), thread: tuple[str, ...] = ()) -> int:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        return queries.create_post(
            conn,
            ws_id,
            text="Hot cross buns today",
            thread=thread,
            networks=networks,
            state="scheduled",
            scheduled_for=NOW - timedelta(minutes=1),
            now=NOW - timedelta(hours=1),
        )


def _get(store: Store, post_id: int) -> queries.StoredPost:
    with store.connect() as conn:
        found = queries.get_post(conn, post_id)
    assert found is not None
    return found


def test_publishes_a_thread_on_two_networks_once(store: Store) -> None:
    post_id = _post(store, networks=("x", "mastodon"), thread=("Part two", "Part three"))
    pubs = {n: FakePublisher(n) for n in ("x", "mastodon")}
    report = run_due(store, NOW, pubs.get)
    assert report.published == [post_id]
    key = _get(store, post_id).idempotency_key
    for n, pub in pubs.items():
        assert [c[0] for c in pub.calls] == ["Hot cross buns today", "Part two", "Part three"]
        assert [c[1] for c in pub.calls] == [None, f"{n}-1", f"{n}-2"]  # each replies to the last
        assert [c[2] for c in pub.calls] == [f"{key}:{n}:{i}" for i in range(3)]
    assert _get(store, post_id).state == "published"
    with store.connect() as conn:
        assert len(queries.deliveries(conn, post_id)) == 6
    assert run_due(store, NOW + timedelta(hours=1), pubs.get).claimed == 0  # nothing twice


def test_not_due_yet_is_left(store: Store) -> None:
    post_id = _post(store)
    pub = FakePublisher("x")
    assert run_due(store, NOW - timedelta(minutes=2), {"x": pub}.get).claimed == 0
    assert pub.calls == [] and _get(store, post_id).state == "scheduled"


def test_crash_between_claim_and_publish_is_resumed_with_the_same_key(store: Store) -> None:
    post_id = _post(store, networks=("x", "mastodon"))
    with store.begin() as conn:  # a worker claims, posts to X, records it and dies
        assert queries.claim(
            conn, post_id, expected_state="scheduled", expected_token=None, token="dead", now=NOW
        )
        queries.record_delivery(conn, post_id, 0, Published("x", "x-old", ""), NOW)
    pubs = {n: FakePublisher(n) for n in ("x", "mastodon")}
    # still within the claim's lease: nobody touches it
    assert run_due(store, NOW + STALE_AFTER - timedelta(seconds=1), pubs.get).claimed == 0
    later = NOW + STALE_AFTER + timedelta(seconds=1)
    assert run_due(store, later, pubs.get).published == [post_id]
    key = _get(store, post_id).idempotency_key
    assert pubs["x"].calls == []  # already out: skipped
    assert pubs["mastodon"].calls == [("Hot cross buns today", None, f"{key}:mastodon:0")]
    # the dead worker's late finish cannot overwrite the outcome
    with store.begin() as conn:
        assert not queries.finish(conn, post_id, "dead", state="failed", now=later)
    assert _get(store, post_id).state == "published"


def test_transient_error_then_success(store: Store) -> None:
    post_id = _post(store)
    pub = FakePublisher("x", fail=[PublishError("X answered 503", transient=True)])
    assert run_due(store, NOW, {"x": pub}.get).retrying == [post_id]
    waiting = _get(store, post_id)
    assert waiting.state == "scheduled" and waiting.attempts == 1
    assert waiting.last_error == "X answered 503"
    assert waiting.next_try == NOW + timedelta(minutes=1)
    assert run_due(store, NOW + timedelta(seconds=59), {"x": pub}.get).claimed == 0
    assert run_due(store, NOW + timedelta(minutes=1), {"x": pub}.get).published == [post_id]
    assert len({c[2] for c in pub.calls}) == 1 and len(pub.calls) == 2  # same key both times
    done = _get(store, post_id)
    assert done.state == "published" and done.attempts == 2 and done.last_error is None


def test_transient_errors_give_up_after_max_attempts(store: Store) -> None:
    post_id = _post(store)
    pub = FakePublisher("x", fail=[PublishError("503", transient=True)] * 10)
    at = NOW
    for _ in range(MAX_ATTEMPTS):
        run_due(store, at, {"x": pub}.get)
        at += timedelta(hours=1)
    assert len(pub.calls) == MAX_ATTEMPTS
    assert _get(store, post_id).state == "failed"
    assert [backoff(n).total_seconds() / 60 for n in (1, 2, 3, 7, 20)] == [1, 2, 4, 60, 60]


def test_permanent_failure_and_unconfigured_network(store: Store) -> None:
    post_id = _post(store)
    pub = FakePublisher("x", fail=[PublishError("X refused: duplicate content")])
    assert run_due(store, NOW, {"x": pub}.get).failed == [post_id]
    failed = _get(store, post_id)
    assert failed.state == "failed" and failed.last_error == "X refused: duplicate content"
    other = _post(store, networks=("bluesky",))
    assert run_due(store, NOW, {"x": pub}.get).failed == [other]
    assert _get(store, other).last_error == "posting to bluesky is not configured"


def test_two_workers_never_double_post(store: Store) -> None:
    ids = [_post(store, networks=("x", "mastodon")) for _ in range(6)]
    pubs = {n: FakePublisher(n, delay=0.01) for n in ("x", "mastodon")}
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(3):
                run_due(store, NOW, pubs.get, limit=3)
        except BaseException as exc:  # pragma: no cover - shown by the assert below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    for pub in pubs.values():
        keys = Counter(c[2] for c in pub.calls)
        assert len(keys) == len(ids) and set(keys.values()) == {1}
    assert {_get(store, i).state for i in ids} == {"published"}


@pytest.mark.parametrize("state", ["draft", "published", "failed"])
def test_only_scheduled_posts_are_claimed(store: Store, state: str) -> None:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
        queries.create_post(
            conn, ws_id, text="x", state=state, scheduled_for=NOW - timedelta(days=1), now=NOW
        )
    assert run_due(store, NOW, {"x": FakePublisher("x")}.get).claimed == 0
