"""place:, retweets_of:, conversation_id:, in_reply_to_tweet_id:, the length limits."""

from __future__ import annotations

import pytest

from hubbub.model import Media, Place, Post, Stream
from hubbub.query import SEARCH_MAX_LENGTH, QueryError, compile_streams, parse
from tests.query.util import make_post


def matches(query: str, post: Post) -> bool:
    m = compile_streams([Stream("s", query)])
    got = bool(m.match(post))
    assert got == bool(m.match_all(post))  # compiled and reference agree
    return got


def test_place_matches_words_of_the_place_name_or_its_id() -> None:
    here = make_post("lunch", place=Place(name="Asheville", full_name="Asheville, NC"))
    here.raw = {"geo": {"place_id": "fd70c22040963ac7"}}
    assert matches("place:asheville", here)
    assert matches('place:"asheville nc"', here)
    assert matches("place:fd70c22040963ac7", here)
    assert not matches("place:charlotte", here)
    assert not matches("place:asheville", make_post("asheville lunch"))  # text is not place


def test_retweets_of_uses_the_rt_prefix_or_the_includes() -> None:
    rt = make_post("RT @Maya: fresh bread", repost_of="77")
    assert matches("retweets_of:maya", rt) and matches("retweets_of:@maya", rt)
    assert not matches("retweets_of:sam", rt)
    assert not matches("retweets_of:maya", make_post("RT @maya: fresh bread"))  # not a repost
    included = make_post("fresh bread", repost_of="77")
    included.raw = {
        "data": {},
        "includes": {
            "tweets": [{"id": "77", "author_id": "5"}],
            "users": [{"id": "5", "username": "Sam"}],
        },
    }
    assert matches("retweets_of:sam", included)


def test_conversation_and_reply_ids() -> None:
    root = make_post("root", id="500", conversation_id="500")
    reply = make_post("yes", id="502", conversation_id="500", reply_to="501")
    assert matches("conversation_id:500", root) and matches("conversation_id:500", reply)
    assert matches("in_reply_to_tweet_id:501", reply)
    assert matches("in_reply_to_status_id:501", reply)  # X's older name
    assert not matches("in_reply_to_tweet_id:501", root)
    assert matches("conversation_id:9", make_post("no thread id", id="9"))  # a root's own id


def test_verified_images_cashtags_and_emoji() -> None:
    p = make_post("buying $SBUX 🥐", account={"verified": True}, media=(Media("photo"),))
    assert matches("🥐 is:verified has:images has:cashtags", p)
    assert not matches("🥐 is:verified", make_post("🥐", account={"verified": False}))
    assert not matches("🥐 has:images", make_post("🥐", media=(Media("video"),)))


def test_new_operators_stand_alone_and_check_their_values() -> None:
    for q in ("place:avl", "retweets_of:maya", "conversation_id:1", "in_reply_to_tweet_id:1"):
        parse(q)
    with pytest.raises(QueryError) as err:
        parse("bread conversation_id:not!an id")
    assert err.value.column == len("bread conversation_id:") + 1
    with pytest.raises(QueryError) as err:
        parse("retweets_of:??")
    assert "retweets_of:" in err.value.message


def test_search_limit_is_512_and_stream_limit_1024() -> None:
    q = " OR ".join(f"w{i}" for i in range(100))
    assert SEARCH_MAX_LENGTH < len(q) <= 1024
    parse(q)
    with pytest.raises(QueryError) as err:
        parse(q, max_length=SEARCH_MAX_LENGTH)
    assert err.value.column == SEARCH_MAX_LENGTH + 1 and "512" in err.value.message
    with pytest.raises(QueryError):
        compile_streams([Stream("s", q)], max_length=SEARCH_MAX_LENGTH)
