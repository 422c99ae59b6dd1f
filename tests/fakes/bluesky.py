"""A fake Bluesky on 127.0.0.1: an XRPC service and a Jetstream websocket, on real sockets.

The XRPC half speaks the lexicons' wire format (``/xrpc/NSID``, JSON bodies,
errors as ``{"error": "...", "message": "..."}``) for what hubbub calls:

- ``com.atproto.server.createSession`` / ``refreshSession``: tokens that
  :meth:`FakeBluesky.expire_access` / :meth:`expire_refresh` make answer
  ``400 ExpiredToken`` as a PDS does; a wrong password is ``401 AuthenticationRequired``.
- ``app.bsky.feed.searchPosts``: post views newest first by ``indexedAt``, with
  ``q`` (words, ``"phrases"``, ``#tags``, ``mentions:``, ``from:``), ``since``
  (inclusive), ``limit`` and a ``cursor`` that pins the page's lower bound, so posts
  arriving mid-pagination do not shift pages.
- ``app.bsky.actor.getProfiles`` (25 actors at most), ``app.bsky.graph.getFollowers``,
  ``app.bsky.feed.getPosts``, ``com.atproto.repo.createRecord`` (300 graphemes and
  3,000 bytes of text; a taken rkey answers 500 InternalServerError, as today's PDS
  does, or with ``taken_rkey_error`` another answer) and ``com.atproto.repo.getRecord``.
- ``com.atproto.repo.uploadBlob``: the raw body, its type read from the bytes (as a PDS
  sniffs it), 413 ``PayloadTooLarge`` over ``blob_limit``; answers the blob
  (``$type``, ``ref.$link`` a CID of the bytes, ``mimeType``, ``size``). A post's
  ``app.bsky.embed.images`` is checked as the PDS checks it on the record: at most 4
  images, each blob uploaded (``BlobNotFound``), an image (``InvalidMimeType``) of at
  most 1,000,000 bytes (``BlobTooLarge``).
- ``ratelimit-limit/remaining/reset/policy`` on every answer from a per-method
  window on the fake's clock; an exhausted window answers ``429 RateLimitExceeded``.
- scripted failures for the next calls of a method: ``429``, ``502``, ``503``,
  ``400``, ``drop`` (the connection closed with no answer), ``malformed``, ``lost``
  (the call is carried out, then the connection closed before the answer), and for
  the crash tests ``ok``, ``hold:SECONDS`` (carried out, answered late) and
  ``hang:SECONDS`` (nothing done, the connection closed after a wait).

The Jetstream half (:class:`FakeJetstream`) serves ``/subscribe`` events shaped as
Jetstream sends them (``kind`` commit / identity / account, ``time_us``), filtered by
``wantedCollections``, replayed from ``cursor`` (the event at the cursor included),
with scripted ``drop:N`` (the socket cut after N events), ``stall:N:SECONDS``
(silence after N events) and ``refuse:STATUS`` (the handshake answered with an HTTP
error) per connection.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import regex
from websockets.datastructures import Headers
from websockets.http11 import Request, Response
from websockets.sync.server import Server, ServerConnection, serve

from tests.fakes.forms import sniff
from tests.fakes.serving import Served

__all__ = [
    "HANDLE",
    "PASSWORD",
    "FakeBluesky",
    "FakeJetstream",
    "cid_for",
    "jetstream_events",
    "make_posts",
    "profile",
    "tid",
]

HANDLE = "larkspur.bsky.social"
PASSWORD = "abcd-efgh-ijkl-mnop"
BUSINESS_DID = "did:plc:larkspurbakery0000000000"
_B32 = "abcdefghijklmnopqrstuvwxyz234567"
_B32_SORT = "234567abcdefghijklmnopqrstuvwxyz"
_GRAPHEME = regex.compile(r"\X")


def cid_for(text: str) -> str:
    """A CIDv1 (dag-cbor, sha-256) lookalike: ``bafyrei`` and 52 base32 characters."""
    digest = hashlib.sha256(text.encode()).digest()
    bits = int.from_bytes(digest, "big")
    return "bafyrei" + "".join(_B32[(bits >> (5 * i)) & 31] for i in range(52))


def tid(micros: int, clock_id: int = 0) -> str:
    value = (micros << 10) | (clock_id & 0x3FF)
    return "".join(_B32_SORT[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def profile(n: int, *, detailed: bool = True) -> dict[str, Any]:
    """A profile view of the ``n``-th fake person (detailed: with counts, as getProfiles)."""
    did = f"did:plc:baker{n:04d}aaaaaaaaaaaaaaa"
    view: dict[str, Any] = {
        "did": did,
        "handle": f"baker{n}.bsky.social",
        "displayName": f"Baker {n}",
        "associated": {"chat": {"allowIncoming": "following"}},
        "labels": [],
        "createdAt": "2023-11-01T12:00:00.000Z",
        "description": "bread person in Asheville",
        "indexedAt": "2024-05-01T00:00:00.000Z",
    }
    if n % 5:
        view["avatar"] = f"https://cdn.bsky.app/img/avatar/plain/{did}/{cid_for(did)}@jpeg"
    if detailed:
        view |= {"followersCount": 10 * n, "followsCount": 7, "postsCount": 100 + n}
    return view


def _facet(text: str, needle: str, feature: dict[str, Any]) -> dict[str, Any]:
    start = text.index(needle)
    b0 = len(text[:start].encode())
    return {
        "$type": "app.bsky.richtext.facet",
        "index": {"byteStart": b0, "byteEnd": b0 + len(needle.encode())},
        "features": [feature],
    }


def _record(i: int, word: str, created: datetime) -> dict[str, Any]:
    """The ``i``-th post record: every third has an emoji before a tag and a link."""
    if i % 3 == 0:
        text = f"post {i} 🍞🥐 the {word} at #larkspur is lovely https://larkspur.example/m…"
        facets = [
            _facet(text, "#larkspur", {"$type": "app.bsky.richtext.facet#tag", "tag": "larkspur"}),
            _facet(
                text,
                "https://larkspur.example/m…",
                {"$type": "app.bsky.richtext.facet#link", "uri": "https://larkspur.example/menu"},
            ),
        ]
    else:
        text = f"post {i}: the {word} at larkspur is lovely"
        facets = []
    record: dict[str, Any] = {
        "$type": "app.bsky.feed.post",
        "createdAt": _iso(created),
        "langs": ["en"],
        "text": text,
    }
    if facets:
        record["facets"] = facets
    return record


def make_posts(
    n: int, words: tuple[str, ...] = ("sourdough", "croissant"), *, start: datetime | None = None
) -> list[dict[str, Any]]:
    """``n`` post views (oldest first), as searchPosts returns them."""
    start = start or datetime.now(UTC) - timedelta(days=2)
    views = []
    for i in range(n):
        author = profile(i % 20, detailed=False)
        created = start + timedelta(seconds=30 * i)
        rkey = tid(int(created.timestamp() * 1_000_000), i)
        uri = f"at://{author['did']}/app.bsky.feed.post/{rkey}"
        record = _record(i, words[i % len(words)], created)
        views.append(
            {
                "uri": uri,
                "cid": cid_for(uri),
                "author": {k: author[k] for k in author if k != "description"},
                "record": record,
                "replyCount": 0,
                "repostCount": i % 2,
                "likeCount": i % 4,
                "quoteCount": 0,
                "indexedAt": _iso(created + timedelta(seconds=1)),
                "labels": [],
            }
        )
    return views


def _words(text: str) -> set[str]:
    return set(re.split(r"[^\w.]+", text.lower())) | set(re.split(r"[^\w]+", text.lower()))


@dataclass
class _Window:
    remaining: int
    reset: float


_ERRORS = {
    "429": (429, "RateLimitExceeded", "Rate Limit Exceeded"),
    "502": (502, "UpstreamFailure", "Upstream Failure"),
    "503": (503, "NotEnoughResources", "Service Unavailable"),
    "400": (400, "InvalidRequest", "Input/q must be a string"),
}


@dataclass
class FakeBluesky(Served):
    """The XRPC fake's state; :meth:`start` serves it on an ephemeral port of 127.0.0.1."""

    posts: list[dict[str, Any]] = field(default_factory=list)
    followers: list[dict[str, Any]] = field(default_factory=list)
    clock: Callable[[], float] = time.time
    rate_limit: int = 3000
    window_seconds: float = 300.0
    handle: str = HANDLE
    password: str = PASSWORD
    did: str = BUSINESS_DID
    page_delay: float = 0.0
    requests: list[tuple[str, str, dict[str, list[str]], Any]] = field(default_factory=list)
    scripted: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)  # uri -> record
    blobs: dict[str, tuple[str, int]] = field(default_factory=dict)  # cid -> (type, size)
    blob_limit: int = 50 * 1024 * 1024
    #: how a taken record key is answered: (status, error, message); None: as the PDS does
    taken_rkey_error: tuple[int, str, str] | None = None
    _access: set[str] = field(default_factory=set)
    _refresh: set[str] = field(default_factory=set)
    _expired: set[str] = field(default_factory=set)
    _tokens: int = 0
    _windows: dict[str, _Window] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None  # see Served

    # --- control -------------------------------------------------------------------------

    def fail_next(self, nsid: str, *actions: str) -> None:
        with self._lock:
            self.scripted.setdefault(nsid, []).extend(actions)

    def expire_access(self) -> None:
        """Every access token issued so far now answers ExpiredToken."""
        with self._lock:
            self._expired |= self._access

    def expire_refresh(self) -> None:
        with self._lock:
            self._expired |= self._refresh

    def calls(self, nsid: str) -> list[dict[str, list[str]]]:
        return [q for _m, n, q, _b in self.requests if n == nsid]

    def bodies(self, nsid: str) -> list[Any]:
        return [b for _m, n, _q, b in self.requests if n == nsid]

    def profiles(self) -> dict[str, dict[str, Any]]:
        """Every known account's detailed profile, by DID and by handle."""
        out: dict[str, dict[str, Any]] = {}
        for n in range(40):
            view = profile(n)
            out[view["did"]] = out[view["handle"]] = view
        me = {
            "did": self.did,
            "handle": self.handle,
            "displayName": "Larkspur Bakery",
            "followersCount": len(self.followers),
            "followsCount": 3,
            "postsCount": len(self.records),
            "createdAt": "2023-06-01T00:00:00.000Z",
        }
        out[self.did] = out[self.handle] = me
        return out

    def start(self) -> FakeBluesky:
        return self._serve(_Handler, "bsky")

    # --- behaviour -----------------------------------------------------------------------

    def _new_tokens(self) -> dict[str, Any]:
        with self._lock:
            self._tokens += 1
            access, refresh = f"access-{self._tokens}", f"refresh-{self._tokens}"
            self._access.add(access)
            self._refresh.add(refresh)
        return {
            "did": self.did,
            "handle": self.handle,
            "accessJwt": access,
            "refreshJwt": refresh,
            "active": True,
            "didDoc": {"id": self.did},
        }

    def _rate(self, nsid: str) -> tuple[dict[str, str], bool]:
        now = self.clock()
        with self._lock:
            window = self._windows.get(nsid)
            if window is None or now >= window.reset:
                window = self._windows[nsid] = _Window(self.rate_limit, now + self.window_seconds)
            over = window.remaining <= 0
            if not over:
                window.remaining -= 1
            return {
                "ratelimit-limit": str(self.rate_limit),
                "ratelimit-remaining": str(window.remaining),
                "ratelimit-reset": str(int(window.reset)),
                "ratelimit-policy": f"{self.rate_limit};w={int(self.window_seconds)}",
            }, over

    def search(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        q = params.get("q", [""])[-1]
        if not q:
            return 400, {"error": "InvalidRequest", "message": "Params must have the property q"}
        limit = int(params.get("limit", ["25"])[-1])
        if not 1 <= limit <= 100:
            return 400, {"error": "InvalidRequest", "message": "limit must be <= 100"}
        since = params.get("since", [None])[-1]
        below = params.get("cursor", [None])[-1]
        phrase = re.fullmatch(r'"(.*)"', q)
        with self._lock:
            pool = list(self.posts)
        hits = []
        for view in reversed(pool):  # newest first
            text = str(view["record"].get("text", "")).lower()
            if since and view["indexedAt"] < since:
                continue
            if phrase:
                if phrase.group(1).lower() not in text:
                    continue
            elif q.startswith("from:"):
                if view["author"]["handle"] != q[5:]:
                    continue
            elif q.startswith("mentions:"):
                if "@" + q[9:].lower() not in text:
                    continue
            elif q.lstrip("#").lower() not in _words(text):
                continue
            hits.append(view)
        if below is not None:
            hits = [v for v in hits if (v["indexedAt"], v["uri"]) < tuple(below.split("|", 1))]
        page, rest = hits[:limit], hits[limit:]
        body: dict[str, Any] = {"posts": page}
        if rest:
            body["cursor"] = f"{page[-1]['indexedAt']}|{page[-1]['uri']}"
        if below is None:
            body["hitsTotal"] = len(hits)
        return 200, body

    def get_profiles(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        actors = params.get("actors", [])
        if len(actors) > 25:
            return 400, {"error": "InvalidRequest", "message": "actors must not have more than 25"}
        known = self.profiles()
        return 200, {"profiles": [known[a] for a in actors if a in known]}

    def get_followers(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        actor = params.get("actor", [""])[-1]
        if actor not in (self.handle, self.did):
            return 400, {"error": "InvalidRequest", "message": "Profile not found"}
        limit = int(params.get("limit", ["50"])[-1])
        start = int(params.get("cursor", ["0"])[-1])
        page = self.followers[start : start + limit]
        body: dict[str, Any] = {"subject": self.profiles()[self.did], "followers": page}
        if start + limit < len(self.followers):
            body["cursor"] = str(start + limit)
        return 200, body

    def get_posts(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        uris = params.get("uris", [])
        with self._lock:
            by_uri = {v["uri"]: v for v in self.posts}
        return 200, {"posts": [by_uri[u] for u in uris if u in by_uri]}

    def create_record(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        repo, collection = body.get("repo"), body.get("collection")
        record = body.get("record") or {}
        if repo not in (self.did, self.handle):
            return 401, {"error": "AuthRequired", "message": "Input/repo is not your repo"}
        text = record.get("text", "")
        if len(_GRAPHEME.findall(text)) > 300:
            return 400, {
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: Record/text must not be longer "
                "than 300 graphemes",
            }
        if len(text.encode("utf-8")) > 3000:
            return 400, {
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: Record/text must not be longer "
                "than 3000 characters",
            }
        refused = self._check_images(record.get("embed"))
        if refused is not None:
            return refused
        rkey = body.get("rkey") or tid(int(self.clock() * 1_000_000), len(self.records))
        uri = f"at://{self.did}/{collection}/{rkey}"
        with self._lock:
            if uri in self.records:
                if self.taken_rkey_error is not None:
                    status, error, message = self.taken_rkey_error
                    return status, {"error": error, "message": message}
                # what the reference PDS answers (bluesky-social/atproto issues 3718, 4725)
                return 500, {"error": "InternalServerError", "message": "Internal Server Error"}
            self.records[uri] = record
            me = self.profiles()[self.did]
            self.posts.append(
                {
                    "uri": uri,
                    "cid": cid_for(uri),
                    "author": {"did": me["did"], "handle": me["handle"]},
                    "record": record,
                    "indexedAt": record.get("createdAt", ""),
                    "likeCount": 0,
                    "replyCount": 0,
                    "repostCount": 0,
                    "quoteCount": 0,
                    "labels": [],
                }
            )
        commit = {"cid": cid_for(uri + "commit"), "rev": tid(int(self.clock() * 1e6))}
        return 200, {"uri": uri, "cid": cid_for(uri), "commit": commit, "validationStatus": "valid"}

    def upload_blob(self, data: bytes, declared: str) -> tuple[int, dict[str, Any]]:
        """``uploadBlob``: the blob, typed by its bytes (``declared`` is the header's)."""
        if len(data) > self.blob_limit:
            return 413, {"error": "PayloadTooLarge", "message": "request entity too large"}
        kind = sniff(data) or "application/octet-stream"  # the bytes decide, not ``declared``
        cid = "bafkrei" + cid_for(data.hex())[7:]
        with self._lock:
            self.blobs[cid] = (kind, len(data))
        blob = {"$type": "blob", "ref": {"$link": cid}, "mimeType": kind, "size": len(data)}
        return 200, {"blob": blob}

    def _check_images(self, embed: Any) -> tuple[int, dict[str, Any]] | None:
        if not isinstance(embed, dict) or embed.get("$type") != "app.bsky.embed.images":
            return None
        images = embed.get("images") or []
        if len(images) > 4:
            return 400, {
                "error": "InvalidRequest",
                "message": "Invalid app.bsky.feed.post record: Record/embed/images must not "
                "have more than 4 elements",
            }
        for image in images:
            blob = image.get("image") or {}
            cid = (blob.get("ref") or {}).get("$link", "")
            found = self.blobs.get(cid)
            if found is None:
                return 400, {"error": "BlobNotFound", "message": f"Could not find blob: {cid}"}
            kind, size = found
            if not kind.startswith("image/"):
                return 400, {
                    "error": "InvalidMimeType",
                    "message": f"Wrong type of file. It is {kind} but it must match image/*.",
                }
            if size > 1_000_000:
                return 400, {
                    "error": "BlobTooLarge",
                    "message": f"This file is too large. It is {size / 1e6:.2f}MB but the "
                    "maximum size is 1.00MB.",
                }
            if not isinstance(image.get("alt"), str):
                return 400, {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/embed/images/0 must "
                    'have the property "alt"',
                }
        return None

    def get_record(self, params: dict[str, list[str]]) -> tuple[int, dict[str, Any]]:
        repo = params.get("repo", [""])[-1]
        collection = params.get("collection", [""])[-1]
        rkey = params.get("rkey", [""])[-1]
        uri = f"at://{self.did if repo == self.handle else repo}/{collection}/{rkey}"
        record = self.records.get(uri)
        if record is None:
            return 400, {"error": "RecordNotFound", "message": f"Could not locate record: {uri}"}
        return 200, {"uri": uri, "cid": cid_for(uri), "value": record}


_PUBLIC = {"com.atproto.server.createSession", "com.atproto.server.refreshSession"}


class _Handler(BaseHTTPRequestHandler):
    bsky: FakeBluesky
    protocol_version = "HTTP/1.1"
    wbufsize = 1 << 16
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("content-length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)

    def _auth(self, nsid: str) -> tuple[int, dict[str, str]] | None:
        """None when the caller may go on, else the error to answer."""
        fake = self.bsky
        token = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        if nsid == "com.atproto.server.createSession":
            return None
        wanted = fake._refresh if nsid == "com.atproto.server.refreshSession" else fake._access
        if not token:
            return 401, {"error": "AuthenticationRequired", "message": "Authentication Required"}
        if token in fake._expired:
            return 400, {"error": "ExpiredToken", "message": "Token has expired"}
        if token not in wanted:
            return 401, {"error": "InvalidToken", "message": "Token could not be verified"}
        return None

    def _handle(self, method: str) -> None:
        fake = self.bsky
        parts = urlsplit(self.path)
        nsid = parts.path.removeprefix("/xrpc/")
        params = parse_qs(parts.query)
        body: Any = None
        raw = b""
        if method == "POST":
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            if nsid != "com.atproto.repo.uploadBlob":
                body = json.loads(raw or b"{}")
        with fake._lock:
            fake.requests.append((method, nsid, params, body))
        rate, over = fake._rate(nsid)
        with fake._lock:
            queue = fake.scripted.get(nsid)
            action = queue.pop(0) if queue else None
        if action == "drop":
            self.close_connection = True
            return
        if action == "malformed":
            self._send(200, b'{"posts": [{"uri": "at://', rate)
            return
        if action is not None and action.startswith("hang:"):
            time.sleep(float(action.split(":", 1)[1]))
            self.close_connection = True
            return
        if action is not None and action.startswith("stall:"):
            time.sleep(float(action.split(":", 1)[1]))
            action = None
        if (
            action is not None
            and action != "lost"
            and action != "ok"
            and not action.startswith("hold:")
        ):
            status, error, message = _ERRORS[action]
            extra = {**rate, "ratelimit-remaining": "0"} if status == 429 else rate
            self._send(status, {"error": error, "message": message}, extra)
            return
        if over:
            self._send(429, {"error": "RateLimitExceeded", "message": "Rate Limit Exceeded"}, rate)
            return
        refused = self._auth(nsid)
        if refused is not None:
            self._send(*refused, rate)
            return
        if nsid == "com.atproto.server.createSession":
            b = body or {}
            if b.get("identifier") not in (fake.handle, fake.did) or b.get("password") != (
                fake.password
            ):
                message = "Invalid identifier or password"
                self._send(401, {"error": "AuthenticationRequired", "message": message}, rate)
                return
            self._send(200, fake._new_tokens(), rate)
            return
        if nsid == "com.atproto.server.refreshSession":
            self._send(200, fake._new_tokens(), rate)
            return
        routes: dict[str, Callable[[], tuple[int, dict[str, Any]]]] = {
            "app.bsky.feed.searchPosts": lambda: fake.search(params),
            "app.bsky.actor.getProfiles": lambda: fake.get_profiles(params),
            "app.bsky.graph.getFollowers": lambda: fake.get_followers(params),
            "app.bsky.feed.getPosts": lambda: fake.get_posts(params),
            "com.atproto.repo.getRecord": lambda: fake.get_record(params),
            "com.atproto.repo.createRecord": lambda: fake.create_record(body or {}),
            "com.atproto.repo.uploadBlob": lambda: fake.upload_blob(
                raw, self.headers.get("content-type", "")
            ),
        }
        route = routes.get(nsid)
        if route is None:
            message = "Method Not Implemented"
            self._send(501, {"error": "MethodNotImplemented", "message": message}, rate)
            return
        if nsid == "app.bsky.feed.searchPosts" and fake.page_delay:
            time.sleep(fake.page_delay)
        status, out = route()
        if action == "lost":  # done, but the answer never reaches the caller
            self.close_connection = True
            return
        if action is not None and action.startswith("hold:"):
            time.sleep(float(action.split(":", 1)[1]))  # done; the answer comes late
        self._send(status, out, rate)

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")


# --- Jetstream ---------------------------------------------------------------------------


def jetstream_events(
    n: int,
    words: tuple[str, ...] = ("sourdough", "croissant"),
    *,
    start_us: int | None = None,
    step_us: int = 1000,
    noise: int = 0,
    authors: int = 20,
) -> list[dict[str, Any]]:
    """``n`` post-create events about ``words``, each after ``noise`` unrelated events.

    Unrelated events are posts about other things, likes (another collection, which
    a real Jetstream would not send for wantedCollections=app.bsky.feed.post, so
    they are marked to be filtered by the fake), deletes and identity updates.
    """
    t = start_us or int((datetime.now(UTC) - timedelta(hours=1)).timestamp() * 1_000_000)
    out: list[dict[str, Any]] = []
    for i in range(n):
        for j in range(noise):
            t += step_us
            did = f"did:plc:noise{j % 50:04d}aaaaaaaaaaaaaaa"
            if j % 10 == 7:
                out.append(
                    {
                        "did": did,
                        "time_us": t,
                        "kind": "identity",
                        "identity": {
                            "did": did,
                            "handle": f"noise{j % 50}.bsky.social",
                            "seq": t,
                            "time": _iso(datetime.fromtimestamp(t / 1e6, UTC)),
                        },
                    }
                )
                continue
            if j % 10 == 8:
                commit = {
                    "rev": tid(t),
                    "operation": "delete",
                    "collection": "app.bsky.feed.post",
                    "rkey": tid(t - 10**9),
                }
                out.append({"did": did, "time_us": t, "kind": "commit", "commit": commit})
                continue
            text = f"just had lunch, number {j} of the day. the weather is mild"
            created = datetime.fromtimestamp(t / 1e6, UTC)
            record = {
                "$type": "app.bsky.feed.post",
                "createdAt": _iso(created),
                "langs": ["en"],
                "text": text,
            }
            commit = {
                "rev": tid(t),
                "operation": "create",
                "collection": "app.bsky.feed.post",
                "rkey": tid(t, j),
                "record": record,
                "cid": cid_for(f"{did}{t}"),
            }
            out.append({"did": did, "time_us": t, "kind": "commit", "commit": commit})
        t += step_us
        author = profile(i % authors)
        created = datetime.fromtimestamp(t / 1e6, UTC)
        record = _record(i, words[i % len(words)], created)
        commit = {
            "rev": tid(t),
            "operation": "create",
            "collection": "app.bsky.feed.post",
            "rkey": tid(t, i),
            "record": record,
            "cid": cid_for(f"{author['did']}{t}"),
        }
        out.append({"did": author["did"], "time_us": t, "kind": "commit", "commit": commit})
    return out


@dataclass
class FakeJetstream:
    """A Jetstream ``/subscribe`` websocket over :attr:`events` (sorted by ``time_us``)."""

    events: list[dict[str, Any]] = field(default_factory=list)
    script: list[str] = field(default_factory=list)  # one action per connection, in order
    idle_sleep: float = 0.02
    connections: list[dict[str, list[str]]] = field(default_factory=list)
    sent: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: Server | None = None
    _stopped: bool = False

    @property
    def url(self) -> str:
        assert self._server is not None
        host, port = self._server.socket.getsockname()[:2]
        return f"ws://{host}:{port}/subscribe"

    def add(self, events: list[dict[str, Any]]) -> None:
        with self._lock:
            self.events.extend(events)

    def start(self) -> FakeJetstream:
        self._server = serve(
            self._handler, "127.0.0.1", 0, process_request=self._process_request, compression=None
        )
        server = self._server
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped = True
        if self._server is not None:
            self._server.shutdown()

    def _process_request(self, connection: ServerConnection, request: Request) -> Response | None:
        params = parse_qs(urlsplit(request.path).query)
        with self._lock:
            self.connections.append(params)
            action = self.script[0] if self.script else ""
            if action.startswith("refuse:"):
                self.script.pop(0)
        if action.startswith("refuse:"):
            status = HTTPStatus(int(action.split(":")[1]))
            body = f"{status.value} {status.phrase}\n".encode()
            headers = Headers([("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
            return Response(status.value, status.phrase, headers, body)
        return None

    def _handler(self, ws: ServerConnection) -> None:
        params = parse_qs(urlsplit(ws.request.path if ws.request else "").query)
        wanted = set(params.get("wantedCollections", []))
        cursor = int(params["cursor"][0]) if "cursor" in params else None
        with self._lock:
            action = self.script.pop(0) if self.script else ""
        drop_after = stall_after = None
        stall_for = 0.0
        if action.startswith("drop:"):
            drop_after = int(action.split(":")[1])
        elif action.startswith("stall:"):
            _, n, seconds = action.split(":")
            stall_after, stall_for = int(n), float(seconds)
        index = 0
        if cursor is not None:
            with self._lock:
                index = next(
                    (k for k, e in enumerate(self.events) if e["time_us"] >= cursor),
                    len(self.events),
                )
        sent = 0
        try:
            while True:
                if drop_after is not None and sent >= drop_after:
                    ws.socket.shutdown(socket.SHUT_RDWR)  # cut, with no close frame
                    return
                if self._stopped:
                    return
                if stall_after is not None and sent >= stall_after:
                    self._idle(ws, stall_for)
                    stall_after = None
                with self._lock:
                    event = self.events[index] if index < len(self.events) else None
                if event is None:
                    self._idle(ws, self.idle_sleep)
                    continue
                index += 1
                commit = event.get("commit")
                if wanted and isinstance(commit, dict) and commit.get("collection") not in wanted:
                    continue
                ws.send(json.dumps(event))
                sent += 1
                with self._lock:
                    self.sent += 1
        except Exception:  # the client went away
            return

    def _idle(self, ws: ServerConnection, seconds: float) -> None:
        """Send nothing for ``seconds``; raises ConnectionClosed if the client leaves."""
        deadline = time.monotonic() + seconds
        while not self._stopped and (left := deadline - time.monotonic()) > 0:
            with contextlib.suppress(TimeoutError):
                ws.recv(timeout=min(left, 0.1))
