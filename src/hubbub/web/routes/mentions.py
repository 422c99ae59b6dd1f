"""The Mentions page: every mention of a workspace, filtered on its insight, newest first.

The filters are a plain GET form, so a filtered list is a URL to bookmark or share
and the page works with JavaScript off; htmx submits the same form on change and
swaps the results in place (``hx-select``), pushing the URL. The query lives in
:mod:`hubbub.store.mention_search`; this module parses the form (a bad value is
named in a one-line message and left out, never a 422), turns the date range, given
in the workspace's timezone, into UTC bounds, and marks up each post.

Why the highlighting is composed here rather than in the template: a post's text
is shown with its entities linked (:func:`hubbub.web.format.linkify`, HTML-escaped)
and with the terms its streams matched (the insight's ``what.matched_terms``) and
the search words wrapped in ``<mark>`` by :func:`hubbub.text.highlight`.
``highlight`` counts offsets in the HTML's text outside tags, so hits found in the
raw text are moved to the escaped text (``&`` is five characters there), and a hit
that crosses a link's edge is cut at the edge so the markup stays well nested.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request, Response
from markupsafe import Markup, escape

from hubbub.model import INTENTS, NETWORKS, POST_TYPES, RELATIONSHIPS, SENTIMENT_LABELS, Entities
from hubbub.store.mention_search import (
    COUNT_LIMIT,
    MentionFilters,
    search_mentions,
    search_words,
)
from hubbub.store.queries import workspace_streams
from hubbub.store.users import user_workspaces
from hubbub.text import highlight
from hubbub.web.deps import ConnDep, CurrentUser, CurrentWorkspace
from hubbub.web.format import linkify
from hubbub.web.pages import render

__all__ = [
    "PAGE_SIZE",
    "FormState",
    "marked_text",
    "merge_hits",
    "parse_form",
    "router",
    "term_hits",
]

router = APIRouter()

PAGE_SIZE = 50
#: The page counts matches up to this many, then says "10,000+" (see search_mentions).
COUNT_UP_TO = COUNT_LIMIT
MAX_SEARCH_LENGTH = 200
_LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})?$")

Hit = tuple[int, int]


# --- highlighting --------------------------------------------------------------------------


def _term_pattern(term: str) -> re.Pattern[str] | None:
    """A case-insensitive pattern for a matched term or search word.

    Words of a phrase may be separated by any run of non-word characters (the
    matcher tokenises phrases the same way); a term that starts or ends with a word
    character must not run into a neighbouring word there (whole words, as X
    matches keywords). A search word is a substring match, like the SQL ``LIKE``.
    """
    words = term.split()
    if not words:
        return None
    body = r"[\W_]+".join(re.escape(w) for w in words)
    head = r"(?<!\w)" if re.match(r"\w", words[0]) else ""
    tail = r"(?!\w)" if re.search(r"\w$", words[-1]) else ""
    return re.compile(head + body + tail, re.IGNORECASE)


def term_hits(text: str, terms: Iterable[str], *, whole_words: bool = True) -> list[Hit]:
    """Where each term occurs in ``text``, as ``(start, end)`` code-point offsets."""
    hits: list[Hit] = []
    for term in terms:
        if whole_words:
            pattern = _term_pattern(term)
        else:
            pattern = re.compile(re.escape(term), re.IGNORECASE) if term else None
        if pattern is None:
            continue
        hits.extend((m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start())
    return merge_hits(hits)


def merge_hits(hits: Iterable[Hit]) -> list[Hit]:
    """Hits sorted, with overlapping or touching ones joined."""
    out: list[list[int]] = []
    for start, end in sorted(hits):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def _cut(hits: Sequence[Hit], edges: Sequence[int]) -> list[Hit]:
    """Each hit split at every edge inside it, so no piece crosses a link's edge."""
    out: list[Hit] = []
    for start, end in hits:
        points = [start, *sorted(e for e in edges if start < e < end), end]
        out.extend((a, b) for a, b in itertools.pairwise(points) if b > a)
    return out


