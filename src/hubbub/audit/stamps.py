"""Creation times of many profiles at once: the usual layouts read column-wise with numpy.

:func:`hubbub.audit.profiles.created_stamp` reads one time string in about a
microsecond; an audit of a million followers reads a million of them. Nearly all are
in one of two fixed layouts: X v1.1's ``Wed Oct 10 20:19:24 +0000 2018`` and ISO 8601
as X v2, Mastodon and Bluesky write it (``2018-10-10T20:19:24``, with ``.fff`` or
``.ffffff``, then nothing, ``Z`` or ``+HH:MM``). :func:`stamps` lays the strings out
as a fixed-width code-point matrix and reads the digits of those layouts by position,
for every string at once. Anything else (another offset, a one-digit day, an impossible
date, a year outside 1900-2199) is left to :func:`created_stamp` string by string, so
the numbers are always exactly that function's (``tests/audit/test_stamps.py``
compares them on generated strings). Hand-written because no library reads these
layouts into POSIX seconds column-wise with Python's exact rounding.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["WIDTH", "stamps"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: Longest string read column-wise (``2018-10-10T20:19:24.123456+05:30`` is 32).
WIDTH = 32

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTH_KEYS = np.array([(ord(m[0]) << 16) | (ord(m[1]) << 8) | ord(m[2]) for m in _MONTHS])
_MONTH_ORDER = np.argsort(_MONTH_KEYS)
_SORTED_KEYS = _MONTH_KEYS[_MONTH_ORDER]
_DAYS_IN = np.array([0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


Codes = npt.NDArray[np.int32]  # (WIDTH, rows): column ``i`` of every row is ``c[i]``
Mask = npt.NDArray[np.bool_]


def _char(c: Codes, at: int, text: str) -> Mask:
    """Whether ``text`` stands at column ``at`` of every row."""
    ok: Mask = c[at] == ord(text[0])
    for i, ch in enumerate(text[1:], at + 1):
        ok &= c[i] == ord(ch)
    return ok


def _number(c: Codes, at: int, size: int) -> tuple[IntArray, Mask]:
    """The decimal number in columns ``at:at+size`` of every row, and where all are digits."""
    d = c[at : at + size] - 48
    ok = np.asarray((d.view(np.uint32) <= 9).all(axis=0))  # negatives wrap: one comparison
    value = d[0].astype(np.int64)
    for i in range(1, size):
        value = value * 10 + d[i]
    return value, ok


def _days(year: IntArray, month: IntArray, day: IntArray) -> tuple[IntArray, Mask]:
    """Days since 1970-01-01 of each date (proleptic Gregorian), and which dates exist."""
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_ok = (month >= 1) & (month <= 12)
    last = _DAYS_IN[np.where(month_ok, month, 0)] + (leap & (month == 2))
    ok = month_ok & (day >= 1) & (day <= last) & (year >= 1900) & (year < 2200)
    # Howard Hinnant's days_from_civil
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    mp = (month + 9) % 12
    doy = (153 * mp + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468, ok


def _clock(c: Codes, at: int) -> tuple[IntArray, Mask]:
    """Seconds into the day of ``HH:MM:SS`` at column ``at``, and where it is a real time."""
    h, ok_h = _number(c, at, 2)
    m, ok_m = _number(c, at + 3, 2)
    s, ok_s = _number(c, at + 6, 2)
    ok = ok_h & ok_m & ok_s & _char(c, at + 2, ":") & _char(c, at + 5, ":")
    ok &= (h < 24) & (m < 60) & (s < 60)
    return h * 3600 + m * 60 + s, ok


def _x_v1(c: Codes) -> tuple[FloatArray, Mask]:
    """``Wed Oct 10 20:19:24 +0000 2018``: seconds, and which rows have that layout."""
    ok = _char(c, 20, "+0000")
    for at in (3, 7, 10, 19, 25):
        ok &= c[at] == 32
    for at in range(3):  # the weekday is not read, but must be one word (str.split)
        ok &= (c[at] > 32) & (c[at] < 127)
    key = (c[4].astype(np.int64) << 16) | (c[5].astype(np.int64) << 8) | c[6]
    where = np.minimum(np.searchsorted(_SORTED_KEYS, key), len(_SORTED_KEYS) - 1)
    ok &= _SORTED_KEYS[where] == key
    month = _MONTH_ORDER[where].astype(np.int64) + 1
    day, ok_d = _number(c, 8, 2)
    year, ok_y = _number(c, 26, 4)
    clock, ok_c = _clock(c, 11)
    days, ok_date = _days(year, month, day)
    ok &= ok_d & ok_y & ok_c & ok_date
    return (days * 86400 + clock).astype(np.float64), ok


def _iso(c: Codes, size: npt.NDArray[np.intp]) -> tuple[FloatArray, Mask]:
    """ISO 8601 ``YYYY-MM-DDTHH:MM:SS[.fff|.ffffff][Z|+HH:MM|-HH:MM]``: seconds, and where."""
    year, ok = _number(c, 0, 4)
    month, ok_m = _number(c, 5, 2)
    day, ok_d = _number(c, 8, 2)
    ok &= ok_m & ok_d & _char(c, 4, "-") & _char(c, 7, "-") & _char(c, 10, "T")
    clock, ok_c = _clock(c, 11)
    days, ok_date = _days(year, month, day)
    ok &= ok_c & ok_date
    # the fraction: none, 3 or 6 digits
    dot = c[19] == ord(".")
    frac = c[20:26] - 48
    digit = frac.view(np.uint32) <= 9
    three = dot & digit[:3].all(axis=0) & ~digit[3]
    six = dot & digit.all(axis=0)
    ok &= ~dot | three | six
    micros = np.where(three | six, frac[0], 0).astype(np.int64)
    for i in range(1, 6):
        micros = micros * 10 + np.where(six | (three & (i < 3)), frac[i], 0)
    zone = 19 + np.where(six, 7, np.where(three, 4, 0))
    rest = size - zone
    # the zone: nothing, Z, or +HH:MM / -HH:MM, read where it starts in each row
    z = np.take_along_axis(c, np.minimum(zone[None, :] + np.arange(6)[:, None], WIDTH - 1), 0)
    zd = z - 48
    offset_ok = (
        ((z[0] == ord("+")) | (z[0] == ord("-")))
        & (z[3] == ord(":"))
        & (zd[[1, 2, 4, 5]].view(np.uint32) <= 9).all(axis=0)
    )
    hours, minutes = zd[1] * 10 + zd[2], zd[4] * 10 + zd[5]
    offset_ok &= (hours < 24) & (minutes < 60)
    sign = np.where(z[0] == ord("-"), -1, 1)
    offset = np.where(rest == 6, sign * (hours * 3600 + minutes * 60), 0)
    ok &= (rest == 0) | ((rest == 1) & (z[0] == ord("Z"))) | ((rest == 6) & offset_ok)
    total = (days * 86400 + clock - offset) * 1_000_000 + micros
    return total.astype(np.float64) / 1e6, ok


def stamps(values: Sequence[str | None]) -> tuple[FloatArray, list[int]]:
    """POSIX seconds of each time (NaN for None and ""), and the rows left to read one by one.

    A row listed second is NaN in the first; its string is for
    :func:`hubbub.audit.profiles.created_stamp` (which may find it is no time at all).
    """
    n = len(values)
    texts = [v or "" for v in values]
    size = np.fromiter(map(len, texts), dtype=np.intp, count=n)
    if not n:
        return np.empty(0), []
    grid = np.array(texts, dtype=f"<U{WIDTH}").view(np.int32).reshape(n, WIDTH)
    out = np.full(n, np.nan)
    done = size == 0
    for rows, read in (
        (np.flatnonzero(size == 30), _x_v1),
        (np.flatnonzero((size >= 19) & (size <= WIDTH) & (grid[:, 4] == ord("-"))), None),
    ):
        if not len(rows):
            continue
        c = np.ascontiguousarray(grid[rows].T)  # a row per column: each step reads memory in order
        secs, ok = read(c) if read is not None else _iso(c, size[rows])
        out[rows[ok]] = secs[ok]
        done[rows[ok]] = True
    return out, np.flatnonzero(~done).tolist()
