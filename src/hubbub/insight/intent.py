"""Why they posted: transparent phrase rules, several labels per post.

A small business owner must be able to see why a post was flagged "complaint",
and fix a rule, so intents come from the listed phrases below rather than from
an opaque model. Each phrase matches as a run of whole words, case-insensitively
(tokenised exactly as the query language tokenises: "pre-order" is "pre order",
and stretched words are squeezed: "sooo good" is "so good"); a post gets every
label whose rule fires, and ``other`` only when none does. Phrases with symbols
("% off", "earn $") match as plain substrings.

Matching is one pass over the post's tokens with a dict from each phrase's first
word, rather than a regular expression per rule: ~50 alternatives per rule made
the regex scan the slowest stage of the pipeline.

- question: a ``?`` outside links that is not an outcry ("tomorrow?!", "?!?!"), or a
  sentence (after any leading @mentions) that opens with a question word (who, what,
  when, where, why, how, is, are, do, does, did, can, could, will, would, should,
  anyone, any), except "What a ...", "Did you know ...", "Do not ...", "When you ...".
- complaint: :data:`COMPLAINT`, e.g. "worst", "never again", "still waiting", "refund",
  or "waited" followed by a duration ("waited 40 minutes"; not "waited until"); but not
  a word taken back by "in a good way" / "in the best way" right after it ("your
  focaccia is ridiculous. In a good way.").
- praise: :data:`PRAISE`, e.g. "love", "delicious", "thank you", unless a
  negation ("not", "never", "n't", "no") is one of the two words before it, and
  not a courtesy "thanks" closing a question ("what time do you close? Thanks!").
- recommendation_request: :data:`RECOMMENDATION_REQUEST`, e.g. "any recommendations",
  "can anyone recommend", "where can I get", "best place for"; or "best" in a sentence
  that ends with "?" ("Best rates? Best airline?"), which then does not count as praise.
- purchase_intent: :data:`PURCHASE_INTENT`, e.g. "want to buy", "how much is",
  "pre-order", "do you deliver", "are you open"; a bare "order" after "my", "our",
  "the" ... is an order already placed ("my focaccia order was wrong"), not one to come.
- spam_promo: :data:`SPAM_PROMO`, e.g. "link in bio", "use code", "giveaway",
  "dm me", or five or more hashtags, or three or more links.
- other: none of the above.

Checked against 260 real tweets from ../shared/data (SemEval-2017 4A, TweetEval) that
a person labelled by reading them: ``scripts/eval_intents.py`` prints precision and
recall per label, and tests/insight/test_intent_eval.py holds them to a floor. The
rules were refined on those same tweets, so their figures are in-sample.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from hubbub.model import Entities, Intent
from hubbub.query.tokens import tokenize

__all__ = [
    "COMPLAINT",
    "PRAISE",
    "PURCHASE_INTENT",
    "QUESTION_OPENERS",
    "RECOMMENDATION_REQUEST",
    "SPAM_PROMO",
    "forget_intents",
    "intents",
    "text_intents",
]

QUESTION_OPENERS: tuple[str, ...] = (
    "who", "what", "when", "where", "why", "how", "is", "are", "do", "does", "did",
    "can", "could", "will", "would", "should", "anyone", "any",
)  # fmt: skip
COMPLAINT: tuple[str, ...] = (
    "worst", "terrible", "awful", "horrible", "disgusting", "gross", "disappointed",
    "disappointing", "never again", "not coming back", "won't be back", "rude",
    "stale", "burnt", "burned", "undercooked", "was raw", "still raw", "raw in the middle",
    "raw inside", "was cold", "were cold", "stone cold", "overpriced", "ripped off",
    "rip off", "still waiting", "refund", "not happy", "unhappy",
    "unacceptable", "complaint", "complain", "food poisoning", "got sick", "wrong order",
    "got my order wrong", "order was wrong", "was wrong again", "wrong again", "never received",
    "never arrived", "didn't get", "no one answered",
    "nobody answered", "hair in", "dirty", "sold out again", "ruined", "mediocre", "meh",
    "crap", "crappy", "abysmal", "sucks", "make me angry", "makes me angry", "so angry",
    "refuses to", "refused to", "froze", "not working", "doesn't work", "stopped working",
    "won't help", "no help", "what the fuck", "wtf", "ridiculous", "annoying", "fed up",
    "pissed off", "c'mon man", "please no", "not impressed", "waste of",
)  # fmt: skip
PRAISE: tuple[str, ...] = (
    "love", "loved", "loving", "best", "amazing", "delicious", "great", "awesome",
    "fantastic", "wonderful", "excellent", "perfect", "incredible", "outstanding",
    "thank you", "thanks", "so good", "favorite", "favourite", "yum", "yummy",
    "highly recommend", "to die for", "obsessed", "heavenly", "kudos", "shoutout",
    "shout out", "thank me later", "hands down", "must try", "must-try", "worth it",
    "in a good way", "five stars", "5 stars", "dope", "real deal", "gets better", "lovely",
    "liked", "such a good", "what a great", "well done", "brilliant", "beautifully",
    "can't get enough", "cant get enough", "adore", "i like", "better than ever",
    "❤", "😍", "🥰", "👏", "⭐", "😋", "🔥", "💯", "👌",
)  # fmt: skip
RECOMMENDATION_REQUEST: tuple[str, ...] = (
    "any recommendations", "any recs", "recommendations for", "recommend a",
    "recommend any", "can anyone recommend", "could anyone recommend", "suggestions for",
    "any suggestions", "where can i get", "where can i find", "where should i",
    "where to get", "best place for", "best place to", "looking for a good",
    "anyone know a good", "know any good", "who makes the best", "what's the best",
    "whats the best", "what is the best", "can anyone help", "can someone help",
    "suggestion for", "got a suggestion", "got suggestions", "few suggestions",
    "where do i find", "where do i get", "would you recommend", "you recommend",
)  # fmt: skip
PURCHASE_INTENT: tuple[str, ...] = (
    "want to buy", "wanna buy", "where can i buy", "how much is", "how much are", "how much do",
    "how much does", "how much for", "how much would", "how much will", "price", "prices",
    "order", "orders", "ordering", "pre-order", "pre-orders", "preorder", "preorders",
    "do you deliver", "delivery",
    "can i get", "can i order", "taking orders", "in stock", "reserve", "are you open",
    "what time do you open", "opening hours", "need a", "need some", "pick up", "pickup",
    "catering", "buy", "trying to book", "want to book", "want to order", "wanna order",
    "may order", "might order", "might buy", "thinking of buying", "give me a ticket",
    "need a new", "need to buy", "gonna buy", "going to buy",
)  # fmt: skip
SPAM_PROMO: tuple[str, ...] = (
    "dm me", "dm for", "dm us for", "click the link", "link in bio", "follow back",
    "follow for follow", "f4f", "giveaway", "promo code", "use code", "discount code",
    "% off", "free followers", "buy followers", "earn $", "make money", "crypto",
    "airdrop", "onlyfans", "whatsapp", "check out my", "limited time offer",
    "act now", "100% free", "for sale", "on sale", "tickets available", "tickets still available",
    "get your tickets", "for tickets", "tickets @", "tickets at", "download on", "come join",
    "join us", "come enjoy", "chance to win", "like this status", "please retweet",
    "please rt", "retweet my", "rt to win", "ready to ship", "shop now", "order now",
    "check it out", "more info at", "come on down", "exciting offers", "come see us",
)  # fmt: skip

_NEGATORS = frozenset(
    {"not", "never", "no", "nothing", "t", "isnt", "wasnt", "dont", "didnt", "aint", "hardly"}
)  # "isn't" tokenises to "isn" "t"

Phrase = tuple[str, ...]
_Index = dict[str, list[Phrase]]


def _index(phrases: Iterable[str]) -> tuple[_Index, tuple[str, ...]]:
    """First word -> phrases (longest first); and the symbol phrases matched as substrings."""
    index: _Index = {}
    symbols: list[str] = []
    for phrase in phrases:
        if re.search(r"[^\w\s'\-]", phrase) and tokenize(phrase) != [phrase]:
            symbols.append(phrase.lower())
            continue
        words = tuple(tokenize(phrase))
        index.setdefault(words[0], []).append(words)
    for options in index.values():
        options.sort(key=len, reverse=True)
    return index, tuple(symbols)


_RULES: dict[Intent, tuple[_Index, tuple[str, ...]]] = {
    "complaint": _index(COMPLAINT),
    "praise": _index(PRAISE),
    "recommendation_request": _index(RECOMMENDATION_REQUEST),
    "purchase_intent": _index(PURCHASE_INTENT),
    "spam_promo": _index(SPAM_PROMO),
}
_VOCABULARY = frozenset(
    w for idx, _ in _RULES.values() for ps in idx.values() for p in ps for w in p
)
#: Every word a rule's phrase starts with: phrases are only tried at these tokens.
_FIRSTS = frozenset(w for idx, _ in _RULES.values() for w in idx)
_OPENER = re.compile(
    r"(?:^|[.!?\n]\s*)(?:" + "|".join(QUESTION_OPENERS) + r")\b(?!['\u2019])"
    # not "What a day!", "Did you know ...", "Do not ...", "When you ..." (a meme's opening)
    r"(?!(?<=what) an?\b)(?!(?<=did) you know\b)(?!(?<=do) not\b)(?!(?<=when) you\b)",
    re.IGNORECASE,
)
#: a "?" that asks: not one inside a link, nor an outcry like "tomorrow?!" or "?!?!".
_ASKING_MARK = re.compile(r"\?(?![?!]*!)")
_LINK = re.compile(r"https?://\S+|www\.\S+", re.IGNORECASE)
_LEADING_MENTIONS = re.compile(r"^(?:[@\uff20]\w+[\s,:]*)+")
#: "Best rates? Best airline?", "Where's the best sourdough in town?": asking for the best.
_BEST_ASKED = re.compile(r"\bbest\b[^.!?\n]{0,40}\?", re.IGNORECASE)
#: "waited 40 minutes", "waited forever": a wait told as a grievance ("waited until" is not).
_WAITED = re.compile(
    r"\bwaited\s+(?:\d|for\b|over\b|almost\b|nearly\b|forever\b|ages\b|an?\s+hour)",
    re.IGNORECASE,
)
_THANKS: frozenset[Phrase] = frozenset({("thanks",), ("thank", "you")})
#: "ridiculous. In a good way": the words that take back the complaint just before them.
_TAKEN_BACK: tuple[Phrase, ...] = (("in", "a", "good", "way"), ("in", "the", "best", "way"))
#: an order already placed: "my order", "the order" (not "want to order", "can I order")
_PLACED = frozenset({"my", "our", "the", "your", "his", "her", "their", "this", "that"})
_ASKS_TO = frozenset({"to", "i", "we", "can", "could", "will", "would", "me", "us"})
_STRETCHED = re.compile(r"(\w)\1{2,}")
_ORDER: tuple[Intent, ...] = (
    "question",
    "complaint",
    "praise",
    "recommendation_request",
    "purchase_intent",
    "spam_promo",
)


def _squeeze(token: str) -> str:
    """'goooood' -> 'good', 'sooo' -> 'so': the squeezed form a rule knows, if any."""
    if not _STRETCHED.search(token):
        return token
    double = _STRETCHED.sub(r"\1\1", token)
    return double if double in _VOCABULARY else _STRETCHED.sub(r"\1", token)


def _spans(tokens: list[str], index: _Index, at: Sequence[int]) -> list[tuple[int, int]]:
    """The phrases of ``index`` in ``tokens``, trying the positions ``at`` (those whose token
    starts some rule's phrase: :data:`_FIRSTS`), longest phrase first at each."""
    out: list[tuple[int, int]] = []
    for i in at:
        for words in index.get(tokens[i], ()):
            if tuple(tokens[i : i + len(words)]) == words:
                out.append((i, i + len(words)))
                break
    return out


def _praised(
    tokens: list[str], at: Sequence[int], asks: list[tuple[int, int]], asking: bool
) -> bool:
    for start, end in _spans(tokens, _RULES["praise"][0], at):
        if any(a <= start < b for a, b in asks):
            continue  # "what's the best ..." asks; it does not praise
        if asking and tuple(tokens[start:end]) in _THANKS:
            continue  # "... what time does it finish? Thanks!": courtesy, not praise
        if not any(t in _NEGATORS for t in tokens[max(0, start - 2) : start]):
            return True
    return False


def intents(
    text: str, entities: Entities | None = None, tokens: Sequence[str] | None = None
) -> tuple[Intent, ...]:
    """Every intent whose rule fires on ``text``, in :data:`hubbub.model.INTENTS` order.

    ``tokens``: ``tokenize(text)``, where the caller already has them.
    """
    found = text_intents(text, tokens)
    many = entities is not None and (len(entities.hashtags) >= 5 or len(entities.urls) >= 3)
    if many and "spam_promo" not in found:
        labels = {*found, "spam_promo"}
        return tuple(i for i in _ORDER if i in labels)
    return found


_SEEN: dict[str, tuple[Intent, ...]] = {}
_SEEN_LIMIT = 8192


def text_intents(text: str, tokens: Sequence[str] | None = None) -> tuple[Intent, ...]:
    """The intents the text alone shows (remembered, bounded: reposts and templates
    repeat texts); ``tokens`` as for :func:`intents`."""
    found = _SEEN.get(text)
    if found is None:
        if len(_SEEN) >= _SEEN_LIMIT:
            _SEEN.clear()
        found = _SEEN[text] = _text_intents(text, tokenize(text) if tokens is None else tokens)
    return found


def forget_intents() -> None:
    """Empty the memo of texts' intents (see :func:`hubbub.insight.clear_caches`)."""
    _SEEN.clear()


def _text_intents(text: str, words: Sequence[str]) -> tuple[Intent, ...]:
    # One search of all the tokens (joined by a non-word) before squeezing each.
    stretched = _STRETCHED.search(" ".join(words)) is not None
    tokens = [_squeeze(t) for t in words] if stretched else list(words)
    lowered = text.lower()
    found: set[Intent] = set()
    plain = _LINK.sub(" ", text) if "?" in text else text
    plain = _LEADING_MENTIONS.sub("", plain) if plain[:1] in "@\uff20" else plain
    if _ASKING_MARK.search(plain) or _OPENER.search(plain):
        found.add("question")
    at = [] if _FIRSTS.isdisjoint(tokens) else [i for i, t in enumerate(tokens) if t in _FIRSTS]
    asks = _spans(tokens, _RULES["recommendation_request"][0], at)
    if _BEST_ASKED.search(plain):
        asks += [(i, i + 1) for i, t in enumerate(tokens) if t == "best"]
    if asks:
        found.add("recommendation_request")
    if _praised(tokens, at, asks, "question" in found):
        found.add("praise")
    if _WAITED.search(text):
        found.add("complaint")
    for label in ("complaint", "purchase_intent", "spam_promo"):
        index, symbols = _RULES[label]
        spans = _spans(tokens, index, at)
        if label == "complaint":
            spans = [s for s in spans if not _taken_back(tokens, s[1])]
        elif label == "purchase_intent":
            spans = [s for s in spans if not _placed_order(tokens, *s)]
        if spans or any(sym in lowered for sym in symbols):
            found.add(label)
    return tuple(i for i in _ORDER if i in found) or ("other",)


def _taken_back(tokens: Sequence[str], end: int) -> bool:
    """Whether "in a good way" (or "in the best way") follows within two words of ``end``
    (the tokeniser drops the full stop between: "ridiculous. In a good way")."""
    for phrase in _TAKEN_BACK:
        for at in range(end, min(end + 3, len(tokens))):
            if tuple(tokens[at : at + len(phrase)]) == phrase:
                return True
    return False


def _placed_order(tokens: Sequence[str], start: int, end: int) -> bool:
    """A bare "order"/"orders" after "my", "the", ... ("my order", "my focaccia order"):
    an order already placed; "to order", "can I order" stay intents."""
    if end - start != 1 or tokens[start] not in ("order", "orders") or start == 0:
        return False
    before = tokens[start - 1]
    if before in _PLACED:
        return True
    return start > 1 and tokens[start - 2] in _PLACED and before not in _ASKS_TO
