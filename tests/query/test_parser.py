from __future__ import annotations

import pytest

from hubbub.query import MAX_LENGTH, QueryError, parse
from hubbub.query.ast import (
    And,
    BoundingBox,
    Cashtag,
    From,
    Has,
    Hashtag,
    Is,
    Keyword,
    Lang,
    MentionOp,
    MinCount,
    NetworkOp,
    Not,
    Or,
    Phrase,
    PlaceCountry,
    PointRadius,
    To,
    Url,
)


def test_and_binds_tighter_than_or() -> None:
    assert parse("a b OR c") == parse("(a b) OR c")
    assert parse("a b OR c") == Or((And((Keyword("a"), Keyword("b"))), Keyword("c")))
    assert parse("a b OR c") != parse("a (b OR c)")
    assert parse("a OR b c") == Or((Keyword("a"), And((Keyword("b"), Keyword("c")))))


def test_groups_flatten() -> None:
    assert parse("(a b) c") == parse("a b c") == And((Keyword("a"), Keyword("b"), Keyword("c")))
    assert parse("a OR (b OR c)") == Or((Keyword("a"), Keyword("b"), Keyword("c")))


def test_keywords_fold_case_and_punctuation_makes_phrases() -> None:
    assert parse("Bakery") == Keyword("bakery")
    assert parse("coca-cola") == Phrase(("coca", "cola"))
    assert parse('"West  Asheville"') == Phrase(("west", "asheville"))
    assert parse("🍞") == Keyword("🍞")


def test_each_operator_parses_to_its_node() -> None:
    assert parse("#AVL") == Hashtag("avl")
    assert parse("@LarkspurBakes") == MentionOp("larkspurbakes")
    assert parse("@larkspur@mastodon.social") == MentionOp("larkspur@mastodon.social")
    assert parse("$AAPL") == Cashtag("aapl")
    assert parse("from:@Maya") == From("maya")
    assert parse("to:sam") == To("sam")
    assert parse('url:"larkspurbakery.com"') == Url(("larkspurbakery", "com"))
    assert parse("place_country:us") == PlaceCountry("US")
    assert parse("point_radius:[-82.5 35.6 10mi]") == PointRadius(-82.5, 35.6, 16.09344)
    assert parse("bounding_box:[-83 35 -82 36]") == BoundingBox(-83, 35, -82, 36)
    q = "a lang:EN network:mastodon is:reply has:images min_likes:5 min_faves:6 min_retweets:2"
    assert parse(q) == And(
        (
            Keyword("a"),
            Lang("en"),
            NetworkOp("mastodon"),
            Is("reply"),
            Has("images"),
            MinCount("likes", 5),
            MinCount("likes", 6),
            MinCount("reposts", 2),
        )
    )


def test_negation() -> None:
    assert parse("bakery -bread") == And((Keyword("bakery"), Not(Keyword("bread"))))
    assert parse("bakery -(a b)") == And(
        (Keyword("bakery"), Not(And((Keyword("a"), Keyword("b")))))
    )
    assert parse("bakery -is:retweet") == And((Keyword("bakery"), Not(Is("retweet"))))


def test_escaped_quote_in_phrase() -> None:
    assert parse(r'"say \"cheese\""') == Phrase(("say", "cheese"))


def test_columns_are_kept_but_not_compared() -> None:
    node = parse("  bakery")
    assert isinstance(node, Keyword) and node.column == 3
    assert node == Keyword("bakery", column=99)


def err(q: str) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse(q)
    return info.value


