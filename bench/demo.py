"""Benchmark: how fast the demo world is drawn, against a baseline run beside it.

The baseline builds the same number of ``Post`` objects from one fixed template
(the floor any generator pays for the model objects themselves), so the ratio
says how much the simulation (sampling, templates, threads, metrics) costs on top,
independent of the machine.

Run: ``.venv/bin/python bench/demo.py [--seed 7] [--days 90] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hubbub.model import Account, Competitor, Locale, Post, Provenance, TeamMember, Workspace
from hubbub.sources.demo import generate_world

EXAMPLE = Path(__file__).resolve().parents[1] / "src" / "hubbub" / "examples" / "bakery.toml"
END = datetime(2026, 3, 14, 15, tzinfo=UTC)


def bakery() -> Workspace:
    """The bundled example workspace, read with tomllib (the bench needs no CLI)."""
    data = tomllib.loads(EXAMPLE.read_text())
    biz, loc = data["business"], data["locale"]
    return Workspace(
        slug=biz["slug"],
        name=biz["name"],
        handles=dict(biz.get("handles", {})),
        website=biz.get("website", ""),
        locale=Locale(
            town=loc["town"],
            latitude=loc["latitude"],
            longitude=loc["longitude"],
            radius_km=loc.get("radius_km", 10.0),
            country=loc.get("country", ""),
            nicknames=tuple(loc.get("nicknames", ())),
        ),
        competitors=tuple(
            Competitor(c["name"], dict(c.get("handles", {}))) for c in data.get("competitors", ())
        ),
        products=tuple(biz.get("products", ())),
        industry_words=tuple(biz.get("industry_words", ())),
        timezone=biz.get("timezone", "UTC"),
        team=tuple(
            TeamMember(m["name"], handles=dict(m.get("handles", {}))) for m in data.get("team", ())
        ),
    )


def baseline(n: int) -> float:
    """Seconds to build ``n`` posts from one fixed template."""
    author = Account(network="x", id="1", handle="someone", name="Some One", followers=10)
    provenance = Provenance(source="demo", url="demo://seed/0", retrieved=END)
    template = "The {product} at {biz} is so good!"
    start = time.perf_counter()
    posts = [
        Post(
            network="x",
            id=str(i),
            author=author,
            text=template.format(product="croissant", biz="Larkspur Bakery"),
            created=END - timedelta(seconds=i),
            language="en",
            url=f"https://x.com/someone/status/{i}",
            raw={"demo": {"kind": "praise", "template": 0, "fake": False}},
            provenance=provenance,
        )
        for i in range(n)
    ]
    elapsed = time.perf_counter() - start
    assert len(posts) == n
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ws = bakery()
    best, posts, accounts = float("inf"), 0, 0
    for _ in range(args.repeat):
        start = time.perf_counter()
        world = generate_world(ws, seed=args.seed, days=args.days, end=END)
        best = min(best, time.perf_counter() - start)
        posts, accounts = len(world.posts), len(world.accounts)
    base = min(baseline(posts) for _ in range(args.repeat))
    print(
        f"demo world ({args.days} days, seed {args.seed}): {posts:,} posts, {accounts:,} accounts"
    )
    print(f"  generate_world  {best:7.3f} s  {posts / best:12,.0f} posts/s")
    print(f"  baseline        {base:7.3f} s  {posts / base:12,.0f} posts/s  (one fixed template)")
    print(
        f"  ratio           {best / base:7.1f} x  the baseline's time (target: under 10 s absolute)"
    )


if __name__ == "__main__":
    main()
