"""The command line, driven through Typer's CliRunner against a store in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
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


def _all_commands() -> list[list[str]]:
    group: Any = typer.main.get_command(app)  # Typer's own click group class
    found: list[list[str]] = [[]]  # the top level itself
    ctx = group.context_class(group)
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        found.append([name])
        if hasattr(command, "list_commands"):
            found += [[name, sub] for sub in command.list_commands(ctx)]
    return found


def test_help_lists_every_command_and_each_has_an_example() -> None:
    commands = _all_commands()
    names = {c[0] for c in commands if c}
    assert names >= {"init", "import", "mentions", "serve", "user", "demo"}
    top = runner.invoke(app, ["--help"])
    assert top.exit_code == 0
    for command in commands:
        assert not command or command[0] in top.stdout
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, command
        assert "Example" in result.stdout, f"{' '.join(command)} --help has no example"
    # one whole line per command in the top-level list, never cut short with "..."
    listed = top.stdout.split("Commands:", 1)[1]
    assert "..." not in listed, listed


def test_init_writes_a_file_that_loads_and_refuses_to_overwrite(tmp_path: Path) -> None:
    args = [
        "init",
        "--name",
        "Blue Ridge Books",
        "--town",
        "Boone",
        "--latitude",
        "36.2168",
        "--longitude",
        "-81.6746",
        "--x-handle",
        "blueridgebooks",
    ]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    ws = load_workspace(tmp_path / "hubbub.toml")
    assert ws.name == "Blue Ridge Books" and ws.handles == {"x": "blueridgebooks"}
    assert [s.name for s in ws.streams] == ["Blue Ridge Books", "Boone"]
    again = runner.invoke(app, args)
    assert again.exit_code == 1 and "--force" in again.stderr
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0


def test_init_asks_for_what_the_flags_leave_out_in_a_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hubbub.cli.commands._stdin_is_terminal", lambda: True)
    answers = "Corner Cafe\nTulsa\nnot a number\n36.154\n-95.993\nhttps://corner.cafe\n"
    result = runner.invoke(app, ["init", "--x-handle", "cornercafe"], input=answers)
    assert result.exit_code == 0, result.output
    assert "X handle" not in result.output  # given as a flag, so not asked
    assert "'not a number' is not a number" in result.stderr  # and asked again
    ws = load_workspace(tmp_path / "hubbub.toml")
    assert (ws.name, ws.website, ws.handles) == (
        "Corner Cafe",
        "https://corner.cafe",
        {"x": "cornercafe"},
    )
    assert ws.locale is not None and (ws.locale.latitude, ws.locale.longitude) == (36.154, -95.993)


def test_init_without_a_name_off_a_terminal_fails_cleanly() -> None:
    result = runner.invoke(app, ["init"])
    assert result.exit_code == 2 and "--name is required" in result.stderr
    assert not Path("hubbub.toml").exists()


def test_a_malformed_workspace_gives_file_line_errors(workspace: Path) -> None:
    workspace.write_text('[business]\nname = "X"\ntimezone = "Mars/Olympus"\nfoo = 1\n')
    result = runner.invoke(app, ["import", str(FIXTURES / "x_v2_flat.jsonl")])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert lines[0].endswith("hubbub.toml:3: unknown timezone 'Mars/Olympus'")
    assert "hubbub.toml:4: unknown key 'foo'" in lines[1]
    assert "Traceback" not in result.output


def test_import_stores_posts_and_mentions_once(workspace: Path) -> None:
    files = [str(FIXTURES / "x_v2_pages.jsonl"), str(FIXTURES / "x_v2_flat.jsonl")]
    first = runner.invoke(app, ["import", *files])
    assert first.exit_code == 0, first.output
    assert "8 posts, 5 new, 4 new mentions" in first.stdout  # the flat file repeats 3 tweets
    resumed = runner.invoke(app, ["import", *files])
    assert "Nothing new" in resumed.stdout  # the cursor says all was read
    again = runner.invoke(app, ["import", "--from-start", *files])
    assert again.exit_code == 0
    assert "8 posts, 0 new, 0 new mentions" in again.stdout
    listed = runner.invoke(app, ["mentions", "--json", "--limit", "50"])
    assert len(listed.stdout.splitlines()) == 4


def test_import_with_broken_lines_keeps_the_good_ones_and_exits_1(workspace: Path) -> None:
    broken = FIXTURES / "x_v2_broken.jsonl"
    result = runner.invoke(app, ["import", str(broken)])
    assert result.exit_code == 1
    assert "3 posts, 3 new" in result.stdout
    errors = [line for line in result.stderr.splitlines() if line.startswith(str(broken))]
    assert [e.split(": ")[0] for e in errors] == [f"{broken}:2", f"{broken}:4"]


def test_mentions_json_lines_parse_and_filter_by_stream(workspace: Path) -> None:
    runner.invoke(app, ["import", str(FIXTURES / "x_v2_pages.jsonl")])
    result = runner.invoke(app, ["mentions", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows and all(r["workspace"] == "larkspur" for r in rows)
    created = [r["post"]["created"] for r in rows]
    assert created == sorted(created, reverse=True)
    local = runner.invoke(app, ["mentions", "--json", "--stream", "asheville"])
    local_rows = [json.loads(line) for line in local.stdout.splitlines()]
    assert local_rows and all("Asheville" in r["streams"] for r in local_rows)
    assert len(local_rows) < len(rows)
    table = runner.invoke(app, ["mentions", "--limit", "2"])
    assert table.exit_code == 0 and "Larkspur Bakery" in table.stdout
    unknown = runner.invoke(app, ["mentions", "--stream", "nope"])
    assert unknown.exit_code == 2 and "no stream 'nope'" in unknown.stderr


def test_user_add_reads_the_password_from_stdin(workspace: Path) -> None:
    runner.invoke(app, ["import", str(FIXTURES / "x_v2_flat.jsonl")])
    args = ["user", "add", "maya", "--workspace", "larkspur", "--password-stdin"]
    result = runner.invoke(app, args, input="s3cret-bread\n")
    assert result.exit_code == 0, result.output
    twice = runner.invoke(app, args, input="s3cret-bread\n")
    assert twice.exit_code == 2 and "already taken" in twice.stderr
    missing = runner.invoke(
        app, [*args[:3], "--workspace", "nowhere", "--password-stdin"], input="x\n"
    )
    assert missing.exit_code == 2 and "no workspace 'nowhere'" in missing.stderr


def test_demo_stores_a_world_creates_the_demo_login_and_serves(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from hubbub.store import Store
    from hubbub.store.users import authenticate, user_workspaces

    served: dict[str, Any] = {}
    monkeypatch.setattr(
        "uvicorn.run", lambda app_, host, port, **kw: served.update(app=app_, host=host, port=port)
    )
    result = runner.invoke(app, ["demo", "--days", "2", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "Demo: " in result.stdout and "over 2 days (seed 7)" in result.stdout
    assert "http://127.0.0.1:8123" in result.stdout and "demo / demo" in result.stdout
    assert (served["host"], served["port"]) == ("127.0.0.1", 8123)
    with Store.open() as store, store.connect() as conn:
        user = authenticate(conn, "demo", "demo")
        assert user is not None
        assert [w.slug for w in user_workspaces(conn, user.id)] == ["larkspur"]
    listed = runner.invoke(app, ["mentions", "--workspace", "larkspur", "--json", "--limit", "3"])
    assert len(listed.stdout.splitlines()) == 3
