"""The crash test: ``hubbub worker`` SIGKILLed at each dangerous point, restarted, and every
part of a thread (with its image) is on every network exactly once.

The worker is a real subprocess publishing to the fake X, Mastodon and Bluesky over
127.0.0.1. No hook in hubbub stops it: the fakes do, with scripted answers (see
tests/fakes): ``hang`` holds a request and then drops it having done nothing, ``hold``
carries a request out and then keeps the answer back. The test kills the worker

1. **after it claimed the post**, while the image upload hangs (nothing taken yet);
2. **after the network took part 1 and before the delivery row was saved**, while the
   network holds its answer (the window a restart must not post into twice);
3. **between the parts of the thread**: part 1 stored, part 2's request hanging.

After each kill the post's claim is made ten minutes old (what waiting
``STALE_AFTER`` would do), and the next worker takes it over. The last one runs
``--once`` to the end.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from hubbub.publish.media import add_image
from hubbub.store import Store, upsert_workspace
from hubbub.store import media as media_rows
from hubbub.store import publish as queries
from hubbub.store.tables import scheduled_posts
from tests.crashes import CLI, kill_when
from tests.fakes.bluesky import HANDLE, PASSWORD, FakeBluesky, make_posts
from tests.fakes.mastodon import TOKEN as MASTODON_TOKEN
from tests.fakes.mastodon import FakeMastodon
from tests.fakes.mastodon import make_corpus as mastodon_corpus
from tests.fakes.x_api import ME, USER_TOKEN, FakeX, make_corpus
from tests.images import jpeg
from tests.store.helpers import make_workspace

FIRST = "Rye is back at Larkspur this Saturday"
SECOND = "Spelt too, while it lasts"
ALT = "Six rye loaves cooling on a rack"
HANG = "hang:60"
CORPUS = 5  # far longer than the test waits: only the kill ends it


@dataclass
class Network:
    """How one fake network shows the dangerous points, and what it finally holds."""

    name: str
    upload: str  # the scripted path (or NSID) of the image upload
    post: str  # ... of writing one part
    fake: Any
    #: the kill-3 run's scripts for ``post``: Mastodon re-sends part 1 (its key answers)
    between: tuple[str, ...]

    def requests(self, path: str) -> int:
        if self.name == "bluesky":
            return len(self.fake.calls(path))
        return sum(1 for _m, p, _q in self.fake.requests if p == path)

    def taken(self) -> int:
        """Parts the network has made."""
        if self.name == "x":
            return len(self.fake.posted)
        if self.name == "mastodon":
            return len(self.fake.published)
        return len(self.fake.records)


@pytest.fixture(params=["x", "mastodon", "bluesky"])
def network(request: pytest.FixtureRequest) -> Iterator[Network]:
    name = request.param
    if name == "x":
        tweets, users = make_corpus(CORPUS)
        fake: Any = FakeX(tweets, users).start()
        net = Network("x", "/2/media/upload", "/2/tweets", fake, (HANG,))
    elif name == "mastodon":
        fake = FakeMastodon(mastodon_corpus(3)).start()
        net = Network("mastodon", "/api/v2/media", "/api/v1/statuses", fake, ("ok", HANG))
    else:
        fake = FakeBluesky(make_posts(3)).start()
        upload, post = "com.atproto.repo.uploadBlob", "com.atproto.repo.createRecord"
        net = Network("bluesky", upload, post, fake, (HANG,))
    yield net
    fake.stop()


@pytest.fixture
def env(tmp_path: Path, network: Network) -> dict[str, str]:
    url = network.fake.url
    values = {
        "HUBBUB_HOME": str(tmp_path / "home"),
        "HUBBUB_DATABASE_URL": f"sqlite:///{tmp_path / 'hubbub.db'}",
        "HUBBUB_X_API_URL": url if network.name == "x" else "http://127.0.0.1:9",
        "HUBBUB_X_USER_TOKEN": USER_TOKEN,
        "HUBBUB_MASTODON_BASE_URL": url if network.name == "mastodon" else "",
        "HUBBUB_MASTODON_ACCESS_TOKEN": MASTODON_TOKEN,
        "HUBBUB_BLUESKY_SERVICE_URL": url if network.name == "bluesky" else "http://127.0.0.1:9",
        "HUBBUB_BLUESKY_HANDLE": HANDLE,
        "HUBBUB_BLUESKY_APP_PASSWORD": PASSWORD,
        "HUBBUB_PUBLIC_BASE_URL": "",
    }
    keep = {k: v for k, v in os.environ.items() if not k.startswith("HUBBUB_")}
    return {**keep, **values}


def _schedule(env: dict[str, str], network: str) -> int:
    """A two-part thread with one image, due a minute ago, on ``network`` only."""
    now = datetime.now(UTC)
    with Store.open(env["HUBBUB_DATABASE_URL"]) as store:
        with store.begin() as conn:
            ws_id = upsert_workspace(conn, make_workspace())
        root = Path(env["HUBBUB_HOME"]) / "media"
        image = add_image(store, root, ws_id, jpeg(120, 80), name="rye.jpg", now=now)
        with store.begin() as conn:
            post_id = queries.create_post(
                conn,
                ws_id,
                text=FIRST,
                thread=(SECOND,),
                networks=(network,),
                state="scheduled",
                scheduled_for=now - timedelta(minutes=1),
                now=now,
            )
            media_rows.set_post_media(conn, post_id, [(image.id, ALT)])
    return post_id


def _state(env: dict[str, str], post_id: int) -> tuple[str, list[int], list[tuple[str, int]]]:
    """(state, parts delivered, parts with an unsettled attempt) as the database says."""
    with Store.open(env["HUBBUB_DATABASE_URL"], migrate=False) as store, store.connect() as conn:
        post = queries.get_post(conn, post_id)
        assert post is not None
        parts = [d.part for d in queries.deliveries(conn, post_id)]
        tried = sorted(queries.attempts(conn, post_id))
    return post.state, parts, tried


def _age_the_claim(env: dict[str, str], post_id: int) -> None:
    """What waiting STALE_AFTER (ten minutes) would do: the dead worker's claim is old."""
    with Store.open(env["HUBBUB_DATABASE_URL"], migrate=False) as store, store.begin() as conn:
        conn.execute(
            update(scheduled_posts)
            .where(scheduled_posts.c.id == post_id)
            .values(claimed_at=datetime.now(UTC) - timedelta(minutes=11))
        )


