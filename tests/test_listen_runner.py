"""listen(): live sources in threads under leases, with fake in-memory sources."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest

from hubbub.listen import SourceStatus, listen
from hubbub.model import Batch
from hubbub.sources.registry import LiveSource
from hubbub.store import Store, get_cursor, upsert_workspace
from hubbub.store.leases import acquire, get_lease, list_leases
from tests.store.helpers import count, make_post, make_workspace, match_streams
from tests.store.helpers import pg_url as pg_url
from tests.store.helpers import store as store

FAST = {"lease_seconds": 1.0, "renew_seconds": 0.1, "backoff_first": 0.02, "backoff_max": 0.1}


class Pages:
    """A polled source: ``pages`` batches of 3 posts from ``first``; cursor = pages read."""

    def __init__(self, name: str, first: int, pages: int = 2) -> None:
        self.name = name
        self.first = first
        self.pages = pages
        self.calls = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        self.calls += 1
        for page in range(int(cursor or 0), self.pages):
            start = self.first + 3 * page
            yield Batch(self.name, [make_post(i) for i in range(start, start + 3)], str(page + 1))


class Broken:
    """Fails every time, as a source whose network is down."""

    name = "broken"

    def __init__(self) -> None:
        self.calls = 0

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        self.calls += 1
        raise RuntimeError(f"network down (call {self.calls})")
        yield  # pragma: no cover


class Stream:
    """A stream: batches from a queue until its ``stop`` is set (checked every 50 ms)."""

    name = "stream"

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.queue: queue.Queue[Batch] = queue.Queue()
        self.closed = 0
        self.n = 0

    def push(self, first: int, n: int = 2) -> None:
        self.n += 1
        self.queue.put(
            Batch(self.name, [make_post(i) for i in range(first, first + n)], str(self.n))
        )

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        try:
            while not self.stop.is_set():
                try:
                    yield self.queue.get(timeout=0.05)
                except queue.Empty:
                    continue
        finally:
            self.closed += 1


def _wait(what: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not what():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


class Runner:
    """listen() in a thread, with every status change recorded."""

    def __init__(self, store: Store, sources: list[LiveSource], **kw: object) -> None:
        self.stop = threading.Event()
        self.seen: list[SourceStatus] = []
        self.result: list[SourceStatus] | None = None
        args = {**FAST, **kw}

        def run() -> None:
            self.result = listen(
                store,
                make_workspace(),
                sources,
                stop=self.stop,
                on_status=self.seen.append,
                processor=match_streams,
                **args,  # type: ignore[arg-type]
            )

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def latest(self, name: str) -> SourceStatus | None:
        found = [s for s in list(self.seen) if s.source == name]
        return found[-1] if found else None

    def finish(self, seconds: float = 10.0) -> list[SourceStatus]:
        self.stop.set()
        self.thread.join(seconds)
        assert not self.thread.is_alive(), "listen() did not stop"
        assert self.result is not None
        return self.result


def _ws_id(store: Store) -> int:
    with store.begin() as conn:
        return upsert_workspace(conn, make_workspace())


def test_once_runs_each_source_to_caught_up_and_releases_its_lease(store: Store) -> None:
    a, b = Pages("a", 0, pages=2), Pages("b", 100, pages=3)
    final = listen(
        store,
        make_workspace(),
        [LiveSource(a, 60), LiveSource(b, 60)],
        stop=threading.Event(),
        once=True,
        processor=match_streams,
        holder="me:1:x",
    )
    by_name = {s.source: s for s in final}
    assert (by_name["a"].posts, by_name["a"].batches) == (6, 2)
    assert (by_name["b"].posts, by_name["b"].batches) == (9, 3)
    assert all(s.state == "stopped" and s.last_error is None for s in final)
    assert by_name["a"].mentions == 6  # every helper post names the bakery's words
    assert count(store, "posts") == 15
    ws_id = _ws_id(store)
    with store.connect() as conn:
        assert get_cursor(conn, ws_id, "a") == "2"
        assert get_cursor(conn, ws_id, "b") == "3"
        assert list_leases(conn, ws_id) == []
    assert (a.calls, b.calls) == (1, 1)


def test_an_error_in_one_source_backs_it_off_and_the_others_go_on(store: Store) -> None:
    broken, good = Broken(), Pages("good", 0, pages=1)
    run = Runner(store, [LiveSource(broken, 0.05), LiveSource(good, 0.05)])
    _wait(lambda: broken.calls >= 3 and good.calls >= 3)
    status = run.latest("broken")
    assert status is not None
    assert status.state == "backing off"
    assert status.last_error is not None and status.last_error.startswith("network down")
    assert status.next_run is not None
    final = {s.source: s for s in run.finish()}
    assert final["good"].posts == 3 and final["good"].last_error is None
    assert final["broken"].posts == 0 and final["broken"].state == "stopped"
    assert count(store, "posts") == 3
    states = {s.state for s in run.seen if s.source == "good"}
    assert {"running", "idle", "stopped"} <= states


def test_stop_reaches_a_blocked_stream_commits_what_it_has_and_releases(store: Store) -> None:
    stream = Stream()
    run = Runner(store, [LiveSource(stream, None)], holder="me:1:x")
    stream.push(0)
    stream.push(10)
    _wait(lambda: count(store, "posts") == 4)
    status = run.latest("stream")
    assert status is not None
    assert (status.state, status.posts, status.batches) == ("running", 4, 2)
    assert status.last_batch is not None
    started = time.monotonic()
    final = run.finish()
    assert time.monotonic() - started < 2
    assert final[0].state == "stopped"
    assert stream.closed == 1  # the generator was closed
    with store.connect() as conn:
        ws_id = _ws_id(store)
        assert list_leases(conn, ws_id) == []
        assert get_cursor(conn, ws_id, "stream") == "2"


def test_a_second_listener_waits_as_a_hot_standby_and_takes_over(store: Store) -> None:
    ws_id = _ws_id(store)
    with store.begin() as conn:  # another listener holds it, for one more second
        assert acquire(conn, ws_id, "a", "other:9:y", 1.0)
    source = Pages("a", 0, pages=2)
    run = Runner(store, [LiveSource(source, 30)], holder="me:1:x")
    _wait(lambda: (s := run.latest("a")) is not None and s.state == "waiting for lease")
    status = run.latest("a")
    assert status is not None and status.holder == "other:9:y"
    assert count(store, "posts") == 0
    # "other" dies: it renews no more; within its TTL the standby takes over
    _wait(lambda: count(store, "posts") == 6, seconds=5)
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "a")
    assert lease is not None and lease.holder == "me:1:x"
    run.finish()
    states = [s.state for s in run.seen]
    assert states.index("waiting for lease") < states.index("running")


def test_a_lease_taken_over_stops_the_source_and_its_batches(store: Store) -> None:
    stream = Stream()
    run = Runner(store, [LiveSource(stream, None)], holder="me:1:x")
    stream.push(0)
    _wait(lambda: count(store, "posts") == 2)
    ws_id = _ws_id(store)
    with store.begin() as conn:  # as if "me" stalled and another listener took over
        future = datetime.now(UTC) + timedelta(hours=1)
        assert acquire(conn, ws_id, "stream", "intruder:2:z", 3600, now=future)
    _wait(lambda: (s := run.latest("stream")) is not None and s.state == "waiting for lease")
    assert stream.stop.is_set()  # the keeper stopped the stream's blocking read
    stream.push(50)  # whatever arrives now is not "me"'s to store
    time.sleep(0.3)
    assert count(store, "posts") == 2
    status = run.latest("stream")
    assert status is not None and status.holder == "intruder:2:z"
    run.finish()
    with store.connect() as conn:
        lease = get_lease(conn, ws_id, "stream")
    assert lease is not None and lease.holder == "intruder:2:z"  # not released by "me"


def test_once_leaves_a_source_another_listener_holds(store: Store) -> None:
    ws_id = _ws_id(store)
    with store.begin() as conn:
        assert acquire(conn, ws_id, "a", "other:9:y", 60)
    final = listen(
        store,
        make_workspace(),
        [LiveSource(Pages("a", 0), 60)],
        stop=threading.Event(),
        once=True,
        processor=match_streams,
    )
    assert final[0].state == "stopped" and final[0].holder == "other:9:y"
    assert count(store, "posts") == 0


def test_two_sources_with_one_name_are_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="share a name"):
        listen(
            store,
            make_workspace(),
            [LiveSource(Pages("a", 0), 1), LiveSource(Pages("a", 9), 1)],
            stop=threading.Event(),
        )
