"""The durable scheduler: publish the posts whose time has come, exactly once.

:func:`run_due` is one pass; ``hubbub worker`` and ``hubbub serve`` call it in a
loop. For each due post it:

1. **claims** it (``scheduled`` -> ``publishing`` with a fresh claim token, one
   conditional ``UPDATE``: of two workers on the same database only one wins;
   see :mod:`hubbub.store.publish`);
2. makes its tracked links (once per URL and network) when a public base URL is set;
3. publishes every part on every network, in order, each as a reply to the part
   before it (a thread), with the idempotency key ``{post key}:{network}:{part}``
   (the same on every retry). The post's images go with the first part: uploaded
   once per network and the network's answer stored at once, so a retry attaches
   the same upload while the network keeps it. Before calling the network for a
   part it **notes the attempt**, and it **records each delivery as soon as the
   network answers**, so parts already out are skipped on a retry;
4. **finishes**: ``published`` when every part is out everywhere; on a
   :class:`~hubbub.sources.base.PublishError` with ``transient`` set (rate limit,
   5xx, a dropped connection) back to ``scheduled`` with a ``next_try`` after an
   exponential backoff, until :data:`MAX_ATTEMPTS`; any other error, or a network
   with no configured publisher, ``failed`` with the one-line reason.

A worker that dies mid-publish leaves the post in ``publishing``; after
:data:`STALE_AFTER` another pass reclaims it with the SAME idempotency key and skips
what was recorded. A part with a noted attempt and no delivery may or may not be out
(the worker died after the network took it, before the answer was stored): the retry
first asks the publisher, if it is a :class:`~hubbub.sources.base.Reconciler`, to
find it on the network (X: the account's posts since the attempt began, by text and
reply target; Bluesky: the record at the key's record key) and records what it finds
instead of posting again. Mastodon needs no lookup: it answers a repeated
``Idempotency-Key`` with the status it already made. No database transaction is held
open while a network is called.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hubbub.model import MediaFile, Uploaded
from hubbub.publish.links import text_for_network, track_post_links
from hubbub.publish.media import load_images
from hubbub.sources.base import MediaPublisher, Publisher, PublishError, Reconciler
from hubbub.store import Store
from hubbub.store import media as media_rows
from hubbub.store import publish as queries
from hubbub.store.publish import LinkRow

__all__ = [
    "MAX_ATTEMPTS",
    "STALE_AFTER",
    "AfterPass",
    "PassReport",
    "PublisherFor",
    "backoff",
    "publish_claimed",
    "run_due",
    "run_forever",
    "start_background",
]

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
STALE_AFTER = timedelta(minutes=10)
#: an upload is reused only if the network keeps it at least this much longer
UPLOAD_MARGIN = timedelta(minutes=2)
#: network -> its publisher, or None when posting there is not configured
PublisherFor = Callable[[str], Publisher | None]
#: more work the worker does after each pass, given the time (the weekly digest)
AfterPass = Callable[[datetime], object]


def backoff(attempts: int) -> timedelta:
    """The wait before try ``attempts + 1``: 1, 2, 4, 8, 16 minutes, at most an hour."""
    return timedelta(minutes=min(60, 2 ** max(0, attempts - 1)))


@dataclass
class PassReport:
    """What one pass did, by post id."""

    published: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    lost: list[int] = field(default_factory=list)  # another worker took the claim over

    @property
    def claimed(self) -> int:
        return len(self.published) + len(self.retrying) + len(self.failed) + len(self.lost)


def run_due(
    store: Store,
    now: datetime,
    publisher_for: PublisherFor,
    *,
    base_url: str = "",
    limit: int = 20,
    clock: Callable[[], datetime] | None = None,
    stop: threading.Event | None = None,
    media_root: Path | None = None,
) -> PassReport:
    """Claim and publish every post due at ``now`` (at most ``limit`` per pass);
    ``stop``, once set, ends the pass before the next post is claimed. ``media_root``
    is where the posts' images are (``HUBBUB_HOME/media``)."""
    report = PassReport()
    with store.connect() as conn:
        candidates = queries.due_posts(conn, now, stale_before=now - STALE_AFTER, limit=limit)
    for post_id, state, old_token in candidates:
        if stop is not None and stop.is_set():
            break
        token = secrets.token_hex(16)
        with store.begin() as conn:
            won = queries.claim(
                conn,
                post_id,
                expected_state=state,
                expected_token=old_token,
                token=token,
                now=now,
            )
        if not won:
            continue  # another worker was first
        outcome = publish_claimed(
            store,
            post_id,
            token,
            now,
            publisher_for,
            base_url=base_url,
            clock=clock,
            media_root=media_root,
        )
        getattr(report, outcome).append(post_id)
    return report


