"""searchPosts as a resumable source, and getFollowers as the followers source, on the fake."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from tests.fakes.bluesky import HANDLE, PASSWORD, FakeBluesky, make_posts, profile
from tests.fakes.x_api import FakeClock

from hubbub.model import Stream
from hubbub.sources.base import Source, SourceError
from hubbub.sources.bluesky import BlueskyClient, BlueskyFollowersSource, BlueskySearchSource
from hubbub.sources.bluesky.search import search_terms

SEARCH = "app.bsky.feed.searchPosts"
STREAMS = (Stream("Bread", "sourdough"), Stream("Pastry", "croissant OR #patisserie"))


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeBluesky]:
    server = FakeBluesky(make_posts(250), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def client(fake: FakeBluesky, clock: FakeClock) -> Iterator[BlueskyClient]:
    c = BlueskyClient(
        HANDLE, SecretStr(PASSWORD), fake.url, sleep=clock.sleep, clock=clock, timeout=5
    )
    yield c
    c.close()


def test_streams_become_one_search_per_needed_term() -> None:
    streams = [
        *STREAMS,
        Stream("Us", '"larkspur bakery" OR @larkspur.bsky.social OR from:larkspur.bsky.social'),
        Stream("Also bread", "sourdough -stale"),
        Stream("Near", "point_radius:[-82.55 35.59 5km]"),
        Stream("Paused", "rye", paused=True),
    ]
    terms, problems = search_terms(streams)
    by_q = {t.q: t.streams for t in terms}
    assert by_q == {
        "sourdough": ("Bread", "Also bread"),
        "#patisserie": ("Pastry",),
        "croissant": ("Pastry",),
        '"larkspur bakery"': ("Us",),
        "from:larkspur.bsky.social": ("Us",),
        "mentions:larkspur.bsky.social": ("Us",),
    }
    assert len(problems) == 1 and "'Near'" in problems[0]


def _posts_about(fake: FakeBluesky, word: str) -> set[str]:
    return {v["uri"] for v in fake.posts if word in v["record"]["text"]}


def test_pages_every_term_to_the_end_and_the_cursor_holds_the_newest(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    source = BlueskySearchSource(client, STREAMS)
    assert isinstance(source, Source)
    batches = list(source.batches())
    got = [p.id for b in batches for p in b.posts]
    # 125 sourdough posts in 2 pages, #patisserie none (1 empty page), 125 croissant in 2
    assert [len(b.posts) for b in batches] == [100, 25, 0, 100, 25]
    assert set(got) == _posts_about(fake, "sourdough") | _posts_about(fake, "croissant")
    assert len(got) == len(set(got)) == 250
    last = json.loads(batches[-1].cursor or "")
    newest = {
        w: max(v["indexedAt"] for v in fake.posts if w in v["record"]["text"])
        for w in ("sourdough", "croissant")
    }
    assert last == {
        "v": 1,
        "terms": {
            "sourdough": {"since": newest["sourdough"]},
            "croissant": {"since": newest["croissant"]},
            "#patisserie": {},
        },
    }
    params = fake.calls(SEARCH)[0]
    assert params["sort"] == ["latest"] and params["limit"] == ["100"]


def test_a_stop_mid_pagination_resumes_at_the_stored_page(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    first = BlueskySearchSource(client, STREAMS).batches()
    batch = next(first)  # the first page of "sourdough" is stored, then the process dies
    stored = batch.cursor
    assert "cursor" in json.loads(stored or "")["terms"]["sourdough"]
    before = len(fake.calls(SEARCH))
    rest = list(BlueskySearchSource(client, STREAMS).batches(stored))
    assert "cursor" in fake.calls(SEARCH)[before]  # went on from the stored page
    got = [p.id for p in batch.posts] + [p.id for b in rest for p in b.posts]
    assert len(got) == len(set(got)) == 250


def test_the_next_run_asks_only_since_the_newest_and_finds_new_posts(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    done = list(BlueskySearchSource(client, STREAMS).batches())[-1].cursor
    later = make_posts(4, ("sourdough",), start=datetime.now(UTC) + timedelta(minutes=1))
    fake.posts.extend(later)
    before = len(fake.calls(SEARCH))
    again = list(BlueskySearchSource(client, STREAMS).batches(done))
    sent = fake.calls(SEARCH)[before]
    assert sent["q"] == ["sourdough"] and sent["since"] == [
        json.loads(done or "")["terms"]["sourdough"]["since"]
    ]
    got = {p.id for b in again for p in b.posts}
    # since is inclusive: each term's newest post already stored comes again (it is
    # upserted, not doubled): 4 new, the newest sourdough and the newest croissant
    assert {v["uri"] for v in later} <= got and len(got) == 6


def test_since_applies_to_terms_never_fetched(client: BlueskyClient, fake: FakeBluesky) -> None:
    since = datetime.now(UTC) - timedelta(days=1)
    list(BlueskySearchSource(client, STREAMS, since=since).batches())
    assert fake.calls(SEARCH)[0]["since"][0].startswith(since.strftime("%Y-%m-%dT%H:%M:%S."))
    with pytest.raises(SourceError, match="time zone"):
        BlueskySearchSource(client, STREAMS, since=datetime(2026, 1, 1))


def test_a_bad_post_is_a_problem_and_the_rest_are_kept(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    fake.posts[-1]["author"] = {"handle": "nobody.bsky.social"}
    source = BlueskySearchSource(client, STREAMS)
    got = [p for b in source.batches() for p in b.posts]
    assert len(got) == 249
    assert len(source.problems) == 1 and "the profile has no did" in source.problems[0]


def test_no_searchable_stream_is_an_error(client: BlueskyClient) -> None:
    with pytest.raises(SourceError, match="no stream of this workspace can be searched"):
        BlueskySearchSource(client, [Stream("Near", "point_radius:[-82.55 35.59 5km]")])


def test_followers_page_into_batches_with_counts_left_missing(
    client: BlueskyClient, fake: FakeBluesky
) -> None:
    fake.followers = [profile(n, detailed=False) for n in range(230)]
    source = BlueskyFollowersSource(client, "@" + HANDLE)
    batches = list(source.batches())
    assert [len(b.followers) for b in batches] == [100, 100, 30]
    assert all(b.posts == [] for b in batches)
    accounts = [a for b in batches for a in b.followers]
    assert [a.handle for a in accounts] == [f"baker{n}.bsky.social" for n in range(230)]
    assert all(a.followers is None and a.posts is None for a in accounts)
    assert accounts[0].default_avatar is True and accounts[1].default_avatar is False
    assert json.loads(batches[0].cursor or "") == {"cursor": "100"}
    assert "complete" in json.loads(batches[-1].cursor or "")
    # resumed from the middle, it goes on from there; after a complete run it starts over
    resumed = list(BlueskyFollowersSource(client, HANDLE).batches(batches[0].cursor))
    assert [len(b.followers) for b in resumed] == [100, 30]
    again = list(BlueskyFollowersSource(client, HANDLE).batches(batches[-1].cursor))
    assert len(again) == 3


def test_the_registry_runs_jetstream_search_and_followers_only_with_credentials() -> None:
    from hubbub.model import Workspace
    from hubbub.settings import Settings
    from hubbub.sources.bluesky import JetstreamSource, live_sources
    from hubbub.sources.registry import FACTORIES

    assert FACTORIES["bluesky"] == "hubbub.sources.bluesky:live_sources"
    ws = Workspace(slug="l", name="L", handles={"bluesky": HANDLE}, streams=STREAMS)
    assert live_sources(ws, Settings(bluesky_handle="", bluesky_app_password=None)) == []
    settings = Settings(bluesky_handle=HANDLE, bluesky_app_password=SecretStr(PASSWORD))
    found = live_sources(ws, settings)
    kinds = [(type(s.source).__name__, s.poll_seconds) for s in found]
    assert kinds == [
        ("JetstreamSource", None),
        ("BlueskySearchSource", 120.0),
        ("BlueskyFollowersSource", 6 * 3600.0),
    ]
    jet = found[0].source
    assert isinstance(jet, JetstreamSource) and jet.url == settings.bluesky_jetstream_url
    assert jet.client is not None and jet.filter.terms is not None
