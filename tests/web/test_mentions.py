"""The Mentions page over SQLite and PostgreSQL: filters, search, highlighting, access.

The store holds 70 mentions built from :data:`ROWS`, a seeded list whose fields
(network, sentiment, intents, post type, relationship, in town, language, reach,
streams, time) vary independently; each filter test computes the expected posts from
that list in plain Python and compares them with the ``data-post`` ids on the page.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import escape as html_escape
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hubbub.model import (
    Account,
    Batch,
    Entities,
    Extent,
    How,
    Insight,
    Mention,
    Post,
    Sentiment,
    Span,
    Stream,
    What,
    Where,
    Who,
    Why,
    Workspace,
)
from hubbub.settings import Settings
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.queries import workspace_by_slug, workspace_streams
from hubbub.store.users import add_membership, create_user
from hubbub.web import create_app
from hubbub.web.routes.mentions import marked_text, parse_form, term_hits
from tests.web.conftest import PASSWORD, login

NOW = datetime(2026, 3, 10, 17, 0, tzinfo=UTC)
TZ = "America/New_York"
STREAMS = (
    Stream("Brand", '"larkspur bakery" OR @larkspurbakes', "brand"),
    Stream("Asheville", "asheville OR avl", "locale"),
    Stream("Bread", "sourdough OR croissant", "industry"),
)
AUTHORS = (
    Account("x", "1", "annbakes", "Ann", followers=5000),
    Account("x", "2", "bo_avl", "Bo", followers=200),
    Account("mastodon", "3", "cy@mastodon.social", "Cy", followers=50),
    Account("bluesky", "4", "di.bsky.social", "Di", followers=900),
)
SPECIAL = "Tried the <b>Sourdough</b> & rye at #AVLbakery in Asheville"


@dataclass(frozen=True)
class Row:
    id: str
    author: Account
    created: datetime
    sentiment: str
    intents: tuple[str, ...]
    post_type: str
    relationship: str
    in_locale: bool | None
    language: str | None
    streams: tuple[str, ...]
    text: str
    terms: tuple[str, ...]
    town: str = ""
    client: str = ""
    hashtags: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    authenticity: float | None = None
    media: bool = False
    engagement: int = 0

    @property
    def reach(self) -> int:
        return self.author.followers or 0


def _rows() -> tuple[Row, ...]:
    rnd = random.Random(7)
    words = ("sourdough", "croissant", "coffee", "Rye", "scone")
    out = []
    for i in range(70):
        streams = tuple(s.name for s in STREAMS if rnd.random() < 0.45) or ("Brand",)
        word = rnd.choice(words)
        text = (
            f"post {i} about {word} in Asheville" if "Asheville" in streams else f"post {i} {word}"
        )
        terms: tuple[str, ...] = ("asheville",) if "Asheville" in streams else ()
        if i == 3:
            text, terms = SPECIAL, ("asheville", "#avlbakery")
        out.append(
            Row(
                id=f"p{i:02d}",
                author=rnd.choice(AUTHORS),
                created=NOW - timedelta(hours=7 * i + rnd.randrange(5)),
                sentiment=rnd.choice(("positive", "neutral", "negative")),
                intents=tuple(rnd.sample(("question", "complaint", "praise"), rnd.randrange(3))),
                post_type=rnd.choice(("original", "reply", "quote")),
                relationship=rnd.choice(("customer", "fan", "new")),
                in_locale=rnd.choice((True, False, None)),
                language=rnd.choice(("en", "es", None)),
                streams=streams,
                text=text,
                terms=terms,
                town=rnd.choice(("Asheville", "Boone", "", "")),
                client=rnd.choice(("Ivory", "Twitter for iPhone", "")),
                hashtags=tuple(rnd.sample(("AVL", "sourdough", "Bread"), rnd.randrange(3))),
                products=tuple(rnd.sample(("croissant", "rye loaf"), rnd.randrange(2))),
                authenticity=rnd.choice((0.9, 0.2, None)),
                media=rnd.random() < 0.3,
                engagement=rnd.randrange(40),
            )
        )
    return tuple(out)


ROWS = _rows()


def _entities(text: str) -> Entities:
    if "#AVLbakery" not in text:
        return Entities()
    at = text.index("#AVLbakery")
    return Entities(hashtags=(Span("AVLbakery", at, at + len("#AVLbakery")),))


def _mention(slug: str, r: Row) -> Mention:
    post = Post(
        network=r.author.network,
        id=f"{slug}-{r.id}",
        author=r.author,
        text=r.text,
        created=r.created,
        language=r.language,
        reply_to="r1" if r.post_type == "reply" else None,
        quote_of="q1" if r.post_type == "quote" else None,
        entities=_entities(r.text),
        url=f"https://example.social/{r.id}",
        client=r.client,
    )
    insight = Insight(
        who=Who(
            r.author.handle,
            r.author.followers,
            authenticity=r.authenticity,
            relationship=r.relationship,  # type: ignore[arg-type]
        ),
        what=What(matched_terms=r.terms, hashtags=r.hashtags, products=r.products),
        where=Where(in_locale=r.in_locale, town=r.town),
        why=Why(intents=r.intents),  # type: ignore[arg-type]
        how=How(network=r.author.network, client=r.client, has_media=r.media),
        extent=Extent(reach=r.reach, engagement=r.engagement),
        sentiment=Sentiment(r.sentiment, 0.5),  # type: ignore[arg-type]
    )
    return Mention(slug, post, r.streams, insight)


def _fill(store: Store, slug: str, rows: tuple[Row, ...]) -> int:
    ws = Workspace(slug=slug, name=slug.title(), timezone=TZ, streams=STREAMS)
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, ws)
        found = [_mention(slug, r) for r in rows]
        write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)
    return ws_id


@dataclass(frozen=True)
class Setup:
    client: TestClient
    stream_ids: dict[str, int]
    other_stream: int


@pytest.fixture
def setup(store: Store, tmp_path: Path) -> Iterator[Setup]:
    lark = _fill(store, "larkspur", ROWS)
    other = _fill(store, "other", ROWS[:3])
    with store.begin() as conn:
        alice = create_user(conn, "alice", PASSWORD)
        bob = create_user(conn, "bob", PASSWORD)
        add_membership(conn, alice, lark, "owner")
        add_membership(conn, bob, other, "staff")
        ids = {s.name: s.id for s in workspace_streams(conn, lark)}
        other_ids = [s.id for s in workspace_streams(conn, other)]
    settings = Settings(home=tmp_path / "web-home", secret_key="test-secret-key-0123456789")
    app = create_app(store, settings, clock=lambda: NOW)
    with TestClient(app, base_url="http://testserver") as c:
        assert login(c).status_code == 303
        yield Setup(c, ids, other_ids[0])


def _posts(html: str) -> list[str]:
    return [p.removeprefix("larkspur-") for p in re.findall(r'data-post="([^"]+)"', html)]


def _newest(rows: list[Row]) -> list[str]:
    return [r.id for r in sorted(rows, key=lambda r: r.created, reverse=True)][:50]


def _get(setup: Setup, **params: str) -> str:
    response = setup.client.get("/w/larkspur/mentions", params=params)
    assert response.status_code == 200
    body: str = response.text
    return body


def _local_day(r: Row) -> date:
    return r.created.astimezone(ZoneInfo(TZ)).date()


FILTERS: list[tuple[dict[str, str], Callable[[Row], bool]]] = [
    ({"network": "mastodon"}, lambda r: r.author.network == "mastodon"),
    ({"sentiment": "negative"}, lambda r: r.sentiment == "negative"),
    ({"intent": "question"}, lambda r: "question" in r.intents),
    ({"post_type": "reply"}, lambda r: r.post_type == "reply"),
    ({"relationship": "fan"}, lambda r: r.relationship == "fan"),
    ({"in_locale": "yes"}, lambda r: r.in_locale is True),
    ({"in_locale": "no"}, lambda r: r.in_locale is False),
    ({"language": "es"}, lambda r: r.language == "es"),
    ({"min_reach": "900"}, lambda r: r.reach >= 900),
    ({"q": "SOURDOUGH"}, lambda r: "sourdough" in r.text.lower()),
    ({"q": "rye asheville"}, lambda r: "rye" in r.text.lower() and "asheville" in r.text.lower()),
    (
        {"sentiment": "positive", "network": "x", "min_reach": "1000"},
        lambda r: r.sentiment == "positive" and r.author.network == "x" and r.reach >= 1000,
    ),
    (
        {"since": "2026-02-20", "until": "2026-02-28"},
        lambda r: date(2026, 2, 20) <= _local_day(r) <= date(2026, 2, 28),
    ),
    # the insight fields only its JSON holds (migration 0012's tags), and the author
    ({"town": "Boone"}, lambda r: r.town == "Boone"),
    ({"client": "Ivory"}, lambda r: r.client == "Ivory"),
    ({"hashtag": "#avl"}, lambda r: "avl" in {t.lower() for t in r.hashtags}),
    ({"hashtag": "Bread"}, lambda r: "bread" in {t.lower() for t in r.hashtags}),
    ({"product": "rye loaf"}, lambda r: "rye loaf" in r.products),
    ({"authenticity": "questionable"}, lambda r: r.authenticity == 0.2),
    ({"authenticity": "authentic"}, lambda r: r.authenticity == 0.9),
    ({"media": "yes"}, lambda r: r.media),
    ({"media": "no"}, lambda r: not r.media),
    ({"min_engagement": "30"}, lambda r: r.engagement >= 30),
    ({"author": "bo_avl"}, lambda r: r.author.handle == "bo_avl"),
    ({"author": "@cy@mastodon.social"}, lambda r: r.author.handle == "cy@mastodon.social"),
    # a facet and a sentiment (counted from the rollups), two facets (counted by walking)
    (
        {"town": "Asheville", "sentiment": "negative"},
        lambda r: r.town == "Asheville" and r.sentiment == "negative",
    ),
    (
        {"town": "Asheville", "network": "x", "since": "2026-02-01"},
        lambda r: (
            r.town == "Asheville" and r.author.network == "x" and _local_day(r) >= date(2026, 2, 1)
        ),
    ),
    (
        {"hashtag": "sourdough", "author": "annbakes", "media": "no"},
        lambda r: (
            "sourdough" in {t.lower() for t in r.hashtags}
            and r.author.handle == "annbakes"
            and not r.media
        ),
    ),
]


def test_unfiltered_lists_newest_first_in_pages_of_50(setup: Setup) -> None:
    html = _get(setup)
    assert _posts(html) == _newest(list(ROWS))
    assert "70 mentions" in html
    second = _get(setup, page="2")
    rest = [r.id for r in sorted(ROWS, key=lambda r: r.created, reverse=True)][50:]
    assert _posts(second) == rest
    assert 'aria-current="page">Mentions<' in html  # the nav item is live


@pytest.mark.parametrize(("params", "keep"), FILTERS, ids=lambda v: str(v))
def test_each_filter_narrows_to_the_expected_rows(
    setup: Setup, params: dict[str, str], keep: Callable[[Row], bool]
) -> None:
    expected = [r for r in ROWS if keep(r)]
    assert 0 < len(expected) < len(ROWS), "the fixture should make this filter narrow"
    html = _get(setup, **params)
    assert _posts(html) == _newest(expected)
    assert f"{len(expected)} mention" in html
    for name, value in params.items():  # the form shows what was chosen
        shown = (f'value="{v}"' for v in (value, value.lower(), html_escape(value)))
        assert any(v in html for v in shown), name


def test_stream_filter(setup: Setup) -> None:
    for name, stream_id in setup.stream_ids.items():
        expected = [r for r in ROWS if name in r.streams]
        assert _posts(_get(setup, stream=str(stream_id))) == _newest(expected)


def test_bad_values_are_named_and_ignored(setup: Setup) -> None:
    html = _get(
        setup,
        sentiment="furious",
        since="yesterday",
        min_reach="-3",
        stream=str(setup.other_stream),
    )
    assert _posts(html) == _newest(list(ROWS))  # nothing filtered, nothing leaked
    assert "Sentiment: &#39;furious&#39; is not one of the choices" in html
    assert "From: &#39;yesterday&#39; is not a date" in html
    assert "Minimum reach: &#39;-3&#39; is not a whole number" in html
    assert "is not a stream of this workspace" in html


def test_highlight_marks_terms_and_search_words_escaped(setup: Setup) -> None:
    html = _get(setup, q="sourdough")
    item = re.search(r'data-post="larkspur-p03".*?</li>', html, re.S)
    assert item is not None
    text = item.group(0)
    assert "<b>" not in text and "&lt;b&gt;<mark>Sourdough</mark>&lt;/b&gt; &amp; rye" in text
    assert "in <mark>Asheville</mark>" in text
    assert re.search(
        r'<a class="entity hashtag" href="[^"]+"[^>]*><mark>#AVLbakery</mark></a>', text
    )
    other = re.search(r'data-post="larkspur-p(?!03)\d+".*?</li>', html, re.S)
    assert other is not None and "<mark>" in other.group(0).lower()


def test_another_workspace_is_404_and_login_is_required(setup: Setup) -> None:
    assert setup.client.get("/w/other/mentions").status_code == 404
    assert setup.client.get("/w/nowhere/mentions").status_code == 404
    setup.client.cookies.clear()
    response = setup.client.get("/w/larkspur/mentions?sentiment=negative", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")


def test_hits_and_marks() -> None:
    """Pure helpers: hits are whole words for terms, substrings for search words."""
    assert term_hits("AVL loves avlbakery and AVL!", ["avl"]) == [(0, 3), (24, 27)]
    assert term_hits("Blue-Ridge bread", ["blue ridge"]) == [(0, 10)]
    assert term_hits("sourdoughs", ["dough"], whole_words=False) == [(4, 9)]
    html = marked_text("a & b", None, "x", "", [(4, 5)])
    assert str(html) == "a &amp; <mark>b</mark>"
    # a hit across a link's edge is cut there, so the markup stays well nested
    tag = Entities(hashtags=(Span("t", 3, 5),))
    across = str(marked_text("abc#t&x", tag, "x", "", [(1, 4), (4, 6)]))
    assert re.sub(r"<a [^>]*>", "<a>", across) == (
        "a<mark>bc</mark><a><mark>#t</mark></a><mark>&amp;</mark>x"
    )


def test_parse_form_dates_are_local_days() -> None:
    form = parse_form({"since": "2026-03-08", "until": "2026-03-08"}, [], TZ)
    # New York moves to EDT at 02:00 on Mar 8 2026: the day is 23 hours long
    assert form.filters.since == datetime(2026, 3, 8, 5, 0, tzinfo=UTC)
    assert form.filters.until == datetime(2026, 3, 9, 4, 0, tzinfo=UTC)
    assert form.problems == ()


def test_like_wildcards_in_a_search_are_literal(setup: Setup) -> None:
    assert not any("%" in r.text or "_" in r.text for r in ROWS)
    for query in ("%", "_", "post%1"):
        html = _get(setup, q=query)
        assert _posts(html) == [] and "0 mentions" in html, query


def test_more_filters_open_only_when_one_is_set(setup: Setup) -> None:
    assert '<details class="more-filters">' in _get(setup, sentiment="negative")
    assert '<details class="more-filters" open>' in _get(setup, min_reach="900")


def test_count_stops_at_the_limit(setup: Setup, store: Store) -> None:
    from hubbub.store.mention_search import MentionFilters, search_mentions

    with store.connect() as conn:
        ws_id = next(s.id for s in [workspace_by_slug(conn, "larkspur")] if s is not None)
        exact = search_mentions(conn, ws_id, MentionFilters(), count_limit=None)
        capped = search_mentions(conn, ws_id, MentionFilters(), limit=5, count_limit=10)
        roomy = search_mentions(conn, ws_id, MentionFilters(), count_limit=len(ROWS))
    assert (exact.total, exact.more) == (len(ROWS), False)
    assert (capped.total, capped.more) == (10, True)
    assert [r.native_id for r in capped.rows] == [r.native_id for r in exact.rows[:5]]
    assert (roomy.total, roomy.more) == (len(ROWS), False)


def test_a_capped_count_says_plus_and_still_pages_on(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    import hubbub.web.routes.mentions as route

    monkeypatch.setattr(route, "COUNT_UP_TO", 60)
    html = _get(setup)
    assert "60+ mentions" in html and "page 1 of 2+" in html
    assert 'rel="next"' in html
    second = _get(setup, page="2")
    assert len(_posts(second)) == len(ROWS) - 50  # the rows past the cap are still listed


def test_every_way_of_counting_and_listing_agrees(
    setup: Setup, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The rollups' count equals the count on the mentions, and a tag filter lists the
    same mentions whether it starts from the tag list or tests each mention."""
    from hubbub.store import mention_search

    pages = {str(p): _get(setup, **p) for p, _ in FILTERS}
    monkeypatch.setattr(mention_search, "_rollup_count", lambda *_: None)
    monkeypatch.setattr(mention_search, "FEW_TAGGED", 0)
    for params, keep in FILTERS:
        expected = [r for r in ROWS if keep(r)]
        html = _get(setup, **params)
        assert _posts(html) == _posts(pages[str(params)]) == _newest(expected), params
        assert f"{len(expected)} mention" in html, params
