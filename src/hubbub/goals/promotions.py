"""Promotions: the promo codes a business declared, where they were posted and mentioned,
and how often they were redeemed.

A code is found as a whole word without case (``sourdough10`` and ``#SOURDOUGH10`` are
``SOURDOUGH10``; ``SOURDOUGH100`` is another code). Over [start, end):

- ``codes``: codes declared; ``codes_active``: of those, running during some part of
  the window (no dates: always);
- ``posted``: the business's own posts (read from its accounts, or published by
  hubbub and not read back) holding a declared code;
- ``mentioned``: people's mentions holding a declared code (the business, its staff
  and competitors left out); ``mentioned_people``: their distinct authors;
- ``redeemed``: redemptions imported (``hubbub goals redemptions FILE.csv``) in the
  window, of any code; ``redeemed_amount``: the sum of their order values, only when
  the export gave some;
- ``redeemed_per_mention``: redemptions for each mention of a code (0 without mentions).

The headline is the redemptions. :func:`code_table` lists the same per code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from hubbub.goals.common import Measured, share, stored_workspace, whole_words
from hubbub.model import Goal
from hubbub.store.goal_rows import own_texts, people_mentions
from hubbub.store.goals import PromoCode, promo_codes_of, redemptions

__all__ = ["CodeRow", "codes_in", "measured", "promotions"]


@dataclass(frozen=True, slots=True)
class CodeRow:
    """One code's figures in the window; ``declared`` False for a code only seen in the
    redemptions."""

    code: str
    description: str
    declared: PromoCode | None
    active: bool
    posted: int
    mentioned: int
    redeemed: int
    amount: float | None


def codes_in(text: str, codes: list[str]) -> set[str]:
    """The declared codes (upper-case) that ``text`` holds as whole words."""
    pattern = whole_words(codes)
    if pattern is None:
        return set()
    return {m.group(0).upper().lstrip("#") for m in pattern.finditer(text)}


def measured(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Measured:
    declared = promo_codes_of(conn, workspace_id)
    codes = [c.code for c in declared]
    ws = stored_workspace(conn, workspace_id)
    posted: Counter[str] = Counter()
    mentioned: Counter[str] = Counter()
    posts_with, mentions_with = 0, 0
    people: set[int] = set()
    if codes:
        for own in own_texts(conn, workspace_id, ws.handles if ws else {}, start, end):
            found = codes_in(own.text, codes)
            posted.update(found)
            posts_with += bool(found)
        for m in people_mentions(conn, workspace_id, start, end, text_like=codes):
            found = codes_in(m.text, codes)
            if found and m.post_type != "repost":
                mentioned.update(found)
                mentions_with += 1
                people.add(m.author_id)
    redeemed = redemptions(conn, workspace_id, start, end)
    amounts = [r.amount for r in redeemed if r.amount is not None]
    figures: dict[str, float] = {
        "codes": float(len(declared)),
        "codes_active": float(sum(c.active_in(start, end) for c in declared)),
        "posted": float(posts_with),
        "mentioned": float(mentions_with),
        "mentioned_people": float(len(people)),
        "redeemed": float(len(redeemed)),
    }
    if amounts:
        figures["redeemed_amount"] = round(sum(amounts), 2)
    figures["redeemed_per_mention"] = share(len(redeemed), mentions_with)
    by_code: Counter[str] = Counter(r.code for r in redeemed)
    amount_by: dict[str, float] = {}
    for r in redeemed:
        if r.amount is not None:
            amount_by[r.code] = amount_by.get(r.code, 0.0) + r.amount
    rows = [
        CodeRow(
            c.code,
            c.description,
            c,
            c.active_in(start, end),
            posted[c.code],
            mentioned[c.code],
            by_code[c.code],
            round(amount_by[c.code], 2) if c.code in amount_by else None,
        )
        for c in declared
    ]
    rows += [
        CodeRow(code, "", None, False, 0, 0, n, amount_by.get(code))
        for code, n in sorted(by_code.items())
        if code not in codes
    ]
    points = [(r.redeemed, 1.0) for r in redeemed]
    return Measured(Goal("promotions", figures), points, {"codes": rows})


def promotions(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """The promotions figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end).goal
