"""XPublisher's images and crash lookup against the fake X's media upload and timeline."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from tests.fakes.x_api import ME, USER_TOKEN, FakeClock, FakeX
from tests.images import gif, jpeg, padded, png

from hubbub.model import MediaFile
from hubbub.sources.base import MediaPublisher, PublishError, Reconciler
from hubbub.sources.x.client import XClient
from hubbub.sources.x.publish import XPublisher
from hubbub.sources.x.usage import Budget, MemoryMeter


@pytest.fixture
def publisher(fake_x: FakeX, clock: FakeClock) -> Iterator[XPublisher]:
    client = XClient(
        SecretStr(USER_TOKEN),
        fake_x.url,
        budget=Budget(MemoryMeter()),
        sleep=clock.sleep,
        clock=clock,
        timeout=5,
    )
    pub = XPublisher(client, now=lambda: datetime.fromtimestamp(clock(), UTC))
    yield pub
    pub.close()


def _image(data: bytes, mime: str = "image/jpeg", alt: str = "", **kw: object) -> MediaFile:
    return MediaFile(data, mime, 64, 48, alt, **kw)  # type: ignore[arg-type]


def test_images_are_uploaded_with_alt_text_and_attached(
    publisher: XPublisher, fake_x: FakeX
) -> None:
    assert isinstance(publisher, MediaPublisher) and isinstance(publisher, Reconciler)
    first = publisher.upload(_image(jpeg(), alt="Rye loaves cooling on a rack"))
    second = publisher.upload(_image(png(), "image/png"))
    assert first.network == "x" and first.ref in fake_x.media and first.ref != second.ref
    assert first.expires is not None  # X said how long it keeps the upload
    assert fake_x.media[first.ref]["alt"] == "Rye loaves cooling on a rack"
    assert fake_x.media[second.ref]["alt"] == ""  # no metadata call without alt text
    assert fake_x.media[second.ref]["type"] == "image/png"
    uploads = [q for m, p, q in fake_x.requests if p == "/2/media/upload"]
    assert len(uploads) == 2
    done = publisher.publish("Rye is back", media=[first, second])
    assert fake_x.posted[-1] == {
        "text": "Rye is back",
        "media": {"media_ids": [first.ref, second.ref]},
    }
    made = fake_x.tweets[-1]
    assert made["id"] == done.id and made["attachments"]["media_keys"] == [
        f"3_{first.ref}",
        f"3_{second.ref}",
    ]


def test_gifs_go_in_chunks_and_wait_for_processing(
    publisher: XPublisher, fake_x: FakeX, clock: FakeClock
) -> None:
    fake_x.gif_processing = 2  # X works on an animated GIF for a while
    moving = gif(frames=3)
    up = publisher.upload(_image(moving, "image/gif", alt="a spinning loaf", animated=True))
    paths = [p for m, p, q in fake_x.requests if p.startswith("/2/media/upload")]
    assert paths == [
        "/2/media/upload/initialize",
        f"/2/media/upload/{up.ref}/append",
        f"/2/media/upload/{up.ref}/finalize",
        "/2/media/upload",  # STATUS: in_progress
        "/2/media/upload",  # STATUS: in_progress
        "/2/media/upload",  # STATUS: succeeded
    ]
    assert clock.slept == [1.0, 1.0, 1.0]  # X's check_after_secs
    found = fake_x.media[up.ref]
    assert (found["category"], found["size"], found["alt"]) == (
        "tweet_gif",
        len(moving),
        "a spinning loaf",
    )
    publisher.publish("Watch it rise", media=[up])
    assert fake_x.posted[-1]["media"] == {"media_ids": [up.ref]}
    still = publisher.upload(_image(gif(), "image/gif"))  # a still GIF: chunks too
    assert fake_x.media[still.ref]["category"] == "tweet_image"


def test_a_gif_over_15_mb_is_refused_at_finalize(publisher: XPublisher, fake_x: FakeX) -> None:
    big = gif(frames=2) + b"\0" * (15 * 1024 * 1024)
    with pytest.raises(PublishError, match=r"\(413\): File size exceeds 15728640") as caught:
        publisher.upload(_image(big, "image/gif", animated=True))
    assert caught.value.transient is False
    appends = [p for m, p, q in fake_x.requests if p.endswith("/append")]
    assert len(appends) == 4  # 15 MB and a bit in 4 MB segments


def test_refused_uploads_are_not_transient(publisher: XPublisher, fake_x: FakeX) -> None:
    with pytest.raises(
        PublishError, match=r"the image was rejected \(413\): File size exceeds"
    ) as big:
        publisher.upload(_image(padded(5 * 1024 * 1024 + 1)))
    assert big.value.transient is False
    # declared a JPEG, but the bytes are a PDF: X reads the bytes
    with pytest.raises(PublishError, match=r"\(400\): media type unrecognized") as odd:
        publisher.upload(_image(b"%PDF-1.7 not an image at all"))
    assert odd.value.transient is False
    with pytest.raises(PublishError, match="does not take image/bmp"):
        publisher.upload(_image(b"BM....", "image/bmp"))
    fake_x.fail_next("/2/media/upload", *["503"] * 6)
    with pytest.raises(PublishError) as down:
        publisher.upload(_image(jpeg()))
    assert down.value.transient is True
    assert fake_x.media == {}


def test_an_expired_upload_is_refused_by_x(
    publisher: XPublisher, fake_x: FakeX, clock: FakeClock
) -> None:
    up = publisher.upload(_image(jpeg()))
    clock.sleep(fake_x.media_ttl + 1)
    with pytest.raises(PublishError, match="Your media IDs are invalid") as caught:
        publisher.publish("Rye is back", media=[up])
    assert caught.value.transient is False
    assert fake_x.posted == []


def test_find_published_sees_a_crashed_attempts_post(
    publisher: XPublisher, fake_x: FakeX, clock: FakeClock
) -> None:
    started = datetime.now(UTC) - timedelta(seconds=5)
    parent = fake_x.tweets[-1]["id"]
    assert (
        publisher.find_published("Rye is back", reply_to=None, idempotency_key="k", since=started)
        is None
    )
    up = publisher.upload(_image(jpeg(), alt="rye"))
    made = publisher.publish("Rye is back", media=[up])  # X adds the images' t.co link
    reply = publisher.publish("Also spelt", reply_to=made.id)
    found = publisher.find_published(
        "Rye is back", reply_to=None, idempotency_key="k", since=started
    )
    assert found is not None and found.id == made.id
    assert fake_x.tweets[-2]["text"].startswith("Rye is back https://t.co/")
    again = publisher.find_published(
        "Also spelt", reply_to=made.id, idempotency_key="k2", since=started
    )
    assert again is not None and again.id == reply.id and again.reply_to == made.id
    # the same text as a reply to another post, or from before the attempt: not ours
    assert (
        publisher.find_published("Also spelt", reply_to=parent, idempotency_key="k2", since=started)
        is None
    )
    later = datetime.now(UTC) + timedelta(minutes=5)
    assert (
        publisher.find_published("Also spelt", reply_to=made.id, idempotency_key="k2", since=later)
        is None
    )
    lookups = [q for m, p, q in fake_x.requests if p == f"/2/users/{ME}/tweets"]
    assert lookups and all("start_time" in q for q in lookups)
