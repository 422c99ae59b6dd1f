"""``hubbub text`` and ``hubbub query`` through Typer's CliRunner, with stdin as input=."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.text import extract_entities, parse_tweet

FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


def _jsonl(*objs: object) -> str:
    return "".join(json.dumps(o) + "\n" for o in objs)


def _out(stdout: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in stdout.splitlines() if line.strip()]


# --- text ------------------------------------------------------------------------------


def test_text_entities_uses_twitter_text_field_names_and_indices() -> None:
    text = "@maya try #sourdough at larkspurbakery.com, $SBUX down 🍞 @sam"
    result = runner.invoke(app, ["text", "entities"], input=_jsonl({"text": text}))
    assert result.exit_code == 0, result.output
    [got] = _out(result.stdout)
    assert set(got) == {"mentions", "hashtags", "urls", "cashtags", "reply"}
    assert got["reply"] == "maya"
    assert [m["screen_name"] for m in got["mentions"]] == ["maya", "sam"]  # type: ignore[index]
    for kind, key, sigil in (("hashtags", "hashtag", "#"), ("cashtags", "cashtag", "$")):
        [item] = got[kind]  # type: ignore[misc]
        start, end = item["indices"]
        assert text[start:end] == sigil + item[key]  # indices cover the sigil, as upstream
    [url] = got["urls"]  # type: ignore[misc]
    assert url["url"] == "larkspurbakery.com"
    assert text[url["indices"][0] : url["indices"][1]] == "larkspurbakery.com"


def test_text_entities_no_reply_and_empty_lists() -> None:
    result = runner.invoke(app, ["text", "entities"], input=_jsonl({"text": "plain bread"}))
    assert _out(result.stdout) == [
        {"mentions": [], "hashtags": [], "urls": [], "cashtags": [], "reply": None}
    ]


def test_text_validate_v2_and_v3_differ_on_emoji_as_twitter_text_does() -> None:
    text = "family 👩‍👩‍👧‍👦 day"
    lines = _jsonl({"text": text})
    v2 = _out(runner.invoke(app, ["text", "validate", "--config", "v2"], input=lines).stdout)
    v3 = _out(runner.invoke(app, ["text", "validate", "--config", "v3"], input=lines).stdout)
    assert v2 == [parse_tweet(text, "v2").as_dict()]
    assert v3 == [parse_tweet(text, "v3").as_dict()]
    assert v3[0]["weightedLength"] < v2[0]["weightedLength"]  # v3 weighs a ZWJ emoji as one
    assert set(v3[0]) == {
        "weightedLength",
        "valid",
        "permillage",
        "displayRangeStart",
        "displayRangeEnd",
        "validRangeStart",
        "validRangeEnd",
    }


def test_text_validate_marks_over_long_text_invalid() -> None:
    result = runner.invoke(app, ["text", "validate"], input=_jsonl({"text": "a" * 281}))
    [got] = _out(result.stdout)
    assert got["valid"] is False and got["weightedLength"] == 281
    assert got["validRangeEnd"] == 279


def test_text_bad_lines_are_reported_and_the_rest_go_on() -> None:
    lines = '{"text": "#one"}\nnot json\n[1]\n{"txt": "x"}\n\n{"text": "#two"}\n'
    result = runner.invoke(app, ["text", "entities"], input=lines)
    assert result.exit_code == 1
    tags = [[h["hashtag"] for h in o["hashtags"]] for o in _out(result.stdout)]  # type: ignore[attr-defined]
    assert tags == [["one"], ["two"]]
    errors = result.stderr.splitlines()
    assert [e.split(":")[1] for e in errors] == ["2", "3", "4"]
    assert all(e.startswith("<stdin>:") for e in errors)
    assert "not JSON" in errors[0] and '"text" is missing' in errors[2]
    assert "Traceback" not in result.output


def test_text_validate_rejects_an_unknown_config() -> None:
    result = runner.invoke(app, ["text", "validate", "--config", "v9"], input="")
    assert result.exit_code == 2
    assert "v2 or v3" in result.stderr


# --- query check -------------------------------------------------------------------------


def test_query_check_valid_exits_0() -> None:
    query = '"west asheville" (bakery OR #sourdough) -is:retweet place:asheville'
    result = runner.invoke(app, ["query", "check", query])
    assert result.exit_code == 0, result.output
    assert result.stderr == ""


def test_query_check_invalid_prints_column_and_caret_under_the_spot() -> None:
    query = "bakery (bread OR cake"
    result = runner.invoke(app, ["query", "check", query])
    assert result.exit_code == 2
    lines = result.stderr.splitlines()
    assert "column 8" in lines[0] and "never closed" in lines[0]
    assert lines[1] == query
    assert lines[2] == " " * 7 + "^"
    assert query[lines[2].index("^")] == "("


def test_query_check_points_at_an_unknown_operator_value() -> None:
    query = "bakery is:cute"
    result = runner.invoke(app, ["query", "check", query])
    assert result.exit_code == 2
    caret = result.stderr.splitlines()[-1]
    assert query[caret.index("^") :].startswith("cute")


def test_query_check_length_limit_is_an_option() -> None:
    query = " OR ".join(f"word{i}" for i in range(100))  # 100 words: between 512 and 1,024
    assert 512 < len(query) <= 1024
    assert runner.invoke(app, ["query", "check", query]).exit_code == 0
    result = runner.invoke(app, ["query", "check", "--limit", "search", query])
    assert result.exit_code == 2
    assert "the limit is 512" in result.stderr
    bad = runner.invoke(app, ["query", "check", "--limit", "huge", query])
    assert bad.exit_code == 2 and "--limit" in bad.stderr


# --- query match -------------------------------------------------------------------------


def _rules(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.tsv"
    path.write_text(text, encoding="utf-8")
    return path


RULES = (
    'brand\t@larkspurbakes OR "larkspur bakery"\n'
    "// a comment\n"
    "\n"
    "avl\t#avl OR asheville\n"
    "link\turl:larkspurbakery.com\n"
    "replies\tlarkspurbakes is:reply\n"
)


def test_query_match_reads_x_pages_with_includes(tmp_path: Path) -> None:
    rules = _rules(tmp_path, RULES)
    lines = (FIXTURES / "x_v2_pages.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(app, ["query", "match", "--rules", str(rules)], input=lines)
    assert result.exit_code == 0, result.output
    got = {o["id"]: o["matched"] for o in _out(result.stdout)}
    assert len(got) == sum(len(json.loads(x).get("data", [])) for x in lines.splitlines() if x)
    first = got["1720000000000000101"]
    assert first == ["brand", "avl", "link"]  # in the rules file's order; link via expanded URL
    assert got["1720000000000000102"] == []


def test_query_match_flat_tweets_and_hubbub_posts_agree(tmp_path: Path) -> None:
    from hubbub import codec
    from hubbub.sources.files import parse_line

    rules = _rules(tmp_path, RULES)
    flat = (FIXTURES / "x_v2_flat.jsonl").read_text(encoding="utf-8")
    as_hubbub = []
    for line in flat.splitlines():
        for post in parse_line(line)[0]:
            post.entities = extract_entities(post.text)  # hubbub posts carry our own entities
            as_hubbub.append(json.dumps(codec.to_dict(post)))
    a = runner.invoke(app, ["query", "match", "--rules", str(rules)], input=flat)
    b = runner.invoke(app, ["query", "match", "--rules", str(rules)], input="\n".join(as_hubbub))
    assert a.exit_code == b.exit_code == 0, a.output + b.output
    assert [o["id"] for o in _out(a.stdout)] == [o["id"] for o in _out(b.stdout)]
    assert any(o["matched"] for o in _out(a.stdout))
    assert [set(o["matched"]) - {"link"} for o in _out(a.stdout)] == [
        set(o["matched"]) - {"link"}
        for o in _out(b.stdout)  # t.co vs expanded may differ
    ]


def test_query_match_bad_stdin_lines_reported_rest_go_on(tmp_path: Path) -> None:
    rules = _rules(tmp_path, RULES)
    lines = (FIXTURES / "x_v2_broken.jsonl").read_text(encoding="utf-8")
    result = runner.invoke(app, ["query", "match", "--rules", str(rules)], input=lines)
    assert result.exit_code == 1
    assert _out(result.stdout)  # the good lines were matched
    errors = result.stderr.splitlines()
    assert errors and all(e.startswith("<stdin>:") for e in errors)
    numbers = [int(e.split(":")[1]) for e in errors]
    assert numbers == sorted(numbers)
    assert "Traceback" not in result.output


def test_query_match_bad_rules_name_file_and_line(tmp_path: Path) -> None:
    rules = _rules(tmp_path, "ok\tbread\nbroken\tbread (\nnotab\nlonely\tis:reply\nok\tcake\n")
    result = runner.invoke(app, ["query", "match", "--rules", str(rules)], input="")
    assert result.exit_code == 2
    errors = result.stderr.splitlines()
    assert [e.split(":")[1] for e in errors] == ["2", "3", "4", "5"]
    assert all(e.startswith(f"{rules}:") for e in errors)
    assert "column 7" in errors[0] and "name<TAB>query" in errors[1]
    assert "cannot stand alone" in errors[2] and "already named on line 1" in errors[3]
    assert result.stdout == ""


def test_query_match_new_operators_from_the_command_line(tmp_path: Path) -> None:
    rules = _rules(
        tmp_path,
        "thread\tconversation_id:500\nanswers\tin_reply_to_tweet_id:501\nrts\tretweets_of:maya\n",
    )
    author = {"id": "9", "username": "sam"}
    tweets = [
        {"id": "501", "text": "root", "created_at": "2026-01-01T00:00:00Z", "author": author,
         "conversation_id": "500"},
        {"id": "502", "text": "@sam yes", "created_at": "2026-01-01T00:01:00Z", "author": author,
         "conversation_id": "500", "referenced_tweets": [{"type": "replied_to", "id": "501"}]},
        {"id": "503", "text": "RT @maya: fresh bread", "created_at": "2026-01-01T00:02:00Z",
         "author": author, "referenced_tweets": [{"type": "retweeted", "id": "77"}]},
    ]  # fmt: skip
    result = runner.invoke(app, ["query", "match", "--rules", str(rules)], input=_jsonl(*tweets))
    assert result.exit_code == 0, result.output
    assert [o["matched"] for o in _out(result.stdout)] == [
        ["thread"],
        ["thread", "answers"],
        ["rts"],
    ]
