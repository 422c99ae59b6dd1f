"""Read a ``hubbub.toml`` and check all of it, reporting every problem at its line.

The file is written by people, so every mistake is reported at once, each as
``hubbub.toml:LINE: message`` like a compiler would, rather than the first one as a
traceback (lines come from :class:`~hubbub.workspace.locate.Locator`).

Validation is hand-written rather than a pydantic model because the error messages
are the product here: one line per problem, with a line number, a "did you mean"
for unknown keys, and the file's own vocabulary (``[business]``, ``[[competitors]]``).
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from hubbub.model import (
    NETWORKS,
    ROLES,
    STREAM_KINDS,
    WINDOWED_KINDS,
    Competitor,
    Locale,
    Role,
    Stream,
    StreamKind,
    TeamMember,
    Workspace,
)
from hubbub.query import QueryError, parse
from hubbub.workspace.derive import derive_streams, slugify
from hubbub.workspace.locate import Key, Locator

__all__ = ["WorkspaceFileError", "load_workspace", "parse_workspace"]

_SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
_X_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,15}$")
_MASTODON_HANDLE = re.compile(r"^[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
_DOMAIN = re.compile(
    r"^(?=.{1,253}$)(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}$"
)
_HANDLE_RULES: dict[str, tuple[Callable[[str], bool], str]] = {
    "x": (lambda h: bool(_X_HANDLE.match(h)), "1-15 letters, digits or _"),
    "mastodon": (lambda h: bool(_MASTODON_HANDLE.match(h)), "user@instance"),
    "bluesky": (lambda h: bool(_DOMAIN.match(h)), "a domain such as name.bsky.social"),
    "rss": (lambda h: _is_http_url(h), "the feed's http(s) URL"),
}

# The keys each table allows; the values say what each key holds (for messages).
_SCHEMA: dict[str, tuple[str, ...]] = {
    "": ("business", "locale", "competitors", "team", "streams"),
    "business": (
        "name",
        "slug",
        "website",
        "blog_feed",
        "timezone",
        "response_target_hours",
        "products",
        "industry_words",
        "handles",
    ),
    "locale": ("town", "country", "latitude", "longitude", "radius_km", "nicknames"),
    "competitors": ("name", "handles"),
    "team": ("name", "email", "role", "handles"),
    "streams": ("name", "query", "kind", "paused", "starts", "ends"),
}


class WorkspaceFileError(ValueError):
    """A workspace file has problems; ``str()`` is one ``FILE:LINE: message`` per line."""

    def __init__(self, path: str, problems: Sequence[tuple[int, str]]) -> None:
        self.path = path
        self.problems = sorted(problems, key=lambda p: p[0])
        super().__init__("\n".join(f"{path}:{line}: {msg}" for line, msg in self.problems))


# --- checking ---------------------------------------------------------------------------


@dataclass
class _Checker:
    locator: Locator
    problems: list[tuple[int, str]] = field(default_factory=list)

    def add(self, key: Key, message: str) -> None:
        self.problems.append((self.locator.line(key), message))

    def known_keys(self, table: dict[str, Any], schema: str, key: Key, where: str) -> None:
        allowed = _SCHEMA[schema]
        for name in table:
            if name not in allowed:
                hint = difflib.get_close_matches(name, allowed, n=1)
                tip = (
                    f" (did you mean '{hint[0]}'?)" if hint else f"; allowed: {', '.join(allowed)}"
                )
                self.add((*key, name), f"unknown key '{name}' in {where}{tip}")

    def text(
        self, table: dict[str, Any], name: str, key: Key, label: str, *, required: bool = False
    ) -> str:
        if name not in table:
            if required:
                self.add(key, f"{label} is missing")
            return ""
        value = table[name]
        if not isinstance(value, str):
            self.add((*key, name), f"{label} must be text in quotes, not {_kind(value)}")
            return ""
        if required and not value.strip():
            self.add((*key, name), f"{label} must not be empty")
        return value.strip()

    def number(
        self, table: dict[str, Any], name: str, key: Key, label: str, *, required: bool = False
    ) -> float | None:
        if name not in table:
            if required:
                self.add(key, f"{label} is missing")
            return None
        value = table[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            self.add((*key, name), f"{label} must be a number, not {_kind(value)}")
            return None
        return float(value)

    def words(self, table: dict[str, Any], name: str, key: Key, label: str) -> tuple[str, ...]:
        value = table.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add((*key, name), f'{label} must be a list of texts, like ["a", "b"]')
            return ()
        cleaned = [v.strip() for v in value]
        if any(not v for v in cleaned):
            self.add((*key, name), f"{label} must not contain empty texts")
        return tuple(v for v in cleaned if v)

    def table(self, parent: dict[str, Any], name: str, key: Key, label: str) -> dict[str, Any]:
        value = parent.get(name, {})
        if not isinstance(value, dict):
            self.add((*key, name), f"{label} must be a table, not {_kind(value)}")
            return {}
        return cast(dict[str, Any], value)

    def tables(self, parent: dict[str, Any], name: str, label: str) -> list[dict[str, Any]]:
        value = parent.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.add((name,), f"{label} must be written as [[{name}]] tables")
            return []
        return cast(list[dict[str, Any]], value)

    def handles(self, table: dict[str, Any], key: Key, where: str) -> dict[str, str]:
        raw = self.table(table, "handles", key, f"{where} handles")
        out: dict[str, str] = {}
        for network, handle in raw.items():
            hkey = (*key, "handles", network)
            if network not in NETWORKS:
                hint = difflib.get_close_matches(network, NETWORKS, n=1)
                tip = f" (did you mean '{hint[0]}'?)" if hint else ""
                known = ", ".join(NETWORKS)
                self.add(
                    hkey, f"unknown network '{network}' in {where} handles{tip}; known: {known}"
                )
                continue
            if not isinstance(handle, str):
                self.add(hkey, f"{where} handle for {network} must be text, not {_kind(handle)}")
                continue
            cleaned = handle.strip()
            if network != "rss":
                cleaned = cleaned.removeprefix("@")
            check, shape = _HANDLE_RULES[network]
            if not check(cleaned):
                self.add(hkey, f"{where} handle for {network} {handle!r} is not {shape}")
                continue
            out[network] = cleaned
        return out

    def url(self, table: dict[str, Any], name: str, key: Key, label: str) -> str:
        value = self.text(table, name, key, label)
        if value and not _is_http_url(value):
            self.add((*key, name), f"{label} {value!r} must be an http(s) URL")
            return ""
        return value


def _list(values: Sequence[str]) -> str:
    return ", ".join(values)


def _kind(value: Any) -> str:
    return {
        bool: "true/false",
        int: "a number",
        float: "a number",
        str: "text",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in value


def _syntax_problem(exc: tomllib.TOMLDecodeError, text: str) -> tuple[int, str]:
    message = str(exc)
    match = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if match:
        return int(match.group(1)), "TOML syntax: " + message[: match.start()]
    match = re.search(r"\s*\(at end of document\)$", message)
    if match:
        last = max(1, len(text.splitlines()))
        return last, "TOML syntax: " + message[: match.start()] + " (at the end of the file)"
    return 1, "TOML syntax: " + message


def parse_workspace(text: str, filename: str = "hubbub.toml") -> Workspace:
    """Parse and check workspace TOML; raise :class:`WorkspaceFileError` with every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceFileError(filename, [_syntax_problem(exc, text)]) from None
    check = _Checker(Locator(text))
    check.known_keys(data, "", (), "the file")

    if "business" not in data:
        check.add((), 'the [business] table is missing (it needs at least name = "...")')
    business = check.table(data, "business", (), "[business]")
    bkey: Key = ("business",)
    check.known_keys(business, "business", bkey, "[business]")
    name = check.text(business, "name", bkey, "business name", required=True)
    slug = check.text(business, "slug", bkey, "slug") or slugify(name)
    if not _SLUG.match(slug):
        check.add(
            (*bkey, "slug"),
            f"slug {slug!r} must be lowercase letters, digits and '-' (at most 64, "
            "not starting or ending with '-')",
        )
    timezone = check.text(business, "timezone", bkey, "timezone") or "UTC"
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        hint = ""
        close = difflib.get_close_matches(timezone, _zone_names(), n=1)
        if close:
            hint = f" (did you mean '{close[0]}'?)"
        check.add((*bkey, "timezone"), f"unknown timezone {timezone!r}{hint}")
    target = check.number(business, "response_target_hours", bkey, "response_target_hours")
    if target is not None and target <= 0:
        check.add((*bkey, "response_target_hours"), "response_target_hours must be more than 0")

    locale = _check_locale(check, data)
    competitors = []
    for i, item in enumerate(check.tables(data, "competitors", "competitors")):
        key: Key = ("competitors", i)
        check.known_keys(item, "competitors", key, f"[[competitors]] #{i + 1}")
        cname = check.text(item, "name", key, f"competitor #{i + 1} name", required=True)
        competitors.append(Competitor(cname, check.handles(item, key, f"competitor {cname!r}")))
    team = []
    for i, item in enumerate(check.tables(data, "team", "team")):
        key = ("team", i)
        check.known_keys(item, "team", key, f"[[team]] #{i + 1}")
        tname = check.text(item, "name", key, f"team member #{i + 1} name", required=True)
        role = check.text(item, "role", key, "role") or "staff"
        if role not in ROLES:
            check.add((*key, "role"), f"role {role!r} must be one of {', '.join(ROLES)}")
            role = "staff"
        email = check.text(item, "email", key, "email")
        if email and not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", email):
            check.add((*key, "email"), f"email {email!r} is not an email address")
        handles = check.handles(item, key, f"team member {tname!r}")
        team.append(TeamMember(tname, email, cast(Role, role), handles))
    streams = _check_streams(check, data, _zone_or_utc(timezone))

    workspace = Workspace(
        slug=slug,
        name=name,
        handles=check.handles(business, bkey, "business"),
        website=check.url(business, "website", bkey, "website"),
        blog_feed=check.url(business, "blog_feed", bkey, "blog_feed"),
        locale=locale,
        competitors=tuple(competitors),
        products=check.words(business, "products", bkey, "products"),
        industry_words=check.words(business, "industry_words", bkey, "industry_words"),
        timezone=timezone,
        team=tuple(team),
        response_target_hours=target if target and target > 0 else 4.0,
    )
    derived = derive_streams(workspace)
    for stream in derived if not check.problems else ():
        problem = _query_problem(stream.query)
        if problem:  # a name or handle the query language cannot quote
            check.add(bkey, f"the derived {stream.kind} stream {stream.name!r}: {problem}")
    taken = {s.name.casefold(): s.kind for s in derived}
    for i, stream in enumerate(streams):
        if stream.name.casefold() in taken:
            check.add(
                ("streams", i, "name"),
                f"stream name {stream.name!r} is already taken by the derived "
                f"{taken[stream.name.casefold()]} stream; choose another name",
            )
        taken[stream.name.casefold()] = stream.kind
    if check.problems:
        raise WorkspaceFileError(filename, check.problems)
    return replace(workspace, streams=derived + tuple(streams))


