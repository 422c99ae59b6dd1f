"""``hubbub audit report`` and ``hubbub audit site`` through Typer's CliRunner.

The report runs over the hand-made store of tests/audit/world.py (in a temporary
HUBBUB_HOME); the site command over the fixture site on 127.0.0.1, with a client
that cannot leave the machine.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.settings import get_settings
from hubbub.store import Store
from tests.audit.site_server import FakeSite, offline_client, serve_site
from tests.audit.world import EXPECTED, fill
from tests.store.helpers import Databases
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases

runner = CliRunner()
AT = "2025-03-31T12:00:00Z"


@pytest.fixture(autouse=True)
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, db: Databases) -> Iterator[Path]:
    monkeypatch.setenv("HUBBUB_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("HUBBUB_DATABASE_URL", db.url())
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


@pytest.fixture
def filled() -> None:
    store = Store.open()
    try:
        fill(store)
    finally:
        store.close()


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with serve_site() as served:
        yield served


def test_report_json_has_the_hand_counted_figures(filled: None) -> None:
    args = ["audit", "report", "-w", "larkspur", "--no-crawl", "--at", AT, "--format", "json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["window"] == 30 and data["workspace"] == "larkspur"
    for name, value in EXPECTED.items():
        assert data["figures"]["account"][name] == value, name
    assert data["figures"]["content"] is None
    assert {r["figure"] for r in data["recommendations"]} >= {"voice", "share_questionable"}


def test_report_text_and_html_and_each_run_is_stored(filled: None) -> None:
    text = runner.invoke(app, ["audit", "report", "-w", "larkspur", "--no-crawl", "--at", AT])
    assert text.exit_code == 0, text.output
    assert "Audit of larkspur, 30 days" in text.stdout
    assert "Share questionable" in text.stdout and "33%" in text.stdout
    assert "promotion 25% (target 20%)" in text.stdout
    html = runner.invoke(
        app, ["audit", "report", "-w", "larkspur", "--no-crawl", "--at", AT, "--format", "html"]
    )
    assert html.exit_code == 0
    assert html.stdout.startswith("<!doctype html>") and "<script" not in html.stdout
    from hubbub.store.audit import report_history

    store = Store.open()
    with store.connect() as conn:
        assert len(report_history(conn, 1)) == 2
    store.close()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days"),
        (["--format", "pdf"], "--format"),
        (["--at", "soon"], "--at: 'soon' is not an ISO 8601 time"),
        (["-w", "nobody"], "no workspace 'nobody'"),
    ],
)
def test_report_bad_input_is_one_line_and_exit_2(
    filled: None, args: list[str], message: str
) -> None:
    base = ["audit", "report", "--no-crawl", "-w", "larkspur"]
    result = runner.invoke(app, [*base, *args])
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output


def test_site_lists_findings_with_their_pages(
    site: FakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("hubbub.audit.content.make_client", offline_client)
    result = runner.invoke(app, ["audit", "site", site.base, "--pages", "5"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"{site.base}: 4 pages read" in out
    assert f"“delicous” may be misspelt (did you mean “delicious”?)  ({site.base})" in out
    assert f"[broken_link] Broken internal link: {site.base}menu-old.html (HTTP 404)" in out
    assert "[newsletter]" in out and "[blurry_image]" in out
    result = runner.invoke(app, ["audit", "site", site.base, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["counts"]["spelling"] == 3  # larkbun too: no -w


def test_site_unreachable_is_one_line_and_exit_1(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("hubbub.audit.content.make_client", lambda: offline_client(timeout=1))
    result = runner.invoke(app, ["audit", "site", "http://127.0.0.1:9/"])
    assert result.exit_code == 1
    assert result.stderr.strip() == "hubbub: http://127.0.0.1:9/: cannot connect"
    assert result.stdout == ""
    bad = runner.invoke(app, ["audit", "site", "not a url"])
    assert bad.exit_code == 1 and "not an http(s) address" in bad.stderr
