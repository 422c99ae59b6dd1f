"""``hubbub report``: the file it writes, and one line with exit code 2 for each bad input,
on SQLite and PostgreSQL (the ``db`` fixture)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.cli.report import _window_days
from hubbub.settings import get_settings
from hubbub.store import Store
from tests.report.helpers import SINCE, SPECS, UNTIL, fill, in_window
from tests.store.helpers import Databases

runner = CliRunner()


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Databases) -> Iterator[Path]:
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", db.url())
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    with Store.open() as store:
        fill(store)
    yield tmp_path
    get_settings.cache_clear()


def test_writes_the_html_report_of_the_window(home: Path) -> None:
    out = home / "out" / "november.html"
    args = ["report", "-w", "larkspur", "--from", "2026-11-01", "--to", "2026-11-07"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    expected = sum(in_window(s, SINCE, UNTIL) for s in SPECS)
    assert html.startswith("<!doctype html>")
    assert "Nov 1 – Nov 7, 2026" in html
    assert f"{expected:,} mentions" in result.stderr and "Wrote" in result.stderr
    assert f"{expected:,} mention" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "2026-13-01", "--out", "r.html"], "--from '2026-13-01': not a date"),
        (["--to", "yesterday", "--out", "r.html"], "--to 'yesterday': not a date"),
        (
            ["--from", "2026-11-30", "--to", "2026-11-01", "--out", "r.html"],
            "--from 2026-11-30 is after --to 2026-11-01",
        ),
        (["--from", "2020-01-01", "--to", "2026-11-01", "--out", "r.html"], "at most 732"),
        (["--out", "r.docx"], "--out r.docx: the file must end in .html or .pdf"),
        ([], "--out FILE.html or FILE.pdf is needed"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(home: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["report", "-w", "larkspur", *args])
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert "Traceback" not in result.output
    assert not list(home.glob("r.*"))


def test_an_unknown_workspace_is_exit_2(home: Path) -> None:
    result = runner.invoke(app, ["report", "-w", "nobody", "--out", "r.html"])
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "hubbub: no workspace 'nobody': give a hubbub.toml or a stored slug"
    )


def test_a_pdf_without_chromium_is_one_line_and_exit_1(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(home / "empty"))
    result = runner.invoke(app, ["report", "-w", "larkspur", "--out", "r.pdf"])
    assert result.exit_code == 1, result.output
    assert result.stderr.startswith("hubbub: no chromium found to print the PDF")
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (home / "r.pdf").exists()


def test_the_default_window_is_the_last_seven_whole_days() -> None:
    today = datetime(2026, 11, 9, tzinfo=UTC).date()
    assert _window_days(None, None, today) == (
        today - timedelta(days=7),
        today - timedelta(days=1),
    )
    first = today - timedelta(days=3)
    assert _window_days(first.isoformat(), None, today) == (first, today)
    assert _window_days(None, "2026-11-07", today)[0].isoformat() == "2026-11-01"
