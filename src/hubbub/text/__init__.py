"""hubbub.text: twitter-text for Python (entities, weighted length, autolink).

Why a port and not the ``twitter-text-parser`` package (3.0.0, the only Python
twitter-text on PyPI): it implements ``parse_tweet`` alone, with no mention,
hashtag, cashtag or reply extraction; it imports ``pkg_resources`` (deprecated,
absent from new setuptools); its emoji table stops at Unicode 12; and it manages
roughly 1,300-3,600 ``parse_tweet`` calls a second, where the pipeline needs
tens of thousands. So the reference regular expressions are ported here
(``regexes.py``, from twitter-text, Apache-2.0) onto the standard ``re`` and,
where Unicode properties are needed, the ``regex`` module, with the emoji table
of the ``emoji`` package and fast paths for the common post, and the whole is
checked against twitter-text's conformance suite (tests/text).

Modules: ``extract`` (entities), ``length`` (weighted length, ``parse_tweet``),
``validate`` (single tokens and URLs), ``autolink`` (HTML links, hit highlighting).
"""

from hubbub.text.autolink import LinkOptions, autolink, autolink_with_json, highlight
from hubbub.text.extract import (
    Entity,
    extract_cashtags,
    extract_entities,
    extract_entities_with_indices,
    extract_hashtags,
    extract_mentioned_screen_names,
    extract_reply_screen_name,
    extract_urls,
)
from hubbub.text.length import ParsedTweet, TextConfig, analyze, parse_tweet
from hubbub.text.validate import (
    is_valid_hashtag,
    is_valid_list,
    is_valid_tweet_text,
    is_valid_url,
    is_valid_username,
)

__all__ = [
    "Entity",
    "LinkOptions",
    "ParsedTweet",
    "TextConfig",
    "analyze",
    "autolink",
    "autolink_with_json",
    "extract_cashtags",
    "extract_entities",
    "extract_entities_with_indices",
    "extract_hashtags",
    "extract_mentioned_screen_names",
    "extract_reply_screen_name",
    "extract_urls",
    "highlight",
    "is_valid_hashtag",
    "is_valid_list",
    "is_valid_tweet_text",
    "is_valid_url",
    "is_valid_username",
    "parse_tweet",
]
