"""Traffic: people who followed the business's tracked links to its website.

Over [start, end):

- ``clicks``: clicks on the workspace's tracked links (``/l/CODE``; robots are never
  recorded, see :mod:`hubbub.publish.links`); ``clicks_<network>``: those whose
  referrer was that network (``clicks_direct``: no referrer, e.g. an app);
- ``posts_published``: posts hubbub published (by their scheduled time);
  ``clicks_per_post``: clicks over those posts (0 without posts).

The headline is the clicks.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from hubbub.goals.common import Measured
from hubbub.model import Goal
from hubbub.store import publish as publish_queries
from hubbub.store.goal_rows import click_times

__all__ = ["measured", "traffic"]


def measured(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Measured:
    counts = publish_queries.click_counts(conn, workspace_id, start, end)
    posts = publish_queries.published_count(conn, workspace_id, start, end)
    total = sum(counts.values())
    figures: dict[str, float] = {
        "clicks": float(total),
        "posts_published": float(posts),
        "clicks_per_post": total / posts if posts else 0.0,
    }
    for network, n in sorted(counts.items(), key=lambda kv: kv[0] or ""):
        figures[f"clicks_{network or 'direct'}"] = float(n)
    points = [(t, 1.0) for t in click_times(conn, workspace_id, start, end)]
    return Measured(Goal("traffic", figures), points)


def traffic(conn: Connection, workspace_id: int, start: datetime, end: datetime) -> Goal:
    """The traffic figures over [start, end) (see the module docstring)."""
    return measured(conn, workspace_id, start, end).goal
