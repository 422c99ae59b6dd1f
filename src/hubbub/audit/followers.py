"""Audit a business's followers: which look authentic, which questionable, and why.

The input is whatever a user exported, one profile per line (JSON Lines): X v1.1
or v2 users, Mastodon accounts, Bluesky profiles or hubbub's Account JSON, told
apart per line (:func:`hubbub.audit.profiles.account_from_json`). Lines are judged
in batches, so the features and the tree walk are array operations over
thousands of accounts at once (:mod:`hubbub.insight.authenticity`); only parsing
and the words of the reasons are per account. A bad line is reported with its
number and skipped; the rest go on.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice

import numpy as np

from hubbub.audit.profiles import ProfileError, account_from_json
from hubbub.insight.authenticity import Ensemble, feature_matrix, load_model
from hubbub.insight.reasons import MEMBERS, explain_groups
from hubbub.model import Account

__all__ = [
    "BATCH",
    "THRESHOLD",
    "Failure",
    "Summary",
    "Verdict",
    "audit_followers",
    "judge",
    "parse_lines",
    "summarise",
    "tally",
]

_decode = json.JSONDecoder().decode
#: Accounts judged per batch.
BATCH = 8192
#: An account is authentic when its score is at least this.
THRESHOLD = 0.5


@dataclass(slots=True)  # not frozen: one is made per account, and frozen init costs more
class Verdict:
    """One account's judgement; ``score`` is the probability it is authentic."""

    id: str
    network: str
    handle: str
    authentic: bool
    score: float
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "network": self.network,
            "handle": self.handle,
            "authentic": self.authentic,
            "score": self.score,
            "reasons": self.reasons,
        }


@dataclass(frozen=True, slots=True)
class Failure:
    """A line that is not a profile: its number (from 1) and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class Summary:
    accounts: int
    authentic: int
    questionable: int
    share_questionable: float

    def to_json(self) -> dict[str, object]:
        return {
            "summary": {
                "accounts": self.accounts,
                "authentic": self.authentic,
                "questionable": self.questionable,
                "share_questionable": self.share_questionable,
            }
        }


def parse_lines(lines: Iterable[str | bytes], start: int = 1) -> Iterator[Account | Failure]:
    """Each non-blank line as an Account, or a Failure naming its line and what is wrong."""
    for number, line in enumerate(lines, start):
        if not line.strip():
            continue
        try:
            obj = _decode(line if isinstance(line, str) else line.decode("utf-8"))
        except ValueError as exc:
            yield Failure(number, f"not JSON: {exc}")
            continue
        try:
            yield account_from_json(obj)
        except ProfileError as exc:
            yield Failure(number, str(exc))


def judge(
    accounts: Sequence[Account],
    now: datetime | None,
    model: Ensemble | None = None,
    explain: int = 3,
) -> list[Verdict]:
    """Each account's verdict, with up to ``explain`` reasons (0: none, faster)."""
    if not accounts:
        return []
    model = model or load_model()
    x = feature_matrix(accounts, now)
    if explain:
        raw, push = model.explain_by(x, MEMBERS)
    else:
        raw, push = model.raw(x), None
    score = np.round(1.0 / (1.0 + np.exp(np.clip(raw, -40.0, 40.0))), 4)  # P(authentic)
    authentic = score >= THRESHOLD
    words = explain_groups(x, push, authentic, explain) if push is not None else None
    out: list[Verdict] = []
    for i, (account, s, ok) in enumerate(
        zip(accounts, score.tolist(), authentic.tolist(), strict=True)
    ):
        out.append(
            Verdict(account.id, account.network, account.handle, ok, s, words[i] if words else [])
        )
    return out


def tally(authentic: int, questionable: int) -> Summary:
    """The summary of so many authentic and questionable accounts."""
    total = authentic + questionable
    return Summary(total, authentic, questionable, round(questionable / total, 4) if total else 0.0)


def summarise(verdicts: Iterable[Verdict]) -> Summary:
    """How many accounts, how many authentic and questionable, and the questionable share."""
    good = bad = 0
    for verdict in verdicts:
        if verdict.authentic:
            good += 1
        else:
            bad += 1
    return tally(good, bad)


def audit_followers(
    lines: Iterable[str | bytes],
    now: datetime | None,
    emit: Callable[[Verdict], None],
    fail: Callable[[Failure], None],
    explain: int = 3,
    batch: int = BATCH,
) -> tuple[Summary, int]:
    """Judge every profile in ``lines``; returns the summary and the number of bad lines.

    ``emit`` gets each verdict in input order, ``fail`` each bad line, as they come.
    """
    model = load_model()
    parsed = parse_lines(lines)
    good = bad = failed = 0
    while chunk := list(islice(parsed, batch)):
        accounts: list[Account] = []
        for item in chunk:
            if isinstance(item, Failure):
                fail(item)
                failed += 1
            else:
                accounts.append(item)
        for verdict in judge(accounts, now, model, explain):
            emit(verdict)
            if verdict.authentic:
                good += 1
            else:
                bad += 1
    return tally(good, bad), failed
