"""Fixtures for the sources' tests: the fake X API on 127.0.0.1 and a client pointed at it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import SecretStr
from tests.fakes.x_api import TOKEN, FakeClock, FakeX, make_corpus

from hubbub.sources.x.client import XClient


@pytest.fixture
def clock() -> FakeClock:
    """Epoch seconds that move only when the client sleeps (shared with the fake)."""
    return FakeClock()


@pytest.fixture
def fake_x(clock: FakeClock) -> Iterator[FakeX]:
    """The fake X with 250 tweets (sourdough and croissant alternating)."""
    tweets, users = make_corpus(250)
    fake = FakeX(tweets, users, clock=clock).start()
    yield fake
    fake.stop()


@pytest.fixture
def x_client(fake_x: FakeX, clock: FakeClock) -> Iterator[XClient]:
    """A client of the fake whose sleeps advance ``clock`` instead of waiting."""
    client = XClient(SecretStr(TOKEN), fake_x.url, sleep=clock.sleep, clock=clock, timeout=5)
    yield client
    client.close()
