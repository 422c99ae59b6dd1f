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

The insight fields only its JSON holds: hashtags, products, towns and client apps are
listed per mention in ``mention_tags`` (migration 0012). A value with at most
:data:`FEW_TAGGED` mentions there is read from that list (its mentions looked up by id);
a commoner one is tested on each mention walking the time index, which finds a page of
them sooner. Authenticity and media are tested on the JSON of each mention walked. The
author filter takes a handle (an ``@`` in front is dropped; as stored, or lower case)
and reads the author's mentions from ``ix_mentions_author``.

Counting the matches: a filter the rollups (:mod:`hubbub.store.tallies`) can answer is
counted from them whatever the number, in milliseconds: no filter, a stream, or one
facet (network, post type, language, relationship, in town, intent, authenticity,
media, hashtag, product, town, client app), each alone or with a sentiment, within
any dates. Other combinations (two facets, a stream and a facet, the text search,
minimum reach or engagement, the author) are counted on the mentions up to the count
limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
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

from hubbub.model import NETWORKS, Entities
from hubbub.store.rollups import tag_value
from hubbub.store.tables import accounts, mention_streams, mention_tags, mentions, posts, streams
from hubbub.store.tallies import Tally, facet_counts, window_tallies
from hubbub.store.types import as_utc, entities_from_json

