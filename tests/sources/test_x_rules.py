"""Streams as X queries: operators X lacks, other networks, and splitting to X's limits."""

from __future__ import annotations

import pytest

from hubbub.model import Stream
from hubbub.query import parse
from hubbub.sources.base import SourceError
from hubbub.sources.x.rules import RULE_LIMIT, SEARCH_LIMIT, render, stream_queries
from hubbub.workspace import example_path, load_workspace


def _queries(*queries: str, limit: int = SEARCH_LIMIT) -> list[str]:
    streams = [Stream(f"s{i}", q) for i, q in enumerate(queries)]
    return [sq.query for sq in stream_queries(streams, limit)]


def test_x_queries_render_back_to_the_same_tree() -> None:
    for query in (
        '"holiday market" (asheville OR avl OR #avlholidaymarket)',
        "bread -from:spammer lang:en -is:retweet",
        '@larkspurbakes OR url:"larkspurbakery.com" OR $BRD OR to:maya',
        "-(cake OR pie) sourdough has:media place_country:US",
        "bakery point_radius:[-82.5515 35.5951 15km] OR bounding_box:[-83 35 -82 36]",
        'retweets_of:maya OR conversation_id:123 OR (bread place:"west asheville")',
        "in_reply_to_tweet_id:42 OR (toast place:asheville)",
    ):
        rendered = _queries(query)
        assert len(rendered) == 1
        assert parse(rendered[0]) == parse(query), (query, rendered)


def test_operators_x_lacks_widen_the_query_and_other_networks_drop_out() -> None:
    got = _queries(
        "sourdough min_likes:5",
        "bread network:x",
        "(cake network:mastodon) OR pie",
        "toast network:bluesky",
        "@larkspur@mastodon.social OR @larkspurbakes",
        "bagel -min_replies:3",
    )
    assert got == ["sourdough", "bread", "pie", "@larkspurbakes", "bagel"]


def test_paused_streams_are_not_searched() -> None:
    streams = [Stream("a", "bread"), Stream("b", "cake", paused=True)]
    assert [sq.stream for sq in stream_queries(streams)] == ["a"]


def test_a_long_or_is_split_into_parts_that_cover_every_term() -> None:
    words = [f"word{i:03d}" for i in range(90)]  # 90 * 11 characters: about 1,000
    parts = stream_queries([Stream("Big", " OR ".join(words))], SEARCH_LIMIT)
    assert len(parts) == 2 and [p.part for p in parts] == [1, 2]
    assert all(len(p.query) <= SEARCH_LIMIT and p.stream == "Big" for p in parts)
    covered = [w for p in parts for w in p.query.split(" OR ")]
    assert covered == words


def test_an_and_with_a_long_or_repeats_the_rest_beside_each_part() -> None:
    words = " OR ".join(f"term{i:03d}" for i in range(60))
    parts = _queries(f"({words}) lang:en -is:retweet", limit=200)
    assert len(parts) > 1
    for part in parts:
        assert len(part) <= 200 and part.endswith(") lang:en -is:retweet")
        parse(part)  # each part is a valid query
    terms = [t for p in parts for t in p[1 : p.index(")")].split(" OR ")]
    assert terms == [f"term{i:03d}" for i in range(60)]


def test_a_stream_that_cannot_fit_is_a_clear_error() -> None:
    long_phrase = '"' + " ".join(["sourdough"] * 60) + '"'  # one phrase of 600 characters
    with pytest.raises(SourceError, match=r"stream 'Long'.*cannot be split.*at most 512"):
        stream_queries([Stream("Long", long_phrase)], SEARCH_LIMIT)
    assert len(stream_queries([Stream("Long", long_phrase)], RULE_LIMIT)) == 1


def test_the_bakery_streams_all_fit_x_recent_search() -> None:
    ws = load_workspace(example_path())
    queries = stream_queries(ws.streams, SEARCH_LIMIT)
    assert {q.stream for q in queries} == {s.name for s in ws.streams}
    for q in queries:
        assert len(q.query) <= SEARCH_LIMIT
        assert render(parse(q.query)) == q.query  # stable: rendering is a fixed point
