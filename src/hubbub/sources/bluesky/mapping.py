"""Bluesky's JSON as hubbub's vocabulary: post views, raw post records and profiles.

Two shapes of a post arrive:

- a **post view** (``app.bsky.feed.defs#postView``) from ``searchPosts`` and
  ``getPosts``: the record plus its author's profile, counts and a resolved embed;
- a **record** (``app.bsky.feed.post``) from Jetstream: only what the author wrote,
  with the author's DID and the record key beside it.

Both become a :class:`~hubbub.model.Post` whose ``id`` is the post's ``at://`` URI
(what every Bluesky API takes to refer to it) and whose URL is
``https://bsky.app/profile/HANDLE/post/RKEY`` (the DID stands in for a handle not
known yet, which bsky.app accepts too). Facets become the entities: their indices
are UTF-8 **byte** offsets on Bluesky and are converted here to the code-point
indices the rest of hubbub uses (see :mod:`hubbub.model`). Mentions keep the text
as written (``alice.bsky.social``), links the facet's full URI (the text shows a
shortened one), tags starting with ``$`` are cashtags. Counts Bluesky does not give
(a record has none) stay ``None``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from hubbub import codec
from hubbub.model import Account, Entities, Media, Metrics, Post, Provenance, Span

__all__ = [
    "CDN",
    "MappingError",
    "account_from_profile",
    "at_uri",
    "facet_entities",
    "minimal_account",
    "post_from_record",
    "post_from_view",
    "post_url",
    "split_at_uri",
]

CDN = "https://cdn.bsky.app/img/feed_fullsize/plain"
POST_COLLECTION = "app.bsky.feed.post"


class MappingError(ValueError):
    """A payload cannot become a post or an account; the message names the field."""


def _str(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return codec.parse_datetime(value)
    except ValueError:
        return None


def at_uri(did: str, rkey: str, collection: str = POST_COLLECTION) -> str:
    """``at://DID/COLLECTION/RKEY``."""
    return f"at://{did}/{collection}/{rkey}"


def split_at_uri(uri: str) -> tuple[str, str, str]:
    """The (authority, collection, rkey) of an ``at://`` record URI; MappingError if not one."""
    if not uri.startswith("at://"):
        raise MappingError(f"{uri!r} is not an at:// URI")
    parts = uri[5:].split("/")
    if len(parts) != 3 or not all(parts):
        raise MappingError(f"{uri!r} is not an at:// record URI (at://DID/COLLECTION/RKEY)")
    return parts[0], parts[1], parts[2]


def post_url(handle_or_did: str, rkey: str) -> str:
    """The post's page on bsky.app."""
    return f"https://bsky.app/profile/{handle_or_did}/post/{rkey}"


# --- accounts ----------------------------------------------------------------------------


def account_from_profile(profile: dict[str, Any]) -> Account:
    """A profile view (basic, plain or detailed) as an :class:`Account`.

    Counts are only in the detailed view (getProfiles, getFollowers gives none); a
    view without ``avatar`` is an account that never set one.
    """
    did, handle = _str(profile.get("did")), _str(profile.get("handle"))
    if not did:
        raise MappingError("the profile has no did")
    verification = profile.get("verification")
    status = verification.get("verifiedStatus") if isinstance(verification, dict) else None
    return Account(
        network="bluesky",
        id=did,
        handle=handle or did,
        name=_str(profile.get("displayName")),
        bio=_str(profile.get("description")),
        followers=_int(profile.get("followersCount")),
        following=_int(profile.get("followsCount")),
        posts=_int(profile.get("postsCount")),
        created=_time(profile.get("createdAt")),
        verified=(status == "valid") if isinstance(status, str) else None,
        default_avatar=not profile.get("avatar") if handle else None,
    )


def minimal_account(did: str, handle: str = "") -> Account:
    """An author known by DID only (a Jetstream post whose profile was not fetched)."""
    return Account(network="bluesky", id=did, handle=handle or did)


# --- facets -> entities ------------------------------------------------------------------


def _char_index(data: bytes, offset: int) -> int | None:
    """The code-point index of UTF-8 byte ``offset``; None if it splits a character."""
    if offset < 0 or offset > len(data):
        return None
    if offset < len(data) and (data[offset] & 0xC0) == 0x80:
        return None  # a continuation byte: not the start of a character
    return len(data[:offset].decode("utf-8", errors="replace"))


