"""X user timeline, mentions and followers against the fake X: paging, since_id resume, metering."""

from __future__ import annotations

import json

import pytest
from pydantic import SecretStr
from tests.fakes.x_api import TOKEN, FakeClock, FakeX

from hubbub.model import Batch
from hubbub.sources.base import Source, SourceError
from hubbub.sources.x.client import XClient
from hubbub.sources.x.timelines import XFollowersSource, XTimelineSource, resolve_user_id
from hubbub.sources.x.usage import Budget, CapReached, MemoryMeter

OWNER, HANDLE = "100", "baker0"  # make_corpus: user 100 is @baker0, author of every 20th tweet


def _ids(batches: list[Batch]) -> list[str]:
    return [p.id for b in batches for p in b.posts]


def _add_mentions(fake: FakeX, n: int) -> list[str]:
    """``n`` newer tweets by other users that mention @baker0."""
    ids = fake.add_tweets(n)
    for i, tweet in enumerate(fake.tweets[-n:]):
        tweet["author_id"] = str(101 + i % 5)
        tweet["text"] = f"@Baker0 question {i} about your sourdough"
    return ids


def test_resolve_user_id_and_unknown_handle(x_client: XClient) -> None:
    assert resolve_user_id(x_client, "@baker7") == "107"
    with pytest.raises(SourceError, match="no user @nobody"):
        resolve_user_id(x_client, "nobody")


def test_own_timeline_pages_newest_first_with_fields(x_client: XClient, fake_x: FakeX) -> None:
    source = XTimelineSource(x_client, "@" + HANDLE, "own", page_size=5)
    assert isinstance(source, Source) and source.name == "x:timeline:own"
    batches = list(source.batches())
    expected = [t["id"] for t in reversed(fake_x.tweets) if t["author_id"] == OWNER]
    assert len(expected) == 13  # 250 tweets, every 20th by user 100 (ids 0, 20, ... 240)
    assert _ids(batches) == expected
    assert source.pages == 3  # 5 + 5 + 3
    calls = [q for m, p, q in fake_x.requests if p == f"/2/users/{OWNER}/tweets"]
    assert "pagination_token" not in calls[0] and calls[1]["pagination_token"].startswith("p")
    assert "author_id" in calls[0]["expansions"] and "user.fields" in calls[0]
    post = batches[0].posts[0]
    assert post.author.handle == HANDLE and post.provenance is not None
    assert post.provenance.source == "x:timeline:own"
    # reads are metered: one per post returned
    assert x_client.budget.meter.usage(x_client.budget.month())[0] == 13
    final = json.loads(batches[-1].cursor or "")
    assert final == {"v": 1, "user_id": OWNER, "since_id": expected[0]}


def test_mentions_resume_by_since_id_with_nothing_twice(x_client: XClient, fake_x: FakeX) -> None:
    first_ids = _add_mentions(fake_x, 12)
    source = XTimelineSource(x_client, HANDLE, "mentions", page_size=5)
    batches = list(source.batches())
    assert sorted(_ids(batches)) == sorted(first_ids)
    cursor = batches[-1].cursor
    lookups = [p for m, p, q in fake_x.requests if p.startswith("/2/users/by/username/")]
    assert len(lookups) == 1
    # nothing new: one empty page, the cursor unchanged in meaning
    again = list(XTimelineSource(x_client, HANDLE, "mentions").batches(cursor))
    assert _ids(again) == [] and json.loads(again[-1].cursor or "") == json.loads(cursor or "")
    later = _add_mentions(fake_x, 3)
    newer = list(XTimelineSource(x_client, HANDLE, "mentions").batches(cursor))
    assert sorted(_ids(newer)) == sorted(later)
    mentions_calls = [q for m, p, q in fake_x.requests if p.endswith("/mentions")]
    assert mentions_calls[-1]["since_id"] == max(first_ids, key=int)
    # the user id came from the cursor: still one lookup
    lookups = [p for m, p, q in fake_x.requests if p.startswith("/2/users/by/username/")]
    assert len(lookups) == 1


