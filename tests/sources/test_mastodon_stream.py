"""Mastodon streaming against the fake: SSE events, heartbeats, stalls, drops, gap filling."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr
from tests.fakes.mastodon import (
    TOKEN,
    FakeMastodon,
    make_account,
    make_corpus,
    make_status,
    status_id,
)
from tests.fakes.x_api import FakeClock

from hubbub.sources.base import Source, SourceError
from hubbub.sources.mastodon.client import MastodonClient
from hubbub.sources.mastodon.streaming import MastodonStreamSource

HASHTAG = "hashtag:sourdough"
STREAM_PATH = "/api/v1/streaming/hashtag"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon(make_corpus(60), clock=clock, heartbeat=0.1).start()
    yield server
    server.stop()


@pytest.fixture
def client(fake: FakeMastodon, clock: FakeClock) -> Iterator[MastodonClient]:
    c = MastodonClient(fake.url, SecretStr(TOKEN), sleep=clock.sleep, clock=clock, timeout=5)
    yield c
    c.close()


def _source(client: MastodonClient, kind: str = "hashtag", **kwargs: Any) -> MastodonStreamSource:
    options: dict[str, Any] = {"batch_size": 5, "flush_seconds": 0.15, "stall_seconds": 0.6}
    options.update(kwargs)
    return MastodonStreamSource(client, kind, "sourdough" if kind == "hashtag" else "", **options)  # type: ignore[arg-type]


def _new_status(n: int, text: str = "fresh #sourdough") -> dict[str, Any]:
    when = datetime.now(UTC) + timedelta(seconds=n)
    return make_status(status_id(when, n), make_account(n), text, when, tags=("sourdough",))


def test_events_arrive_in_batches_between_heartbeats(
    client: MastodonClient, fake: FakeMastodon
) -> None:
    fresh = [_new_status(i) for i in range(7)]
    fake.push(HASHTAG, *[("update", s) for s in fresh[:3]])
    fake.push(HASHTAG, ("delete", fresh[0]["id"]), ("filters_changed", "null"))
    fake.push(HASHTAG, *[("update", s) for s in fresh[3:]])
    source = _source(client, max_posts=7)
    assert isinstance(source, Source)
    batches = list(source.batches())
    assert [len(b.posts) for b in batches] == [5, 2]
    assert [p.id for b in batches for p in b.posts] == [s["id"] for s in fresh]
    assert source.deleted == [fresh[0]["id"]]
    assert json.loads(batches[-1].cursor or "") == {"newest": fresh[-1]["id"]}
    post = batches[0].posts[0]
    assert post.provenance is not None and post.provenance.source == "mastodon:stream:tag:sourdough"
    assert post.provenance.url.endswith("/api/v1/streaming/hashtag?tag=sourdough")
    assert post.raw == fresh[0]
    assert source.connections == 1 and source.problems == [] and source.gap_posts == 0


def test_a_stall_reconnects_and_the_gap_is_filled_from_the_timeline(
    client: MastodonClient, fake: FakeMastodon, clock: FakeClock
) -> None:
    tagged = [s for s in fake.statuses if s["tags"]]
    cursor = json.dumps({"newest": tagged[20]["id"]})
    first = _new_status(1)
    fake.statuses.append(first)
    fake.push(HASHTAG, ("update", first), "stall:3")
    missed = _new_status(2, "posted while we were away #sourdough")
    source = _source(client, max_posts=10 + 1 + 1)
    got: list[str] = []
    cursors: list[dict[str, str]] = []
    started = time.monotonic()
    for batch in source.batches(cursor):
        got.extend(p.id for p in batch.posts)
        cursors.append(json.loads(batch.cursor or "{}"))
        if got.count(first["id"]) == 2 and missed not in fake.statuses:
            fake.statuses.append(missed)  # posted during the stall: never on the stream
    # the gap before the first connection (newest first), the streamed one, the missed one
    gap = [first["id"]] + [s["id"] for s in reversed(tagged[21:])]
    assert got == [*gap, first["id"], missed["id"]]
    assert source.reconnects == ["stalled: nothing for 0.6 s"]
    assert source.connections == 2 and source.gap_posts == 11
    assert time.monotonic() - started < 2.8  # it did not wait for the stall to end
    assert clock.slept == []  # the connection had delivered: reconnect at once
    timeline = fake.calls("/api/v1/timelines/tag/sourdough")
    since = [c["since_id"] for c in timeline]
    assert since == [tagged[20]["id"]] * 2 + [first["id"]] * 2  # a page, then an empty one
    # the cursor moves past the gap only once the whole gap is stored
    assert cursors[0] == {"newest": tagged[20]["id"]}
    assert cursors[1] == {"newest": first["id"]}
    assert cursors[-1] == {"newest": missed["id"]}


def test_a_dropped_connection_reconnects_and_loses_nothing(
    client: MastodonClient, fake: FakeMastodon
) -> None:
    a, b = _new_status(1), _new_status(2)
    fake.statuses.append(a)
    fake.push(HASHTAG, ("update", a), "drop")
    source = _source(client, max_posts=2)
    got: list[str] = []
    for batch in source.batches(json.dumps({"newest": a["id"]})):
        got.extend(p.id for p in batch.posts)
        if a["id"] in got and b not in fake.statuses:
            fake.statuses.append(b)  # posted while the connection was down
    assert source.reconnects == ["dropped: RemoteProtocolError"]
    assert got == [a["id"], b["id"]]  # b came through the gap (the tag timeline)
    assert source.connections == 2 and source.gap_posts == 1


def test_a_refused_connection_backs_off_and_credentials_stop_it(
    client: MastodonClient, fake: FakeMastodon, clock: FakeClock
) -> None:
    fresh = _new_status(1)
    fake.fail_next(STREAM_PATH, "503", "502", "429")
    fake.push(HASHTAG, ("update", fresh))
    got = [p.id for b in _source(client, max_posts=1).batches() for p in b.posts]
    assert got == [fresh["id"]]
    assert clock.slept == [5.0, 10.0, 60.0]
    fake.fail_next(STREAM_PATH, "401")
    with pytest.raises(SourceError, match=r"refused .*401: The access token is invalid"):
        list(_source(client).batches())


def test_the_mentions_stream_keeps_mentions_and_fills_its_gap_from_notifications(
    client: MastodonClient, fake: FakeMastodon
) -> None:
    def note(nid: int, kind: str, status: dict[str, Any] | None) -> dict[str, Any]:
        return {
            "id": str(nid),
            "type": kind,
            "created_at": "2026-11-25T10:00:00.000Z",
            "account": make_account(nid),
            "status": status,
        }

    older = note(40, "mention", _new_status(40, "@baker99 do you sell rye?"))
    fake.notifications = [note(30, "mention", _new_status(30)), older]
    live = note(41, "mention", _new_status(41, "@baker99 thanks!"))
    fake.push("notification", ("notification", note(39, "follow", None)), ("notification", live))
    source = _source(client, "mentions", max_posts=2)
    assert source.name == "mastodon:stream:mentions"
    batches = list(source.batches(json.dumps({"newest": "30"})))
    got = [p.id for b in batches for p in b.posts]
    assert got == [older["status"]["id"], live["status"]["id"]]
    assert fake.calls("/api/v1/notifications")[0] == {
        "types": "mention",
        "since_id": "30",
        "limit": "40",
    }
    assert json.loads(batches[-1].cursor or "") == {"newest": "41"}  # a notification id


def test_the_mentions_stream_needs_a_token(fake: FakeMastodon, clock: FakeClock) -> None:
    anonymous = MastodonClient(fake.url, None, sleep=clock.sleep, clock=clock)
    with pytest.raises(SourceError, match="needs HUBBUB_MASTODON_ACCESS_TOKEN"):
        _source(anonymous, "mentions")


def test_a_stop_event_ends_an_idle_stream(client: MastodonClient, fake: FakeMastodon) -> None:
    stop = threading.Event()
    threading.Timer(0.4, stop.set).start()
    source = _source(client, stop=stop)
    assert list(source.batches()) == []
    assert source.connections == 1 and source.reconnects == []


def test_an_unreadable_event_is_reported_and_skipped(
    client: MastodonClient, fake: FakeMastodon
) -> None:
    good = _new_status(1)
    fake.push(HASHTAG, ("update", "{not json"), ("update", {"id": "5"}), ("update", good))
    source = _source(client, max_posts=1)
    assert [p.id for b in source.batches() for p in b.posts] == [good["id"]]
    assert source.problems == [
        "mastodon: mastodon:stream:tag:sourdough: an update event is not JSON",
        "mastodon: mastodon:stream:tag:sourdough: status 5: account is missing",
    ]


def test_an_idle_stream_yields_empty_batches_so_the_runner_can_stop_it(
    client: MastodonClient, fake: FakeMastodon
) -> None:
    tagged = [s for s in fake.statuses if s["tags"]]
    cursor = json.dumps({"newest": tagged[-1]["id"]})  # nothing new: an empty gap
    batches = _source(client, idle_seconds=0.3).batches(cursor)
    started = time.monotonic()
    gap = next(batches)
    idle = next(batches)  # only heartbeats for 0.3 s
    assert gap.posts == [] and idle.posts == []
    assert json.loads(idle.cursor or "") == {"newest": tagged[-1]["id"]}  # unchanged
    assert 0.25 < time.monotonic() - started < 2.0
    batches.close()  # what the runner does when it stops between batches
