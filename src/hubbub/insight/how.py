"""How: through what network, client and post type, with media or not, in what language.

All read straight off the normalised post; kept as its own module so every
question of the 5W+H+E has one place to grow (e.g. client-app families).
"""

from __future__ import annotations

from hubbub.model import How, Post

__all__ = ["how"]


def how(post: Post) -> How:
    return How(
        network=post.network,
        client=post.client,
        post_type=post.post_type,
        has_media=any(m.kind != "link_card" for m in post.media),
        language=post.language,
    )
