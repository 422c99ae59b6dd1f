"""twitter-text's extract.yml, every case (../shared/data; skips where absent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hubbub.text import extract as ex
from tests.text._conformance import cases

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("case", cases("extract.yml", "mentions"))
def test_mentions(shared_data: Path, case: dict[str, Any]) -> None:
    assert ex.extract_mentioned_screen_names(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "mentions_with_indices"))
def test_mentions_with_indices(shared_data: Path, case: dict[str, Any]) -> None:
    got = [
        {"screen_name": e.value, "indices": [e.start, e.end]}
        for e in ex.extract_mentioned_screen_names_with_indices(case["text"])
    ]
    assert got == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "mentions_or_lists_with_indices"))
def test_mentions_or_lists_with_indices(shared_data: Path, case: dict[str, Any]) -> None:
    got = [
        {"screen_name": e.value, "list_slug": e.list_slug, "indices": [e.start, e.end]}
        for e in ex.extract_mentions_or_lists_with_indices(case["text"])
    ]
    assert got == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "replies"))
def test_replies(shared_data: Path, case: dict[str, Any]) -> None:
    assert ex.extract_reply_screen_name(case["text"]) == case["expected"]


@pytest.mark.parametrize(
    "case",
    cases("extract.yml", "urls")
    + cases("extract.yml", "urls_with_directional_markers")
    + cases("extract.yml", "tco_urls_with_params"),
)
def test_urls(shared_data: Path, case: dict[str, Any]) -> None:
    expected = case["expected"]
    if expected and isinstance(expected[0], dict):
        got: list[Any] = [
            {"url": e.value, "indices": [e.start, e.end]}
            for e in ex.extract_urls_with_indices(case["text"])
        ]
    else:
        got = ex.extract_urls(case["text"])
    assert got == expected


@pytest.mark.parametrize("case", cases("extract.yml", "urls_with_indices"))
def test_urls_with_indices(shared_data: Path, case: dict[str, Any]) -> None:
    got = [
        {"url": e.value, "indices": [e.start, e.end]}
        for e in ex.extract_urls_with_indices(case["text"])
    ]
    assert got == case["expected"]


@pytest.mark.parametrize(
    "case", cases("extract.yml", "hashtags") + cases("extract.yml", "hashtags_from_astral")
)
def test_hashtags(shared_data: Path, case: dict[str, Any]) -> None:
    assert ex.extract_hashtags(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "hashtags_with_indices"))
def test_hashtags_with_indices(shared_data: Path, case: dict[str, Any]) -> None:
    got = [
        {"hashtag": e.value, "indices": [e.start, e.end]}
        for e in ex.extract_hashtags_with_indices(case["text"])
    ]
    assert got == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "cashtags"))
def test_cashtags(shared_data: Path, case: dict[str, Any]) -> None:
    assert ex.extract_cashtags(case["text"]) == case["expected"]


@pytest.mark.parametrize("case", cases("extract.yml", "cashtags_with_indices"))
def test_cashtags_with_indices(shared_data: Path, case: dict[str, Any]) -> None:
    got = [
        {"cashtag": e.value, "indices": [e.start, e.end]}
        for e in ex.extract_cashtags_with_indices(case["text"])
    ]
    assert got == case["expected"]
