"""Load twitter-text's conformance YAML as pytest parameters.

The files stay in ../shared/data (never copied into the repo). When they are
absent, each test module still collects one placeholder case that skips through
the ``shared_data`` fixture, so a lone clone reports the skip instead of
silently running nothing.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
import yaml

from tests.conftest import SHARED_DATA

CONFORMANCE = SHARED_DATA / "twitter-text" / "conformance"

__all__ = ["CONFORMANCE", "cases", "load"]


@cache
def load(name: str) -> dict[str, list[dict[str, Any]]]:
    path = CONFORMANCE / name
    if not path.is_file():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    tests: dict[str, list[dict[str, Any]]] = data["tests"]
    return tests


def cases(name: str, section: str, xfail: dict[str, str] | None = None) -> list[Any]:
    """One ``pytest.param`` per case of ``section`` in ``name``.

    ``xfail`` maps a case description to the reason it is expected to fail.
    """
    tests = load(name)
    if not tests:
        return [pytest.param(None, id=f"{section}-absent")]
    xfail = xfail or {}
    params = []
    for i, case in enumerate(tests[section]):
        marks = []
        reason = xfail.get(case["description"])
        if reason:
            marks.append(pytest.mark.xfail(reason=reason, strict=True))
        params.append(pytest.param(case, id=f"{section}-{i:03d}", marks=marks))
    return params
