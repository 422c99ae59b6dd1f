"""The demo world: deterministic, big enough, resumable, and shaped like real social life."""

from __future__ import annotations

import os
import random
import re
import statistics
import subprocess
import sys
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from hubbub.model import Account, Competitor, Locale, Post, TeamMember, Workspace
from hubbub.sources.base import Source, SourceError
from hubbub.sources.demo import DemoSource, DemoWorld, generate_world

END = datetime(2026, 3, 14, 15, tzinfo=UTC)

BAKERY = Workspace(
    slug="larkspur",
    name="Larkspur Bakery",
    handles={
        "x": "larkspurbakes",
        "mastodon": "larkspur@mastodon.social",
        "bluesky": "larkspurbakery.bsky.social",
    },
    website="https://larkspurbakery.com",
    locale=Locale(
        town="Asheville",
        latitude=35.5951,
        longitude=-82.5515,
        radius_km=15,
        country="US",
        nicknames=("AVL", "West Asheville", "River Arts District"),
    ),
    competitors=(
        Competitor(
            "Flour Child Bakehouse", {"x": "flourchildavl", "bluesky": "flourchild.bsky.social"}
        ),
        Competitor(
            "Mountain Crust", {"x": "mountaincrust", "mastodon": "mountaincrust@mastodon.social"}
        ),
    ),
    products=("sourdough", "croissant", "cinnamon roll", "baguette", "wedding cake",
              "gluten-free loaf", "focaccia", "cold brew"),
    industry_words=("bakery", "bakeries", "artisan bread", "pastry", "pastries", "baking",
                    "bread flour", "patisserie"),
    timezone="America/New_York",
    team=(
        TeamMember("Maya Ortiz", role="owner", handles={"x": "mayabakes"}),
        TeamMember("Sam Reed", handles={"x": "samreedavl"}),
    ),
)  # fmt: skip


@pytest.fixture(scope="module")
def world() -> DemoWorld:
    return generate_world(BAKERY, seed=7, days=90, end=END)


def _truth(post: Post) -> dict[str, object]:
    assert post.raw is not None
    truth = post.raw["demo"]
    assert isinstance(truth, dict)
    return truth


def _share(posts: list[Post], pattern: str) -> float:
    rx = re.compile(pattern, re.IGNORECASE)
    return sum(1 for p in posts if rx.search(p.text)) / len(posts)


def test_same_seed_and_end_give_identical_worlds_and_leave_global_random_alone(
    world: DemoWorld,
) -> None:
    state = random.getstate()
    again = generate_world(BAKERY, seed=7, days=90, end=END)
    assert random.getstate() == state
    assert again.posts == world.posts
    assert again.followers == world.followers
    assert again.accounts == world.accounts


def test_another_seed_or_end_gives_another_world() -> None:
    a = generate_world(BAKERY, seed=1, days=20, end=END)
    b = generate_world(BAKERY, seed=2, days=20, end=END)
    c = generate_world(BAKERY, seed=1, days=20, end=END + timedelta(hours=1))
    assert [p.text for p in a.posts] != [p.text for p in b.posts]
    assert [p.key for p in a.posts] != [p.key for p in c.posts]


def test_sizes(world: DemoWorld) -> None:
    assert len(world.posts) >= 20_000
    assert len(world.accounts) >= 5_000
    assert len({(a.network, a.id) for a in world.accounts}) == len(world.accounts)
    assert len({p.key for p in world.posts}) == len(world.posts)


def test_posts_lie_within_the_window_in_created_order(world: DemoWorld) -> None:
    start = END - timedelta(days=90)
    created = [p.created for p in world.posts]
    assert all(start <= t <= END for t in created)
    assert created == sorted(created)
    assert all(t.utcoffset() == timedelta(0) for t in created[:100])
    # the window is filled from the start to the last hour, not bunched up
    assert created[0] - start < timedelta(hours=6)
    assert END - created[-1] < timedelta(hours=2)


def test_resume_from_a_cursor_yields_exactly_the_remainder() -> None:
    source = DemoSource(BAKERY, seed=3, days=30, end=END, batch_size=1000)
    assert isinstance(source, Source)
    assert source.name == "demo"
    batches = list(source.batches(None))
    everything = [p for b in batches for p in b.posts]
    assert [b.cursor for b in batches] == [
        str(min(len(everything), 1000 * (i + 1))) for i in range(len(batches))
    ]
    assert all(b.source == "demo" for b in batches)
    assert batches[0].followers and not any(b.followers for b in batches[1:])
    fresh = DemoSource(BAKERY, seed=3, days=30, end=END, batch_size=700)
    rest = [p for b in fresh.batches("5000") for p in b.posts]
    assert rest == everything[5000:]
    assert list(fresh.batches(str(len(everything)))) == []


