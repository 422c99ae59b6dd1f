"""Precision and recall of hubbub's intent rules against hand-checked labels of real tweets.

Why a hand-labelled set: no public corpus labels tweets with hubbub's six intents
(question, complaint, praise, recommendation_request, purchase_intent, spam_promo),
and the demo's templates are what the rules were written from, so scoring on them
would prove nothing. The tweets come from ../shared/data (SemEval-2017 task 4A and
TweetEval, research-only: their text stays there); ``tests/data/intents_gold.jsonl``
holds only each tweet's reference and the labels a person gave it after reading it.

The sample (seeded, so ``--sample`` shows the same tweets again) has four strata:
- ``semeval``: tweets drawn uniformly from every SemEval 2013-2016 file (deduplicated
  by id): how often intents occur in ordinary tweets;
- ``consumer``: SemEval tweets drawn uniformly from those that name buying, a shop,
  food, service or ask something (:data:`CONSUMER`, a pattern wider than any rule,
  written apart from them), where a business's intents are dense enough to measure;
- ``tweeteval-sentiment`` and ``tweeteval-emotion``: TweetEval val tweets (@user
  anonymised), drawn uniformly;
- ``asks``: SemEval tweets drawn uniformly from those with words of asking for advice
  or wanting to buy (:data:`ASKS`), since recommendation requests and purchase intent
  are rare in the other strata. Its pattern shares words with the rules (e.g. "how
  much"), which flatters their recall on this stratum; the table says so.

References: ``semeval:TWEET_ID`` or ``tweeteval/TASK/val:LINE`` (1-based).

    .venv/bin/python scripts/eval_intents.py            # the table against the gold file
    .venv/bin/python scripts/eval_intents.py --sample   # the sampled tweets, to label
"""

from __future__ import annotations

import argparse
import html
import json
import random
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hubbub.insight.intent import intents
from hubbub.text import extract_entities

__all__ = [
    "ASKS",
    "CONSUMER",
    "LABELS",
    "Score",
    "evaluate",
    "format_table",
    "load_gold",
    "main",
    "sample",
    "tweets",
]

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
GOLD = ROOT / "tests" / "data" / "intents_gold.jsonl"
#: a second, smaller sample labelled after the rules were refined on GOLD: out-of-sample.
HELDOUT = ROOT / "tests" / "data" / "intents_heldout.jsonl"
SEED = 9
HELDOUT_SEED = 10
HELDOUT_STRATA: dict[str, int] = {
    "semeval": 20,
    "consumer": 30,
    "tweeteval-sentiment": 10,
    "tweeteval-emotion": 10,
    "asks": 20,
}
LABELS: tuple[str, ...] = (
    "question",
    "complaint",
    "praise",
    "recommendation_request",
    "purchase_intent",
    "spam_promo",
)
STRATA: dict[str, int] = {
    "semeval": 70,
    "consumer": 90,
    "tweeteval-sentiment": 30,
    "tweeteval-emotion": 30,
    "asks": 40,
}
CONSUMER = re.compile(
    r"\?|\b(?:buy|bought|buying|order(?:ed|ing)?|shop(?:ping)?|store|customer|service|"
    r"price|deliver(?:y|ed)?|restaurant|cafe|coffee|pizza|food|menu|recommend\w*|"
    r"sale|deal|discount|free|win|ticket|tickets|app|phone|waiting|refund)\b",
    re.IGNORECASE,
)
ASKS = re.compile(
    r"\b(?:recommend\w*|suggestions?|anyone know|looking for|where (?:can|do|should) i|"
    r"should i (?:buy|get)|want to (?:buy|get)|wanna (?:buy|get)|need (?:a|to buy)|"
    r"going to buy|gonna buy|price of|how much)\b",
    re.IGNORECASE,
)
_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")


def _clean(text: str) -> str:
    """SemEval's text as posted: \\uXXXX escapes and HTML entities decoded, CSV quotes off."""
    text = html.unescape(_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)).strip()
    if len(text) > 1 and text[0] == text[-1] == '"':
        text = text[1:-1].replace('""', '"')
    return text


