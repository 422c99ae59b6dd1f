"""Tracked links: UTM parameters, short codes, and the click that follows.

A link in a scheduled post is replaced, per network, by ``{public_base_url}/l/CODE``
(unless the post opts out). The code is 7 base62 characters from :mod:`secrets`
(62**7, about 3.5 * 10**12 codes: not guessable by walking them) and leads to the
destination with ``utm_source`` (the network), ``utm_medium=social``,
``utm_campaign`` (the post's campaign, else ``post-ID``) and ``utm_content``
(``post-ID``), so the business's own web analytics sees the same campaign.

A click on ``GET /l/CODE`` is one insert: the time, the referrer, the network
guessed from the referrer's host (:data:`REFERRER_NETWORKS`) and a coarse class of
the user agent. Known robots are not counted: link-preview fetchers (every network
fetches a link to draw its card, which would count one "click" per post), search
crawlers and HTTP libraries; :data:`BOT_PATTERNS` is the maintained list.
"""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping, Sequence
from datetime import datetime
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import regex
from sqlalchemy import Connection

from hubbub.store import Store
from hubbub.store import publish as queries
from hubbub.store.publish import LinkRow, LinkStat, StoredPost
from hubbub.text import extract_entities

__all__ = [
    "BOT_PATTERNS",
    "CODE_LENGTH",
    "REFERRER_NETWORKS",
    "agent_class",
    "click",
    "clicks_by",
    "is_bot",
    "network_from_referrer",
    "new_code",
    "rewrite",
    "short_url",
    "text_for_network",
    "track_post_links",
    "utm_url",
]

CODE_LENGTH = 7
_ALPHABET = string.ascii_letters + string.digits
_CODE = regex.compile(r"[A-Za-z0-9]{4,16}")

#: Substrings of a User-Agent (lower case) that mark a robot rather than a person:
#: link-preview fetchers of the networks and chat apps, search and SEO crawlers,
#: uptime checkers and HTTP libraries. Add to it when a new one shows in the clicks.
BOT_PATTERNS: tuple[str, ...] = (
    "bot",  # googlebot, bingbot, twitterbot, slackbot, discordbot, applebot, ...
    "crawler",
    "spider",
    "slurp",  # Yahoo
    "facebookexternalhit",
    "facebookcatalog",
    "meta-externalagent",
    "embedly",
    "bluesky cardyb",  # Bluesky's link-card fetcher
    "mastodon/",  # Mastodon servers fetching link previews: "http.rb/... (Mastodon/4.2; ...)"
    "akkoma",
    "pleroma",
    "misskey",
    "whatsapp",
    "skypeuripreview",
    "vkshare",
    "redditbot",
    "linkedinbot",
    "preview",
    "headlesschrome",
    "lighthouse",
    "pingdom",
    "uptime",
    "curl/",
    "wget/",
    "python-requests",
    "python-httpx",
    "python-urllib",
    "aiohttp",
    "go-http-client",
    "okhttp",
    "java/",
    "libwww-perl",
    "httpclient",
)

#: referrer host (or a suffix of it) -> network
REFERRER_NETWORKS: Mapping[str, str] = {
    "t.co": "x",
    "x.com": "x",
    "twitter.com": "x",
    "bsky.app": "bluesky",
    "bsky.social": "bluesky",
    "go.bsky.app": "bluesky",
    "mastodon.social": "mastodon",
    "mastodon.online": "mastodon",
    "mas.to": "mastodon",
    "fosstodon.org": "mastodon",
    "hachyderm.io": "mastodon",
    "infosec.exchange": "mastodon",
    "mstdn.social": "mastodon",
    "facebook.com": "facebook",
    "l.facebook.com": "facebook",
    "lm.facebook.com": "facebook",
    "instagram.com": "instagram",
    "l.instagram.com": "instagram",
    "linkedin.com": "linkedin",
    "lnkd.in": "linkedin",
    "threads.net": "threads",
    "reddit.com": "reddit",
    "google.com": "search",
    "bing.com": "search",
    "duckduckgo.com": "search",
}


def utm_url(
    url: str, *, source: str, medium: str = "social", campaign: str = "", content: str = ""
) -> str:
    """``url`` with UTM parameters added (a scheme is added when the text had none);
    UTM parameters already in the URL are the user's choice and are kept."""
    if "://" not in url:
        url = "https://" + url
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    present = {k for k, _ in query}
    wanted = {
        "utm_source": source,
        "utm_medium": medium,
        "utm_campaign": campaign,
        "utm_content": content,
    }
    query += [(k, v) for k, v in wanted.items() if v and k not in present]
    return urlunsplit(parts._replace(query=urlencode(query)))


