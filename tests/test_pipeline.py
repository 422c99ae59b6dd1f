from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub.model import Competitor, Locale, Metrics, Place, Post, Stream, TeamMember, Workspace
from hubbub.pipeline import matcher_for, process
from hubbub.query import QueryError
from tests.query.util import make_post

STREAMS = (
    Stream(
        "Larkspur Bakery",
        '"Larkspur Bakery" OR @larkspurbakes OR @larkspur@mastodon.social OR #larkspurbakery'
        ' OR url:"larkspurbakery.com"',
        "brand",
    ),
    Stream("Mountain Crust", '"Mountain Crust" OR @mountaincrust OR #mountaincrust', "competitor"),
    Stream(
        "Asheville",
        'asheville OR avl OR "west asheville" OR #asheville'
        " OR point_radius:[-82.5515 35.5951 15km]",
        "locale",
    ),
    Stream("Industry", 'bakery OR bakeries OR pastry OR "artisan bread"', "industry"),
    Stream("Paused", "croissant", "campaign", paused=True),
)
WS = Workspace(
    slug="larkspur",
    name="Larkspur Bakery",
    handles={"x": "larkspurbakes", "mastodon": "larkspur@mastodon.social"},
    website="https://larkspurbakery.com",
    locale=Locale("Asheville", 35.5951, -82.5515, radius_km=15, nicknames=("AVL",)),
    competitors=(Competitor("Mountain Crust", {"x": "mountaincrust"}),),
    products=("sourdough", "croissant"),
    timezone="America/New_York",
    team=(TeamMember("Sam Reed", handles={"x": "samreedavl"}),),
    streams=STREAMS,
)


def batch() -> list[Post]:
    return [
        make_post("Best sourdough at @larkspurbakes, love it!", id="1", account={"followers": 50}),
        make_post("Mountain Crust croissant was stale. Worst.", id="2"),
        make_post("Anyone know a good bakery in West Asheville?", id="3", handle="samreedavl"),
        make_post("just a croissant for breakfast", id="4"),  # only the paused stream
        make_post(
            "sunny day",
            id="5",
            network="mastodon",
            place=Place(name="Biltmore", latitude=35.568, longitude=-82.543),
            metrics=Metrics(likes=3),
        ),
        make_post("toot @larkspur@mastodon.social", id="6", network="mastodon", entities=False),
        make_post("Nothing relevant here", id="7", entities=False),
    ]


def test_process_gives_the_right_streams_and_insight() -> None:
    posts = batch()
    mentions = process(posts, WS)
    by_id = {m.post.id: m for m in mentions}
    assert list(by_id) == ["1", "2", "3", "5", "6"]
    assert by_id["1"].streams == ("Larkspur Bakery",)
    assert by_id["2"].streams == ("Mountain Crust",)
    assert by_id["3"].streams == ("Asheville", "Industry")
    assert by_id["5"].streams == ("Asheville",)
    assert by_id["6"].streams == ("Larkspur Bakery",)
    assert all(m.workspace == "larkspur" for m in mentions)

    one = by_id["1"].insight
    assert one.sentiment.label == "positive" and "praise" in one.why.intents
    assert one.what.products == ("sourdough",) and one.what.matched_terms == ("@larkspurbakes",)
    assert one.extent.reach == 50
    assert one.when.local_time is not None and one.when.local_time.hour == 10  # 15:30 UTC, EST
    two = by_id["2"].insight
    assert two.sentiment.label == "negative" and "complaint" in two.why.intents
    three = by_id["3"].insight
    assert three.who.relationship == "staff"
    assert set(three.why.intents) == {"question", "recommendation_request"}
    assert three.what.matched_terms == ("asheville", "west asheville", "bakery")
    five = by_id["5"].insight
    assert five.where.in_locale is True and five.how.network == "mastodon"


def test_process_fills_entities_in_place_only_where_missing() -> None:
    posts = batch()
    before = posts[0].entities
    process(posts, WS)
    assert all(p.entities is not None for p in posts)
    assert posts[0].entities is before  # already filled: left alone
    assert posts[6].entities is not None and posts[6].entities.mentions == ()


def test_duplicates_in_a_batch_count_once() -> None:
    a = make_post("bakery", id="9")
    b = make_post("bakery again", id="9")
    assert [m.post for m in process([a, b], WS)] == [a]


def test_matcher_is_cached_per_streams_and_bad_streams_are_named() -> None:
    assert matcher_for(STREAMS) is matcher_for(tuple(STREAMS))
    bad = Workspace("w", "W", streams=(Stream("Oops", "bread OR"),))
    with pytest.raises(QueryError, match="stream 'Oops': column 7: OR needs a term after it"):
        process([make_post("bread")], bad)


def test_no_streams_no_mentions() -> None:
    post = Post("x", "1", make_post("x").author, "bakery", datetime(2026, 1, 1, tzinfo=UTC))
    assert process([post], Workspace("w", "W")) == []
    assert post.entities is not None


def test_bakery_example_workspace() -> None:
    from hubbub.workspace import example_path, load_workspace

    ws = load_workspace(example_path())
    kinds = {s.kind for s in ws.streams}
    assert {"brand", "competitor", "locale", "industry"} <= kinds
    posts = [
        make_post("Grabbing a croissant at Larkspur Bakery", id="1"),
        make_post("@flourchildavl makes the best focaccia", id="2"),
        make_post("Holiday market downtown asheville this weekend!", id="3"),
    ]
    found = {m.post.id: m.streams for m in process(posts, ws)}
    assert "Larkspur Bakery" in found["1"]
    assert "Flour Child Bakehouse" in found["2"]
    assert {"Asheville", "Holiday market"} <= set(found["3"])


def test_insight_through_the_pipeline_equals_analyse_alone() -> None:
    """process() lends the matcher view's tokens to analyse() for posts without links:
    they must be the text's own tokens, so the insight is the same as analysed alone."""
    from hubbub.insight.analyse import analyse, clear_caches
    from hubbub.query import PostView
    from hubbub.query.tokens import tokenize
    from hubbub.text import extract_entities

    texts = [
        "Larkspur Bakery's croissant, sooooo good!!! #asheville @larkspurbakes",
        "Is the sourdough at Larkspur Bakery worth it? Any recommendations in AVL?",
        "Mountain Crust never again... waited 40 minutes https://example.com/x",
        "ＬＡＲＫＳＰＵＲ ＢＡＫＥＲＹ 🍞 pre-order a croissant?",
    ]
    posts = [make_post(t, id=str(i)) for i, t in enumerate(texts)]
    for post in posts:
        post.entities = extract_entities(post.text)
        if not post.entities.urls:
            assert PostView(post).tokens == tuple(tokenize(post.text))
    clear_caches()
    mentions = process(posts, WS)
    assert len(mentions) == len(texts)
    clear_caches()
    for m in mentions:
        assert m.insight == analyse(m.post, WS, m.insight.what.matched_terms)
