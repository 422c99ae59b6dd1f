"""The follower audit's batch path: JSON Lines bytes in, verdict lines out, no Accounts.

``hubbub audit followers`` must judge 100,000 accounts a second. The reference path
(:func:`hubbub.audit.followers.audit_followers`) makes an :class:`Account`, a
:class:`Verdict` and a dict per follower, and most of its time goes there rather than
into the model. This path reads a chunk of lines at a time, parses them with orjson
into each network's fields (:func:`hubbub.audit.profiles.profile_fields`, the same
field table the reference maps with), builds the feature matrix straight from those
fields (:func:`hubbub.insight.authenticity.assemble`), scores and explains the chunk
with the same array code, and writes the chunk's lines with one join.

The output is byte for byte the reference's: the same JSON layout as ``json.dumps``
(``", "`` and ``": "``, non-ASCII kept), the same rounding, the same reasons and the same
error lines. Whatever the fast reading cannot vouch for goes through the reference
reader line by line: a line orjson refuses (also NaN, a BOM: Python's json may accept
or word the error otherwise), a line that is not a profile (so the error reads the
same), and a line missing a count (orjson reads an integer beyond 64 bits as a float,
which the mapping would take for missing, where Python's json keeps the integer).
"""

from __future__ import annotations

import gc
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import numpy as np
import orjson

from hubbub.audit.followers import THRESHOLD, Failure, Summary, parse_lines, tally
from hubbub.audit.profiles import Fields, created_stamp, profile_fields
from hubbub.insight.authenticity import (
    FEATURES,
    Ensemble,
    FloatArray,
    assemble,
    load_model,
    text_features,
)
from hubbub.insight.reasons import explain as explain_all

__all__ = ["CHUNK", "Chunk", "Lines", "audit_stream", "read_chunk", "verdict_lines"]

#: Bytes read at a time: about 3,000 profiles of usual size.
CHUNK = 1 << 20

_loads = orjson.loads
_quote: Callable[[str], str] = json.encoder.encode_basestring


class Lines(Protocol):
    """A binary stream read a chunk of whole lines at a time (``sys.stdin.buffer``)."""

    def readlines(self, hint: int = -1, /) -> list[bytes]: ...


class _Recheck(ValueError):
    """A line the fast reading cannot vouch for: the reference reader decides."""


Numbers = tuple[float | int | bool | None, ...]


def _numbers(f: Fields, stamp: float) -> Numbers:
    """What :func:`assemble` reads besides the text: 7 counts and flags, the creation time."""
    return (f[7], f[8], f[9], f[10], f[12], f[13], f[14], stamp)


def _reference(line: bytes, number: int) -> Fields | Failure | None:
    """The line as the reference reader takes it: fields, a failure, or None (blank)."""
    for item in parse_lines([line], number):
        if isinstance(item, Failure):
            return item
        a = item
        return (
            a.network, a.id, a.handle, a.name, a.bio, a.location, a.url, a.followers,
            a.following, a.posts, a.listed, a.created, a.verified, a.default_avatar,
            a.default_profile,
        )  # fmt: skip
    return None


def verdict_lines(
    ids: Sequence[str],
    networks: Sequence[str],
    handles: Sequence[str],
    scores: Sequence[float],
    authentic: Sequence[bool],
    reasons: Sequence[list[str]] | None,
) -> str:
    """The verdicts as JSON Lines, exactly as ``json.dumps(verdict.to_json(), ensure_ascii=False)``.

    ``json.dumps`` writes a float with ``repr`` and a string with ``encode_basestring``;
    so does this, with one f-string per account instead of a dict and an encoder pass.
    """
    q = _quote
    words = reasons if reasons is not None else [[]] * len(ids)
    return "".join(
        [
            f'{{"id": {q(i)}, "network": "{n}", "handle": {q(h)}, '
            f'"authentic": {"true" if ok else "false"}, "score": {s!r}, '
            f'"reasons": [{_said(w)}]}}\n'
            for i, n, h, s, ok, w in zip(
                ids, networks, handles, scores, authentic, words, strict=True
            )
        ]
    )


