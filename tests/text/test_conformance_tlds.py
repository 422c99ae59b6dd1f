"""twitter-text's tlds.yml: every country and generic TLD extracts as a URL."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hubbub.text import extract as ex
from tests.text._conformance import cases

pytestmark = pytest.mark.shared


@pytest.mark.parametrize("case", cases("tlds.yml", "country") + cases("tlds.yml", "generic"))
def test_tld(shared_data: Path, case: dict[str, Any]) -> None:
    assert ex.extract_urls(case["text"]) == case["expected"]