def test_bad_cursors_are_refused_with_a_clear_message() -> None:
    source = DemoSource(BAKERY, seed=3, days=2, end=END)
    with pytest.raises(SourceError, match="cursor"):
        next(source.batches("abc"))
    with pytest.raises(SourceError, match="cursor"):
        next(source.batches("-3"))
    assert list(source.batches("99999999")) == []  # past the end: emitted in full


def test_default_end_is_the_current_hour() -> None:
    source = DemoSource(BAKERY, days=1)
    now = datetime.now(UTC)
    assert source.end.minute == source.end.second == source.end.microsecond == 0
    assert timedelta(0) <= now - source.end < timedelta(hours=1, minutes=1)


def test_every_kind_of_actor_and_post_is_present(world: DemoWorld) -> None:
    actors = Counter(_truth(p)["actor"] for p in world.posts)
    for role in ("business", "staff", "customer", "local", "industry", "competitor",
                 "competitor_fan", "spam", "news"):  # fmt: skip
        assert actors[role] > 0, role
    kinds = Counter(_truth(p)["kind"] for p in world.posts)
    for kind in ("praise", "question", "complaint", "rec_request", "purchase", "biz_promo",
                 "biz_thanks", "biz_answer", "biz_apology", "local", "industry", "spam",
                 "news_local", "news_industry", "repost", "quote", "viral_complaint"):  # fmt: skip
        assert kinds[kind] > 0, kind
    types = Counter(p.post_type for p in world.posts)
    assert all(types[t] > 200 for t in ("original", "reply", "quote", "repost"))


def test_networks_ids_and_urls_follow_each_network(world: DemoWorld) -> None:
    by_net = Counter(p.network for p in world.posts)
    assert 0.5 < by_net["x"] / len(world.posts) < 0.7
    assert by_net["mastodon"] > 1000 and by_net["bluesky"] > 1000 and 0 < by_net["rss"] < 1000
    for p in world.posts:
        if p.network == "x":
            ms = (int(p.id) >> 22) + 1288834974657
            assert abs(ms - p.created.timestamp() * 1000) < 1000
            assert p.url == f"https://x.com/{p.author.handle}/status/{p.id}"
        elif p.network == "mastodon":
            user, _, instance = p.author.handle.partition("@")
            assert p.id.isdigit() and p.url == f"https://{instance}/@{user}/{p.id}"
        elif p.network == "bluesky":
            assert re.fullmatch(r"[2-7a-z]{13}", p.id)
            assert p.url == f"https://bsky.app/profile/{p.author.handle}/post/{p.id}"
            assert p.author.id.startswith("did:plc:")
        else:
            assert p.id.startswith("https://") and p.author.network == "rss"
            assert p.url.startswith(p.author.url) and p.url != p.id
        assert len(p.id) <= 64  # fits the store's native id column
    clients = {p.client for p in world.posts}
    assert {"Twitter for iPhone", "Twitter Web App", "Ivory", "Bluesky Web"} <= clients


def test_replies_quotes_and_reposts_point_to_earlier_posts(world: DemoWorld) -> None:
    index = {p.key: p for p in world.posts}
    linked = 0
    for p in world.posts:
        for target in (p.reply_to, p.quote_of, p.repost_of):
            if target is None:
                continue
            parent = index[(p.network, target)]
            assert parent.created < p.created
            linked += 1
        if p.reply_to:
            parent = index[(p.network, p.reply_to)]
            assert p.reply_to_handle == parent.author.handle
            assert p.conversation_id == (parent.conversation_id or parent.id)
            assert (p.network, p.conversation_id) in index
    assert linked > 3000
    depth3 = [p for p in world.posts if p.reply_to and index[(p.network, p.reply_to)].reply_to]
    assert len(depth3) > 20  # threads, not just single replies


def test_metrics_are_heavy_tailed_and_hold_the_worlds_replies(world: DemoWorld) -> None:
    replies = Counter((p.network, p.reply_to) for p in world.posts if p.reply_to)
    index = {p.key: p for p in world.posts}
    for key, n in replies.items():
        assert (index[key].metrics.replies or 0) >= n
    likes = [p.metrics.likes for p in world.posts if p.metrics.likes is not None]
    assert max(likes) > 100 * max(1, statistics.median(likes))
    assert all(p.metrics.likes is None for p in world.posts if p.network == "rss")
    assert all(p.metrics.quotes is None for p in world.posts if p.network == "mastodon")
    followers = [a.followers for a in world.accounts if a.followers is not None]
    assert max(followers) > 50 * statistics.median(followers)


