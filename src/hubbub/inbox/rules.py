"""The inbox's rules as pure functions: who needs a person, priority, states, lengths.

See :mod:`hubbub.inbox` for the rules and the priority formula in words; this
module holds them as code with no I/O, so they can be tested (and read) alone.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import regex

from hubbub.insight.who import same_handle
from hubbub.model import Workspace
from hubbub.store.inbox import AgeStep
from hubbub.text import extract_entities, parse_tweet

__all__ = [
    "ACTIONABLE_INTENTS",
    "INTENT_POINTS",
    "RESOLVED_STATES",
    "TRADE_INTENTS",
    "TRANSITIONS",
    "Candidate",
    "InboxError",
    "age_points",
    "age_steps",
    "base_priority",
    "is_addressed",
    "needs_person",
    "reply_length",
    "response_deadline",
    "same_any",
    "workspace_handles",
]

ACTIONABLE_INTENTS = ("complaint", "question", "purchase_intent", "recommendation_request")
TRADE_INTENTS = ("question", "recommendation_request")  # leads even when not about us
INTENT_POINTS: Mapping[str, float] = {
    "complaint": 40.0,
    "question": 30.0,
    "purchase_intent": 30.0,
    "recommendation_request": 25.0,
}
ADDRESSED_POINTS = 10.0
REACH_CAP = 25.0

#: state -> the states it may move to (assigning is :func:`assign`'s job)
TRANSITIONS: Mapping[str, frozenset[str]] = {
    "new": frozenset({"replied", "done", "ignored"}),
    "assigned": frozenset({"new", "replied", "done", "ignored"}),
    "replied": frozenset({"done", "new"}),
    "done": frozenset({"new"}),
    "ignored": frozenset({"new"}),
}
RESOLVED_STATES = ("done", "ignored")
REPLY_LIMITS: Mapping[str, int] = {"x": 280, "mastodon": 500, "bluesky": 300}


class InboxError(ValueError):
    """An inbox action that cannot be done as asked; the message says why (one line)."""


# --- rules: pure functions ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Candidate:
    """What triage knows of a mention: enough to decide and to rank."""

    network: str
    author_handle: str
    relationship: str
    post_type: str
    intents: tuple[str, ...]
    sentiment_label: str
    sentiment_score: float
    followers: int | None
    reply_to_handle: str | None = None
    mentioned: tuple[str, ...] = ()  # @handles in the text, without the sigil
    stream_kinds: tuple[str, ...] = ("brand",)  # kinds of the streams that matched it


def workspace_handles(mappings: Iterable[Mapping[str, str]], network: str) -> list[str]:
    return [h for m in mappings if (h := m.get(network))]


def same_any(handles: Iterable[str], wanted: Sequence[str]) -> bool:
    return any(same_handle(h, w) for h in handles for w in wanted)


def is_addressed(c: Candidate, ws: Workspace) -> bool:
    """The post replies to or @mentions one of the business's handles."""
    own = workspace_handles([ws.handles], c.network)
    targets = [*c.mentioned, *([c.reply_to_handle] if c.reply_to_handle else [])]
    return same_any(targets, own)


def needs_person(c: Candidate, ws: Workspace) -> str | None:
    """Why this mention needs a person (its top intent, ``reply`` or ``mention``), or
    ``None`` when it does not. Being answered already is checked by :func:`triage`."""
    team = workspace_handles([ws.handles, *(m.handles for m in ws.team)], c.network)
    if c.relationship in ("business", "staff") or same_any([c.author_handle], team):
        return None
    if c.post_type == "repost" or "spam_promo" in c.intents:
        return None
    addressed = is_addressed(c, ws)
    if not addressed:
        rivals = workspace_handles((comp.handles for comp in ws.competitors), c.network)
        targets = [*c.mentioned, *([c.reply_to_handle] if c.reply_to_handle else [])]
        if same_any(targets, rivals):
            return None
    brand = addressed or "brand" in c.stream_kinds
    trade = brand or "industry" in c.stream_kinds
    acting = [
        i
        for i in ACTIONABLE_INTENTS
        if i in c.intents and (brand or (trade and i in TRADE_INTENTS))
    ]
    if acting:
        return max(acting, key=lambda i: INTENT_POINTS[i])
    if addressed:
        own = workspace_handles([ws.handles], c.network)
        direct = c.reply_to_handle is not None and same_any([c.reply_to_handle], own)
        return "reply" if direct else "mention"
    return None


