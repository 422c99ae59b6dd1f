"""An event's window in hubbub.toml: dates, times, zones, and mistakes named at their line."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hubbub.model import Stream
from hubbub.workspace import WorkspaceFileError, parse_workspace

HEAD = """[business]
name = "Larkspur Bakery"
timezone = "America/New_York"

[[streams]]
name = "Holiday market"
query = '"holiday market"'
"""


def _stream(body: str) -> Stream:
    return parse_workspace(HEAD + body).streams[-1]


def test_dates_are_whole_local_days_and_times_are_local_unless_offset() -> None:
    fair = _stream('kind = "event"\nstarts = 2026-12-04\nends = 2026-12-06\n')
    assert (fair.starts, fair.ends) == (
        datetime(2026, 12, 4, 5, tzinfo=UTC),  # midnight EST
        datetime(2026, 12, 7, 5, tzinfo=UTC),  # the end day included
    )
    timed = _stream(
        'kind = "campaign"\nstarts = 2026-06-01T09:30:00\nends = 2026-06-01T17:00:00Z\n'
    )
    assert (timed.starts, timed.ends) == (
        datetime(2026, 6, 1, 13, 30, tzinfo=UTC),  # 09:30 EDT
        datetime(2026, 6, 1, 17, tzinfo=UTC),
    )
    text = _stream('kind = "event"\nstarts = "2026-12-04"\n')
    assert (text.starts, text.ends) == (datetime(2026, 12, 4, 5, tzinfo=UTC), None)
    assert _stream('kind = "event"\n').starts is None


@pytest.mark.parametrize(
    ("body", "line", "message"),
    [
        ('kind = "event"\nstarts = "soon"\n', 9, "stream 'Holiday market' starts must be a date"),
        ('kind = "event"\nends = 3\n', 9, "ends must be a date like 2026-12-05"),
        ('kind = "industry"\nstarts = 2026-12-04\n', 9,
         "starts and ends are for event and campaign streams, not industry"),
        ('kind = "event"\nstarts = 2026-12-06\nends = 2026-12-04\n', 10,
         "stream 'Holiday market': ends must be after starts"),
        ('kind = "event"\nbegins = 2026-12-04\n', 9, "unknown key 'begins'"),
    ],
)  # fmt: skip
def test_mistakes_are_named_at_their_line(body: str, line: int, message: str) -> None:
    with pytest.raises(WorkspaceFileError) as caught:
        parse_workspace(HEAD + body)
    assert any(
        text.startswith(f"hubbub.toml:{line}: ") and message in text
        for text in str(caught.value).splitlines()
    ), str(caught.value)