def new_code(length: int = CODE_LENGTH) -> str:
    """A random base62 short code."""
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def short_url(base_url: str, code: str) -> str:
    return f"{base_url.rstrip('/')}/l/{code}"


def rewrite(text: str, replacements: Mapping[str, str]) -> str:
    """``text`` with every URL that has a replacement swapped for it (by its span, so
    the same URL twice is replaced twice and nothing else in the text moves)."""
    out: list[str] = []
    last = 0
    for span in extract_entities(text).urls:
        new = replacements.get(span.text)
        if new is None:
            continue
        out.append(text[last : span.start])
        out.append(new)
        last = span.end
    out.append(text[last:])
    return "".join(out)


def track_post_links(
    conn: Connection, post: StoredPost, *, base_url: str, now: datetime
) -> list[LinkRow]:
    """Make the post's tracked links (one per URL and network, once: calling it again
    returns the same links) and return them all. Nothing when the post opted out or
    no public base URL is set."""
    existing = queries.links_for_post(conn, post.id)
    if not post.track_links or not base_url:
        return existing
    base = base_url.rstrip("/")
    have = {(link.network, link.target) for link in existing}
    urls = dict.fromkeys(
        span.text
        for part in post.parts
        for span in extract_entities(part).urls
        if not span.text.startswith(base)
    )
    for network in post.networks:
        for target in urls:
            if (network, target) in have:
                continue
            content = f"post-{post.id}"
            queries.add_link(
                conn,
                post.workspace_id,
                code=new_code(),
                url=utm_url(
                    target, source=network, campaign=post.campaign or content, content=content
                ),
                target=target,
                campaign=post.campaign,
                post_id=post.id,
                network=network,
                now=now,
            )
    return queries.links_for_post(conn, post.id)


def text_for_network(text: str, links: Sequence[LinkRow], network: str, base_url: str) -> str:
    """One part of a post as it goes out on ``network``: its links replaced by that
    network's short links."""
    mapping = {
        link.target: short_url(base_url, link.code) for link in links if link.network == network
    }
    return rewrite(text, mapping) if mapping and base_url else text


def clicks_by(stats: Sequence[LinkStat], key: str) -> list[tuple[str, int]]:
    """Clicks summed by ``campaign`` or ``post`` (``post-ID``), most first; links
    without a campaign (or post) are left out."""
    totals: dict[str, int] = {}
    for stat in stats:
        name = (
            stat.campaign
            if key == "campaign"
            else (f"post-{stat.post_id}" if stat.post_id is not None else "")
        )
        if name:
            totals[name] = totals.get(name, 0) + stat.clicks
    return sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))


# --- a click ---------------------------------------------------------------------------------


def is_bot(user_agent: str) -> bool:
    """Whether a User-Agent is a known robot (an empty one counts as a robot too)."""
    ua = user_agent.lower()
    return not ua.strip() or any(p in ua for p in BOT_PATTERNS)


def agent_class(user_agent: str) -> str:
    """``mobile``, ``desktop`` or ``other``, from the User-Agent."""
    ua = user_agent.lower()
    if any(m in ua for m in ("mobile", "android", "iphone", "ipad")):
        return "mobile"
    if any(d in ua for d in ("windows", "macintosh", "x11", "cros")):
        return "desktop"
    return "other"


def network_from_referrer(referrer: str) -> str | None:
    """The network a click came from, guessed from the referrer's host; ``None`` for
    no referrer (apps often send none), ``other`` for a host not in the list."""
    if not referrer:
        return None
    host = (urlsplit(referrer).hostname or "").lower().removeprefix("www.")
    if not host:
        return None
    labels = host.split(".")
    for i in range(len(labels) - 1):
        found = REFERRER_NETWORKS.get(".".join(labels[i:]))
        if found:
            return found
    if "mastodon" in host or "mstdn" in host:
        return "mastodon"
    return "other"


def click(store: Store, code: str, *, referrer: str, user_agent: str, now: datetime) -> str | None:
    """Follow a short code: its destination (None if unknown), recording the click
    unless the user agent is a robot. One read and at most one insert."""
    if not _CODE.fullmatch(code):
        return None
    with store.begin() as conn:
        destination = queries.link_destination(conn, code)
        if destination is not None and not is_bot(user_agent):
            queries.record_click(
                conn,
                code,
                time=now,
                referrer=referrer,
                network=network_from_referrer(referrer),
                agent=agent_class(user_agent),
            )
    return destination
