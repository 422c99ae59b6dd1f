"""The follower audit's batch path: JSON Lines bytes in, verdict lines out, by columns.

``hubbub audit followers`` must judge 100,000 accounts a second. The reference path
(:func:`hubbub.audit.followers.audit_followers`) makes an :class:`Account`, a
:class:`Verdict` and a dict per follower and calls a function per field and per
reason. This path reads a chunk of lines at a time and turns it into columns
(:mod:`hubbub.audit.columns`: msgspec structs, one list comprehension per field, the
text features and creation times over whole columns), scores and explains the chunk
with array code (:meth:`~hubbub.insight.authenticity.Ensemble.explain_by`), words the
reasons by columns (:func:`hubbub.insight.wording.reason_columns`) and writes the
chunk's lines with one join of pre-built pieces: a score's text, with its verdict, is
one of 10,001 strings made once.

The output is byte for byte the reference's: the same JSON layout as ``json.dumps``
(``", "`` and ``": "``, non-ASCII kept), the same rounding, the same reasons and the
same error lines. A line the columns cannot vouch for (see :mod:`hubbub.audit.columns`)
goes through the reference reader, which decides it as it always did.
"""

from __future__ import annotations

import gc
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Protocol

import numpy as np
import numpy.typing as npt
from msgspec import UNSET

from hubbub.audit.columns import (
    BLUESKY,
    KINDS,
    MASTODON,
    OTHER,
    V1,
    V2,
    Block,
    Profile,
    decode,
    read_block,
    text_columns,
)
from hubbub.audit.followers import THRESHOLD, Failure, Summary, parse_lines, tally
from hubbub.audit.profiles import Fields, ProfileError, created_stamp
from hubbub.audit.stamps import stamps
from hubbub.insight.authenticity import Ensemble, FloatArray, assemble, load_model, text_features
from hubbub.insight.reasons import MEMBERS
from hubbub.insight.wording import reason_columns

__all__ = ["CHUNK", "UNPAIRED", "Chunk", "Lines", "audit_stream", "read_chunk", "verdict_text"]

#: Bytes read at a time: about 3,000 profiles of usual size.
CHUNK = 1 << 20
#: How text is encoded for the output. JSON (and so Python's json) allows a lone
#: surrogate as ``\ud800``, which UTF-8 cannot hold; written back as the same escape it
#: reads as the same string again.
UNPAIRED = "backslashreplace"

_quote: Callable[[str], str] = json.encoder.encode_basestring
_ESCAPED = re.compile(r'[\x00-\x1f"\\]')  # what json.dumps escapes with ensure_ascii=False


class Lines(Protocol):
    """A binary stream read a chunk of whole lines at a time (``sys.stdin.buffer``)."""

    def readlines(self, hint: int = -1, /) -> list[bytes]: ...


@dataclass(slots=True)
class Chunk:
    """The profiles of a chunk of lines, as columns, in the lines' order."""

    ids: list[str] = field(default_factory=list)
    networks: list[str] = field(default_factory=list)  # one of NETWORKS: nothing to escape
    handles: list[str] = field(default_factory=list)
    numbers: FloatArray = field(default_factory=lambda: np.empty((0, 7)))
    created: FloatArray = field(default_factory=lambda: np.empty(0))
    text: FloatArray = field(default_factory=lambda: np.empty((0, 9)))
    failures: list[Failure] = field(default_factory=list)

    def features(self, now: datetime | None) -> FloatArray:
        """The feature matrix, the same as ``feature_matrix`` of the same profiles' Accounts."""
        return assemble(self.numbers, self.created, self.text, now)


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


def _kinds(structs: list[Profile | None]) -> npt.NDArray[np.int8]:
    """Each struct's kind, as :func:`hubbub.audit.columns.kind` tells it (inlined: per line)."""
    u = UNSET
    return np.array(
        [
            OTHER
            if p is None
            else V1
            if p.screen_name is not u
            else OTHER
            if p.network is not u
            else BLUESKY
            if p.did is not u
            else MASTODON
            if p.acct is not u
            else V2
            if p.username is not u
            else OTHER
            for p in structs
        ],
        dtype=np.int8,
    )


def _times(block: Block) -> tuple[FloatArray, list[int]]:
    """The block's creation stamps, and the places of those that are no time at all."""
    out, rest = stamps(block.created)
    wrong = []
    for i in rest:
        try:
            out[i] = created_stamp(block.created[i])
        except ProfileError:
            wrong.append(i)
    return out, wrong


def _without(block: Block, drop: list[int]) -> Block:
    gone = set(drop)
    keep = [i for i in range(len(block.rows)) if i not in gone]

    def pick(values: list[str]) -> list[str]:
        return [values[i] for i in keep]

    return Block(
        block.kind, [block.rows[i] for i in keep], pick(block.ids), pick(block.handles),
        pick(block.local), pick(block.names), pick(block.bios), pick(block.locations),
        pick(block.urls), block.numbers[keep], [block.created[i] for i in keep],
    )  # fmt: skip


