"""Posting to Bluesky: ``createRecord`` of an ``app.bsky.feed.post``, safely retried.

What a post needs beyond its text, and how it gets it:

- **facets**: links, ``#tags`` and ``$cashtags`` are found by the ``atproto`` SDK's
  facet detection (a port of the official TypeScript ``detectFacets``), mentions by
  its ``detect_mentions``; each mentioned handle is resolved to its DID with
  ``app.bsky.actor.getProfiles`` (25 at a time) and an unknown handle stays plain
  text. Facet offsets are UTF-8 **byte** offsets, as the lexicon requires.
- **reply refs**: a reply names its parent and the thread's root (both ``uri`` and
  ``cid``); the parent is read with ``app.bsky.feed.getPosts``, and its own
  ``reply.root`` is the root, or the parent itself when it starts the thread.
- **idempotency**: with an ``idempotency_key`` the record key is a TID derived from
  the key (SHA-256, top bit clear, encoded in the sortable base32 of TIDs), so a
  retry writes the same ``at://`` URI and the repository refuses a second record at
  that key. How it refuses varies: today's PDS answers 500 InternalServerError
  (atproto issues 3718 and 4725; an explicit error is proposed in PR 4728), others
  400. So the publisher does not trust the error: after any failed ``createRecord``
  (and before the client retries a lost one) it reads the key's record with
  ``com.atproto.repo.getRecord`` and, if it is there, reports that post published.
  :meth:`BlueskyPublisher.find_published` is the same read, which the scheduler
  calls before re-sending a part whose worker died. A retry can therefore never post
  twice. (The TID's time part comes from the hash, not the clock: ordering by record
  key is not meaningful for such posts.)
- **images**: :meth:`BlueskyPublisher.upload` sends the bytes to
  ``com.atproto.repo.uploadBlob`` (raw body, its ``Content-Type``) and keeps the
  returned blob; the post embeds them as ``app.bsky.embed.images`` with each one's
  ``alt`` and ``aspectRatio``. Bluesky's limits are checked on the record (at most 4
  images of at most 1,000,000 bytes each); an uploaded blob nothing refers to is
  deleted after minutes, so a retry reuses it only within :data:`KEEP_BLOBS`.
- **length**: 300 grapheme clusters and 3,000 UTF-8 bytes (the lexicon's
  ``maxGraphemes`` and ``maxLength``).
- **errors**: a :class:`~hubbub.sources.base.PublishError` whose ``transient`` is
  True for rate limits, 5xx and dropped connections past the client's retries, and
  False for rejected text, refused credentials or a deleted parent.

The record itself is built and validated with the SDK's lexicon models
(``models.AppBskyFeedPost.Record`` and friends), so a field hubbub gets wrong fails
here, with a message, and not on the server.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import pydantic
import regex
from atproto_client import models
from atproto_client.models.blob_ref import BlobRef
from atproto_client.models.utils import get_model_as_dict
from atproto_client.utils import facet_detection

from hubbub.model import MediaFile, Published, Uploaded
from hubbub.sources.base import PublishError, SourceError
from hubbub.sources.bluesky.client import (
    BlueskyClient,
    BlueskyRequestError,
    BlueskyUnavailable,
)
from hubbub.sources.bluesky.mapping import MappingError, post_url, split_at_uri
from hubbub.sources.bluesky.search import bluesky_time

__all__ = [
    "KEEP_BLOBS",
    "MAX_BYTES",
    "MAX_GRAPHEMES",
    "MAX_IMAGE_BYTES",
    "BlueskyPublisher",
    "facets_for",
    "grapheme_count",
    "tid_from_key",
]

MAX_GRAPHEMES = 300
MAX_BYTES = 3000
MAX_IMAGE_BYTES = 1_000_000
#: how long an uploaded blob is reused for a retry (a PDS deletes unused ones in minutes)
KEEP_BLOBS = timedelta(minutes=5)
COLLECTION = "app.bsky.feed.post"
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_GRAPHEME = regex.compile(r"\X")
T = TypeVar("T")


def _images(media: Sequence[Uploaded]) -> models.AppBskyEmbedImages.Main:
    """The ``app.bsky.embed.images`` embed of the uploaded blobs, with alt and aspect ratio."""
    images = []
    for item in media:
        ratio = None
        if item.width > 0 and item.height > 0:
            ratio = models.AppBskyEmbedDefs.AspectRatio(width=item.width, height=item.height)
        images.append(
            models.AppBskyEmbedImages.Image(
                alt=item.alt,
                image=BlobRef.model_validate(json.loads(item.ref)),
                aspect_ratio=ratio,
            )
        )
    return models.AppBskyEmbedImages.Main(images=images)


def _obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def grapheme_count(text: str) -> int:
    """User-perceived characters, as Bluesky counts a post's length (300 at most)."""
    return len(_GRAPHEME.findall(text))


