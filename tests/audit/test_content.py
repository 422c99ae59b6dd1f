"""The owned-content audit against the fixture site served on 127.0.0.1.

tests/fixtures/site/ is a small bakery site with deliberate faults: two typos
(delicous, recieve), an invented product word (larkbun) that is only a typo to
someone who does not know the business, an internal link to a missing page, an
external link to a missing page, a 120 px image shown 800 px wide, a blurred
image without alt text, no opening hours, no newsletter form (only a search
form), no link to the Bluesky profile, and a robots.txt that keeps /private/ out.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import httpx
import pytest

from hubbub.audit.content import (
    BLUR_VARIANCE,
    ContentReport,
    CrawlError,
    audit_content,
    audit_site,
    blog_freshness,
    feed_freshness,
    image_quality,
    misspellings,
    profile_patterns,
)
from hubbub.audit.crawl import check_link, crawl, parse_page
from hubbub.model import Workspace
from tests.audit.site_server import SITE, FakeSite, offline_client, serve_site

NOW = datetime(2025, 11, 15, 12, 0, tzinfo=UTC)


def _workspace(site: FakeSite) -> Workspace:
    return Workspace(
        slug="larkspur",
        name="Larkspur Bakery",
        handles={"x": "larkspurbakes", "bluesky": "larkspurbakery.bsky.social"},
        website=site.base,
        blog_feed=site.base + "blog/feed.xml",
        products=("sourdough", "focaccia", "larkbun"),
    )


@pytest.fixture(scope="module")
def site() -> Iterator[FakeSite]:
    with serve_site() as served:
        yield served


@pytest.fixture(scope="module")
def report(site: FakeSite) -> ContentReport:
    with offline_client() as client:
        return audit_site(site.base, _workspace(site), client, delay=0, sleep=lambda _: None)


def _items(report: ContentReport, kind: str) -> set[str]:
    return {f.item for f in report.findings if f.kind == kind}


def test_spelling_mistakes_are_reported_with_their_page(
    report: ContentReport, site: FakeSite
) -> None:
    spelling = {(f.item, f.page) for f in report.findings if f.kind == "spelling"}
    assert spelling == {("delicous", site.base), ("recieve", site.base + "about.html")}
    detail = next(f.detail for f in report.findings if f.item == "delicous")
    assert "delicious" in detail


def test_proper_nouns_own_words_numbers_urls_and_emails_are_not_typos() -> None:
    text = (
        "Maya Ortiz opened the shop in Lyon in 2015. Write to hello@larkspurbakery.com "
        "or see https://larkspurbakery.com/menu and www.larkspurbakery.com for the larkbun."
    )
    assert misspellings(text, known={"larkbun"}) == []
    assert misspellings(text) == ["larkbun"]
    # a capitalised word that starts a sentence is still checked
    assert misspellings("Great bread. Delicous cake!") == ["delicous"]


def test_broken_links_internal_and_external(report: ContentReport, site: FakeSite) -> None:
    broken = {f.item: f for f in report.findings if f.kind == "broken_link"}
    assert set(broken) == {site.base + "menu-old.html", site.external + "/gone.html"}
    assert "internal" in broken[site.base + "menu-old.html"].detail
    assert "external" in broken[site.external + "/gone.html"].detail
    assert all(f.page == site.base for f in broken.values())
    assert all("HTTP 404" in f.detail for f in broken.values())


def test_external_pages_are_checked_not_crawled_and_head_falls_back_to_get(
    report: ContentReport, site: FakeSite
) -> None:
    external = [(m, p) for m, h, p, _ in site.requests if h == "localhost"]
    # /news/ refuses HEAD (405): the checker then GETs it, and finds it fine
    assert ("HEAD", "/news/larkspur.html") in external
    assert ("GET", "/news/larkspur.html") in external
    assert site.external + "/news/larkspur.html" not in _items(report, "broken_link")
    # its own link (/news/other.html) was never followed
    assert all(p != "/news/other.html" for _, p in external)
    assert "/private/staff.html" not in site.paths(host="127.0.0.1")  # robots.txt
    assert all("hubbub" in ua for *_, ua in site.requests)


def test_images_too_small_blurry_and_without_alt(report: ContentReport, site: FakeSite) -> None:
    assert _items(report, "small_image") == {site.base + "img/tiny-cake.png"}
    assert _items(report, "blurry_image") == {site.base + "img/blurry-croissant.png"}
    assert _items(report, "missing_alt") == {
        site.base + "img/blurry-croissant.png",
        site.base + "img/loaf.png",  # on the about page, where it has no alt
    }
    missing_alt_pages = {f.page for f in report.findings if f.kind == "missing_alt"}
    assert missing_alt_pages == {site.base, site.base + "about.html"}


def test_image_quality_measures_size_and_sharpness() -> None:
    w, h, sharp = image_quality((SITE / "img" / "loaf.png").read_bytes())
    assert (w, h) == (400, 300) and sharp > 10 * BLUR_VARIANCE
    _, _, blurry = image_quality((SITE / "img" / "blurry-croissant.png").read_bytes())
    assert blurry < BLUR_VARIANCE


def test_contact_newsletter_and_social_profile_findings(
    report: ContentReport, site: FakeSite
) -> None:
    assert _items(report, "contact") == {"opening hours"}
    assert len([f for f in report.findings if f.kind == "newsletter"]) == 1
    assert _items(report, "social_link") == {"bluesky"}
    assert all(f.page == site.base for f in report.findings if f.kind in ("contact", "social_link"))


def test_a_newsletter_form_and_all_contact_details_are_found() -> None:
    html = (
        "<p>Open daily 7am - 3pm. Call +44 20 7946 0958. 221 Baker Street.</p>"
        "<a href='/contact-us'>Write to us</a> <a href='mailto:a@b.co'>mail</a>"
        "<form action='/join'><input type='email' name='address'></form>"
        "<a href='https://bsky.app/profile/larkspurbakery.bsky.social'>Bluesky</a>"
        "<a href='https://mastodon.social/@larkspur'>Mastodon</a>"
    )
    from hubbub.audit.content import check_pages

    page = parse_page("https://larkspurbakery.com/", 200, html)
    ws = Workspace(
        slug="l",
        name="L",
        handles={"bluesky": "larkspurbakery.bsky.social", "mastodon": "larkspur@mastodon.social"},
    )
    kinds = {f.kind for f in check_pages([page], ws, page.url)}
    assert kinds == set()


def test_profile_patterns_per_network() -> None:
    assert profile_patterns({"x": "@LarkspurBakes", "mastodon": "larkspur@mastodon.social"}) == {
        "x": ["x.com/larkspurbakes", "twitter.com/larkspurbakes"],
        "mastodon": ["mastodon.social/@larkspur"],
    }


def test_crawl_stays_on_its_host_and_stops_at_max_pages(site: FakeSite) -> None:
    with offline_client() as client:
        done = crawl(site.base, client, max_pages=2, delay=0, sleep=lambda _: None)
    assert [p.url for p in done.pages] == [site.base, site.base + "about.html"]
    seen: list[tuple[int, int]] = []
    with offline_client() as client:
        crawl(
            site.base,
            client,
            max_pages=1,
            delay=0,
            sleep=lambda _: None,
            progress=lambda d, t: seen.append((d, t)),
        )
    assert seen and seen[-1][0] == seen[-1][1]  # the bar ends full


def test_polite_pause_between_requests(site: FakeSite) -> None:
    pauses: list[float] = []
    with offline_client() as client:
        done = crawl(site.base, client, max_pages=3, delay=0.25, sleep=pauses.append)
    assert pauses and set(pauses) == {0.25}
    assert len(pauses) >= len(done.pages) - 1


def test_an_unreachable_site_is_one_line() -> None:
    with offline_client(timeout=1) as client, pytest.raises(CrawlError) as caught:
        crawl("http://127.0.0.1:9/", client, delay=0)
    assert str(caught.value) == "http://127.0.0.1:9/: cannot connect"
    with offline_client() as client, pytest.raises(CrawlError, match="not an http"):
        crawl("ftp://example.com/", client)


def test_a_missing_first_page_is_an_error(site: FakeSite) -> None:
    with offline_client() as client, pytest.raises(CrawlError, match="HTTP 404"):
        crawl(site.base + "nothing-here.html", client, delay=0)


def test_a_timeout_is_a_broken_link(site: FakeSite) -> None:
    site.slow_seconds = 1.5
    with offline_client(timeout=0.3) as client:
        result = check_link(client, site.base + "slow")
    assert not result.ok and result.reason == "timed out" and result.status is None


def test_blog_freshness_from_the_feed(site: FakeSite) -> None:
    with offline_client() as client:
        blog = feed_freshness(client, site.base + "blog/feed.xml", NOW)
    assert blog.posts == 4
    assert blog.last_post == datetime(2025, 9, 1, 9, 0, tzinfo=UTC)
    assert blog.days_since_last == pytest.approx(75.1, abs=0.05)
    # Jun 2 (166 days ago), Jul 15 (123), Aug 1 (106), Sep 1 (75): months 5, 4, 3, 2 ago
    assert blog.per_month == [1, 1, 1, 1, 0, 0]
    assert blog.level == "warn"
    with offline_client() as client, pytest.raises(CrawlError, match="not an RSS or Atom"):
        feed_freshness(client, site.base + "robots.txt", NOW)


def test_blog_freshness_levels() -> None:
    day = 86400
    assert blog_freshness("f", [NOW], NOW).level == "good"
    old = datetime.fromtimestamp(NOW.timestamp() - 100 * day, UTC)
    assert blog_freshness("f", [old], NOW).level == "bad"
    assert blog_freshness("f", [], NOW).level == "bad"


def test_audit_content_never_raises_and_says_what_it_could_not_read(site: FakeSite) -> None:
    ws = Workspace(
        slug="l", name="L", website="http://127.0.0.1:9/", blog_feed=site.base + "missing.xml"
    )
    with offline_client(timeout=1) as client:
        done = audit_content(ws, NOW, client, delay=0, sleep=lambda _: None)
    assert done.errors == [
        "http://127.0.0.1:9/: cannot connect",
        site.base + "missing.xml: HTTP 404",
    ]


def test_only_http_links_are_checked(site: FakeSite, report: ContentReport) -> None:
    checked = set(report.to_json()["counts"])
    assert "broken_link" in checked
    assert not any(i.startswith("mailto:") for i in _items(report, "broken_link"))


def test_offline_client_never_leaves_the_machine() -> None:
    with offline_client() as client, pytest.raises(httpx.ConnectError):
        client.get("https://example.com/")
