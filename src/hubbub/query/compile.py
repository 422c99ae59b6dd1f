"""A query's tree as one Python function: the matcher's exact test, without walking the tree.

Walking the tree (:func:`hubbub.query.evaluate.evaluate`) costs an ``isinstance``
chain and a call per node; at thousands of rules and tens of thousands of posts
a second that is most of the time. So each tree is turned into the source of a
single boolean expression over the post's view (``'bread' in T or ('avl' in H
and not p.repost_of)``) and compiled once with :func:`compile`. Every literal
goes in through ``repr`` of a ``str``, ``float`` or ``int`` the parser produced,
so the generated code can hold nothing but those constants and the view's own
attributes. Matched terms (for highlighting) are collected by small closures,
run only for the rules that matched.

The generated tests mirror :mod:`hubbub.query.evaluate` leaf by leaf; the
property tests (tests/query/test_property.py) hold the two to the same answers.
"""

from __future__ import annotations

from collections.abc import Callable

from hubbub.query.ast import (
    And,
    BoundingBox,
    Cashtag,
    ConversationId,
    From,
    Has,
    Hashtag,
    InReplyTo,
    Is,
    Keyword,
    Lang,
    MentionOp,
    MinCount,
    NetworkOp,
    Node,
    Not,
    Or,
    Phrase,
    PlaceCountry,
    PlaceOp,
    PointRadius,
    RetweetsOf,
    To,
    Url,
)
from hubbub.query.evaluate import _term
from hubbub.query.view import PostView, handle_matches

__all__ = ["Test", "compile_terms", "compile_test", "source"]

#: A compiled rule: called with the view, its token set and its post.
Test = Callable[[PostView, frozenset[str], object], bool]

_HAS = {
    "links": "bool(v.url_tokens)",
    "media": "v.has_media",
    "images": "v.has_images",
    "mentions": "bool(v.mentions)",
    "hashtags": "bool(v.hashtags)",
    "cashtags": "bool(v.cashtags)",
    "geo": "v.has_geo",
}
_IS = {
    "retweet": "bool(p.repost_of)",
    "reply": "bool(p.reply_to or p.reply_to_handle)",
    "quote": "bool(p.quote_of)",
    "verified": "(p.author.verified is True)",
}


def _handle(attr: str, handle: str) -> str:
    """``attr`` (a folded handle of the view) matches ``handle`` as handle_matches says."""
    if "@" not in handle:  # 'user' matches 'user' and 'user@instance'
        return f"(v.{attr} == {handle!r} or v.{attr}.startswith({handle + '@'!r}))"
    return f"_hm({handle!r}, v.{attr})"


def _mention(handle: str) -> str:
    if "@" not in handle:
        return f"({handle!r} in v.mention_users)"
    return f"any(_hm({handle!r}, m) for m in v.mentions)"


