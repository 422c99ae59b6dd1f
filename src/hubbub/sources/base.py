"""The Source and Publisher protocols: what every network, file and demo source provides.

A source owns its network: paging, rate limits, reconnects and the cursor's
meaning. It yields :class:`~hubbub.model.Batch` objects; the runner
(:mod:`hubbub.listen`) processes each batch and stores its mentions together with
``batch.cursor`` in one transaction, then passes that cursor back on restart.

A publisher is the writing half of a network client: the inbox sends replies and
the scheduler sends posts through it. It lives beside the network's source so the
one ``request()`` with its retry and rate-limit logic serves both directions.

Two optional abilities extend a publisher, each its own protocol so that a publisher
with neither (the inbox's replies, tests' doubles) keeps working unchanged:

- :class:`MediaPublisher`: ``upload(image)`` puts an image on the network and
  ``publish(..., media=[...])`` attaches what was uploaded. They are two calls so the
  scheduler can store what an upload returned and reuse it on a retry.
- :class:`Reconciler`: ``find_published(...)`` looks on the network for a post an
  interrupted attempt may have made (the process died after the network took it and
  before hubbub stored its answer), so a retry records that post instead of posting
  again.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, runtime_checkable

from hubbub.model import Batch, MediaFile, Published, Uploaded

__all__ = [
    "MediaPublisher",
    "PublishError",
    "Publisher",
    "Reconciler",
    "Source",
    "SourceError",
]


class SourceError(Exception):
    """A source cannot go on; the message is one line a user can act on."""


class PublishError(SourceError):
    """A post was not published. ``transient`` says whether trying again later may
    succeed (rate limit, 5xx, dropped connection) or not (rejected text, bad
    credentials, a deleted parent): the scheduler retries only the transient ones."""

    def __init__(self, message: str, *, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@runtime_checkable
class Source(Protocol):
    #: a stable name; the store keeps one cursor per (workspace, name)
    name: str

    def batches(self, cursor: str | None = None) -> Iterator[Batch]:
        """Yield batches after ``cursor`` (``None``: from the start)."""
        ...


@runtime_checkable
class Publisher(Protocol):
    #: the network this publisher writes to: "x", "mastodon" or "bluesky"
    network: str

    def publish(
        self, text: str, *, reply_to: str | None = None, idempotency_key: str | None = None
    ) -> Published:
        """Post ``text`` (as a reply to the native post id ``reply_to`` if given).

        ``idempotency_key`` is stable across retries of the same logical post;
        networks that accept one (Mastodon's ``Idempotency-Key``) get it, so a
        retry after a lost response never posts twice. Raises
        :class:`PublishError` with a one-line message.
        """
        ...


@runtime_checkable
class MediaPublisher(Publisher, Protocol):
    """A publisher that can post images with the text."""

    def upload(self, media: MediaFile) -> Uploaded:
        """Put one image (with its alt text where the network takes it at upload) on
        the network; raises :class:`PublishError` (``transient`` as for a post)."""
        ...

    def publish(
        self,
        text: str,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        media: Sequence[Uploaded] = (),
    ) -> Published:
        """As :meth:`Publisher.publish`, with the images ``media`` attached."""
        ...


@runtime_checkable
class Reconciler(Protocol):
    """A publisher that can find a post an interrupted attempt made."""

    def find_published(
        self,
        text: str,
        *,
        reply_to: str | None,
        idempotency_key: str | None,
        since: datetime,
    ) -> Published | None:
        """The post made by an attempt that began at ``since`` with this text, reply
        target and key, if the network shows one; None when it does not (or when it
        cannot tell: the caller then posts, as it would have anyway)."""
        ...
