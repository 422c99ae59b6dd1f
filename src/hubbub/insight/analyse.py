"""One post's whole insight: each question's module, composed.

Pure: the same post, workspace and matched terms always give the same Insight.
"""

from __future__ import annotations

from collections.abc import Sequence

from hubbub.insight.extent import extent
from hubbub.insight.how import how
from hubbub.insight.intent import intents
from hubbub.insight.sentiment import sentiment
from hubbub.insight.what import what
from hubbub.insight.when import when
from hubbub.insight.where import where
from hubbub.insight.who import who
from hubbub.model import Insight, Post, Sentiment, Why, Workspace

__all__ = ["analyse"]


def analyse(
    post: Post, workspace: Workspace, terms: Sequence[str] = (), feeling: Sentiment | None = None
) -> Insight:
    """The 5W+H+E and sentiment of ``post`` for ``workspace``; ``terms`` the streams' matches.

    ``feeling``: the post's sentiment where the caller scored a whole batch at once
    (:func:`~hubbub.insight.sentiment.sentiments`, faster per post); else scored here.
    """
    return Insight(
        who=who(post, workspace),
        what=what(post, workspace, terms),
        when=when(post.created, workspace.timezone),
        where=where(post, workspace.locale),
        why=Why(intents(post.text, post.entities)),
        how=how(post),
        extent=extent(post),
        sentiment=sentiment(post.text) if feeling is None else feeling,
    )
