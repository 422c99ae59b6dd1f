"""The filtered stream against the fake X: rule sync, keep-alives, drops, stalls, reconnects."""

from __future__ import annotations

import threading
import time

import pytest
from pydantic import SecretStr
from tests.fakes.x_api import TOKEN, FakeClock, FakeX

from hubbub.model import Stream
from hubbub.sources.base import Source, SourceError
from hubbub.sources.x.client import XClient
from hubbub.sources.x.stream import MAX_RULES, XStreamSource, sync_rules
from hubbub.sources.x.usage import Budget, CapReached, MemoryMeter

STREAMS = (Stream("Bread", "sourdough"), Stream("Pastry", "croissant OR #patisserie"))
STREAM = "/2/tweets/search/stream"
RULES = "/2/tweets/search/stream/rules"


def _source(client: XClient, **kwargs: object) -> XStreamSource:
    options: dict[str, object] = {"batch_size": 5, "flush_seconds": 0.3, "stall_seconds": 1.0}
    options.update(kwargs)
    return XStreamSource(client, "larkspur", STREAMS, **options)  # type: ignore[arg-type]


def test_rules_sync_adds_missing_deletes_stale_and_leaves_others(
    x_client: XClient, fake_x: FakeX
) -> None:
    fake_x.rules = [
        {"id": "90", "value": "somebody else's rule", "tag": "other-tool"},
        {"id": "91", "value": "sourdough", "tag": "hubbub:larkspur:Bread"},  # still wanted
        {"id": "92", "value": "old query", "tag": "hubbub:larkspur:Gone"},  # stale
        {"id": "93", "value": "rye", "tag": "hubbub:other-shop:Bread"},  # another workspace
    ]
    result = sync_rules(x_client, "larkspur", STREAMS)
    assert [r.value for r in result.added] == ["croissant OR #patisserie"]
    assert [r.id for r in result.deleted] == ["92"] and result.kept == 1
    assert sorted((r["value"], r["tag"]) for r in fake_x.rules) == [
        ("croissant OR #patisserie", "hubbub:larkspur:Pastry"),
        ("rye", "hubbub:other-shop:Bread"),
        ("somebody else's rule", "other-tool"),
        ("sourdough", "hubbub:larkspur:Bread"),
    ]
    posts_before = len([r for r in fake_x.requests if r[0] == "POST"])
    again = sync_rules(x_client, "larkspur", STREAMS)
    assert again.added == () and again.deleted == () and again.kept == 2
    assert len([r for r in fake_x.requests if r[0] == "POST"]) == posts_before


def test_rules_beyond_x_limit_change_nothing(x_client: XClient, fake_x: FakeX) -> None:
    fake_x.rules = [{"id": str(i), "value": f"w{i}", "tag": "x"} for i in range(MAX_RULES - 1)]
    with pytest.raises(SourceError, match="1,001 rules; X allows 1,000"):
        sync_rules(x_client, "larkspur", STREAMS)
    assert len(fake_x.rules) == MAX_RULES - 1
    assert not [r for r in fake_x.requests if r[0] == "POST"]


def test_posts_arrive_in_batches_between_keep_alives(x_client: XClient, fake_x: FakeX) -> None:
    fake_x.stream_queue.extend(fake_x.tweets[:12])
    source = _source(x_client, max_posts=12)
    assert isinstance(source, Source)
    batches = list(source.batches())
    assert [len(b.posts) for b in batches] == [5, 5, 2]
    got = [p.id for b in batches for p in b.posts]
    assert got == [t["id"] for t in fake_x.tweets[:12]]
    post = batches[0].posts[0]
    assert post.provenance is not None and post.provenance.source == "x:stream"
    assert post.author.handle == "baker0"
    assert x_client.budget.meter.usage(x_client.budget.month()) == (12, 0)
    assert source.connections == 1 and source.problems == []
    assert "expansions" in next(q for m, p, q in fake_x.requests if p == STREAM)


