"""The Insight page's figures: a workspace's mentions over a window, one group per question.

The journalist's questions (DESIGN.md, 5W+H+E) each become a few aggregates. Those on
a column that :func:`~hubbub.store.write.write_batch` keeps beside the insight JSON
(network, post type, language, relationship, in-locale, sentiment, reach, engagement,
intents) are grouped in the database with the window condition first, so they use
``ix_mentions_window``; each group also counts its positive and negative mentions,
which gives the sentiment per answer. Intents are a JSON list: one query sums a
``LIKE '%"label"%'`` per label on the column's text, as the Mentions filter matches.

The hour of week is grouped by UTC hour in SQL (the hour's text prefix on SQLite,
``to_char`` on PostgreSQL) and folded into local hours in Python, like
:func:`hubbub.store.queries.mentions_over_time` (exact for whole-hour offsets).

What only the insight JSON holds (hashtags, products, key phrases, authenticity,
town, client app, impressions) is read for at most ``sample`` newest mentions of the
window, the fields extracted in SQL, and tallied here: a bounded read however large
the window is; :attr:`InsightViews.sampled` says how many mentions that covered.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Connection, Text, case, cast, func, literal_column, select

from hubbub.model import INTENTS
from hubbub.store.queries import VoiceShare, share_of_voice
from hubbub.store.tables import accounts, mentions
from hubbub.store.types import as_utc

__all__ = [
    "DEFAULT_SAMPLE",
    "Count",
    "InsightViews",
    "ReachAuthor",
    "Totals",
    "hour_of_week",
    "insight_views",
    "phrases",
    "window_totals",
]

#: How many newest mentions of a window the JSON-only tallies read at most.
DEFAULT_SAMPLE = 5000


@dataclass(frozen=True, slots=True)
class Count:
    """One answer to a question: its value, how many mentions gave it, and how they felt."""

    value: str
    mentions: int
    positive: int = 0
    negative: int = 0


@dataclass(frozen=True, slots=True)
class ReachAuthor:
    network: str
    handle: str
    name: str
    mentions: int
    reach: int
    engagement: int
    relationship: str  # the author's most frequent relationship in the window


@dataclass(frozen=True, slots=True)
class Totals:
    mentions: int
    reach: int
    engagement: int
    positive: int
    neutral: int
    negative: int


@dataclass(frozen=True, slots=True)
class InsightViews:
    totals: Totals
    authors: list[ReachAuthor]  # Who: by reach
    relationships: list[Count]
    authenticity: list[Count]  # "authentic" (>= 0.5) / "questionable", where known
    hashtags: list[Count]  # What (from the sample)
    products: list[Count]
    hours: tuple[int, ...]  # When: 168 counts, index 0 = Monday 00:00 local
    in_locale: list[Count]  # Where: "yes" / "no" / "unknown"
    towns: list[Count]
    intents: list[Count]  # Why
    networks: list[Count]  # How
    post_types: list[Count]
    languages: list[Count]
    clients: list[Count]
    impressions: int | None  # Extent: summed over the sample, None where never given
    voice: list[VoiceShare]
    sampled: int


def _window(workspace_id: int, since: datetime, until: datetime) -> ColumnElement[bool]:
    return (
        (mentions.c.workspace_id == workspace_id)
        & (mentions.c.created >= as_utc(since))
        & (mentions.c.created < as_utc(until))
    )


def _pos() -> Any:
    return func.sum(case((mentions.c.sentiment_label == "positive", 1), else_=0))


def _neg() -> Any:
    return func.sum(case((mentions.c.sentiment_label == "negative", 1), else_=0))


def _grouped(
    conn: Connection, column: Any, workspace_id: int, since: datetime, until: datetime
) -> list[Count]:
    """Mentions per value of ``column`` (largest first; ``None`` becomes "unknown")."""
    rows = conn.execute(
        select(column.label("v"), func.count().label("n"), _pos().label("p"), _neg().label("q"))
        .where(_window(workspace_id, since, until))
        .group_by(column)
    ).all()
    found = [
        Count("unknown" if r.v is None or r.v == "" else _text(r.v), int(r.n), int(r.p), int(r.q))
        for r in rows
    ]
    return sorted(found, key=lambda c: (-c.mentions, c.value))


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value).lower()


def _yes_no(found: list[Count]) -> list[Count]:
    """In-locale groups as yes/no/unknown (SQLite hands booleans back as 0 and 1)."""
    names = {"1": "yes", "true": "yes", "0": "no", "false": "no"}
    return [Count(names.get(c.value, c.value), c.mentions, c.positive, c.negative) for c in found]


def _intents(conn: Connection, workspace_id: int, since: datetime, until: datetime) -> list[Count]:
    text = cast(mentions.c.intents, Text)
    cols: list[Any] = []
    for label in INTENTS:
        hit = text.like(f'%"{label}"%')
        cols += [
            func.sum(case((hit, 1), else_=0)),
            func.sum(case((hit & (mentions.c.sentiment_label == "positive"), 1), else_=0)),
            func.sum(case((hit & (mentions.c.sentiment_label == "negative"), 1), else_=0)),
        ]
    row = conn.execute(select(*cols).where(_window(workspace_id, since, until))).one()
    found = [
        Count(label, int(row[3 * i] or 0), int(row[3 * i + 1] or 0), int(row[3 * i + 2] or 0))
        for i, label in enumerate(INTENTS)
    ]
    return sorted((c for c in found if c.mentions), key=lambda c: (-c.mentions, c.value))


def _totals(conn: Connection, workspace_id: int, since: datetime, until: datetime) -> Totals:
    r = conn.execute(
        select(
            func.count().label("n"),
            func.sum(mentions.c.reach).label("reach"),
            func.sum(mentions.c.engagement).label("eng"),
            _pos().label("p"),
            _neg().label("q"),
        ).where(_window(workspace_id, since, until))
    ).one()
    n, p, q = int(r.n), int(r.p or 0), int(r.q or 0)
    return Totals(n, int(r.reach or 0), int(r.eng or 0), p, n - p - q, q)


def _authors(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int
) -> list[ReachAuthor]:
    """The authors of the window's mentions with the largest reach (the business's own
    accounts left out), each with their most frequent relationship."""
    window = _window(workspace_id, since, until) & (mentions.c.relationship != "business")
    top = conn.execute(
        select(
            mentions.c.author_id,
            func.count().label("n"),
            func.max(mentions.c.reach).label("reach"),
            func.sum(mentions.c.engagement).label("eng"),
        )
        .where(window)
        .group_by(mentions.c.author_id)
        .order_by(func.max(mentions.c.reach).desc(), func.count().desc(), mentions.c.author_id)
        .limit(limit)
    ).all()
    ids = [int(r.author_id) for r in top]
    if not ids:
        return []
    rels: dict[int, Counter[str]] = {}
    for author_id, rel, n in conn.execute(
        select(mentions.c.author_id, mentions.c.relationship, func.count())
        .where(window & mentions.c.author_id.in_(ids))
        .group_by(mentions.c.author_id, mentions.c.relationship)
    ).all():
        rels.setdefault(int(author_id), Counter())[str(rel)] += int(n)
    people = {
        int(r.id): r
        for r in conn.execute(
            select(accounts.c.id, accounts.c.network, accounts.c.handle, accounts.c.name).where(
                accounts.c.id.in_(ids)
            )
        ).all()
    }
    out = []
    for r in top:
        who = people[int(r.author_id)]
        counts = rels.get(int(r.author_id), Counter())
        rel = min(counts, key=lambda k: (-counts[k], k)) if counts else "new"
        out.append(
            ReachAuthor(
                who.network, who.handle, who.name, int(r.n), int(r.reach or 0), int(r.eng or 0), rel
            )
        )
    return out


def hour_of_week(hour_utc: datetime, tz: str) -> int:
    """0..167: the local hour of the week (Monday 00:00 = 0) of a UTC hour."""
    local = hour_utc.astimezone(ZoneInfo(tz))
    return local.weekday() * 24 + local.hour


def _hours(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, tz: str
) -> tuple[int, ...]:
    if conn.dialect.name == "postgresql":
        bucket: Any = func.to_char(
            func.timezone(literal_column("'UTC'"), mentions.c.created), "YYYY-MM-DD HH24"
        )
    else:  # fixed-width UTC text: the hour is the first 13 characters
        bucket = func.substr(mentions.c.created, 1, 13)
    bucket = bucket.label("bucket")
    rows = conn.execute(
        select(bucket, func.count())
        .where(_window(workspace_id, since, until))
        .group_by(literal_column("bucket"))
    ).all()
    out = [0] * 168
    for raw, n in rows:
        hour = datetime.strptime(str(raw), "%Y-%m-%d %H").replace(tzinfo=UTC)
        out[hour_of_week(hour, tz)] += int(n)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Sample:
    hashtags: list[Count]
    products: list[Count]
    authenticity: list[Count]
    towns: list[Count]
    clients: list[Count]
    impressions: int | None
    sampled: int


def _counts(tally: Counter[str], pos: Counter[str], neg: Counter[str], limit: int) -> list[Count]:
    ranked = sorted(tally, key=lambda k: (-tally[k], k))[:limit]
    return [Count(k, tally[k], pos[k], neg[k]) for k in ranked]


def _sample(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, sample: int, limit: int
) -> _Sample:
    ins = mentions.c.insight
    rows = conn.execute(
        select(
            mentions.c.sentiment_label,
            ins[("what", "hashtags")],
            ins[("what", "products")],
            ins[("who", "authenticity")],
            ins[("where", "town")],
            ins[("how", "client")],
            ins[("extent", "impressions")],
        )
        .where(_window(workspace_id, since, until))
        .order_by(mentions.c.created.desc())
        .limit(sample)
    ).all()
    kinds = ("hashtags", "products", "authenticity", "towns", "clients")
    tally: dict[str, tuple[Counter[str], Counter[str], Counter[str]]] = {
        k: (Counter(), Counter(), Counter()) for k in kinds
    }
    impressions: int | None = None
    for label, tags, products, auth, town, client, seen in rows:
        values: dict[str, set[str]] = {
            "hashtags": {"#" + str(t).lower() for t in _list(tags)},
            "products": {str(p) for p in _list(products)},
            "authenticity": set(),
            "towns": {str(town)} if isinstance(town, str) and town else set(),
            "clients": {str(client)} if isinstance(client, str) and client else set(),
        }
        if isinstance(auth, int | float):
            values["authenticity"] = {"authentic" if auth >= 0.5 else "questionable"}
        for kind, found in values.items():
            all_, pos, neg = tally[kind]
            all_.update(found)
            if label == "positive":
                pos.update(found)
            elif label == "negative":
                neg.update(found)
        if isinstance(seen, int) and not isinstance(seen, bool):
            impressions = (impressions or 0) + seen
    hashtags, products, authenticity, towns, clients = (_counts(*tally[k], limit) for k in kinds)
    return _Sample(hashtags, products, authenticity, towns, clients, impressions, len(rows))


def _list(value: Any) -> Sequence[Any]:
    return value if isinstance(value, list) else ()


def phrases(
    conn: Connection, workspace_id: int, since: datetime, until: datetime, limit: int
) -> list[tuple[str, ...]]:
    """Each of the window's newest ``limit`` mentions' key phrases and #hashtags, the
    documents :func:`hubbub.insight.topics.topics` ranks."""
    rows = conn.execute(
        select(
            mentions.c.insight[("what", "key_phrases")], mentions.c.insight[("what", "hashtags")]
        )
        .where(_window(workspace_id, since, until))
        .order_by(mentions.c.created.desc())
        .limit(limit)
    ).all()
    return [
        tuple(str(p) for p in _list(k)) + tuple("#" + str(h).lower() for h in _list(h))
        for k, h in rows
    ]


def insight_views(
    conn: Connection,
    workspace_id: int,
    since: datetime,
    until: datetime,
    tz: str,
    *,
    limit: int = 10,
    sample: int = DEFAULT_SAMPLE,
) -> InsightViews:
    """Every figure of the Insight page for the mentions in ``[since, until)``."""
    if since >= until:
        raise ValueError(f"window: since {since.isoformat()} is not before {until.isoformat()}")
    found = _sample(conn, workspace_id, since, until, sample, limit)
    c = mentions.c
    return InsightViews(
        totals=_totals(conn, workspace_id, since, until),
        authors=_authors(conn, workspace_id, since, until, limit),
        relationships=_grouped(conn, c.relationship, workspace_id, since, until),
        authenticity=found.authenticity,
        hashtags=found.hashtags,
        products=found.products,
        hours=_hours(conn, workspace_id, since, until, tz),
        in_locale=_yes_no(_grouped(conn, c.in_locale, workspace_id, since, until)),
        towns=found.towns,
        intents=_intents(conn, workspace_id, since, until),
        networks=_grouped(conn, c.network, workspace_id, since, until),
        post_types=_grouped(conn, c.post_type, workspace_id, since, until),
        languages=_grouped(conn, c.language, workspace_id, since, until)[:limit],
        clients=found.clients,
        impressions=found.impressions,
        voice=share_of_voice(conn, workspace_id, since, until),
        sampled=found.sampled,
    )


def window_totals(conn: Connection, workspace_id: int, since: datetime, until: datetime) -> Totals:
    """Only the totals of :func:`insight_views` (mentions, reach, engagement, sentiment):
    what a report needs of the window before, to show each figure's change."""
    return _totals(conn, workspace_id, since, until)
