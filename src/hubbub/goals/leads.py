"""Leads: people ready to buy or asking where to go, followed through to won or lost.

A lead is a mention by a person (not the business, its staff or a competitor, nor a
news feed; not a repost, spam or a complaint: "my cake order was wrong" names an order
but nobody is about to buy) with a purchase intent that a brand stream matched, or a
request for a recommendation that a brand or industry stream matched
(:data:`hubbub.store.goals.LEAD_INTENTS`). Nothing is copied at ingest: every such
mention is a lead, so imports and backfills count too.

Its status is what a person set on the Goals page or the inbox item (``open`` →
``contacted`` → ``won`` / ``lost``); without one it is ``contacted`` once the inbox
shows an answer to it, else ``open``. It was contacted at the earlier of that answer
and the time someone first set it to ``contacted``.

Over the leads whose mention was made in [start, end), with their status now:

- ``new_leads``; of them ``purchase_intent`` and ``recommendation_requests`` (a mention
  may be both);
- ``open``, ``contacted``, ``won``, ``lost``: by status (they add up to ``new_leads``);
- ``reached``: leads with a contact time (a won lead that walked in was never reached);
- ``conversion_rate`` (0..1): won over new leads;
- ``median_hours_to_contact``: from the mention to the contact, over the reached leads
  (only when there are some).

The headline is the new leads.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from hubbub.goals.common import Measured, median, share
from hubbub.model import Goal
from hubbub.store.goals import LEAD_STATUSES, LeadRow, lead_rows, set_lead_status

__all__ = ["contact_time", "leads", "measured", "set_status", "status_of"]


def status_of(lead: LeadRow) -> str:
    """The lead's status: the one a person set, else ``contacted`` once answered, else open."""
    if lead.status is not None:
        return lead.status
    return "contacted" if lead.first_response is not None else "open"


def contact_time(lead: LeadRow) -> datetime | None:
    """When the lead was first contacted: the inbox's first answer or the status change."""
    times = [t for t in (lead.contacted, lead.first_response) if t is not None]
    return min(times) if times else None


def measured(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Measured:
    rows = lead_rows(conn, workspace_id, start, end)
    by_status = dict.fromkeys(LEAD_STATUSES, 0)
    waits: list[float] = []
    for lead in rows:
        by_status[status_of(lead)] += 1
        contacted = contact_time(lead)
        if contacted is not None:
            waits.append(max(0.0, (contacted - lead.created).total_seconds() / 3600))
    figures: dict[str, float] = {
        "new_leads": float(len(rows)),
        "purchase_intent": float(sum("purchase_intent" in r.intents for r in rows)),
        "recommendation_requests": float(sum("recommendation_request" in r.intents for r in rows)),
        **{status: float(n) for status, n in by_status.items()},
        "reached": float(len(waits)),
        "conversion_rate": share(by_status["won"], len(rows)),
    }
    if waits:
        figures["median_hours_to_contact"] = median(waits) or 0.0
    points = [(r.created, 1.0) for r in rows]
    return Measured(Goal("leads", figures), points, {"leads": rows})


def leads(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """The leads figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end).goal


def set_status(
    conn: Connection,
    workspace_id: int,
    mention_id: int,
    status: str,
    user_id: int | None,
    *,
    now: datetime | None = None,
) -> str:
    """Set a lead's status in the caller's transaction (audited as ``lead.status``);
    return the status it had. Raises :class:`hubbub.store.goals.GoalStoreError`."""
    return set_lead_status(conn, workspace_id, mention_id, status, user_id=user_id, now=now)
