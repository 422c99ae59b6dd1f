"""twitter-text's autolink.yml and hit_highlighting.yml, every case.

twitter-text leaves the text between entities unescaped and its tests run
without ``rel="nofollow"``; both are options here, set to match. The expected
HTML is compared byte for byte (hubbub emits attributes in the order the
JavaScript implementation does).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hubbub.text import extract as ex
from hubbub.text.autolink import LinkOptions, autolink, autolink_with_json, highlight
from tests.text._conformance import cases

pytestmark = pytest.mark.shared

AS_TWITTER_TEXT = LinkOptions(nofollow=False, escape_text=False)

EXTRACTORS: dict[str, Callable[[str], list[ex.Entity]]] = {
    "usernames": ex.extract_mentions_or_lists_with_indices,
    "lists": ex.extract_mentions_or_lists_with_indices,
    "hashtags": ex.extract_hashtags_with_indices,
    "urls": lambda t: ex.extract_urls_with_indices(t, without_protocol=False),
    "cashtags": ex.extract_cashtags_with_indices,
}


@pytest.mark.parametrize(
    ("section", "case"),
    [
        pytest.param(s, *p.values, id=p.id, marks=p.marks)
        for s in EXTRACTORS
        for p in cases("autolink.yml", s)
    ],
)
def test_autolink_one_kind(shared_data: Path, section: str, case: dict[str, Any]) -> None:
    entities = EXTRACTORS[section](case["text"])
    assert autolink(case["text"], entities, AS_TWITTER_TEXT) == case["expected"]


@pytest.mark.parametrize("case", cases("autolink.yml", "all"))
def test_autolink_all(shared_data: Path, case: dict[str, Any]) -> None:
    assert autolink(case["text"], None, AS_TWITTER_TEXT) == case["expected"]


@pytest.mark.parametrize("case", cases("autolink.yml", "json"))
def test_autolink_json(shared_data: Path, case: dict[str, Any]) -> None:
    got = autolink_with_json(case["text"], json.loads(case["json"]), AS_TWITTER_TEXT)
    assert got == case["expected"]


@pytest.mark.parametrize(
    "case",
    cases("hit_highlighting.yml", "plain_text") + cases("hit_highlighting.yml", "with_links"),
)
def test_hit_highlighting(shared_data: Path, case: dict[str, Any]) -> None:
    assert highlight(case["text"], case["hits"]) == case["expected"]
