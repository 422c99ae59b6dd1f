"""Insight: the journalist's 5W+H+E of a mention plus sentiment, one module per question.

Pure functions on model objects (no I/O); :func:`analyse` composes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hubbub.insight.analyse import analyse

__all__ = ["analyse"]


def __getattr__(name: str) -> Any:
    """``analyse`` on first use: importing one question's module (authenticity, for the
    follower audit) need not load every model of every other question."""
    if name == "analyse":
        from hubbub.insight.analyse import analyse

        return analyse
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
