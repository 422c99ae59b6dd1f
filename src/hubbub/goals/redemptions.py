"""Promo-code redemptions from a till's or web shop's CSV export, stored once.

``hubbub goals redemptions FILE.csv`` reads the export a small business already has
(Square, Shopify, WooCommerce, a spreadsheet): one row per order that used a code.
Columns are found as :mod:`hubbub.sources.csvfile` finds a post export's, with the
same ``--map field=Header`` override: :data:`SYNONYMS` lists the recognised headers
of each field. ``code`` and ``redeemed`` (the time) must be found; ``amount`` (the
order's value) and ``ref`` (the order number) are read when present.

A time without a zone is the workspace's local time (a till prints local time).
An amount may carry a currency sign, thousands separators or a decimal comma
(``$1,234.50``, ``12,50 €``).

A bad row is one ``FILE:LINE:FIELD: reason`` line; the good rows are stored all the
same. Importing the same file again stores nothing twice: a row is known by its order
number when the file has one, else by its code, time and amount and how many identical
rows came before it in the file (two identical orders in one file are two redemptions;
the same file twice is still two).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from hubbub.sources.base import SourceError
from hubbub.sources.csvfile import match_columns, sniff_dialect
from hubbub.store import Store
from hubbub.store.goals import insert_redemptions, normalize_code, promo_codes_of

__all__ = [
    "FIELDS",
    "SYNONYMS",
    "ImportReport",
    "import_redemptions",
    "parse_mapping",
    "read_redemptions",
]

SYNONYMS: dict[str, tuple[str, ...]] = {
    "code": (
        "code",
        "promocode",
        "couponcode",
        "discountcode",
        "coupon",
        "promo",
        "discount",
        "voucher",
        "vouchercode",
        "coupons",
        "discountcodes",
    ),
    "redeemed": (
        "redeemed",
        "redeemedat",
        "usedat",
        "date",
        "datetime",
        "time",
        "timestamp",
        "orderdate",
        "createdat",
        "created",
        "paidat",
        "completedat",
    ),
    "amount": (
        "amount",
        "total",
        "ordertotal",
        "value",
        "ordervalue",
        "grosssales",
        "netsales",
        "subtotal",
        "revenue",
        "price",
    ),
    "ref": (
        "ref",
        "orderid",
        "ordernumber",
        "order",
        "receipt",
        "receiptnumber",
        "transactionid",
        "paymentid",
        "reference",
        "id",
        "name",  # Shopify calls the order number "Name" (#1001)
    ),
}
FIELDS: tuple[str, ...] = tuple(SYNONYMS)
REQUIRED = ("code", "redeemed")
BATCH = 1000
_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%a %b %d %H:%M:%S %z %Y")


class _RowError(ValueError):
    def __init__(self, field_: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_


@dataclass(slots=True)
class ImportReport:
    """What one import did: rows read, new and already stored, the bad rows' lines and
    the codes redeemed that the business never declared."""

    path: str
    read: int = 0
    new: int = 0
    errors: list[str] = field(default_factory=list)
    undeclared: Counter[str] = field(default_factory=Counter)

    @property
    def known(self) -> int:
        """Good rows that were stored by an earlier import."""
        return self.read - len(self.errors) - self.new


def parse_mapping(items: list[str]) -> dict[str, str]:
    """``["code=Coupon"]`` as a mapping; :class:`SourceError` if malformed or unknown."""
    out: dict[str, str] = {}
    for item in items:
        name, sep, header = item.partition("=")
        if not sep or not name.strip() or not header.strip():
            raise SourceError(f"--map: {item!r} is not FIELD=Header (e.g. code=Coupon)")
        if name.strip() not in FIELDS:
            raise SourceError(f"--map: unknown field {name.strip()!r}: expected one of "
                              f"{', '.join(FIELDS)}")  # fmt: skip
        out[name.strip()] = header.strip()
    return out


def _time(value: str, zone: tzinfo) -> datetime:
    text = value.strip()
    if not text:
        raise _RowError("redeemed", "is empty")
    if re.fullmatch(r"\d{9,10}(\.\d+)?", text):
        return datetime.fromtimestamp(float(text), UTC)
    parsed: datetime | None = None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _FORMATS:
            try:
                parsed = datetime.strptime(text, fmt)
                break
            except ValueError:
                continue
    if parsed is None:
        raise _RowError("redeemed", f"{text!r} is not a date and time (e.g. 2026-11-20 09:30)")
    aware = parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)
    return aware.astimezone(UTC)


_MONEY = re.compile(r"[^\d,.\-]")


def _amount(value: str) -> float | None:
    text = _MONEY.sub("", value.strip())
    if not text:
        if value.strip():
            raise _RowError("amount", f"{value.strip()!r} is not an amount")
        return None
    if "," in text and "." in text:  # the later one is the decimal mark
        thousands = "," if text.rfind(".") > text.rfind(",") else "."
        text = text.replace(thousands, "").replace(",", ".")
    elif "," in text:
        head, _, tail = text.rpartition(",")
        text = f"{head.replace(',', '')}.{tail}" if len(tail) != 3 else text.replace(",", "")
    try:
        return round(float(text), 2)
    except ValueError:
        raise _RowError("amount", f"{value.strip()!r} is not an amount") from None


def _row(values: Mapping[str, str], zone: tzinfo) -> dict[str, Any]:
    raw = values.get("code", "").strip()
    code = normalize_code(raw.lstrip("#"))
    if not code:
        raise _RowError("code", "is empty")
    if len(code) > 64 or not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]*", code):
        raise _RowError("code", f"{raw!r} is not a promo code (letters, digits, - and _)")
    return {
        "code": code,
        "redeemed": _time(values.get("redeemed", ""), zone),
        "amount": _amount(values.get("amount", "")),
        "ref": values.get("ref", "").strip()[:150],
    }


def read_redemptions(
    path: Path, mapping: Mapping[str, str], zone: tzinfo, errors: list[str]
) -> Iterator[dict[str, Any]]:
    """The file's good rows as ``insert_redemptions`` rows (without ``imported``), each
    with its ``ref``; a bad row goes to ``errors`` as ``FILE:LINE:FIELD: reason``."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"{path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise SourceError(f"{path}:1: not UTF-8 text (save the CSV as UTF-8)") from None
    reader = csv.reader(io.StringIO(text, newline=""), sniff_dialect(text[:8192]))
    try:
        headers = next(reader)
    except StopIteration:
        return
    columns = match_columns(headers, mapping, path, SYNONYMS, REQUIRED)
    seen: Counter[str] = Counter()
    last = reader.line_num
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            errors.append(f"{path}:{reader.line_num}: {exc}")
            break
        line, last = last + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        values = {name: cells[i] if i < len(cells) else "" for name, i in columns.items()}
        try:
            row = _row(values, zone)
        except _RowError as exc:
            errors.append(f"{path}:{line}:{exc.field}: {exc}")
            continue
        if row["ref"]:
            ref = f"order:{row['ref']}"
        else:
            key = "\x1f".join((row["code"], row["redeemed"].isoformat(), repr(row["amount"])))
            seen[key] += 1
            digest = hashlib.sha256(f"{key}\x1f{seen[key]}".encode()).hexdigest()[:40]
            ref = f"row:{digest}"
        yield {**row, "ref": ref, "source": path.name[:300], "line": line}


def import_redemptions(
    store: Store,
    ws_id: int,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    zone: tzinfo = UTC,
    now: datetime | None = None,
) -> ImportReport:
    """Read ``path`` and store its new redemptions in batches (each its own
    transaction, so a crash loses nothing stored and a re-run skips it)."""
    now = now or datetime.now(UTC)
    report = ImportReport(str(path))
    with store.connect() as conn:
        declared = {c.code for c in promo_codes_of(conn, ws_id)}
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        if batch:
            with store.begin() as conn:
                report.new += insert_redemptions(conn, ws_id, batch)
            batch.clear()

    for row in read_redemptions(path, mapping or {}, zone, report.errors):
        report.read += 1
        if row["code"] not in declared:
            report.undeclared[row["code"]] += 1
        batch.append({**row, "imported": now})
        if len(batch) >= BATCH:
            flush()
    flush()
    report.read += len(report.errors)
    return report