def _said(reasons: list[str]) -> str:
    """The reasons as JSON strings: fixed words and numbers, nothing to escape."""
    return '"' + '", "'.join(reasons) + '"' if reasons else ""


@dataclass(slots=True)
class Chunk:
    """The profiles of a chunk of lines, as columns: who they are and their features."""

    ids: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)  # one of NETWORKS: nothing to escape
    handles: list[str] = field(default_factory=list)
    numbers: list[Numbers] = field(default_factory=list)
    texts: list[tuple[float, ...]] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)

    def features(self, now: datetime | None) -> FloatArray:
        """The feature matrix, the same as ``feature_matrix`` of the same profiles' Accounts."""
        # numpy turns None into NaN when asked for floats: missing stays missing
        table = np.array(self.numbers, dtype=np.float64).reshape(len(self.ids), 8)
        text = np.array(self.texts, dtype=np.float64).reshape(len(self.ids), len(FEATURES) - 14)
        return assemble(table[:, :7], table[:, 7], text, now)


def read_chunk(lines: Sequence[bytes], first: int) -> Chunk:
    """The profiles of ``lines`` (line ``first`` onward) and the lines that are not one."""
    out = Chunk()
    ids, networks, handles = out.ids.append, out.networks.append, out.handles.append
    numbers, texts = out.numbers.append, out.texts.append
    for number, line in enumerate(lines, first):
        try:
            f = profile_fields(_loads(line))
            if f[7] is None or f[8] is None or f[9] is None or (f[10] is None and f[0] == "x"):
                raise _Recheck
            stamp = created_stamp(f[11])
        except ValueError:  # orjson's and the mapping's errors, and _Recheck
            found = _reference(line, number)
            if found is None:
                continue
            if isinstance(found, Failure):
                out.failures.append(found)
                continue
            f = found
            stamp = created_stamp(f[11])
        ids(f[1])
        networks(f[0])
        handles(f[2])
        numbers(_numbers(f, stamp))
        texts(text_features(f[0], f[2], f[3], f[4], f[6], f[5]))
    return out


def audit_stream(
    source: Lines,
    write: Callable[[bytes], object],
    now: datetime | None,
    fail: Callable[[Failure], None],
    explain: int = 3,
    chunk: int = CHUNK,
    model: Ensemble | None = None,
) -> tuple[Summary, int]:
    """Judge every profile line of ``source``, writing verdict lines (UTF-8) with ``write``.

    Returns the summary and the number of bad lines, like
    :func:`~hubbub.audit.followers.audit_followers`, whose output this matches exactly;
    ``fail`` gets each bad line as it comes, ``write`` each chunk's verdicts in input
    order. The summary line is the caller's to write.
    """
    model = model or load_model()
    collecting = gc.isenabled()
    gc.disable()  # a chunk makes many small objects and no cycles: the cyclic GC only costs (~10%)
    try:
        return _stream(source, write, now, fail, explain, chunk, model)
    finally:
        if collecting:
            gc.enable()


def _stream(
    source: Lines,
    write: Callable[[bytes], object],
    now: datetime | None,
    fail: Callable[[Failure], None],
    explain: int,
    chunk: int,
    model: Ensemble,
) -> tuple[Summary, int]:
    number = failed = good = bad = 0
    while lines := source.readlines(chunk):
        got = read_chunk(lines, number + 1)
        number += len(lines)
        for failure in got.failures:
            fail(failure)
        failed += len(got.failures)
        if not got.ids:
            continue
        x = got.features(now)
        if explain:
            raw, contrib = model.explain(x)
        else:
            raw, contrib = model.raw(x), None
        score = np.round(1.0 / (1.0 + np.exp(np.clip(raw, -40.0, 40.0))), 4)  # P(authentic)
        authentic = score >= THRESHOLD
        words = (
            explain_all(got.ids, x, contrib, authentic, explain) if contrib is not None else None
        )
        ok = authentic.tolist()
        write(verdict_lines(got.ids, got.networks, got.handles, score.tolist(), ok, words).encode())
        n_ok = sum(ok)
        good += n_ok
        bad += len(ok) - n_ok
    return tally(good, bad), failed
