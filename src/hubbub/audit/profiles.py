"""Profiles from each network's JSON as :class:`Account`: X v1.1 and v2, Mastodon, Bluesky.

Followers arrive as whatever a user exported (twarc, a Mastodon API dump, an
``app.bsky.actor.getProfiles`` answer, or hubbub's own Account JSON), so
:func:`account_from_json` tells them apart by their keys, one object at a time.
What a network does not give stays ``None`` (missing), never 0: Mastodon and
Bluesky have no lists, Bluesky no default-profile flag. The mapping is hand-written
rather than validated with pydantic models because it runs per follower on the
audit's hot path, and every field is optional in practice.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from hubbub import codec
from hubbub.model import NETWORKS, Account

__all__ = [
    "X_V1",
    "X_V2",
    "Fields",
    "ProfileError",
    "XFields",
    "account_from_json",
    "created_stamp",
    "from_bluesky",
    "from_hubbub",
    "from_mastodon",
    "from_x_v1",
    "from_x_v2",
    "parse_x_time",
    "profile_fields",
]

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}

_TAGS = re.compile(r"<[^>]+>")


class ProfileError(ValueError):
    """An object that is not a profile hubbub can read; the message says why."""


def _int(value: Any) -> int | None:
    if type(value) is int:  # not a bool (JSON gives no other int subclass)
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def parse_x_time(value: str) -> datetime:
    """X v1.1's ``Wed Oct 10 20:19:24 +0000 2018`` (or ISO 8601, as v2 writes)."""
    parts = value.split()
    if len(parts) == 6 and parts[1] in _MONTHS and parts[4] == "+0000":
        try:
            h, m, s = parts[3].split(":")
            return datetime(
                int(parts[5]), _MONTHS[parts[1]], int(parts[2]), int(h), int(m), int(s), tzinfo=UTC
            )
        except ValueError:
            pass
    elif len(parts) == 6:
        try:
            return datetime.strptime(value, "%a %b %d %H:%M:%S %z %Y").astimezone(UTC)
        except ValueError:
            pass
    try:
        return codec.parse_datetime(value)
    except ValueError:
        raise ProfileError(f"created_at {value!r} is not a time") from None


