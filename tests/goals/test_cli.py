"""``hubbub goals`` and ``hubbub goals redemptions`` through Typer's CliRunner, on both
databases (the ``db`` fixture, through HUBBUB_DATABASE_URL)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hubbub.cli import app
from hubbub.model import GOALS
from hubbub.settings import get_settings
from hubbub.store import Store
from hubbub.store.goals import add_promo_code
from tests.goals.world import START, World, at, person
from tests.store.helpers import Databases
from tests.store.helpers import db as db
from tests.store.helpers import pg_databases as pg_databases

runner = CliRunner()
AT = "2026-04-14T12:00:00Z"  # the window: Apr 1 to Apr 14, New York days


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
        with store.begin() as conn:
            w = World.make(conn)
            add_promo_code(conn, w.ws_id, "BREAD5", now=START)
            for i, day in enumerate((-3, 1, 2, 2, 9)):  # Mar 29 is in the window before
                w.post("want a cake from larkspur", person(i), at(day, 12),
                       intents=("purchase_intent",))  # fmt: skip
            w.save()
    finally:
        store.close()


def test_goals_json_and_text(filled: None) -> None:
    result = runner.invoke(app, ["goals", "-w", "larkspur", "--days", "14", "--at", AT, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [g["name"] for g in data["goals"]] == list(GOALS)
    assert (data["start"], data["end"]) == (
        "2026-04-01T04:00:00+00:00",
        "2026-04-15T04:00:00+00:00",
    )
    leads = data["goals"][2]
    assert (leads["title"], leads["figures"]["new_leads"], leads["previous"]["new_leads"]) == (
        "Generate leads",
        4.0,
        1.0,
    )
    assert sum(b["value"] for b in leads["trend"]) == 4.0 and len(leads["trend"]) == 14
    assert data["goals"][1]["figures"]["codes"] == 1.0
    text = runner.invoke(app, ["goals", "-w", "larkspur", "--days", "14", "--at", AT])
    assert text.exit_code == 0, text.output
    assert "Goals of Larkspur Bakery, Apr 1 – Apr 14, 2026 (14 days" in text.stdout
    assert "Generate leads" in text.stdout and "Build loyalty" in text.stdout
    lines = text.stdout.splitlines()
    new_leads = next(line for line in lines if line.strip().startswith("New leads"))
    assert new_leads.split()[-2:] == ["4", "+300%"]
    assert "→ 4 leads still open: answer in the Inbox" in text.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--days", "0"], "--days"),
        (["--at", "soon"], "--at: 'soon' is not an ISO 8601 time"),
        (["-w", "nobody"], "no workspace 'nobody'"),
    ],
)
def test_goals_bad_input(filled: None, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["goals", "-w", "larkspur", *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output


def test_redemptions_import(filled: None, tmp_path: Path) -> None:
    path = tmp_path / "orders.csv"
    path.write_text(
        "Order,Coupon used,Paid at,Total\n"
        "A1,bread5,2026-04-02 09:00,9.50\n"
        "A2,BREAD5,not a time,9.50\n"
        "A3,SPRING,2026-04-03 09:00,\n",
        encoding="utf-8",
    )
    args = ["goals", "redemptions", str(path), "-w", "larkspur"]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 1, missing.output  # no column for the code: --map it
    assert "orders.csv:1: no column for code: name it with --map code=Header" in (missing.output)
    mapped = [*args, "--map", "code=Coupon used", "--map", "redeemed=Paid at"]
    first = runner.invoke(app, mapped)
    assert first.exit_code == 1
    assert f"{path}:3:redeemed: 'not a time' is not a date and time" in first.stderr
    assert "3 rows read, 2 new redemptions stored, 0 already stored, 1 bad" in first.stdout
    assert "Not declared on the Goals page: SPRING" in first.stdout
    again = runner.invoke(app, mapped)
    assert "3 rows read, 0 new redemptions stored, 2 already stored, 1 bad" in again.stdout
    data = json.loads(
        runner.invoke(app, ["goals", "-w", "larkspur", "--days", "14", "--at", AT, "--json"]).stdout
    )
    assert data["goals"][1]["figures"]["redeemed"] == 2.0
    assert data["goals"][1]["figures"]["redeemed_amount"] == 9.5
    bad_map = runner.invoke(app, [*args, "--map", "coupon=Coupon used"])
    assert bad_map.exit_code == 2 and "unknown field 'coupon'" in bad_map.output
    nothing = runner.invoke(app, ["goals", "redemptions", "nope.csv", "-w", "larkspur"])
    assert nothing.exit_code == 2 and "nope.csv: no such file" in nothing.output
