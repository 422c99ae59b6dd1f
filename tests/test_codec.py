"""The codec: every model dataclass survives a trip to JSON and back."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from hubbub import codec
from hubbub.model import (
    Account,
    Entities,
    How,
    Insight,
    Media,
    Mention,
    Metrics,
    Place,
    Post,
    Provenance,
    Sentiment,
    Span,
    Where,
    Who,
    Why,
)


def _mention() -> Mention:
    author = Account(
        "x", "42", "ann", name="Ann", followers=120, created=datetime(2020, 1, 2, tzinfo=UTC)
    )
    post = Post(
        network="x",
        id="1001",
        author=author,
        text="Love the #sourdough at @larkspurbakes 🍞",
        created=datetime(2026, 11, 1, 8, 30, tzinfo=UTC),
        language="en",
        reply_to="999",
        entities=Entities(
            hashtags=(Span("sourdough", 9, 19),), mentions=(Span("larkspurbakes", 23, 37),)
        ),
        metrics=Metrics(likes=3, reposts=None),
        place=Place("Asheville", "Asheville, NC", "US", 35.6, -82.55),
        media=(Media("photo", "https://example.com/a.jpg", "a loaf"),),
        raw={"id": "1001", "nested": [1, {"a": None}]},
        provenance=Provenance("file:t.jsonl", "/tmp/t.jsonl", datetime(2026, 11, 2, tzinfo=UTC), 7),
    )
    insight = Insight(
        who=Who("ann", 120, 0.9, "customer"),
        where=Where("Asheville", 35.6, -82.55, True, 1.2),
        why=Why(("praise",)),
        how=How("x", "Twitter for iPhone", "reply", True, "en"),
        sentiment=Sentiment("positive", 0.8),
    )
    return Mention("larkspur", post, ("Larkspur Bakery", "Industry"), insight)


def test_round_trip_through_json_text() -> None:
    mention = _mention()
    text = json.dumps(codec.to_dict(mention))
    assert codec.from_dict(Mention, json.loads(text)) == mention


def test_datetimes_are_iso_with_offset_and_come_back_in_utc() -> None:
    data = codec.to_dict(_mention())
    assert data["post"]["created"] == "2026-11-01T08:30:00+00:00"
    data["post"]["created"] = "2026-11-01T03:30:00-05:00"
    back = codec.from_dict(Mention, data)
    assert back.post.created == datetime(2026, 11, 1, 8, 30, tzinfo=UTC)
    assert back.post.created.utcoffset() == timedelta(0)
    data["post"]["created"] = "2026-11-01T08:30:00Z"
    assert codec.from_dict(Mention, data).post.created.tzinfo is not None


def test_numbers_as_ids_are_accepted_as_text() -> None:
    data = codec.to_dict(_mention())
    data["post"]["id"] = 1001
    assert codec.from_dict(Mention, data).post.id == "1001"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d["post"].pop("text"), "Mention.post.text: missing"),
        (
            lambda d: d["post"].update(created="yesterday"),
            "Mention.post.created: 'yesterday'",
        ),
        (lambda d: d["post"]["author"].update(followers="many"), "Mention.post.author.followers"),
        (
            lambda d: d["insight"]["sentiment"].update(label="meh"),
            "Mention.insight.sentiment.label: 'meh' is not one of negative",
        ),
        (lambda d: d.update(streams="brand"), "Mention.streams: expected a list"),
    ],
)
def test_errors_name_the_field(change: object, message: str) -> None:
    data = codec.to_dict(_mention())
    change(data)  # type: ignore[operator]
    with pytest.raises(codec.CodecError, match="^" + message.replace("(", r"\(")):
        codec.from_dict(Mention, data)


def test_parse_datetime_takes_naive_as_utc() -> None:
    assert codec.parse_datetime("2026-01-01T00:00:00") == datetime(2026, 1, 1, tzinfo=UTC)
    east = codec.parse_datetime("2026-01-01T09:00:00+09:00")
    assert east == datetime(2026, 1, 1, 0, 0, tzinfo=UTC)
