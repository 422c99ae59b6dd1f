"""Small builders of posts for the query, insight and pipeline tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hubbub.model import Account, Metrics, Place, Post
from hubbub.text import extract_entities

__all__ = ["make_post"]

T0 = datetime(2026, 3, 2, 15, 30, tzinfo=UTC)


def make_post(
    text: str,
    *,
    handle: str = "someone",
    network: str = "x",
    id: str = "1",
    account: dict[str, Any] | None = None,
    metrics: Metrics | None = None,
    place: Place | None = None,
    entities: bool = True,
    **kw: Any,
) -> Post:
    """A post with ``text``; entities extracted unless ``entities=False``."""
    author = Account(network=network, id="a-" + handle, handle=handle, **(account or {}))
    post = Post(
        network=network,
        id=id,
        author=author,
        text=text,
        created=kw.pop("created", T0),
        metrics=metrics or Metrics(),
        place=place,
        **kw,
    )
    if entities:
        post.entities = extract_entities(text)
    return post