def test_the_business_talks_more_than_it_promotes(world: DemoWorld) -> None:
    own = [p for p in world.posts if _truth(p)["actor"] == "business"]
    promo = sum(1 for p in own if _truth(p)["kind"] == "biz_promo")
    assert 0.25 < promo / len(own) < 0.5
    handles = {p.author.handle for p in own}
    assert handles == set(BAKERY.handles.values())
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(BAKERY.timezone)
    answers = [p for p in own if p.reply_to]
    staffed = [p for p in answers if 7 <= p.created.astimezone(zone).hour < 20]
    assert len(staffed) / len(answers) > 0.9  # answered in the bakery's staffed hours


def test_derived_streams_have_data(world: DemoWorld) -> None:
    posts = world.posts
    assert _share(posts, r"larkspur bakery|@larkspur|#larkspurbakery|larkspurbakery\.com") > 0.15
    assert _share(posts, r"flour child|mountain crust|@flourchild|@mountaincrust") > 0.04
    assert _share(posts, r"\b(asheville|avl|west asheville|river arts district)\b") > 0.2
    products = "|".join(BAKERY.products + BAKERY.industry_words)
    assert _share(posts, rf"\b({products})\b") > 0.25
    assert _share(posts, r"larkspurbakery\.com/\w") > 0.01  # the website, with paths
    assert _share(posts, r"https://t\.co/\w{10}") > 0.02
    located = [p for p in posts if p.place is not None]
    assert len(located) > 500
    near = [p for p in located if p.place and abs((p.place.latitude or 0) - 35.5951) < 0.1]
    assert 0.6 < len(near) / len(located) < 0.95


def test_variety(world: DemoWorld) -> None:
    posts = world.posts
    texts = {p.text for p in posts}
    assert len(texts) > 0.5 * len(posts)
    assert sum(1 for p in posts if p.language == "es") > 20
    assert re.search(r"\bs(o){3,}\b", " ".join(p.text for p in posts))
    shouting = [p for p in posts if re.search(r"\b[A-Z]{4,} [A-Z]{4,}\b", p.text)]
    assert len(shouting) > 20
    assert sum(1 for p in posts if p.media) > 1000
    assert all("{" not in p.text and "}" not in p.text for p in posts)
    locations = Counter(a.location for a in world.accounts)
    for loc in ("Asheville, NC", "AVL", "", "Charlotte", "Brooklyn"):
        assert locations[loc] > 0, loc


def test_rhythm_bad_week_and_viral_complaint(world: DemoWorld) -> None:
    tz = BAKERY.timezone
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(tz)
    customers = [p for p in world.posts if _truth(p)["actor"] == "customer"]
    hours = Counter(p.created.astimezone(zone).hour for p in customers)
    assert sum(hours[h] for h in range(7, 11)) > 5 * sum(hours[h] for h in range(1, 5))
    days = Counter(p.created.astimezone(zone).weekday() for p in customers)
    assert (days[5] + days[6]) / 2 > 1.2 * sum(days[d] for d in range(5)) / 5
    complaints = Counter(
        (END - p.created).days for p in world.posts if _truth(p)["intent"] == "complaint"
    )
    ordinary = statistics.median(complaints[d] for d in range(0, 90))
    assert max(complaints.values()) > 5 * ordinary
    worst = max(complaints, key=lambda d: complaints[d])
    assert worst < 30  # inside the dashboard's last 30 days
    viral = [p for p in world.posts if _truth(p)["kind"] == "viral_complaint"]
    assert len(viral) == 1 and (viral[0].metrics.likes or 0) > 1000


def test_fake_followers_look_bought_but_no_single_feature_gives_them_away(
    world: DemoWorld,
) -> None:
    followers = world.followers
    fake = [a for a in followers if a.id in world.fake_followers]
    real = [a for a in followers if a.id not in world.fake_followers]
    assert 0.25 <= len(fake) / len(followers) <= 0.35
    assert len(followers) > 2000

    def ratio(a: Account) -> float:
        return (a.following or 0) / max(1, a.followers or 0)

    assert statistics.median(map(ratio, fake)) > 10 * statistics.median(map(ratio, real))
    assert statistics.median(a.posts or 0 for a in fake) < statistics.median(
        a.posts or 0 for a in real
    )
    assert (
        sum(bool(a.bio) for a in fake) / len(fake)
        < 0.4
        < sum(bool(a.bio) for a in real) / len(real)
    )
    features: dict[str, Callable[[Account], float]] = {
        "ratio": ratio,
        "posts": lambda a: float(a.posts or 0),
        "age": lambda a: float((END - (a.created or END)).days),
        "default_profile": lambda a: float(bool(a.default_profile)),
        "default_avatar": lambda a: float(bool(a.default_avatar)),
        "bio": lambda a: float(bool(a.bio)),
        "digits": lambda a: float(sum(c.isdigit() for c in a.handle)),
    }
    labels = [a.id in world.fake_followers for a in followers]
    for name, feature in features.items():
        values = [feature(a) for a in followers]
        assert _best_threshold_accuracy(values, labels) < 0.95, name


