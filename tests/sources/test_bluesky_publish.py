"""BlueskyPublisher against the fake: facets in bytes, reply refs, idempotent retries, errors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from pydantic import SecretStr
from tests.fakes.bluesky import HANDLE, PASSWORD, FakeBluesky, make_posts
from tests.fakes.x_api import FakeClock

from hubbub.settings import Settings
from hubbub.sources.base import Publisher, PublishError, Reconciler
from hubbub.sources.bluesky import BlueskyClient
from hubbub.sources.bluesky.publish import BlueskyPublisher, tid_from_key
from hubbub.sources.publishers import publisher_for

CREATE = "com.atproto.repo.createRecord"
GET_RECORD = "com.atproto.repo.getRecord"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def fake(clock: FakeClock) -> Iterator[FakeBluesky]:
    server = FakeBluesky(make_posts(5), clock=clock).start()
    yield server
    server.stop()


@pytest.fixture
def publisher(fake: FakeBluesky, clock: FakeClock) -> Iterator[BlueskyPublisher]:
    client = BlueskyClient(
        HANDLE, SecretStr(PASSWORD), fake.url, sleep=clock.sleep, clock=clock, timeout=5
    )
    yield BlueskyPublisher(client)
    client.close()


def _span(text: str, needle: str) -> dict[str, int]:
    start = text.encode("utf-8").index(needle.encode("utf-8"))
    return {"byteStart": start, "byteEnd": start + len(needle.encode("utf-8"))}


def test_facets_carry_utf8_byte_offsets_and_resolved_mentions(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    text = "🥐 Merci @baker3.bsky.social & @nobody.bsky.social! #croissant https://larkspur.example/menu"
    assert isinstance(publisher, Publisher)
    done = publisher.publish(text)
    record = fake.bodies(CREATE)[0]["record"]
    assert record["$type"] == "app.bsky.feed.post" and record["text"] == text
    features = {
        (
            f["features"][0]["$type"].rpartition("#")[2],
            f["index"]["byteStart"],
            f["index"]["byteEnd"],
        )
        for f in record["facets"]
    }
    assert features == {
        ("mention", *_span(text, "@baker3.bsky.social").values()),
        ("tag", *_span(text, "#croissant").values()),
        ("link", *_span(text, "https://larkspur.example/menu").values()),
    }
    mention = next(f for f in record["facets"] if "mention" in f["features"][0]["$type"])
    assert mention["features"][0]["did"] == "did:plc:baker0003aaaaaaaaaaaaaaa"
    assert _span(text, "#croissant")["byteStart"] != text.index("#croissant")  # bytes, not chars
    assert done.network == "bluesky" and done.id.startswith(f"at://{fake.did}/app.bsky.feed.post/")
    assert done.url == f"https://bsky.app/profile/{HANDLE}/post/{done.id.rsplit('/', 1)[1]}"
    assert "reply" not in record


def test_a_reply_names_the_parent_and_the_thread_root(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    top = fake.posts[0]
    middle = fake.posts[1]
    middle["record"]["reply"] = {
        "root": {"uri": top["uri"], "cid": top["cid"]},
        "parent": {"uri": top["uri"], "cid": top["cid"]},
    }
    done = publisher.publish("thank you!", reply_to=middle["uri"])
    reply = fake.bodies(CREATE)[0]["record"]["reply"]
    assert reply["parent"]["uri"] == middle["uri"] and reply["parent"]["cid"] == middle["cid"]
    assert reply["root"]["uri"] == top["uri"] and reply["root"]["cid"] == top["cid"]
    assert done.reply_to == middle["uri"]
    # replying to a post that starts a thread: it is both root and parent
    publisher.publish("and you", reply_to=top["uri"])
    reply = fake.bodies(CREATE)[1]["record"]["reply"]
    assert reply["root"]["uri"] == reply["parent"]["uri"] == top["uri"]


def test_replying_to_a_deleted_post_is_not_transient(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    with pytest.raises(PublishError, match="no longer exists") as caught:
        publisher.publish("hello", reply_to=f"at://{fake.did}/app.bsky.feed.post/3kgone222222")
    assert caught.value.transient is False
    with pytest.raises(PublishError, match="not an at:// URI"):
        publisher.publish("hello", reply_to="https://bsky.app/profile/x/post/1")
    assert fake.bodies(CREATE) == []


def test_a_retry_with_the_same_key_never_posts_twice(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    first = publisher.publish("Fresh loaves at 7", idempotency_key="draft-41:bluesky")
    again = publisher.publish("Fresh loaves at 7", idempotency_key="draft-41:bluesky")
    other = publisher.publish("Fresh loaves at 7", idempotency_key="draft-42:bluesky")
    assert first.id == again.id != other.id
    assert first.id.endswith("/" + tid_from_key("draft-41:bluesky"))
    assert len(fake.records) == 2 and len(fake.bodies(CREATE)) == 3


def test_a_rejected_post_is_not_transient_and_a_5xx_is(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    fake.fail_next(CREATE, "400")
    with pytest.raises(PublishError, match="rejected \\(400 InvalidRequest\\)") as caught:
        publisher.publish("hello")
    assert caught.value.transient is False
    fake.fail_next(CREATE, *["503"] * 6)
    with pytest.raises(PublishError, match="failed 6 times") as caught:
        publisher.publish("hello")
    assert caught.value.transient is True
    assert fake.records == {}


def test_too_long_and_refused_credentials_are_not_transient(
    publisher: BlueskyPublisher, fake: FakeBluesky, clock: FakeClock
) -> None:
    with pytest.raises(PublishError, match="301 characters long; Bluesky allows 300") as caught:
        publisher.publish("🥐" * 301)  # 301 graphemes, 1,204 bytes
    assert caught.value.transient is False
    assert len("👩‍🍳" * 272) > 300  # several code points each, 272 graphemes...
    publisher.publish("👩‍🍳" * 272)  # ...and 2,992 bytes
    # 300 graphemes, but 3,300 bytes: over the lexicon's maxLength of 3,000
    with pytest.raises(PublishError, match="3,300 bytes; Bluesky allows 3,000") as caught:
        publisher.publish("👩‍🍳" * 300)
    assert caught.value.transient is False
    wrong = BlueskyClient(HANDLE, SecretStr("not-it-0000"), fake.url, sleep=clock.sleep)
    with pytest.raises(PublishError, match="were refused") as caught:
        BlueskyPublisher(wrong).publish("hello")
    assert caught.value.transient is False


def test_tids_from_keys_are_valid_and_stable() -> None:
    key = tid_from_key("a")
    assert key == tid_from_key("a") != tid_from_key("b")
    assert len(key) == 13 and key[0] in "234567abcdefghij"  # top bit clear
    assert set(key) <= set("234567abcdefghijklmnopqrstuvwxyz")


def test_the_registry_builds_a_publisher_only_with_credentials() -> None:
    assert publisher_for("bluesky", Settings(bluesky_handle="", bluesky_app_password=None)) is None
    built = publisher_for(
        "bluesky",
        Settings(bluesky_handle="me.bsky.social", bluesky_app_password=SecretStr("p-1234-5678")),
    )
    assert isinstance(built, BlueskyPublisher) and built.network == "bluesky"


def test_a_post_whose_answer_was_lost_is_found_not_posted_again(
    publisher: BlueskyPublisher, fake: FakeBluesky, clock: FakeClock
) -> None:
    fake.fail_next(CREATE, "lost")  # created, then the connection drops before the answer
    done = publisher.publish("Fresh loaves at 7", idempotency_key="draft-43:bluesky")
    # before retrying the dropped call the client looked at the key's record: it is there
    assert len(fake.bodies(CREATE)) == 1 and len(fake.calls(GET_RECORD)) == 1
    assert list(fake.records) == [done.id] and clock.slept == [1.0]
    assert done.id.endswith("/" + tid_from_key("draft-43:bluesky"))


@pytest.mark.parametrize(
    "refusal",
    [None, (400, "RecordAlreadyExists", "Record already exists")],
    ids=["pds-500", "explicit-400"],
)
def test_a_taken_record_key_is_success_however_the_pds_says_it(
    publisher: BlueskyPublisher,
    fake: FakeBluesky,
    clock: FakeClock,
    refusal: tuple[int, str, str] | None,
) -> None:
    """Today's PDS answers a second record at the same key with 500 (atproto issues 3718,
    4725); a proposed change (PR 4728) makes it an explicit error. Either way the post is
    the one already there, found without waiting through five retries of the 500."""
    fake.taken_rkey_error = refusal
    first = publisher.publish("Fresh loaves at 7", idempotency_key="draft-44:bluesky")
    again = publisher.publish("Fresh loaves at 7", idempotency_key="draft-44:bluesky")
    assert again.id == first.id and len(fake.records) == 1
    assert len(fake.bodies(CREATE)) == 2
    assert clock.slept in ([], [1.0])  # at most the one wait before the first retry


def test_find_published_reads_the_keys_record(
    publisher: BlueskyPublisher, fake: FakeBluesky
) -> None:
    assert isinstance(publisher, Reconciler)
    since = datetime.now(UTC)
    key = "draft-45:bluesky:0"
    assert publisher.find_published("Hi", reply_to=None, idempotency_key=key, since=since) is None
    made = publisher.publish("Hi", idempotency_key=key)
    found = publisher.find_published("Hi", reply_to=None, idempotency_key=key, since=since)
    assert found is not None and found.id == made.id and found.url == made.url
    assert publisher.find_published("Hi", reply_to=None, idempotency_key=None, since=since) is None
