"""Tweet-aware features for the sentiment model: one function shared by training and run time.

The shipped sentiment model is linear over sparse binary features, so what it can
learn is decided here. The training script (``scripts/train_sentiment.py``) and
:mod:`hubbub.insight.sentiment` both call :func:`features`, so the model always
sees at run time exactly the features it was trained on.

Why hand-written rather than scikit-learn's vectorisers: the model must run
without scikit-learn, at thousands of tweets per second per core, and its
features must not depend on a library version. What it does to a tweet:

- normalises: HTML entities, ``\\uXXXX`` escapes (SemEval's dumps), CSV quotes
  around the whole text, ``@handles`` -> ``@user`` and links -> ``http`` (as
  TweetEval does), digits -> ``0``, lowercase, elongations ("soooo" -> "soo",
  plus an ``<elong>`` flag);
- tokenises words, hashtags (also as the bare word), emoticons, emoji and
  punctuation runs (``!!!`` and ``?!`` differ from ``!``);
- marks negation scope: tokens after "not", "never", "n't", ... up to the next
  clause punctuation get a ``_neg`` suffix, so "not good" is not "good";
- but praise phrased with a negation ("never disappoints", "can't stop thinking
  about", "can't get enough", "nothing beats", "no complaints") is one
  ``<negpraise>`` token that opens no negation scope and counts as positive in
  the lexicon sums. Without it the negator's own weight (negative in training)
  and the scope ran over the whole clause ("can't stop thinking about the
  croissant" read as negated croissant) and such praise came out negative
  (issue 9). SemEval holds ~450 such tweets, ~90% positive ("can't wait" most),
  so the token's weight is learned, not set; complaints phrased so ("never
  going back", "can't recommend", "not worth") get a ``<negcomplaint>`` token
  (negative in the lexicon sums) before their words, which keep their negation
  scope (that already read them right);
- a negative word taken back by "in a good way" / "in the best way" right after it
  ("your focaccia is ridiculous. in a good way") is ``<negpraise>`` too: read
  alone, "ridiculous" outweighed the "good" that undoes it;
- a negated word contributes no character n-grams: they would carry the bare
  word's polarity ("disappoints_neg" read as "disappoints");
- adds word unigrams and bigrams, character 2-5-grams of the normalised text
  (robust to misspellings and unseen inflections), and VADER-lexicon polarity
  sums bucketed into tokens (prior knowledge the 45k training tweets lack);
  an emoji counts with the valence of VADER's description of it.
"""

from __future__ import annotations

import html
import itertools
import re
from functools import cache

import regex

__all__ = ["features", "lexicon", "normalise", "parts", "tokens", "word_features"]

