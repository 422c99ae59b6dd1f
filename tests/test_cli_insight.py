"""``hubbub insight`` through Typer's CliRunner: posts of every shape in, insight out."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from hubbub import codec
from hubbub.cli import app
from hubbub.insight.sentiment import sentiment
from hubbub.model import Account, Metrics, Post
from hubbub.workspace import example_path

FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


def _jsonl(*objs: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def _out(stdout: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


def test_bare_text_gets_sentiment_intent_and_detected_language() -> None:
    lines = _jsonl(
        {"text": "Worst service ever, still waiting for my refund"},
        {"text": "¿Dónde puedo comprar pan de masa madre en Asheville?", "id": "q1"},
        {"text": "lol", "lang": "en"},
    )
    result = runner.invoke(app, ["insight"], input=lines)
    assert result.exit_code == 0, result.output
    first, second, third = _out(result.stdout)
    assert first["id"] == "1" and second["id"] == "q1"
    assert first["sentiment"]["label"] == "negative" and first["sentiment"]["score"] < 0
    assert first["sentiment"] == codec.to_dict(
        sentiment("Worst service ever, still waiting for my refund")
    )
    assert "complaint" in first["intent"]
    assert first["language"] == "en" and second["language"] == "es"
    assert "question" in second["intent"]
    assert third["language"] == "en"  # given wins over detection (which says None for "lol")
    assert "who" not in first and "when" not in first  # not made up for bare text


def test_x_v2_tweets_fill_every_question() -> None:
    flat = (FIXTURES / "x_v2_flat.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(app, ["insight"], input=flat)
    assert result.exit_code == 0, result.output
    rows = _out(result.stdout)
    tweets = [json.loads(line) for line in flat.splitlines() if line.strip()]
    assert [r["id"] for r in rows] == [t["id"] for t in tweets]
    first = rows[0]
    assert first["network"] == "x" and first["language"] == tweets[0]["lang"]
    assert "question" in first["intent"]  # "Best croissant in Asheville? ..."
    assert first["who"]["handle"] == tweets[0]["author"]["username"]
    assert first["extent"]["impressions"] == tweets[0]["public_metrics"]["impression_count"]
    assert first["how"]["has_media"] is True
    assert first["where"]["place"] == "Asheville, NC" and first["when"]["local_time"].startswith(
        "2024-11-02"
    )


def test_workspace_option_fills_products_and_local_time() -> None:
    post = Post(
        network="mastodon",
        id="9",
        author=Account("mastodon", "a1", "maya@toot.cafe", followers=120),
        text="Can I pre-order the cardamom bun for Saturday? #sourdough",
        created=datetime(2024, 11, 2, 14, 0, tzinfo=UTC),
        metrics=Metrics(likes=3),
    )
    line = _jsonl(codec.to_dict(post))
    bare = runner.invoke(app, ["insight"], input=line)
    with_ws = runner.invoke(app, ["insight", "-w", str(example_path())], input=line)
    assert bare.exit_code == 0 and with_ws.exit_code == 0, with_ws.output
    [b], [w] = _out(bare.stdout), _out(with_ws.stdout)
    assert "purchase_intent" in w["intent"] and w["network"] == "mastodon"
    assert b["what"]["products"] == [] and "sourdough" in w["what"]["products"]
    assert b["when"]["local_time"] != w["when"]["local_time"]  # UTC against America/New_York
    assert w["extent"]["reach"] == 120 and w["extent"]["engagement"] == 3


def test_bad_lines_are_reported_and_the_rest_go_on() -> None:
    lines = "\n".join(
        ["not json", json.dumps({"text": "Love the croissants"}), "[1]", json.dumps({"id": "x"})]
    )
    result = runner.invoke(app, ["insight"], input=lines + "\n")
    assert result.exit_code == 1
    [row] = _out(result.stdout)
    assert "praise" in row["intent"]
    errors = result.stderr.splitlines()
    assert [e.split(":")[1] for e in errors] == ["1", "3", "4"]
    assert all(e.startswith("<stdin>:") for e in errors)
    assert "not JSON" in errors[0] and "Traceback" not in result.output


def test_missing_workspace_file_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["insight", "-w", str(tmp_path / "nope.toml")], input="")
    assert result.exit_code == 2
