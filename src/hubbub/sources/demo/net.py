"""Network-specific shapes for the demo: native ids, handles, @mentions, URLs, links.

Each network spells things its own way and the rest of hubbub relies on that
(post identity is ``(network, native id)``, URLs link back to the original), so the
demo imitates each: X snowflake ids derived from the time, Mastodon's
time-ordered numeric ids, Bluesky TIDs (13 base32-sortable characters) as record
keys and ``did:plc:`` account ids. All randomness comes from the caller's
``random.Random``.
"""

from __future__ import annotations

import random
import re
from datetime import datetime

__all__ = [
    "ALNUM",
    "bluesky_did",
    "bluesky_tid",
    "mastodon_id",
    "media_url",
    "mention",
    "post_url",
    "slugify",
    "snowflake",
    "tco",
]

ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_TWEPOCH_MS = 1288834974657


def _ms(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def snowflake(when: datetime, counter: int) -> str:
    """An X id: milliseconds since Twitter's epoch, worker and sequence bits from ``counter``."""
    return str(((_ms(when) - _TWEPOCH_MS) << 22) | (counter & 0x3FFFFF))


def mastodon_id(when: datetime, counter: int) -> str:
    """A Mastodon id: milliseconds since 1970 shifted 16 bits, low bits a sequence."""
    return str((_ms(when) << 16) | (counter & 0xFFFF))


def bluesky_tid(when: datetime, counter: int) -> str:
    """A Bluesky TID record key: microseconds << 10 | clock id, in sortable base32."""
    value = (int(when.timestamp() * 1_000_000) << 10) | (counter & 0x3FF)
    chars = []
    for _ in range(13):
        chars.append(_B32_SORT[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def bluesky_did(rng: random.Random) -> str:
    return "did:plc:" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyz234567", k=24))


def tco(rng: random.Random) -> str:
    """A t.co-like short link, as X wraps every URL."""
    return "https://t.co/" + "".join(rng.choices(ALNUM, k=10))


def slugify(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def mention(network: str, handle: str, from_instance: str = "") -> str:
    """How a post on ``network`` @mentions ``handle`` (Mastodon drops a shared instance)."""
    if network == "mastodon" and "@" in handle:
        user, _, instance = handle.partition("@")
        return f"@{user}" if instance == from_instance else f"@{handle}"
    return f"@{handle}"


def post_url(network: str, handle: str, native_id: str) -> str:
    if network == "x":
        return f"https://x.com/{handle}/status/{native_id}"
    if network == "mastodon":
        user, _, instance = handle.partition("@")
        return f"https://{instance or 'mastodon.social'}/@{user}/{native_id}"
    if network == "bluesky":
        return f"https://bsky.app/profile/{handle}/post/{native_id}"
    return native_id


def media_url(rng: random.Random, network: str, author_id: str) -> str:
    key = "".join(rng.choices(ALNUM, k=15))
    if network == "x":
        return f"https://pbs.twimg.com/media/{key}.jpg"
    if network == "mastodon":
        n = rng.randrange(10**17, 10**18)
        return f"https://files.mastodon.social/media_attachments/files/{n}/original/{key}.jpg"
    return f"https://cdn.bsky.app/img/feed_fullsize/plain/{author_id}/{key.lower()}@jpeg"
