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
"""

from __future__ import annotations

import dataclasses
from typing import Any

from hubbub import codec
from hubbub.model import Published
from hubbub.settings import Settings
from hubbub.sources.base import PublishError, SourceError
from hubbub.sources.mastodon.client import (
    REST_BACKOFF,
    MastodonClient,
    MastodonUnavailable,
    client_from_settings,
    configured,
)

__all__ = ["ONCE", "MastodonPublisher", "publisher_from_settings"]

#: one attempt per publish() call: the scheduler retries transient failures itself
ONCE = dataclasses.replace(REST_BACKOFF, max_attempts=1)


class MastodonPublisher:
    """Write statuses (and replies) to the account of the client's token."""

    network = "mastodon"

    def __init__(self, client: MastodonClient, *, visibility: str = "public") -> None:
        self.client = client
        self.visibility = visibility

    def publish(
        self, text: str, *, reply_to: str | None = None, idempotency_key: str | None = None
    ) -> Published:
        if not text.strip():
            raise PublishError("mastodon: the post is empty")
        try:
            reply = self.client.request(
                "POST /api/v1/statuses",
                lambda api: api.status_post(
                    text,
                    in_reply_to_id=reply_to,
                    visibility=self.visibility,
                    idempotency_key=idempotency_key,
                ),
                backoff=ONCE,
                patient=False,
            )
        except MastodonUnavailable as exc:  # 429, 5xx, dropped: the scheduler may retry
            raise PublishError(str(exc), transient=True) from None
        except SourceError as exc:  # 422, 404, credentials: trying again will not help
            raise PublishError(str(exc), transient=False) from None
        return _published(reply.data, reply_to)


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
