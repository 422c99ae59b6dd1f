"""File imports: X API v2 pages and flattened tweets, hubbub JSON Lines, errors, resuming."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from hubbub import codec
from hubbub.model import Post
from hubbub.sources.base import Source, SourceError
from hubbub.sources.files import FileSource

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
PAGES = FIXTURES / "x_v2_pages.jsonl"
FLAT = FIXTURES / "x_v2_flat.jsonl"
BROKEN = FIXTURES / "x_v2_broken.jsonl"


def _posts(source: FileSource, cursor: str | None = None) -> list[Post]:
    return [p for batch in source.batches(cursor) for p in batch.posts]


def test_response_pages_map_every_field() -> None:
    source = FileSource([PAGES])
    assert isinstance(source, Source)
    posts = {p.id: p for p in _posts(source)}
    assert source.errors == []
    assert len(posts) == 5  # 3 + 2 tweets; the empty page holds none
    first = posts["1720000000000000101"]
    assert first.url == "https://x.com/ashevilleeats/status/1720000000000000101"
    assert first.created == datetime(2024, 11, 2, 14, 5, 33, tzinfo=UTC)
    assert first.language == "en" and first.client == "Twitter for iPhone"
    assert first.author.followers == 2841 and first.author.listed == 37
    assert first.author.url == "https://ashevilleeats.blog"  # expanded, not t.co
    assert first.author.default_avatar is False
    assert (first.metrics.likes, first.metrics.impressions) == (37, 1893)
    assert first.place is not None and first.place.full_name == "Asheville, NC"
    assert first.place.latitude == pytest.approx((35.421 + 35.681) / 2)  # bbox centre
    assert first.media[0].kind == "photo" and first.media[0].alt.startswith("A tray")
    assert first.entities is not None
    assert first.entities.urls[0].text == "https://larkspurbakery.com/menu"
    assert first.raw is not None and first.raw["includes"]["places"][0]["id"] == "3f6b5fa4ff0c1a2b"
    assert first.provenance is not None and first.provenance.line == 1
    assert first.provenance.source == "file:x_v2_pages.jsonl"

    reply = posts["1720000000000000102"]
    assert reply.post_type == "reply" and reply.reply_to == "1720000000000000101"
    assert reply.reply_to_handle == "ashevilleeats"
    assert reply.entities is not None and reply.entities.reply == "ashevilleeats"
    quote = posts["1720000000000000103"]
    assert quote.quote_of == "1720000000000000101" and quote.author.default_avatar is True
    assert quote.place is not None and quote.place.longitude == -82.5541  # exact point
    assert posts["1720000000000000104"].repost_of == "1720000000000000101"
    long = posts["1720000000000000105"]
    assert long.text.endswith("Thank you Larkspur Bakery.") and len(long.text) > 280
    assert long.provenance is not None and long.provenance.line == 2


def test_flattened_tweets_give_the_same_posts_as_pages() -> None:
    pages = {p.id: p for p in _posts(FileSource([PAGES]))}
    for post in _posts(FileSource([FLAT])):
        twin = pages[post.id]
        for field in (
            "text",
            "created",
            "author",
            "reply_to",
            "reply_to_handle",
            "quote_of",
            "place",
            "media",
            "metrics",
            "entities",
            "client",
        ):
            assert getattr(post, field) == getattr(twin, field), field


def test_broken_lines_are_errors_with_line_numbers_and_good_lines_still_come() -> None:
    source = FileSource([BROKEN])
    posts = _posts(source)
    assert [p.provenance.line for p in posts if p.provenance] == [1, 3, 5]
    assert [e.split(": ")[0] for e in source.errors] == [f"{BROKEN}:2", f"{BROKEN}:4"]
    assert "not JSON" in source.errors[0] and "unrecognised" in source.errors[1]


def test_missing_fields_in_a_page_fail_only_that_tweet(tmp_path: Path) -> None:
    page = json.loads(PAGES.read_text().splitlines()[0])
    del page["data"][1]["created_at"]
    page["data"][2]["author_id"] = "404"
    path = tmp_path / "page.jsonl"
    path.write_text(json.dumps(page) + "\n")
    source = FileSource([path])
    assert [p.id for p in _posts(source)] == ["1720000000000000101"]
    assert source.errors == [
        f"{path}:1: tweet 1720000000000000102: created_at is missing",
        f"{path}:1: tweet 1720000000000000103: author 404 is not in includes.users",
    ]


def test_hubbub_json_lines_and_gzip_round_trip(tmp_path: Path) -> None:
    originals = _posts(FileSource([PAGES]))
    path = tmp_path / "posts.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        for post in originals:
            fh.write(json.dumps(codec.to_dict(post)) + "\n")
    again = _posts(FileSource([path]))
    assert [(p.key, p.text, p.author, p.metrics) for p in again] == [
        (p.key, p.text, p.author, p.metrics) for p in originals
    ]
    assert again[0].provenance is not None and again[0].provenance.source == "file:posts.jsonl.gz"


def test_cursor_resumes_after_the_last_line_of_a_batch(tmp_path: Path) -> None:
    source = FileSource([PAGES, FLAT], batch_size=2)
    batches = list(source.batches())
    cursors = [b.cursor for b in batches]
    assert cursors[0] == f"{PAGES.resolve()}:1"  # the first page alone has 3 posts
    assert cursors[-1] == f"{FLAT.resolve()}:3"
    resumed = FileSource([PAGES, FLAT], batch_size=2)
    rest = _posts(resumed, cursors[0])
    assert [p.id for p in rest] == [p.id for b in batches[1:] for p in b.posts]
    assert _posts(FileSource([PAGES, FLAT]), cursors[-1]) == []
    assert len(_posts(FileSource([PAGES, FLAT], from_start=True), cursors[-1])) == 8
    assert len(_posts(FileSource([FLAT]), "/elsewhere/other.jsonl:9")) == 3  # not ours


def test_missing_file_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="no such file"):
        list(FileSource([tmp_path / "nope.jsonl"]).batches())