def publish_claimed(
    store: Store,
    post_id: int,
    token: str,
    now: datetime,
    publisher_for: PublisherFor,
    *,
    base_url: str = "",
    clock: Callable[[], datetime] | None = None,
    media_root: Path | None = None,
) -> str:
    """Publish a post this worker holds with ``token``; returns ``published``,
    ``retrying``, ``failed`` or ``lost``."""
    tick = clock or (lambda: now)
    with store.begin() as conn:
        post = queries.get_post(conn, post_id)
        assert post is not None, f"claimed post {post_id} vanished"
        links = track_post_links(conn, post, base_url=base_url, now=now)
        done = {(d.network, d.part): d for d in queries.deliveries(conn, post_id)}
        tried = queries.attempts(conn, post_id)
        images = media_rows.post_images(conn, post_id)
    error: PublishError | None = None
    try:
        files = load_images(media_root, images) if images and media_root else []
    except (OSError, ValueError) as exc:
        files, error = [], PublishError(_line(exc), transient=False)
    if images and media_root is None:
        error = PublishError("the post has images but no media folder was given", transient=False)
    for network in post.networks if error is None else ():
        publisher = publisher_for(network)
        if publisher is None:
            error = PublishError(f"posting to {network} is not configured", transient=False)
            break
        try:
            _publish_network(
                store, post, network, publisher, files, links, base_url, done, tried, tick
            )
        except PublishError as exc:
            error = exc
        except Exception as exc:  # a bug or an unexpected failure: retry, bounded
            log.exception("publishing post %s to %s failed", post_id, network)
            error = PublishError(f"{type(exc).__name__}: {exc}", transient=True)
        if error is not None:
            break
    at = tick()
    with store.begin() as conn:
        if error is None:
            ok = queries.finish(conn, post_id, token, state="published", now=at)
            outcome = "published"
        elif error.transient and post.attempts < MAX_ATTEMPTS:
            ok = queries.finish(
                conn,
                post_id,
                token,
                state="scheduled",
                now=at,
                last_error=_line(error),
                next_try=now + backoff(post.attempts),
            )
            outcome = "retrying"
        else:
            ok = queries.finish(
                conn, post_id, token, state="failed", now=at, last_error=_line(error)
            )
            outcome = "failed"
    return outcome if ok else "lost"


def _publish_network(
    store: Store,
    post: queries.StoredPost,
    network: str,
    publisher: Publisher,
    files: list[MediaFile],
    links: list[LinkRow],
    base_url: str,
    done: dict[tuple[str, int], queries.Delivery],
    tried: dict[tuple[str, int], datetime],
    tick: Callable[[], datetime],
) -> None:
    """Every part of ``post`` not yet out on ``network``, in order, each a reply to the
    one before; raises :class:`PublishError` at the first part that fails."""
    if files and not isinstance(publisher, MediaPublisher):
        raise PublishError(f"posting images to {network} is not supported", transient=False)
    reply_to: str | None = None
    for part, raw in enumerate(post.parts):
        delivered = done.get((network, part))
        if delivered is not None:
            reply_to = delivered.native_id
            continue
        key = f"{post.idempotency_key}:{network}:{part}"
        text = text_for_network(raw, links, network, base_url)
        started = tried.get((network, part))
        found = None
        if started is not None and isinstance(publisher, Reconciler):
            # an earlier attempt's outcome is unknown: the network may have taken it
            found = publisher.find_published(
                text, reply_to=reply_to, idempotency_key=key, since=started
            )
            if found is not None:
                log.info(
                    "post %s: %s part %d was already out: %s", post.id, network, part, found.id
                )
        if found is None:
            media = _uploads(store, post.id, network, publisher, files, tick) if part == 0 else []
            with store.begin() as conn:
                queries.begin_attempt(conn, post.id, network, part, tick())
            if media:
                assert isinstance(publisher, MediaPublisher)
                found = publisher.publish(text, reply_to=reply_to, idempotency_key=key, media=media)
            else:
                found = publisher.publish(text, reply_to=reply_to, idempotency_key=key)
        with store.begin() as conn:
            queries.record_delivery(conn, post.id, part, found, tick())
        reply_to = found.id


