"""What it is about: the post's entities, the workspace's products it names, key phrases.

Key phrases use the RAKE idea (Rose et al., 2010) in a few lines rather than a
keyword-extraction library: split the text at punctuation and stop words, keep
runs of 1-3 content words, score each by the sum of its words' degree/frequency
and keep the best three. It needs no model and is deterministic, which is what a
"what are people saying" list on a small dashboard wants.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import regex

from hubbub.model import Entities, Post, Span, What, Workspace
from hubbub.query.tokens import tokenize

__all__ = ["STOPWORDS", "key_phrases", "products_named", "what"]

STOPWORDS: frozenset[str] = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can can't cannot could couldn't did didn't do does
    doesn't doing don't down during each few for from further get got had hadn't has hasn't
    have haven't having he her here hers herself him himself his how i i'm if in into is isn't
    it it's its itself just let's like me more most much my myself no nor not now of off on
    once only or other ought our ours ourselves out over own really rt same she should shouldn't
    so some such than that that's the their theirs them themselves then there there's these
    they they're this those through to too under until up us very via was wasn't we we're were
    weren't what what's when where which while who whom why will with won't would wouldn't you
    you're your yours yourself yourselves amp today im gonna one also still even""".split()  # noqa: SIM905
)

# Clauses end at punctuation other than in-word apostrophes and hyphens.
_CLAUSE = regex.compile(r"[^\p{L}\p{M}\p{N}_'\u2019\-\s]+|\s-\s")
_WORD = regex.compile(r"[\p{L}\p{M}\p{N}_]+(?:['\u2019\-][\p{L}\p{N}]+)*")
# The same two on ASCII text with the standard ``re`` (twice as fast): the letter, mark and
# number classes are their ASCII members there, and the regex module's \s is these six.
_ASCII_CLAUSE = re.compile(r"[^A-Za-z0-9_'\-\t\n\v\f\r ]+|[\t\n\v\f\r ]-[\t\n\v\f\r ]")
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+(?:['\-][A-Za-z0-9]+)*")
# Fediverse handles (user@instance), which twitter-text does not take as mentions.
_HANDLE = regex.compile(r"@[\w.\-]+@[\w.\-]+")


_Product = tuple[str, tuple[str, ...], str]  # (product, its words, its hashtag form or "")


@lru_cache(maxsize=64)
def _product_words(products: tuple[str, ...]) -> tuple[tuple[_Product, ...], frozenset[str]]:
    """Each product's words and hashtag form; and every word a product could start with."""
    named: list[_Product] = []
    for p in products:
        words = tuple(tokenize(p))
        named.append((p, words, "".join(words) if len(words) > 1 else ""))
    starts = frozenset(w for _, words, tag in named for w in (words[:1] + ((tag,) if tag else ())))
    return tuple(named), starts


def products_named(tokens: Sequence[str], products: Sequence[str]) -> tuple[str, ...]:
    """The workspace products whose words occur as a run in ``tokens`` (also as hashtags)."""
    named, starts = _product_words(products if isinstance(products, tuple) else tuple(products))
    present = frozenset(tokens)
    if starts.isdisjoint(present):  # most posts name no product: one set operation
        return ()
    toks = tuple(tokens)
    found: list[str] = []
    for product, words, tag in named:
        n = len(words)
        as_run = (
            n > 0
            and words[0] in present
            and any(toks[i : i + n] == words for i in range(len(toks) - n + 1))
        )
        if as_run or tag in present:  # #cinnamonroll names "cinnamon roll"
            found.append(product)
    return tuple(found)


def _strip_entities(text: str, entities: Entities | None) -> str:
    if "@" in text:
        text = _HANDLE.sub(lambda m: " " * len(m.group()), text)
    if entities is None:
        return text
    spans = (*entities.urls, *entities.mentions, *entities.hashtags, *entities.cashtags)
    if not spans:
        return text
    chars = list(text)
    for span in spans:
        chars[span.start : span.end] = " " * (span.end - span.start)
    return "".join(chars)


@lru_cache(maxsize=8192)
def key_phrases(text: str, limit: int = 3) -> tuple[str, ...]:
    """Up to ``limit`` RAKE-scored phrases of 1-3 content words, best first.

    Cached: reposts and templated posts repeat texts.
    """
    candidates: list[list[str]] = []
    lowered = text.lower().replace("\u2019", "'")
    clauses, words = (_ASCII_CLAUSE, _ASCII_WORD) if lowered.isascii() else (_CLAUSE, _WORD)
    for clause in clauses.split(lowered):
        run: list[str] = []
        for word in words.findall(clause):
            if word in STOPWORDS or word.isdigit() or len(word) < 2:
                if run:
                    candidates.append(run)
                run = []
            else:
                run.append(word)
                if len(run) == 3:
                    candidates.append(run)
                    run = []
        if run:
            candidates.append(run)
    if not candidates:
        return ()
    freq: dict[str, int] = {}
    degree: dict[str, int] = {}
    for cand in candidates:
        for w in cand:
            freq[w] = freq.get(w, 0) + 1
            degree[w] = degree.get(w, 0) + len(cand)
    ratio = {w: degree[w] / freq[w] for w in freq}
    scored: dict[str, float] = {}
    for cand in candidates:  # 1-3 words, added in order as sum() would
        score = ratio[cand[0]]
        for w in cand[1:]:
            score += ratio[w]
        scored[" ".join(cand)] = score
    ranked = sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(p for p, _ in ranked[:limit])


_NO_ENTITIES = Entities()


def _texts(spans: Sequence[Span]) -> tuple[str, ...]:
    """The spans' texts, each once, in order (most posts have none of a kind)."""
    return tuple(dict.fromkeys([s.text for s in spans])) if spans else ()


def what(
    post: Post,
    workspace: Workspace,
    terms: Sequence[str] = (),
    tokens: Sequence[str] | None = None,
) -> What:
    """``tokens``: ``tokenize(post.text)``, where the caller already has them."""
    ents = post.entities or _NO_ENTITIES
    return What(
        hashtags=_texts(ents.hashtags),
        mentions=_texts(ents.mentions),
        urls=_texts(ents.urls),
        cashtags=_texts(ents.cashtags),
        products=products_named(
            tokenize(post.text) if tokens is None else tokens, workspace.products
        ),
        key_phrases=key_phrases(_strip_entities(post.text, post.entities)),
        matched_terms=tuple(dict.fromkeys(terms)),
    )
