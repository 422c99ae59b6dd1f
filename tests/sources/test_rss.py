"""The RSS/Atom source against fake feeds on 127.0.0.1, and ``hubbub fetch rss``."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.fakes.feeds import BASE_TIME, FakeFeeds
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.model import Batch
from hubbub.settings import get_settings
from hubbub.sources.base import Source
from hubbub.sources.rss import MAX_ID, RssSource, entry_id, strip_html

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
runner = CliRunner()


@pytest.fixture
def feeds() -> Iterator[FakeFeeds]:
    fake = FakeFeeds(flaky_failures=1, slow_seconds=1.5).start()
    yield fake
    fake.stop()


def _source(urls: list[str], slept: list[float] | None = None) -> RssSource:
    naps = slept if slept is not None else []
    return RssSource(urls, now=lambda: NOW, sleep=naps.append, timeout=0.5, backoff=0.25)


def _all(src: RssSource, cursor: str | None = None) -> list[Batch]:
    return list(src.batches(cursor))


def test_rss_2_entries_become_posts_by_the_feed(feeds: FakeFeeds) -> None:
    url = f"{feeds.url}/blog/feed.xml"
    src = _source([url])
    assert isinstance(src, Source) and src.name == "rss"
    (batch,) = _all(src)
    posts = {p.id: p for p in batch.posts}
    assert set(posts) == {item.guid for item in feeds.rss_items}
    first = posts[f"{feeds.url}/blog/1"]
    assert first.network == "rss"
    assert first.created == BASE_TIME + timedelta(days=1) and first.created.tzinfo is not None
    assert first.url == f"{feeds.url}/blog/1"
    assert first.text == (
        "Winter hours and the return of the cardamom bun\n\n"
        "From December 1 we open at 7am on weekdays. The cardamom bun is back & "
        "better than ever."
    )
    assert "track()" not in posts[f"{feeds.url}/blog/3"].text  # scripts are not text
    assert first.language == "en"  # the channel's en-us
    author = first.author
    assert (author.network, author.id) == ("rss", url)
    assert (author.handle, author.name, author.url) == (
        "127.0.0.1",
        "Larkspur Bakery Blog",
        f"{feeds.url}/blog",
    )
    assert first.provenance is not None
    assert (first.provenance.source, first.provenance.url) == ("rss", url)
    assert first.provenance.retrieved == NOW
    raw = json.loads(json.dumps(first.raw))  # JSON-safe as is
    assert raw["published_parsed"] == "2026-11-19T09:30:00+00:00"
    assert raw["author"] == "Mara Quinn"
    # oldest first, and the cursor remembers the validators and the newest entry
    assert [p.created for p in batch.posts] == sorted(p.created for p in batch.posts)
    state = json.loads(batch.cursor or "")["feeds"][url]
    assert state["etag"].startswith('"') and state["modified"].endswith("GMT")
    assert state["newest"] == (BASE_TIME + timedelta(days=3)).isoformat()
    assert state["seen"] == [f"{feeds.url}/blog/3"]


def test_atom_entries_map_published_summary_and_the_site(feeds: FakeFeeds) -> None:
    url = f"{feeds.url}/news/atom.xml"
    (batch,) = _all(_source([url]))
    assert [p.id for p in batch.posts] == [item.guid for item in feeds.atom_items]
    story = batch.posts[1]
    assert story.created == BASE_TIME + timedelta(hours=10)  # published, not updated
    assert story.url == "https://news.example/story/2"
    assert story.text.endswith("From croissants to rye, our critic’s picks — including Larkspur.")
    assert story.author.handle == "news.example"
    assert story.author.name == "Asheville Daily Planet: Food"
    assert story.author.id == url


def test_an_unchanged_feed_is_asked_with_its_validators_and_gives_nothing(
    feeds: FakeFeeds,
) -> None:
    url = f"{feeds.url}/blog/feed.xml"
    (first,) = _all(_source([url]))
    served = json.loads(first.cursor or "")["feeds"][url]
    again = _source([url])
    assert _all(again, first.cursor) == []
    sent = feeds.hits("/blog/feed.xml")[-1]
    assert sent["If-None-Match"] == served["etag"]
    assert sent["If-Modified-Since"] == served["modified"]
    assert (again.unchanged, again.fetched, again.problems) == (1, 0, [])
    assert "If-None-Match" not in feeds.hits("/blog/feed.xml")[0]  # the first run had none


def test_new_entries_resume_without_duplicates_or_losses(feeds: FakeFeeds) -> None:
    url = f"{feeds.url}/blog/feed.xml"
    (first,) = _all(_source([url]))
    newest = BASE_TIME + timedelta(days=3)
    # a post in the same second as the newest seen one, and a later one
    twin = feeds.add_rss_item("Same minute, second post", "<p>Rye is back</p>", newest)
    later = feeds.add_rss_item("Open late Friday", "<p>Until 9pm</p>", newest + timedelta(hours=2))
    (second,) = _all(_source([url]), first.cursor)
    assert sorted(p.id for p in second.posts) == sorted([twin.guid, later.guid])
    state = json.loads(second.cursor or "")["feeds"][url]
    assert state["seen"] == [later.guid]
    assert _all(_source([url]), second.cursor) == []  # 304 again
    # with the validators lost (a server that ignores them), nothing already stored returns
    cursor = json.loads(second.cursor or "")
    cursor["feeds"][url].update(etag=None, modified=None)
    (third,) = _all(_source([url]), json.dumps(cursor))
    assert third.posts == []


def test_a_broken_feed_does_not_stop_the_others(
    feeds: FakeFeeds, caplog: pytest.LogCaptureFixture
) -> None:
    paths = ["/broken.xml", "/page.html", "/missing.xml", "/slow.xml", "/blog/feed.xml"]
    paths += ["/flaky.xml", "/news/atom.xml"]
    slept: list[float] = []
    src = _source([feeds.url + p for p in paths], slept)
    batches = _all(src)
    assert [len(b.posts) for b in batches] == [3, 3, 2]
    problems = {p.split(": ")[1]: p for p in src.problems}
    assert len(src.problems) == 4 and all("\n" not in p for p in src.problems)
    assert "not a well-formed feed" in problems[f"{feeds.url}/broken.xml"]
    assert "not an RSS or Atom feed (text/html)" in problems[f"{feeds.url}/page.html"]
    assert "HTTP 404" in problems[f"{feeds.url}/missing.xml"]
    assert "timed out (after 3 attempts)" in problems[f"{feeds.url}/slow.xml"]
    logged = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert logged == src.problems
    assert len(feeds.hits("/missing.xml")) == 1  # a 404 is not retried
    assert len(feeds.hits("/flaky.xml")) == 2  # 503, then the feed
    assert slept == [0.25, 0.5, 0.25]  # slow: two backoffs; flaky: one
    cursor = json.loads(batches[-1].cursor or "")["feeds"]
    assert set(cursor) == {
        f"{feeds.url}{p}" for p in ("/blog/feed.xml", "/flaky.xml", "/news/atom.xml")
    }


def test_a_feed_that_keeps_failing_with_5xx_gives_up_after_its_attempts(
    feeds: FakeFeeds,
) -> None:
    feeds.flaky_failures = 10
    slept: list[float] = []
    src = _source([f"{feeds.url}/flaky.xml"], slept)
    assert _all(src) == []
    assert src.problems == [
        f"rss: {feeds.url}/flaky.xml: HTTP 503 Service Unavailable (after 3 attempts)"
    ]
    assert slept == [0.25, 0.5]


def test_ids_fall_back_to_the_link_and_long_ones_are_hashed() -> None:
    long = "https://example.com/" + "a" * 400
    hashed = entry_id({"id": long})
    assert hashed is not None and hashed.startswith("sha256:") and len(hashed) <= MAX_ID
    assert hashed == entry_id({"id": long}) != entry_id({"id": long + "b"})
    assert entry_id({"link": "https://example.com/p/1"}) == "https://example.com/p/1"
    assert entry_id({"id": "  ", "link": "https://example.com/p/2"}) == "https://example.com/p/2"
    assert entry_id({"title": "no id"}) is None
    assert strip_html("<p>A &amp; B</p><p>C&nbsp;D</p>") == "A & B C D"


UNDATED = """<?xml version="1.0"?><rss version="2.0"><channel><title>Notes</title>
<link>https://notes.example/</link>
<item><title>Undated note</title><link>https://notes.example/1</link></item>
<item><title>Nothing to know it by</title></item>
{extra}</channel></rss>"""


def test_undated_entries_are_remembered_by_id_and_entries_without_id_are_reported() -> None:
    extra = ""

    def serve(request: httpx.Request) -> httpx.Response:
        body = UNDATED.format(extra=extra)
        return httpx.Response(200, text=body, headers={"content-type": "application/rss+xml"})

    client = httpx.Client(transport=httpx.MockTransport(serve))
    url = "https://notes.example/feed"
    src = RssSource([url], client=client, now=lambda: NOW)
    (first,) = _all(src)
    assert [(p.id, p.created) for p in first.posts] == [("https://notes.example/1", NOW)]
    assert src.problems == [f"rss: {url}: entry 2 skipped: it has neither id/guid nor link"]
    extra = "<item><title>Second note</title><link>https://notes.example/2</link></item>"
    (second,) = _all(RssSource([url], client=client, now=lambda: NOW), first.cursor)
    assert [p.id for p in second.posts] == ["https://notes.example/2"]


def test_a_cursor_that_is_not_json_is_one_clear_error(feeds: FakeFeeds) -> None:
    from hubbub.sources.base import SourceError

    with pytest.raises(SourceError, match="rss: the stored cursor is not valid JSON"):
        _all(_source([f"{feeds.url}/blog/feed.xml"]), "{nope")


# --- hubbub fetch rss ------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, feeds: FakeFeeds) -> Iterator[Path]:
    (tmp_path / "hubbub.toml").write_text(
        "[business]\n"
        'name = "Larkspur Bakery"\n'
        'slug = "larkspur"\n'
        f'blog_feed = "{feeds.url}/blog/feed.xml"\n'
        'products = ["sourdough", "croissant"]\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", f"sqlite:///{tmp_path / 'hubbub.db'}")
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path / "hubbub.db"
    get_settings.cache_clear()


def _stored(db: Path) -> tuple[set[str], set[str], dict[str, Any]]:
    conn = sqlite3.connect(db)
    try:
        ids = {r[0] for r in conn.execute("SELECT native_id FROM posts WHERE network='rss'")}
        sql = "SELECT p.native_id FROM mentions m JOIN posts p ON p.id = m.post_id"
        mentions = [r[0] for r in conn.execute(sql)]
        assert len(mentions) == len(set(mentions))
        (cursor,) = conn.execute("SELECT cursor FROM source_cursors WHERE source='rss'").fetchone()
    finally:
        conn.close()
    return ids, set(mentions), json.loads(cursor)


def test_fetch_rss_stores_the_blog_and_extra_feeds_and_their_mentions(
    env: Path, feeds: FakeFeeds
) -> None:
    atom = f"{feeds.url}/news/atom.xml"
    result = runner.invoke(app, ["fetch", "rss", atom])
    assert result.exit_code == 0, result.output
    assert "Fetched 5 posts from 2 feeds (2 changed, 0 not modified, 0 failed), 5 new" in (
        result.output
    )
    ids, mentions, cursor = _stored(env)
    assert ids == {i.guid for i in feeds.rss_items} | {i.guid for i in feeds.atom_items}
    # the posts naming sourdough/croissant (industry) or Larkspur Bakery (brand), no others
    blog = {i.guid: i.html for i in feeds.rss_items}
    news = {i.guid: i.html for i in feeds.atom_items}
    expected = {g for g, html in {**blog, **news}.items() if "sourdough" in html}
    expected |= {g for g, html in blog.items() if "croissant" in html}
    assert mentions == expected and len(mentions) == 3
    assert set(cursor["feeds"]) == {f"{feeds.url}/blog/feed.xml", atom}
    again = runner.invoke(app, ["fetch", "rss", atom])
    assert again.exit_code == 0, again.output
    assert "(0 changed, 2 not modified, 0 failed), 0 new, 0 new mentions" in again.output
    assert _stored(env)[:2] == (ids, mentions)


def test_fetch_rss_reports_a_dead_feed_and_keeps_the_rest(env: Path, feeds: FakeFeeds) -> None:
    result = runner.invoke(app, ["fetch", "rss", f"{feeds.url}/missing.xml"])
    assert result.exit_code == 1
    assert f"rss: {feeds.url}/missing.xml: HTTP 404 Not Found" in result.output
    assert "1 failed), 3 new" in result.output and "Traceback" not in result.output
    assert len(_stored(env)[0]) == 3


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["fetch", "rss", "ftp://example.com/feed"], "URL 1: 'ftp://example.com/feed' is not"),
        (["fetch", "rss", "--since", "2026-11-20T00:00:00Z"], "apply to x only"),
        (["fetch", "x", "https://example.com/feed"], "x: takes no URL"),
    ],
)
def test_bad_rss_arguments_are_one_line(env: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output and "Traceback" not in result.output


def test_a_batch_carries_the_state_of_feeds_that_did_not_change(feeds: FakeFeeds) -> None:
    blog, news = f"{feeds.url}/blog/feed.xml", f"{feeds.url}/news/atom.xml"
    first = _all(_source([blog, news]))
    before = json.loads(first[-1].cursor or "")["feeds"]
    feeds.add_rss_item("Open late Friday", "<p>Until 9pm</p>", datetime(2026, 11, 24, tzinfo=UTC))
    (second,) = _all(_source([news, blog]), first[-1].cursor)  # news: 304, no batch
    after = json.loads(second.cursor or "")["feeds"]
    assert after[news] == before[news]
    assert after[blog]["newest"] == "2026-11-24T00:00:00+00:00" != before[blog]["newest"]