def facet_entities(text: str, facets: Any) -> Entities:
    """Entities from a post's facets, with byte offsets turned into code-point indices.

    Facets whose offsets fall outside the text or inside a character are skipped
    (clients do send such facets after editing text); so are unknown features.
    """
    data = text.encode("utf-8")
    ascii_text = len(data) == len(text)
    tags: list[Span] = []
    mentions: list[Span] = []
    urls: list[Span] = []
    cashtags: list[Span] = []
    for facet in facets if isinstance(facets, list) else ():
        if not isinstance(facet, dict) or not isinstance(facet.get("index"), dict):
            continue
        b0, b1 = facet["index"].get("byteStart"), facet["index"].get("byteEnd")
        if not isinstance(b0, int) or not isinstance(b1, int) or not 0 <= b0 < b1 <= len(data):
            continue
        if ascii_text:
            start: int | None = b0
            end: int | None = b1
        else:
            start, end = _char_index(data, b0), _char_index(data, b1)
            if start is None or end is None:
                continue
        assert start is not None and end is not None
        shown = text[start:end]
        for feature in facet.get("features") or ():
            if not isinstance(feature, dict):
                continue
            kind = _str(feature.get("$type")).rpartition("#")[2]
            if kind == "mention":
                handle = shown.lstrip("@") or _str(feature.get("did"))
                mentions.append(Span(handle, start, end))
            elif kind == "link" and isinstance(feature.get("uri"), str):
                urls.append(Span(feature["uri"], start, end))
            elif kind == "tag" and isinstance(feature.get("tag"), str):
                tag = feature["tag"]
                if tag.startswith("$"):
                    cashtags.append(Span(tag[1:], start, end))
                else:
                    tags.append(Span(tag.lstrip("#"), start, end))

    def ordered(spans: list[Span]) -> tuple[Span, ...]:
        return tuple(sorted(spans, key=lambda s: s.start))

    return Entities(
        hashtags=ordered(tags),
        mentions=ordered(mentions),
        urls=ordered(urls),
        cashtags=ordered(cashtags),
    )


# --- embeds --------------------------------------------------------------------------------


def _blob_link(image: Any) -> str:
    ref = image.get("ref") if isinstance(image, dict) else None
    if isinstance(ref, dict):
        return _str(ref.get("$link"))
    return _str(image.get("cid")) if isinstance(image, dict) else ""


def _record_embed(embed: Any, did: str) -> tuple[str | None, tuple[Media, ...]]:
    """(quoted URI, media) of a record's embed (blobs: CDN URLs built from the author's DID)."""
    if not isinstance(embed, dict):
        return None, ()
    kind = _str(embed.get("$type"))
    if kind == "app.bsky.embed.images":
        media: list[Media] = []
        for item in embed.get("images") or ():
            if isinstance(item, dict):
                link = _blob_link(item.get("image"))
                url = f"{CDN}/{did}/{link}@jpeg" if link else ""
                media.append(Media("photo", url, _str(item.get("alt"))))
        return None, tuple(media)
    if kind == "app.bsky.embed.external":
        ext = _obj(embed.get("external"))
        return None, (Media("link_card", _str(ext.get("uri")), _str(ext.get("title"))),)
    if kind == "app.bsky.embed.video":
        return None, (Media("video", "", _str(embed.get("alt"))),)
    if kind == "app.bsky.embed.record":
        record = _obj(embed.get("record"))
        return _str(record.get("uri")) or None, ()
    if kind == "app.bsky.embed.recordWithMedia":
        inner = _obj(embed.get("record"))
        quoted, _ = _record_embed(inner, did)
        return quoted, _record_embed(embed.get("media"), did)[1]
    return None, ()


