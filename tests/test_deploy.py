"""deploy/: the systemd units and the compose file run hubbub commands that exist.

Every ``hubbub ...`` command line in deploy/ is checked against the CLI: the command
is registered and each ``--option`` it passes is in that command's help, so a
renamed option fails here rather than on a server.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from hubbub.cli import app

DEPLOY = Path(__file__).resolve().parents[1] / "deploy"
runner = CliRunner()


def _command_lines() -> list[tuple[str, list[str]]]:
    """``(where, [command, args...])`` for every hubbub invocation in deploy/."""
    found = []
    for unit in sorted((DEPLOY / "systemd").glob("hubbub-*.service")):
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart=") and "/bin/hubbub " in line:
                words = shlex.split(line.removeprefix("ExecStart="))
                found.append((unit.name, words[1:]))
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))
    for name, service in compose["services"].items():
        if name.startswith("hubbub-"):
            found.append((f"compose.yaml:{name}", list(service["command"])))
    return found


def test_every_process_of_the_deployment_is_there() -> None:
    where = {w: args[0] for w, args in _command_lines()}
    assert sorted(where.values()) == sorted(
        ["serve", "listen", "worker", "serve", "listen", "listen", "worker"]
    ), where
    units = {p.name for p in (DEPLOY / "systemd").iterdir()}
    assert {"hubbub-backup.service", "hubbub-backup.timer"} <= units
    assert {"dask-scheduler.service", "dask-worker.service"} <= units


@pytest.mark.parametrize(("where", "args"), _command_lines(), ids=lambda v: str(v))
def test_commands_and_options_exist(where: str, args: list[str]) -> None:
    shown = runner.invoke(app, [args[0], "--help"], terminal_width=200)
    assert shown.exit_code == 0, f"{where}: no command {args[0]!r}"
    for option in (a for a in args[1:] if a.startswith("-")):
        assert re.search(rf"(?<![\w-]){re.escape(option)}(?![\w-])", shown.output), (
            f"{where}: {args[0]} has no option {option}"
        )


def test_serve_leaves_publishing_to_the_worker() -> None:
    """With a dedicated worker, serve must not publish as well (two schedulers are safe,
    but the deployment runs one on purpose: the web process stays a web process)."""
    for where, args in _command_lines():
        if args[0] == "serve":
            assert "--no-scheduler" in args, where
