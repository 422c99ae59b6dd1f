"""XSearchSource against the fake X: pages, fields, resumable cursor, since_id, bad tweets, cap."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from tests.fakes.x_api import TOKEN, FakeClock, FakeX
from tests.store.helpers import Databases, make_workspace, match_streams
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases
from tests.store.helpers import pg_url as pg_url

from hubbub.listen import ingest
from hubbub.model import Batch, Stream
from hubbub.sources.base import Source, SourceError
from hubbub.sources.x.client import XClient
from hubbub.sources.x.search import XSearchSource
from hubbub.sources.x.usage import Budget, CapReached, MemoryMeter
from hubbub.store import get_cursor, workspace_id
from hubbub.store.tables import posts as posts_table

STREAMS = (Stream("Bread", "sourdough", "industry"), Stream("Pastry", "croissant", "industry"))


def _ids(batches: list[Batch]) -> list[str]:
    return [p.id for b in batches for p in b.posts]


def test_every_matching_post_once_with_fields_and_provenance(
    x_client: XClient, fake_x: FakeX
) -> None:
    source = XSearchSource(x_client, STREAMS)
    assert isinstance(source, Source)
    batches = list(source.batches())
    ids = _ids(batches)
    assert sorted(ids) == sorted(t["id"] for t in fake_x.tweets)
    assert len(ids) == len(set(ids))
    assert source.pages == 4  # 125 + 125 posts, 100 a page
    first = fake_x.search_requests()[0]
    assert first["max_results"] == "100"
    assert "author_id" in first["expansions"] and "geo.place_id" in first["expansions"]
    for key in ("tweet.fields", "user.fields", "place.fields", "media.fields"):
        assert key in first
    post = batches[0].posts[0]
    assert post.author.handle.startswith("baker") and post.author.followers is not None
    assert post.provenance is not None and post.provenance.source == "x:search"
    assert post.provenance.url.startswith(fake_x.url + "/2/tweets/search/recent?")
    assert post.provenance.retrieved is not None
    assert post.raw is not None and post.raw["data"]["id"] == post.id


def test_a_cursor_taken_mid_pagination_resumes_with_nothing_lost_or_twice(
    x_client: XClient, fake_x: FakeX
) -> None:
    it = XSearchSource(x_client, STREAMS).batches()
    head = [next(it)]  # "killed" after the first stored page
    cursor = head[-1].cursor
    assert cursor is not None
    state = json.loads(cursor)["queries"]["sourdough"]
    assert "next_token" in state and "newest_id" in state
    before = len(fake_x.search_requests())
    rest = list(XSearchSource(x_client, STREAMS).batches(cursor))
    resumed = fake_x.search_requests()[before]
    assert resumed["next_token"] == state["next_token"]
    ids = _ids(head) + _ids(rest)
    assert sorted(ids) == sorted(t["id"] for t in fake_x.tweets)
    assert len(ids) == len(set(ids))


def test_the_next_run_asks_only_for_newer_posts(x_client: XClient, fake_x: FakeX) -> None:
    batches = list(XSearchSource(x_client, STREAMS).batches())
    cursor = batches[-1].cursor
    newest_sourdough = max(int(t["id"]) for t in fake_x.tweets if "sourdough" in t["text"])
    assert json.loads(cursor or "")["queries"]["sourdough"] == {"since_id": str(newest_sourdough)}
    new_ids = fake_x.add_tweets(7, ("sourdough",))
    before = len(fake_x.search_requests())
    again = list(XSearchSource(x_client, STREAMS).batches(cursor))
    assert sorted(_ids(again)) == sorted(new_ids)
    asked = fake_x.search_requests()[before]
    assert asked["since_id"] == str(newest_sourdough)


def test_since_sets_start_time_and_is_checked(x_client: XClient, fake_x: FakeX) -> None:
    # the 61st post's own time (the corpus is 30 s apart), so no clock drift between the
    # fixture and this line can move the cut across a post
    cut = datetime.fromisoformat(fake_x.tweets[60]["created_at"].replace("Z", "+00:00"))
    got = _ids(list(XSearchSource(x_client, STREAMS, since=cut).batches()))
    assert len(got) == 250 - 60
    assert fake_x.search_requests()[0]["start_time"] == cut.strftime("%Y-%m-%dT%H:%M:%SZ")
    with pytest.raises(SourceError, match="seven days"):
        XSearchSource(x_client, STREAMS, since=datetime.now(UTC) - timedelta(days=8))


def test_since_id_applies_to_queries_without_a_cursor(x_client: XClient, fake_x: FakeX) -> None:
    pivot = fake_x.tweets[199]["id"]
    got = _ids(list(XSearchSource(x_client, STREAMS, since_id=pivot).batches()))
    assert sorted(got) == sorted(t["id"] for t in fake_x.tweets[200:])


def test_a_malformed_tweet_is_skipped_with_a_reason(x_client: XClient, fake_x: FakeX) -> None:
    fake_x.tweets[10]["author_id"] = "999999"  # not in includes.users
    source = XSearchSource(x_client, STREAMS)
    got = _ids(list(source.batches()))
    assert len(got) == 249 and fake_x.tweets[10]["id"] not in got
    assert len(source.problems) == 1
    assert "author 999999 is not in includes.users" in source.problems[0]
    assert source.problems[0].startswith("x: Bread: tweet ")  # tweet 10 is about sourdough


def test_the_cap_stops_the_run_and_keeps_what_was_read(fake_x: FakeX, clock: FakeClock) -> None:
    budget = Budget(MemoryMeter(), read_cap=130)
    client = XClient(SecretStr(TOKEN), fake_x.url, budget=budget, sleep=clock.sleep, clock=clock)
    got: list[Batch] = []
    with pytest.raises(CapReached):
        for batch in XSearchSource(client, STREAMS).batches():
            got.append(batch)
    sizes = [int(q["max_results"]) for q in fake_x.search_requests()]
    # each page asks only for what the cap leaves, but at least X's minimum of 10
    assert sizes == [100, 30, 10]
    assert len(_ids(got)) == 100 + 25 + 10  # the run stops at the cap, overshot by < 10


def test_ingest_stores_pages_and_the_cursor_together(
    x_client: XClient, fake_x: FakeX, db: Databases
) -> None:
    ws = make_workspace(streams=STREAMS)
    store = db.open()
    report = ingest(store, ws, XSearchSource(x_client, STREAMS), processor=match_streams)
    with store.connect() as conn:
        stored = conn.execute(select(func.count()).select_from(posts_table)).scalar_one()
        ws_id = workspace_id(conn, ws.slug)
        assert ws_id is not None
        cursor = get_cursor(conn, ws_id, "x:search")
    assert stored == 250 == report.posts_new
    assert cursor == report.cursor
    queries = json.loads(cursor or "")["queries"]
    assert all(set(entry) == {"since_id"} for entry in queries.values())
    again = ingest(store, ws, XSearchSource(x_client, STREAMS), processor=match_streams)
    assert again.posts_new == 0
    store.close()


def test_a_since_id_older_than_x_window_restarts_from_seven_days_ago(
    x_client: XClient, fake_x: FakeX
) -> None:
    batches = list(XSearchSource(x_client, STREAMS).batches())
    cursor = batches[-1].cursor
    fake_x.oldest_since_id = int(fake_x.tweets[-1]["id"]) + 1  # a long pause: all too old
    new_ids = fake_x.add_tweets(3, ("sourdough",))
    before = len(fake_x.search_requests())
    again = list(XSearchSource(x_client, STREAMS).batches(cursor))
    asked = fake_x.search_requests()[before:]
    assert "since_id" in asked[0] and "since_id" not in asked[1] and "start_time" in asked[1]
    got = set(_ids(again))
    assert set(new_ids) <= got  # nothing newer was lost
    sourdough = json.loads(again[-1].cursor or "")["queries"]["sourdough"]
    assert sourdough == {"since_id": new_ids[-1]}
