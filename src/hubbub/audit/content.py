"""The owned-content audit: the blog's freshness and the health of the business's website.

Social media is "cake frosting" on content the business owns (seed article 000):
a blog not written in months, or a site that is "a messy collection of blurry
photos and spelling and grammatical errors", hurts more than any post helps. So
this module reads the blog feed and crawls the website (:mod:`hubbub.audit.crawl`,
own host only, ``max_pages`` pages) and reports findings, each with the page it
is on:

- **spelling**: words not in pyspellchecker's offline English word list, leaving
  out proper nouns (capitalised words not starting a sentence), the business's
  own names, products and handles, numbers, URLs and e-mail addresses;
- **broken links**, internal and external (HEAD, then GET: 4xx, 5xx, timeout);
- **images**: too small (natural width under 200 px where shown at 200 px or more),
  blurry (variance of the Laplacian of the grey image under 100, the usual rule
  of thumb for 8-bit images), or without an ``alt`` attribute;
- **contact details**: a phone number, an e-mail address, a street address,
  opening hours and a contact page, looked for across the whole site;
- **newsletter sign-up**: a form with an e-mail input;
- **social links**: a link to each profile in ``hubbub.toml``'s handles.
"""

from __future__ import annotations

import io
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any, Literal

import feedparser  # type: ignore[import-untyped]
import httpx
import numpy as np
from PIL import Image, UnidentifiedImageError
from spellchecker import SpellChecker

from hubbub.audit.crawl import USER_AGENT, Crawl, CrawlError, ImageRef, Page, crawl, same_site
from hubbub.model import Workspace

__all__ = [
    "BLUR_VARIANCE",
    "MIN_IMAGE_PX",
    "BlogFreshness",
    "ContentReport",
    "CrawlError",
    "Finding",
    "audit_content",
    "audit_site",
    "blog_freshness",
    "check_images",
    "check_pages",
    "feed_freshness",
    "image_quality",
    "make_client",
    "misspellings",
    "own_words",
    "profile_patterns",
]

Level = Literal["good", "warn", "bad", "info"]
#: an image narrower than this (natural size) is too small to be shown large
MIN_IMAGE_PX = 200
#: below this variance of the Laplacian an image reads as blurry
BLUR_VARIANCE = 100.0
#: images smaller than this on both sides with no declared size are icons or spacers
_ICON_PX = 48
_MAX_IMAGES = 60
_MAX_IMAGE_BYTES = 8_000_000

_URLISH = re.compile(r"\S+@\S+|https?://\S+|www\.\S+|\S+\.(?:com|org|net|io|co)\b\S*")
_WORD = re.compile(r"[A-Za-z][A-Za-z']*[A-Za-z]|[A-Za-z]")
_SENTENCE_END = re.compile(r"[.!?:\n]\s*$")
_PHONE = re.compile(r"(?:\+\d{1,3}[\s.-]?)?(?:\(\d{2,4}\)|\d{2,4})[\s.-]\d{3,4}[\s.-]?\d{3,4}")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
_ADDRESS = re.compile(
    r"\b\d{1,5}\s+(?:[A-Z][\w.]*\s+){1,4}(?:St|Street|Ave|Avenue|Rd|Road|Blvd|Boulevard|Lane|"
    r"Ln|Dr|Drive|Way|Place|Pl|Square|Sq|Court|Ct|Highway|Hwy)\b\.?"
)
_HOURS = re.compile(
    r"\b(?:opening hours|open(?:ing)? times|hours of operation|we(?:'re| are) open|"
    r"open daily|(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\s*(?:-|–|to)\s*"
    r"(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*|\d{1,2}(?::\d\d)?\s*(?:am|pm)\s*(?:-|–|to)\s*"
    r"\d{1,2}(?::\d\d)?\s*(?:am|pm))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing to fix (or to know), on one page."""

    kind: str  # spelling, broken_link, small_image, blurry_image, missing_alt, contact, ...
    page: str
    detail: str
    level: Level = "warn"
    item: str = ""  # the word, link or image concerned

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class BlogFreshness:
    feed: str
    posts: int
    last_post: datetime | None
    days_since_last: float | None
    per_month: list[int]  # the last six 30-day months, oldest first
    level: Level
    text: str

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["last_post"] = self.last_post.isoformat() if self.last_post else None
        return data


@dataclass(slots=True)
class ContentReport:
    website: str
    pages: int = 0
    links_checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    blog: BlogFreshness | None = None
    errors: list[str] = field(default_factory=list)  # what could not be read, one line each
    skipped: list[str] = field(default_factory=list)  # pages robots.txt keeps out

    def by_kind(self) -> dict[str, list[Finding]]:
        out: dict[str, list[Finding]] = {}
        for f in self.findings:
            out.setdefault(f.kind, []).append(f)
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "website": self.website,
            "pages": self.pages,
            "links_checked": self.links_checked,
            "findings": [f.to_json() for f in self.findings],
            "counts": dict(Counter(f.kind for f in self.findings)),
            "blog": self.blog.to_json() if self.blog else None,
            "errors": list(self.errors),
            "skipped": list(self.skipped),
        }