def _semeval(shared: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in sorted((shared / "semeval2017-4a").glob("twitter-*-A.tsv")):
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                parts = line.rstrip("\n").split("\t")
                if len(parts) >= 3:
                    out.setdefault(f"semeval:{parts[0]}", _clean(parts[2]))
    return out


def _tweeteval(shared: Path, task: str) -> dict[str, str]:
    path = shared / "tweeteval" / task / "val_text.txt"
    lines = path.read_text(encoding="utf-8").split("\n")
    return {f"tweeteval/{task}/val:{n}": t.strip() for n, t in enumerate(lines, 1) if t.strip()}


def tweets(shared: Path = SHARED) -> dict[str, str]:
    """Every tweet the sample draws from, by reference."""
    return {
        **_semeval(shared),
        **_tweeteval(shared, "sentiment"),
        **_tweeteval(shared, "emotion"),
    }


def sample(
    shared: Path = SHARED,
    seed: int = SEED,
    strata: dict[str, int] | None = None,
    exclude: Iterable[str] = (),
) -> list[tuple[str, str, str]]:
    """(stratum, reference, text) of the seeded sample, each tweet once, none of ``exclude``."""
    rng = random.Random(seed)
    semeval = _semeval(shared)
    pools: dict[str, list[str]] = {
        "semeval": sorted(semeval),
        "consumer": sorted(r for r, t in semeval.items() if CONSUMER.search(t)),
        "tweeteval-sentiment": sorted(_tweeteval(shared, "sentiment")),
        "tweeteval-emotion": sorted(_tweeteval(shared, "emotion")),
        "asks": sorted(r for r, t in semeval.items() if ASKS.search(t)),
    }
    texts = tweets(shared)
    taken: set[str] = set(exclude)
    out: list[tuple[str, str, str]] = []
    for stratum, size in (STRATA if strata is None else strata).items():
        pool = [r for r in pools[stratum] if r not in taken]
        for ref in rng.sample(pool, size):
            taken.add(ref)
            out.append((stratum, ref, texts[ref]))
    return out


def load_gold(path: Path = GOLD) -> dict[str, frozenset[str]]:
    """Reference -> hand-checked labels; a bad line stops with ``FILE:LINE: reason``."""
    gold: dict[str, frozenset[str]] = {}
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        obj = json.loads(line)
        labels = frozenset(obj["labels"])
        unknown = labels - set(LABELS)
        if unknown:
            raise SystemExit(f"{path}:{n}: unknown labels {sorted(unknown)}")
        gold[obj["ref"]] = labels
    return gold


@dataclass(frozen=True, slots=True)
class Score:
    label: str
    tp: int
    fp: int
    fn: int

    @property
    def support(self) -> int:
        return self.tp + self.fn

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / self.support if self.support else 0.0


def predict(text: str) -> frozenset[str]:
    return frozenset(intents(text, extract_entities(text))) - {"other"}


def evaluate(
    gold: dict[str, frozenset[str]], texts: dict[str, str]
) -> tuple[list[Score], list[tuple[str, frozenset[str], frozenset[str]]]]:
    """Per-label scores and the (ref, gold, predicted) of every tweet the rules got wrong."""
    counts = {label: [0, 0, 0] for label in LABELS}
    wrong: list[tuple[str, frozenset[str], frozenset[str]]] = []
    for ref, truth in gold.items():
        got = predict(texts[ref])
        for label in LABELS:
            c = counts[label]
            c[0] += label in got and label in truth
            c[1] += label in got and label not in truth
            c[2] += label in truth and label not in got
        if got != truth:
            wrong.append((ref, truth, got))
    return [Score(label, *counts[label]) for label in LABELS], wrong


def format_table(scores: Iterable[Score]) -> str:
    rows = [f"{'label':<24}{'precision':>10}{'recall':>8}{'support':>9}{'predicted':>11}"]
    for s in scores:
        rows.append(
            f"{s.label:<24}{s.precision:>10.3f}{s.recall:>8.3f}{s.support:>9}{s.tp + s.fp:>11}"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=SHARED, help="../shared/data")
    parser.add_argument("--gold", type=Path, default=GOLD)
    parser.add_argument("--sample", action="store_true", help="print the sample to label")
    parser.add_argument(
        "--heldout", action="store_true", help="the held-out sample and labels instead"
    )
    parser.add_argument("--errors", action="store_true", help="print every wrong tweet")
    args = parser.parse_args(argv)
    if not args.shared.is_dir():
        print(f"{args.shared}: not found (the shared datasets)", file=sys.stderr)
        return 2
    if args.heldout and args.gold == GOLD:
        args.gold = HELDOUT
    if args.sample:
        drawn = (
            sample(args.shared, HELDOUT_SEED, HELDOUT_STRATA, load_gold(GOLD))
            if args.heldout
            else sample(args.shared)
        )
        for stratum, ref, text in drawn:
            print(json.dumps({"stratum": stratum, "ref": ref, "text": text}, ensure_ascii=False))
        return 0
    gold = load_gold(args.gold)
    texts = tweets(args.shared)
    missing = [ref for ref in gold if ref not in texts]
    if missing:
        print(f"{args.gold}: {len(missing)} references not in the data, e.g. {missing[0]}")
        return 2
    scores, wrong = evaluate(gold, texts)
    print(f"{len(gold)} hand-checked tweets; {len(wrong)} with any label wrong")
    print(format_table(scores))
    if args.errors:
        for ref, truth, got in wrong:
            print(f"\n{ref} gold={sorted(truth)} got={sorted(got)}\n  {texts[ref]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