def _zone_names() -> list[str]:
    return sorted(available_timezones())


def _check_locale(check: _Checker, data: dict[str, Any]) -> Locale | None:
    if "locale" not in data:
        return None
    table = check.table(data, "locale", (), "[locale]")
    key: Key = ("locale",)
    check.known_keys(table, "locale", key, "[locale]")
    town = check.text(table, "town", key, "locale town", required=True)
    lat = check.number(table, "latitude", key, "latitude", required=True)
    lon = check.number(table, "longitude", key, "longitude", required=True)
    radius = check.number(table, "radius_km", key, "radius_km")
    if lat is not None and not -90 <= lat <= 90:
        check.add((*key, "latitude"), f"latitude {lat:g} must be between -90 and 90")
    if lon is not None and not -180 <= lon <= 180:
        check.add((*key, "longitude"), f"longitude {lon:g} must be between -180 and 180")
    if radius is not None and radius <= 0:
        check.add((*key, "radius_km"), f"radius_km {radius:g} must be more than 0")
    country = check.text(table, "country", key, "country")
    if country and not re.match(r"^[A-Za-z]{2}$", country):
        check.add((*key, "country"), f'country {country!r} must be a two-letter code like "US"')
    nicknames = check.words(table, "nicknames", key, "nicknames")
    if not town or lat is None or lon is None:
        return None
    return Locale(
        town=town,
        latitude=lat,
        longitude=lon,
        radius_km=radius if radius and radius > 0 else 10.0,
        country=country.upper(),
        nicknames=nicknames,
    )