def make_client(timeout: float = 10.0) -> httpx.Client:
    """The HTTP client of a content audit: a timeout on every request, hubbub's User-Agent."""
    return httpx.Client(
        timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}, max_redirects=5
    )


# --- blog ---------------------------------------------------------------------------------


def blog_freshness(feed: str, times: Iterable[datetime], now: datetime) -> BlogFreshness:
    """Days since the last post and posts per 30-day month over six months."""
    dated = sorted(t for t in times if t <= now)
    last = dated[-1] if dated else None
    days = round((now - last).total_seconds() / 86400, 1) if last else None
    months = [0] * 6
    for t in dated:
        age = (now - t).days // 30
        if age < 6:
            months[5 - age] += 1
    level: Level
    if days is None:
        level, text = "bad", "The blog feed has no dated posts: write for your own site first."
    elif days > 90:
        level, text = (
            "bad",
            (
                f"The last blog post is {days:.0f} days old. A blog you own is the cake; "
                "social media is only the frosting: post at least once a month."
            ),
        )
    elif days > 30:
        level, text = "warn", f"The last blog post is {days:.0f} days old: aim for one a month."
    else:
        level, text = "good", f"The blog is fresh: the last post is {days:.0f} days old."
    return BlogFreshness(feed, len(dated), last, days, months, level, text)


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    for key in ("published_parsed", "updated_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime(*value[:6], tzinfo=UTC)
    return None


def feed_freshness(client: httpx.Client, feed: str, now: datetime) -> BlogFreshness:
    """Read the blog feed (RSS or Atom) and judge its freshness; CrawlError if unreadable."""
    try:
        response = client.get(feed)
    except httpx.HTTPError as exc:
        raise CrawlError(f"{feed}: cannot read the blog feed ({type(exc).__name__})") from None
    if response.status_code >= 400:
        raise CrawlError(f"{feed}: HTTP {response.status_code}")
    parsed = feedparser.parse(response.content)
    if not parsed.entries and parsed.bozo:
        raise CrawlError(f"{feed}: not an RSS or Atom feed")
    times = [t for t in (_entry_time(e) for e in parsed.entries) if t is not None]
    return blog_freshness(feed, times, now)


# --- text ----------------------------------------------------------------------------------


#: words of the web that the dictionary lacks, all lower case
_WEB_WORDS = (
    "cafe",
    "email",
    "online",
    "website",
    "blog",
    "newsletter",
    "instagram",
    "facebook",
    "bluesky",
    "mastodon",
    "tiktok",
    "youtube",
    "linkedin",
    "pinterest",
    "whatsapp",
    "wifi",
)


@lru_cache(maxsize=1)
def _speller() -> SpellChecker:
    speller = SpellChecker(language="en")
    speller.word_frequency.load_words(_WEB_WORDS)
    return speller


def own_words(workspace: Workspace) -> set[str]:
    """The business's own names, products, handles and competitors, as lower-case words."""
    texts = [workspace.name, *workspace.products, *workspace.industry_words]
    texts += list(workspace.handles.values())
    texts += [c.name for c in workspace.competitors]
    texts += [m.name for m in workspace.team]
    return {w.lower() for t in texts for w in _WORD.findall(t)}


def misspellings(text: str, known: Iterable[str] = ()) -> list[str]:
    """Words of ``text`` that look misspelt, in order of first use, without repeats."""
    skip = {k.lower() for k in known}
    cleaned = _URLISH.sub(" ", text)
    candidates: list[str] = []
    for match in _WORD.finditer(cleaned):
        word = match.group().strip("'")
        if len(word) < 3 or word.isupper() or word.lower() in skip:
            continue
        if word[0].isupper():
            before = cleaned[: match.start()]
            if before.strip() and not _SENTENCE_END.search(before):
                continue  # a capitalised word inside a sentence: a proper noun
        if word.endswith("'s"):
            word = word[:-2]
        candidates.append(word.lower())
    unknown = _speller().unknown(candidates)
    out: list[str] = []
    for word in candidates:
        if word in unknown and word not in out:
            out.append(word)
    return out


def profile_patterns(handles: Mapping[str, str]) -> dict[str, list[str]]:
    """Per network, the URL fragments a link to that profile contains (lower case)."""
    out: dict[str, list[str]] = {}
    for network, raw in handles.items():
        handle = raw.strip().lstrip("@").lower()
        if not handle:
            continue
        if network == "x":
            out[network] = [f"x.com/{handle}", f"twitter.com/{handle}"]
        elif network == "mastodon":
            user, _, instance = handle.partition("@")
            out[network] = [f"{instance}/@{user}" if instance else f"/@{user}"]
        elif network == "bluesky":
            out[network] = [f"bsky.app/profile/{handle}"]
        else:
            out[network] = [handle]
    return out


def check_pages(pages: Sequence[Page], workspace: Workspace, start: str) -> list[Finding]:
    """Spelling per page, and the site-wide checks: contact, newsletter, social links."""
    findings: list[Finding] = []
    known = own_words(workspace)
    for page in pages:
        for word in misspellings(f"{page.title}\n{page.text}", known)[:50]:
            suggestion = _speller().correction(word) or ""
            detail = f"“{word}” may be misspelt" + (
                f" (did you mean “{suggestion}”?)" if suggestion and suggestion != word else ""
            )
            findings.append(Finding("spelling", page.url, detail, "warn", word))
    home = pages[0].url if pages else start
    text = "\n".join(p.text for p in pages)
    links = [(u.lower(), t.lower()) for p in pages for u, t in p.links]
    contact = {
        "phone number": bool(_PHONE.search(text)) or any(u.startswith("tel:") for u, _ in links),
        "e-mail address": bool(_EMAIL.search(text))
        or any(u.startswith("mailto:") for u, _ in links),
        "street address": bool(_ADDRESS.search(text)),
        "opening hours": bool(_HOURS.search(text)),
        "contact page": any("contact" in u or "contact" in t for u, t in links)
        or any("contact" in p.url.lower() for p in pages),
    }
    for what, present in contact.items():
        if not present:
            findings.append(Finding("contact", home, f"No {what} found on the site", "warn", what))
    if not any(f.has_email for p in pages for f in p.forms):
        findings.append(
            Finding(
                "newsletter",
                home,
                "No newsletter sign-up (a form with an e-mail field): a list you own "
                "outlasts any network",
                "warn",
            )
        )
    for network, patterns in profile_patterns(workspace.handles).items():
        if not any(p in u for u, _ in links for p in patterns):
            findings.append(
                Finding(
                    "social_link",
                    home,
                    f"No link to the {network} profile ({workspace.handles[network]})",
                    "warn",
                    network,
                )
            )
    return findings


# --- images ---------------------------------------------------------------------------------


def image_quality(data: bytes) -> tuple[int, int, float]:
    """An image's natural width, height and variance of the Laplacian of its grey version."""
    with Image.open(io.BytesIO(data)) as img:
        width, height = img.size
        grey = img.convert("L")
        grey.thumbnail((512, 512))
        a = np.asarray(grey, dtype=np.float64)
    if a.shape[0] < 3 or a.shape[1] < 3:
        return width, height, 0.0
    lap = a[:-2, 1:-1] + a[2:, 1:-1] + a[1:-1, :-2] + a[1:-1, 2:] - 4 * a[1:-1, 1:-1]
    return width, height, float(lap.var())


def check_images(
    crawled: Crawl, client: httpx.Client, sleep: Callable[[float], None], delay: float
) -> tuple[list[Finding], list[str]]:
    """Missing alt text, and too-small or blurry images (each image fetched once)."""
    findings: list[Finding] = []
    errors: list[str] = []
    where: dict[str, tuple[str, ImageRef]] = {}
    for page in crawled.pages:
        for img in page.images:
            if img.alt is None:
                findings.append(
                    Finding(
                        "missing_alt",
                        page.url,
                        f"Image without alt text: {img.src}",
                        "warn",
                        img.src,
                    )
                )
            where.setdefault(img.src, (page.url, img))
    for src, (page_url, img) in list(where.items())[:_MAX_IMAGES]:
        if not src.startswith(("http://", "https://")):
            continue
        sleep(delay)
        try:
            response = client.get(src)
        except httpx.HTTPError as exc:
            findings.append(
                Finding(
                    "broken_link",
                    page_url,
                    f"Image does not load: {src} ({type(exc).__name__})",
                    "bad",
                    src,
                )
            )
            continue
        if response.status_code >= 400:
            findings.append(
                Finding(
                    "broken_link",
                    page_url,
                    f"Image does not load: {src} (HTTP {response.status_code})",
                    "bad",
                    src,
                )
            )
            continue
        if len(response.content) > _MAX_IMAGE_BYTES:
            continue
        try:
            width, height, variance = image_quality(response.content)
        except (UnidentifiedImageError, OSError, ValueError):
            errors.append(f"{src}: not an image hubbub can read")
            continue
        if img.width is None and width < _ICON_PX and height < _ICON_PX:
            continue  # an icon or a spacer
        if width < MIN_IMAGE_PX and (img.width is None or img.width >= MIN_IMAGE_PX):
            findings.append(
                Finding(
                    "small_image",
                    page_url,
                    f"Image only {width}×{height} px: {src} "
                    f"(use one at least {MIN_IMAGE_PX} px wide)",
                    "warn",
                    src,
                )
            )
        elif variance < BLUR_VARIANCE:
            findings.append(
                Finding(
                    "blurry_image",
                    page_url,
                    f"Image looks blurry (sharpness {variance:.0f}, "
                    f"under {BLUR_VARIANCE:.0f}): {src}",
                    "warn",
                    src,
                )
            )
    return findings, errors


# --- the whole audit ------------------------------------------------------------------------


def audit_site(
    website: str,
    workspace: Workspace,
    client: httpx.Client,
    *,
    max_pages: int = 30,
    delay: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> ContentReport:
    """Crawl ``website`` and check its pages, links and images. CrawlError if unreachable."""
    crawled = crawl(
        website, client, max_pages=max_pages, delay=delay, sleep=sleep, progress=progress
    )
    report = ContentReport(website, pages=len(crawled.pages), links_checked=len(crawled.links))
    report.findings += check_pages(crawled.pages, workspace, website)
    for url, check in crawled.links.items():
        if not check.ok:
            page = crawled.found_on.get(url, website)
            kind = "internal" if same_site(url, website) else "external"
            report.findings.append(
                Finding(
                    "broken_link", page, f"Broken {kind} link: {url} ({check.reason})", "bad", url
                )
            )
    images, errors = check_images(crawled, client, sleep, delay)
    report.findings += images
    report.errors += errors
    report.skipped = list(crawled.skipped_by_robots)
    return report


def audit_content(
    workspace: Workspace,
    now: datetime,
    client: httpx.Client,
    *,
    crawl_site: bool = True,
    max_pages: int = 30,
    delay: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> ContentReport:
    """The blog's freshness and (with ``crawl_site``) the website's checks, never raising:
    what cannot be read is one line in ``errors``."""
    report = ContentReport(workspace.website)
    if crawl_site and workspace.website:
        try:
            report = audit_site(
                workspace.website,
                workspace,
                client,
                max_pages=max_pages,
                delay=delay,
                sleep=sleep,
                progress=progress,
            )
        except CrawlError as exc:
            report.errors.append(str(exc))
    if workspace.blog_feed:
        try:
            report.blog = feed_freshness(client, workspace.blog_feed, now)
        except CrawlError as exc:
            report.errors.append(str(exc))
    return report
