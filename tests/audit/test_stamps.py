"""Creation times read column-wise equal :func:`created_stamp` string by string."""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from hubbub.audit.profiles import ProfileError, created_stamp
from hubbub.audit.stamps import stamps

TEMPLATES = (
    "1850-01-01T00:00:00Z",
    "Wed Oct 10 20:19:24 +0000 2018",
    "2018-10-10T20:19:24.123456+05:30",
)


def _want(value: str | None) -> float | str:
    if not value:
        return math.nan
    try:
        return created_stamp(value)
    except ProfileError:
        return "error"


def _check(values: list[str | None]) -> int:
    got, rest = stamps(values)
    left = set(rest)
    for i, value in enumerate(values):
        want = _want(value)
        if i in left:
            assert math.isnan(got[i])
            continue
        assert want != "error", value  # a bad time is never read as one
        assert got[i] == want or (math.isnan(want) and math.isnan(got[i])), value  # type: ignore[arg-type]
    return len(values) - len(left)


def _times(r: random.Random, n: int) -> list[str | None]:
    base = datetime(1890, 1, 1, tzinfo=UTC)
    out: list[str | None] = []
    for _ in range(n):
        d = base + timedelta(
            seconds=r.randrange(330 * 365 * 86400), microseconds=r.choice([0, r.randrange(10**6)])
        )
        iso = d.isoformat(timespec=r.choice(["seconds", "milliseconds", "microseconds"]))
        out.append(
            r.choice(
                [
                    d.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                    d.strftime("%a %b %d %H:%M:%S +0200 %Y"),
                    iso,
                    iso.replace("+00:00", "Z"),
                    iso.replace("+00:00", r.choice(["+05:30", "-08:00", "+23:59", "-00:00", ""])),
                    iso.replace("T", " "),
                    None,
                    "",
                ]
            )
        )
    return out


def test_the_usual_layouts_are_read_in_columns_and_equal_the_reference() -> None:
    values = _times(random.Random(1), 20_000)
    read = _check(values)
    assert read > 0.7 * len(values)  # most never reach the string-by-string reader


def test_broken_and_odd_times_are_left_to_the_reference() -> None:
    odd = [
        "Fri Feb 30 10:00:00 +0000 2024", "Thu Feb 29 23:59:59 +0000 2024",
        "Wed Oct 10 24:00:00 +0000 2018", "Xyz Oct 10 20:19:24 +0000 2018",
        "Wed oct 10 20:19:24 +0000 2018", " ed Oct 10 20:19:24 +0000 2018",
        "Wed Oct 10 20:19:24 +0000 0000", "2023-02-29T00:00:00", "2024-02-29T00:00:00",
        "2024-01-01T24:00:00", "2024-01-01T23:60:00", "2024-01-01T23:59:60",
        "2020-01-01T00:00:00+24:00", "2020-01-01T00:00:00.1234", "2020-01-01T00:00:00.123456789Z",
        "2020-01-01T00:00:00.123+0530", "0001-01-01T00:00:00", "9999-12-31T23:59:59",
        "2200-01-01T00:00:00", "2199-12-31T23:59:59Z", "1900-01-01T00:00:00",
        "1899-12-31T23:59:59", "2020-01-01T00:00:00Z\x00", "yesterday", "2020-01-01T00:00:00ZZ",
        "2020-01-01T00:00:00+05:3", "２０２０-01-01T00:00:00",
    ]  # fmt: skip
    _check(odd)


@st.composite
def _mangled(draw: st.DrawFn) -> str:
    """A usual layout with a few characters changed: near misses of what is read."""
    text = list(draw(st.sampled_from(TEMPLATES)))
    for _ in range(draw(st.integers(1, 3))):
        text[draw(st.integers(0, len(text) - 1))] = draw(st.sampled_from("0123456789:-+.TZ O"))
    return "".join(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(_mangled(), min_size=1, max_size=30))
def test_mangled_times_are_read_exactly_or_left(values: list[str]) -> None:
    _check(list(values))
