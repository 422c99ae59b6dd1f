"""X account archives: the ZIP's tweets.js streamed element by element and mapped to posts."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from hubbub.sources.files import LineError
from hubbub.sources.xarchive import (
    archive_account,
    iter_js_array,
    tweet_members,
    x_archive_post,
)

ACCOUNT = {
    "account": {
        "email": "owner@example.com",
        "username": "larkspurbakes",
        "accountId": "99",
        "createdAt": "2015-04-01T10:00:00.000Z",
        "accountDisplayName": "Larkspur Bakery",
    }
}
PROFILE = {
    "profile": {
        "description": {"bio": "Bread.", "website": "https://l.example", "location": "Asheville"}
    }
}


def tweet(i: int, **extra: Any) -> dict[str, Any]:
    body = {
        "id_str": str(1000 + i),
        "id": str(1000 + i),
        "full_text": f"@avleats thanks! fresh #sourdough {i} https://t.co/x",
        "created_at": "Wed Oct 10 20:19:24 +0000 2018",
        "lang": "en",
        "favorite_count": "3",
        "retweet_count": "1",
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "in_reply_to_status_id_str": "555",
        "in_reply_to_screen_name": "avleats",
        "entities": {
            "hashtags": [{"text": "sourdough", "indices": ["23", "33"]}],
            "symbols": [],
            "user_mentions": [{"screen_name": "avleats", "indices": ["0", "8"], "id_str": "7"}],
            "urls": [
                {
                    "url": "https://t.co/x",
                    "expanded_url": "https://l.example/bread",
                    "indices": [f"{36 + len(str(i))}", f"{50 + len(str(i))}"],
                }
            ],
        },
        "extended_entities": {"media": [{"type": "photo", "media_url_https": "https://p/1.jpg"}]},
    }
    body.update(extra)
    return {"tweet": body}


def js(name: str, items: list[Any]) -> str:
    """The archive's format: a JS assignment of a pretty-printed array."""
    return f"window.YTD.{name}.part0 = " + json.dumps(items, indent=2).replace(": ", " : ")


def make_archive(path: Path, tweets: list[Any], *, raw_tweets: str | None = None) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/account.js", js("account", [ACCOUNT]))
        z.writestr("data/profile.js", js("profile", [PROFILE]))
        z.writestr("data/tweets.js", raw_tweets if raw_tweets is not None else js("tweets", tweets))
        z.writestr("data/like.js", js("like", []))
    return path


def test_tweets_map_to_posts_of_the_archive_owner(tmp_path: Path) -> None:
    path = make_archive(tmp_path / "a.zip", [tweet(1)])
    with zipfile.ZipFile(path) as z:
        assert tweet_members(z) == ["data/tweets.js"]
        owner = archive_account(z)
        ((line, element),) = list(iter_js_array(z.open("data/tweets.js")))
    assert (owner.id, owner.handle, owner.name, owner.bio, owner.location) == (
        "99",
        "larkspurbakes",
        "Larkspur Bakery",
        "Bread.",
        "Asheville",
    )
    assert owner.created == datetime(2015, 4, 1, 10, tzinfo=UTC)
    assert line == 2
    post = x_archive_post(element, owner)
    assert (post.network, post.id, post.author) == ("x", "1001", owner)
    assert post.created == datetime(2018, 10, 10, 20, 19, 24, tzinfo=UTC)
    assert post.url == "https://x.com/larkspurbakes/status/1001"
    assert (post.reply_to, post.reply_to_handle, post.post_type) == ("555", "avleats", "reply")
    assert post.entities is not None
    assert [(s.text, s.start, s.end) for s in post.entities.hashtags] == [("sourdough", 23, 33)]
    assert post.entities.urls[0].text == "https://l.example/bread"
    assert post.entities.reply == "avleats"
    assert (post.metrics.likes, post.metrics.reposts) == (3, 1)
    assert post.client == "Twitter Web App"
    assert [(m.kind, m.url) for m in post.media] == [("photo", "https://p/1.jpg")]
    assert "email" not in json.dumps(post.raw)


def test_the_array_streams_in_small_chunks_with_line_numbers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import hubbub.sources.xarchive as xa

    monkeypatch.setattr(xa, "_CHUNK", 7)  # every element spans many reads
    text = js("tweets", [tweet(i) for i in range(30)])
    got = list(iter_js_array(io.BytesIO(text.encode())))
    assert [e["tweet"]["id_str"] for _, e in got] == [str(1000 + i) for i in range(30)]
    starts = [n + 1 for n, line in enumerate(text.splitlines()) if line == "  {"]
    assert [line for line, _ in got] == starts


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'window.YTD.tweets.part0 = [\n  {"tweet": {}},\n  {"tweet": {"id_str": "1",\n',
            r"^4: not JSON",
        ),
        ('window.YTD.tweets.part0 = [\n  {"tweet": {}},\n  {bad}\n]', r"^3: not JSON"),
        ('window.YTD.tweets.part0 = [\n  {"tweet": {}}\n', r"^3: the array is cut short"),
        ("window.YTD.tweets.part0 = ", r"^1: no array found"),
    ],
)
def test_a_broken_array_names_its_line(text: str, message: str) -> None:
    with pytest.raises(LineError, match=message):
        list(iter_js_array(io.BytesIO(text.encode())))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id_str": None, "id": None}, "tweet has no id_str"),
        ({"full_text": None}, "tweet 1001: full_text is missing"),
        ({"created_at": "2018-10-10"}, "tweet 1001: created_at '2018-10-10' is not like"),
    ],
)
def test_a_bad_tweet_names_its_field(change: dict[str, Any], message: str) -> None:
    element = tweet(1)
    for key, value in change.items():
        if value is None:
            del element["tweet"][key]
        else:
            element["tweet"][key] = value
    owner = archive_account_of_fixture()
    with pytest.raises(LineError, match=message):
        x_archive_post(element, owner)


def archive_account_of_fixture() -> Any:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data/account.js", js("account", [ACCOUNT]))
    with zipfile.ZipFile(buf) as z:
        return archive_account(z)


def test_an_archive_without_an_owner_is_refused() -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data/account.js", js("account", [{"account": {"email": "x@y"}}]))
    with zipfile.ZipFile(buf) as z, pytest.raises(LineError, match="no accountId or username"):
        archive_account(z)
