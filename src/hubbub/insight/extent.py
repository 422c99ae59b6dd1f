"""To what extent: how far the post went.

Reach is the author's followers (0 where the network does not say, since the
dashboard sums it); engagement adds the public counts the network gave,
skipping those it did not (None), and impressions stay None unless given.
"""

from __future__ import annotations

from hubbub.model import Extent, Post

__all__ = ["extent"]


def extent(post: Post) -> Extent:
    m = post.metrics
    counts = (m.likes, m.reposts, m.replies, m.quotes)
    return Extent(
        reach=post.author.followers or 0,
        engagement=sum(c for c in counts if c is not None),
        impressions=m.impressions,
    )
