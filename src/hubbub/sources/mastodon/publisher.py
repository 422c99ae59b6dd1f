"""Posting to Mastodon: ``POST /api/v1/statuses`` behind the Publisher protocol.

The inbox's replies and the scheduler's posts go through :meth:`MastodonPublisher.publish`,
which uses the same :meth:`~hubbub.sources.mastodon.client.MastodonClient.request`
as the sources, with one difference: a post is tried once per call. Retrying is the
scheduler's decision, so every failure becomes a :class:`PublishError` whose
``transient`` says whether trying later may work:

- 429 (or a rate-limit window already used up: publish never sleeps until the
  reset, a person may be waiting), 5xx, a dropped connection or a timeout:
  transient. The ``Idempotency-Key`` (the scheduler's stable key for the logical
  post) makes the retry safe: Mastodon
  answers a repeated key with the status it already made, for an hour.
- 422 (text too long, empty, a deleted parent), 404, 401, 403: not transient; the
  message is Mastodon's own reason in one line.

Images (:meth:`MastodonPublisher.upload`): first the instance's own limits are read
once from ``GET /api/v2/instance`` (``configuration.media_attachments``: the types it
takes, ``image_size_limit``, ``image_matrix_limit``, ``description_limit``; and
``statuses.max_media_attachments``), and an image over them is refused here with the
limit named, before any upload. Then ``POST /api/v2/media`` with the file and its alt
text as ``description``. Mastodon answers 200 when the image is processed, or 202
with ``url: null`` while it still works on it; the publisher then asks
``GET /api/v1/media/:id`` (206 while processing, 200 when done) every
:data:`POLL_SECONDS` up to :data:`POLL_TIMES` times. An attachment still processing
after that is returned all the same: the status refers to it by id, Mastodon answers
422 "not finished processing" (transient) and the retry attaches the same id. The
status names the attachments in ``media_ids[]``. An unattached upload is kept by the
instance about a day (its media cleanup), so a retry reuses it within
:data:`KEEP_UPLOADS`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from hubbub import codec
from hubbub.model import MediaFile, Published, Uploaded
from hubbub.settings import Settings
from hubbub.sources.base import PublishError, SourceError
from hubbub.sources.mastodon.client import (
    REST_BACKOFF,
    MastodonClient,
    MastodonRequestError,
    MastodonUnavailable,
    client_from_settings,
    configured,
)

__all__ = [
    "KEEP_UPLOADS",
    "ONCE",
    "POLL_SECONDS",
    "POLL_TIMES",
    "InstanceLimits",
    "MastodonPublisher",
    "publisher_from_settings",
]

#: one attempt per publish() call: the scheduler retries transient failures itself
ONCE = dataclasses.replace(REST_BACKOFF, max_attempts=1)
POLL_SECONDS = 2.0
POLL_TIMES = 15
#: how long an unattached upload is reused (Mastodon removes them after about a day)
KEEP_UPLOADS = timedelta(hours=12)
_PROCESSING = "finished processing"  # in Mastodon's 422 for an attachment not ready yet


@dataclasses.dataclass(frozen=True, slots=True)
class InstanceLimits:
    """What one instance takes in images (Mastodon 4's defaults until it says)."""

    types: frozenset[str] = frozenset(
        {"image/jpeg", "image/png", "image/gif", "image/webp", "image/heic", "image/avif"}
    )
    image_bytes: int = 16 * 1024 * 1024
    image_pixels: int = 33_177_600
    description_chars: int = 1500
    attachments: int = 4

    @classmethod
    def from_instance(cls, data: Any) -> InstanceLimits:
        """The limits in an ``/api/v2/instance`` answer; defaults for what it leaves out."""

        def obj(value: Any) -> dict[str, Any]:
            return value if isinstance(value, dict) else {}

        conf = obj(data.get("configuration") if isinstance(data, dict) else None)
        media, statuses = obj(conf.get("media_attachments")), obj(conf.get("statuses"))
        base = cls()

        def number(source: dict[str, Any], key: str, default: int) -> int:
            value = source.get(key)
            return value if isinstance(value, int) and value > 0 else default

        types = media.get("supported_mime_types")
        return cls(
            types=frozenset(t for t in types if isinstance(t, str))
            if isinstance(types, list)
            else base.types,
            image_bytes=number(media, "image_size_limit", base.image_bytes),
            image_pixels=number(media, "image_matrix_limit", base.image_pixels),
            description_chars=number(media, "description_limit", base.description_chars),
            attachments=number(statuses, "max_media_attachments", base.attachments),
        )


class MastodonPublisher:
    """Write statuses (and replies, with images) to the account of the client's token."""

    network = "mastodon"

    def __init__(
        self,
        client: MastodonClient,
        *,
        visibility: str = "public",
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.client = client
        self.visibility = visibility
        self.now = now
        self._limits: InstanceLimits | None = None

    def publish(
        self,
        text: str,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        media: Sequence[Uploaded] = (),
    ) -> Published:
        if not text.strip():
            raise PublishError("mastodon: the post is empty")
        if any(m.network != "mastodon" for m in media):
            raise PublishError("mastodon: an image to attach was not uploaded to Mastodon")
        ids = [m.ref for m in media] or None
        try:
            reply = self.client.request(
                "POST /api/v1/statuses",
                lambda api: api.status_post(
                    text,
                    in_reply_to_id=reply_to,
                    media_ids=ids,
                    visibility=self.visibility,
                    idempotency_key=idempotency_key,
                ),
                backoff=ONCE,
                patient=False,
            )
        except MastodonUnavailable as exc:  # 429, 5xx, dropped: the scheduler may retry
            raise PublishError(str(exc), transient=True) from None
        except MastodonRequestError as exc:  # 422, 404: trying again will not help...
            # ...unless an image is still being processed: then it will, in a moment
            raise PublishError(str(exc), transient=_PROCESSING in exc.detail) from None
        except SourceError as exc:  # credentials
            raise PublishError(str(exc), transient=False) from None
        return _published(reply.data, reply_to)

    def limits(self) -> InstanceLimits:
        """The instance's limits for images, read once (see the module doc)."""
        if self._limits is None:
            try:
                reply = self.client.request(
                    "GET /api/v2/instance", lambda api: api.instance_v2(), backoff=ONCE
                )
            except MastodonUnavailable as exc:
                raise PublishError(str(exc), transient=True) from None
            except SourceError as exc:
                raise PublishError(str(exc), transient=False) from None
            self._limits = InstanceLimits.from_instance(reply.data)
        return self._limits

    def upload(self, media: MediaFile) -> Uploaded:
        """Upload one image with its alt text; waits (briefly) for Mastodon to process it."""
        limits = self.limits()
        host = self.client.host
        if media.mime not in limits.types:
            raise PublishError(f"mastodon: {host} does not take {media.mime} images")
        if media.size > limits.image_bytes:
            raise PublishError(
                f"mastodon: the image is {media.size:,} bytes; {host} takes at most "
                f"{limits.image_bytes:,}"
            )
        if media.width * media.height > limits.image_pixels:
            raise PublishError(
                f"mastodon: the image is {media.width} × {media.height} pixels; {host} takes "
                f"at most {limits.image_pixels:,} pixels"
            )
        if len(media.alt) > limits.description_chars:
            raise PublishError(
                f"mastodon: the alt text is {len(media.alt):,} characters; {host} takes "
                f"{limits.description_chars:,}"
            )
        extension = media.mime.removeprefix("image/").replace("jpeg", "jpg")
        try:
            reply = self.client.request(
                "POST /api/v2/media",
                lambda api: api.media_post(
                    media.data,
                    mime_type=media.mime,
                    description=media.alt.strip() or None,
                    file_name=f"image.{extension}",
                ),
                backoff=ONCE,
                patient=False,
            )
            data = reply.data
            if not isinstance(data, dict) or data.get("id") is None:
                raise PublishError(
                    "mastodon: POST /api/v2/media answered without an id", transient=True
                )
            media_id = str(data["id"])
            for _ in range(POLL_TIMES):
                if data.get("url"):
                    break
                self.client.sleep(POLL_SECONDS)
                reply = self.client.request(
                    f"GET /api/v1/media/{media_id}",
                    lambda api: api.media(media_id),
                    backoff=ONCE,
                    patient=False,
                )
                data = reply.data if isinstance(reply.data, dict) else {}
        except MastodonUnavailable as exc:
            raise PublishError(str(exc), transient=True) from None
        except MastodonRequestError as exc:  # 413 too large, 422 not an image it takes
            raise PublishError(
                f"mastodon: the image was refused ({exc.status}): {exc.detail}"
            ) from None
        except SourceError as exc:
            raise PublishError(str(exc), transient=False) from None
        return Uploaded(
            "mastodon",
            media_id,
            media.alt,
            media.width,
            media.height,
            self.now() + KEEP_UPLOADS,
        )


def _published(data: Any, reply_to: str | None) -> Published:
    if not isinstance(data, dict) or data.get("id") is None:
        raise PublishError("mastodon: the instance did not answer with the new status")
    created = data.get("created_at")
    return Published(
        network="mastodon",
        id=str(data["id"]),
        url=str(data.get("url") or data.get("uri") or ""),
        created=codec.parse_datetime(created) if isinstance(created, str) else None,
        reply_to=reply_to,
    )


def publisher_from_settings(settings: Settings) -> MastodonPublisher | None:
    """The publisher when an instance and a token are configured, else None."""
    token = settings.mastodon_access_token
    if not configured(settings) or token is None or not token.get_secret_value().strip():
        return None
    return MastodonPublisher(client_from_settings(settings))
