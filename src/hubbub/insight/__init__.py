"""Insight: the journalist's 5W+H+E of a mention plus sentiment, one module per question.

Pure functions on model objects (no I/O); :func:`hubbub.insight.analyse.analyse`
composes them. This package imports none of them itself, so a caller of one question
(the follower audit's authenticity) loads only that one's models.
"""

from __future__ import annotations

__all__: list[str] = []
