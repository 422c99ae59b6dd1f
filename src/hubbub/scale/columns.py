"""Parquet columns for posts (a backfill's input) and mentions (its output).

Parquet is what other tools (DuckDB, pandas, Spark) read, so both schemas are
flat: one column per scalar field of the vocabulary, named by its dotted path with
``_`` (``author.handle`` -> ``author_handle``, ``insight.who.followers`` ->
``who_followers``). Lists of words (hashtags, streams, intents) are list<string>
columns; the nested, variable parts of a post (entities, media, raw) are JSON text,
since flattening them would need a column per entity. Datetimes are UTC
timestamps, except an insight's ``when_local_time``, which keeps its workspace's
offset as ISO 8601 text. docs/scale.md lists every column.

Posts schema (input): ``network, id, text, created, language, url, reply_to,
reply_to_handle, quote_of, repost_of, conversation_id, client``; ``author_*`` (every
:class:`~hubbub.model.Account` field); ``metrics_*``; ``place_*`` (all null when the
post has no place); ``entities, media, raw`` (JSON text or null).

Mentions schema (output): ``workspace, network, id, created, author_id,
author_handle, text, url, streams`` then one column per insight field,
``<question>_<field>`` (who_, what_, when_, where_, why_, how_, extent_,
sentiment_).

The columns are derived from the dataclasses' type hints, so a field added to the
model appears here without an edit. pyarrow has no type stubs; it is imported
untyped.
"""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import datetime
from functools import cache
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]

from hubbub import codec, model
from hubbub.model import Account, Insight, Mention, Metrics, Place, Post

__all__ = [
    "INSIGHT_SECTIONS",
    "insight_columns",
    "mention_record",
    "mentions_schema",
    "post_record",
    "posts_schema",
    "posts_table",
    "unflatten_post",
]

INSIGHT_SECTIONS: tuple[str, ...] = tuple(f.name for f in dataclasses.fields(Insight))
_POST_SCALARS = (
    "network",
    "id",
    "text",
    "created",
    "language",
    "url",
    "reply_to",
    "reply_to_handle",
    "quote_of",
    "repost_of",
    "conversation_id",
    "client",
)
_GROUPS: tuple[tuple[str, type], ...] = (
    ("author", Account),
    ("metrics", Metrics),
    ("place", Place),
)
_JSON_FIELDS = ("entities", "media", "raw")
_UTC_TS = pa.timestamp("us", tz="UTC")


def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls, vars(model))


def _arrow_type(hint: Any, *, local_time: bool = False) -> Any:
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _arrow_type(inner[0], local_time=local_time)
    if typing.get_origin(hint) is typing.Literal:
        return pa.string()
    if typing.get_origin(hint) in (tuple, list):
        return pa.list_(pa.string())
    if hint is datetime:
        return pa.string() if local_time else _UTC_TS
    return {str: pa.string(), int: pa.int64(), float: pa.float64(), bool: pa.bool_()}[hint]


@cache
def posts_schema() -> Any:
    """The flat Parquet schema of posts (see the module docstring)."""
    hints = _hints(Post)
    fields = [pa.field(n, _arrow_type(hints[n])) for n in _POST_SCALARS]
    for prefix, cls in _GROUPS:
        sub = _hints(cls)
        fields += [
            pa.field(f"{prefix}_{f.name}", _arrow_type(sub[f.name]))
            for f in dataclasses.fields(cls)
        ]
    fields += [pa.field(n, pa.string()) for n in _JSON_FIELDS]
    return pa.schema(fields)


def post_record(post: Post) -> dict[str, Any]:
    """One post as a row of :func:`posts_schema`."""
    row: dict[str, Any] = {n: getattr(post, n) for n in _POST_SCALARS}
    for prefix, cls in _GROUPS:
        value = getattr(post, prefix)
        for f in dataclasses.fields(cls):
            row[f"{prefix}_{f.name}"] = None if value is None else getattr(value, f.name)
    for name in _JSON_FIELDS:
        value = getattr(post, name)
        empty = value is None or (name == "media" and not value)
        row[name] = None if empty else json.dumps(codec.to_dict(value), ensure_ascii=False)
    return row


def posts_table(posts: list[Post]) -> Any:
    """Posts as a :class:`pyarrow.Table` of :func:`posts_schema` (to write a Parquet archive)."""
    return pa.Table.from_pylist([post_record(p) for p in posts], schema=posts_schema())


def unflatten_post(row: dict[str, Any]) -> dict[str, Any]:
    """A posts-schema row as a hubbub post dict (what ``hubbub import`` reads).

    Raises ``ValueError`` when a JSON column holds something that is not JSON.
    """
    obj: dict[str, Any] = {n: row[n] for n in _POST_SCALARS if row.get(n) is not None}
    for prefix, cls in _GROUPS:
        part = {
            f.name: row[f"{prefix}_{f.name}"]
            for f in dataclasses.fields(cls)
            if row.get(f"{prefix}_{f.name}") is not None
        }
        if part:
            obj[prefix] = part
    for name in _JSON_FIELDS:
        text = row.get(name)
        if text is not None:
            try:
                obj[name] = json.loads(text)
            except json.JSONDecodeError as exc:
                raise ValueError(f"column {name}: not JSON: {exc.msg}") from None
    return obj


@cache
def _insight_fields() -> tuple[tuple[str, str, Any], ...]:
    """``(section, field, arrow type)`` for every field of every insight section."""
    out = []
    sections = _hints(Insight)
    for section in INSIGHT_SECTIONS:
        cls = sections[section]
        sub = _hints(cls)
        for f in dataclasses.fields(cls):
            kind = _arrow_type(sub[f.name], local_time=(section, f.name) == ("when", "local_time"))
            out.append((section, f.name, kind))
    return tuple(out)


@cache
def mentions_schema() -> Any:
    """The flat Parquet schema of mentions (see the module docstring)."""
    head = [
        pa.field("workspace", pa.string()),
        pa.field("network", pa.string()),
        pa.field("id", pa.string()),
        pa.field("created", _UTC_TS),
        pa.field("author_id", pa.string()),
        pa.field("author_handle", pa.string()),
        pa.field("text", pa.string()),
        pa.field("url", pa.string()),
        pa.field("streams", pa.list_(pa.string())),
    ]
    return pa.schema(head + [pa.field(f"{s}_{n}", t) for s, n, t in _insight_fields()])


def insight_columns(insight: Insight) -> dict[str, Any]:
    """An insight as ``{<section>_<field>: value}`` (tuples as lists, local time as ISO)."""
    row: dict[str, Any] = {}
    for section, name, _ in _insight_fields():
        value = getattr(getattr(insight, section), name)
        if isinstance(value, tuple):
            value = list(value)
        elif isinstance(value, datetime):
            value = value.isoformat()
        row[f"{section}_{name}"] = value
    return row


def mention_record(mention: Mention) -> dict[str, Any]:
    """One mention as a row of :func:`mentions_schema`."""
    post = mention.post
    return {
        "workspace": mention.workspace,
        "network": post.network,
        "id": post.id,
        "created": post.created,
        "author_id": post.author.id,
        "author_handle": post.author.handle,
        "text": post.text,
        "url": post.url,
        "streams": list(mention.streams),
        **insight_columns(mention.insight),
    }