def marked_text(
    text: str,
    entities: Entities | None,
    network: str,
    author_handle: str,
    hits: Sequence[Hit],
) -> Markup:
    """The post's text as HTML: entities linked, each hit wrapped in ``<mark>``."""
    html = str(linkify(text, entities, network, author_handle))
    hits = [(a, b) for a, b in merge_hits(hits) if 0 <= a < b <= len(text)]
    if not hits:
        return Markup(html)
    edges: list[int] = []
    if entities is not None:
        for spans in (entities.hashtags, entities.mentions, entities.cashtags, entities.urls):
            edges.extend(p for s in spans for p in (s.start, s.end))
    # offset in the raw text -> offset in the escaped text (linkify escapes each character)
    shifted = [0]
    for ch in text:
        shifted.append(shifted[-1] + len(escape(ch)))
    pieces = [(shifted[a], shifted[b]) for a, b in _cut(hits, edges)]
    return Markup(highlight(html, pieces, tag="mark"))


# --- the form ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FormState:
    """The form as given (echoed back into it) and the filters it amounts to."""

    values: dict[str, str]
    filters: MentionFilters
    problems: tuple[str, ...]


FIELDS = (
    "q",
    "stream",
    "network",
    "sentiment",
    "intent",
    "post_type",
    "relationship",
    "in_locale",
    "language",
    "since",
    "until",
    "min_reach",
    "author",
    "hashtag",
    "product",
    "town",
    "client",
    "authenticity",
    "media",
    "min_engagement",
)
CHOICES: dict[str, tuple[str, ...]] = {
    "network": NETWORKS,
    "sentiment": SENTIMENT_LABELS,
    "intent": INTENTS,
    "post_type": POST_TYPES,
    "relationship": RELATIONSHIPS,
    "in_locale": ("yes", "no"),
    "authenticity": ("authentic", "questionable"),
    "media": ("yes", "no"),
}
#: Free-text filters on one value of the insight (matched whole, not as a substring)
TEXT_FIELDS = ("author", "hashtag", "product", "town", "client")
MAX_VALUE_LENGTH = 200
NETWORK_NAMES = {"x": "X", "mastodon": "Mastodon", "bluesky": "Bluesky", "rss": "RSS"}
LABELS = {
    "stream": "Stream",
    "network": "Network",
    "sentiment": "Sentiment",
    "intent": "Why",
    "post_type": "Post type",
    "relationship": "Relationship",
    "in_locale": "In town",
    "language": "Language",
    "since": "From",
    "until": "To",
    "min_reach": "Minimum reach",
    "q": "Search",
    "author": "Author",
    "hashtag": "Hashtag",
    "product": "Product",
    "town": "Town",
    "client": "Client app",
    "authenticity": "Authenticity",
    "media": "Media",
    "min_engagement": "Minimum engagement",
}
#: The filters inside "More filters" (it opens when one of them is set)
MORE_FILTERS = (
    "post_type",
    "relationship",
    "in_locale",
    "language",
    "since",
    "until",
    "min_reach",
    "min_engagement",
    "author",
    "hashtag",
    "product",
    "town",
    "client",
    "authenticity",
    "media",
)


def _day(value: str, field: str, problems: list[str]) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        problems.append(f"{LABELS[field]}: {value!r} is not a date (YYYY-MM-DD); ignored.")
        return None


