"""Timelines, search, followers and posting against the fake Mastodon; the registry factories."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from importlib import import_module
from itertools import islice

import pytest
from pydantic import SecretStr
from tests.fakes.mastodon import (
    DOMAIN,
    TOKEN,
    FakeMastodon,
    make_account,
    make_corpus,
    make_status,
    status_id,
)
from tests.fakes.x_api import FakeClock

from hubbub.model import Stream, Workspace
from hubbub.settings import Settings
from hubbub.sources.base import Publisher, PublishError, Source, SourceError
from hubbub.sources.mastodon import (
    MastodonFollowersSource,
    MastodonPublisher,
    MastodonStreamSource,
    MastodonTimelineSource,
    live_sources,
)
from hubbub.sources.mastodon.client import MastodonClient
from hubbub.sources.mastodon.plan import Feed
from hubbub.sources.mastodon.timelines import id_at
from hubbub.sources.publishers import publisher_for
from hubbub.sources.registry import FACTORIES

TAG = "/api/v1/timelines/tag/sourdough"
SEARCH = "/api/v2/search"
START = datetime.now(UTC) - timedelta(days=2)
SINCE = START - timedelta(minutes=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon(make_corpus(250, start=START), clock=clock).start()
    yield server
    server.stop()


def _client(fake: FakeMastodon, clock: FakeClock, token: str | None = TOKEN) -> MastodonClient:
    secret = SecretStr(token) if token else None
    return MastodonClient(fake.url, secret, sleep=clock.sleep, clock=clock, timeout=5)


def _ids(statuses: list[dict[str, object]]) -> set[str]:
    return {str(s["id"]) for s in statuses}


def test_a_tag_timeline_is_paged_by_link_down_to_since(
    fake: FakeMastodon, clock: FakeClock
) -> None:
    source = MastodonTimelineSource(
        _client(fake, clock), feeds=[Feed("tag", "sourdough")], since=SINCE
    )
    assert isinstance(source, Source)
    batches = list(source.batches())
    tagged = [s for s in fake.statuses if s["tags"]]
    assert [len(b.posts) for b in batches] == [40, 40, 40, 5, 0]
    got = [p.id for b in batches for p in b.posts]
    assert len(got) == len(set(got)) == 125 and set(got) == _ids(tagged)
    calls = fake.calls(TAG)
    assert [c.get("max_id") for c in calls[1:]] == [b.posts[-1].id for b in batches[:4]]
    assert all(c["since_id"] == id_at(SINCE) and c["limit"] == "40" for c in calls)
    final = json.loads(batches[-1].cursor or "")
    assert final == {"v": 1, "feeds": {"tag:sourdough": {"newest": tagged[-1]["id"]}}}
    post = batches[0].posts[0]
    assert post.provenance is not None and post.provenance.url.startswith(fake.url + TAG)
    assert post.author.handle in ("baker0@bakers.social", f"{post.author.handle}")
    assert post.author.handle.endswith(("@bakers.social", "@other.example"))


def test_a_run_killed_mid_way_resumes_at_the_stored_page(
    fake: FakeMastodon, clock: FakeClock
) -> None:
    feeds = [Feed("tag", "sourdough"), Feed("search", "croissant")]
    first = MastodonTimelineSource(_client(fake, clock), feeds=feeds, since=SINCE)
    stored = list(islice(first.batches(), 2))  # "killed" after two pages were stored
    cursor = stored[-1].cursor
    entry = json.loads(cursor or "")["feeds"]["tag:sourdough"]
    assert set(entry) == {"max_id", "run_since", "run_newest"}
    # a status posted meanwhile is above the run's bound: found by the next run, not this
    late = datetime.now(UTC)
    account = make_account(3)
    fake.statuses.append(
        make_status(status_id(late), account, "late #sourdough", late, tags=("sourdough",))
    )
    second = MastodonTimelineSource(_client(fake, clock), feeds=feeds, since=SINCE)
    rest = list(second.batches(cursor))
    resumed = fake.calls(TAG)[2]
    assert resumed["max_id"] == entry["max_id"] and resumed["since_id"] == entry["run_since"]
    got = [p.id for b in stored + rest for p in b.posts]
    expected = _ids([s for s in fake.statuses[:-1] if s["tags"] or "croissant" in s["content"]])
    assert len(got) == len(set(got)) and set(got) == expected
    done = json.loads(rest[-1].cursor or "")["feeds"]
    assert done["tag:sourdough"] == {"newest": entry["run_newest"]}
    # the next run asks only above the newest stored id, and finds the late one
    third = MastodonTimelineSource(_client(fake, clock), feeds=feeds)
    again = [p.id for b in third.batches(rest[-1].cursor) for p in b.posts]
    assert again == [fake.statuses[-1]["id"]]


def test_a_feed_never_read_takes_its_newest_page_only(fake: FakeMastodon, clock: FakeClock) -> None:
    source = MastodonTimelineSource(_client(fake, clock), feeds=[Feed("public", "local")])
    batches = list(source.batches())
    local = [s for s in fake.statuses if "@" not in s["account"]["acct"]]
    assert len(batches) == 1 and [p.id for p in batches[0].posts] == [
        s["id"] for s in reversed(local[-40:])
    ]
    assert fake.calls("/api/v1/timelines/public")[0]["local"] in ("1", "true", "True")
    assert json.loads(batches[0].cursor or "")["feeds"]["public:local"] == {
        "newest": local[-1]["id"]
    }


def test_search_uses_min_id_and_needs_a_token(fake: FakeMastodon, clock: FakeClock) -> None:
    streams = [Stream("Pastry", "croissant"), Stream("Bread", "#sourdough")]
    with_token = MastodonTimelineSource(_client(fake, clock), streams, since=SINCE)
    assert [f.key for f in with_token.feeds] == ["tag:sourdough", "search:croissant"]
    got = [p for b in with_token.batches() for p in b.posts]
    searched = fake.calls(SEARCH)
    assert searched[0]["q"] == "croissant" and searched[0]["type"] == "statuses"
    assert searched[0]["min_id"] == id_at(SINCE) and "resolve" not in searched[0]
    assert len(got) == 250
    anonymous = MastodonTimelineSource(_client(fake, clock, None), streams)
    assert [f.key for f in anonymous.feeds] == ["tag:sourdough", "public:local"]


def test_an_unmappable_status_is_reported_and_the_rest_kept(
    fake: FakeMastodon, clock: FakeClock
) -> None:
    fake.statuses[-2]["created_at"] = "not a time"  # -2 is tagged (even index)
    source = MastodonTimelineSource(_client(fake, clock), feeds=[Feed("tag", "sourdough")])
    (batch,) = list(source.batches())
    assert len(batch.posts) == 39
    assert source.problems == [
        f"mastodon: tag:sourdough: status {fake.statuses[-2]['id']}: created_at 'not a time' "
        "is not an ISO 8601 time"
    ]


def test_no_feed_at_all_is_one_clear_error(fake: FakeMastodon, clock: FakeClock) -> None:
    with pytest.raises(SourceError, match="no stream of this workspace can be read on Mastodon"):
        MastodonTimelineSource(_client(fake, clock), [Stream("X", "network:x bread")])


# --- followers ---------------------------------------------------------------------------


def test_followers_are_paged_by_the_follow_ids_in_link(
    fake: FakeMastodon, clock: FakeClock
) -> None:
    fake.followers = [make_account(200 + i, remote="fans.example") for i in range(170)]
    source = MastodonFollowersSource(_client(fake, clock), f"baker99@{DOMAIN}")
    batches = list(source.batches())
    assert [len(b.followers) for b in batches] == [80, 80, 10]
    assert all(b.posts == [] for b in batches)
    handles = [a.handle for b in batches for a in b.followers]
    assert handles == [f"baker{200 + i}@fans.example" for i in range(170)]
    assert fake.calls("/api/v1/accounts/lookup")[0]["acct"] == f"baker99@{DOMAIN}"
    pages = fake.calls(f"/api/v1/accounts/{fake.business['id']}/followers")
    assert [p.get("max_id") for p in pages] == [None, str(10_000 - 79), str(10_000 - 159)]
    assert "complete" in json.loads(batches[-1].cursor or "")
    # interrupted after one page: the next run goes on from the stored follow id
    again = MastodonFollowersSource(_client(fake, clock), f"baker99@{DOMAIN}")
    rest = list(again.batches(batches[0].cursor))
    assert [len(b.followers) for b in rest] == [80, 10]
    lookups = len(fake.calls("/api/v1/accounts/lookup"))
    assert lookups == 1  # the account id came from the cursor
    # a complete listing is read again from the top (today's followers for the audit)
    assert len(list(again.batches(batches[-1].cursor))) == 3
    # another account named in the workspace: its own listing, looked up afresh
    other = MastodonFollowersSource(_client(fake, clock), "nobody@elsewhere.example")
    with pytest.raises(SourceError, match="404"):
        list(other.batches(batches[0].cursor))


def test_an_unknown_business_account_is_one_line(fake: FakeMastodon, clock: FakeClock) -> None:
    source = MastodonFollowersSource(_client(fake, clock), "nobody@elsewhere.example")
    with pytest.raises(SourceError, match=r"was not found on .*404.*Record not found"):
        list(source.batches())
    assert fake.calls("/api/v1/accounts/lookup")[0]["acct"] == "nobody@elsewhere.example"


# --- publishing --------------------------------------------------------------------------


def test_publishing_a_reply_with_an_idempotency_key(fake: FakeMastodon, clock: FakeClock) -> None:
    publisher = MastodonPublisher(_client(fake, clock))
    assert isinstance(publisher, Publisher)
    parent = fake.statuses[10]["id"]
    done = publisher.publish("@baker10 thank you!", reply_to=parent, idempotency_key="k-1")
    assert done.network == "mastodon" and done.reply_to == parent
    (made,) = fake.published
    assert done.id == made["id"] and done.url == made["url"]
    assert made["in_reply_to_id"] == parent and made["visibility"] == "public"
    assert fake.headers_seen[-1]["Idempotency-Key"] == "k-1"
    # a retry of the same logical post (its answer lost) gets the same status back
    again = publisher.publish("@baker10 thank you!", reply_to=parent, idempotency_key="k-1")
    assert again.id == done.id and len(fake.published) == 1


def test_publish_failures_say_whether_a_retry_may_work(
    fake: FakeMastodon, clock: FakeClock
) -> None:
    publisher = MastodonPublisher(_client(fake, clock))
    with pytest.raises(PublishError, match=r"rejected \(422\): .*500 exceeded") as long:
        publisher.publish("x" * 501)
    assert long.value.transient is False
    with pytest.raises(PublishError, match="not found") as gone:
        publisher.publish("hi", reply_to="1")
    assert gone.value.transient is False
    for failure in ("503", "drop", "429"):
        fake.fail_next("/api/v1/statuses", failure)
        with pytest.raises(PublishError) as caught:
            publisher.publish("hello", idempotency_key="k-2")
        assert caught.value.transient is True, failure
        assert "\n" not in str(caught.value)
    # the 429 used the window up: the next post fails at once rather than wait minutes
    with pytest.raises(PublishError, match=r"rate limit of .* is used up") as used_up:
        publisher.publish("hello", idempotency_key="k-2")
    assert used_up.value.transient is True
    assert clock.slept == []  # one attempt per call: the scheduler decides when to retry
    clock.sleep(301)  # the window has reset
    assert fake.published == []
    fake.fail_next("/api/v1/statuses", "401")
    with pytest.raises(PublishError, match="HUBBUB_MASTODON_ACCESS_TOKEN") as refused:
        publisher.publish("hello")
    assert refused.value.transient is False


# --- the factories -----------------------------------------------------------------------


def _settings(url: str = "", token: str | None = TOKEN) -> Settings:
    return Settings(
        mastodon_base_url=url,
        mastodon_access_token=SecretStr(token) if token else None,
        x_bearer_token=None,
        bluesky_handle="",
    )


WS = Workspace(
    "larkspur",
    "Larkspur",
    handles={"mastodon": f"baker99@{DOMAIN}"},
    streams=(Stream("Bread", "#sourdough OR croissant"), Stream("Town", "#avl")),
)


def test_the_factories_build_sources_and_a_publisher_only_when_configured() -> None:
    assert live_sources(WS, _settings()) == []
    assert publisher_for("mastodon", _settings()) is None
    assert publisher_for("mastodon", _settings("https://bakers.social", None)) is None
    assert isinstance(
        publisher_for("mastodon", _settings("https://bakers.social")), MastodonPublisher
    )
    found = live_sources(WS, _settings("https://bakers.social"))
    kinds = [(type(s.source).__name__, s.poll_seconds) for s in found]
    assert kinds == [
        ("MastodonStreamSource", None),
        ("MastodonStreamSource", None),
        ("MastodonTimelineSource", 60.0),
        ("MastodonStreamSource", None),
        ("MastodonFollowersSource", 12 * 3600.0),
    ]
    names = [s.source.name for s in found]
    assert names[:2] == ["mastodon:stream:tag:sourdough", "mastodon:stream:tag:avl"]
    assert len(set(names)) == len(names)  # one cursor each
    timeline = found[2].source
    assert isinstance(timeline, MastodonTimelineSource)
    assert [f.key for f in timeline.feeds] == ["search:croissant"]
    assert isinstance(found[3].source, MastodonStreamSource) and found[3].source.kind == "mentions"
    anonymous = live_sources(WS, _settings("https://bakers.social", None))
    assert [s.source.name for s in anonymous] == [
        "mastodon:stream:tag:sourdough",
        "mastodon:stream:tag:avl",
        "mastodon:timelines",
    ]
    module, _, function = FACTORIES["mastodon"].partition(":")
    assert getattr(import_module(module), function) is live_sources
