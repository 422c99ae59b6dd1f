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

import re
from datetime import UTC, datetime
from typing import Any

from hubbub import codec
from hubbub.model import NETWORKS, Account

__all__ = [
    "ProfileError",
    "account_from_json",
    "from_bluesky",
    "from_hubbub",
    "from_mastodon",
    "from_x_v1",
    "from_x_v2",
    "parse_x_time",
]

_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_MONTHS = {m: i for i, m in enumerate(_MONTH_NAMES, 1)}

_TAGS = re.compile(r"<[^>]+>")


class ProfileError(ValueError):
    """An object that is not a profile hubbub can read; the message says why."""


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
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


def _created(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ProfileError(f"created_at {value!r} is not a time")
    return parse_x_time(value)


def _id(obj: dict[str, Any], *keys: str) -> str:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value:
            return value
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    raise ProfileError(f"no {keys[0]}")


def from_x_v1(user: dict[str, Any]) -> Account:
    """An X (Twitter) API v1.1 user object."""
    handle = _str(user.get("screen_name"))
    if not handle:
        raise ProfileError("no screen_name")
    url = _str(user.get("url"))
    urls = ((user.get("entities") or {}).get("url") or {}).get("urls") or []
    if urls and isinstance(urls[0], dict) and urls[0].get("expanded_url"):
        url = str(urls[0]["expanded_url"])
    return Account(
        network="x",
        id=_id(user, "id_str", "id"),
        handle=handle,
        name=_str(user.get("name")),
        bio=_str(user.get("description")),
        location=_str(user.get("location")),
        url=url,
        followers=_int(user.get("followers_count")),
        following=_int(user.get("friends_count")),
        posts=_int(user.get("statuses_count")),
        listed=_int(user.get("listed_count")),
        created=_created(user.get("created_at")),
        verified=_bool(user.get("verified")),
        default_avatar=_bool(user.get("default_profile_image")),
        default_profile=_bool(user.get("default_profile")),
    )


def from_x_v2(user: dict[str, Any]) -> Account:
    """An X API v2 user object (``public_metrics``, ``username``)."""
    handle = _str(user.get("username"))
    if not handle:
        raise ProfileError("no username")
    metrics = user.get("public_metrics")
    metrics = metrics if isinstance(metrics, dict) else {}
    url = _str(user.get("url"))
    urls = ((user.get("entities") or {}).get("url") or {}).get("urls") or []
    if urls and isinstance(urls[0], dict) and urls[0].get("expanded_url"):
        url = str(urls[0]["expanded_url"])
    avatar = user.get("profile_image_url")
    return Account(
        network="x",
        id=_id(user, "id"),
        handle=handle,
        name=_str(user.get("name")),
        bio=_str(user.get("description")),
        location=_str(user.get("location")),
        url=url,
        followers=_int(metrics.get("followers_count")),
        following=_int(metrics.get("following_count")),
        posts=_int(metrics.get("tweet_count")),
        listed=_int(metrics.get("listed_count")),
        created=_created(user.get("created_at")),
        verified=_bool(user.get("verified")),
        default_avatar=("default_profile_images" in avatar) if isinstance(avatar, str) else None,
    )


def from_mastodon(acct: dict[str, Any]) -> Account:
    """A Mastodon API Account entity (``acct``, ``followers_count``, ``avatar``)."""
    handle = _str(acct.get("acct")) or _str(acct.get("username"))
    if not handle:
        raise ProfileError("no acct")
    avatar = _str(acct.get("avatar"))
    website = ""
    for field in acct.get("fields") or []:  # profile metadata: a website is usually one
        value = field.get("value") if isinstance(field, dict) else None
        if isinstance(value, str) and "http" in value:
            website = value
            break
    bio = _str(acct.get("note"))
    if "<" in bio:  # the note is HTML; keep its text
        bio = _TAGS.sub(" ", bio).strip()
    return Account(
        network="mastodon",
        id=_id(acct, "id"),
        handle=handle,
        name=_str(acct.get("display_name")),
        bio=bio,
        url=website,
        followers=_int(acct.get("followers_count")),
        following=_int(acct.get("following_count")),
        posts=_int(acct.get("statuses_count")),
        created=_created(acct.get("created_at")),
        default_avatar=("/avatars/original/missing" in avatar) if avatar else None,
    )


def from_bluesky(profile: dict[str, Any]) -> Account:
    """A Bluesky ``app.bsky.actor.defs#profileViewDetailed`` (``did``, ``handle``)."""
    did, handle = _str(profile.get("did")), _str(profile.get("handle"))
    if not did or not handle:
        raise ProfileError("no did or handle")
    return Account(
        network="bluesky",
        id=did,
        handle=handle,
        name=_str(profile.get("displayName")),
        bio=_str(profile.get("description")),
        followers=_int(profile.get("followersCount")),
        following=_int(profile.get("followsCount")),
        posts=_int(profile.get("postsCount")),
        created=_created(profile.get("createdAt")),
        default_avatar=not profile.get("avatar") if "followersCount" in profile else None,
    )


def from_hubbub(obj: dict[str, Any]) -> Account:
    """hubbub's own Account JSON (:func:`hubbub.codec.to_dict` of an Account)."""
    if obj.get("network") not in NETWORKS:
        raise ProfileError(f"network {obj.get('network')!r} is not one of {', '.join(NETWORKS)}")
    try:
        return codec.from_dict(Account, obj)
    except codec.CodecError as exc:
        raise ProfileError(str(exc)) from None


def account_from_json(obj: Any) -> Account:
    """Whichever profile ``obj`` is, as an Account (raises :class:`ProfileError`)."""
    if not isinstance(obj, dict):
        raise ProfileError(f"expected a JSON object, got {type(obj).__name__}")
    if "screen_name" in obj:
        return from_x_v1(obj)
    if "network" in obj and "handle" in obj:
        return from_hubbub(obj)
    if "did" in obj:
        return from_bluesky(obj)
    if "acct" in obj:
        return from_mastodon(obj)
    if "username" in obj:
        return from_x_v2(obj)
    raise ProfileError(
        "not a profile: expected an X v1.1 or v2 user, a Mastodon account, "
        "a Bluesky profile or a hubbub Account"
    )