_USER = re.compile(r"@\w{1,20}")
_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
_DIGITS = re.compile(r"\d+")
_ELONG = re.compile(r"(\w)\1{2,}")
_SPACE = re.compile(r"\s+")
_TOKEN = regex.compile(
    r"""
    (?:[<>]?[:;=8][\-o\*']?[\)\]\(\[dDpP/\\\|@3]+)   # emoticons :) ;-( :D =P
    | (?:[\)\]\(\[dDpP/\\\|@3]+[\-o\*']?[:;=8][<>]?)  # reversed (:
    | <3
    | \p{Extended_Pictographic}                      # emoji, one token each
    | [#@]?\w+(?:['’]\w+)*                           # words, hashtags, @user
    | [!?]+                                          # !!! ?! ??
    | \.{2,}                                         # ...
    | [^\w\s]                                        # any other symbol
    """,
    regex.VERBOSE,
)
#: ``_TOKEN`` for ASCII text with the standard ``re`` (faster): no emoji there, and the
#: regex module's ``\s`` is these six characters (``re``'s also takes \x1c-\x1f).
_ASCII_TOKEN = re.compile(
    _TOKEN.pattern.replace(r"| \p{Extended_Pictographic}", "| (?!)").replace(
        r"[^\w\s]", r"[^\w\t\n\v\f\r ]"
    ),
    re.VERBOSE,
)
_NEGATORS = frozenset(
    {
        *("not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "nowhere"),
        *("cannot", "cant", "dont", "doesnt", "didnt", "isnt", "wasnt", "arent", "werent"),
        *("wont", "wouldnt", "shouldnt", "couldnt", "havent", "hasnt", "hadnt", "aint"),
    }
)
_CLAUSE_END = frozenset(".,:;!?") | {"...", "!!", "??", "?!", "!?"}
#: Praise phrased with a negation, over tokens joined by spaces with apostrophes removed.
_CANT = r"(?:cant|cannot|couldnt|can not|could not)"
_NEG_PRAISE = regex.compile(
    r"(?<![^ ])(?:"
    + "|".join(
        (
            _CANT + r" (?:stop|wait|fault|complain|beat)",
            _CANT + r" get enough",
            _CANT + r" go wrong",
            _CANT + r" (?:recommend|praise|thank|rate) (?:[^ .,:;!?]+ ){0,3}enough",
            _CANT + r" (?:be|have been) (?:any )?(?:happier|better|more pleased)",
            _CANT + r" ask for (?:a |any )?(?:better|more)",
            r"(?:never|not once) (?:disappoints?|disappointed|fails?|failed|misses|missed)",
            r"never (?:lets?|let) (?:me|us|you) down",
            r"never (?:gets?|get|got) old",
            r"never (?:had|tasted|seen|eaten|found) (?:a |an )?(?:better|more \w+)",
            r"ever (?:had|tasted|eaten) (?:a |an )?better",
            r"nothing (?:beats|compares|tops)",
            r"no (?:complaints?|regrets)",
            r"not (?:bad|disappointed)",
            r"(?:nothing|not a single|not one) (?:bad|negative)",
            r"second to none",
        )
    )
    + r")(?![^ ])"
)
#: Complaints phrased with a negation, the counterpart: one ``<negcomplaint>`` token.
_NEG_COMPLAINT = regex.compile(
    r"(?<![^ ])(?:"
    + "|".join(
        (
            r"never (?:again|going back|coming back|go back|come back|returning|return)",
            r"(?:not|never) (?:going|coming) back",
            r"(?:wont|will not|wouldnt|would not) (?:be )?(?:going back|coming back|back|return)",
            r"(?:not|isnt|wasnt|arent|werent) worth",
            _CANT + r" recommend",
            r"(?:wouldnt|would not|dont|do not|didnt|did not) recommend",
        )
    )
    + r")(?![^ ])"
)
_NEG_COMPLAINT_TOKEN = "<negcomplaint>"
#: The first words of those phrases: a tweet with none of them is not searched.
_TRIGGERS = frozenset(
    {
        *("cant", "cannot", "couldnt", "can", "could", "never", "not", "nothing", "no"),
        *("ever", "second", "wont", "will", "wouldnt", "would", "dont", "do", "didnt", "did"),
        *("isnt", "wasnt", "arent", "werent"),
    }
)
_TRIGGERS |= {t[:-1] + q + "t" for t in _TRIGGERS if t.endswith("nt") for q in "'’"}  # can't
_NEG_PRAISE_TOKEN = "<negpraise>"
#: Every phrase above needs a negator among its tokens, save "ever had a better": a
#: tweet with none of these (nor a negator with an apostrophe) is left as it is.
_UNMARKED = _NEGATORS | {"ever"}
_NEG_PRAISE_VALENCE = 2.0  # VADER's "good" is 1.9
_LEX_BUCKETS = (0.5, 1.5, 3.0, 5.0)
_CHAR_NGRAMS = (2, 3, 4, 5)
_CAPS = re.compile(r"\b[A-Z]{3,}\b")


def normalise(text: str) -> str:
    """The text the model reads: decoded, masked, lowercased, elongations shortened."""
    if "\\u" in text:
        text = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)
    if "&" in text:
        text = html.unescape(text)
    text = text.strip()
    if len(text) > 1 and text[0] == '"' and text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    lowered = text.lower()
    if "http" in lowered or "www." in lowered:  # else _URL cannot match: skip its scan
        text = _URL.sub("http", text)
        lowered = text.lower()
    if "@" in text:
        lowered = _USER.sub("@user", text).lower()
    lowered = _DIGITS.sub("0", lowered)
    if lowered.isascii() and lowered.isprintable() and "  " not in lowered:
        return lowered  # no tab, newline or double space: nothing for _SPACE to do
    return _SPACE.sub(" ", lowered)


