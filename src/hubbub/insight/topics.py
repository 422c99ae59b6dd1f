"""Topics over a window: the key phrases people use now, against what they used before.

Each mention already carries its key phrases and hashtags (:mod:`hubbub.insight.what`);
a topic is a phrase many mentions of the window share *and* that was less common
in the previous window of the same length. The score is TF-IDF with the previous
window as the background corpus: the share of this window's mentions that use the
phrase times ``log((n_prev + 2) / (df_prev + 1))``. A stream's own name, in every
mention of both windows, scores near zero; "power outage", in 40 mentions today and
none last week, scores high. With no previous window the idf is the same for every
phrase, so topics rank by how many mentions use them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

__all__ = ["Topic", "topics"]


@dataclass(frozen=True, slots=True)
class Topic:
    phrase: str
    mentions: int  # mentions of this window using it
    previous: int  # mentions of the previous window using it
    score: float

    @property
    def change(self) -> float | None:
        """mentions / previous - 1 (e.g. 1.5 = +150%); None when it is new."""
        return self.mentions / self.previous - 1 if self.previous else None


def _df(docs: Iterable[Iterable[str]]) -> tuple[Counter[str], int]:
    df: Counter[str] = Counter()
    n = 0
    for phrases in docs:
        n += 1
        df.update({p.strip().lower() for p in phrases if p.strip()})
    return df, n


def topics(
    current: Iterable[Sequence[str]],
    previous: Iterable[Sequence[str]],
    *,
    limit: int = 10,
    min_mentions: int = 2,
) -> list[Topic]:
    """The top ``limit`` phrases of ``current`` (each item: one mention's phrases), best
    first; a phrase needs ``min_mentions`` mentions to count."""
    cur, n_cur = _df(current)
    prev, n_prev = _df(previous)
    if not n_cur:
        return []
    found = []
    for phrase, count in cur.items():
        if count < min_mentions:
            continue
        idf = math.log((n_prev + 2) / (prev[phrase] + 1))
        found.append(Topic(phrase, count, prev[phrase], round(count / n_cur * idf, 6)))
    found.sort(key=lambda t: (-t.score, -t.mentions, t.phrase))
    return found[:limit]
