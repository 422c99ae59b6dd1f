"""The labelled bot data sets in ``../shared/data/bots`` as (Account, seen-at, questionable).

Used to train the authenticity model (``scripts/train_authenticity.py``) and by the
test that checks the shipped model still reproduces the training-time predictions.
Each CSV row goes through the same profile mapping the audit uses at run time
(:func:`hubbub.audit.profiles.from_x_v1`), so training sees exactly the Accounts the
CLI will build. Account age is measured at the time each set was collected, not today.

- ``cresci2015-half``: users.csv (genuine, E13) and fusers.csv (bought, INT); the
  ``dataset`` column names the group and is never read as a feature. Seen at its
  ``updated`` column.
- ``kaggle-bots-nonbots``: bots_data.csv / nonbots_data.csv, mac_roman encoded,
  ids damaged by Excel (the screen name is the key), two date formats; the 5 screen
  names in both files are dropped. Seen in March 2017 (the latest tweets' month).
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from hubbub.audit.profiles import from_x_v1
from hubbub.model import Account

__all__ = ["Sample", "load_cresci", "load_kaggle"]

KAGGLE_SEEN = datetime(2017, 3, 15, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Sample:
    account: Account
    seen: datetime  # when the profile was collected: the "now" for its age
    questionable: bool


def _count(value: str) -> int | None:
    value = value.strip()
    if not value or value.upper() == "NULL":
        return None
    try:
        return int(float(value))
    except ValueError:
        return None


def _text(value: str | None) -> str:
    return "" if value is None or value == "NULL" else value


def _cresci_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        yield from csv.DictReader(fh)


def _user(row: dict[str, str], truthy: set[str], created: str, listed: str) -> dict[str, Any]:
    return {
        "id_str": row.get("id") or row["screen_name"],
        "screen_name": row["screen_name"],
        "name": _text(row.get("name")),
        "description": _text(row.get("description")),
        "location": _text(row.get("location")),
        "url": _text(row.get("url")),
        "followers_count": _count(row.get("followers_count", "")),
        "friends_count": _count(row.get("friends_count", "")),
        "statuses_count": _count(row.get("statuses_count", "")),
        "listed_count": _count(row.get(listed, "")),
        "created_at": created,
        "verified": row.get("verified", "").strip() in truthy,
        "default_profile": row.get("default_profile", "").strip() in truthy,
        "default_profile_image": row.get("default_profile_image", "").strip() in truthy,
    }


def load_cresci(folder: Path) -> list[Sample]:
    """Genuine (users.csv) then bought (fusers.csv) accounts of the Cresci 2015 half."""
    out: list[Sample] = []
    for name, fake in (("users.csv", False), ("fusers.csv", True)):
        for row in _cresci_rows(folder / name):
            seen = datetime.fromisoformat(row["updated"]).replace(tzinfo=UTC)
            user = _user(row, {"1"}, row["created_at"], "listed_count")
            out.append(Sample(from_x_v1(user), seen, fake))
    return out


def _kaggle_time(value: str) -> str:
    value = value.strip().strip('"')
    if "/" in value:  # 13/03/2017 22:21 or 7/13/2009 0:38, as Excel rewrote it
        for fmt in ("%d/%m/%Y %H:%M", "%m/%d/%Y %H:%M"):
            try:
                return datetime.strptime(value, fmt).replace(tzinfo=UTC).isoformat()
            except ValueError:
                continue
    return value


def load_kaggle(folder: Path) -> list[Sample]:
    """Human (nonbots_data.csv) then bot (bots_data.csv) accounts; conflicting names dropped."""
    rows: list[tuple[dict[str, str], bool]] = []
    for name, fake in (("nonbots_data.csv", False), ("bots_data.csv", True)):
        with (folder / name).open(newline="", encoding="mac_roman") as fh:
            rows.extend((row, fake) for row in csv.DictReader(fh))
    labels: dict[str, set[bool]] = {}
    for row, fake in rows:
        labels.setdefault(row["screen_name"].lower(), set()).add(fake)
    out: list[Sample] = []
    seen_names: set[str] = set()
    for row, fake in rows:
        key = row["screen_name"].lower()
        if len(labels[key]) > 1 or key in seen_names or not key:
            continue
        seen_names.add(key)
        row = dict(row, id=row["screen_name"])  # ids are in scientific notation for many
        user = _user(row, {"TRUE"}, _kaggle_time(row["created_at"]), "listedcount")
        out.append(Sample(from_x_v1(user), KAGGLE_SEEN, fake))
    return out
