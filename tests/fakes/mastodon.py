"""A fake Mastodon instance on 127.0.0.1: timelines, search, followers, posting and streaming.

It speaks the wire format of the Mastodon API documentation (docs.joinmastodon.org:
entities Status, Account, MediaAttachment, Notification; methods timelines, search,
accounts, statuses, notifications, streaming), so the client is tested over HTTP
exactly as it would talk to a real instance:

- ``GET /api/v1/timelines/tag/:tag`` and ``/api/v1/timelines/public`` (``local``,
  ``remote``): newest first, ``limit`` (default 20, at most 40), ``max_id``,
  ``since_id`` and ``min_id`` (the statuses just after it), with a ``Link`` header
  ``<…?max_id=OLDEST>; rel="next", <…?min_id=NEWEST>; rel="prev"``.
- ``GET /api/v2/search?type=statuses``: needs a token (401 without), words or a
  quoted phrase, ``min_id``/``max_id``/``limit``, no ``Link`` (as on Mastodon).
- ``GET /api/v1/accounts/lookup``, ``/api/v1/accounts/:id/followers`` (paged by the
  id of the *follow* in ``Link``, at most 80), ``/api/v1/notifications``.
- ``POST /api/v1/statuses``: 500 characters at most (422 otherwise, Mastodon's
  ``{"error": "Validation failed: …"}``), ``in_reply_to_id`` must exist (404), and an
  ``Idempotency-Key`` seen before answers the status it made then.
- ``POST /api/v2/media`` (``multipart/form-data``: ``file``, ``description``): the type
  is read from the bytes (422 "File content type is invalid" for anything but JPEG,
  PNG, GIF, WebP), 422 over ``image_size_limit``, 413 (nginx's HTML page) over
  ``body_limit``; answers 200 with the MediaAttachment, or, while ``processing_polls``
  is above 0, 202 with ``url: null``, and ``GET /api/v1/media/:id`` then answers 206
  that many times before 200. A status's ``media_ids[]`` attach the account's own
  unattached uploads (others are ignored, as Mastodon does), 422 "Cannot attach files
  that have not finished processing" while one is processing, 422 beyond 4.
  ``/api/v2/instance`` states the media limits.
- scripted ``ok`` (answer normally), ``hold:SECONDS`` (carry the request out, then wait
  before answering) and ``hang:SECONDS`` (wait, then close having done nothing).
- ``X-RateLimit-Limit/Remaining/Reset`` on every answer from one window per token
  (300 requests per 5 minutes, Mastodon's default) on the fake's clock, the reset an
  ISO 8601 time; an exhausted window answers 429 ``{"error": "Too many requests"}``.
- scripted failures for the next requests to a path: ``429``, ``500``, ``502``,
  ``503``, ``401``, ``403``, ``404``, ``422``, ``malformed`` (a 200 whose body is not
  JSON), ``truncated``, ``drop`` (closed with no answer), ``stall:SECONDS``.
- ``GET /api/v1/streaming/hashtag?tag=`` and ``/api/v1/streaming/user/notification``:
  server-sent events from a queue per stream (``event: update`` / ``notification`` /
  ``delete``), a ``:thump`` heartbeat every ``heartbeat`` seconds, and scripted
  ``drop`` (a chunk cut short), ``stall:SECONDS`` (silence, then the connection is
  dropped) and ``end`` (a clean end of the response); a status code as the first
  scripted action of the stream's path refuses the connection with it.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import regex

from tests.fakes.forms import FilePart, parse_multipart, sniff
from tests.fakes.serving import Served

__all__ = [
    "DOMAIN",
    "TOKEN",
    "FakeMastodon",
    "make_account",
    "make_corpus",
    "make_status",
    "status_id",
]

TOKEN = "fake-mastodon-token-0123456789"
DOMAIN = "bakers.social"  # the fake instance's domain in URLs and handles
_LIMIT = 300
_PERIOD = 300.0


def status_id(when: datetime, seq: int = 0) -> str:
    """A Mastodon id: milliseconds since 1970 shifted 16 bits, a sequence in the low bits."""
    return str((int(when.timestamp() * 1000) << 16) | (seq & 0xFFFF))


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def make_account(n: int, *, remote: str | None = None, followers: int = 0) -> dict[str, Any]:
    """An Account entity as the documentation shows it; ``remote`` names another instance."""
    username = f"baker{n}"
    host = remote or DOMAIN
    return {
        "id": str(109_000_000_000_000_000 + n),
        "username": username,
        "acct": f"{username}@{remote}" if remote else username,
        "display_name": f"Baker {n}",
        "locked": False,
        "bot": False,
        "discoverable": True,
        "group": False,
        "created_at": "2022-11-03T00:00:00.000Z",
        "note": f'<p>bread person no. {n} <a href="https://{host}/tags/bread" '
        'class="mention hashtag" rel="tag">#<span>bread</span></a></p>',
        "url": f"https://{host}/@{username}",
        "uri": f"https://{host}/users/{username}",
        "avatar": f"https://files.{host}/accounts/avatars/000/000/{n:03d}/original/a.png",
        "avatar_static": f"https://files.{host}/accounts/avatars/000/000/{n:03d}/original/a.png",
        "header": f"https://{host}/headers/original/missing.png",
        "header_static": f"https://{host}/headers/original/missing.png",
        "followers_count": followers or 10 * n,
        "following_count": 5,
        "statuses_count": 100 + n,
        "last_status_at": "2026-11-20",
        "emojis": [],
        "fields": [
            {"name": "Location", "value": "Asheville, NC", "verified_at": None},
            {
                "name": "Website",
                "value": f'<a href="https://baker{n}.example" rel="nofollow noopener me" '
                f'target="_blank"><span class="invisible">https://</span>'
                f'<span class="">baker{n}.example</span><span class="invisible"></span></a>',
                "verified_at": "2023-01-01T00:00:00.000+00:00",
            },
        ],
    }


def make_status(
    sid: str,
    account: dict[str, Any],
    text: str,
    created: datetime,
    *,
    tags: tuple[str, ...] = (),
    mentions: tuple[dict[str, Any], ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A Status entity: ``text`` becomes ``<p>`` HTML with hashtag and mention links."""
    host = urlsplit(account["url"]).hostname
    html = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for m in mentions:
        html = html.replace(
            f"@{m['username']}",
            f'<span class="h-card" translate="no"><a href="{m["url"]}" class="u-url mention">'
            f"@<span>{m['username']}</span></a></span>",
        )
    for tag in tags:
        html = re.sub(
            rf"#{tag}\b",
            f'<a href="https://{DOMAIN}/tags/{tag}" class="mention hashtag" rel="tag">'
            f"#<span>{tag}</span></a>",
            html,
            flags=re.IGNORECASE,
        )
    status: dict[str, Any] = {
        "id": sid,
        "created_at": _iso(created),
        "in_reply_to_id": None,
        "in_reply_to_account_id": None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "en",
        "uri": f"https://{host}/users/{account['username']}/statuses/{sid}",
        "url": f"https://{host}/@{account['username']}/{sid}",
        "replies_count": 0,
        "reblogs_count": 0,
        "favourites_count": int(sid[-1]) % 4,
        "edited_at": None,
        "content": f"<p>{html}</p>",
        "reblog": None,
        "application": {"name": "Web", "website": None},
        "account": account,
        "media_attachments": [],
        "mentions": [
            {"id": m["id"], "username": m["username"], "url": m["url"], "acct": m["acct"]}
            for m in mentions
        ],
        "tags": [{"name": t.lower(), "url": f"https://{DOMAIN}/tags/{t.lower()}"} for t in tags],
        "emojis": [],
        "card": None,
        "poll": None,
    }
    status.update(extra)
    return status