@pytest.mark.parametrize(
    ("query", "column", "fragment"),
    [
        ("bakery (bread OR cake", 8, "unbalanced parenthesis"),
        ("bakery bread) cake", 13, "unbalanced parenthesis"),
        ('bakery "fresh bread', 8, "unterminated quote"),
        ("OR bakery", 1, "OR needs a term before it"),
        ("bakery OR", 8, "OR needs a term after it"),
        ("bakery OR OR bread", 8, "OR needs a term after it"),
        ("bakery - bread", 8, "'-' must be followed"),
        ("bakery ()", 8, "empty parentheses"),
        ("bakery foo:bar", 8, "unknown operator 'foo:'"),
        ("bakery is:cute", 11, "is: must be one of"),
        ("bakery has:", 8, "needs a value"),
        ("bakery network:myspace", 16, "network: must be one of"),
        ("bakery point_radius:[-82 35]", 21, "point_radius: needs"),
        ("bakery point_radius:[-82 35 10ft]", 21, "km or mi"),
        ("bakery point_radius:[-200 35 10km]", 21, "outside"),
        ("bakery bounding_box:[-82 35 -83 36]", 21, "west < east"),
        ("bakery min_likes:many", 18, "whole number"),
        ("bakery AND bread", 8, "AND is implicit"),
        ("bakery #", 8, "invalid hashtag"),
        ('bakery ""', 8, "empty phrase"),
        ("bakery !!!", 8, "no letters, digits or emoji"),
        ("is:reply", 1, "is:reply cannot stand alone"),
        ("lang:en has:links", 1, "lang:en cannot stand alone"),
        ("bakery OR is:reply", 11, "is:reply cannot stand alone"),
        ("-bakery", 1, "cannot be only negations"),
        ("-bakery -bread", 1, "cannot be only negations"),
        ("bakery OR -bread", 11, "negation cannot stand alone"),
        ("", 1, "empty query"),
    ],
)
def test_errors_point_at_the_right_column(query: str, column: int, fragment: str) -> None:
    e = err(query)
    assert e.column == column, str(e)
    assert fragment in e.message
    assert str(e) == f"column {column}: {e.message}"


def test_caret_sits_under_the_column() -> None:
    e = err("bakery (bread OR cake")
    line, caret = e.caret().split("\n")
    assert line == "bakery (bread OR cake"
    assert caret.index("^") == 7 and line[7] == "("


def test_length_limit() -> None:
    ok = "a" * MAX_LENGTH
    assert parse(ok) == Keyword(ok)
    e = err("a" * (MAX_LENGTH + 1))
    assert e.column == MAX_LENGTH + 1
    assert "1,025 characters" in e.message and "1,024" in e.message


def test_conjunction_only_operators_stand_beside_a_term() -> None:
    # Each of these is fine beside a keyword, and an OR of anchored branches is fine.
    assert isinstance(parse("bakery -is:retweet lang:en has:media"), And)
    assert isinstance(parse("(bakery lang:en) OR (bread is:reply)"), Or)
    assert isinstance(parse("point_radius:[-82.55 35.59 15km] -is:retweet"), And)


def test_derived_queries_from_the_brief_parse() -> None:
    brand = (
        '"Larkspur Bakery" OR @larkspurbakes OR @larkspur@mastodon.social OR #larkspurbakery'
        ' OR url:"larkspurbakery.com"'
    )
    competitor = (
        '"Flour Child Bakehouse" OR @flourchildavl OR @flourchild.bsky.social'
        " OR #flourchildbakehouse"
    )
    locale = (
        'asheville OR avl OR "west asheville" OR "river arts district" OR #asheville OR #avl'
        " OR point_radius:[-82.5515 35.5951 15km]"
    )
    industry = 'bakery OR bakeries OR "artisan bread" OR pastry OR "bread flour" OR patisserie'
    event = '"holiday market" (asheville OR avl OR #avlholidaymarket)'
    b = parse(brand)
    assert isinstance(b, Or) and len(b.children) == 5
    assert MentionOp("larkspur@mastodon.social") in b.children
    c = parse(competitor)
    assert isinstance(c, Or) and MentionOp("flourchild.bsky.social") in c.children
    loc = parse(locale)
    assert isinstance(loc, Or)
    assert loc.children[-1] == PointRadius(-82.5515, 35.5951, 15.0)
    assert Phrase(("river", "arts", "district")) in loc.children
    ind = parse(industry)
    assert isinstance(ind, Or) and len(ind.children) == 6
    ev = parse(event)
    assert isinstance(ev, And) and ev.children[0] == Phrase(("holiday", "market"))


def test_deep_nesting_is_a_clear_error_not_a_crash() -> None:
    from hubbub.query.parser import MAX_DEPTH

    ok = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse(ok) == Keyword("a")
    e = err("(" * 400 + "a" + ")" * 400)
    assert e.column == MAX_DEPTH + 1 and "nested more than" in e.message
    e = err("a " + "-(" * 300 + "b" + ")" * 300)
    assert "nested more than" in e.message
