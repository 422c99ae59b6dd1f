"""``hubbub audit followers`` through Typer's CliRunner, with stdin as input=."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from hubbub.cli import app

runner = CliRunner()

FARM = {
    "id_str": "7", "screen_name": "liam83920011", "name": "Liam", "followers_count": 12,
    "friends_count": 4210, "statuses_count": 0, "listed_count": 0,
    "created_at": "Mon Jan 05 10:00:00 +0000 2026", "default_profile": True,
    "default_profile_image": True, "verified": False,
}  # fmt: skip
BSKY = {
    "did": "did:plc:m", "handle": "maya.bsky.social", "displayName": "Maya Lopez",
    "description": "Baker", "followersCount": 300, "followsCount": 200, "postsCount": 2500,
    "createdAt": "2023-04-01T00:00:00Z", "avatar": "https://cdn.bsky.app/a.jpg",
}  # fmt: skip


def test_followers_writes_verdicts_then_a_summary() -> None:
    stdin = json.dumps(FARM) + "\n" + json.dumps(BSKY) + "\n"
    result = runner.invoke(app, ["audit", "followers", "--at", "2026-03-01T00:00:00Z"], input=stdin)
    assert result.exit_code == 0, result.output
    farm, bsky, summary = (json.loads(line) for line in result.stdout.splitlines())
    assert {"id", "authentic", "score", "reasons"} <= set(farm)
    assert (farm["id"], farm["authentic"]) == ("7", False)
    assert "follows 4,210 but followed by 12" in farm["reasons"]
    assert (bsky["id"], bsky["authentic"]) == ("did:plc:m", True)
    assert farm["score"] < 0.5 <= bsky["score"]
    assert summary == {
        "summary": {"accounts": 2, "authentic": 1, "questionable": 1, "share_questionable": 0.5}
    }


def test_bad_lines_are_named_and_the_rest_go_on() -> None:
    stdin = "not json\n" + json.dumps(BSKY) + "\n" + json.dumps({"did": "x"}) + "\n"
    result = runner.invoke(app, ["audit", "followers"], input=stdin)
    assert result.exit_code == 1
    assert "<stdin>:1: not JSON" in result.stderr
    assert "<stdin>:3: no did or handle" in result.stderr
    assert "Traceback" not in result.output
    *verdicts, summary = (json.loads(line) for line in result.stdout.splitlines())
    assert [v["id"] for v in verdicts] == ["did:plc:m"]
    assert summary["summary"]["accounts"] == 1


def test_a_bad_time_is_bad_input() -> None:
    result = runner.invoke(app, ["audit", "followers", "--at", "soon"], input="")
    assert result.exit_code == 2
    assert "--at" in result.stderr


def test_a_line_that_is_not_utf8_fails_alone() -> None:
    stdin = b"\xff\xfe{}\n" + json.dumps(BSKY).encode() + b"\n"
    result = runner.invoke(app, ["audit", "followers"], input=stdin)
    assert result.exit_code == 1
    assert "<stdin>:1: not JSON" in result.stderr
    assert json.loads(result.stdout.splitlines()[0])["id"] == "did:plc:m"
