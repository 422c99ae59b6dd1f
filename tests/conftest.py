"""Fixtures shared by every test module."""

from __future__ import annotations

import os
from collections.abc import Generator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """``../shared/data`` beside the checkout; skips where it is absent (a lone clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"../shared/data not found at {SHARED_DATA}: the shared datasets are absent")
    return SHARED_DATA


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """In CI (``HUBBUB_REQUIRE_SERVICES=1``) a skip is a failure.

    On a laptop a test skips with its reason where chromium, PostgreSQL or
    ../shared is missing; CI has them all, so there a skip means a broken install.
    """
    report = yield
    if report.skipped and os.environ.get("HUBBUB_REQUIRE_SERVICES") == "1":
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped in CI, where it must run: {reason}"
    return report
