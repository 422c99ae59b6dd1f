"""The scheduler with images and with lost attempts: uploads once, reuses them, looks first."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hubbub.model import MediaFile, Published, Uploaded
from hubbub.publish.media import add_image
from hubbub.publish.scheduler import run_due
from hubbub.sources.base import MediaPublisher, PublishError, Reconciler
from hubbub.store import Store, upsert_workspace
from hubbub.store import media as media_rows
from hubbub.store import publish as queries
from tests.images import jpeg, png
from tests.store.helpers import make_workspace

NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


class MediaFake:
    """A publisher with images and a lookup; ``fail`` errors are raised by publish()."""

    def __init__(self, network: str, *, keeps: timedelta | None = timedelta(hours=1)) -> None:
        self.network = network
        self.keeps = keeps
        self.uploads: list[MediaFile] = []
        self.posts: list[tuple[str, str | None, str | None, tuple[str, ...]]] = []
        self.lookups: list[tuple[str, str | None, datetime]] = []
        self.fail: list[PublishError] = []
        self.out: dict[str, Published] = {}  # by key: what the network holds

    def upload(self, media: MediaFile) -> Uploaded:
        self.uploads.append(media)
        expires = NOW + self.keeps if self.keeps else None
        ref = f"{self.network}-m{len(self.uploads)}"
        return Uploaded(self.network, ref, media.alt, media.width, media.height, expires)

    def publish(
        self,
        text: str,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        media: Sequence[Uploaded] = (),
    ) -> Published:
        self.posts.append((text, reply_to, idempotency_key, tuple(m.ref for m in media)))
        made = Published(self.network, f"{self.network}-{len(self.posts)}", "", reply_to=reply_to)
        self.out[idempotency_key or ""] = made  # the network took it...
        if self.fail:
            raise self.fail.pop(0)  # ...and the answer was lost
        return made

    def find_published(
        self, text: str, *, reply_to: str | None, idempotency_key: str | None, since: datetime
    ) -> Published | None:
        self.lookups.append((text, reply_to, since))
        return self.out.get(idempotency_key or "")


class TextOnly:
    network = "x"

    def publish(
        self, text: str, *, reply_to: str | None = None, idempotency_key: str | None = None
    ) -> Published:
        raise AssertionError("must not be called for a post with images")


def _post(
    store: Store, root: Path, *, networks: tuple[str, ...], thread: tuple[str, ...] = ()
) -> int:
    with store.begin() as conn:
        ws_id = upsert_workspace(conn, make_workspace())
    first = add_image(store, root, ws_id, jpeg(120, 80), name="rye.jpg", now=NOW)
    second = add_image(store, root, ws_id, png(), name="spelt.png", now=NOW)
    with store.begin() as conn:
        post_id = queries.create_post(
            conn,
            ws_id,
            text="Rye is back",
            thread=thread,
            networks=networks,
            state="scheduled",
            scheduled_for=NOW - timedelta(minutes=1),
            now=NOW - timedelta(hours=1),
        )
        media_rows.set_post_media(conn, post_id, [(first.id, "Rye loaves"), (second.id, "")])
    return post_id


def test_images_go_with_the_first_part_uploaded_once_per_network(
    store: Store, tmp_path: Path
) -> None:
    assert isinstance(MediaFake("x"), MediaPublisher) and isinstance(MediaFake("x"), Reconciler)
    post_id = _post(store, tmp_path, networks=("x", "bluesky"), thread=("Spelt too",))
    pubs = {n: MediaFake(n) for n in ("x", "bluesky")}
    assert run_due(store, NOW, pubs.get, media_root=tmp_path).published == [post_id]
    for network, pub in pubs.items():
        assert [(m.mime, m.alt, m.width) for m in pub.uploads] == [
            ("image/jpeg", "Rye loaves", 120),
            ("image/png", "", 64),
        ]
        assert [p[3] for p in pub.posts] == [(f"{network}-m1", f"{network}-m2"), ()]
        assert pub.posts[1][1] == f"{network}-1"  # the thread's second part answers the first
        assert pub.lookups == []  # nothing was in doubt
    with store.connect() as conn:
        kept = media_rows.uploads(conn, post_id, "x")
        assert [u.ref for u in kept.values()] == ["x-m1", "x-m2"]
        assert queries.attempts(conn, post_id) == {}  # every attempt settled


def test_a_retry_reuses_uploads_the_network_still_keeps(store: Store, tmp_path: Path) -> None:
    post_id = _post(store, tmp_path, networks=("x",))
    pub = MediaFake("x", keeps=timedelta(hours=24))
    pub.fail = [PublishError("x: 503", transient=True)]
    assert run_due(store, NOW, {"x": pub}.get, media_root=tmp_path).retrying == [post_id]
    pub.out.clear()  # this time X really did not take it
    assert run_due(store, NOW + timedelta(minutes=1), {"x": pub}.get, media_root=tmp_path).published
    assert len(pub.uploads) == 2  # uploaded once...
    assert [p[3] for p in pub.posts] == [("x-m1", "x-m2")] * 2  # ...attached twice
    assert len(pub.lookups) == 1  # the failed attempt's outcome was looked for first


def test_expired_uploads_are_made_again(store: Store, tmp_path: Path) -> None:
    post_id = _post(store, tmp_path, networks=("bluesky",))
    pub = MediaFake("bluesky", keeps=timedelta(minutes=5))
    pub.fail = [PublishError("bluesky: 502", transient=True)]
    run_due(store, NOW, {"bluesky": pub}.get, media_root=tmp_path)
    pub.out.clear()
    later = NOW + timedelta(minutes=30)
    assert run_due(store, later, {"bluesky": pub}.get, media_root=tmp_path).published == [post_id]
    assert len(pub.uploads) == 4 and pub.posts[-1][3] == ("bluesky-m3", "bluesky-m4")


def test_a_part_the_network_already_took_is_recorded_not_sent_again(
    store: Store, tmp_path: Path
) -> None:
    post_id = _post(store, tmp_path, networks=("x",), thread=("Spelt too",))
    pub = MediaFake("x")
    pub.fail = [PublishError("x: the connection dropped", transient=True)]
    run_due(store, NOW, {"x": pub}.get, media_root=tmp_path)  # X took part 1; answer lost
    with store.connect() as conn:
        [(where, started)] = queries.attempts(conn, post_id).items()
    assert where == ("x", 0) and started == NOW
    assert run_due(store, NOW + timedelta(minutes=1), {"x": pub}.get, media_root=tmp_path).published
    assert [p[0] for p in pub.posts] == ["Rye is back", "Spelt too"]  # each once
    assert pub.lookups == [("Rye is back", None, NOW)]  # since the attempt began
    with store.connect() as conn:
        assert [d.native_id for d in queries.deliveries(conn, post_id)] == ["x-1", "x-2"]


def test_images_without_their_file_or_support_fail_with_a_reason(
    store: Store, tmp_path: Path
) -> None:
    post_id = _post(store, tmp_path, networks=("x",))
    other = tmp_path / "elsewhere"  # a worker whose HUBBUB_HOME lacks the files
    assert run_due(store, NOW, {"x": MediaFake("x")}.get, media_root=other).failed == [post_id]
    with store.connect() as conn:
        failed = queries.get_post(conn, post_id)
    assert failed is not None and failed.last_error == (
        f"image 1 (rye.jpg) is not in {other} on this machine"
    )
    second = _post(store, tmp_path, networks=("x",))
    assert run_due(store, NOW, {"x": TextOnly()}.get, media_root=tmp_path).failed == [second]
    with store.connect() as conn:
        found = queries.get_post(conn, second)
    assert found is not None and found.last_error == "posting images to x is not supported"
