"""``hubbub streams`` through Typer's CliRunner, against a store in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import get_settings
from hubbub.workspace import example_path, load_workspace

FIXTURES = Path(__file__).resolve().parent / "fixtures"
runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("HUBBUB_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    path = tmp_path / "hubbub.toml"
    path.write_text(example_path().read_text(encoding="utf-8"), encoding="utf-8")
    return path


def _streams(ws: str) -> dict[str, dict[str, object]]:
    result = runner.invoke(app, ["streams", "list", "-w", ws, "--json"])
    assert result.exit_code == 0, result.output
    return {r["name"]: r for r in map(json.loads, result.stdout.splitlines())}


def test_add_edit_pause_resume_and_list(workspace: Path) -> None:
    ws = str(workspace)
    file_names = {s.name for s in load_workspace(workspace).streams}
    assert set(_streams(ws)) == file_names
    added = runner.invoke(
        app, ["streams", "add", "Spring market", "market", "--kind", "event", "-w", ws]
    )
    assert added.exit_code == 0, added.output
    assert "Added stream 'Spring market'" in added.stdout
    assert "Matched 0 of 0 stored posts of the last 30 days" in added.stdout
    slug = load_workspace(workspace).slug
    edited = runner.invoke(
        app, ["streams", "edit", "spring market", "--query", "market -rain", "-w", slug]
    )
    assert edited.exit_code == 0, edited.output
    assert "Saved stream" in edited.stdout and "Matched" in edited.stdout
    assert runner.invoke(app, ["streams", "pause", "Spring market", "-w", slug]).exit_code == 0
    rows = _streams(slug)
    assert rows["Spring market"] | {"mentions": 0} == {
        "name": "Spring market",
        "kind": "event",
        "query": "market -rain",
        "origin": "web",
        "paused": True,
        "mentions": 0,
        "mentions_7d": 0,
        "last_mention": None,
        "starts": None,
        "ends": None,
    }
    assert {rows[n]["origin"] for n in file_names} == {"file"}
    resumed = runner.invoke(app, ["streams", "resume", "Spring market", "-w", slug])
    assert resumed.exit_code == 0 and "is active" in resumed.stdout
    assert _streams(slug)["Spring market"]["paused"] is False
    table = runner.invoke(app, ["streams", "list", "-w", slug])
    assert table.exit_code == 0 and "Spring" in table.stdout  # the table may wrap it


def test_bad_input_exits_2_and_stores_nothing(workspace: Path) -> None:
    ws = str(workspace)
    file_stream = next(iter(load_workspace(workspace).streams)).name
    bad = runner.invoke(app, ["streams", "add", "Broken", "bread OR (rye", "-w", ws])
    assert bad.exit_code == 2 and "column 10" in bad.output
    taken = runner.invoke(app, ["streams", "add", file_stream, "bread", "-w", ws])
    assert taken.exit_code == 2 and "taken by a stream defined in hubbub.toml" in taken.output
    kind = runner.invoke(app, ["streams", "add", "K", "bread", "--kind", "party", "-w", ws])
    assert kind.exit_code == 2 and "must be one of" in kind.output
    readonly = runner.invoke(app, ["streams", "pause", file_stream, "-w", ws])
    assert readonly.exit_code == 2 and "defined in hubbub.toml" in readonly.output
    missing = runner.invoke(app, ["streams", "pause", "Nope", "-w", ws])
    assert missing.exit_code == 2 and "no stream 'Nope'" in missing.output
    unknown = runner.invoke(app, ["streams", "list", "-w", "nobody"])
    assert unknown.exit_code == 2 and "no workspace 'nobody'" in unknown.output
    assert set(_streams(ws)) == {s.name for s in load_workspace(workspace).streams}


def test_check_shows_the_terms_or_the_caret() -> None:
    ok = runner.invoke(app, ["streams", "check", '"west asheville" bakery -is:retweet'])
    assert ok.exit_code == 0, ok.output
    assert ok.stdout.splitlines()[0] == "valid"
    assert 'looks for: "west asheville", bakery' in ok.stdout
    assert "leaves out: is:retweet" in ok.stdout
    assert "would have matched 0 of the last 0 stored posts" in ok.stdout
    bad = runner.invoke(app, ["streams", "check", "a OR (b"])
    assert bad.exit_code == 2
    assert "column 6: unbalanced parenthesis" in bad.output
    assert "a OR (b\n     ^" in bad.output


def test_rematch_reaches_further_back_with_days(workspace: Path) -> None:
    ws = str(workspace)
    assert (
        runner.invoke(app, ["import", str(FIXTURES / "x_v2_flat.jsonl"), "-w", ws]).exit_code == 0
    )
    added = runner.invoke(app, ["streams", "add", "Sundays", "sundays", "-w", ws])
    assert "Matched 0 of 0 stored posts of the last 30 days" in added.stdout  # posts of 2024
    again = runner.invoke(app, ["streams", "rematch", "Sundays", "--days", "5000", "-w", ws])
    assert again.exit_code == 0, again.output
    # by hand: of the 3 posts, only "Is Larkspur Bakery open on Sundays?" (a brand mention)
    assert "Matched 1 of 3 stored posts of the last 5000 days" in again.stdout
    assert "0 new mentions, 1 existing mentions linked" in again.stdout
    assert _streams(ws)["Sundays"]["mentions"] == 1
    missing = runner.invoke(app, ["streams", "rematch", "Nope", "-w", ws])
    assert missing.exit_code == 2 and "no stream 'Nope'" in missing.output


def test_an_event_gets_dates_from_the_command_line(workspace: Path) -> None:
    ws = str(workspace)
    args = ["streams", "add", "Fair", '"spring fair"', "--kind", "event", "--no-rematch"]
    added = runner.invoke(app, [*args, "--starts", "2026-04-10", "--ends", "2026-04-12", "-w", ws])
    assert added.exit_code == 0, added.output
    fair = _streams(ws)["Fair"]  # New York days: midnight EDT is 04:00 UTC
    assert (fair["starts"], fair["ends"]) == (
        "2026-04-10T04:00:00+00:00",
        "2026-04-13T04:00:00+00:00",
    )
    moved = runner.invoke(app, ["streams", "edit", "Fair", "--ends", "2026-04-11", "-w", ws])
    assert moved.exit_code == 0, moved.output
    assert _streams(ws)["Fair"]["ends"] == "2026-04-12T04:00:00+00:00"
    assert _streams(ws)["Fair"]["starts"] == "2026-04-10T04:00:00+00:00"  # kept
    cleared = runner.invoke(app, ["streams", "edit", "Fair", "--no-dates", "-w", ws])
    assert cleared.exit_code == 0 and _streams(ws)["Fair"]["starts"] is None
    bad = runner.invoke(app, ["streams", "edit", "Fair", "--starts", "soon", "-w", ws])
    assert bad.exit_code == 2 and "the dates: 'soon' is not a date (YYYY-MM-DD)" in bad.output
    brand = runner.invoke(
        app,
        ["streams", "add", "B2", "bread", "--kind", "brand", "--starts", "2026-04-10", "-w", ws],
    )
    assert brand.exit_code == 2 and "are for event and campaign streams" in brand.output
