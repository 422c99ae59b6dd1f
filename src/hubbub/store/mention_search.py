"""The Mentions page's query: a workspace's mentions, filtered on the insight, newest first.

Every filter but the text search works on a column :func:`~hubbub.store.write.write_batch`
stores beside the insight JSON (``mentions.sentiment_label``, ``intents``,
``post_type``, ``relationship``, ``in_locale``, ``language``, ``reach``, ``network``,
``created``) or on ``mention_streams``, so the database filters and pages, and a
page reads 50 rows however large the store is. The same SQLAlchemy Core runs on
SQLite and PostgreSQL.

The text search is a case-insensitive substring match (``icontains``: ``lower(text)
LIKE`` on SQLite, ``ILIKE`` on PostgreSQL, ``%`` and ``_`` escaped) of every word of
the search on the post's text. Substrings, not words, so a trigram index answers it
without changing its meaning (migration 0006): on PostgreSQL a pg_trgm GIN index on
``text`` that the planner uses for the same ``ILIKE``; on SQLite an FTS5 trigram
table, ``posts_fts``, whose rowids are the posts that may match (its own ``LIKE``
folds case a little more widely), and the ``LIKE`` on the post then decides, so the
result is exactly the scan's.
A word under three characters has no trigram and is matched by the scan alone.
SQLite's ``lower()`` folds ASCII only, so there a search for "CAFÉ" does not find
"café"; PostgreSQL folds all.

How SQLite runs a search with a million mentions (bench/pages.py): a rare word's
few posts come from the trigram index and are then looked up; a common word's newest
mentions are found walking the time index and testing each post. Which one is
decided by counting the trigram index's candidates up to :data:`FEW_CANDIDATES`.

Intents are a JSON list; a filter matches the quoted label in the column's text
(no label contains another's quotes), as :mod:`hubbub.store.inbox` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Integer,
    MetaData,
    Select,
    Table,
    Text,
    cast,
    exists,
    func,
    select,
    text,
)

from hubbub.model import Entities
from hubbub.store.queries import mention_stream_names
from hubbub.store.tables import accounts, mention_streams, mentions, posts
from hubbub.store.types import as_utc, entities_from_json

__all__ = [
    "COMMON_WORD_COUNT_LIMIT",
    "COUNT_LIMIT",
    "FEW_CANDIDATES",
    "MAX_SEARCH_WORDS",
    "MentionFilters",
    "MentionPage",
    "MentionRow",
    "search_mentions",
    "search_words",
]

#: A search uses at most this many words (each one more ``LIKE`` on every row).
MAX_SEARCH_WORDS = 8
#: Counting matches stops here by default (the page then says "10,000+").
COUNT_LIMIT = 10_000
#: A search for a common word counts at most this many matches ("1,000+").
COMMON_WORD_COUNT_LIMIT = 1_000
#: Up to this many candidate posts from SQLite's trigram index, a search starts from
#: them; with more, the word is common and walking the newest mentions finds a page
#: sooner than looking up every candidate.
FEW_CANDIDATES = 5_000

# SQLite's FTS5 trigram table over posts.text (migration 0006 creates it with raw DDL;
# it is kept out of the schema's metadata: see tables.SEARCH_INDEX_NAMES)
_posts_fts = Table("posts_fts", MetaData(), Column("rowid", Integer), Column("text", Text))


@dataclass(frozen=True, slots=True)
class MentionFilters:
    """What the user chose; ``None`` (or ``""``) leaves a field unfiltered.

    ``since`` is inclusive and ``until`` exclusive, both aware datetimes; ``stream``
    is a stream id of the workspace; ``text`` is split into words that must all
    appear in the post's text, in any case.
    """

    stream: int | None = None
    network: str | None = None
    sentiment: str | None = None
    intent: str | None = None
    post_type: str | None = None
    relationship: str | None = None
    in_locale: bool | None = None
    language: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    min_reach: int | None = None
    text: str = ""


@dataclass(frozen=True, slots=True)
class MentionRow:
    id: int
    network: str
    native_id: str
    url: str
    text: str
    created: datetime
    entities: Entities | None
    author_handle: str
    author_name: str
    author_followers: int | None
    sentiment: str
    sentiment_score: float
    intents: tuple[str, ...]
    post_type: str
    relationship: str
    in_locale: bool | None
    language: str | None
    reach: int
    engagement: int
    streams: tuple[str, ...]
    matched_terms: tuple[str, ...]  # the insight's what.matched_terms


@dataclass(frozen=True, slots=True)
class MentionPage:
    rows: list[MentionRow]
    total: int  # matching mentions, before limit and offset (at most the count limit)
    more: bool = False  # True: more than ``total`` match (the count stopped there)


def search_words(text: str) -> tuple[str, ...]:
    """The distinct words of a search, in order, at most :data:`MAX_SEARCH_WORDS`."""
    seen: dict[str, str] = {}
    for word in text.split():
        seen.setdefault(word.lower(), word)
    return tuple(seen.values())[:MAX_SEARCH_WORDS]


def _has_trigram_index(conn: Connection) -> bool:
    if conn.dialect.name != "sqlite":
        return False
    found = conn.execute(
        text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'posts_fts'")
    ).first()
    return found is not None


def _candidates(words: Sequence[str]) -> Select[Any]:
    """The rowids of the posts whose text may hold every word: a superset of the matches.

    No ``ESCAPE`` clause: SQLite hands FTS5 only a plain ``LIKE`` (with one it scans the
    whole table), so a ``%`` or ``_`` in a word stays a wildcard here, which can only
    add candidates; the exact, escaped ``LIKE`` on the post decides.
    """
    return select(_posts_fts.c.rowid).where(*(_posts_fts.c.text.like(f"%{w}%") for w in words))


def _text_search(conn: Connection, words: Sequence[str]) -> list[ColumnElement[bool]] | None:
    """Conditions that narrow a search for ``words`` to the trigram index's candidates
    on SQLite when they are few; ``None`` when they are many (a common word: the
    ``LIKE`` alone decides, on the newest mentions first)."""
    indexed = [w for w in words if len(w) >= 3]
    if not indexed or not _has_trigram_index(conn):
        return []
    candidates = _candidates(indexed)
    few = conn.execute(
        select(func.count()).select_from(candidates.limit(FEW_CANDIDATES + 1).subquery())
    ).scalar_one()
    if few > FEW_CANDIDATES:
        return None
    return [mentions.c.post_id.in_(candidates)]


def _conditions(workspace_id: int, f: MentionFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = [mentions.c.workspace_id == workspace_id]
    if f.since is not None:
        where.append(mentions.c.created >= f.since)
    if f.until is not None:
        where.append(mentions.c.created < f.until)
    if f.network:
        where.append(mentions.c.network == f.network)
    if f.sentiment:
        where.append(mentions.c.sentiment_label == f.sentiment)
    if f.intent:
        where.append(cast(mentions.c.intents, Text).like(f'%"{f.intent}"%'))
    if f.post_type:
        where.append(mentions.c.post_type == f.post_type)
    if f.relationship:
        where.append(mentions.c.relationship == f.relationship)
    if f.in_locale is not None:
        where.append(mentions.c.in_locale.is_(f.in_locale))
    if f.language:
        where.append(func.lower(mentions.c.language) == f.language.lower())
    if f.min_reach is not None:
        where.append(mentions.c.reach >= f.min_reach)
    if f.stream is not None:
        where.append(
            exists().where(
                mention_streams.c.mention_id == mentions.c.id,
                mention_streams.c.stream_id == f.stream,
            )
        )
    for word in search_words(f.text):
        where.append(posts.c.text.icontains(word, autoescape=True))
    return where


def _matched_terms(insight: Any) -> tuple[str, ...]:
    what = insight.get("what") if isinstance(insight, dict) else None
    terms = what.get("matched_terms") if isinstance(what, dict) else None
    if not isinstance(terms, list):
        return ()
    return tuple(t for t in terms if isinstance(t, str) and t)


def search_mentions(
    conn: Connection,
    workspace_id: int,
    filters: MentionFilters,
    *,
    limit: int = 50,
    offset: int = 0,
    count_limit: int | None = COUNT_LIMIT,
) -> MentionPage:
    """The workspace's mentions matching ``filters``, newest first, one page of them.

    Counting stops after ``count_limit`` matches (``MentionPage.more`` then says there
    are more): a count must otherwise visit every matching row, and a rare filter
    that the indexes do not cover (intents, the text search) would read the whole
    table for a number nobody needs exactly. ``None`` counts everything. A search
    for a common word (see :data:`FEW_CANDIDATES`) stops counting sooner, at
    :data:`COMMON_WORD_COUNT_LIMIT`: each match costs a look at the post's text.
    """
    where = _conditions(workspace_id, filters)
    if search_words(filters.text):
        narrowed = _text_search(conn, search_words(filters.text))
        if narrowed is None and count_limit is not None:
            count_limit = min(count_limit, COMMON_WORD_COUNT_LIMIT)
        where += narrowed or []
    matching = select(mentions.c.id).select_from(mentions)
    if search_words(filters.text):
        matching = matching.join(posts, posts.c.id == mentions.c.post_id)
    matching = matching.where(*where)
    if count_limit is not None:
        matching = matching.limit(count_limit + 1)
    total = int(conn.execute(select(func.count()).select_from(matching.subquery())).scalar_one())
    rows = conn.execute(
        select(
            mentions.c.id,
            mentions.c.network,
            mentions.c.created,
            mentions.c.sentiment_label,
            mentions.c.sentiment_score,
            mentions.c.intents,
            mentions.c.post_type,
            mentions.c.relationship,
            mentions.c.in_locale,
            mentions.c.language,
            mentions.c.reach,
            mentions.c.engagement,
            mentions.c.insight,
            posts.c.native_id,
            posts.c.url,
            posts.c.text,
            posts.c.entities,
            accounts.c.handle,
            accounts.c.name,
            accounts.c.followers,
        )
        .select_from(mentions)
        .join(posts, posts.c.id == mentions.c.post_id)
        .join(accounts, accounts.c.id == mentions.c.author_id)
        .where(*where)
        .order_by(mentions.c.created.desc(), mentions.c.id.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    names = mention_stream_names(conn, [r.id for r in rows])
    more = count_limit is not None and total > count_limit
    return MentionPage(
        rows=[_row(r, names.get(r.id, ())) for r in rows],
        total=min(total, count_limit) if count_limit is not None else total,
        more=more,
    )


def _row(r: Any, streams: Sequence[str]) -> MentionRow:
    return MentionRow(
        id=int(r.id),
        network=r.network,
        native_id=r.native_id,
        url=r.url,
        text=r.text,
        created=as_utc(r.created),
        entities=entities_from_json(r.entities),
        author_handle=r.handle,
        author_name=r.name,
        author_followers=r.followers,
        sentiment=r.sentiment_label,
        sentiment_score=float(r.sentiment_score),
        intents=tuple(r.intents or ()),
        post_type=r.post_type,
        relationship=r.relationship,
        in_locale=None if r.in_locale is None else bool(r.in_locale),
        language=r.language,
        reach=int(r.reach or 0),
        engagement=int(r.engagement or 0),
        streams=tuple(streams),
        matched_terms=_matched_terms(r.insight),
    )