def _raw_created(value: Any) -> str | None:
    """The creation time as the JSON gave it: a string to parse, or None when absent."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ProfileError(f"created_at {value!r} is not a time")
    return value


def _account(fields: Fields) -> Account:
    created = fields[11]
    if isinstance(created, str):
        fields = (*fields[:11], parse_x_time(created), *fields[12:])
    return Account(*fields)  # type: ignore[arg-type]


_EPOCH_DAYS = datetime(1970, 1, 1).toordinal()
_DAYS: dict[tuple[str, int, str], int] = {}  # X v1.1 dates seen: followers share many


def created_stamp(value: str | datetime | None) -> float:
    """:func:`profile_fields`' ``created`` as a POSIX timestamp (NaN when absent).

    The same number as ``parse_x_time(value).timestamp()``, with X v1.1's usual
    ``+0000`` form read by hand (a third of the time of making the datetime).
    """
    if value is None:
        return math.nan
    if isinstance(value, datetime):
        return value.timestamp()
    parts = value.split()
    if len(parts) != 6:  # ISO 8601, as parse_x_time reads it
        try:
            return codec.parse_datetime(value).timestamp()
        except ValueError:
            raise ProfileError(f"created_at {value!r} is not a time") from None
    if parts[4] == "+0000" and (month := _MONTHS.get(parts[1])):
        try:
            h, m, s = parts[3].split(":")
            key = (parts[5], month, parts[2])
            day = _DAYS.get(key)
            if day is None:
                if len(_DAYS) > 1 << 16:
                    _DAYS.clear()
                day = _DAYS[key] = date(int(parts[5]), month, int(parts[2])).toordinal()
            day -= _EPOCH_DAYS
            hour, minute, second = int(h), int(m), int(s)
        except ValueError:
            pass
        else:
            if 0 <= hour < 24 and 0 <= minute < 60 and 0 <= second < 60:
                return float(day * 86400 + hour * 3600 + minute * 60 + second)
    return parse_x_time(value).timestamp()


def _id(obj: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    raise ProfileError(f"no {keys[0]}")


@dataclass(frozen=True, slots=True)
class XFields:
    """Where one X API version keeps each profile field (v1.1 and v2 differ only here)."""

    handle: str  # the screen name's key
    ids: tuple[str, ...]  # the id's keys, the first present wins
    metrics: str | None  # the object holding the counts, or None: the user itself
    counts: tuple[str, str, str, str]  # followers, following, posts, listed
    avatar_flag: str | None  # a bool: the default profile image
    avatar_url: str | None  # the image's URL: default when under default_profile_images
    theme: str | None  # a bool: the default profile theme


X_V1 = XFields(
    handle="screen_name",
    ids=("id_str", "id"),
    metrics=None,
    counts=("followers_count", "friends_count", "statuses_count", "listed_count"),
    avatar_flag="default_profile_image",
    avatar_url=None,
    theme="default_profile",
)
X_V2 = XFields(
    handle="username",
    ids=("id",),
    metrics="public_metrics",
    counts=("followers_count", "following_count", "tweet_count", "listed_count"),
    avatar_flag=None,
    avatar_url="profile_image_url",
    theme=None,
)

#: An :class:`Account`'s fields in its order, ``created`` still as the JSON gave it
#: (a string to parse, or None; a datetime for hubbub's own JSON).
Fields = tuple[
    str, str, str, str, str, str, str,
    int | None, int | None, int | None, int | None,
    str | datetime | None, bool | None, bool | None, bool | None,
]  # fmt: skip


_EMPTY: dict[str, Any] = {}


def _dict(value: Any) -> dict[str, Any]:
    """``value`` if it is an object, else an empty one (an export may hold anything)."""
    return value if isinstance(value, dict) else _EMPTY


def _x_fields(user: dict[str, Any], table: XFields) -> Fields:
    get = user.get  # runs per follower on the audit's hot path
    handle = _str(get(table.handle))
    if not handle:
        raise ProfileError(f"no {table.handle}")
    if table.metrics is None:
        metrics = user
    else:
        found = get(table.metrics)
        metrics = found if isinstance(found, dict) else {}
    url = _str(get("url"))
    urls = _dict(_dict(get("entities")).get("url")).get("urls")
    if (
        isinstance(urls, list)
        and urls
        and isinstance(urls[0], dict)
        and urls[0].get("expanded_url")
    ):
        url = str(urls[0]["expanded_url"])
    avatar: bool | None = None
    if table.avatar_flag is not None:
        avatar = _bool(get(table.avatar_flag))
    elif table.avatar_url is not None:
        image = get(table.avatar_url)
        avatar = ("default_profile_images" in image) if isinstance(image, str) else None
    fol, ing, posts, listed = table.counts
    return (
        "x",
        _id(user, *table.ids),
        handle,
        _str(get("name")),
        _str(get("description")),
        _str(get("location")),
        url,
        _int(metrics.get(fol)),
        _int(metrics.get(ing)),
        _int(metrics.get(posts)),
        _int(metrics.get(listed)),
        _raw_created(get("created_at")),
        _bool(get("verified")),
        avatar,
        _bool(get(table.theme)) if table.theme is not None else None,
    )


def from_x_v1(user: dict[str, Any]) -> Account:
    """An X (Twitter) API v1.1 user object."""
    return _account(_x_fields(user, X_V1))


def from_x_v2(user: dict[str, Any]) -> Account:
    """An X API v2 user object (``public_metrics``, ``username``)."""
    return _account(_x_fields(user, X_V2))


def _mastodon_fields(acct: dict[str, Any]) -> Fields:
    handle = _str(acct.get("acct")) or _str(acct.get("username"))
    if not handle:
        raise ProfileError("no acct")
    avatar = _str(acct.get("avatar"))
    website = ""
    fields = acct.get("fields")
    for field in fields if isinstance(fields, list) else ():  # profile metadata: a website
        value = field.get("value") if isinstance(field, dict) else None
        if isinstance(value, str) and "http" in value:
            website = value
            break
    bio = _str(acct.get("note"))
    if "<" in bio:  # the note is HTML; keep its text
        bio = _TAGS.sub(" ", bio).strip()
    return (
        "mastodon",
        _id(acct, "id"),
        handle,
        _str(acct.get("display_name")),
        bio,
        "",
        website,
        _int(acct.get("followers_count")),
        _int(acct.get("following_count")),
        _int(acct.get("statuses_count")),
        None,
        _raw_created(acct.get("created_at")),
        None,
        ("/avatars/original/missing" in avatar) if avatar else None,
        None,
    )


def from_mastodon(acct: dict[str, Any]) -> Account:
    """A Mastodon API Account entity (``acct``, ``followers_count``, ``avatar``)."""
    return _account(_mastodon_fields(acct))


def _bluesky_fields(profile: dict[str, Any]) -> Fields:
    did, handle = _str(profile.get("did")), _str(profile.get("handle"))
    if not did or not handle:
        raise ProfileError("no did or handle")
    return (
        "bluesky",
        did,
        handle,
        _str(profile.get("displayName")),
        _str(profile.get("description")),
        "",
        "",
        _int(profile.get("followersCount")),
        _int(profile.get("followsCount")),
        _int(profile.get("postsCount")),
        None,
        _raw_created(profile.get("createdAt")),
        None,
        not profile.get("avatar") if "followersCount" in profile else None,
        None,
    )


def from_bluesky(profile: dict[str, Any]) -> Account:
    """A Bluesky ``app.bsky.actor.defs#profileViewDetailed`` (``did``, ``handle``)."""
    return _account(_bluesky_fields(profile))