def _uploads(
    store: Store,
    post_id: int,
    network: str,
    publisher: Publisher,
    files: list[MediaFile],
    tick: Callable[[], datetime],
) -> list[Uploaded]:
    """The post's images on ``network``: what an earlier try uploaded while the network
    still keeps it, else uploaded now (and stored at once, for the next try)."""
    if not files:
        return []
    assert isinstance(publisher, MediaPublisher)
    with store.connect() as conn:
        kept = media_rows.uploads(conn, post_id, network)
    out: list[Uploaded] = []
    for position, image in enumerate(files):
        old = kept.get(position)
        if old is not None and (old.expires is None or old.expires > tick() + UPLOAD_MARGIN):
            out.append(
                Uploaded(network, old.ref, image.alt, image.width, image.height, old.expires)
            )
            continue
        made = publisher.upload(image)
        with store.begin() as conn:
            media_rows.record_upload(
                conn, post_id, network, position, ref=made.ref, now=tick(), expires=made.expires
            )
        out.append(made)
    return out


def _line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:500]


def run_forever(
    store: Store,
    publisher_for: PublisherFor,
    stop: threading.Event,
    *,
    interval: float = 30.0,
    base_url: str = "",
    clock: Callable[[], datetime] | None = None,
    media_root: Path | None = None,
    after_pass: AfterPass | None = None,
) -> int:
    """Call :func:`run_due` every ``interval`` seconds until ``stop`` is set; returns
    the number of passes. A pass that fails (the database is away) is logged and the
    loop goes on; setting ``stop`` ends the loop after the post being published.
    ``after_pass(now)`` runs after each pass (the weekly digest: what else is due),
    its failures logged the same way."""
    now = clock or (lambda: datetime.now(UTC))
    passes = 0
    while not stop.is_set():
        try:
            report = run_due(
                store,
                now(),
                publisher_for,
                base_url=base_url,
                clock=now,
                stop=stop,
                media_root=media_root,
            )
            if report.claimed:
                log.info(
                    "scheduler: %d published, %d to retry, %d failed",
                    len(report.published),
                    len(report.retrying),
                    len(report.failed),
                )
        except Exception:
            log.exception("scheduler pass failed; trying again in %.0f s", interval)
        if after_pass is not None and not stop.is_set():
            try:
                after_pass(now())
            except Exception:
                log.exception("after-pass work failed; trying again in %.0f s", interval)
        passes += 1
        stop.wait(interval)
    return passes


def start_background(
    store: Store,
    publisher_for: PublisherFor,
    *,
    base_url: str = "",
    interval: float = 30.0,
    media_root: Path | None = None,
    after_pass: AfterPass | None = None,
) -> Callable[[], None]:
    """Run :func:`run_forever` in a daemon thread (``hubbub serve``); returns the
    function that stops it and waits for the post being published."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run_forever,
        args=(store, publisher_for, stop),
        kwargs={
            "interval": interval,
            "base_url": base_url,
            "media_root": media_root,
            "after_pass": after_pass,
        },
        name="hubbub-scheduler",
        daemon=True,
    )
    thread.start()

    def halt() -> None:
        stop.set()
        thread.join(timeout=60)

    return halt