def tid_from_key(key: str) -> str:
    """A valid TID record key derived from ``key``: the same key, the same record key."""
    value = int.from_bytes(hashlib.sha256(key.encode("utf-8")).digest()[:8], "big")
    value &= (1 << 63) - 1  # a TID's top bit is always 0
    chars = []
    for _ in range(13):
        chars.append(_B32_SORT[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def facets_for(
    text: str, resolve: Callable[[list[str]], dict[str, str]]
) -> list[models.AppBskyRichtextFacet.Main]:
    """The facets of ``text``: links and tags found locally, mentions resolved by ``resolve``.

    ``resolve(handles)`` returns handle -> DID (lower-cased handles) for the handles
    that exist; mentions of the others are left as plain text.
    """
    facets = list(facet_detection.detect_facets(text))
    mentions = facet_detection.detect_mentions(text)
    if mentions:
        dids = resolve(sorted({m.handle.lower() for m in mentions}))
        for m in mentions:
            did = dids.get(m.handle.lower())
            if did:
                facets.append(
                    models.AppBskyRichtextFacet.Main(
                        features=[models.AppBskyRichtextFacet.Mention(did=did)],
                        index=models.AppBskyRichtextFacet.ByteSlice(
                            byte_start=m.byte_start, byte_end=m.byte_end
                        ),
                    )
                )
    return sorted(facets, key=lambda f: f.index.byte_start)


class BlueskyPublisher:
    """A :class:`~hubbub.sources.base.Publisher` for the account the client logs in as."""

    network = "bluesky"

    def __init__(
        self, client: BlueskyClient, *, now: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        self.client = client
        self.now = now

    def publish(
        self,
        text: str,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        media: Sequence[Uploaded] = (),
    ) -> Published:
        if not text.strip():
            raise PublishError("bluesky: the post is empty")
        length = grapheme_count(text)
        if length > MAX_GRAPHEMES:
            raise PublishError(
                f"bluesky: the post is {length} characters long; Bluesky allows {MAX_GRAPHEMES}"
            )
        size = len(text.encode("utf-8"))
        if size > MAX_BYTES:
            raise PublishError(f"bluesky: the post is {size:,} bytes; Bluesky allows {MAX_BYTES:,}")
        if any(m.network != "bluesky" for m in media):
            raise PublishError("bluesky: an image to attach was not uploaded to Bluesky")
        return self._guarded(lambda: self._publish(text, reply_to, idempotency_key, media))

    def upload(self, media: MediaFile) -> Uploaded:
        """Upload one image as a blob; the blob (JSON) to embed, kept :data:`KEEP_BLOBS`."""
        if not media.mime.startswith("image/"):
            raise PublishError(f"bluesky: {media.mime} is not an image")
        if media.size > MAX_IMAGE_BYTES:
            raise PublishError(
                f"bluesky: the image is {media.size:,} bytes; Bluesky takes at most "
                f"{MAX_IMAGE_BYTES:,}"
            )

        def send() -> Uploaded:
            self.client.session or self.client.login()
            data = self.client.post_bytes("com.atproto.repo.uploadBlob", media.data, media.mime)
            blob = data.get("blob")
            if not isinstance(blob, dict):
                raise PublishError("bluesky: uploadBlob answered without a blob", transient=True)
            try:
                BlobRef.model_validate(blob)
            except pydantic.ValidationError:
                raise PublishError("bluesky: uploadBlob answered a blob it cannot be") from None
            ref = json.dumps(blob, sort_keys=True)
            expires = self.now() + KEEP_BLOBS
            return Uploaded("bluesky", ref, media.alt, media.width, media.height, expires)

        return self._guarded(send, "the image")

    def find_published(
        self,
        text: str,
        *,
        reply_to: str | None,
        idempotency_key: str | None,
        since: datetime,
    ) -> Published | None:
        """The post at the record key of ``idempotency_key``, if the repository has it."""
        if not idempotency_key:
            return None

        def look() -> Published | None:
            session = self.client.session or self.client.login()
            return self._existing(session.did, tid_from_key(idempotency_key))

        try:
            return self._guarded(look)
        except PublishError:
            return None  # cannot tell: the caller posts, and the record key still guards

    def _guarded(self, call: Callable[[], T], what: str = "the post") -> T:
        """``call()`` with the client's errors as PublishErrors (transient or not)."""
        try:
            return call()
        except PublishError:
            raise
        except BlueskyUnavailable as exc:
            raise PublishError(str(exc), transient=True) from None
        except BlueskyRequestError as exc:
            raise PublishError(
                f"bluesky: {what} was rejected ({exc.status} {exc.error}): {exc.detail}"
            ) from None
        except SourceError as exc:
            raise PublishError(str(exc), transient=False) from None

    def _publish(
        self, text: str, reply_to: str | None, key: str | None, media: Sequence[Uploaded]
    ) -> Published:
        session = self.client.session or self.client.login()
        reply = self._reply_ref(reply_to) if reply_to else None
        try:
            record = models.AppBskyFeedPost.Record(
                created_at=bluesky_time(self.now()),
                text=text,
                facets=facets_for(text, self._resolve) or None,
                reply=reply,
                embed=_images(media) if media else None,
            )
        except pydantic.ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first.get("loc", ()))
            raise PublishError(
                f"bluesky: the post is not valid ({where}: {first['msg']})"
            ) from None
        body: dict[str, Any] = {
            "repo": session.did,
            "collection": COLLECTION,
            "record": get_model_as_dict(record),
        }
        rkey = tid_from_key(key) if key else None
        if rkey:
            body["rkey"] = rkey

        found: list[Published] = []

        def already() -> dict[str, Any] | None:
            """Before the client retries a lost or failed call: did it go through?"""
            hit = self._existing(session.did, rkey) if rkey else None
            if hit is None:
                return None
            found.append(hit)
            return {"uri": hit.id}

        try:
            data = self.client.post("com.atproto.repo.createRecord", body, before_retry=already)
        except (BlueskyRequestError, BlueskyUnavailable):
            # a taken record key answers 400 or 500 depending on the PDS: look, don't trust
            if rkey and (existing := self._existing(session.did, rkey)) is not None:
                return existing  # an earlier try went through; its answer was lost
            raise
        if found:
            return found[0]
        uri = data.get("uri")
        if not isinstance(uri, str):
            raise PublishError("bluesky: createRecord answered without a uri", transient=True)
        return self._published(uri, session.handle, self.now(), reply_to)

    def _published(
        self, uri: str, handle: str, created: datetime | None, reply_to: str | None
    ) -> Published:
        _, _, rkey = split_at_uri(uri)
        return Published(
            network="bluesky",
            id=uri,
            url=post_url(handle, rkey),
            created=created,
            reply_to=reply_to,
        )

    def _existing(self, did: str, rkey: str) -> Published | None:
        """The post already at ``rkey``, if there is one."""
        try:
            data = self.client.get(
                "com.atproto.repo.getRecord", {"repo": did, "collection": COLLECTION, "rkey": rkey}
            )
        except BlueskyRequestError:
            return None
        value = _obj(data.get("value"))
        uri = data.get("uri")
        if not isinstance(uri, str):
            return None
        created: datetime | None = None
        if isinstance(value.get("createdAt"), str):
            try:
                created = datetime.fromisoformat(value["createdAt"].replace("Z", "+00:00"))
            except ValueError:
                created = None
        reply = _obj(value.get("reply"))
        parent = _obj(reply.get("parent"))
        handle = self.client.session.handle if self.client.session else did
        parent_uri = parent.get("uri") if isinstance(parent.get("uri"), str) else None
        return self._published(uri, handle, created, parent_uri)

    def _reply_ref(self, reply_to: str) -> models.AppBskyFeedPost.ReplyRef:
        try:
            split_at_uri(reply_to)
        except MappingError as exc:
            raise PublishError(f"bluesky: cannot reply: {exc}") from None
        data = self.client.get("app.bsky.feed.getPosts", {"uris": [reply_to]})
        posts = _items(data.get("posts"))
        parent = next((p for p in posts if isinstance(p, dict) and p.get("uri") == reply_to), None)
        if parent is None or not isinstance(parent.get("cid"), str):
            raise PublishError(f"bluesky: the post to reply to ({reply_to}) no longer exists")
        parent_ref = models.ComAtprotoRepoStrongRef.Main(uri=reply_to, cid=parent["cid"])
        record = _obj(parent.get("record"))
        reply = _obj(record.get("reply"))
        root = reply.get("root") if isinstance(reply.get("root"), dict) else None
        if root and isinstance(root.get("uri"), str) and isinstance(root.get("cid"), str):
            root_ref = models.ComAtprotoRepoStrongRef.Main(uri=root["uri"], cid=root["cid"])
        else:
            root_ref = parent_ref
        return models.AppBskyFeedPost.ReplyRef(root=root_ref, parent=parent_ref)

    def _resolve(self, handles: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        for i in range(0, len(handles), 25):
            data = self.client.get("app.bsky.actor.getProfiles", {"actors": handles[i : i + 25]})
            for profile in data.get("profiles") or ():
                if isinstance(profile, dict) and isinstance(profile.get("handle"), str):
                    found[profile["handle"].lower()] = str(profile.get("did"))
        return found
