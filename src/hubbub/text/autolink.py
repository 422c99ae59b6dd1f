"""HTML for a post: links for its entities (autolink) and highlighted hits.

Ports twitter-text's ``Autolink`` and ``HitHighlighter`` (Apache-2.0, see
``data/LICENSE-twitter-text``): mentions and lists link to the profile (the
``@`` stays outside the link), hashtags and cashtags to a search, URLs to
themselves, with twitter-text's CSS classes; a hashtag in a right-to-left
script gets ``rtl``; URLs a network expanded (``display_url``/``expanded_url``)
render with twitter-text's copy-friendly invisible spans.

One deliberate difference: twitter-text leaves the text between entities as it
is (it expects HTML-safe input), which would let a post inject markup into our
pages, so :func:`autolink` escapes it unless ``escape_text=False`` (used by
the conformance tests to reproduce twitter-text byte for byte). Link bases are
options because a mention on Mastodon or Bluesky links elsewhere than X.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from hubbub.model import Entities
from hubbub.text import regexes as rx
from hubbub.text.extract import Entity, extract_entities_with_indices

__all__ = [
    "LinkOptions",
    "autolink",
    "autolink_with_json",
    "entities_from_json",
    "highlight",
    "html_escape",
]

_ESCAPES = str.maketrans({"&": "&amp;", ">": "&gt;", "<": "&lt;", '"': "&quot;", "'": "&#39;"})
_HAS_PROTOCOL = re.compile("[a-zA-Z][a-zA-Z0-9+.-]*://")
_INVISIBLE = "style='position:absolute;left:-9999px;'"


def html_escape(text: str) -> str:
    """Escape ``& < > " '`` as twitter-text does."""
    return text.translate(_ESCAPES)


@dataclass(frozen=True, slots=True)
class LinkOptions:
    """How links are built; the defaults are twitter-text's."""

    username_url_base: str = "https://twitter.com/"
    list_url_base: str = "https://twitter.com/"
    hashtag_url_base: str = "https://twitter.com/search?q=%23"
    cashtag_url_base: str = "https://twitter.com/search?q=%24"
    username_class: str = "tweet-url username"
    list_class: str = "tweet-url list-slug"
    hashtag_class: str = "tweet-url hashtag"
    cashtag_class: str = "tweet-url cashtag"
    url_class: str = ""
    nofollow: bool = True  # rel="nofollow" on every link
    target_blank: bool = False
    escape_text: bool = True  # escape the text between entities (see module doc)


def _attrs(pairs: Iterable[tuple[str, str]], options: LinkOptions) -> str:
    out = [f' {name}="{html_escape(value)}"' for name, value in pairs if value]
    if options.nofollow:
        out.append(' rel="nofollow"')
    if options.target_blank:
        out.append(' target="_blank"')
    return "".join(out)


def _display_url(entity: Entity) -> str:
    display = entity.display_url
    expanded = entity.expanded_url
    bare = display.replace("…", "")
    if bare not in expanded:
        return html_escape(display)
    before, after = expanded.split(bare, 1)
    lead = "…" if display.startswith("…") else ""
    trail = "…" if display.endswith("…") else ""
    return (
        f"<span class='tco-ellipsis'>{lead}<span {_INVISIBLE}>&nbsp;</span></span>"
        f"<span {_INVISIBLE}>{html_escape(before)}</span>"
        f"<span class='js-display-url'>{html_escape(bare)}</span>"
        f"<span {_INVISIBLE}>{html_escape(after)}</span>"
        f"<span class='tco-ellipsis'><span {_INVISIBLE}>&nbsp;</span>{trail}</span>"
    )


def _link(entity: Entity, text: str, options: LinkOptions) -> str:
    symbol = text[entity.start]
    pairs: tuple[tuple[str, str], ...]
    if entity.kind == "url":
        if entity.display_url and entity.expanded_url:
            label = _display_url(entity)
            title = entity.expanded_url
        else:
            label = html_escape(entity.value)
            title = ""
        href = entity.value if _HAS_PROTOCOL.match(entity.value) else "http://" + entity.value
        pairs = (("href", href), ("title", title), ("class", options.url_class))
        return f"<a{_attrs(pairs, options)}>{label}</a>"
    if entity.kind == "hashtag":
        css = options.hashtag_class
        if rx.RTL_CHARACTERS.search(entity.value):
            css += " rtl"
        href = options.hashtag_url_base + entity.value
        pairs = (("href", href), ("title", "#" + entity.value), ("class", css))
        return f"<a{_attrs(pairs, options)}>{html_escape(symbol + entity.value)}</a>"
    if entity.kind == "cashtag":
        href = options.cashtag_url_base + entity.value
        pairs = (("href", href), ("title", "$" + entity.value), ("class", options.cashtag_class))
        return f"<a{_attrs(pairs, options)}>{html_escape(symbol + entity.value)}</a>"
    name = entity.value + entity.list_slug
    if entity.list_slug:
        pairs = (("class", options.list_class), ("href", options.list_url_base + name))
    else:
        pairs = (("class", options.username_class), ("href", options.username_url_base + name))
    return f"{html_escape(symbol)}<a{_attrs(pairs, options)}>{html_escape(name)}</a>"


