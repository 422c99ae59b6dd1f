"""Benchmark: how fast the store writes a listener's batches on SQLite.

Writes 20,000 demo-like posts (each a mention matched by one to three streams,
with its full insight, ~1,500 distinct authors, raw payloads and entities) in
batches of 1,000 through :func:`hubbub.store.write_batch`, one transaction per
batch as :func:`hubbub.listen.ingest` does, into a fresh SQLite file. The baseline,
run beside it on another fresh file, is the least any writer could do with the
same rows: a plain ``executemany`` INSERT per table (ids assigned up front, no
conflict handling, no id lookups). A second pass of the same batches measures the
all-conflict path (every row already stored: what a resumed or repeated run costs).

Usage: .venv/bin/python bench/store.py [--posts N] [--batch N]
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, insert

from hubbub.codec import to_dict
from hubbub.model import (
    Account,
    Batch,
    Entities,
    Extent,
    How,
    Insight,
    Mention,
    Metrics,
    Place,
    Post,
    Provenance,
    Sentiment,
    Span,
    Stream,
    What,
    When,
    Where,
    Who,
    Why,
    Workspace,
)
from hubbub.store import Store, upsert_workspace, write_batch
from hubbub.store.tables import accounts, mention_streams, mentions, posts, streams, workspaces
from hubbub.store.write import mention_row, post_row

STREAMS = (
    Stream("Larkspur Bakery", '"Larkspur Bakery" OR @larkspurbakes', "brand"),
    Stream("Flour Child Bakehouse", '"Flour Child Bakehouse" OR @flourchildavl', "competitor"),
    Stream("Asheville", "asheville OR avl", "locale"),
    Stream("Industry", "bakery OR sourdough OR croissant", "industry"),
)
WORDS = [
    "sourdough",
    "croissant",
    "bakery",
    "asheville",
    "avl",
    "morning",
    "fresh",
    "loaf",
    "line",
    "coffee",
    "love",
    "great",
]


def _clock() -> float:
    """CPU seconds of this process (SQLite runs in-process): steadier than wall time on a
    shared machine; WAL with synchronous=NORMAL does no fsync per commit to hide."""
    return time.process_time()


def demo_like(n: int, seed: int = 7) -> tuple[Workspace, list[Post], list[Mention]]:
    rng = random.Random(seed)
    ws = Workspace(slug="larkspur", name="Larkspur Bakery", streams=STREAMS)
    end = datetime(2025, 6, 1, tzinfo=UTC)
    people = [
        Account(
            network=rng.choice(("x", "x", "mastodon", "bluesky")),
            id=str(10_000 + i),
            handle=f"person{i}",
            name=f"Person {i}",
            bio="bread lover, " + " ".join(rng.sample(WORDS, 4)),
            location=rng.choice(("Asheville, NC", "AVL", "", "Charlotte")),
            followers=rng.randint(0, 20_000),
            following=rng.randint(0, 2000),
            posts=rng.randint(1, 50_000),
            created=end - timedelta(days=rng.randint(30, 4000)),
            verified=rng.random() < 0.05,
        )
        for i in range(1500)
    ]
    out_posts: list[Post] = []
    found: list[Mention] = []
    for i in range(n):
        author = rng.choice(people)
        words = rng.sample(WORDS, 8)
        body = f"{' '.join(words)} #avl @larkspurbakes https://t.co/{i:06d}"
        h = body.index("#avl")
        m = body.index("@larkspurbakes")
        created = end - timedelta(seconds=rng.randint(0, 90 * 86400))
        post = Post(
            network=author.network,
            id=str(1_800_000_000_000 + i),
            author=author,
            text=body,
            created=created,
            language="en",
            url=f"https://example.social/{author.handle}/{i}",
            entities=Entities(
                hashtags=(Span("avl", h, h + 4),),
                mentions=(Span("larkspurbakes", m, m + 14),),
                urls=(Span(f"https://t.co/{i:06d}", len(body) - 19, len(body)),),
            ),
            metrics=Metrics(likes=rng.randint(0, 40), reposts=rng.randint(0, 5), replies=1),
            place=Place("Asheville", "Asheville, NC", "US", 35.59, -82.55)
            if rng.random() < 0.1
            else None,
            client="Hubbub Demo",
            raw={"id": str(i), "text": body, "author_id": author.id, "lang": "en"},
            provenance=Provenance("demo", "demo://larkspur", end),
        )
        names = tuple(rng.sample([s.name for s in STREAMS], rng.randint(1, 3)))
        insight = Insight(
            who=Who(author.handle, author.followers, 0.8, "customer"),
            what=What(hashtags=("avl",), mentions=("larkspurbakes",), products=("sourdough",)),
            when=When(created, created.weekday() * 24 + created.hour),
            where=Where("Asheville", 35.59, -82.55, True, 1.2),
            why=Why(("praise",)),
            how=How(author.network, "Hubbub Demo", "original", False, "en"),
            extent=Extent(author.followers or 0, 12, None),
            sentiment=Sentiment("positive", 0.7),
        )
        out_posts.append(post)
        found.append(Mention(ws.slug, post, names, insight))
    return ws, out_posts, found


def run_store(
    path: Path, ws: Workspace, chunks: list[tuple[Batch, list[Mention]]]
) -> tuple[float, float]:
    with Store.open(f"sqlite:///{path}") as store:
        with store.begin() as conn:
            ws_id = upsert_workspace(conn, ws)
        started = _clock()
        for batch, found in chunks:
            with store.begin() as conn:
                write_batch(conn, ws_id, batch, found)
        first = _clock() - started
        started = _clock()
        for batch, found in chunks:
            with store.begin() as conn:
                write_batch(conn, ws_id, batch, found)
        again = _clock() - started
    return first, again


def run_baseline(path: Path, ws: Workspace, chunks: list[tuple[Batch, list[Mention]]]) -> float:
    """The same rows by plain executemany INSERT: ids assigned here, no conflicts, no lookups."""
    with Store.open(f"sqlite:///{path}") as store:
        now = datetime.now(UTC)
        with store.begin() as conn:
            conn.execute(
                insert(workspaces),
                [
                    {
                        "id": 1,
                        "slug": ws.slug,
                        "name": ws.name,
                        "timezone": "UTC",
                        "config": to_dict(ws),
                        "created": now,
                        "updated": now,
                    }
                ],
            )
            conn.execute(
                insert(streams),
                [
                    {
                        "id": i + 1,
                        "workspace_id": 1,
                        "name": s.name,
                        "kind": s.kind,
                        "query": s.query,
                        "paused": False,
                        "created": now,
                    }
                    for i, s in enumerate(STREAMS)
                ],
            )
        stream_ids = {s.name: i + 1 for i, s in enumerate(STREAMS)}
        account_ids: dict[tuple[str, str], int] = {}
        started = _clock()
        next_post = 1
        for batch, found in chunks:
            with store.begin() as conn:
                next_post = _baseline_batch(
                    conn, batch, found, account_ids, stream_ids, next_post, now
                )
        return _clock() - started


def _baseline_batch(
    conn: Connection,
    batch: Batch,
    found: list[Mention],
    account_ids: dict[tuple[str, str], int],
    stream_ids: dict[str, int],
    next_post: int,
    now: datetime,
) -> int:
    new_accounts: list[dict[str, Any]] = []
    for p in batch.posts:
        a = p.author
        if (a.network, a.id) not in account_ids:
            account_ids[(a.network, a.id)] = len(account_ids) + 1
            new_accounts.append(
                {
                    "id": account_ids[(a.network, a.id)],
                    "network": a.network,
                    "native_id": a.id,
                    "handle": a.handle,
                    "name": a.name,
                    "bio": a.bio,
                    "location": a.location,
                    "url": a.url,
                    "followers": a.followers,
                    "following": a.following,
                    "posts": a.posts,
                    "listed": a.listed,
                    "created": a.created,
                    "verified": a.verified,
                    "default_avatar": a.default_avatar,
                    "default_profile": a.default_profile,
                    "updated": now,
                }
            )
    if new_accounts:
        conn.execute(insert(accounts), new_accounts)
    post_rows: list[dict[str, Any]] = []
    mention_rows: list[dict[str, Any]] = []
    links: list[dict[str, int]] = []
    for offset, (p, m) in enumerate(zip(batch.posts, found, strict=True)):
        pid = next_post + offset
        author_id = account_ids[(p.author.network, p.author.id)]
        post_rows.append({"id": pid, **post_row(p, author_id)})
        mention_rows.append({"id": pid, **mention_row(m, 1, pid, author_id, now)})
        links.extend({"mention_id": pid, "stream_id": stream_ids[s]} for s in m.streams)
    conn.execute(insert(posts), post_rows)
    conn.execute(insert(mentions), mention_rows)
    conn.execute(insert(mention_streams), links)
    return next_post + len(batch.posts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    ws, all_posts, found = demo_like(args.posts)
    chunks = [
        (
            Batch("demo", all_posts[i : i + args.batch], str(i + args.batch)),
            found[i : i + args.batch],
        )
        for i in range(0, len(all_posts), args.batch)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        base = run_baseline(Path(tmp) / "baseline.db", ws, chunks)
        first, again = run_store(Path(tmp) / "store.db", ws, chunks)
    n = len(all_posts)
    print(f"posts+mentions: {n:,} in batches of {args.batch:,} on SQLite (WAL, synchronous=NORMAL)")
    print("times are CPU seconds of this process; ratio = write_batch speed / baseline speed")
    print(f"baseline plain executemany INSERT : {base:6.2f} s  {n / base:9,.0f} posts/s")
    print(
        f"write_batch (new rows)             : {first:6.2f} s  {n / first:9,.0f} posts/s"
        f"  ratio {base / first:.2f}x of baseline speed"
    )
    print(
        f"write_batch (all already stored)   : {again:6.2f} s  {n / again:9,.0f} posts/s"
        f"  ratio {base / again:.2f}x of baseline speed"
    )


if __name__ == "__main__":
    main()
