"""One post's whole insight: each question's module, composed.

Pure: the same post, workspace and matched terms always give the same Insight.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from hubbub.insight.authenticity import profile_text
from hubbub.insight.extent import extent
from hubbub.insight.gazetteer import resolve
from hubbub.insight.how import how
from hubbub.insight.intent import forget_intents, intents
from hubbub.insight.sentiment import forget_sentiments, model, sentiment
from hubbub.insight.what import key_phrases, what
from hubbub.insight.when import when
from hubbub.insight.where import names_locale, where
from hubbub.insight.who import PastMention, forget_relationships, relationship_from_history, who
from hubbub.model import Insight, Post, Sentiment, Why, Workspace
from hubbub.query.tokens import tokenize

__all__ = ["analyse", "clear_caches"]


def clear_caches() -> None:
    """Forget every memo the insight modules keep of texts, profiles and tokens.

    They are bounded and only ever give the answer they would compute, so nothing
    calls this to stay right: benchmarks do, so that each timed run starts as a
    fresh process would (the models and the gazetteer stay loaded).
    """
    for memo in (key_phrases, names_locale, resolve, profile_text):
        memo.cache_clear()
    forget_sentiments()
    forget_intents()
    model().token_rows.clear()
    forget_relationships()


def analyse(
    post: Post,
    workspace: Workspace,
    terms: Sequence[str] = (),
    feeling: Sentiment | None = None,
    history: Sequence[PastMention] = (),
    tokens: Sequence[str] | None = None,
) -> Insight:
    """The 5W+H+E and sentiment of ``post`` for ``workspace``; ``terms`` the streams' matches.

    ``feeling``: the post's sentiment where the caller scored a whole batch at once
    (:func:`~hubbub.insight.sentiment.sentiments`, faster per post); else scored here.
    ``history``: the author's earlier mentions of the workspace, where the runner
    read them; they can make a ``new`` author a ``customer`` or a ``fan``.
    ``tokens``: ``tokenize(post.text)`` where the caller has them (the pipeline's view of
    a post without links holds them); else tokenised here, once for intents and products.
    """
    feeling = sentiment(post.text) if feeling is None else feeling
    words = tokenize(post.text) if tokens is None else tokens
    why = Why(intents(post.text, post.entities, words))
    author = who(post, workspace)
    if history and author.relationship == "new":
        found = relationship_from_history(
            history, PastMention(post.created, feeling.label, tuple(why.intents))
        )
        if found is not None:
            author = replace(author, relationship=found)
    return Insight(
        who=author,
        what=what(post, workspace, terms, words),
        when=when(post.created, workspace.timezone),
        where=where(post, workspace.locale),
        why=why,
        how=how(post),
        extent=extent(post),
        sentiment=feeling,
    )
