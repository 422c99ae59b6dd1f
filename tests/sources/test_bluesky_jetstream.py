"""Jetstream against the fake: pre-filter, authors, resume after drops and restarts, stalls."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from tests.fakes.bluesky import (
    HANDLE,
    PASSWORD,
    FakeBluesky,
    FakeJetstream,
    jetstream_events,
    profile,
)
from tests.fakes.x_api import FakeClock

from hubbub.model import Stream, Workspace
from hubbub.pipeline import process
from hubbub.sources.base import Source, SourceError
from hubbub.sources.bluesky import BlueskyClient, JetstreamSource, prefilter_for

STREAMS = (Stream("Bread", "sourdough"), Stream("Pastry", "croissant OR #patisserie"))
PROFILES = "app.bsky.actor.getProfiles"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def jet() -> Iterator[FakeJetstream]:
    server = FakeJetstream().start()
    yield server
    server.stop()


def _source(jet: FakeJetstream, clock: FakeClock, **kwargs: object) -> JetstreamSource:
    options: dict[str, object] = {
        "batch_size": 10,
        "flush_seconds": 0.2,
        "stall_seconds": 1.0,
        "sleep": clock.sleep,
    }
    options.update(kwargs)
    return JetstreamSource(jet.url, STREAMS, **options)  # type: ignore[arg-type]


def _posts(events: list[dict[str, object]]) -> list[dict[str, object]]:
    """The events a stream wants: creates whose text names sourdough or croissant."""
    out = []
    for e in events:
        commit = e.get("commit")
        if isinstance(commit, dict) and commit.get("operation") == "create":
            text = commit["record"]["text"]
            if "sourdough" in text or "croissant" in text:
                out.append(e)
    return out


def test_the_prefilter_keeps_only_posts_a_stream_may_match(
    jet: FakeJetstream, clock: FakeClock
) -> None:
    events = jetstream_events(30, noise=9)
    jet.add(events)
    wanted = _posts(events)
    source = _source(jet, clock, max_posts=len(wanted))
    assert isinstance(source, Source)
    batches = list(source.batches())
    got = [p for b in batches for p in b.posts]
    assert [p.id for p in got] == [
        f"at://{e['did']}/app.bsky.feed.post/{e['commit']['rkey']}"  # type: ignore[index]
        for e in wanted
    ]
    noise_posts = sum(
        1
        for e in events
        if isinstance(e.get("commit"), dict) and e["commit"]["operation"] == "create"  # type: ignore[index]
    ) - len(wanted)
    assert source.filtered_out == noise_posts > 0
    assert all(len(b.posts) <= 10 for b in batches)
    assert json.loads(batches[-1].cursor or "") == {"time_us": wanted[-1]["time_us"]}
    assert jet.connections[0]["wantedCollections"] == ["app.bsky.feed.post"]
    assert "cursor" not in jet.connections[0]
    # the prefilter lost nothing the pipeline would have matched
    workspace = Workspace(slug="larkspur", name="Larkspur", streams=STREAMS)
    assert len(process(got, workspace)) == len(wanted)
    post = got[0]
    assert post.author.handle == post.author.id  # no client: authors stay minimal
    assert post.provenance is not None and post.provenance.source == "bluesky:jetstream"


def test_prefilter_terms_and_when_it_is_off() -> None:
    on = prefilter_for([*STREAMS, Stream("Us", '"Larkspur Bakery" OR @larkspur.bsky.social')])
    assert on.terms is not None and set(on.terms) == {
        "sourdough",
        "croissant",
        "patisserie",
        "larkspur.bsky.social",
        "larkspur bakery",
    }
    assert on.keeps("Fresh SOURDOUGH today") and not on.keeps("fresh rye today")
    assert on.keeps("menu", [{"features": [{"uri": "https://x.example/#patisserie"}]}])
    assert prefilter_for([Stream("Near", "point_radius:[-82.55 35.59 5km]")]).terms is None
    assert prefilter_for([Stream("Them", "from:rival.bsky.social")]).terms is None


def test_authors_are_fetched_25_at_a_time_and_cached(jet: FakeJetstream, clock: FakeClock) -> None:
    fake = FakeBluesky(clock=clock).start()
    client = BlueskyClient(HANDLE, SecretStr(PASSWORD), fake.url, sleep=clock.sleep, clock=clock)
    try:
        jet.add(jetstream_events(60, authors=30))
        source = _source(jet, clock, client=client, batch_size=60, max_posts=60, flush_seconds=9)
        got = [p for b in source.batches() for p in b.posts]
    finally:
        client.close()
        fake.stop()
    calls = fake.calls(PROFILES)
    assert [len(c["actors"]) for c in calls] == [25, 5]  # 30 authors, each asked once
    assert len(got) == 60
    assert {p.author.handle for p in got} == {f"baker{n}.bsky.social" for n in range(30)}
    first = next(p for p in got if p.author.handle == "baker3.bsky.social")
    assert first.author.followers == profile(3)["followersCount"]
    assert first.url.startswith("https://bsky.app/profile/baker3.bsky.social/post/")


def test_identity_events_teach_handles_without_a_client(
    jet: FakeJetstream, clock: FakeClock
) -> None:
    events = jetstream_events(1)
    did = events[0]["did"]
    t = events[0]["time_us"]
    identity = {
        "did": did,
        "time_us": t - 1,
        "kind": "identity",
        "identity": {"did": did, "handle": "baker0.bsky.social", "seq": 1, "time": "x"},
    }
    jet.add([identity, *events])
    got = [p for b in _source(jet, clock, max_posts=1).batches() for p in b.posts]
    assert got[0].author.handle == "baker0.bsky.social" and got[0].author.id == did


def test_a_dropped_connection_resumes_from_the_cursor_with_nothing_lost_or_twice(
    jet: FakeJetstream, clock: FakeClock
) -> None:
    events = jetstream_events(40, noise=1)
    jet.add(events)
    jet.script.append("drop:15")
    wanted = _posts(events)
    source = _source(jet, clock, max_posts=len(wanted))
    got = [p.id for b in source.batches() for p in b.posts]
    assert len(got) == len(set(got)) == len(wanted)
    assert source.connections == 2
    assert source.reconnects[0].startswith("dropped: ConnectionClosed")
    assert jet.connections[1]["cursor"] == [str(events[14]["time_us"])]
    assert clock.slept == []  # the dropped connection had delivered events: no backoff


def test_a_restart_from_the_stored_cursor_continues_after_it(
    jet: FakeJetstream, clock: FakeClock
) -> None:
    events = jetstream_events(30)
    jet.add(events)
    first = list(_source(jet, clock, max_posts=12).batches())
    stored = first[-1].cursor
    seen = [p.id for b in first for p in b.posts]
    rest = [p.id for b in _source(jet, clock, max_posts=18).batches(stored) for p in b.posts]
    assert jet.connections[-1]["cursor"] == [str(json.loads(stored or "")["time_us"])]
    assert len(seen + rest) == len(set(seen + rest)) == 30


def test_a_stall_reconnects_without_waiting_it_out(jet: FakeJetstream, clock: FakeClock) -> None:
    jet.add(jetstream_events(10))
    jet.script.append("stall:4:5")  # four events, then five seconds of silence
    source = _source(jet, clock, max_posts=10)
    started = time.monotonic()
    got = [p.id for b in source.batches() for p in b.posts]
    assert len(got) == len(set(got)) == 10
    assert source.reconnects == ["stalled: nothing for 1 s"]
    assert time.monotonic() - started < 4.0


def test_refused_handshakes_back_off_and_a_4xx_stops(jet: FakeJetstream, clock: FakeClock) -> None:
    jet.add(jetstream_events(3))
    jet.script.extend(["refuse:503", "refuse:429"])
    source = _source(jet, clock, max_posts=3)
    assert len([p for b in source.batches() for p in b.posts]) == 3
    assert source.reconnects == ["refused: HTTP 503", "refused: HTTP 429"]
    assert clock.slept == [1.0, 2.0]
    jet.script.append("refuse:400")
    with pytest.raises(SourceError, match=r"refused the subscription \(400\)"):
        list(_source(jet, clock, max_posts=1).batches())


def test_a_stop_event_ends_an_idle_stream_and_the_cursor_moves_past_noise(
    jet: FakeJetstream, clock: FakeClock
) -> None:
    jet.add(jetstream_events(0) + jetstream_events(1, ("rye",), noise=5))
    stop = threading.Event()
    threading.Timer(1.0, stop.set).start()
    source = _source(jet, clock, stop=stop, cursor_seconds=0.3)
    batches = list(source.batches())
    assert all(b.posts == [] for b in batches) and batches
    assert json.loads(batches[-1].cursor or "")["time_us"] == jet.events[-1]["time_us"]


def test_a_used_up_profiles_window_keeps_authors_minimal_instead_of_waiting(
    jet: FakeJetstream, clock: FakeClock
) -> None:
    fake = FakeBluesky(clock=clock, rate_limit=1).start()
    client = BlueskyClient(HANDLE, SecretStr(PASSWORD), fake.url, sleep=clock.sleep, clock=clock)
    try:
        jet.add(jetstream_events(20, authors=20))
        source = _source(jet, clock, client=client, batch_size=10, max_posts=20)
        batches = list(source.batches())
    finally:
        client.close()
        fake.stop()
    assert len(fake.calls(PROFILES)) == 1  # the first answer said remaining=0
    assert clock.slept == []  # and the stream did not wait for the reset
    first, second = batches[0].posts, batches[-1].posts
    assert all(p.author.handle.endswith(".bsky.social") for p in first)
    assert all(p.author.handle.startswith("did:plc:") for p in second)


def test_unreadable_events_are_problems_and_the_cursor_still_moves() -> None:
    source = JetstreamSource("ws://unused", STREAMS)
    pending: list[dict[str, object]] = []
    good = jetstream_events(1)[0]
    no_record = {**good, "time_us": good["time_us"] + 1, "commit": {"operation": "create"}}
    no_record["commit"]["collection"] = "app.bsky.feed.post"  # type: ignore[index]
    no_rkey = {**good, "time_us": good["time_us"] + 2}
    no_rkey["commit"] = {k: v for k, v in good["commit"].items() if k != "rkey"}  # type: ignore[attr-defined]
    for message in ("{not json", json.dumps(good), json.dumps(no_record), json.dumps(no_rkey)):
        source._read(message, pending)
    batch = source._batch(pending, "ws://unused")
    assert len(batch.posts) == 1 and json.loads(batch.cursor or "") == {
        "time_us": good["time_us"] + 2
    }
    assert len(source.problems) == 3
    assert "not JSON" in source.problems[0] and "commit has no record" in source.problems[1]
    assert "no did or rkey" in source.problems[2]
