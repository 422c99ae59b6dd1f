"""Benchmark: Mastodon pages/s and posts/s through MastodonClient, against Mastodon.py alone.

Pages of 40 statuses from the local fake instance (tests/fakes/mastodon.py) are read
three ways in the same run, on the same connection pool:

- baseline: ``Mastodon.timeline_hashtag`` as Mastodon.py does it, casting every
  status into its own typed entities;
- client: :meth:`MastodonClient.request` (the response hook decodes the JSON once and
  hands Mastodon.py an empty skeleton, so nothing is cast);
- client + mapping: the same, then every status mapped to a Post (HTML to text,
  entities), which is what the timeline source does per page.

Run: ``.venv/bin/python bench/mastodon_pages.py [--pages 20]``
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from pydantic import SecretStr

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.fakes.mastodon import TOKEN, FakeMastodon, make_corpus

from hubbub.sources.mastodon.client import MastodonClient
from hubbub.sources.mastodon.mapping import statuses_posts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20)
    args = parser.parse_args()
    fake = FakeMastodon(make_corpus(2 * 40 + 1)).start()  # 41 tagged: a full first page
    client = MastodonClient(fake.url, SecretStr(TOKEN))
    try:
        client.request("warm", lambda api: api.timeline_hashtag("sourdough", limit=40))

        # the baseline must cast: take the hook's skeleton away for it
        client.session.hooks["response"].clear()
        started = time.perf_counter()
        for _ in range(args.pages):
            page = client.api.timeline_hashtag("sourdough", limit=40)
            assert len(page) == 40
        base = time.perf_counter() - started
        client.session.hooks["response"].append(client._seen)

        started = time.perf_counter()
        for _ in range(args.pages):
            reply = client.request("t", lambda api: api.timeline_hashtag("sourdough", limit=40))
            assert len(reply.data) == 40
        ours = time.perf_counter() - started

        started = time.perf_counter()
        for _ in range(args.pages):
            reply = client.request("t", lambda api: api.timeline_hashtag("sourdough", limit=40))
            posts, problems = statuses_posts(reply.data)
            assert len(posts) == 40 and not problems
        mapped = time.perf_counter() - started
    finally:
        client.close()
        fake.stop()
    n = args.pages * 40
    rows = [
        ("Mastodon.py alone (casts)", base),
        ("MastodonClient.request", ours),
        ("request + mapping to Posts", mapped),
    ]
    for label, seconds in rows:
        print(f"{label:28} {args.pages / seconds:7.1f} pages/s {n / seconds:8,.0f} posts/s")
    print(f"ratio request / baseline: {base / ours:.1f}x; with mapping: {base / mapped:.1f}x")


if __name__ == "__main__":
    main()
