"""Benchmark: accounts/s through the follower audit's reference path, by stage.

A large deterministic set of profile lines (X v1.1 and v2 users, Mastodon accounts,
Bluesky profiles, bought-follower and genuine shapes) goes through each stage of the
reference path (Accounts, :func:`hubbub.audit.followers.judge`), timed apart, beside
the baseline of ``json.loads`` of the same lines in the same run (the floor any JSON
Lines reader pays):

- parse: json.loads and the per-network mapping to Account;
- features + score: the feature matrix and the tree walk (target: 100,000 accounts/s);
- core: parse + features + score into verdicts, without and with the reasons in words
  (the command's default is 3 reasons; writing the output aside). The command itself
  takes the batch path by columns: ``bench/followers.py`` measures it.

Run: ``.venv/bin/python bench/authenticity.py [--accounts 200000] [--repeat 3]``
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from hubbub.audit.followers import Failure, audit_followers, parse_lines
from hubbub.insight.authenticity import feature_matrix, load_model
from hubbub.model import Account

NOW = datetime(2026, 3, 14, tzinfo=UTC)
NAMES = ["maya", "sam", "jordan", "ana", "li", "omar", "grace", "liam", "zoe", "ravi"]


def _shape(r: random.Random) -> dict[str, object]:
    fake = r.random() < 0.3
    first = r.choice(NAMES)
    return {
        "handle": f"{first}{r.randrange(10**6, 10**9)}" if fake else f"{first}_{r.choice(NAMES)}",
        "name": first.title(),
        "bio": "" if fake else "Bread, bikes and the Blue Ridge. https://example.com",
        "followers": int(r.lognormvariate(2 if fake else 5, 1.2)),
        "following": int(r.lognormvariate(7 if fake else 5.5, 0.8)),
        "posts": 0 if fake else int(r.lognormvariate(7, 1.3)),
        "created": NOW - timedelta(days=r.randrange(20, 400) if fake else r.randrange(300, 5000)),
        "default": fake and r.random() < 0.7,
    }


def make_lines(n: int, seed: int = 7) -> list[str]:
    r = random.Random(seed)
    out = []
    for i in range(n):
        s = _shape(r)
        created: datetime = s["created"]  # type: ignore[assignment]
        kind = i % 4
        if kind == 0:
            obj: dict[str, object] = {
                "id_str": str(10**15 + i), "screen_name": s["handle"], "name": s["name"],
                "description": s["bio"], "location": "Asheville, NC", "url": None,
                "followers_count": s["followers"], "friends_count": s["following"],
                "statuses_count": s["posts"], "listed_count": 0,
                "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "verified": False, "default_profile": s["default"],
                "default_profile_image": s["default"],
            }  # fmt: skip
        elif kind == 1:
            obj = {
                "id": str(10**15 + i), "username": s["handle"], "name": s["name"],
                "description": s["bio"], "created_at": created.isoformat(), "verified": False,
                "public_metrics": {"followers_count": s["followers"],
                                   "following_count": s["following"],
                                   "tweet_count": s["posts"], "listed_count": 1},
            }  # fmt: skip
        elif kind == 2:
            obj = {
                "id": str(i), "username": s["handle"], "acct": f"{s['handle']}@mastodon.social",
                "display_name": s["name"], "note": s["bio"], "followers_count": s["followers"],
                "following_count": s["following"], "statuses_count": s["posts"],
                "created_at": created.isoformat(), "avatar": "https://m.example/a.png",
            }  # fmt: skip
        else:
            obj = {
                "did": f"did:plc:{i:024d}", "handle": f"{s['handle']}.bsky.social",
                "displayName": s["name"], "description": s["bio"],
                "followersCount": s["followers"], "followsCount": s["following"],
                "postsCount": s["posts"], "createdAt": created.isoformat(),
            }  # fmt: skip
            if not s["default"]:
                obj["avatar"] = "https://cdn.bsky.app/a.jpg"
        out.append(json.dumps(obj))
    return out


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    lines = make_lines(args.accounts)
    n = len(lines)
    model = load_model()
    accounts = [a for a in parse_lines(lines) if isinstance(a, Account)]
    assert len(accounts) == n

    def features_and_score() -> object:
        return model.raw(feature_matrix(accounts, NOW))

    def core(reasons: int) -> Callable[[], object]:
        def fail(f: Failure) -> None:
            raise SystemExit(f"bench line failed: {f}")

        return lambda: audit_followers(lines, NOW, lambda v: None, fail, explain=reasons)

    stages = [
        ("parse (json + mapping)", lambda: list(parse_lines(lines))),
        ("features + score", features_and_score),
        ("core: parse + features + score", core(0)),
        ("core with 3 reasons (the reference path)", core(3)),
    ]
    baseline = n / best(lambda: [json.loads(line) for line in lines], args.repeat)
    print(f"accounts: {n:,}, mean line {sum(map(len, lines)) / n:.0f} bytes")
    print(f"{'baseline json.loads':<38}{baseline:>12,.0f} accounts/s")
    for name, fn in stages:
        rate = n / best(fn, args.repeat)
        print(f"{name:<38}{rate:>12,.0f} accounts/s   ratio to baseline {rate / baseline:.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