def _praise_spans(toks: list[str]) -> dict[int, tuple[int, str]]:
    """Start index -> (end index (exclusive), token) of each phrase of negated praise or
    complaint in ``toks`` (praise first: "can't recommend them enough")."""
    if _TRIGGERS.isdisjoint(toks):  # most tweets: one set operation, nothing searched
        return {}
    keys = [t.replace("'", "").replace("’", "") if "'" in t or "’" in t else t for t in toks]
    joined = " ".join(keys)
    starts: dict[int, int] = {}  # character offset -> token index
    pos = 0
    for i, key in enumerate(keys):
        starts[pos] = i
        pos += len(key) + 1
    spans: dict[int, tuple[int, str]] = {}
    for pattern, token in (
        (_NEG_PRAISE, _NEG_PRAISE_TOKEN),
        (_NEG_COMPLAINT, _NEG_COMPLAINT_TOKEN),
    ):
        for m in pattern.finditer(joined):
            first = starts[m.start()]
            spans.setdefault(first, (first + m.group().count(" ") + 1, token))
    return spans


def tokens(text: str) -> list[str]:
    """Tokens of an already :func:`normalise`-d text, negation scope marked with ``_neg``.

    A phrase of negated praise ("never disappoints") becomes one ``<negpraise>``
    token and ends any negation scope open before it.
    """
    raw = (_ASCII_TOKEN if text.isascii() else _TOKEN).findall(text)
    if "way" in raw:
        raw = _taken_back(raw)
    if _UNMARKED.isdisjoint(raw) and not (
        ("'" in text or "’" in text) and _apostrophe_negator(raw)
    ):
        return raw  # most tweets: no negation scope and no phrase, so nothing to mark
    spans = _praise_spans(raw)
    out: list[str] = []
    negated = False
    skip_to = 0
    for i, tok in enumerate(raw):
        if i < skip_to:
            continue
        span = spans.get(i)
        if span is not None and span[1] == _NEG_PRAISE_TOKEN:
            out.append(span[1])
            negated = False
            skip_to = span[0]
            continue
        if span is not None:  # a complaint: its words keep their negation scope, plus the token
            out.append(span[1])
        if tok in _CLAUSE_END or (tok[0] in "!?" and len(tok) > 1):
            negated = False
            out.append(tok)
            continue
        if negated:
            out.append(tok + "_neg")
        else:
            out.append(tok)
        if tok in _NEGATORS or _negates(tok):
            negated = True
    return out


#: the words that take back a negative word just before them ("ridiculous. in a good way")
_TAKE_BACK = (("in", "a", "good", "way"), ("in", "the", "best", "way"))


def _taken_back(raw: list[str]) -> list[str]:
    """``raw`` with each negative word that "in a good way" takes back (skipping up to two
    punctuation tokens between) replaced by ``<negpraise>``."""
    out = raw
    negative = lexicon()
    for i, tok in enumerate(raw):
        if tok != "in" or tuple(raw[i : i + 4]) not in _TAKE_BACK:
            continue
        j = i - 1
        while j >= 0 and i - j <= 3 and raw[j] in _CLAUSE_END:
            j -= 1
        if j >= 0 and negative.get(raw[j], 0.0) < 0 and (j == 0 or raw[j - 1] not in _NEGATORS):
            out = list(raw) if out is raw else out
            out[j] = _NEG_PRAISE_TOKEN
    return out


