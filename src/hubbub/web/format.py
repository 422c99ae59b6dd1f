"""Small presentation helpers: a post's text with its entities linked, local times.

Why the linker is written here rather than calling :func:`hubbub.text.autolink`:
the stored post already carries its entity indices (extracted once, by the
pipeline), and where a hashtag or handle should point depends on the network the
post came from (x.com, the author's Mastodon instance, bsky.app), which is a
view's concern. Building from the stored indices also means the page shows exactly
the entities the matcher saw. Every piece of text is HTML-escaped; only http(s)
URLs become links; indices that do not fit the text are ignored, not trusted.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import quote
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape

from hubbub.charts import percent
from hubbub.model import Entities

__all__ = ["entity_href", "handle", "http_url", "linkify", "local_time", "percent"]

_REL = "nofollow noopener noreferrer ugc"


def _instance(handle: str) -> str:
    """The Mastodon instance of ``user@instance`` (``mastodon.social`` when absent)."""
    _, _, host = handle.lstrip("@").partition("@")
    return host or "mastodon.social"


def entity_href(kind: str, value: str, network: str, author_handle: str = "") -> str | None:
    """Where a hashtag, mention, cashtag or URL entity of a post on ``network`` links to."""
    if kind == "url":
        lower = value.lower()
        if lower.startswith(("http://", "https://")):
            return value
        if "://" in value or lower.startswith(("javascript:", "data:")):
            return None
        return "https://" + value
    tag = quote(value, safe="")
    if kind == "hashtag":
        if network == "x":
            return f"https://x.com/hashtag/{tag}"
        if network == "mastodon":
            return f"https://{_instance(author_handle)}/tags/{tag}"
        if network == "bluesky":
            return f"https://bsky.app/hashtag/{tag}"
        return None
    if kind == "mention":
        if network == "x":
            return f"https://x.com/{tag}"
        if network == "mastodon":
            user, _, host = value.partition("@")
            return f"https://{host or _instance(author_handle)}/@{quote(user, safe='')}"
        if network == "bluesky":
            return f"https://bsky.app/profile/{tag}"
        return None
    if kind == "cashtag" and network == "x":
        return f"https://x.com/search?q=%24{tag}"
    return None


def handle(name: str, network: str) -> str:
    """An account as people write it: ``@name`` on social networks, a feed's host bare."""
    return name if network == "rss" or not name else f"@{name}"


def http_url(url: str) -> str:
    """``url`` when it is an http(s) URL, else ``""`` (never a ``javascript:`` link)."""
    return url if url.lower().startswith(("http://", "https://")) else ""


def linkify(text: str, entities: Entities | None, network: str, author_handle: str = "") -> Markup:
    """The post's text as HTML with its hashtags, mentions, cashtags and URLs linked."""
    if entities is None:
        return Markup(escape(text))
    spans = [
        *(("hashtag", s) for s in entities.hashtags),
        *(("mention", s) for s in entities.mentions),
        *(("cashtag", s) for s in entities.cashtags),
        *(("url", s) for s in entities.urls),
    ]
    spans.sort(key=lambda item: item[1].start)
    out: list[str] = []
    pos = 0
    for kind, span in spans:
        if span.start < pos or span.end > len(text) or span.end <= span.start:
            continue  # overlapping or out of range: keep the text as it is
        shown = text[span.start : span.end]
        value = span.text if kind != "url" else shown
        href = entity_href(kind, value, network, author_handle)
        out.append(str(escape(text[pos : span.start])))
        if href is None:
            out.append(f'<span class="entity {kind}">{escape(shown)}</span>')
        else:
            out.append(
                f'<a class="entity {kind}" href="{escape(href)}" rel="{_REL}">{escape(shown)}</a>'
            )
        pos = span.end
    out.append(str(escape(text[pos:])))
    return Markup("".join(out))


def local_time(moment: datetime, tz: str) -> str:
    """A UTC time as the workspace reads it, e.g. ``Tue Nov 24, 14:05 EST``."""
    local = moment.astimezone(ZoneInfo(tz))
    return f"{local:%a %b} {local.day}, {local:%H:%M} {local.tzname() or ''}".rstrip()
