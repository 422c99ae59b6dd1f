"""The Insight page shows, per question, figures computed here from the stored mentions.

Two data sets: the shared ``populated`` store (SPECS: counts, windows, share of voice,
the hour-of-week heatmap across a DST change) and a "rich" workspace written here
whose insight has every field the page tallies (intents, hashtags, products, towns,
client apps, authenticity, impressions, relationships, in-locale, languages, post
types). Expected figures come from the lists below with plain Python, not from the
code under test. The ``store`` fixture runs every test on SQLite and PostgreSQL.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from hubbub.model import (
    Account,
    Batch,
    Extent,
    How,
    Insight,
    Mention,
    Metrics,
    Post,
    Sentiment,
    What,
    Where,
    Who,
    Why,
)
from hubbub.store import Store, upsert_workspace, workspace_id, write_batch
from hubbub.store.insight_views import insight_views
from hubbub.store.users import add_membership, authenticate
from hubbub.web.routes.insight import HEAT_LEVELS, heat_level
from tests.web.conftest import NOW, PASSWORD, SPECS, STREAMS, TZ, Populated, login, workspace

NY = ZoneInfo(TZ)


@dataclass(frozen=True)
class Rich:
    id: str
    created: datetime
    author: str
    sentiment: str
    intents: tuple[str, ...] = ()
    hashtags: tuple[str, ...] = ()
    products: tuple[str, ...] = ()
    relationship: str = "new"
    in_locale: bool | None = None
    town: str = ""
    client: str = ""
    language: str | None = None
    reply: bool = False
    authenticity: float | None = None
    impressions: int | None = None


PEOPLE = {
    "eve": Account("x", "11", "eve_avl", "Eve", followers=1200),
    "fay": Account("mastodon", "12", "fay@toot.cafe", "Fay", followers=300),
    "gus": Account("x", "13", "gus", "Gus", followers=40),
}
ENGAGEMENT = {"eve": 10, "fay": 3, "gus": 0}
H = timedelta(hours=1)
RICH: tuple[Rich, ...] = (
    Rich("r1", NOW - 2 * H, "eve", "positive", ("praise",), ("Sourdough",), ("sourdough",),
         "customer", True, "Asheville", "Twitter for iPhone", "en", authenticity=0.9,
         impressions=500),
    Rich("r2", NOW - 3 * H, "eve", "negative", ("complaint", "question"), ("sourdough",),
         (), "customer", True, "Asheville", "Twitter for iPhone", "en", reply=True,
         authenticity=0.9),
    Rich("r3", NOW - 30 * H, "fay", "positive", ("recommendation_request",), ("avleats",),
         ("croissant",), "fan", False, "Portland", "Ivory", "es", impressions=70),
    Rich("r4", NOW - 50 * H, "gus", "neutral", ("question",), (), ("sourdough", "croissant"),
         "competitor", None, "", "", None, authenticity=0.2),
    # outside every window: must not count
    Rich("r5", NOW - timedelta(days=200), "gus", "negative", ("complaint",), ("old",)),
)  # fmt: skip
IN = RICH[:4]


def _rich_mention(spec: Rich) -> Mention:
    author = PEOPLE[spec.author]
    post = Post(
        network=author.network,
        id=f"rich-{spec.id}",
        author=author,
        text=f"rich post {spec.id}",
        created=spec.created,
        url=f"https://example.social/{spec.id}",
        language=spec.language,
        reply_to="r0" if spec.reply else None,
        client=spec.client,
        metrics=Metrics(likes=ENGAGEMENT[spec.author]),
    )
    insight = Insight(
        who=Who(
            handle=author.handle,
            followers=author.followers,
            authenticity=spec.authenticity,
            relationship=spec.relationship,  # type: ignore[arg-type]
        ),
        what=What(hashtags=spec.hashtags, products=spec.products),
        where=Where(in_locale=spec.in_locale, town=spec.town),
        why=Why(intents=spec.intents),  # type: ignore[arg-type]
        how=How(network=author.network, client=spec.client, language=spec.language),
        extent=Extent(
            reach=author.followers or 0,
            engagement=ENGAGEMENT[spec.author],
            impressions=spec.impressions,
        ),
        sentiment=Sentiment(spec.sentiment, 0.5),  # type: ignore[arg-type]
    )
    return Mention("rich", post, (STREAMS[0].name,), insight)


@pytest.fixture
def rich(populated: Populated) -> Store:
    """Adds workspace "rich" (RICH) with alice as a member."""
    store = populated.store
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, workspace("rich", "Rich Bakery"))
        found = [_rich_mention(s) for s in RICH]
        write_batch(conn, ws_id, Batch("test", [m.post for m in found]), found)
        alice = authenticate(conn, "alice", PASSWORD)
        assert alice is not None
        add_membership(conn, alice.id, ws_id, "staff")
    return store


def _text(page: str, element_id: str) -> str:
    found = re.search(rf'id="{element_id}"[^>]*>([^<]*)<', page)
    assert found is not None, f"#{element_id} not on the page"
    return html.unescape(found.group(1)).strip()


def _pct(part: int, whole: int) -> str:
    value = 100 * part / whole if whole else 0.0
    return f"{value:.1f}%" if 0 < value < 10 else f"{value:.0f}%"


def _table(page: str, table_id: str) -> dict[str, tuple[int, str, str | None]]:
    """{label: (count, share, link or None)} of one answers table."""
    found = re.search(rf'<table[^>]*id="{table_id}".*?</table>', page, re.S)
    assert found is not None, f"#{table_id} not on the page"
    out: dict[str, tuple[int, str, str | None]] = {}
    for row in re.finditer(
        r'<tr data-value="([^"]*)">.*?class="num count">(.*?)</td>\s*'
        r'<td class="num share">([^<]*)</td>',
        found.group(0),
        re.S,
    ):
        link = re.search(r'href="([^"]+)"', row.group(2))
        count = int(re.sub(r"<[^>]+>|,", "", row.group(2)))
        out[html.unescape(row.group(1))] = (
            count,
            row.group(3),
            html.unescape(link.group(1)) if link else None,
        )
    return out


def _counts(table: dict[str, tuple[int, str, str | None]]) -> dict[str, int]:
    return {k: v[0] for k, v in table.items()}


def _window(days: int) -> tuple[datetime, datetime]:
    today = NOW.astimezone(NY).date()
    since = datetime.combine(today - timedelta(days=days - 1), time(0), NY)
    return since, datetime.combine(today + timedelta(days=1), time(0), NY)


# --- the rich workspace: every question ----------------------------------------------


def test_every_panel_matches_the_rich_mentions(rich: Store, logged_in: TestClient) -> None:
    page = logged_in.get("/w/rich/insight?days=7").text
    n = len(IN)
    assert _text(page, "kpi-mentions") == str(n)
    reach = sum(PEOPLE[s.author].followers or 0 for s in IN)
    assert _text(page, "kpi-reach") == f"{reach:,}"
    assert _text(page, "kpi-engagement") == str(sum(ENGAGEMENT[s.author] for s in IN))
    assert _text(page, "kpi-impressions") == str(sum(s.impressions or 0 for s in IN))

    # Why: a mention with two intents counts in both
    intents = Counter(i for s in IN for i in s.intents)
    shown = _table(page, "table-intents")
    names = {"recommendation_request": "recommendation request"}
    assert _counts(shown) == {names.get(k, k): v for k, v in intents.items()}
    assert shown["question"][1] == _pct(intents["question"], n)
    # What: hashtags case-folded, products named
    tags = Counter("#" + t.lower() for s in IN for t in s.hashtags)
    assert _counts(_table(page, "table-hashtags")) == dict(tags)
    assert _counts(_table(page, "table-products")) == dict(
        Counter(p for s in IN for p in s.products)
    )
    # Who
    assert _counts(_table(page, "table-relationships")) == dict(Counter(s.relationship for s in IN))
    auth = Counter(
        "authentic" if s.authenticity >= 0.5 else "questionable"
        for s in IN
        if s.authenticity is not None
    )
    assert _counts(_table(page, "table-authenticity")) == dict(auth)
    handles = re.findall(r'<tr data-handle="([^"]+)">', page)
    by_reach = sorted({s.author for s in IN}, key=lambda a: -(PEOPLE[a].followers or 0))
    assert handles == [PEOPLE[a].handle for a in by_reach]
    eve_row = re.search(r'data-handle="eve_avl">.*?</tr>', page, re.S)
    assert eve_row is not None and "rel-customer" in eve_row.group(0)
    # Where
    locale = Counter(
        {True: "In town", False: "Elsewhere", None: "unknown"}[s.in_locale] for s in IN
    )
    assert _counts(_table(page, "table-locale")) == dict(locale)
    assert _counts(_table(page, "table-towns")) == dict(Counter(s.town for s in IN if s.town))
    # How
    nets = {"x": "X", "mastodon": "Mastodon"}
    assert _counts(_table(page, "table-networks")) == dict(
        Counter(nets[PEOPLE[s.author].network] for s in IN)
    )
    assert _counts(_table(page, "table-post-types")) == dict(
        Counter("reply" if s.reply else "original" for s in IN)
    )
    assert _counts(_table(page, "table-languages")) == dict(
        Counter(s.language or "unknown" for s in IN)
    )
    assert _counts(_table(page, "table-clients")) == dict(Counter(s.client for s in IN if s.client))


def test_sentiment_per_answer(rich: Store, logged_in: TestClient) -> None:
    page = logged_in.get("/w/rich/insight?days=7").text
    table = re.search(r'id="table-networks".*?</table>', page, re.S)
    assert table is not None
    x_row = re.search(r'data-value="X">.*?class="pos">(\d+)</span> / <span class="neg">(\d+)<',
                      table.group(0), re.S)  # fmt: skip
    assert x_row is not None
    on_x = [s for s in IN if PEOPLE[s.author].network == "x"]
    assert int(x_row.group(1)) == sum(s.sentiment == "positive" for s in on_x)
    assert int(x_row.group(2)) == sum(s.sentiment == "negative" for s in on_x)


def test_figures_link_to_the_filtered_mentions(rich: Store, logged_in: TestClient) -> None:
    page = logged_in.get("/w/rich/insight?days=7").text
    since, until = _window(7)
    for table_id, label, field, value in (
        ("table-intents", "question", "intent", "question"),
        ("table-networks", "X", "network", "x"),
        ("table-relationships", "customer", "relationship", "customer"),
        ("table-locale", "In town", "in_locale", "yes"),
        ("table-languages", "es", "language", "es"),
        ("table-hashtags", "#sourdough", "hashtag", "#sourdough"),
        ("table-products", "croissant", "product", "croissant"),
        ("table-towns", "Asheville", "town", "Asheville"),
        ("table-clients", "Twitter for iPhone", "client", "Twitter for iPhone"),
        ("table-authenticity", "authentic", "authenticity", "authentic"),
        ("table-media", "Text only", "media", "no"),
    ):
        count, _, link = _table(page, table_id)[label]
        assert link is not None
        url = urlsplit(link)
        assert url.path == "/w/rich/mentions"
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        assert query == {
            "since": since.date().isoformat(),
            "until": (until - timedelta(days=1)).date().isoformat(),
            field: value,
        }
        listed = logged_in.get(link).text
        assert _text(listed, "mention-count").startswith(f"{count} mention"), link


# --- the shared populated store: windows, heatmap, share of voice ---------------------------


@pytest.mark.parametrize("days", [7, 30, 90])
def test_window_counts_and_sentiment(logged_in: TestClient, days: int) -> None:
    page = logged_in.get(f"/w/larkspur/insight?days={days}").text
    since, until = _window(days)
    found = [s for s in SPECS if since <= s.created < until]
    assert len(found) not in (0, len(SPECS))
    assert _text(page, "kpi-mentions") == str(len(found))
    labels = Counter(s.sentiment for s in found)
    assert _counts(_table(page, "table-sentiment")) == dict(labels)


def test_heatmap_counts_local_hours_of_the_week(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/insight?days=30").text
    since, until = _window(30)
    days = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    expected = Counter(
        (days[s.created.astimezone(NY).weekday()], s.created.astimezone(NY).hour)
        for s in SPECS
        if since <= s.created < until
    )
    cells = re.findall(
        r'<td class="heat-(\d)" data-day="(\w+)" data-hour="(\d+)"[^>]*>(\d*)</td>', page
    )
    assert len(cells) == 168
    shown = {(d, int(h)): int(n) for _, d, h, n in cells if n}
    assert shown == dict(expected)
    # m4 is 03:30 EDT on Sunday Mar 8, just after the clocks went forward
    assert shown[("Sun", 3)] == 1
    assert all(int(level) == 0 for level, _, _, n in cells if not n)


def test_share_of_voice_links_each_stream(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/insight?days=30").text
    since, until = _window(30)
    found = [s for s in SPECS if since <= s.created < until]
    kinds = {s.name: s.kind for s in STREAMS}
    counts = Counter(n for s in found for n in s.streams if kinds[n] in ("brand", "competitor"))
    for name, expected in counts.items():
        row = re.search(
            rf'data-stream="{re.escape(name)}">.*?<a href="([^"]+)">(\d+)</a>', page, re.S
        )
        assert row is not None, name
        assert int(row.group(2)) == expected
        listed = logged_in.get(html.unescape(row.group(1))).text
        assert _text(listed, "mention-count").startswith(f"{expected} mention")


def test_bad_days_fall_back_to_thirty(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/insight?days=abc").text
    assert 'href="?days=30" aria-current="true"' in page
    assert logged_in.get("/w/larkspur/insight?days=12").status_code == 200


def test_nav_links_the_page(logged_in: TestClient) -> None:
    page = logged_in.get("/w/larkspur/").text
    assert 'href="/w/larkspur/insight"' in page


def test_another_workspace_is_404_and_login_is_required(client: TestClient) -> None:
    response = client.get("/w/larkspur/insight", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=")
    assert login(client).status_code == 303
    assert client.get("/w/other/insight").status_code == 404
    assert client.get("/w/nowhere/insight").status_code == 404
    assert client.get("/w/larkspur/insight").status_code == 200


def test_heat_level() -> None:
    assert heat_level(0, 10) == 0
    assert heat_level(1, 10) == 1
    assert heat_level(10, 10) == HEAT_LEVELS
    assert heat_level(5, 0) == 0
    assert [heat_level(n, 5) for n in range(6)] == [0, 1, 2, 3, 4, 5]


def test_now_is_tuesday_in_new_york() -> None:
    # the fixtures' assumption the heatmap test relies on
    assert NOW.astimezone(NY).weekday() == 1 and NOW.tzinfo is UTC


@pytest.mark.parametrize(
    ("since", "until"),
    [
        (NOW - timedelta(days=7), NOW),  # whole UTC days and a part-day at each end
        (NOW - 3 * H - timedelta(minutes=1), NOW - 2 * H),  # inside one hour
        (NOW - timedelta(hours=29, minutes=30), NOW + timedelta(minutes=7)),
        (NOW - timedelta(days=400), NOW + timedelta(days=1)),  # r5 too
    ],
)
def test_json_tallies_cover_the_whole_window(rich: Store, since: datetime, until: datetime) -> None:
    """Hashtags, products, towns, client apps and authenticity count every mention of
    any window (they used to be a sample of the newest), ends cut anywhere."""
    inside = [s for s in RICH if since <= s.created < until]
    with rich.connect() as conn:
        ws_id = workspace_id(conn, "rich")
        assert ws_id is not None
        views = insight_views(conn, ws_id, since, until, TZ)
    assert views.totals.mentions == len(inside)
    tags = Counter("#" + t.lower() for s in inside for t in s.hashtags)
    assert {c.value: c.mentions for c in views.hashtags} == dict(tags)
    assert {c.value: c.mentions for c in views.products} == dict(
        Counter(p for s in inside for p in s.products)
    )
    assert {c.value: c.mentions for c in views.towns} == dict(
        Counter(s.town for s in inside if s.town)
    )
    assert {c.value: c.mentions for c in views.clients} == dict(
        Counter(s.client for s in inside if s.client)
    )
    negative = Counter("#" + t.lower() for s in inside if s.sentiment == "negative"
                       for t in s.hashtags)  # fmt: skip
    assert {c.value: c.negative for c in views.hashtags} == {k: negative[k] for k in tags}
    assert sum(views.hours) == len(inside)
    known = [s.impressions for s in inside if s.impressions is not None]
    assert views.impressions == (sum(known) if known else None)


def test_window_must_run_forward(rich: Store) -> None:
    since, until = _window(7)
    with rich.connect() as conn:
        ws_id = workspace_id(conn, "rich")
        assert ws_id is not None
        with pytest.raises(ValueError, match="is not before"):
            insight_views(conn, ws_id, until, since, TZ)
