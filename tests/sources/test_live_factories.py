"""The live-source factories of X and RSS, and how the registry lends them a usage meter."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from hubbub.model import Competitor, Stream, Workspace
from hubbub.settings import Settings
from hubbub.sources import registry
from hubbub.sources.registry import LiveSource, configured_sources
from hubbub.sources.rss import POLL_SECONDS, RssSource, live_sources, workspace_feeds
from hubbub.sources.x import live as x_live
from hubbub.sources.x.usage import CapReached, MemoryMeter

STREAMS = (Stream("Brand", "larkspur", "brand"), Stream("Old", "rye", "campaign", paused=True))


def _settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def _workspace(**changes: object) -> Workspace:
    fields: dict[str, object] = {"slug": "larkspur", "name": "Larkspur", "streams": STREAMS}
    fields.update(changes)
    return Workspace(**fields)  # type: ignore[arg-type]


def test_x_needs_a_token_and_an_active_stream() -> None:
    assert x_live.live_sources(_workspace(), _settings()) == []
    assert x_live.live_sources(_workspace(), _settings(x_bearer_token=SecretStr("  "))) == []
    paused = (Stream("Old", "rye", "campaign", paused=True),)
    token = _settings(x_bearer_token=SecretStr("t" * 20))
    assert x_live.live_sources(_workspace(streams=paused), token) == []


def test_x_is_the_filtered_stream_metered_by_the_meter_lent() -> None:
    meter = MemoryMeter()
    asked: list[str] = []

    def meters(network: str) -> MemoryMeter:
        asked.append(network)
        return meter

    settings = _settings(x_bearer_token=SecretStr("t" * 20), x_monthly_read_cap=5)
    [live] = x_live.live_sources(_workspace(), settings, meters=meters)
    source = live.source
    assert isinstance(source, x_live.LiveXStream)
    assert (source.name, live.poll_seconds, asked) == ("x:stream", None, ["x"])
    assert source.workspace == "larkspur"
    source.client.budget.record(reads=5)  # the cap holds on the meter lent
    assert meter.usage(source.client.budget.month()) == (5, 0)
    with pytest.raises(CapReached):
        source.client.budget.check()
    source.close()


def test_rss_reads_every_feed_the_workspace_names_once() -> None:
    ws = _workspace(
        blog_feed="https://larkspurbakery.com/feed.xml",
        handles={"rss": "https://larkspurbakery.com/feed.xml", "x": "larkspurbakes"},
        competitors=(
            Competitor("Rival", {"rss": "https://rival.example/atom.xml"}),
            Competitor("Quiet", {"x": "quiet"}),
        ),
    )
    assert workspace_feeds(ws) == [
        "https://larkspurbakery.com/feed.xml",
        "https://rival.example/atom.xml",
    ]
    [live] = live_sources(ws, _settings())
    assert isinstance(live.source, RssSource)
    assert live.source.urls == workspace_feeds(ws)
    assert live.poll_seconds == POLL_SECONDS == 900
    live.source.close()
    assert live_sources(_workspace(), _settings()) == []


seen: list[tuple[str, object]] = []


def two_args(workspace: Workspace, settings: Settings) -> list[LiveSource]:
    seen.append(("two_args", None))
    return []


def with_meters(
    workspace: Workspace, settings: Settings, *, meters: object = None
) -> list[LiveSource]:
    seen.append(("with_meters", meters))
    return []


def test_the_registry_lends_meters_only_to_factories_that_take_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = __name__
    monkeypatch.setattr(
        registry, "FACTORIES", {"a": f"{here}:two_args", "b": f"{here}:with_meters"}
    )
    seen.clear()

    def meters(network: str) -> MemoryMeter:
        return MemoryMeter()

    assert configured_sources(_workspace(), _settings(), meters=meters) == []
    assert seen == [("two_args", None), ("with_meters", meters)]
    seen.clear()
    configured_sources(_workspace(), _settings())
    assert seen == [("two_args", None), ("with_meters", None)]


def test_x_and_rss_are_registered() -> None:
    assert registry.FACTORIES["x"] == "hubbub.sources.x.live:live_sources"
    assert registry.FACTORIES["rss"] == "hubbub.sources.rss:live_sources"
