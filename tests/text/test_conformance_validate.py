"""twitter-text's validate.yml, every case (../shared/data; skips where absent)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hubbub.text import validate as v
from hubbub.text.length import parse_tweet
from tests.text._conformance import cases

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("case", cases("validate.yml", "tweets"))
def test_tweets(shared_data: Path, case: dict[str, Any]) -> None:
    # This section predates 280-character posts: twitter-text checks it with
    # its legacy 140-character config, which ships as v1.
    assert v.is_valid_tweet_text(case["text"], "v1") is case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "usernames"))
def test_usernames(shared_data: Path, case: dict[str, Any]) -> None:
    assert v.is_valid_username(case["text"]) is case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "lists"))
def test_lists(shared_data: Path, case: dict[str, Any]) -> None:
    assert v.is_valid_list(case["text"]) is case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "hashtags"))
def test_hashtags(shared_data: Path, case: dict[str, Any]) -> None:
    assert v.is_valid_hashtag(case["text"]) is case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "urls"))
def test_urls(shared_data: Path, case: dict[str, Any]) -> None:
    assert v.is_valid_url(case["text"]) is case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "urls_without_protocol"))
def test_urls_without_protocol(shared_data: Path, case: dict[str, Any]) -> None:
    assert v.is_valid_url(case["text"], require_protocol=False) is case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "WeightedTweetsCounterTest"))
def test_weighted_v2(shared_data: Path, case: dict[str, Any]) -> None:
    assert parse_tweet(case["text"], "v2").as_dict() == case["expected"]


@pytest.mark.parametrize(
    "case", cases("validate.yml", "WeightedTweetsWithDiscountedEmojiCounterTest")
)
def test_weighted_v3_emoji(shared_data: Path, case: dict[str, Any]) -> None:
    assert parse_tweet(case["text"], "v3").as_dict() == case["expected"]


@pytest.mark.parametrize("case", cases("validate.yml", "UnicodeDirectionalMarkerCounterTest"))
@pytest.mark.parametrize("config", ["v2", "v3"])
def test_directional_markers(shared_data: Path, case: dict[str, Any], config: str) -> None:
    assert parse_tweet(case["text"], config).as_dict() == case["expected"]