def make_corpus(
    n: int, *, tag: str = "sourdough", start: datetime | None = None
) -> list[dict[str, Any]]:
    """``n`` statuses (oldest first, ids increasing), half local, half remote authors.

    Even ones carry ``#tag``; odd ones say "croissant" without a tag.
    """
    start = start or datetime.now(UTC) - timedelta(days=2)
    out = []
    for i in range(n):
        remote = None if i % 4 < 2 else "other.example"
        account = make_account(i % 20, remote=remote)
        created = start + timedelta(seconds=30 * i)
        if i % 2 == 0:
            text = f"post {i}: the #{tag} at larkspur is lovely"
            out.append(make_status(status_id(created, i), account, text, created, tags=(tag,)))
        else:
            text = f"post {i}: a croissant at larkspur"
            out.append(make_status(status_id(created, i), account, text, created))
    return out


def _newer(a: str, b: str) -> bool:
    return (len(a), a) > (len(b), b)


@dataclass
class _Window:
    remaining: int
    reset: float


@dataclass
class FakeMastodon(Served):
    """The fake's state; :meth:`start` serves it on an ephemeral port of 127.0.0.1."""

    statuses: list[dict[str, Any]] = field(default_factory=list)
    followers: list[dict[str, Any]] = field(default_factory=list)  # newest follow first
    business: dict[str, Any] = field(default_factory=lambda: make_account(99))
    notifications: list[dict[str, Any]] = field(default_factory=list)  # oldest first
    clock: Callable[[], float] = time.time
    rate_limit: int = _LIMIT
    token: str = TOKEN
    page_delay: float = 0.0
    heartbeat: float = 0.2  # real seconds between ':thump' lines
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    headers_seen: list[dict[str, str]] = field(default_factory=list)
    scripted: dict[str, list[str]] = field(default_factory=dict)
    stream_events: dict[str, list[Any]] = field(default_factory=dict)
    stream_connections: int = 0
    published: list[dict[str, Any]] = field(default_factory=list)
    idempotency: dict[str, dict[str, Any]] = field(default_factory=dict)
    media: dict[str, dict[str, Any]] = field(default_factory=dict)  # attachments by id
    attached: dict[str, str] = field(default_factory=dict)  # attachment id -> status id
    processing: dict[str, int] = field(default_factory=dict)  # id -> 206s still to answer
    processing_polls: int = 0
    image_size_limit: int = 16 * 1024 * 1024
    body_limit: int = 99 * 1024 * 1024  # nginx's client_max_body_size
    _window: _Window | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None  # see Served

    # --- control -------------------------------------------------------------------------

    def fail_next(self, path: str, *actions: str) -> None:
        """Answer the next requests to ``path`` with ``actions`` in order (see module doc)."""
        with self._lock:
            self.scripted.setdefault(path, []).extend(actions)

    def push(self, stream: str, *items: Any) -> None:
        """Queue for stream ``hashtag:TAG`` or ``notification``: ``(event, payload)`` pairs
        or control words (``drop``, ``stall:S``, ``end``)."""
        with self._lock:
            self.stream_events.setdefault(stream, []).extend(items)

    def start(self) -> FakeMastodon:
        return self._serve(_Handler, "m")

    def calls(self, path: str) -> list[dict[str, str]]:
        return [q for _, p, q in self.requests if p == path]

    # --- behaviour -----------------------------------------------------------------------

    def _take_script(self, path: str) -> str | None:
        with self._lock:
            queue = self.scripted.get(path)
            return queue.pop(0) if queue else None

    def _rate(self) -> tuple[dict[str, str], bool]:
        now = self.clock()
        with self._lock:
            window = self._window
            if window is None or now >= window.reset:
                reset = (now // _PERIOD + 1) * _PERIOD  # Mastodon's windows are aligned
                window = self._window = _Window(self.rate_limit, reset)
            over = window.remaining <= 0
            if not over:
                window.remaining -= 1
            reset_at = datetime.fromtimestamp(window.reset, UTC)
            headers = {
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": str(window.remaining),
                "X-RateLimit-Reset": _iso(reset_at),
            }
        return headers, over

    def instance(self) -> dict[str, Any]:
        """``/api/v2/instance``, trimmed to what clients read (Mastodon 4.5's shape)."""
        public = {"local": "public", "remote": "public"}
        return {
            "domain": DOMAIN,
            "title": "Bakers Social",
            "version": "4.5.0",
            "source_url": "https://github.com/mastodon/mastodon",
            "configuration": {
                "urls": {"streaming": self.url.replace("http", "ws", 1)},
                "statuses": {"max_characters": 500, "max_media_attachments": 4},
                "media_attachments": {
                    "supported_mime_types": [
                        "image/jpeg",
                        "image/png",
                        "image/gif",
                        "image/webp",
                        "video/mp4",
                    ],
                    "description_limit": 1500,
                    "image_size_limit": self.image_size_limit,
                    "image_matrix_limit": 33_177_600,
                    "video_size_limit": 103_809_024,
                    "video_frame_rate_limit": 120,
                    "video_matrix_limit": 8_294_400,
                },
                "timelines_access": {
                    "live_feeds": public,
                    "hashtag_feeds": public,
                    "trending_link_feeds": public,
                },
            },
        }

    def select(
        self, pool: list[dict[str, Any]], params: dict[str, str], default: int = 20
    ) -> list[dict[str, Any]]:
        """A page of ``pool`` (oldest first) as Mastodon pages: newest first within bounds."""
        limit = max(1, min(40, int(params.get("limit", default))))
        since, min_id, max_id = params.get("since_id"), params.get("min_id"), params.get("max_id")
        hits = [
            s
            for s in pool
            if (since is None or _newer(s["id"], since))
            and (min_id is None or _newer(s["id"], min_id))
            and (max_id is None or _newer(max_id, s["id"]))
        ]
        if min_id is not None and "q" not in params:  # the statuses just after min_id
            return list(reversed(hits[:limit]))
        return list(reversed(hits[-limit:]))

    def timeline(self, path: str, params: dict[str, str]) -> list[dict[str, Any]]:
        with self._lock:
            pool = list(self.statuses)
        if path.startswith("/api/v1/timelines/tag/"):
            tag = path.rsplit("/", 1)[1].lower()
            pool = [s for s in pool if any(t["name"] == tag for t in s["tags"])]
        elif params.get("local") in ("true", "True", "1"):
            pool = [s for s in pool if "@" not in s["account"]["acct"]]
        elif params.get("remote") in ("true", "True", "1"):
            pool = [s for s in pool if "@" in s["account"]["acct"]]
        return self.select(pool, params)

    def search(self, params: dict[str, str]) -> dict[str, Any]:
        q = params.get("q", "").strip().lower()
        phrase = q.strip('"')
        with self._lock:
            pool = list(self.statuses)
        if q.startswith('"'):
            pool = [s for s in pool if phrase in s["content"].lower()]
        else:
            pool = [s for s in pool if q in re.split(r"[^\w@#.]+", s["content"].lower())]
        statuses = self.select(pool, params) if params.get("type", "statuses") == "statuses" else []
        return {"accounts": [], "statuses": statuses, "hashtags": []}

    def upload_media(self, form: dict[str, list[str | FilePart]]) -> tuple[int, dict[str, Any]]:
        """``POST /api/v2/media``: (status, MediaAttachment or error)."""
        files = [f for f in form.get("file", []) if isinstance(f, FilePart)]
        if len(files) != 1:
            return 422, {"error": "Validation failed: File can't be blank"}
        data = files[0].data
        kind = sniff(data)
        if kind not in ("image/jpeg", "image/png", "image/gif", "image/webp"):
            return 422, {
                "error": "Validation failed: File content type is invalid, File is invalid"
            }
        if len(data) > self.image_size_limit:
            mb = self.image_size_limit // (1024 * 1024)
            return 422, {"error": f"Validation failed: File file size must be less than {mb} MB"}
        description = str((form.get("description") or [""])[0])
        if len(description) > 1500:
            return 422, {
                "error": "Validation failed: Description is too long (maximum is 1500 characters)"
            }
        with self._lock:
            mid = str(110_000_000_000_000_000 + len(self.media))
            url = f"https://files.{DOMAIN}/media_attachments/files/{mid}/original/image"
            attachment = {
                "id": mid,
                "type": "image",
                "url": url,
                "preview_url": url.replace("original", "small"),
                "remote_url": None,
                "text_url": None,
                "meta": {"original": {"size_bytes": len(data)}},
                "description": description or None,
                "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-;xuWBt6t7WB",
                "_type": kind,
            }
            self.media[mid] = attachment
            if self.processing_polls > 0:
                self.processing[mid] = self.processing_polls
                return 202, {**self._public(attachment), "url": None}
        return 200, self._public(attachment)

    def get_media(self, mid: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            attachment = self.media.get(mid)
            if attachment is None:
                return 404, {"error": "Record not found"}
            left = self.processing.get(mid, 0)
            if left > 0:
                self.processing[mid] = left - 1
                return 206, {**self._public(attachment), "url": None}
            self.processing.pop(mid, None)
        return 200, self._public(attachment)

    @staticmethod
    def _public(attachment: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in attachment.items() if not k.startswith("_")}

    def post_status(self, body: dict[str, Any], key: str | None) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if key and key in self.idempotency:
                return 200, self.idempotency[key]
            text = str(body.get("status") or "")
            if not text.strip():
                return 422, {"error": "Validation failed: Text can't be blank"}
            if len(regex.findall(r"\X", text)) > 500:
                return 422, {"error": "Validation failed: Text character limit of 500 exceeded"}
            parent = body.get("in_reply_to_id")
            if parent and not any(
                s["id"] == str(parent) for s in [*self.statuses, *self.published]
            ):
                return 404, {"error": "Record not found"}
            wanted = body.get("media_ids") or []
            wanted = [wanted] if isinstance(wanted, str) else list(wanted)
            if len(wanted) > 4:
                return 422, {"error": "Cannot attach more than 4 files"}
            # the account's own unattached uploads; any other id is ignored, as on Mastodon
            usable = [m for m in map(str, wanted) if m in self.media and m not in self.attached]
            if any(self.processing.get(m, 0) > 0 for m in usable):
                return 422, {
                    "error": "Cannot attach files that have not finished processing. "
                    "Try again in a moment!"
                }
            created = datetime.now(UTC)
            sid = status_id(created, len(self.published))
            status = make_status(
                sid,
                self.business,
                text,
                created,
                media_attachments=[self._public(self.media[m]) for m in usable],
            )
            for m in usable:
                self.attached[m] = sid
            status["in_reply_to_id"] = str(parent) if parent else None
            status["visibility"] = str(body.get("visibility") or "public")
            self.published.append(status)
            if key:
                self.idempotency[key] = status
            return 200, status

    def follower_page(self, params: dict[str, str]) -> tuple[list[dict[str, Any]], str | None]:
        limit = max(1, min(80, int(params.get("limit", "40"))))
        below = int(params["max_id"]) if "max_id" in params else None
        with self._lock:  # follow ids count down from 10_000: newest follow first
            rows = [(10_000 - i, a) for i, a in enumerate(self.followers)]
        rows = [(fid, a) for fid, a in rows if below is None or fid < below]
        page = rows[:limit]
        more = len(rows) > limit
        return [a for _, a in page], (str(page[-1][0]) if page and more else None)

    def stream_items(self, key: str) -> Iterator[Any]:
        with self._lock:
            self.stream_connections += 1
        while True:
            with self._lock:
                queue = self.stream_events.get(key) or []
                item = queue.pop(0) if queue else None
            if item is None:
                yield b":thump\n\n"
                time.sleep(self.heartbeat)
                continue
            yield item


_ERRORS = {
    401: {"error": "The access token is invalid"},
    403: {"error": "This action is outside the authorized scopes"},
    404: {"error": "Record not found"},
    422: {"error": "Validation failed: Text character limit of 500 exceeded"},
    429: {"error": "Too many requests"},
    500: {"error": "We're sorry, but something went wrong on our end."},
    502: {"error": "Bad Gateway"},
    503: {"error": "Service Unavailable"},
}


class _Handler(BaseHTTPRequestHandler):
    m: FakeMastodon
    hold: float = 0.0
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The ``Date`` header on the fake's clock (Mastodon.py corrects resets by it)."""
        return super().date_time_string(self.m.clock() if timestamp is None else timestamp)

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _link(self, path: str, params: dict[str, str], items: list[dict[str, Any]]) -> str:
        if not items:
            return ""
        keep = {k: v for k, v in params.items() if k not in ("max_id", "min_id", "since_id")}
        base = f"{self.m.url}{path}"
        older = urlencode({**keep, "max_id": items[-1]["id"]})
        newer = urlencode({**keep, "min_id": items[0]["id"]})
        return f'<{base}?{older}>; rel="next", <{base}?{newer}>; rel="prev"'

    def _handle(self, method: str) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        params = {k.removesuffix("[]"): v[-1] for k, v in parse_qs(parts.query).items()}
        body: dict[str, Any] = {}
        form: dict[str, list[str | FilePart]] = {}
        self.hold = 0.0  # a handler serves every request of its connection: reset
        if method == "POST":
            length = int(self.headers.get("content-length", "0"))
            if length > self.m.body_limit:  # nginx refuses it before Mastodon sees it
                self.rfile.read(length)
                self._send_html(413, "413 Request Entity Too Large")
                return
            raw = self.rfile.read(length)
            content_type = self.headers.get("content-type", "")
            if "json" in content_type:
                body = json.loads(raw or b"{}")
            elif content_type.startswith("multipart/form-data"):
                form = parse_multipart(content_type, raw)
            else:  # a form: a key ending in [] is a list (media_ids[])
                body = {
                    k.removesuffix("[]"): (v if k.endswith("[]") else v[-1])
                    for k, v in parse_qs(raw.decode()).items()
                }
        with self.m._lock:
            self.m.requests.append((method, path, params))
            self.m.headers_seen.append(dict(self.headers))
        auth = self.headers.get("authorization")
        if auth is not None and auth != f"Bearer {self.m.token}":
            self._send(401, _ERRORS[401])
            return
        if path.startswith("/api/v1/streaming/"):
            self._stream(path, params)
            return
        rate, over = self._rate_for(auth)
        action = self.m._take_script(path)
        if action is not None and self._scripted(action, rate):
            return
        if over:
            self._send(429, _ERRORS[429], rate)
            return
        if method == "POST" and path == "/api/v2/media":
            if auth is None:
                self._send(401, _ERRORS[401], rate)
                return
            status, out = self.m.upload_media(form)
            self._send(status, out, rate)
            return
        self._route(method, path, params, body, auth, rate)

    def _send_html(self, status: int, title: str) -> None:
        raw = f"<html><head><title>{title}</title></head><body>{title}</body></html>".encode()
        self.send_response(status)
        self.send_header("content-type", "text/html")
        self.send_header("content-length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _rate_for(self, auth: str | None) -> tuple[dict[str, str], bool]:
        return self.m._rate()

    def _route(
        self,
        method: str,
        path: str,
        params: dict[str, str],
        body: dict[str, Any],
        auth: str | None,
        rate: dict[str, str],
    ) -> None:
        if method == "GET" and path.startswith("/api/v1/timelines/"):
            if self.m.page_delay:
                time.sleep(self.m.page_delay)
            items = self.m.timeline(path, params)
            link = self._link(path, params, items)
            self._send(200, items, {**rate, **({"Link": link} if link else {})})
        elif method == "GET" and path.rstrip("/") == "/api/v2/instance":
            self._send(200, self.m.instance(), rate)
        elif method == "GET" and path == "/api/v2/search":
            if auth is None:
                self._send(401, {"error": "Search queries require an access token"}, rate)
                return
            if self.m.page_delay:
                time.sleep(self.m.page_delay)
            self._send(200, self.m.search(params), rate)
        elif method == "GET" and path == "/api/v1/accounts/lookup":
            acct = params.get("acct", "").lstrip("@").removesuffix(f"@{DOMAIN}")
            if acct == self.m.business["acct"]:
                self._send(200, self.m.business, rate)
            else:
                self._send(404, _ERRORS[404], rate)
        elif method == "GET" and path == f"/api/v1/accounts/{self.m.business['id']}/followers":
            items, next_id = self.m.follower_page(params)
            link = ""
            if next_id:
                query = urlencode({"limit": params.get("limit", "40"), "max_id": next_id})
                link = f'<{self.m.url}{path}?{query}>; rel="next"'
            self._send(200, items, {**rate, **({"Link": link} if link else {})})
        elif method == "GET" and path == "/api/v1/notifications":
            if auth is None:
                self._send(401, _ERRORS[401], rate)
                return
            with self.m._lock:
                pool = [n for n in self.m.notifications if n["type"] == "mention"]
            items = self.m.select(pool, params, default=40)
            link = self._link(path, params, items)
            self._send(200, items, {**rate, **({"Link": link} if link else {})})
        elif method == "POST" and path == "/api/v1/statuses":
            if auth is None:
                self._send(401, _ERRORS[401], rate)
                return
            status, out = self.m.post_status(body, self.headers.get("idempotency-key"))
            if self.hold:
                time.sleep(self.hold)  # done; the answer comes late (or to nobody)
            self._send(status, out, rate)
        elif method == "GET" and path.startswith("/api/v1/media/"):
            if auth is None:
                self._send(401, _ERRORS[401], rate)
                return
            status, out = self.m.get_media(path.rsplit("/", 1)[1])
            self._send(status, out, rate)
        else:
            self._send(404, _ERRORS[404], rate)

    def _scripted(self, action: str, rate: dict[str, str]) -> bool:
        """Carry out a scripted failure; False when the action lets the request proceed."""
        if action.startswith("stall:"):
            time.sleep(float(action.split(":", 1)[1]))
            return False
        if action == "ok":
            return False
        if action.startswith("hold:"):
            self.hold = float(action.split(":", 1)[1])
            return False
        if action.startswith("hang:"):
            time.sleep(float(action.split(":", 1)[1]))
            self.close_connection = True
            return True
        if action.isdigit():
            code = int(action)
            headers = {**rate, "X-RateLimit-Remaining": "0"} if code == 429 else rate
            self._send(code, _ERRORS[code], headers)
        elif action == "malformed":
            self._send(200, b'[{"id": "1", "content": "cut', rate)
        elif action == "truncated":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "5000")
            self.end_headers()
            self.wfile.write(b'[{"id": ')
            self.wfile.flush()
            self.close_connection = True
        elif action == "drop":
            self.close_connection = True
        else:
            raise ValueError(f"unknown scripted action {action!r}")
        return True

    def _stream(self, path: str, params: dict[str, str]) -> None:
        if path == "/api/v1/streaming/hashtag":
            key = f"hashtag:{params.get('tag', '').lower()}"
        elif path == "/api/v1/streaming/user/notification":
            key = "notification"
        else:
            self._send(404, _ERRORS[404])
            return
        action = self.m._take_script(path)
        if action is not None and action.isdigit():
            self._send(int(action), _ERRORS[int(action)])
            return
        if action == "drop":
            self.close_connection = True
            return
        self.send_response(200)
        self.send_header("content-type", "text/event-stream")
        self.send_header("transfer-encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        try:
            for item in self.m.stream_items(key):
                if item == "drop":
                    self.wfile.write(b"40\r\nevent: upd")  # a chunk cut short, then gone
                    self.wfile.flush()
                    return
                if isinstance(item, str) and item.startswith("stall:"):
                    time.sleep(float(item.split(":", 1)[1]))  # silent, then gone
                    return
                if item == "end":
                    self.wfile.write(b"0\r\n\r\n")
                    return
                if isinstance(item, tuple):
                    event, payload = item
                    data = payload if isinstance(payload, str) else json.dumps(payload)
                    item = f"event: {event}\ndata: {data}\n\n".encode()
                assert isinstance(item, bytes)
                self.wfile.write(f"{len(item):x}\r\n".encode() + item + b"\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")
