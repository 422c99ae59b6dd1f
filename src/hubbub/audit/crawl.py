"""A small, polite crawl of the business's own website: pages, their links and images.

The owned-content audit (:mod:`hubbub.audit.content`) needs what a visitor sees:
each page's text, links, images and forms, and whether every link still answers.
So this is not a general crawler: it starts at the website's address, follows only
links on that same host, stops after ``max_pages`` pages, checks (but never
crawls) links to other sites, and reads ``robots.txt`` first. Politeness as in
:mod:`hubbub.sources.rss`: one request at a time, a User-Agent that names hubbub,
a timeout on every request, a short pause between requests (``delay``, through an
injectable ``sleep``). A link is broken when HEAD and then GET both fail: a 4xx or
5xx status, a timeout or no connection (many servers refuse HEAD, hence the GET).
HTML is read with the standard library's parser, which never fails on bad markup.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx

__all__ = [
    "USER_AGENT",
    "Crawl",
    "CrawlError",
    "Form",
    "ImageRef",
    "LinkCheck",
    "Page",
    "check_link",
    "crawl",
    "parse_page",
    "same_site",
]

_SPACE = re.compile(r"\s+")
USER_AGENT = "hubbub (self-hosted social listening; site audit)"
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})
#: tags inside a word ("<b>W</b>ord"); every other tag also separates words
_INLINE = frozenset({"b", "i", "em", "strong", "span", "u", "small", "sup", "sub", "mark", "abbr"})
_BLOCK = frozenset(
    {"p", "div", "li", "br", "h1", "h2", "h3", "h4", "h5", "h6", "td", "th", "section", "title"}
)


class CrawlError(Exception):
    """The website cannot be read at all (its first page); the message is one line."""


@dataclass(frozen=True, slots=True)
class ImageRef:
    src: str  # absolute URL
    alt: str | None  # None: no alt attribute at all
    width: int | None  # as declared in the HTML
    height: int | None


@dataclass(frozen=True, slots=True)
class Form:
    action: str
    has_email: bool  # an <input type="email"> or an input named like e-mail


@dataclass(slots=True)
class Page:
    url: str
    status: int
    title: str = ""
    text: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)  # (absolute URL, link text)
    images: list[ImageRef] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class LinkCheck:
    url: str
    ok: bool
    status: int | None  # None: no answer (timeout, refused)
    reason: str


@dataclass(slots=True)
class Crawl:
    start: str
    pages: list[Page] = field(default_factory=list)
    links: dict[str, LinkCheck] = field(default_factory=dict)
    # where each link was found: url -> the first page linking to it
    found_on: dict[str, str] = field(default_factory=dict)
    skipped_by_robots: list[str] = field(default_factory=list)


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    digits = value.strip().removesuffix("px")
    return int(digits) if digits.isdigit() else None


class _PageParser(HTMLParser):
    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.skip = 0
        self.in_title = False
        self.title: list[str] = []
        self.text: list[str] = []
        self.links: list[tuple[str, str]] = []
        self.link_text: list[str] | None = None
        self.link_href = ""
        self.images: list[ImageRef] = []
        self.forms: list[Form] = []
        self.form_action: str | None = None
        self.form_email = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag in _SKIP_TEXT:
            self.skip += 1
        elif tag == "title":
            self.in_title = True
        elif tag == "base" and a.get("href"):
            self.base = urljoin(self.base, a["href"] or "")
        elif tag == "a" and a.get("href"):
            self.link_href = urldefrag(urljoin(self.base, (a["href"] or "").strip()))[0]
            self.link_text = []
        elif tag == "img" and a.get("src"):
            self.images.append(
                ImageRef(
                    urljoin(self.base, (a["src"] or "").strip()),
                    a.get("alt") if "alt" in a else None,
                    _int(a.get("width")),
                    _int(a.get("height")),
                )
            )
        elif tag == "form":
            self.form_action = urljoin(self.base, a.get("action") or "")
            self.form_email = False
        elif tag == "input" and self.form_action is not None:
            kind = (a.get("type") or "").lower()
            name = (a.get("name") or "").lower() + (a.get("id") or "").lower()
            if kind == "email" or "email" in name or "e-mail" in name:
                self.form_email = True
        if tag in _BLOCK:
            self.text.append("\n")
        elif tag not in _INLINE:
            self.text.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TEXT and self.skip:
            self.skip -= 1
        elif tag == "title":
            self.in_title = False
        elif tag == "a" and self.link_text is not None:
            self.links.append((self.link_href, " ".join("".join(self.link_text).split())))
            self.link_text = None
        elif tag == "form" and self.form_action is not None:
            self.forms.append(Form(self.form_action, self.form_email))
            self.form_action = None
        if tag in _BLOCK:
            self.text.append("\n")
        elif tag not in _INLINE:
            self.text.append(" ")

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if self.in_title:
            self.title.append(data)
            return
        self.text.append(_SPACE.sub(" ", data))  # a newline in the source is only a space
        if self.link_text is not None:
            self.link_text.append(data)


def parse_page(url: str, status: int, html: str) -> Page:
    """A page's title, visible text, links, images and forms."""
    parser = _PageParser(url)
    parser.feed(html)
    parser.close()
    if parser.form_action is not None:  # an unclosed form still counts
        parser.forms.append(Form(parser.form_action, parser.form_email))
    text = "\n".join(" ".join(line.split()) for line in "".join(parser.text).splitlines())
    return Page(
        url=url,
        status=status,
        title=" ".join("".join(parser.title).split()),
        text="\n".join(line for line in text.splitlines() if line),
        links=parser.links,
        images=parser.images,
        forms=parser.forms,
    )


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def same_site(url: str, start: str) -> bool:
    """Whether ``url`` is on the website's own host (``www.`` or not) over HTTP(S)."""
    return urlsplit(url).scheme in ("http", "https") and _host(url) == _host(start)