def _best_threshold_accuracy(values: list[float], labels: list[bool]) -> float:
    """The best accuracy of one cut on one feature (fakes above it, or below it)."""
    pairs = sorted(zip(values, labels, strict=True))
    total_pos, n = sum(labels), len(pairs)
    best, pos_below = max(total_pos, n - total_pos) / n, 0
    for i, (value, label) in enumerate(pairs):
        pos_below += label
        if i + 1 < n and pairs[i + 1][0] == value:
            continue  # cut only between distinct values
        below = i + 1
        fakes_above = (below - pos_below + (total_pos - pos_below)) / n
        best = max(best, fakes_above, 1 - fakes_above)
    return best


def test_any_business_gets_a_world_of_its_own() -> None:
    shop = Workspace(
        slug="spokes",
        name="Spokes & Co",
        handles={"bluesky": "spokes.bsky.social"},
        locale=Locale(town="Boulder", latitude=40.015, longitude=-105.27, country="US"),
        products=("tune-up", "gravel bike"),
        industry_words=("bike shop", "cycling"),
    )
    w = generate_world(shop, seed=5, days=14, end=END)
    texts = " ".join(p.text for p in w.posts)
    assert "sourdough" not in texts.lower() and "Spokes & Co" in texts
    assert (
        "bike shop" in texts
        and "Boulder" in texts
        and "Boulder, CO" in {a.location for a in w.accounts}
    )
    assert {p.author.handle for p in w.posts if _truth(p)["actor"] == "business"} == {
        "spokes.bsky.social"
    }
    assert all("{" not in p.text for p in w.posts)


def test_a_bare_workspace_still_gets_a_world() -> None:
    bare = generate_world(Workspace(slug="bare", name="Bare"), seed=1, days=3, end=END)
    assert len(bare.posts) > 300
    assert bare.followers == []
    assert all("{" not in p.text for p in bare.posts)
    assert not any(_truth(p)["actor"] in ("business", "competitor") for p in bare.posts)


def test_handles_are_valid_for_their_network(world: DemoWorld) -> None:
    for a in world.accounts:
        if a.network == "x":
            assert re.fullmatch(r"[A-Za-z0-9_]{1,15}", a.handle), a.handle
        elif a.network == "mastodon":
            assert re.fullmatch(r"[a-z0-9_]+@[a-z0-9.-]+\.[a-z]+", a.handle), a.handle
        elif a.network == "bluesky":
            assert re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", a.handle), a.handle
    x_business = next(a for a in world.accounts if a.handle == "larkspurbakes")
    assert x_business.followers == len(world.followers)


def test_provenance_and_ground_truth(world: DemoWorld) -> None:
    p = world.posts[123]
    assert p.provenance is not None
    assert p.provenance.source == "demo" and p.provenance.url == "demo://seed/7"
    assert p.provenance.retrieved == END
    truth = _truth(p)
    assert {"kind", "template", "fake", "intent", "sentiment", "actor"} <= set(truth)
    spam = [q for q in world.posts if _truth(q)["actor"] == "spam"]
    assert spam and all(_truth(q)["fake"] for q in spam)


def test_bad_days_are_refused() -> None:
    with pytest.raises(ValueError, match="days"):
        generate_world(BAKERY, days=0, end=END)


def test_the_world_does_not_depend_on_the_process_hash_seed() -> None:
    script = (
        "import hashlib, json\n"
        "from datetime import datetime, UTC\n"
        "from hubbub.codec import to_dict\n"
        "from hubbub.sources.demo import generate_world\n"
        "from tests.sources.test_demo import BAKERY\n"
        "w = generate_world(BAKERY, seed=9, days=4, end=datetime(2026, 3, 14, 15, tzinfo=UTC))\n"
        "rows = [to_dict(p) for p in w.posts] + [to_dict(a) for a in w.followers]\n"
        "print(hashlib.sha256(json.dumps(rows, sort_keys=True).encode()).hexdigest())\n"
    )
    root = Path(__file__).resolve().parents[2]
    digests = {
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=root,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        for hash_seed in ("1", "2")
    }
    assert len(digests) == 1 and len(digests.pop()) == 64