__all__ = [
    "COMMON_WORD_COUNT_LIMIT",
    "COUNT_LIMIT",
    "FEW_CANDIDATES",
    "FEW_TAGGED",
    "MAX_SEARCH_WORDS",
    "MentionFilters",
    "MentionPage",
    "MentionRow",
    "list_mentions",
    "mention_stream_names",
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
#: Up to this many mentions of a hashtag, product, town or client app, the filter on it
#: starts from their list in ``mention_tags``; with more, from the newest mentions.
FEW_TAGGED = 5_000
#: The filters on a value only the insight JSON holds that ``mention_tags`` lists.
TAGGED = ("hashtag", "product", "town", "client")

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
    author: str = ""  # a handle, with or without its "@"
    hashtag: str = ""  # with or without its "#", any case
    product: str = ""
    town: str = ""
    client: str = ""  # the client app, e.g. "Twitter for iPhone"
    authenticity: str | None = None  # "authentic" (>= 0.5) or "questionable"
    media: bool | None = None  # with photos or video, or without
    min_engagement: int | None = None

    def tagged(self) -> list[tuple[str, str]]:
        """The hashtag, product, town and client app asked for, as ``mention_tags``
        holds them."""
        return [(k, tag_value(k, getattr(self, k))) for k in TAGGED if getattr(self, k)]


@dataclass(frozen=True, slots=True)
class MentionRow:
    """One mention as the Mentions page and the Overview's latest mentions list it."""

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


def _author_ids(handle: str) -> Select[Any]:
    """The accounts with this handle on any network, as given or in lower case (the
    handle lookup of ``ix_accounts_handle``, one range per network)."""
    bare = handle.strip().removeprefix("@")
    return select(accounts.c.id).where(
        accounts.c.network.in_(NETWORKS), accounts.c.handle.in_(sorted({bare, bare.lower()}))
    )


def _tag_condition(
    conn: Connection, workspace_id: int, kind: str, value: str, f: MentionFilters
) -> ColumnElement[bool]:
    """The mention is tagged ``kind`` = ``value``: from the tag list when it is short,
    else as a test on each mention (see the module docstring)."""
    t = mention_tags.c
    listed = select(t.mention_id).where(
        t.workspace_id == workspace_id, t.kind == kind, t.value == value
    )
    if f.since is not None:
        listed = listed.where(t.created >= f.since)
    if f.until is not None:
        listed = listed.where(t.created < f.until)
    few = conn.execute(
        select(func.count()).select_from(listed.limit(FEW_TAGGED + 1).subquery())
    ).scalar_one()
    if few <= FEW_TAGGED:
        return mentions.c.id.in_(listed)
    return exists().where(t.mention_id == mentions.c.id, t.kind == kind, t.value == value)


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
    if f.min_engagement is not None:
        where.append(mentions.c.engagement >= f.min_engagement)
    if f.author:
        where.append(mentions.c.author_id.in_(_author_ids(f.author)))
    if f.authenticity:
        score = mentions.c.insight[("who", "authenticity")].as_float()
        where.append(score >= 0.5 if f.authenticity == "authentic" else score < 0.5)
    if f.media is not None:
        where.append(mentions.c.insight[("how", "has_media")].as_boolean().is_(f.media))
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


#: The earliest time a window without a start reads the rollups from.
_DAWN = datetime(1, 1, 1, tzinfo=UTC)


def _facets(f: MentionFilters) -> list[tuple[str, str]]:
    """The filters that are rollup facets, as (facet, value) the way the rollups hold them."""
    found: list[tuple[str, str]] = []
    for name in ("network", "post_type", "relationship", "intent", "authenticity"):
        value = getattr(f, name)
        if value:
            found.append((name, str(value).lower() if name == "network" else str(value)))
    if f.language:
        found.append(("language", f.language.lower()))
    for name in ("in_locale", "media"):
        value = getattr(f, name)
        if value is not None:
            found.append((name, "yes" if value else "no"))
    return found + f.tagged()


def _rollup_count(conn: Connection, workspace_id: int, f: MentionFilters) -> int | None:
    """The exact number of matches from the rollups, or ``None`` when the filters are a
    combination they do not hold (see the module docstring)."""
    if search_words(f.text) or f.author or f.min_reach is not None:
        return None
    if f.min_engagement is not None:
        return None
    facets = _facets(f)
    since = f.since if f.since is not None else _DAWN
    tally: Tally | None = None
    if not facets:
        sid = 0 if f.stream is None else f.stream
        tally = window_tallies(conn, workspace_id, since, f.until, stream=sid).get(sid, Tally())
    elif f.stream is None and len(facets) == 1:
        counts = facet_counts(conn, workspace_id, since, f.until, only=facets[0])
        c = counts.get(facets[0][0], {}).get(facets[0][1])
        tally = Tally(c.mentions, c.positive, c.negative) if c else Tally()
    if tally is None:
        return None
    if f.sentiment == "positive":
        return tally.positive
    if f.sentiment == "negative":
        return tally.negative
    if f.sentiment == "neutral":
        return tally.neutral
    return tally.mentions if not f.sentiment else 0


def _where(
    conn: Connection, workspace_id: int, f: MentionFilters
) -> tuple[list[ColumnElement[bool]], bool]:
    """Every condition of the filters, and whether the text search found its word
    common (it then counts fewer matches: see :data:`COMMON_WORD_COUNT_LIMIT`)."""
    where = _conditions(workspace_id, f)
    where += [_tag_condition(conn, workspace_id, k, v, f) for k, v in f.tagged()]
    common = False
    if search_words(f.text):
        narrowed = _text_search(conn, search_words(f.text))
        common = narrowed is None
        where += narrowed or []
    return where, common


def _matched_terms(terms: Any) -> tuple[str, ...]:
    """The insight's ``what.matched_terms`` (read alone: the whole insight is not needed)."""
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
    are more): a count the rollups cannot answer must otherwise visit every matching
    row, and a rare filter that the indexes do not cover (intents, the text search)
    would read the whole table for a number nobody needs exactly. ``None`` counts
    everything. A search for a common word (see :data:`FEW_CANDIDATES`) stops counting
    sooner, at :data:`COMMON_WORD_COUNT_LIMIT`: each match costs a look at the post's
    text. A count the rollups answer is exact and costs the same whatever the number;
    it is held to the same limit, so the page reads alike.
    """
    where, common = _where(conn, workspace_id, filters)
    if common and count_limit is not None:
        count_limit = min(count_limit, COMMON_WORD_COUNT_LIMIT)
    total = _rollup_count(conn, workspace_id, filters)
    if total is None:
        matching = select(mentions.c.id).select_from(mentions)
        if search_words(filters.text):
            matching = matching.join(posts, posts.c.id == mentions.c.post_id)
        matching = matching.where(*where)
        if count_limit is not None:
            matching = matching.limit(count_limit + 1)
        total = int(
            conn.execute(select(func.count()).select_from(matching.subquery())).scalar_one()
        )
    more = count_limit is not None and total > count_limit
    return MentionPage(
        rows=_page(conn, where, limit, offset, bool(search_words(filters.text))),
        total=min(total, count_limit) if count_limit is not None else total,
        more=more,
    )


def list_mentions(
    conn: Connection,
    workspace_id: int,
    filters: MentionFilters,
    *,
    limit: int = 50,
    offset: int = 0,
) -> list[MentionRow]:
    """The newest mentions matching ``filters`` (one page), without counting them."""
    where = _where(conn, workspace_id, filters)[0]
    return _page(conn, where, limit, offset, bool(search_words(filters.text)))


def _page(
    conn: Connection,
    where: Sequence[ColumnElement[bool]],
    limit: int,
    offset: int,
    text_search: bool = False,
) -> list[MentionRow]:
    """One page of the matching mentions: their ids first, from the mentions alone (and
    the posts' text for a search), then the posts and authors of those ids only. An
    author's 20,000 mentions are sorted by time from the author index that way, where
    joining each one's post before the sort cost 150 ms."""
    order = (mentions.c.created.desc(), mentions.c.id.desc())
    ids = select(mentions.c.id).select_from(mentions)
    if text_search:
        ids = ids.join(posts, posts.c.id == mentions.c.post_id)
    ids = ids.where(*where).order_by(*order).limit(limit).offset(offset)
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
            mentions.c.insight[("what", "matched_terms")].label("matched_terms"),
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
        .where(mentions.c.id.in_(ids))
        .order_by(*order)
    ).all()
    names = mention_stream_names(conn, [r.id for r in rows])
    return [_row(r, names.get(r.id, ())) for r in rows]


def mention_stream_names(
    conn: Connection, mention_ids: Sequence[int]
) -> dict[int, tuple[str, ...]]:
    """The names of the streams each mention matched, in the streams' order."""
    if not mention_ids:
        return {}
    rows = conn.execute(
        select(mention_streams.c.mention_id, streams.c.name)
        .join(streams, streams.c.id == mention_streams.c.stream_id)
        .where(mention_streams.c.mention_id.in_(list(mention_ids)))
        .order_by(mention_streams.c.mention_id, streams.c.id)
    ).all()
    out: dict[int, list[str]] = {}
    for mention_id, name in rows:
        out.setdefault(int(mention_id), []).append(str(name))
    return {k: tuple(v) for k, v in out.items()}


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
        matched_terms=_matched_terms(r.matched_terms),
    )