def check_link(client: httpx.Client, url: str) -> LinkCheck:
    """HEAD, then GET if HEAD did not say 2xx/3xx: broken on 4xx, 5xx, timeout or no answer."""
    reason = ""
    status: int | None = None
    for method in ("HEAD", "GET"):
        try:
            if method == "GET":
                with client.stream("GET", url) as response:
                    status = response.status_code
            else:
                status = client.request(method, url).status_code
        except httpx.TimeoutException:
            status, reason = None, "timed out"
            continue
        except httpx.HTTPError as exc:
            status, reason = None, f"no answer ({type(exc).__name__})"
            continue
        if status < 400:
            return LinkCheck(url, True, status, "")
        reason = f"HTTP {status}"
    return LinkCheck(url, False, status, reason)


def _robots(client: httpx.Client, start: str) -> RobotFileParser | None:
    parts = urlsplit(start)
    robots = RobotFileParser()
    try:
        response = client.get(f"{parts.scheme}://{parts.netloc}/robots.txt")
    except httpx.HTTPError:
        return None
    if response.status_code >= 400:
        return None
    robots.parse(response.text.splitlines())
    return robots


def _fail_line(start: str, exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"{start}: timed out"
    if isinstance(exc, httpx.ConnectError):
        return f"{start}: cannot connect"
    return f"{start}: {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def crawl(
    start: str,
    client: httpx.Client,
    *,
    max_pages: int = 30,
    delay: float = 0.2,
    sleep: Callable[[float], None] = time.sleep,
    progress: Callable[[int, int], None] | None = None,
) -> Crawl:
    """Read up to ``max_pages`` pages of the site at ``start`` and check every link.

    ``progress(done, total)`` is called after each request (``total`` grows as links
    are found). Raises :class:`CrawlError` when the first page cannot be read.
    """
    if urlsplit(start).scheme not in ("http", "https") or not urlsplit(start).hostname:
        raise CrawlError(f"{start}: not an http(s) address")
    result = Crawl(start)
    robots = _robots(client, start)
    queue: list[str] = [start]
    seen: set[str] = {start}
    requests = 0

    def tick() -> None:
        if progress is not None:
            pages_left = min(len(queue), max(max_pages - len(result.pages), 0))
            external = [u for u in result.found_on if u not in result.links]
            progress(requests, requests + pages_left + len(external))

    while queue and len(result.pages) < max_pages:
        url = queue.pop(0)
        if robots is not None and not robots.can_fetch(USER_AGENT, url):
            result.skipped_by_robots.append(url)
            continue
        if requests:
            sleep(delay)
        requests += 1
        try:
            response = client.get(url)
        except httpx.HTTPError as exc:
            if url == start:
                raise CrawlError(_fail_line(start, exc)) from None
            result.links[url] = LinkCheck(url, False, None, _fail_line(url, exc).split(": ", 1)[1])
            tick()
            continue
        final = str(response.url)
        if url == start and response.status_code >= 400:
            raise CrawlError(f"{start}: HTTP {response.status_code}")
        result.links[url] = LinkCheck(
            url,
            response.status_code < 400,
            response.status_code,
            "" if response.status_code < 400 else f"HTTP {response.status_code}",
        )
        kind = response.headers.get("content-type", "")
        if response.status_code >= 400 or "html" not in kind or not same_site(final, start):
            tick()
            continue
        page = parse_page(final, response.status_code, response.text)
        result.pages.append(page)
        for link, _ in page.links:
            if urlsplit(link).scheme not in ("http", "https"):
                continue
            result.found_on.setdefault(link, page.url)
            if link not in seen and same_site(link, start):
                seen.add(link)
                queue.append(link)
        tick()

    for url in list(result.found_on):
        if (
            url in result.links
            or url in result.skipped_by_robots
            or (same_site(url, start) and url in queue)
        ):
            continue  # fetched as a page, or a page beyond max_pages (not checked)
        sleep(delay)
        requests += 1
        result.links[url] = check_link(client, url)
        tick()
    if progress is not None:
        progress(requests, requests)  # done: the bar ends full
    return result