def _view_media(embed: Any) -> tuple[Media, ...]:
    """Media of a post view's resolved embed (with the AppView's CDN URLs)."""
    if not isinstance(embed, dict):
        return ()
    kind = _str(embed.get("$type"))
    if kind == "app.bsky.embed.images#view":
        return tuple(
            Media("photo", _str(i.get("fullsize")) or _str(i.get("thumb")), _str(i.get("alt")))
            for i in embed.get("images") or ()
            if isinstance(i, dict)
        )
    if kind == "app.bsky.embed.external#view":
        ext = _obj(embed.get("external"))
        return (Media("link_card", _str(ext.get("uri")), _str(ext.get("title"))),)
    if kind == "app.bsky.embed.video#view":
        return (Media("video", _str(embed.get("playlist")), _str(embed.get("alt"))),)
    if kind == "app.bsky.embed.recordWithMedia#view":
        return _view_media(embed.get("media"))
    return ()


def _reply(record: dict[str, Any]) -> tuple[str | None, str | None]:
    """(parent URI, root URI) of a reply record."""
    reply = record.get("reply")
    if not isinstance(reply, dict):
        return None, None
    parent = _obj(reply.get("parent"))
    root = _obj(reply.get("root"))
    return _str(parent.get("uri")) or None, _str(root.get("uri")) or None


def _langs(record: dict[str, Any]) -> str | None:
    langs = record.get("langs")
    if isinstance(langs, Sequence) and langs and isinstance(langs[0], str):
        return langs[0]
    return None


def _post(
    uri: str,
    record: dict[str, Any],
    author: Account,
    *,
    fallback_time: datetime | None,
    metrics: Metrics,
    media: tuple[Media, ...] | None,
    raw: dict[str, Any],
    provenance: Provenance | None,
) -> Post:
    did, _, rkey = split_at_uri(uri)
    text = record.get("text")
    if not isinstance(text, str):
        raise MappingError(f"post {uri}: record.text is missing")
    created = _time(record.get("createdAt")) or fallback_time
    if created is None:
        raise MappingError(f"post {uri}: record.createdAt is missing or not a time")
    parent, root = _reply(record)
    quoted, record_media = _record_embed(record.get("embed"), did)
    handle = author.handle if author.handle != author.id else did
    return Post(
        network="bluesky",
        id=uri,
        author=author,
        text=text,
        created=created,
        language=_langs(record),
        url=post_url(handle, rkey),
        reply_to=parent,
        quote_of=quoted,
        conversation_id=root or uri,
        entities=facet_entities(text, record.get("facets")),
        metrics=metrics,
        media=record_media if media is None else media,
        raw=raw,
        provenance=provenance,
    )


def post_from_view(view: dict[str, Any], provenance: Provenance | None = None) -> Post:
    """A post view (searchPosts, getPosts) as a :class:`Post`; MappingError names why not."""
    uri = view.get("uri")
    if not isinstance(uri, str):
        raise MappingError("the post view has no uri")
    record = view.get("record")
    if not isinstance(record, dict):
        raise MappingError(f"post {uri}: record is missing")
    author_view = view.get("author")
    if not isinstance(author_view, dict):
        raise MappingError(f"post {uri}: author is missing")
    try:
        author = account_from_profile(author_view)
    except MappingError as exc:
        raise MappingError(f"post {uri}: {exc}") from None
    metrics = Metrics(
        likes=_int(view.get("likeCount")),
        reposts=_int(view.get("repostCount")),
        replies=_int(view.get("replyCount")),
        quotes=_int(view.get("quoteCount")),
    )
    media = _view_media(view.get("embed")) or None
    return _post(
        uri,
        record,
        author,
        fallback_time=_time(view.get("indexedAt")),
        metrics=metrics,
        media=media,
        raw=view,
        provenance=provenance,
    )


def post_from_record(
    did: str,
    rkey: str,
    record: dict[str, Any],
    *,
    author: Account | None = None,
    time_us: int | None = None,
    raw: dict[str, Any] | None = None,
    provenance: Provenance | None = None,
) -> Post:
    """A raw ``app.bsky.feed.post`` record (a Jetstream commit) as a :class:`Post`.

    ``author`` is the profile if known, else a minimal account of the DID;
    ``time_us`` (Jetstream's receive time) stands in for a missing ``createdAt``.
    """
    fallback = datetime.fromtimestamp(time_us / 1e6, UTC) if time_us else None
    return _post(
        at_uri(did, rkey),
        record,
        author or minimal_account(did),
        fallback_time=fallback,
        metrics=Metrics(),
        media=None,
        raw=raw if raw is not None else record,
        provenance=provenance,
    )