def _as_entities(entities: Entities) -> list[Entity]:
    out = [Entity("url", s.start, s.end, s.text) for s in entities.urls]
    out += [Entity("hashtag", s.start, s.end, s.text) for s in entities.hashtags]
    out += [Entity("mention", s.start, s.end, s.text) for s in entities.mentions]
    out += [Entity("cashtag", s.start, s.end, s.text) for s in entities.cashtags]
    return out


def autolink(
    text: str,
    entities: Entities | Sequence[Entity] | None = None,
    options: LinkOptions | None = None,
) -> str:
    """``text`` as HTML with its entities linked.

    Without ``entities`` they are extracted as twitter-text's autolink does
    (URLs only where written with a protocol). Entities whose indices fall
    outside the text or overlap an earlier one are skipped.
    """
    opts = options or LinkOptions()
    if entities is None:
        found = extract_entities_with_indices(text, urls_without_protocol=False)
    elif isinstance(entities, Entities):
        found = _as_entities(entities)
    else:
        found = list(entities)
    found.sort(key=lambda e: e.start)
    escape = html_escape if opts.escape_text else str
    out: list[str] = []
    pos = 0
    for entity in found:
        if entity.start < pos or entity.end > len(text) or entity.start >= entity.end:
            continue
        out.append(escape(text[pos : entity.start]))
        out.append(_link(entity, text, opts))
        pos = entity.end
    out.append(escape(text[pos:]))
    return "".join(out)


def entities_from_json(data: Mapping[str, Any]) -> list[Entity]:
    """Entities from a v1.1-style ``entities`` object (hashtags, urls,
    user_mentions, symbols), as X's API and twitter-text's tests write them."""
    out: list[Entity] = []
    try:
        for h in data.get("hashtags", ()):
            out.append(Entity("hashtag", h["indices"][0], h["indices"][1], h["text"]))
        for c in data.get("symbols", ()) or data.get("cashtags", ()):
            out.append(Entity("cashtag", c["indices"][0], c["indices"][1], c["text"]))
        for m in data.get("user_mentions", ()):
            out.append(Entity("mention", m["indices"][0], m["indices"][1], m["screen_name"]))
        for u in data.get("urls", ()):
            out.append(
                Entity(
                    "url",
                    u["indices"][0],
                    u["indices"][1],
                    u["url"],
                    display_url=u.get("display_url") or "",
                    expanded_url=u.get("expanded_url") or "",
                )
            )
    except (KeyError, IndexError, TypeError) as exc:
        raise ValueError(f"entities JSON: missing or bad field {exc}") from None
    return out


def autolink_with_json(
    text: str, data: Mapping[str, Any], options: LinkOptions | None = None
) -> str:
    """:func:`autolink` with the entities a network's JSON gave."""
    return autolink(text, entities_from_json(data), options)


# --- hit highlighting --------------------------------------------------------------

_TAG_SPLIT = re.compile("[<>]")


def highlight(text: str, hits: Sequence[tuple[int, int] | Sequence[int]], tag: str = "em") -> str:
    """Wrap each ``(start, end)`` hit of ``text`` in ``<tag>``.

    Offsets count the text's characters only, not the markup of any links
    already in it (so a search hit found in the plain text can be shown on the
    autolinked HTML), as twitter-text's ``hitHighlight`` does.
    """
    if not hits:
        return text
    tags = (f"<{tag}>", f"</{tag}>")
    chunks = _TAG_SPLIT.split(text)
    while chunks and chunks[-1] == "":  # as Ruby's String#split drops them
        chunks.pop()
    result: list[str] = []
    chunk_index = 0
    chunk: str | None = chunks[0] if chunks else None
    chars = chunk or ""
    prev_len = 0
    cursor = 0
    start_in_chunk = False
    flat = [point for hit in hits for point in hit]
    for index, point in enumerate(flat):
        mark = tags[index % 2]
        placed = False
        while chunk is not None and point >= prev_len + len(chunk):
            result.append(chars[cursor:])
            if start_in_chunk and point == prev_len + len(chars):
                result.append(mark)
                placed = True
            if chunk_index + 1 < len(chunks):
                result.append(f"<{chunks[chunk_index + 1]}>")
            prev_len += len(chars)
            cursor = 0
            chunk_index += 2
            chunk = chunks[chunk_index] if chunk_index < len(chunks) else None
            chars = chunk or ""
            start_in_chunk = False
        if not placed and chunk is not None:
            spot = point - prev_len
            result.append(chars[cursor:spot])
            result.append(mark)
            cursor = spot
            start_in_chunk = index % 2 == 0
            placed = True
        if not placed:
            result.append(mark)
    if chunk is not None:
        if cursor < len(chars):
            result.append(chars[cursor:])
        for i in range(chunk_index + 1, len(chunks)):
            result.append(chunks[i] if i % 2 == 0 else f"<{chunks[i]}>")
    return "".join(result)