def from_hubbub(obj: dict[str, Any]) -> Account:
    """hubbub's own Account JSON (:func:`hubbub.codec.to_dict` of an Account)."""
    if obj.get("network") not in NETWORKS:
        raise ProfileError(f"network {obj.get('network')!r} is not one of {', '.join(NETWORKS)}")
    try:
        return codec.from_dict(Account, obj)
    except codec.CodecError as exc:
        raise ProfileError(str(exc)) from None


def profile_fields(obj: Any) -> Fields:
    """Whichever profile ``obj`` is, as an Account's fields (raises :class:`ProfileError`).

    ``created`` is not parsed yet: :func:`account_from_json` makes it a datetime, a batch
    reader a timestamp (:func:`created_stamp`). Every error but a bad time is raised here.
    """
    if not isinstance(obj, dict):
        raise ProfileError(f"expected a JSON object, got {type(obj).__name__}")
    if "screen_name" in obj:
        return _x_fields(obj, X_V1)
    if "network" in obj and "handle" in obj:
        a = from_hubbub(obj)
        return (
            a.network, a.id, a.handle, a.name, a.bio, a.location, a.url, a.followers,
            a.following, a.posts, a.listed, a.created, a.verified, a.default_avatar,
            a.default_profile,
        )  # fmt: skip
    if "did" in obj:
        return _bluesky_fields(obj)
    if "acct" in obj:
        return _mastodon_fields(obj)
    if "username" in obj:
        return _x_fields(obj, X_V2)
    raise ProfileError(
        "not a profile: expected an X v1.1 or v2 user, a Mastodon account, "
        "a Bluesky profile or a hubbub Account"
    )


def account_from_json(obj: Any) -> Account:
    """Whichever profile ``obj`` is, as an Account (raises :class:`ProfileError`)."""
    return _account(profile_fields(obj))