def _feed_later(fake: FakeX, *steps: tuple[float, str | None, int]) -> threading.Thread:
    """After each delay, script a stream action and queue ``n`` more tweets."""

    def run() -> None:
        offset = 0
        for delay, action, n in steps:
            time.sleep(delay)
            if action:
                fake.stream_script.append(action)
            fake.stream_queue.extend(fake.tweets[offset : offset + n])
            offset += n

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_a_dropped_connection_reconnects_and_loses_nothing_after_it(
    x_client: XClient, fake_x: FakeX
) -> None:
    fake_x.stream_queue.extend(fake_x.tweets[100:103])
    fake_x.stream_script.extend(["drop"])
    _feed_later(fake_x, (0.5, None, 4))
    source = _source(x_client, max_posts=7)
    got = [p.id for b in source.batches() for p in b.posts]
    assert source.connections == 2
    assert source.reconnects[0].startswith("dropped: RemoteProtocolError")
    assert sorted(got) == sorted(
        [t["id"] for t in fake_x.tweets[100:103]] + [t["id"] for t in fake_x.tweets[:4]]
    )


def test_a_stall_beyond_the_keep_alive_reconnects(
    x_client: XClient, fake_x: FakeX, clock: FakeClock
) -> None:
    fake_x.stream_script.append("stall:2.5")  # longer than stall_seconds=1
    _feed_later(fake_x, (0.1, None, 3))
    source = _source(x_client, max_posts=3)
    started = time.monotonic()
    got = [p.id for b in source.batches() for p in b.posts]
    assert len(got) == 3
    assert source.reconnects == ["stalled: nothing for 1 s"]
    assert time.monotonic() - started < 2.4  # it did not wait for the stall to end
    assert clock.slept == [0.25]  # a network error with no data: X's first linear step


def test_http_errors_and_429_on_connect_use_x_reconnect_backoff(
    x_client: XClient, fake_x: FakeX, clock: FakeClock
) -> None:
    fake_x.fail_next(STREAM, "503", "503", "429")
    fake_x.stream_queue.extend(fake_x.tweets[:2])
    got = [p.id for b in _source(x_client, max_posts=2).batches() for p in b.posts]
    assert len(got) == 2
    assert clock.slept == [5.0, 10.0, 60.0]


def test_an_error_line_reconnects_and_a_bad_line_is_skipped(
    x_client: XClient, fake_x: FakeX
) -> None:
    fake_x.stream_queue.extend(
        [fake_x.tweets[0], {"id": "5", "text": "no author", "created_at": "2026-11-20T00:00:00Z"}]
    )
    fake_x.stream_queue.append(fake_x.tweets[1])
    source = _source(x_client, max_posts=2)
    got = [p.id for b in source.batches() for p in b.posts]
    assert got == [fake_x.tweets[0]["id"], fake_x.tweets[1]["id"]]
    assert len(source.problems) == 1 and "author_id is missing" in source.problems[0]


def test_a_stop_event_ends_an_idle_stream(x_client: XClient, fake_x: FakeX) -> None:
    stop = threading.Event()
    threading.Timer(0.5, stop.set).start()
    source = _source(x_client, stop=stop)
    assert list(source.batches()) == []
    assert source.connections == 1


def test_wrong_credentials_stop_the_stream(fake_x: FakeX, x_client: XClient) -> None:
    fake_x.fail_next(RULES, "401")
    with pytest.raises(SourceError, match="401"):
        list(_source(x_client).batches())


def test_the_monthly_cap_stops_a_live_stream(fake_x: FakeX, clock: FakeClock) -> None:
    budget = Budget(MemoryMeter(), read_cap=10)
    client = XClient(SecretStr(TOKEN), fake_x.url, budget=budget, sleep=clock.sleep, clock=clock)
    fake_x.stream_queue.extend(fake_x.tweets[:30])
    got: list[str] = []
    with pytest.raises(CapReached, match="cap of 10 posts"):
        for batch in _source(client).batches():
            got.extend(p.id for p in batch.posts)
    assert len(got) == 10  # two batches of 5 were stored, then it stopped
