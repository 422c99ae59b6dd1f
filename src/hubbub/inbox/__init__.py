"""The inbox: which mentions need a person, how urgent each is, and what the team did.

Listening is worth little if nobody answers, so :func:`triage` turns a workspace's
mentions into inbox items; :mod:`hubbub.listen` calls it after every batch in the
batch's own transaction, and it is idempotent (a mention has at most one item, and
running it again changes nothing but the stored priority of open items).

Which mentions need a person (:func:`needs_person`), in this order:

1. not from the business itself or its staff (relationship, or a handle of the
   workspace or its team), and not a repost;
2. not spam/promotion (``spam_promo`` among its intents);
3. addressed to the business (a reply to one of its handles, or an @mention of
   one), or with an intent someone should act on about the business: a complaint,
   question or purchase intent that its brand stream matched, or a question or
   recommendation request about its trade (brand or industry stream: a lead).
   A locale-only question ("who's going to the craft fair?") is not the
   business's to answer, and a post addressed to a competitor (and not to the
   business) is the competitor's;
4. not already answered: no later post by the business (or a team member's
   handle) replying in the same conversation (same ``conversation_id``, or a
   direct reply to the post).

An open item whose thread gets such an answer later is marked ``replied`` by
hubbub itself, with the answer's time as its first response.

Priority, in points (:func:`base_priority` is stored; :func:`age_points` is added
when reading, see :mod:`hubbub.store.inbox`)::

    intent     complaint 40, question 30, purchase intent 30, recommendation request 25
               (the largest of the post's intents; 0 when none of these)
  + addressed  10 when the post replies to or @mentions the business
  + negative   10 + 15 * |sentiment score| when the sentiment is negative, else 0
  + reach      5 * log10(1 + followers), at most 25 (10 followers: 5, 100k: 25)
  + age        hours waited h against the response target T: 0 while h < T/2,
               10 while h < T, 20 once overdue until 3 days, 10 until 14 days, then 0
               (a question from last month is stale; one just past the target is not)

States and transitions (:data:`TRANSITIONS`): ``new`` and ``assigned`` are open;
``replied`` records the first response (time and who); ``done`` and ``ignored``
record the resolution. Every change is written to ``audit_log`` with who and when.

Modules: ``rules`` (the pure functions above), ``intake`` (:func:`triage`) and
``actions`` (what people do, and the response-time figures). Reads for views live
in :mod:`hubbub.store.inbox`.
"""

from hubbub.inbox.actions import (
    BulkResult,
    MemberTimes,
    add_canned_reply,
    add_note,
    assign,
    bulk,
    delete_canned_reply,
    mark_replied,
    member_times,
    record_audit,
    set_state,
)
from hubbub.inbox.intake import TriageReport, triage
from hubbub.inbox.rules import (
    ACTIONABLE_INTENTS,
    INTENT_POINTS,
    TRANSITIONS,
    Candidate,
    InboxError,
    age_points,
    age_steps,
    base_priority,
    is_addressed,
    needs_person,
    reply_length,
    response_deadline,
)

__all__ = [
    "ACTIONABLE_INTENTS",
    "INTENT_POINTS",
    "TRANSITIONS",
    "BulkResult",
    "Candidate",
    "InboxError",
    "MemberTimes",
    "TriageReport",
    "add_canned_reply",
    "add_note",
    "age_points",
    "age_steps",
    "assign",
    "base_priority",
    "bulk",
    "delete_canned_reply",
    "is_addressed",
    "mark_replied",
    "member_times",
    "needs_person",
    "record_audit",
    "reply_length",
    "response_deadline",
    "set_state",
    "triage",
]
