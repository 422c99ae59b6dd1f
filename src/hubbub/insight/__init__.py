"""Insight: the journalist's 5W+H+E of a mention plus sentiment, one module per question.

Pure functions on model objects (no I/O); :func:`analyse` composes them.
"""

from __future__ import annotations

from hubbub.insight.analyse import analyse, clear_caches

__all__ = ["analyse", "clear_caches"]