def _zone_or_utc(name: str) -> tzinfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC  # the bad name is reported on its own line


def _moment(
    check: _Checker, item: dict[str, Any], name: str, key: Key, zone: tzinfo, label: str
) -> datetime | None:
    """``starts``/``ends`` as aware UTC: a TOML date (the start of that local day, for
    ``ends`` the end of it), a local date and time (in the workspace's zone), one with an
    offset, or the same written as ISO 8601 text."""
    if name not in item:
        return None
    value = item[name]
    if isinstance(value, str):
        try:
            value = (
                date.fromisoformat(value.strip())
                if len(value.strip()) == 10
                else datetime.fromisoformat(value.strip())
            )
        except ValueError:
            value = None
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=zone)
        return aware.astimezone(UTC)
    if isinstance(value, date):
        day = value + timedelta(days=1) if name == "ends" else value
        return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
    check.add(
        (*key, name),
        f"{label} {name} must be a date like 2026-12-05 or a date and time like "
        f"2026-12-05T18:00:00, not {_kind(item[name])}",
    )
    return None


def _check_streams(check: _Checker, data: dict[str, Any], zone: tzinfo) -> list[Stream]:
    streams: list[Stream] = []
    seen: set[str] = set()
    for i, item in enumerate(check.tables(data, "streams", "streams")):
        key: Key = ("streams", i)
        check.known_keys(item, "streams", key, f"[[streams]] #{i + 1}")
        name = check.text(item, "name", key, f"stream #{i + 1} name", required=True)
        query = check.text(item, "query", key, f"stream {name!r} query", required=True)
        kind = check.text(item, "kind", key, "kind") or "campaign"
        if kind not in STREAM_KINDS:
            hint = difflib.get_close_matches(kind, STREAM_KINDS, n=1)
            tip = f" (did you mean '{hint[0]}'?)" if hint else ""
            check.add(
                (*key, "kind"), f"kind {kind!r} must be one of {', '.join(STREAM_KINDS)}{tip}"
            )
            kind = "campaign"
        paused = item.get("paused", False)
        if not isinstance(paused, bool):
            check.add((*key, "paused"), f"paused must be true or false, not {_kind(paused)}")
            paused = False
        if name and name.casefold() in seen:
            check.add((*key, "name"), f"stream name {name!r} is used twice")
        seen.add(name.casefold())
        if query:
            problem = _query_problem(query)
            if problem:
                check.add((*key, "query"), f"stream {name!r} query: {problem}")
        label = f"stream {name!r}"
        starts = _moment(check, item, "starts", key, zone, label)
        ends = _moment(check, item, "ends", key, zone, label)
        if (starts or ends) and kind not in WINDOWED_KINDS:
            check.add(
                (*key, "starts" if "starts" in item else "ends"),
                f"{label}: starts and ends are for {' and '.join(WINDOWED_KINDS)} streams, "
                f"not {kind}",
            )
        if starts and ends and ends <= starts:
            check.add((*key, "ends"), f"{label}: ends must be after starts")
        streams.append(Stream(name, query, cast(StreamKind, kind), paused, starts, ends))
    return streams


def _query_problem(query: str) -> str | None:
    """The query language's complaint about ``query``, if any."""
    try:
        parse(query)
    except QueryError as exc:
        return str(exc)
    return None


def load_workspace(path: Path) -> Workspace:
    """Read, check and complete ``path`` (a ``hubbub.toml``).

    Raises :class:`WorkspaceFileError` listing every problem, one line each; a file
    that cannot be read at all is one problem at line 0.
    """
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except FileNotFoundError:
        raise WorkspaceFileError(
            str(path), [(0, "no such file; create one with `hubbub init`")]
        ) from None
    except UnicodeDecodeError as exc:
        line = Path(path).read_bytes()[: exc.start].count(b"\n") + 1
        raise WorkspaceFileError(str(path), [(line, "not UTF-8 text")]) from None
    except OSError as exc:
        raise WorkspaceFileError(str(path), [(0, f"cannot read: {exc.strerror}")]) from None
    return parse_workspace(text, str(path))
