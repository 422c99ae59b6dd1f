"""Property tests: the indexed matcher agrees with the plain evaluator on random rules/posts."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st

from hubbub.model import Media, Metrics, Place, Post, Stream
from hubbub.query import QueryError, compile_streams, parse
from hubbub.query.evaluate import PostView, evaluate
from tests.query.util import make_post

STANDALONE = [
    "bread", "cake", "avl", "asheville", "🍞", "Bread", '"west asheville"', '"fresh bread"',
    "#avl", "#bread", "@larkspur", "@larkspur@mastodon.social", "@sam", "$brd",
    "from:maya", "from:sam", "to:larkspur", "url:larkspurbakery.com", "coca-cola",
    "place:asheville", "retweets_of:maya", "conversation_id:1", "in_reply_to_tweet_id:7",
    "point_radius:[-82.55 35.6 10km]", "place_country:US", "bounding_box:[-83 35 -82 36]",
]  # fmt: skip
CONJUNCTION = [
    "lang:en", "is:reply", "is:retweet", "is:quote", "has:media", "has:links",
    "has:hashtags", "has:mentions", "has:geo", "network:mastodon", "min_likes:3",
    "is:verified", "has:images", "has:cashtags",
]  # fmt: skip
WORDS = [
    "bread", "cake", "AVL", "#avl", "#Bread", "asheville", "west", "fresh", "🍞", "$BRD",
    "@larkspur@mastodon.social", "@sam", "@larkspur", "coca", "cola", "Coca-Cola",
    "https://larkspurbakery.com/menu", "the", "and",
]  # fmt: skip


def _queries() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(STANDALONE), st.sampled_from(CONJUNCTION))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            inner.map(lambda q: "-" + q if not q.startswith("-") else q),
            st.tuples(inner, inner).map(lambda ab: f"({ab[0]} {ab[1]})"),
            st.tuples(inner, inner).map(lambda ab: f"({ab[0]} OR {ab[1]})"),
        )

    return st.recursive(leaf, extend, max_leaves=6)


def _anchored() -> st.SearchStrategy[str]:
    """Queries that always pass the standalone rule (so few examples are thrown away)."""
    leaf = st.sampled_from(STANDALONE)
    conj = st.sampled_from(CONJUNCTION)

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(inner, inner).map(lambda ab: f"({ab[0]} OR {ab[1]})"),
            st.tuples(inner, inner).map(lambda ab: f"{ab[0]} {ab[1]}"),
            st.tuples(inner, inner).map(lambda ab: f"{ab[0]} -{ab[1]}"),
            st.tuples(inner, conj).map(lambda ab: f"{ab[0]} {ab[1]}"),
            st.tuples(inner, conj).map(lambda ab: f"({ab[0]} -{ab[1]})"),
        )

    return st.recursive(leaf, extend, max_leaves=5)


def _valid(q: str) -> bool:
    try:
        parse(q)
    except QueryError:
        return False
    return True


@st.composite
def posts(draw: st.DrawFn) -> Post:
    text = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=0, max_size=8)))
    text = draw(st.sampled_from(["", "RT @maya: ", "RT @sam: "])) + text
    place = draw(
        st.one_of(
            st.none(),
            st.builds(
                Place,
                name=st.sampled_from(["", "Asheville", "West Asheville"]),
                country_code=st.sampled_from(["", "US", "CA"]),
                latitude=st.one_of(st.none(), st.floats(35.0, 36.0)),
                longitude=st.one_of(st.none(), st.floats(-83.0, -82.0)),
            ),
        )
    )
    return make_post(
        text,
        handle=draw(st.sampled_from(["maya", "sam", "maya@mastodon.social", "x"])),
        network=draw(st.sampled_from(["x", "mastodon", "bluesky"])),
        language=draw(st.sampled_from([None, "en", "en-US", "fr"])),
        reply_to_handle=draw(st.sampled_from([None, "larkspur", "sam"])),
        repost_of=draw(st.sampled_from([None, "7"])),
        id=draw(st.sampled_from(["1", "2"])),
        conversation_id=draw(st.sampled_from([None, "1"])),
        reply_to=draw(st.sampled_from([None, "7"])),
        account={"verified": draw(st.sampled_from([None, True, False]))},
        quote_of=draw(st.sampled_from([None, "8"])),
        media=draw(
            st.sampled_from(
                [(), (Media("photo"),), (Media("video"),), (Media("link_card", "https://a.b"),)]
            )
        ),
        metrics=Metrics(likes=draw(st.one_of(st.none(), st.integers(0, 6)))),
        place=place,
    )


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    st.lists(st.one_of(_queries(), _anchored()), min_size=1, max_size=8),
    st.lists(posts(), min_size=1, max_size=4),
)
def test_indexed_matcher_equals_plain_evaluation(queries: list[str], batch: list[Post]) -> None:
    valid = [q for q in queries if _valid(q)]
    assume(valid)
    matcher = compile_streams([Stream(f"s{i}", q) for i, q in enumerate(valid)])
    for post in batch:
        got = matcher.match(post)
        event(f"matched {min(len(got), 2)}")
        assert got == matcher.match_all(post)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(
    st.lists(st.one_of(_queries(), _anchored()), min_size=1, max_size=8),
    st.lists(posts(), min_size=1, max_size=4),
)
def test_names_only_fast_path_equals_the_full_answer(queries: list[str], batch: list[Post]) -> None:
    valid = [q for q in queries if _valid(q)]
    assume(valid)
    matcher = compile_streams([Stream(f"s{i}", q) for i, q in enumerate(valid)])
    for post in batch:
        full = matcher.match_all(post)
        assert matcher.match_names(post) == [m.name for m in full]
        v = PostView(post)
        hits = matcher.match_indices(v)
        assert matcher.names_of(hits) == [m.name for m in full]
        # Terms asked for afterwards, only for the streams hit, are the full answer's terms.
        assert matcher.terms_of(v, hits) == tuple(dict.fromkeys(t for m in full for t in m.terms))


@settings(max_examples=200, deadline=None)
@given(_anchored(), _anchored(), _anchored(), posts())
def test_and_binds_tighter_than_or_semantically(a: str, b: str, c: str, post: Post) -> None:
    flat, grouped = f"{a} {b} OR {c}", f"({a} {b}) OR {c}"
    assume(_valid(flat))
    assert parse(flat) == parse(grouped)
    v = PostView(post)

    def ev(q: str) -> bool:
        return evaluate(parse(q, standalone=False), v)

    assert evaluate(parse(flat), v) == ((ev(a) and ev(b)) or ev(c))


@settings(max_examples=200, deadline=None)
@given(_queries(), posts())
def test_negation_complements(q: str, post: Post) -> None:
    anchored = f"bread ({q})"
    negated = f"bread -({q})"
    assume(_valid(anchored) and _valid(negated))
    v = PostView(post)
    if evaluate(parse("bread"), v):
        inner = evaluate(parse(q, standalone=False), v)
        assert evaluate(parse(anchored), v) == inner
        assert evaluate(parse(negated), v) == (not inner)


QUERY_CHARS = st.sampled_from([*'ab #@$-()"[]:\\ OR', "is:", "has:", "lang:en", "🍞", "url:"])


@settings(max_examples=400, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(QUERY_CHARS, max_size=20).map("".join)))
def test_parse_fails_only_with_query_error_and_a_column_inside(q: str) -> None:
    try:
        parse(q)
    except QueryError as e:
        assert e.column is not None and 1 <= e.column <= max(len(q), 1) + 1
        assert str(e).startswith(f"column {e.column}: ")
        assert e.caret().splitlines()[-1] == " " * (e.column - 1) + "^"


def _leaf_terms(node: object) -> set[str]:
    from hubbub.query.ast import And, Not, Or
    from hubbub.query.evaluate import _term

    if isinstance(node, And | Or):
        return set().union(*(_leaf_terms(c) for c in node.children))
    if isinstance(node, Not):
        return set()  # negated terms never highlight
    term = _term(node)  # type: ignore[arg-type]
    return {term} if term else set()


@settings(max_examples=200, deadline=None)
@given(_anchored(), posts())
def test_terms_come_from_the_positive_terms_of_the_query(q: str, post: Post) -> None:
    matcher = compile_streams([Stream("s", q)])
    found = matcher.match(post)
    if found:
        assert set(found[0].terms) <= _leaf_terms(parse(q))
        assert len(set(found[0].terms)) == len(found[0].terms)