def base_priority(c: Candidate, ws: Workspace) -> float:
    """The time-independent priority (intent + addressed + negative + reach), 0..100."""
    points = max((INTENT_POINTS.get(i, 0.0) for i in c.intents), default=0.0)
    if is_addressed(c, ws):
        points += ADDRESSED_POINTS
    if c.sentiment_label == "negative":
        points += 10.0 + 15.0 * min(1.0, abs(c.sentiment_score))
    points += min(REACH_CAP, 5.0 * math.log10(1 + max(0, c.followers or 0)))
    return round(points, 2)


def age_points(hours: float, target_hours: float) -> float:
    """The age part of the priority for an item that has waited ``hours``."""
    for limit, points in _age_table(target_hours):
        if hours < limit:
            return points
    return 0.0


def _age_table(target: float) -> list[tuple[float, float]]:
    """(hours waited below which, points), youngest first; the bounds never go down."""
    target = max(target, 0.01)
    bounds = [(target / 2, 0.0), (target, 10.0), (max(target, 72.0), 20.0)]
    bounds.append((max(target, 14 * 24.0), 10.0))
    return bounds


def age_steps(now: datetime, target_hours: float) -> list[AgeStep]:
    """:func:`age_points` as (created-after cutoff, points) steps for the store's query."""
    return [(now - timedelta(hours=limit), pts) for limit, pts in _age_table(target_hours)]


def response_deadline(now: datetime, target_hours: float) -> datetime:
    """Open items created before this are overdue."""
    return now - timedelta(hours=target_hours)


def reply_length(text: str, network: str) -> tuple[int, int | None, bool]:
    """(length as the network counts it, its limit or None, whether it fits).

    X counts with twitter-text's weighted length (URLs 23, CJK and emoji 2).
    Mastodon (``StatusLengthValidator``) counts grapheme clusters after replacing
    every URL that has its ``http(s)://`` by 23 characters and every ``@user@domain``
    mention by ``@user``. Bluesky counts grapheme clusters (an emoji with modifiers is
    one) and also refuses a text over 3,000 UTF-8 bytes (the lexicon's ``maxLength``):
    such a text does not fit, whatever its length.
    """
    if network == "x":
        parsed = parse_tweet(text)
        return parsed.weighted_length, 280, parsed.valid
    limit = REPLY_LIMITS.get(network)
    fits_bytes = True
    if network == "mastodon":
        length = _graphemes(_mastodon_countable(text))
    elif network == "bluesky":
        length = _graphemes(text)
        fits_bytes = len(text.encode("utf-8")) <= BLUESKY_MAX_BYTES
    else:
        length = len(text)
    fits = limit is None or length <= limit
    return length, limit, bool(text.strip()) and fits and fits_bytes


BLUESKY_MAX_BYTES = 3000
_GRAPHEME = regex.compile(r"\X")
_PROTOCOL = regex.compile(r"https?://", regex.IGNORECASE)
# Mastodon's Account::MENTION_RE: @user or @user@domain, not inside a word or a path
_MASTODON_MENTION = regex.compile(
    r"(?<![=/\w])@((\w+(?:[.-]+\w+)*)(?:@\w+(?:[.-]+\w+)*)?)", regex.IGNORECASE
)


def _graphemes(text: str) -> int:
    return len(_GRAPHEME.findall(text))


def _mastodon_countable(text: str) -> str:
    """The text as Mastodon counts it: URLs as 23 x's, remote mentions without the domain."""
    spans = [
        (u.start, u.end, "x" * 23) for u in extract_entities(text).urls if _PROTOCOL.match(u.text)
    ]
    for m in _MASTODON_MENTION.finditer(text):
        if not any(start < m.end() and m.start() < end for start, end, _ in spans):
            spans.append((m.start(), m.end(), "@" + m.group(2)))
    out, at = [], 0
    for start, end, replacement in sorted(spans):
        out.append(text[at:start])
        out.append(replacement)
        at = end
    out.append(text[at:])
    return "".join(out)
