"""MastodonPublisher's images against the fake instance: v2 upload, 202 and polling, limits."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr
from tests.fakes.mastodon import TOKEN, FakeMastodon, make_corpus
from tests.fakes.x_api import FakeClock
from tests.images import jpeg, padded, png

from hubbub.model import MediaFile
from hubbub.sources.base import MediaPublisher, PublishError
from hubbub.sources.mastodon.client import MastodonClient
from hubbub.sources.mastodon.publisher import POLL_SECONDS, InstanceLimits, MastodonPublisher

START = datetime.now(UTC) - timedelta(days=1)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeMastodon]:
    server = FakeMastodon(make_corpus(5, start=START), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def publisher(fake: FakeMastodon, clock: FakeClock) -> Iterator[MastodonPublisher]:
    client = MastodonClient(fake.url, SecretStr(TOKEN), sleep=clock.sleep, clock=clock, timeout=5)
    yield MastodonPublisher(client)
    client.close()


def _instance_reads(fake: FakeMastodon) -> int:
    return sum(1 for _, p, _ in fake.requests if p.rstrip("/") == "/api/v2/instance")


def _image(data: bytes, mime: str = "image/jpeg", alt: str = "", w: int = 64) -> MediaFile:
    return MediaFile(data, mime, w, 48, alt)


def test_an_image_is_uploaded_with_its_description_and_attached(
    publisher: MastodonPublisher, fake: FakeMastodon
) -> None:
    assert isinstance(publisher, MediaPublisher)
    up = publisher.upload(_image(jpeg(), alt="Rye loaves cooling on a rack"))
    assert up.network == "mastodon" and up.ref in fake.media and up.expires is not None
    assert fake.media[up.ref]["description"] == "Rye loaves cooling on a rack"
    assert fake.calls("/api/v2/media") and _instance_reads(fake) == 1
    second = publisher.upload(_image(png(), "image/png"))
    assert _instance_reads(fake) == 1  # the limits are read once
    done = publisher.publish("Rye is back", media=[up, second], idempotency_key="k-media")
    (made,) = fake.published
    assert done.id == made["id"]
    assert [m["id"] for m in made["media_attachments"]] == [up.ref, second.ref]
    assert fake.attached == {up.ref: made["id"], second.ref: made["id"]}


def test_a_202_is_polled_until_processed(
    publisher: MastodonPublisher, fake: FakeMastodon, clock: FakeClock
) -> None:
    fake.processing_polls = 2  # 202, then 206, 206, then 200
    up = publisher.upload(_image(jpeg(), alt="a loaf"))
    polls = fake.calls(f"/api/v1/media/{up.ref}")
    assert len(polls) == 3 and clock.slept == [POLL_SECONDS] * 3
    publisher.publish("Rye is back", media=[up])
    assert fake.published[-1]["media_attachments"][0]["id"] == up.ref


def test_still_processing_is_transient_and_the_retry_reuses_the_upload(
    publisher: MastodonPublisher, fake: FakeMastodon
) -> None:
    fake.processing_polls = 1000  # longer than the publisher waits
    up = publisher.upload(_image(jpeg()))
    with pytest.raises(PublishError, match="not finished processing") as caught:
        publisher.publish("Rye is back", media=[up], idempotency_key="k-slow")
    assert caught.value.transient is True and fake.published == []
    fake.processing[up.ref] = 0  # done now
    publisher.publish("Rye is back", media=[up], idempotency_key="k-slow")
    assert fake.published[-1]["media_attachments"][0]["id"] == up.ref
    assert len(fake.calls("/api/v2/media")) == 1


def test_refusals_name_the_limit_and_are_not_transient(
    publisher: MastodonPublisher, fake: FakeMastodon
) -> None:
    host = fake.url.split("//", 1)[1]
    with pytest.raises(PublishError, match=f"{host} does not take image/bmp") as bmp:
        publisher.upload(_image(b"BM..", "image/bmp"))
    assert bmp.value.transient is False
    with pytest.raises(PublishError, match="takes at most 16,777,216") as big:
        publisher.upload(_image(padded(16 * 1024 * 1024 + 1)))
    assert big.value.transient is False
    with pytest.raises(PublishError, match="takes at most 33,177,600 pixels"):
        publisher.upload(_image(jpeg(), w=900_000))
    assert fake.calls("/api/v2/media") == []  # refused before uploading
    # the instance reads the bytes: a "JPEG" that is not one is refused there (422)
    with pytest.raises(PublishError, match=r"refused \(422\): .*content type is invalid") as odd:
        publisher.upload(_image(b"%PDF-1.7 not an image"))
    assert odd.value.transient is False
    # a proxy's 413 (an HTML page, not JSON) is a refusal too
    fake.body_limit = 1000
    with pytest.raises(PublishError, match=r"refused \(413\)") as proxy:
        publisher.upload(_image(padded(5000)))
    assert proxy.value.transient is False
    fake.body_limit = 99 * 1024 * 1024
    fake.fail_next("/api/v2/media", "503")
    with pytest.raises(PublishError) as down:
        publisher.upload(_image(jpeg()))
    assert down.value.transient is True


def test_instance_limits_are_read_with_defaults_for_what_is_missing() -> None:
    limits = InstanceLimits.from_instance(
        {
            "configuration": {
                "media_attachments": {
                    "supported_mime_types": ["image/jpeg"],
                    "image_size_limit": 8_000_000,
                },
                "statuses": {"max_media_attachments": 6},
            }
        }
    )
    assert limits.types == {"image/jpeg"} and limits.image_bytes == 8_000_000
    assert limits.attachments == 6 and limits.description_chars == 1500
    assert InstanceLimits.from_instance("nonsense") == InstanceLimits()
