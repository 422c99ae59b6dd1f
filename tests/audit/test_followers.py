"""Auditing followers: batches, bad lines, the summary, and a sanity check on the demo world."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hubbub import codec
from hubbub.audit.followers import (
    Failure,
    Verdict,
    audit_followers,
    judge,
    parse_lines,
    summarise,
)
from hubbub.model import Account
from hubbub.sources.demo import generate_world
from hubbub.workspace import example_path, load_workspace

NOW = datetime(2026, 3, 14, tzinfo=UTC)


def fake(i: int) -> Account:
    return Account(
        "x", f"f{i}", f"emma{48213377 + i}", name="Emma", followers=3, following=1500 + i,
        posts=0, listed=0, created=NOW - timedelta(days=60), verified=False,
        default_avatar=True, default_profile=True,
    )  # fmt: skip


def real(i: int) -> Account:
    return Account(
        "x", f"r{i}", f"sam_reed{i}", name="Sam Reed", bio="Cyclist, bread lover",
        location="Asheville", followers=400 + i, following=350, posts=5000, listed=4,
        created=NOW - timedelta(days=3000), verified=False, default_avatar=False,
        default_profile=False,
    )  # fmt: skip


def lines(accounts: list[Account]) -> list[str]:
    return [json.dumps(codec.to_dict(a)) for a in accounts]


def test_audit_keeps_order_reports_bad_lines_and_summarises() -> None:
    accounts = [fake(0), real(0), fake(1), real(1), fake(2)]
    text = lines(accounts)
    text.insert(2, "{broken")
    text.insert(4, "")
    text.append('{"username": ""}')
    got: list[Verdict] = []
    bad: list[Failure] = []
    summary, failed = audit_followers(text, NOW, got.append, bad.append, batch=2)
    assert [v.id for v in got] == [a.id for a in accounts]
    assert [v.authentic for v in got] == [False, True, False, True, False]
    assert failed == 2 and [f.line for f in bad] == [3, 8]
    assert "not JSON" in bad[0].reason and "no username" in bad[1].reason
    assert (summary.accounts, summary.authentic, summary.questionable) == (5, 2, 3)
    assert summary.share_questionable == 0.6
    assert all(0.0 <= v.score <= 1.0 for v in got)
    assert any("follows 1,500 but followed by 3" in r for r in got[0].reasons)


def test_explain_zero_gives_no_reasons_and_the_same_scores() -> None:
    accounts = [fake(0), real(0)]
    a, b = judge(accounts, NOW, explain=3), judge(accounts, NOW, explain=0)
    assert [v.score for v in a] == [v.score for v in b]
    assert all(v.reasons for v in a) and not any(v.reasons for v in b)


def test_parse_lines_counts_blank_lines() -> None:
    items = list(parse_lines(["", "  ", "[]"]))
    assert items == [Failure(3, "expected a JSON object, got list")]


def test_demo_world_sanity() -> None:
    """The demo's bought followers are found (a sanity check: the model never saw the demo)."""
    world = generate_world(load_workspace(example_path()), seed=7, end=NOW)
    verdicts = judge(world.followers, NOW, explain=0)
    flagged = {v.id for v in verdicts if not v.authentic}
    truth = world.fake_followers
    precision = len(flagged & truth) / len(flagged)
    recall = len(flagged & truth) / len(truth)
    assert precision >= 0.8, precision
    assert recall >= 0.9, recall


def test_summarise_counts_verdicts() -> None:
    verdicts = judge([fake(0), fake(1), real(0), fake(2)], NOW, explain=0)
    s = summarise(verdicts)
    assert (s.accounts, s.authentic, s.questionable, s.share_questionable) == (4, 1, 3, 0.75)
    assert summarise([]).share_questionable == 0.0


def test_bytes_lines_and_bad_utf8() -> None:
    items = list(parse_lines([json.dumps(codec.to_dict(real(0))).encode(), b"\xff\xfe"]))
    assert isinstance(items[0], Account)
    assert isinstance(items[1], Failure) and items[1].line == 2
