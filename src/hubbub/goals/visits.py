"""Visits: people who came to the business's premises, as their posts tell.

Two kinds of post, from people (not the business, its staff or competitors; never
reposts), over [start, end):

- a **check-in**: a Swarm/Foursquare-style post at the business, "I'm at Larkspur
  Bakery in Asheville, NC" or a shout ending "(@ Larkspur Bakery in Asheville, NC)",
  or any post tagged with a place named after the business. The venue names the
  business when it holds the business's name or one of its handles (of at least
  :data:`MIN_HANDLE` characters, and not just one word of the name), or is a whole-word
  start of the name of at least :data:`MIN_VENUE` characters ("Larkspur");
- a **visit mention**: a mention about the business (a brand stream matched it) from
  someone hubbub places in the business's locale (``in_locale``), saying they were there:
  "stopped by", "popped in", "came in", "visited", "grabbed a croissant" ... (the list
  is :data:`VISIT_PHRASES`).

Figures: ``checkins``, ``visit_mentions``, ``visits`` (their sum: a post is one or the
other), ``visitors`` (distinct authors) and ``visits_per_week``. The headline is the
visits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from hubbub.goals.common import Measured, fold, stored_workspace, weeks_in
from hubbub.model import Goal, Workspace
from hubbub.store.goal_rows import PersonMention, people_mentions

__all__ = [
    "MIN_VENUE",
    "VISIT_PHRASES",
    "business_names",
    "checkin_venue",
    "is_checkin",
    "is_visit_mention",
    "measured",
    "names_business",
    "visits",
]

MIN_VENUE = 5
MIN_HANDLE = 6
#: phrases that say the author was at the place (matched as whole words, without case)
VISIT_PHRASES: tuple[str, ...] = (
    "stopped by",
    "stopped in",
    "stopped at",
    "popped in",
    "popped into",
    "popped by",
    "dropped by",
    "dropped in",
    "swung by",
    "came in",
    "came by",
    "visited",
    "just left",
    "was at",
    "were at",
    "went to",
    "made it to",
    "grabbed",
    "picked up",
    "in line at",
    "sitting at",
    "here at",
)
_PHRASES = re.compile(
    r"\b(?:" + "|".join(p.replace(" ", r"\s+") for p in VISIT_PHRASES) + r")\b", re.IGNORECASE
)
# "I'm at VENUE[ - @handle][ (address)][ in Town, ST][ http...]", Swarm's own words
_IM_AT = re.compile(r"\bI['’]?m\s+at\s+(?P<venue>[^\n]+)", re.IGNORECASE)
# a shout: "... (@ VENUE[ in Town, ST])"
_SHOUT = re.compile(r"\(@\s*(?P<venue>[^)\n]+)\)")
_VENUE_END = re.compile(r"\s+(?:in|on|near)\s+|\s+[-–—(]\s*|\s+https?://|[!.,;]\s|[!.,;]?$")
#: cheap substrings for the SQL pre-filter: check-ins, and the visit phrases (a long first
#: word alone, so "popped  in" passes too; short ones whole)
_MARKERS = ("i'm at", "i’m at", "im at", "(@")
_SAID = tuple(sorted({p.split()[0] if len(p.split()[0]) >= 5 else p for p in VISIT_PHRASES}))


def checkin_venue(text: str) -> str | None:
    """The venue a Swarm/Foursquare-style check-in names, or None for another post."""
    found = _SHOUT.search(text) or _IM_AT.search(text)
    if found is None:
        return None
    venue = found.group("venue").strip()
    cut = _VENUE_END.search(venue)
    return (venue[: cut.start()] if cut else venue).strip() or None


def business_names(ws: Workspace) -> tuple[str, ...]:
    """The folded names a venue may use: the business's name and its handles' stems."""
    name = fold(ws.name)
    names = {name}
    for handle in ws.handles.values():
        stem = handle.strip().lstrip("@").split("@", 1)[0]
        stem = fold(stem.split(".", 1)[0])  # name.bsky.social
        # "larkspurbakes", but not a short word or one word of the name ("larkspur"):
        # alone it names other places too ("Larkspur Lane Cafe")
        if len(stem) >= MIN_HANDLE and stem not in name.split():
            names.add(stem)
    return tuple(sorted(n for n in names if n))


def names_business(venue: str, names: tuple[str, ...]) -> bool:
    """Whether a venue (or place) name is the business's (see the module docstring)."""
    v = fold(venue)
    if not v:
        return False
    for name in names:
        if f" {name} " in f" {v} ":
            return True
        if len(v) >= MIN_VENUE and f"{name} ".startswith(f"{v} "):
            return True
    return False


def _place_name(place: Mapping[str, Any] | None) -> str:
    if not place:
        return ""
    return str(place.get("name") or place.get("full_name") or "")


def is_checkin(m: PersonMention, names: tuple[str, ...]) -> bool:
    """A check-in at the business: a check-in post whose venue, or a post whose place,
    names it."""
    venue = checkin_venue(m.text)
    if venue is not None and names_business(venue, names):
        return True
    place = _place_name(m.place)
    return bool(place) and names_business(place, names)


def is_visit_mention(m: PersonMention) -> bool:
    """A mention about the business, from its locale, that says they were there."""
    return m.brand and m.in_locale is True and _PHRASES.search(m.text) is not None


def _first_word(ws: Workspace | None) -> set[str]:
    """The name's first word as written (accents kept), for the SQL pre-filter."""
    words = ws.name.split() if ws is not None else []
    return {words[0].lower()} if words else set()


def measured(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Measured:
    ws = stored_workspace(conn, workspace_id)
    names = business_names(ws) if ws is not None else ()
    checkins, mentions_, seen = [], [], []
    found = people_mentions(
        conn,
        workspace_id,
        start,
        end,
        text_like=_MARKERS,
        place_like=sorted({n.split()[0] for n in names} | _first_word(ws)),
        brand_local_like=_SAID,
    )
    for m in found:
        if m.post_type == "repost":
            continue
        if names and is_checkin(m, names):
            checkins.append(m)
        elif is_visit_mention(m):
            mentions_.append(m)
        else:
            continue
        seen.append(m)
    figures: dict[str, float] = {
        "checkins": float(len(checkins)),
        "visit_mentions": float(len(mentions_)),
        "visits": float(len(seen)),
        "visitors": float(len({m.author_id for m in seen})),
        "visits_per_week": len(seen) / weeks_in(start, end),
    }
    points = [(m.created, 1.0) for m in seen]
    recent = sorted(seen, key=lambda m: m.created, reverse=True)[:5]
    details = {"recent": [(m, m in checkins) for m in recent]}
    return Measured(Goal("visits", figures), points, details)


def visits(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """The visits figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end).goal
