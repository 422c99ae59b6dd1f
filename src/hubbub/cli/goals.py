"""``hubbub goals``: the seven goals' figures for a window; ``goals redemptions``: the import.

A thin face over :func:`hubbub.goals.measure_trends` (the Goals page's function) and
:func:`hubbub.goals.redemptions.import_redemptions`. The window is whole local days in
the workspace's time zone, like the web's: ``--days 30`` is the 30 days up to and
including today (or the day of ``--at``). Text goes to stdout with each figure's change
against the window before and a hint per goal; ``--json`` writes one JSON object.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from hubbub import codec
from hubbub.cli.commands import _resolve, app
from hubbub.cli.errors import BAD_INPUT, FAILED, fail, handled, stderr

__all__ = ["goals_app", "local_window", "redemptions"]

goals_app = typer.Typer(
    help="The seven goals' figures for a window; promo-code redemptions.\n\n"
    "Traffic (clicks on tracked links), promotions (codes posted, mentioned, redeemed), "
    "leads (to won or lost), visits (check-ins and visit mentions), events (within each "
    "event's dates), customer service (answers, times, complaints' mood after) and "
    "loyalty (people who come back), each with its change against the window before "
    "and what to do. See docs/goals.md for every figure.\n\n"
    "Example: hubbub goals -w larkspur --days 30 --json | jq '.goals[] | {name, figures}'",
    invoke_without_command=True,
    no_args_is_help=False,
)
app.add_typer(goals_app, name="goals")

WorkspaceOption = Annotated[
    str | None,
    typer.Option(
        "--workspace",
        "-w",
        help="The workspace file, or a stored workspace's slug [default: hubbub.toml].",
    ),
]


def local_window(now: datetime, days: int, tz: str) -> tuple[datetime, datetime]:
    """The last ``days`` whole local days up to and including ``now``'s, in UTC."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    end = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    start = datetime.combine(today - timedelta(days=days - 1), time(0), tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def _target(conn: Any, ws_id: int, default: float) -> float:
    from hubbub.configure import response_target_hours

    return response_target_hours(conn, ws_id, default)


@goals_app.callback()
def goals(
    ctx: typer.Context,
    workspace: WorkspaceOption = None,
    days: Annotated[int, typer.Option(min=1, max=366, help="The window, in days.")] = 30,
    at: Annotated[
        str | None,
        typer.Option("--at", help="A time on the window's last day (ISO 8601) [default: now]."),
    ] = None,
    json_: Annotated[bool, typer.Option("--json", help="Write the figures as JSON.")] = False,
) -> None:
    """Print each goal's figures for a window (the group's help says what they are)."""
    if ctx.invoked_subcommand is not None:
        return
    from hubbub.goals import measure_trends
    from hubbub.goals.explain import GOAL_INFO, figure_info, format_change, format_value, hint
    from hubbub.settings import get_settings
    from hubbub.store import Store

    with handled():
        now = datetime.now(UTC)
        if at is not None:
            try:
                now = codec.parse_datetime(at)
            except ValueError:
                fail(f"--at: {at!r} is not an ISO 8601 time", BAD_INPUT)
        store = Store.open()
        try:
            ws, ws_id = _resolve(store, workspace or str(get_settings().workspace_file))
            start, end = local_window(now, days, ws.timezone)
            with store.connect() as conn:
                target = _target(conn, ws_id, ws.response_target_hours)
                trends = measure_trends(conn, ws_id, start, end, target, tz=ws.timezone)
        finally:
            store.close()
        if json_:
            data = {
                "workspace": ws.slug,
                "start": start.isoformat(),
                "end": end.isoformat(),
                "timezone": ws.timezone,
                "response_target_hours": target,
                "goals": [
                    {
                        "name": t.goal.name,
                        "title": GOAL_INFO[t.goal.name].title,
                        "figures": t.goal.figures,
                        "previous": t.previous.figures,
                        "headline": t.headline.figure,
                        "trend": [
                            {"start": b.isoformat(), "value": v}
                            for b, v in zip(t.buckets, t.values, strict=True)
                        ],
                        "hint": hint(t.goal, t.previous, target),
                    }
                    for t in trends
                ],
            }
            sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
            return
        zone = ZoneInfo(ws.timezone)
        first, last = start.astimezone(zone), (end - timedelta(seconds=1)).astimezone(zone)
        out = sys.stdout
        out.write(
            f"Goals of {ws.name}, {first:%b} {first.day} – {last:%b} {last.day}, {last.year} "
            f"({days} days, {ws.timezone}); changes against the {days} days before\n"
        )
        for t in trends:
            info = GOAL_INFO[t.goal.name]
            out.write(f"\n{info.title}\n")
            for name, value in t.goal.figures.items():
                figure = figure_info(t.goal.name, name)
                change = format_change(t.change(name))
                shown = format_value(figure.kind, value)
                out.write(f"  {figure.label:<26} {shown:>10}  {change}".rstrip() + "\n")
            out.write(f"  → {hint(t.goal, t.previous, target)}\n")


@goals_app.command("redemptions")
def redemptions(
    file: Annotated[Path, typer.Argument(help="The CSV export of orders that used a code.")],
    workspace: WorkspaceOption = None,
    map_: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="FIELD=Header for a column not found by itself: code, redeemed, amount, ref.",
        ),
    ] = None,
) -> None:
    """Import promo-code redemptions from a CSV export of orders.

    One row per order that used a code: the code and the time are needed, the order's
    value and number are read when present. A time without a zone is the workspace's
    local time. A bad row is reported as FILE:LINE:FIELD: reason and skipped (exit code
    1); the good ones are stored. Importing the same file again stores nothing twice.

    Example: hubbub goals redemptions orders.csv -w larkspur --map code=Coupon --map redeemed=Paid
    """
    from hubbub.goals.redemptions import import_redemptions, parse_mapping
    from hubbub.settings import get_settings
    from hubbub.sources.base import SourceError
    from hubbub.store import Store

    with handled():
        try:
            mapping = parse_mapping(map_ or [])
        except SourceError as exc:
            fail(str(exc), BAD_INPUT)
        if not file.is_file():
            fail(f"{file}: no such file", BAD_INPUT)
        store = Store.open()
        try:
            ws, ws_id = _resolve(store, workspace or str(get_settings().workspace_file))
            report = import_redemptions(
                store, ws_id, file, mapping=mapping, zone=ZoneInfo(ws.timezone)
            )
        finally:
            store.close()
        err = stderr()
        for line in report.errors:
            err.print(line, markup=False)
        rows = "row" if report.read == 1 else "rows"
        sys.stdout.write(
            f"{file}: {report.read:,} {rows} read, {report.new:,} new redemptions stored, "
            f"{report.known:,} already stored, {len(report.errors):,} bad\n"
        )
        if report.undeclared:
            codes = ", ".join(sorted(report.undeclared))
            sys.stdout.write(
                f"Not declared on the Goals page: {codes} (their redemptions are counted; "
                "declare them to see them posted and mentioned)\n"
            )
        if report.errors:
            raise typer.Exit(FAILED)