def _negates(tok: str) -> bool:
    """A negator written with an apostrophe: "don't", "can’t", "ca'nt"."""
    return ("'" in tok or "’" in tok) and (
        tok.endswith(("n't", "n’t")) or tok.replace("'", "").replace("’", "") in _NEGATORS
    )


def _apostrophe_negator(raw: list[str]) -> bool:
    return any(_negates(tok) for tok in raw if "'" in tok or "’" in tok)


@cache
def lexicon() -> dict[str, float]:
    """VADER's word valences, plus each emoji scored as the mean valence of its description."""
    from hubbub.insight.sentiment import vader_analyser

    sia = vader_analyser()
    lex: dict[str, float] = dict(sia.lexicon)
    for emo, description in sia.emojis.items():
        vals = [lex[w] for w in description.split() if w in lex]
        if vals:
            lex[emo] = sum(vals) / len(vals)
    return lex


def _bucket(value: float) -> int:
    for i, edge in enumerate(_LEX_BUCKETS):
        if value < edge:
            return i
    return len(_LEX_BUCKETS)


def word_features(token: str) -> tuple[str, ...]:
    """A token's own features: itself and the character 2-5-grams of its word, space-padded
    (none for a negated token or ``<negpraise>``: only the token itself).

    They depend on the token alone, so the run-time model caches each token's feature
    rows (tweets reuse a small vocabulary) rather than recomputing them per tweet.
    """
    if token.endswith("_neg") or token in (_NEG_PRAISE_TOKEN, _NEG_COMPLAINT_TOKEN):
        return (token,)
    padded = " " + token + " "
    n = len(padded)
    grams = {padded[i : i + k] for k in _CHAR_NGRAMS for i in range(n - k + 1)}
    grams.add(token)
    return tuple(grams)


def parts(text: str) -> tuple[list[str], list[str]]:
    """(tokens, context features) of a raw tweet; its features are the context features
    plus :func:`word_features` of every token.

    Context: word bigrams, bare hashtags, bucketed VADER-lexicon sums (negation flips a
    word's valence), and flags for elongation, ``!!`` and an all-caps word.
    """
    norm = normalise(text)
    elongated = _ELONG.sub(r"\1\1", norm) if _ELONG.search(norm) else norm
    toks = tokens(elongated)
    context = [a + " " + b for a, b in itertools.pairwise(toks)]
    if elongated != norm:
        context.append("<elong>")
    lex_get = lexicon().get
    pos = neg = 0.0
    for tok in toks:
        val = lex_get(tok)  # a plain word or emoji (no lexicon entry ends in "_neg")
        if val is None:
            if tok[0] == "#":
                if len(tok) > 1:
                    context.append(tok[1:])
                continue
            if tok[-4:] == "_neg":
                val = lex_get(tok[:-4])
                if val is None:
                    continue
                val = -0.74 * val
            elif tok == _NEG_PRAISE_TOKEN:
                pos += _NEG_PRAISE_VALENCE
                continue
            elif tok == _NEG_COMPLAINT_TOKEN:
                neg += _NEG_PRAISE_VALENCE
                continue
            else:
                continue
        if val > 0:
            pos += val
        else:
            neg -= val
    context.append(f"<lexpos{_bucket(pos)}>")
    context.append(f"<lexneg{_bucket(neg)}>")
    if text.count("!") >= 2:
        context.append("<excl>")
    if _CAPS.search(text):
        context.append("<caps>")
    return toks, context


def features(text: str) -> set[str]:
    """The set of feature strings of a raw tweet (binary: presence, not counts)."""
    toks, context = parts(text)
    feats = set(context)
    for tok in toks:
        feats.update(word_features(tok))
    return feats
