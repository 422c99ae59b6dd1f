"""BlueskyPublisher's images against the fake PDS: uploadBlob, the images embed, refusals."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from tests.fakes.bluesky import HANDLE, PASSWORD, FakeBluesky, make_posts
from tests.fakes.x_api import FakeClock
from tests.images import jpeg, padded, png

from hubbub.model import MediaFile, Uploaded
from hubbub.sources.base import MediaPublisher, PublishError
from hubbub.sources.bluesky import BlueskyClient
from hubbub.sources.bluesky.publish import BlueskyPublisher

UPLOAD = "com.atproto.repo.uploadBlob"
RATIO = "app.bsky.embed.defs#aspectRatio"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeBluesky]:
    server = FakeBluesky(make_posts(3), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def publisher(fake: FakeBluesky, clock: FakeClock) -> Iterator[BlueskyPublisher]:
    client = BlueskyClient(
        HANDLE, SecretStr(PASSWORD), fake.url, sleep=clock.sleep, clock=clock, timeout=5
    )
    yield BlueskyPublisher(client)
    client.close()


def test_blobs_are_uploaded_raw_and_embedded_with_alt_and_aspect_ratio(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    assert isinstance(publisher, MediaPublisher)
    photo = jpeg(120, 80)
    first = publisher.upload(MediaFile(photo, "image/jpeg", 120, 80, "Rye on a rack"))
    second = publisher.upload(MediaFile(png(), "image/png", 64, 48))
    blob = json.loads(first.ref)
    assert blob["$type"] == "blob" and blob["mimeType"] == "image/jpeg"
    assert blob["size"] == len(photo) and blob["ref"]["$link"] in fake.blobs
    assert first.expires is not None
    [(_, _, _, raw)] = [r for r in fake.requests if r[1] == UPLOAD][:1]
    assert raw is None  # the body went raw, not as JSON
    done = publisher.publish("Rye is back", media=[first, second], idempotency_key="k-img")
    record = fake.records[done.id]
    assert record["embed"] == {
        "$type": "app.bsky.embed.images",
        "images": [
            {
                "$type": "app.bsky.embed.images#image",
                "alt": "Rye on a rack",
                "image": blob,
                "aspectRatio": {
                    "$type": "app.bsky.embed.defs#aspectRatio",
                    "width": 120,
                    "height": 80,
                },
            },
            {
                "$type": "app.bsky.embed.images#image",
                "alt": "",
                "image": json.loads(second.ref),
                "aspectRatio": {
                    "$type": "app.bsky.embed.defs#aspectRatio",
                    "width": 64,
                    "height": 48,
                },
            },
        ],
    }


def test_too_large_images_are_refused_before_and_by_the_pds(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    with pytest.raises(
        PublishError, match="1,000,001 bytes; Bluesky takes at most 1,000,000"
    ) as big:
        publisher.upload(MediaFile(padded(1_000_001), "image/jpeg", 64, 48))
    assert big.value.transient is False
    assert fake.calls(UPLOAD) == []
    # the PDS's own upload limit answers 413; not transient either
    fake.blob_limit = 1000
    with pytest.raises(PublishError, match=r"rejected \(413 PayloadTooLarge\)") as proxy:
        publisher.upload(MediaFile(padded(5000), "image/jpeg", 64, 48))
    assert proxy.value.transient is False


def test_the_pds_checks_the_blobs_on_the_record(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    # a "JPEG" whose bytes are not an image: the PDS sniffs it and the record is refused
    odd = publisher.upload(MediaFile(b"%PDF-1.7 nope", "image/jpeg", 64, 48))
    assert json.loads(odd.ref)["mimeType"] == "application/pdf"
    with pytest.raises(PublishError, match=r"rejected \(400 InvalidMimeType\)") as wrong:
        publisher.publish("hi", media=[odd])
    assert wrong.value.transient is False
    # a blob the PDS no longer has (deleted unused): refused, not transient
    gone = Uploaded(
        "bluesky",
        json.dumps(
            {"$type": "blob", "ref": {"$link": "bafkreigone"}, "mimeType": "image/jpeg", "size": 10}
        ),
    )
    with pytest.raises(PublishError, match="BlobNotFound"):
        publisher.publish("hi", media=[gone])
    ok = publisher.upload(MediaFile(jpeg(), "image/jpeg", 64, 48))
    with pytest.raises(PublishError, match="not valid"):
        publisher.publish("hi", media=[ok] * 5)  # the lexicon's 4, checked before sending
    assert fake.records == {}