def source(node: Node) -> str:
    """The Python expression for ``node`` over ``v`` (view), ``T`` (token set), ``p`` (post)."""
    if isinstance(node, And):
        return "(" + " and ".join(source(c) for c in _cheap_first(node.children)) + ")"
    if isinstance(node, Or):
        return "(" + " or ".join(source(c) for c in _cheap_first(node.children)) + ")"
    if isinstance(node, Not):
        return f"(not {source(node.child)})"
    if isinstance(node, Keyword):
        return f"({node.word!r} in T)"
    if isinstance(node, Phrase):
        if len(node.words) == 1:
            return f"({node.words[0]!r} in T)"
        present = " and ".join(f"{w!r} in T" for w in dict.fromkeys(node.words))
        return f"({present} and v.has_run({tuple(node.words)!r}))"
    if isinstance(node, Hashtag):
        return f"({node.tag!r} in v.hashtags)"
    if isinstance(node, Cashtag):
        return f"({node.tag!r} in v.cashtags)"
    if isinstance(node, MentionOp):
        return _mention(node.handle)
    if isinstance(node, From):
        return _handle("author", node.handle)
    if isinstance(node, To):
        return _handle("reply_to", node.handle)
    if isinstance(node, RetweetsOf):
        return _handle("reposted", node.handle)
    if isinstance(node, ConversationId):
        return f"((p.conversation_id or p.id) == {node.id!r})"
    if isinstance(node, InReplyTo):
        return f"(p.reply_to == {node.id!r})"
    if isinstance(node, Url):
        return f"v.url_has({tuple(node.words)!r})"
    if isinstance(node, PlaceOp):
        return f"v.place_has({tuple(node.words)!r}, {node.text!r})"
    if isinstance(node, Lang):
        return f"(v.language == {node.code!r} or v.language.startswith({node.code + '-'!r}))"
    if isinstance(node, NetworkOp):
        return f"(p.network == {node.network!r})"
    if isinstance(node, Is):
        return _IS[node.what]
    if isinstance(node, Has):
        return _HAS[node.what]
    if isinstance(node, PlaceCountry):
        return f"(v.country == {node.code!r})"
    if isinstance(node, PointRadius):
        return f"v.within({node.latitude!r}, {node.longitude!r}, {node.radius_km!r})"
    if isinstance(node, BoundingBox):
        return f"v.in_box({node.west!r}, {node.south!r}, {node.east!r}, {node.north!r})"
    if isinstance(node, MinCount):
        return f"_ge(p.metrics.{node.metric}, {int(node.minimum)!r})"
    raise TypeError(f"not a query node: {node!r}")


def _cost(node: Node) -> int:
    """A rough cost of a test, so AND/OR try the cheap set lookups first (same answer)."""
    if isinstance(node, Keyword | Hashtag | Cashtag | NetworkOp | Is | Lang | InReplyTo):
        return 1
    if isinstance(node, And | Or):
        return 2 + sum(_cost(c) for c in node.children)
    if isinstance(node, Not):
        return _cost(node.child)
    return 3


def _cheap_first(children: tuple[Node, ...]) -> list[Node]:
    return sorted(children, key=_cost)


def _ge(count: int | None, minimum: int) -> bool:
    return count is not None and count >= minimum


_GLOBALS: dict[str, object] = {"_hm": handle_matches, "_ge": _ge, "__builtins__": {}}
_GLOBALS["__builtins__"] = {"bool": bool, "any": any}


def compile_test(node: Node) -> Test:
    """``node`` as a function ``(view, view.token_set, view.post) -> bool``."""
    code = compile(f"lambda v, T, p: {source(node)}", "<query>", "eval")
    fn: Test = eval(code, dict(_GLOBALS))
    return fn


Collect = Callable[[PostView, list[str]], bool]


class _Terms:
    """Emits the statements that collect a tree's matched terms, one variable a node."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.n = 0

    def var(self) -> str:
        self.n += 1
        return f"r{self.n}"

    def emit(self, node: Node, indent: str) -> str:
        r = self.var()
        if isinstance(node, And):
            # As matched_terms: the children's terms count only when the whole AND holds.
            self.lines.append(f"{indent}{r} = {source(node)}")
            self.lines.append(f"{indent}if {r}:")
            for child in node.children:
                self.emit(child, indent + "    ")
            self.lines.append(f"{indent}    pass")
        elif isinstance(node, Or):
            parts = [self.emit(child, indent) for child in node.children]
            self.lines.append(f"{indent}{r} = {' or '.join(parts)}")
        else:
            self.lines.append(f"{indent}{r} = {source(node)}")
            term = None if isinstance(node, Not) else _term(node)
            if term is not None:
                self.lines.append(f"{indent}if {r}: o.append({term!r})")
        return r


def compile_terms(node: Node) -> Collect:
    """A function that appends the terms that made ``node`` match (as matched_terms does)."""
    t = _Terms()
    body = t.emit(node, "    ")
    code = "def _terms(v, o):\n    T = v.token_set\n    p = v.post\n"
    code += "\n".join(t.lines) + f"\n    return {body}\n"
    namespace: dict[str, object] = dict(_GLOBALS)
    exec(compile(code, "<query terms>", "exec"), namespace)
    fn: Collect = namespace["_terms"]  # type: ignore[assignment]
    return fn
