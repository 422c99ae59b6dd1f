"""Redemptions from CSV: columns found or mapped, bad rows named, nothing stored twice."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from hubbub.goals.redemptions import import_redemptions, parse_mapping
from hubbub.sources.base import SourceError
from hubbub.store import Store
from hubbub.store.goals import add_promo_code, redemptions
from tests.goals.world import START, World, at

NY = ZoneInfo("America/New_York")

SQUARE = """Order #,Coupon Code,Date,Total
1001,sourdough10,2026-04-01 09:30,$12.50
1002,SOURDOUGH10,2026-04-02T10:00:00Z,"1,234.00"
1003,,2026-04-02 11:00,4.00
1004,FALL20,yesterday,4.00
1005,FALL20,2026-04-03 08:00,abc
1006,BAD CODE,2026-04-03 08:00,1.00

1007,#fall20,2026/04/03 12:15,
"""


def test_import_reports_bad_rows_and_stores_the_rest_once(store: Store, tmp_path: Path) -> None:
    path = tmp_path / "square.csv"
    path.write_text(SQUARE, encoding="utf-8")
    with store.begin() as conn:
        w = World.make(conn)
        add_promo_code(conn, w.ws_id, "SOURDOUGH10", now=START)
    report = import_redemptions(store, w.ws_id, path, zone=NY, now=START)
    assert report.errors == [
        f"{path}:4:code: is empty",
        f"{path}:5:redeemed: 'yesterday' is not a date and time (e.g. 2026-11-20 09:30)",
        f"{path}:6:amount: 'abc' is not an amount",
        f"{path}:7:code: 'BAD CODE' is not a promo code (letters, digits, - and _)",
    ]
    assert (report.read, report.new, report.known) == (7, 3, 0)
    assert dict(report.undeclared) == {"FALL20": 1}
    with store.connect() as conn:
        found = redemptions(conn, w.ws_id, at(-1), at(10))
    assert [(r.code, r.redeemed, r.amount) for r in found] == [
        ("SOURDOUGH10", at(0, 13.5), 12.5),  # 09:30 in New York is 13:30 UTC
        ("SOURDOUGH10", at(1, 10), 1234.0),
        ("FALL20", at(2, 16.25), None),
    ]
    again = import_redemptions(store, w.ws_id, path, zone=NY, now=START)
    assert (again.new, again.known, len(again.errors)) == (0, 3, 4)
    with store.connect() as conn:
        assert len(redemptions(conn, w.ws_id, at(-1), at(10))) == 3


def test_rows_without_order_numbers_count_every_identical_row_once(
    store: Store, tmp_path: Path
) -> None:
    path = tmp_path / "till.csv"
    path.write_text(
        "Coupon used;When;Value\n"
        "BREAD5;2026-04-01 08:00;12,50\n"
        "BREAD5;2026-04-01 08:00;12,50\n"  # two people, the same minute and order value
        "BREAD5;2026-04-01 09:00;3,00\n",
        encoding="utf-8",
    )
    with store.begin() as conn:
        w = World.make(conn)
    with pytest.raises(SourceError, match=r"till.csv:1: no column for code, redeemed: name it"):
        import_redemptions(store, w.ws_id, path)
    mapping = parse_mapping(["code=Coupon used", "redeemed=When", "amount=Value"])
    first = import_redemptions(store, w.ws_id, path, mapping=mapping, zone=NY)
    second = import_redemptions(store, w.ws_id, path, mapping=mapping, zone=NY)
    assert (first.new, second.new, second.known) == (3, 0, 3)
    with store.connect() as conn:
        amounts = [r.amount for r in redemptions(conn, w.ws_id, at(-1), at(2))]
    assert amounts == [12.5, 12.5, 3.0]


def test_mapping_errors() -> None:
    with pytest.raises(SourceError, match="not FIELD=Header"):
        parse_mapping(["code"])
    with pytest.raises(SourceError, match="unknown field 'coupon'"):
        parse_mapping(["coupon=Code"])
