"""The top authors of a window, by mentions and by reach, against a count made here.

Mentions from a skewed set of authors (a few post a lot) spread over four months, in
two workspaces, written through ``write_batch`` (so the monthly rollup is the write
path's). The threshold algorithm over the monthly lists is forced for every window
(``DIRECT_LIMIT`` 0) and must give exactly the ranking computed in plain Python,
ties included, for windows that cut months anywhere; so must the direct grouping and
the walk down the reach index. On SQLite and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from datetime import datetime, timedelta

import pytest

from hubbub.model import Batch, Extent, Insight, Mention, Sentiment, Who
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store import authors as top
from hubbub.store.queries import top_authors
from tests.store.helpers import T0, make_account, make_post, make_workspace

RELATIONSHIPS = ("new", "customer", "fan", "business")


def _specs(seed: int) -> list[tuple[int, datetime, str, int, int]]:
    """(author, time, relationship, reach, engagement) of each mention."""
    rnd = random.Random(seed)
    out = []
    for i in range(400):
        author = int(30 * rnd.random() ** 2.5)  # author 0 posts most
        when = T0 + timedelta(hours=rnd.randrange(24 * 120), minutes=rnd.randrange(60))
        rel = "business" if author == 1 else rnd.choice(RELATIONSHIPS[:3])
        reach = 1000 - 10 * author + (i % 3)  # an author's reach varies a little
        out.append((author, when, rel, reach, i % 7))
    return out


def _write(store: Store, slug: str, specs: list[tuple[int, datetime, str, int, int]]) -> int:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace(slug))
    found = []
    for i, (author, when, rel, reach, engagement) in enumerate(specs):
        post = dataclasses.replace(
            make_post(i, author=make_account(author)), id=f"{slug}-{i}", created=when
        )
        insight = Insight(
            who=Who(post.author.handle, reach, relationship=rel),  # type: ignore[arg-type]
            extent=Extent(reach=reach, engagement=engagement),
            sentiment=Sentiment("neutral", 0.0),
        )
        found.append(Mention(slug, post, ("Larkspur Bakery",), insight))
    with store.begin() as conn:
        for lo in range(0, len(found), 100):
            part = found[lo : lo + 100]
            write_batch(conn, ws_id, Batch("test", [m.post for m in part]), part)
    return ws_id


def _expected(
    specs: list[tuple[int, datetime, str, int, int]], since: datetime, until: datetime
) -> dict[str, tuple[int, int, int]]:
    """{handle: (mentions, largest reach, engagement)} of the window, business left out."""
    n: Counter[int] = Counter()
    reach: dict[int, int] = {}
    eng: Counter[int] = Counter()
    for author, when, rel, r, e in specs:
        if since <= when < until and rel != "business":
            n[author] += 1
            reach[author] = max(reach.get(author, 0), r)
            eng[author] += e
    return {make_account(a).handle: (n[a], reach[a], eng[a]) for a in n}


WINDOWS = [
    (T0, T0 + timedelta(days=120)),
    (T0 + timedelta(days=17, hours=5), T0 + timedelta(days=81, minutes=7)),
    (T0 + timedelta(days=40), T0 + timedelta(days=47)),
    (T0 + timedelta(days=200), T0 + timedelta(days=207)),  # nobody
]


@pytest.mark.parametrize(("since", "until"), WINDOWS)
def test_top_by_mentions_and_by_reach_are_exact(
    store: Store, monkeypatch: pytest.MonkeyPatch, since: datetime, until: datetime
) -> None:
    specs = _specs(3)
    ws_id = _write(store, "larkspur", specs)
    _write(store, "other", _specs(4))  # another workspace's authors must not count
    expected = _expected(specs, since, until)
    for limit in (2, 5):  # 2: the lists are read deeper than their first 8 a few times
        by_count = sorted(expected, key=lambda h: (-expected[h][0], -expected[h][1], h))
        by_reach = sorted(expected, key=lambda h: (-expected[h][1], -expected[h][0], h))
        for direct in (0, 10**9):  # the monthly lists, then the direct grouping
            monkeypatch.setattr(top, "DIRECT_LIMIT", direct)
            with store.connect() as conn:
                found = top_authors(conn, ws_id, since, until, limit=limit)
                reach = top.top_by_reach(conn, ws_id, since, until, limit=limit)
            assert [a.handle for a in found] == by_count[:limit]
            assert [(a.mentions, a.reach, a.engagement) for a in found] == [
                expected[h] for h in by_count[:limit]
            ]
            assert [(f.reach, f.mentions, f.engagement) for f in reach] == [
                (expected[h][1], expected[h][0], expected[h][2]) for h in by_reach[:limit]
            ]
        assert "person1" not in [a.handle for a in found]  # the business's own account