def read_chunk(lines: Sequence[bytes], first: int) -> Chunk:
    """The profiles of ``lines`` (line ``first`` onward) and the lines that are not one."""
    structs, _ = decode(lines)
    kinds = _kinds(structs)
    rows: list[list[int]] = []
    ids: list[str] = []
    networks: list[str] = []
    handles: list[str] = []
    numbers, created, text = [], [], []
    refer = np.flatnonzero(kinds == OTHER).tolist()  # with the lines msgspec refused
    for k in (V1, V2, MASTODON, BLUESKY):
        at = np.flatnonzero(kinds == k).tolist()
        if not at:
            continue
        block, rest = read_block(k, at, [structs[i] for i in at])  # type: ignore[misc]
        refer += rest
        if block is None:
            continue
        stamp, wrong = _times(block)
        if wrong:  # no time: the reference reader words the error
            refer += [block.rows[i] for i in wrong]
            block = _without(block, wrong)
            stamp = np.delete(stamp, wrong)
        rows.append(block.rows)
        ids += block.ids
        networks += [KINDS[k]] * len(block.rows)
        handles += block.handles
        numbers.append(block.numbers)
        created.append(stamp)
        text.append(text_columns(block))
    failures = []
    if refer:
        mine: list[int] = []
        nums: list[tuple[float | int | bool | None, ...]] = []
        stamps_: list[float] = []
        texts: list[tuple[float, ...]] = []
        for i in sorted(set(refer)):
            found = _reference(lines[i], first + i)
            if found is None:
                continue
            if isinstance(found, Failure):
                failures.append(found)
                continue
            f = found
            mine.append(i)
            ids.append(f[1])
            networks.append(f[0])
            handles.append(f[2])
            nums.append((f[7], f[8], f[9], f[10], f[12], f[13], f[14]))
            stamps_.append(created_stamp(f[11]))
            texts.append(text_features(f[0], f[2], f[3], f[4], f[6], f[5]))
        if mine:
            rows.append(mine)
            numbers.append(np.array(nums, dtype=np.float64).reshape(len(mine), 7))
            created.append(np.array(stamps_, dtype=np.float64))
            text.append(np.array(texts, dtype=np.float64).reshape(len(mine), 9))
    out = Chunk(failures=failures)
    if not rows:
        return out
    out.numbers, out.created, out.text = (
        np.vstack(numbers),
        np.concatenate(created),
        np.vstack(text),
    )
    if len(rows) == 1:
        out.ids, out.networks, out.handles = ids, networks, handles
        return out
    order = np.argsort(np.concatenate([np.array(r, dtype=np.intp) for r in rows]), kind="stable")
    out.numbers, out.created, out.text = out.numbers[order], out.created[order], out.text[order]
    out.ids, out.networks, out.handles = (
        _objects(values)[order].tolist() for values in (ids, networks, handles)
    )
    return out


def _objects(values: list[str]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


@cache
def _scores() -> tuple[npt.NDArray[np.object_], FloatArray]:
    """Per score in ten-thousandths: the text from the closing quote of the handle to ``[``."""
    values = np.arange(10_001) / 10_000  # the nearest doubles, as np.round(_, 4) gives
    tails = _objects(
        [
            f'", "authentic": {"true" if s >= THRESHOLD else "false"}, "score": {s!r}, "reasons": ['
            for s in values.tolist()
        ]
    )
    return tails, values


_NETWORK_TEXT: dict[str, str] = {}


def _network_text(network: str) -> str:
    said = _NETWORK_TEXT.get(network)
    if said is None:
        said = _NETWORK_TEXT[network] = f'", "network": "{network}", "handle": "'
    return said


def verdict_text(
    ids: list[str],
    networks: list[str],
    handles: list[str],
    score: FloatArray,
    reasons: list[list[str]],
) -> str:
    """The verdicts as JSON Lines, exactly as ``json.dumps(verdict.to_json(), ensure_ascii=False)``.

    ``score`` is rounded to 4 places; ``reasons`` are :func:`reason_columns`' places. The
    lines are joined from their pieces in one go: ids and handles (escaped only if one
    needs it), a piece per network, a piece per score, the reasons' places.
    """
    n = len(ids)
    if not n:
        return ""
    tails, values = _scores()
    step = np.rint(score * 10_000).astype(np.intp)
    if not np.array_equal(values[np.clip(step, 0, 10_000)], score):  # pragma: no cover
        raise ValueError("scores must be rounded to 4 places, between 0 and 1")
    if _ESCAPED.search("".join(ids)) or _ESCAPED.search("".join(handles)):
        ids = [_quote(s)[1:-1] for s in ids]
        handles = [_quote(s)[1:-1] for s in handles]
    width = 6 + len(reasons)
    parts: list[str] = [""] * (n * width)
    parts[0::width] = ['{"id": "'] * n
    parts[1::width] = ids
    said = _NETWORK_TEXT
    parts[2::width] = [said.get(s) or _network_text(s) for s in networks]
    parts[3::width] = handles
    parts[4::width] = tails[step].tolist()
    for j, place in enumerate(reasons):
        parts[5 + j :: width] = place
    parts[width - 1 :: width] = ["]}\n"] * n
    return "".join(parts)


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
    gc.disable()  # a chunk makes many small objects and no cycles: the cyclic GC only costs
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
            raw, push = model.explain_by(x, MEMBERS)
        else:
            raw, push = model.raw(x), None
        score = np.round(1.0 / (1.0 + np.exp(np.clip(raw, -40.0, 40.0))), 4)  # P(authentic)
        authentic = score >= THRESHOLD
        reasons = reason_columns(x, push, authentic, explain)[0] if push is not None else []
        text = verdict_text(got.ids, got.networks, got.handles, score, reasons)
        write(text.encode("utf-8", UNPAIRED))
        n_ok = int(authentic.sum())
        good += n_ok
        bad += len(got.ids) - n_ok
    return tally(good, bad), failed