def _local_midnight(day: date, tz: str) -> datetime:
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def parse_form(params: dict[str, str], stream_ids: Sequence[int], tz: str) -> FormState:
    """The filters a GET form asks for; unknown or malformed values are dropped and named."""
    raw = {k: params.get(k, "").strip() for k in FIELDS}
    problems: list[str] = []
    values: dict[str, str] = {}
    for field, allowed in CHOICES.items():
        if raw[field] and raw[field] not in allowed:
            problems.append(f"{LABELS[field]}: {raw[field]!r} is not one of the choices; ignored.")
        elif raw[field]:
            values[field] = raw[field]
    stream: int | None = None
    if raw["stream"]:
        if raw["stream"].isdigit() and int(raw["stream"]) in stream_ids:
            stream = int(raw["stream"])
            values["stream"] = raw["stream"]
        else:
            problems.append(
                f"Stream: {raw['stream']!r} is not a stream of this workspace; ignored."
            )
    language: str | None = None
    if raw["language"]:
        if _LANGUAGE.match(raw["language"]):
            language = values["language"] = raw["language"].lower()
        else:
            problems.append(
                f"Language: {raw['language']!r} is not a language code like en; ignored."
            )
    since = until = None
    if raw["since"] and (day := _day(raw["since"], "since", problems)) is not None:
        since, values["since"] = _local_midnight(day, tz), day.isoformat()
    if raw["until"] and (day := _day(raw["until"], "until", problems)) is not None:
        until, values["until"] = _local_midnight(day + timedelta(days=1), tz), day.isoformat()
    least: dict[str, int | None] = {}
    for field in ("min_reach", "min_engagement"):
        least[field] = None
        if raw[field]:
            if raw[field].isdigit():
                least[field] = int(raw[field])
                values[field] = str(least[field])
            else:
                problems.append(f"{LABELS[field]}: {raw[field]!r} is not a whole number; ignored.")
    for field in TEXT_FIELDS:
        value = raw[field][:MAX_VALUE_LENGTH]
        if value.strip("@#"):
            values[field] = value
    text = raw["q"][:MAX_SEARCH_LENGTH]
    if text:
        values["q"] = text
    filters = MentionFilters(
        stream=stream,
        network=values.get("network"),
        sentiment=values.get("sentiment"),
        intent=values.get("intent"),
        post_type=values.get("post_type"),
        relationship=values.get("relationship"),
        in_locale={"yes": True, "no": False}.get(values.get("in_locale", "")),
        language=language,
        since=since,
        until=until,
        min_reach=least["min_reach"],
        text=text,
        author=values.get("author", ""),
        hashtag=values.get("hashtag", ""),
        product=values.get("product", ""),
        town=values.get("town", ""),
        client=values.get("client", ""),
        authenticity=values.get("authenticity"),
        media={"yes": True, "no": False}.get(values.get("media", "")),
        min_engagement=least["min_engagement"],
    )
    return FormState(values=values, filters=filters, problems=tuple(problems))


# --- the page ----------------------------------------------------------------------------


@router.get("/w/{slug}/mentions")
def mention_list(
    request: Request, access: CurrentWorkspace, user: CurrentUser, conn: ConnDep, page: str = "1"
) -> Response:
    ws = access.workspace
    streams = workspace_streams(conn, ws.id)
    form = parse_form(dict(request.query_params), [s.id for s in streams], ws.timezone)
    number = max(1, int(page)) if page.isdigit() else 1
    found = search_mentions(
        conn,
        ws.id,
        form.filters,
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
        count_limit=COUNT_UP_TO,
    )
    words = search_words(form.filters.text)
    rows = [
        (
            m,
            marked_text(
                m.text,
                m.entities,
                m.network,
                m.author_handle,
                term_hits(m.text, m.matched_terms) + term_hits(m.text, words, whole_words=False),
            ),
        )
        for m in found.rows
    ]

    def page_url(n: int) -> str:
        return f"/w/{ws.slug}/mentions?" + urlencode({**form.values, "page": n})

    return render(
        request,
        "mentions.html",
        {
            "workspace": ws,
            "workspaces": user_workspaces(conn, user.user.id),
            "role": access.role,
            "rows": rows,
            "total": found.total,
            "page": number,
            "pages": max(1, -(-found.total // PAGE_SIZE)),
            "more": found.more,
            "has_next": len(found.rows) == PAGE_SIZE
            and (found.more or number * PAGE_SIZE < found.total),
            "page_url": page_url,
            "values": form.values,
            "problems": form.problems,
            "streams": streams,
            "choices": CHOICES,
            "labels": LABELS,
            "network_names": NETWORK_NAMES,
            "more_filters": MORE_FILTERS,
            "text_fields": TEXT_FIELDS,
            "filtered": bool(form.values),
        },
    )