def test_a_run_killed_mid_pagination_resumes_with_nothing_lost(
    x_client: XClient, fake_x: FakeX
) -> None:
    ids = _add_mentions(fake_x, 12)
    it = XTimelineSource(x_client, HANDLE, "mentions", page_size=5).batches()
    head = next(it)  # stored, then killed
    state = json.loads(head.cursor or "")
    assert "next_token" in state and state["newest_id"] == ids[-1]
    fake_x.add_tweets(1)  # something newer arrives meanwhile (not a mention)
    rest = list(XTimelineSource(x_client, HANDLE, "mentions", page_size=5).batches(head.cursor))
    got = [p.id for p in head.posts] + _ids(rest)
    assert sorted(got) == sorted(ids) and len(got) == len(set(got))
    assert json.loads(rest[-1].cursor or "")["since_id"] == ids[-1]


def test_followers_in_pages_into_batch_followers(x_client: XClient, fake_x: FakeX) -> None:
    fans = [str(101 + i) for i in range(12)]
    fake_x.followers[OWNER] = fans
    source = XFollowersSource(x_client, HANDLE, page_size=5)
    batches = list(source.batches())
    assert [len(b.followers) for b in batches] == [5, 5, 2]
    assert all(b.posts == [] for b in batches)
    got = [a.id for b in batches for a in b.followers]
    assert got == fans
    first = batches[0].followers[0]
    user = fake_x.users["101"]
    assert first.handle == user["username"] and first.location == user["location"]
    assert first.followers == user["public_metrics"]["followers_count"]
    call = next(q for m, p, q in fake_x.requests if p.endswith("/followers"))
    assert "protected" in call["user.fields"] and call["max_results"] == "5"
    assert json.loads(batches[0].cursor or "")["next_token"] == "f5"
    assert "complete" in json.loads(batches[-1].cursor or "")
    assert x_client.budget.meter.usage(x_client.budget.month())[0] == 12  # metered as reads
    # resuming a killed run continues at the stored page
    rest = list(XFollowersSource(x_client, HANDLE, page_size=5).batches(batches[0].cursor))
    assert [a.id for b in rest for a in b.followers] == fans[5:]


def test_followers_stop_at_the_monthly_cap(fake_x: FakeX, clock: FakeClock) -> None:
    fake_x.followers[OWNER] = [str(101 + i) for i in range(12)]
    budget = Budget(MemoryMeter(), read_cap=7)
    with XClient(SecretStr(TOKEN), fake_x.url, budget=budget, sleep=clock.sleep, clock=clock) as c:
        source = XFollowersSource(c, HANDLE, page_size=5)
        got: list[str] = []
        with pytest.raises(CapReached):
            for batch in source.batches():
                got.extend(a.id for a in batch.followers)
    assert got == [str(101 + i) for i in range(7)]  # 5, then the 2 the cap still allowed


def test_timeline_waits_out_a_429(x_client: XClient, fake_x: FakeX, clock: FakeClock) -> None:
    fake_x.fail_next(f"/2/users/{OWNER}/tweets", "429")
    batches = list(XTimelineSource(x_client, HANDLE, "own").batches())
    assert len(_ids(batches)) == 13
    assert clock.slept and clock.slept[0] >= 1


def test_empty_handle_is_refused(x_client: XClient) -> None:
    with pytest.raises(SourceError, match=r"handles\.x"):
        XTimelineSource(x_client, "  ", "own")


def test_timeline_pages_shrink_to_the_cap_and_stop(fake_x: FakeX, clock: FakeClock) -> None:
    _add_mentions(fake_x, 20)
    budget = Budget(MemoryMeter(), read_cap=12)
    with XClient(SecretStr(TOKEN), fake_x.url, budget=budget, sleep=clock.sleep, clock=clock) as c:
        got: list[str] = []
        with pytest.raises(CapReached):
            for batch in XTimelineSource(c, HANDLE, "mentions", page_size=10).batches():
                got.extend(p.id for p in batch.posts)
    sizes = [q["max_results"] for m, p, q in fake_x.requests if p.endswith("/mentions")]
    assert sizes == ["10", "5"]  # 2 left under the cap, but X's minimum page is 5
    assert len(got) == 15