def _kill_when(env: dict[str, str], log: Path, ready: Callable[[], bool], what: str) -> None:
    """Start ``hubbub worker`` and SIGKILL it as soon as ``ready()``."""
    kill_when(["worker", "--interval", "0.2"], env, ready, what=what, log=log, seconds=90)


def test_sigkill_at_each_dangerous_point_then_restart_posts_each_part_once(
    env: dict[str, str], network: Network, tmp_path: Path
) -> None:
    post_id = _schedule(env, network.name)
    fake = network.fake
    log = tmp_path / "worker.log"

    # 1. claimed, the upload in flight, nothing taken
    fake.fail_next(network.upload, HANG)
    _kill_when(env, log, lambda: network.requests(network.upload) == 1, "the image upload")
    assert _state(env, post_id) == ("publishing", [], [])
    assert network.taken() == 0
    _age_the_claim(env, post_id)

    # 2. the network took part 1; its answer is held back, the delivery not saved
    fake.fail_next(network.post, "hold:60")
    _kill_when(env, log, lambda: network.taken() == 1, "the network taking part 1")
    assert _state(env, post_id) == ("publishing", [], [(network.name, 0)])
    _age_the_claim(env, post_id)

    # 3. part 1 recorded (found on the network, not posted again), part 2 in flight
    sent = network.requests(network.post)
    fake.fail_next(network.post, *network.between)
    _kill_when(
        env,
        log,
        lambda: network.requests(network.post) >= sent + len(network.between),
        "the request for part 2",
    )
    state, parts, tried = _state(env, post_id)
    assert (state, parts) == ("publishing", [0]) and tried == [(network.name, 1)]
    assert network.taken() == 1
    _age_the_claim(env, post_id)

    # 4. a last run takes the post over and finishes it
    done = subprocess.run([*CLI, "worker", "--once"], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "1 published, 0 to retry, 0 failed" in done.stderr, _last_error(env, post_id)
    assert _state(env, post_id) == ("published", [0, 1], [])
    with Store.open(env["HUBBUB_DATABASE_URL"], migrate=False) as store, store.connect() as conn:
        stored = [d.native_id for d in queries.deliveries(conn, post_id)]
    _assert_once(network, stored)


def _last_error(env: dict[str, str], post_id: int) -> str | None:
    with Store.open(env["HUBBUB_DATABASE_URL"], migrate=False) as store, store.connect() as conn:
        post = queries.get_post(conn, post_id)
    return None if post is None else post.last_error


def _assert_once(network: Network, stored: list[str]) -> None:
    """Exactly the two parts on the network, the second answering the first, the image
    (with its alt text) on the first; they are the posts the database recorded."""
    fake = network.fake
    if network.name == "x":
        mine = fake.tweets[CORPUS:]  # every post made since the fake started
        assert [t["text"].split(" https://t.co/")[0] for t in mine] == [FIRST, SECOND]
        assert [t["id"] for t in mine] == stored and all(t["author_id"] == ME for t in mine)
        assert mine[1]["referenced_tweets"] == [{"type": "replied_to", "id": mine[0]["id"]}]
        [media_id] = fake.posted[0]["media"]["media_ids"]
        assert fake.media[media_id]["alt"] == ALT and len(fake.media) == 1
    elif network.name == "mastodon":
        first, second = fake.published
        assert [first["id"], second["id"]] == stored
        assert second["in_reply_to_id"] == first["id"]
        [image] = first["media_attachments"]
        assert image["description"] == ALT and len(fake.media) == 1
        assert "Rye is back" in first["content"] and "Spelt too" in second["content"]
    else:
        assert list(fake.records) == stored
        first, second = (fake.records[uri] for uri in stored)
        assert (first["text"], second["text"]) == (FIRST, SECOND)
        assert second["reply"]["parent"]["uri"] == stored[0]
        [image] = first["embed"]["images"]
        assert image["alt"] == ALT and image["aspectRatio"]["width"] == 120
        assert len(fake.blobs) == 1
    print(json.dumps({"network": network.name, "posts": stored}))
