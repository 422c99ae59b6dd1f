"""A fake X API v2 on 127.0.0.1: recent search, filtered stream and its rules, on a real socket.

It speaks the wire format of X's documentation so the client is tested over HTTP
exactly as it would talk to api.x.com:

- ``GET /2/tweets/search/recent``: pages of ``data`` / ``includes`` (users, places,
  media) / ``meta`` (``newest_id``, ``oldest_id``, ``result_count``, ``next_token``),
  newest first, honouring ``max_results``, ``since_id``, ``start_time`` and the
  query's words; ``next_token`` pins the page's lower bound, so posts arriving
  mid-pagination do not shift pages (as on X).
- ``x-rate-limit-limit/remaining/reset`` on every response from a per-endpoint window
  on the fake's clock (shared with the client's in tests so sleeps advance it); an
  exhausted window answers 429 as X does.
- scripted failures for the next requests to a path: ``429``, ``503``, ``401``, ``403``,
  ``400``, ``malformed`` (a 200 whose body is not JSON), ``truncated`` (the body cut
  short), ``drop`` (the connection closed with no response), ``stall:SECONDS``.
- ``GET /2/tweets/search/stream``: tweets from a queue as JSON lines with
  ``matching_rules``, ``\\r\\n`` keep-alives, and scripted ``stall`` / ``drop``; chunked,
  so a drop is a real protocol error for the client.
- ``GET`` / ``POST /2/tweets/search/stream/rules``: list, add (``value`` at most 1,024
  characters, at most 1,000 rules) and delete by id, with X's ``meta.summary``.
- ``GET /2/users/by/username/:username``, ``/2/users/me`` (user token), and
  ``/2/users/:id/tweets`` / ``/mentions`` (newest first, ``since_id``,
  ``pagination_token``, ``max_results`` 5-100, ``meta.newest_id`` of the page) and
  ``/2/users/:id/followers`` (``max_results`` up to 1,000, ``next_token``).
- ``POST /2/tweets`` with a user access token only (an app bearer gets X's 403
  "Unsupported Authentication"), ``reply.in_reply_to_tweet_id``, 403 for duplicate
  content and for a reply to a missing post; ``lose`` (the post is made, then the
  connection drops) scripts a lost response.
- ``POST /2/media/upload`` (user token, ``multipart/form-data``: ``media``,
  ``media_category`` ``tweet_image``, ``media_type``): the type is read from the bytes
  (400 "media type unrecognized." for anything but JPEG, PNG and WebP: a GIF goes in
  chunks), 413 over 5 MB; answers ``data.id``, ``media_key``, ``size``,
  ``expires_after_secs`` and ``image``. The chunked upload: ``.../initialize`` (JSON:
  ``media_category`` ``tweet_image``/``tweet_gif``, ``media_type``, ``total_bytes``),
  ``.../{id}/append`` (multipart ``media``, ``segment_index``), ``.../{id}/finalize``
  (413 over 5 MB, 15 MB for a ``tweet_gif``; with ``gif_processing`` above 0 an
  animated GIF answers ``processing_info`` pending and ``GET
  /2/media/upload?command=STATUS&media_id=`` says in_progress that many times).
  ``POST /2/media/metadata`` sets an upload's alt text (1,000 characters at most). A post's
  ``media.media_ids`` must be the poster's own unexpired uploads (400 otherwise), at
  most 4; the post's text then ends with a t.co link, as X shows it.
- scripted ``ok`` (answer normally), ``hold:SECONDS`` (carry the request out, then wait
  before answering: a client killed meanwhile never hears of it) and ``hang:SECONDS``
  (wait, then close the connection having done nothing) for the crash tests.
- ``POST /2/oauth2/token`` (HTTP Basic client id/secret, form body):
  ``authorization_code`` with a PKCE S256 ``code_verifier`` checked against
  :meth:`FakeX.authorize`'s challenge, and ``refresh_token``, which rotates both
  tokens (X's refresh tokens are single use).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fakes.forms import FilePart, parse_multipart, sniff
from tests.fakes.serving import Served

__all__ = ["CLIENT_ID", "CLIENT_SECRET", "FakeClock", "FakeX", "make_corpus"]

TOKEN = "fake-bearer-token-0123456789"
USER_TOKEN = "fake-user-access-token-0001"
REFRESH_TOKEN = "fake-user-refresh-token-0001"
CLIENT_ID = "fake-client-id"
CLIENT_SECRET = "fake-client-secret"
ME = "100"  # the user the user token belongs to (baker0 in make_corpus)
FIRST_ID = 1_860_000_000_000_000_000


class FakeClock:
    """Epoch seconds that move only when someone sleeps: share it by client and fake."""

    def __init__(self, start: float | None = None) -> None:
        self.now = start if start is not None else time.time()
        self.slept: list[float] = []
        self._lock = threading.Lock()

    def __call__(self) -> float:
        with self._lock:
            return self.now

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self.slept.append(seconds)
            self.now += max(0.0, seconds)


def make_corpus(
    n: int, words: tuple[str, ...] = ("sourdough", "croissant"), *, start: datetime | None = None
) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """``n`` tweets (oldest first, ids increasing) and their authors, as X v2 objects."""
    start = start or datetime.now(UTC) - timedelta(days=2)
    users = {
        str(100 + u): {
            "id": str(100 + u),
            "username": f"baker{u}",
            "name": f"Baker {u}",
            "description": "bread person",
            "location": "Asheville, NC",
            "created_at": "2020-01-01T00:00:00.000Z",
            "verified": False,
            "profile_image_url": "https://pbs.twimg.com/profile_images/1/a_normal.jpg",
            "public_metrics": {
                "followers_count": 10 * u,
                "following_count": 5,
                "tweet_count": 100,
                "listed_count": 0,
            },
        }
        for u in range(20)
    }
    tweets = []
    for i in range(n):
        word = words[i % len(words)]
        created = start + timedelta(seconds=30 * i)
        tweets.append(
            {
                "id": str(FIRST_ID + i * 7),
                "text": f"post {i}: the {word} at larkspur is lovely",
                "author_id": str(100 + i % 20),
                "created_at": created.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "lang": "en",
                "conversation_id": str(FIRST_ID + i * 7),
                "public_metrics": {
                    "like_count": i % 4,
                    "retweet_count": 0,
                    "reply_count": 0,
                    "quote_count": 0,
                },
                "source": "Twitter Web App",
            }
        )
    return tweets, users


def _words(query: str) -> set[str]:
    """The plain words of a query; a tweet matches when it contains any of them."""
    out: set[str] = set()
    for token in re.findall(r'"[^"]*"|\S+', query):
        token = token.strip("()-\"'")
        if not token or token == "OR" or ":" in token:
            continue
        out.update(w for w in re.split(r"[^\w]+", token.lower().lstrip("#@$")) if len(w) > 2)
    return out


@dataclass
class _Window:
    remaining: int
    reset: float


@dataclass
class FakeX(Served):
    """The fake's state; :meth:`start` serves it on an ephemeral port of 127.0.0.1."""

    tweets: list[dict[str, Any]] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    clock: Callable[[], float] = time.time
    rate_limit: int = 450  # requests per 15-minute window, per endpoint (X: 450 app-auth)
    window_seconds: float = 900.0
    page_delay: float = 0.0  # real seconds each search page takes (a slow API)
    keepalive: float = 0.2  # real seconds between the stream's keep-alive newlines
    token: str = TOKEN
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    scripted: dict[str, list[str]] = field(default_factory=dict)
    stream_queue: list[dict[str, Any]] = field(default_factory=list)
    stream_script: list[str] = field(default_factory=list)
    stream_connections: int = 0
    oldest_since_id: int | None = None  # a since_id below it is "older than 7 days": 400
    rules: list[dict[str, str]] = field(default_factory=list)
    # user context: live access token -> user id, refresh token -> user id
    user_tokens: dict[str, str] = field(default_factory=lambda: {USER_TOKEN: ME})
    refresh_tokens: dict[str, str] = field(default_factory=lambda: {REFRESH_TOKEN: ME})
    followers: dict[str, list[str]] = field(default_factory=dict)  # user id -> follower ids
    posted: list[dict[str, Any]] = field(default_factory=list)  # bodies of created posts
    media: dict[str, dict[str, Any]] = field(default_factory=dict)  # uploads by media id
    media_ttl: int = 86_400  # seconds an unattached upload is kept
    image_limit: int = 5 * 1024 * 1024
    gif_limit: int = 15 * 1024 * 1024
    gif_processing: int = 0  # STATUS answers "in_progress" this many times per GIF
    sessions: dict[str, dict[str, Any]] = field(default_factory=dict)  # chunked uploads
    _codes: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    _issued: int = 0
    _windows: dict[str, _Window] = field(default_factory=dict)
    _next_rule: int = 1
    _words_cache: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None  # see Served

    # --- control -------------------------------------------------------------------------

    def fail_next(self, path: str, *actions: str) -> None:
        """Answer the next requests to ``path`` with ``actions`` in order (see module doc)."""
        with self._lock:
            self.scripted.setdefault(path, []).extend(actions)

    def add_tweets(self, n: int, words: tuple[str, ...] = ("sourdough",)) -> list[str]:
        """Append ``n`` newer tweets; return their ids."""
        newest = int(self.tweets[-1]["id"]) if self.tweets else FIRST_ID
        more, users = make_corpus(n, words, start=datetime.now(UTC) - timedelta(hours=1))
        for i, tweet in enumerate(more):
            tweet["id"] = str(newest + 7 * (i + 1))
        with self._lock:
            self.users.update(users)
            self.tweets.extend(more)
        return [t["id"] for t in more]

    def start(self) -> FakeX:
        return self._serve(_Handler, "x")

    def search_requests(self) -> list[dict[str, str]]:
        return [q for m, p, q in self.requests if p == "/2/tweets/search/recent"]

    # --- behaviour -----------------------------------------------------------------------

    def _take_script(self, path: str) -> str | None:
        with self._lock:
            queue = self.scripted.get(path)
            return queue.pop(0) if queue else None

    def _rate(self, path: str) -> tuple[dict[str, str], bool]:
        """The rate-limit headers for a request now, and whether it is over the limit."""
        now = self.clock()
        with self._lock:
            window = self._windows.get(path)
            if window is None or now >= window.reset:
                window = self._windows[path] = _Window(self.rate_limit, now + self.window_seconds)
            over = window.remaining <= 0
            if not over:
                window.remaining -= 1
            headers = {
                "x-rate-limit-limit": str(self.rate_limit),
                "x-rate-limit-remaining": str(window.remaining),
                "x-rate-limit-reset": str(int(window.reset)),
            }
        return headers, over

    def _tweet_words(self, tweet: dict[str, Any]) -> set[str]:
        key = (tweet["id"], tweet["text"])
        found = self._words_cache.get(key)
        if found is None:
            found = self._words_cache[key] = set(re.split(r"[^\w]+", tweet["text"].lower()))
        return found

    def search(self, params: dict[str, str]) -> dict[str, Any]:
        query = params.get("query", "")
        words = _words(query)
        size = int(params.get("max_results", "10"))
        since = int(params["since_id"]) if "since_id" in params else None
        start = params.get("start_time")
        below = int(params["next_token"].removeprefix("b")) if "next_token" in params else None
        with self._lock:
            pool = list(self.tweets)
        hits = []
        for tweet in reversed(pool):  # newest first
            tid = int(tweet["id"])
            if since is not None and tid <= since:
                continue
            if start is not None and tweet["created_at"] < start.replace("Z", ".000Z"):
                continue
            if words and not words & self._tweet_words(tweet):
                continue
            hits.append(tweet)
        newest_overall = hits[0]["id"] if hits else None
        if below is not None:
            hits = [t for t in hits if int(t["id"]) < below]
        page, rest = hits[:size], hits[size:]
        if not page:
            return {"meta": {"result_count": 0}}
        meta: dict[str, Any] = {
            "newest_id": page[0]["id"] if below is not None else newest_overall,
            "oldest_id": page[-1]["id"],
            "result_count": len(page),
        }
        if rest:
            meta["next_token"] = f"b{page[-1]['id']}"
        authors = {t["author_id"] for t in page}
        return {
            "data": page,
            "includes": {"users": [self.users[a] for a in sorted(authors) if a in self.users]},
            "meta": meta,
        }

    def rules_post(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        with self._lock:
            if "add" in body:
                created, errors = [], []
                for rule in body["add"]:
                    value = rule.get("value", "")
                    if len(value) > 1024 or len(self.rules) >= 1000:
                        errors.append({"value": value, "title": "RuleLengthExceeded"})
                        continue
                    new = {"id": str(self._next_rule), "value": value, "tag": rule.get("tag", "")}
                    self._next_rule += 1
                    self.rules.append(new)
                    created.append(new)
                summary = {
                    "created": len(created),
                    "not_created": len(errors),
                    "valid": len(created),
                    "invalid": len(errors),
                }
                out: dict[str, Any] = {"meta": {"summary": summary}}
                if created:
                    out["data"] = created
                if errors:
                    out["errors"] = errors
                return 201, out
            ids = set(body.get("delete", {}).get("ids", []))
            before = len(self.rules)
            self.rules = [r for r in self.rules if r["id"] not in ids]
            deleted = before - len(self.rules)
            summary = {"deleted": deleted, "not_deleted": len(ids) - deleted}
            return 200, {"meta": {"summary": summary}}

    # --- users, timelines, followers, posting, OAuth 2 -----------------------------------

    def user_by_name(self, username: str) -> dict[str, Any] | None:
        for user in self.users.values():
            if user["username"].lower() == username.lower():
                return user
        return None

    def timeline(self, uid: str, kind: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        """``/2/users/:id/tweets`` (kind "tweets") or ``/mentions``, as X pages them."""
        user = self.users.get(uid)
        if user is None:
            return 404, _not_found("user", uid)
        size = int(params.get("max_results", "10"))
        if not 5 <= size <= 100:
            return 400, _invalid("max_results", str(size))
        since = int(params["since_id"]) if "since_id" in params else None
        start = params.get("start_time")
        token = params.get("pagination_token")
        below = int(token.removeprefix("p")) if token else None
        handle = "@" + user["username"].lower()
        with self._lock:
            pool = list(self.tweets)
        hits = []
        for tweet in reversed(pool):
            tid = int(tweet["id"])
            if (since is not None and tid <= since) or (below is not None and tid >= below):
                continue
            if start is not None and tweet["created_at"] < start.replace("Z", ".000Z"):
                continue
            mine = tweet["author_id"] == uid
            if (kind == "tweets" and mine) or (
                kind == "mentions" and not mine and handle in tweet["text"].lower()
            ):
                hits.append(tweet)
        page, rest = hits[:size], hits[size:]
        if not page:
            return 200, {"meta": {"result_count": 0}}
        meta: dict[str, Any] = {
            "newest_id": page[0]["id"],
            "oldest_id": page[-1]["id"],
            "result_count": len(page),
        }
        if rest:
            meta["next_token"] = f"p{page[-1]['id']}"
        authors = sorted({t["author_id"] for t in page})
        users = [self.users[a] for a in authors if a in self.users]
        return 200, {"data": page, "includes": {"users": users}, "meta": meta}

    def followers_page(self, uid: str, params: dict[str, str]) -> tuple[int, dict[str, Any]]:
        if uid not in self.users:
            return 404, _not_found("user", uid)
        size = int(params.get("max_results", "100"))
        if not 1 <= size <= 1000:
            return 400, _invalid("max_results", str(size))
        ids = self.followers.get(uid, [])
        start = (
            int(params["pagination_token"].removeprefix("f"))
            if params.get("pagination_token")
            else 0
        )
        chunk = ids[start : start + size]
        meta: dict[str, Any] = {"result_count": len(chunk)}
        if start + size < len(ids):
            meta["next_token"] = f"f{start + size}"
        if not chunk:
            return 200, {"meta": meta}
        return 200, {"data": [self.users[i] for i in chunk], "meta": meta}

    def upload(self, uid: str, form: dict[str, list[str | FilePart]]) -> tuple[int, dict[str, Any]]:
        """``POST /2/media/upload``, the one-request form for images."""
        files = [f for f in form.get("media", []) if isinstance(f, FilePart)]
        category = str((form.get("media_category") or ["tweet_image"])[0])
        if len(files) != 1:
            return 400, _invalid("media", "")
        if category != "tweet_image":
            return 400, _invalid("media_category", category)
        return self._store_media(
            uid, files[0].data, category, ("image/jpeg", "image/png", "image/webp")
        )

    def _store_media(
        self, uid: str, data: bytes, category: str, kinds: tuple[str, ...]
    ) -> tuple[int, dict[str, Any]]:
        kind = sniff(data)
        if kind not in kinds:
            return 400, {
                "errors": [{"message": "media type unrecognized."}],
                "title": "Invalid Request",
                "detail": "One or more parameters to your request was invalid.",
                "type": "https://api.twitter.com/2/problems/invalid-request",
            }
        limit = self.gif_limit if category == "tweet_gif" else self.image_limit
        if len(data) > limit:
            return 413, {
                "title": "Payload Too Large",
                "detail": f"File size exceeds {limit} bytes.",
                "type": "about:blank",
                "status": 413,
            }
        with self._lock:
            self._issued += 1
            media_id = str(1_880_000_000_000_000_000 + self._issued)
            self.media[media_id] = {
                "uid": uid,
                "type": kind,
                "size": len(data),
                "category": category,
                "alt": "",
                "expires": self.clock() + self.media_ttl,
                "used": 0,
                "processing": self.gif_processing if category == "tweet_gif" else 0,
            }
        return 200, {"data": self._media_view(media_id)}

    def _media_view(self, media_id: str) -> dict[str, Any]:
        found = self.media[media_id]
        view: dict[str, Any] = {
            "id": media_id,
            "media_key": f"3_{media_id}",
            "size": found["size"],
            "expires_after_secs": self.media_ttl,
            "image": {"image_type": found["type"]},
        }
        if found["category"] == "tweet_gif":
            state = "in_progress" if found["processing"] > 0 else "succeeded"
            view["processing_info"] = {"state": state, "check_after_secs": 1}
        return view

    def upload_initialize(self, uid: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        category = str(body.get("media_category", ""))
        total = body.get("total_bytes")
        if category not in ("tweet_image", "tweet_gif"):
            return 400, _invalid("media_category", category)
        if not isinstance(total, int) or total <= 0:
            return 400, _invalid("total_bytes", str(total))
        with self._lock:
            self._issued += 1
            session = str(1_890_000_000_000_000_000 + self._issued)
            self.sessions[session] = {"uid": uid, "category": category, "total": total, "parts": {}}
        return 200, {
            "data": {"id": session, "media_key": f"16_{session}", "expires_after_secs": 86400}
        }

    def upload_append(
        self, uid: str, session: str, form: dict[str, list[str | FilePart]]
    ) -> tuple[int, dict[str, Any]]:
        found = self.sessions.get(session)
        chunks = [f for f in form.get("media", []) if isinstance(f, FilePart)]
        index = str((form.get("segment_index") or [""])[0])
        if found is None or found["uid"] != uid:
            return 400, _invalid("id", session)
        if len(chunks) != 1 or not index.isdigit():
            return 400, _invalid("segment_index", index)
        found["parts"][int(index)] = chunks[0].data
        return 200, {"data": {"expires_at": int(self.clock()) + 86400}}

    def upload_finalize(self, uid: str, session: str) -> tuple[int, dict[str, Any]]:
        found = self.sessions.pop(session, None)
        if found is None or found["uid"] != uid:
            return 400, _invalid("id", session)
        data = b"".join(found["parts"][i] for i in sorted(found["parts"]))
        if len(data) != found["total"]:
            return 400, _invalid("total_bytes", str(found["total"]))
        status, out = self._store_media(
            uid, data, found["category"], ("image/jpeg", "image/png", "image/webp", "image/gif")
        )
        if status == 200:  # the session id becomes the media id, as on X
            with self._lock:
                made = out["data"]["id"]
                self.media[session] = self.media.pop(made)
            out = {"data": self._media_view(session)}
        return status, out

    def upload_status(self, uid: str, media_id: str) -> tuple[int, dict[str, Any]]:
        with self._lock:
            found = self.media.get(media_id)
            if found is None or found["uid"] != uid:
                return 400, _invalid("media_id", media_id)
            if found["processing"] > 0:
                found["processing"] -= 1
                view = self._media_view(media_id)
                view["processing_info"]["state"] = "in_progress"
                return 200, {"data": view}
        return 200, {"data": self._media_view(media_id)}

    def media_metadata(self, uid: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        media_id = str(body.get("id", ""))
        alt = ((body.get("metadata") or {}).get("alt_text") or {}).get("text")
        with self._lock:
            found = self.media.get(media_id)
            if found is None or found["uid"] != uid:
                return 400, _invalid("id", media_id)
            if not isinstance(alt, str) or len(alt) > 1000:
                return 400, _invalid("alt_text", str(alt)[:20])
            found["alt"] = alt
        return 200, {"data": {"id": media_id, "associated_metadata": {"alt_text": {"text": alt}}}}

    def create_post(self, uid: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        text = body.get("text")
        if not isinstance(text, str) or not text:
            return 400, _invalid("text", "")
        parent = (body.get("reply") or {}).get("in_reply_to_tweet_id")
        media_ids = [str(m) for m in (body.get("media") or {}).get("media_ids") or []]
        with self._lock:
            now = self.clock()
            bad = [
                m
                for m in media_ids
                if m not in self.media
                or self.media[m]["uid"] != uid
                or self.media[m]["expires"] < now
                or self.media[m]["processing"] > 0
            ]
            if bad or len(media_ids) > 4:
                return 400, {
                    "errors": [{"message": "Your media IDs are invalid."}],
                    "title": "Invalid Request",
                    "detail": "One or more parameters to your request was invalid.",
                    "type": "https://api.twitter.com/2/problems/invalid-request",
                }
            if parent is not None and not any(t["id"] == parent for t in self.tweets):
                detail = "You attempted to reply to a Tweet that is deleted or not visible to you."
                return 403, {
                    "detail": detail,
                    "type": "about:blank",
                    "title": "Forbidden",
                    "status": 403,
                }
            for t in self.tweets[-50:]:
                if t["author_id"] == uid and t["text"] == text:
                    detail = "You are not allowed to create a Tweet with duplicate content."
                    return 403, {
                        "detail": detail,
                        "type": "about:blank",
                        "title": "Forbidden",
                        "status": 403,
                    }
            newest = int(self.tweets[-1]["id"]) if self.tweets else FIRST_ID
            tid = str(newest + 7)
            tweet: dict[str, Any] = {
                "id": tid,
                "text": text,
                "author_id": uid,
                "created_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                "conversation_id": tid,
                "edit_history_tweet_ids": [tid],
            }
            if parent is not None:
                tweet["referenced_tweets"] = [{"type": "replied_to", "id": parent}]
            if media_ids:  # X shows the images' link at the end of the text
                tweet["text"] = f"{text} https://t.co/m{tid[-8:]}"
                tweet["attachments"] = {"media_keys": [f"3_{m}" for m in media_ids]}
                for m in media_ids:
                    self.media[m]["used"] += 1
            self.tweets.append(tweet)
            self.posted.append(body)
        made = {"id": tid, "text": tweet["text"], "edit_history_tweet_ids": [tid]}
        return 201, {"data": made}

    def authorize(self, client_id: str, redirect_uri: str, challenge: str, user: str = ME) -> str:
        """What X's consent page does: a one-time code bound to the PKCE challenge."""
        with self._lock:
            self._issued += 1
            code = f"code-{self._issued}"
            self._codes[code] = (client_id, redirect_uri, challenge + "|" + user)
        return code

    def oauth_token(self, form: dict[str, str], basic: str | None) -> tuple[int, dict[str, Any]]:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        if basic != f"Basic {expected}":
            return 401, {
                "error": "unauthorized_client",
                "error_description": "Missing valid authorization header",
            }
        bad = {
            "error": "invalid_request",
            "error_description": "Value passed for the token was invalid.",
        }
        grant = form.get("grant_type")
        with self._lock:
            if grant == "authorization_code":
                found = self._codes.pop(form.get("code", ""), None)
                if found is None or found[1] != form.get("redirect_uri"):
                    return 400, bad
                challenge, _, user = found[2].partition("|")
                verifier = form.get("code_verifier", "")
                digest = hashlib.sha256(verifier.encode("ascii")).digest()
                if base64.urlsafe_b64encode(digest).rstrip(b"=").decode() != challenge:
                    return 400, bad
            elif grant == "refresh_token":
                user_or_none = self.refresh_tokens.pop(form.get("refresh_token", ""), None)
                if user_or_none is None:
                    return 400, bad
                user = user_or_none
            else:
                return 400, {"error": "unsupported_grant_type"}
            self._issued += 1
            access, refresh = f"access-{self._issued}-abcdef", f"refresh-{self._issued}-abcdef"
            self.user_tokens[access] = user
            self.refresh_tokens[refresh] = user
        return 200, {
            "token_type": "bearer",
            "expires_in": 7200,
            "access_token": access,
            "scope": "tweet.read tweet.write users.read offline.access",
            "refresh_token": refresh,
        }

    def expire_user_tokens(self) -> None:
        """Every access token stops working (two hours have passed); refresh tokens stay."""
        with self._lock:
            self.user_tokens.clear()

    def stream_lines(self) -> Iterator[bytes | str]:
        """What the stream sends: tweet lines, keep-alives, or a control word."""
        with self._lock:
            self.stream_connections += 1
        while True:
            with self._lock:
                action = self.stream_script.pop(0) if self.stream_script else None
                tweet = self.stream_queue.pop(0) if action is None and self.stream_queue else None
            if action is not None:
                yield action
                continue
            if tweet is None:
                yield b"\r\n"
                time.sleep(self.keepalive)
                continue
            author = self.users.get(tweet.get("author_id", ""))
            rules = [{"id": r["id"], "tag": r["tag"]} for r in self.rules[:1]]
            line = {
                "data": tweet,
                "includes": {"users": [author] if author else []},
                "matching_rules": rules,
            }
            yield json.dumps(line).encode() + b"\r\n"


def _not_found(kind: str, value: str) -> dict[str, Any]:
    return {
        "errors": [
            {
                "value": value,
                "detail": f"Could not find {kind} with id: [{value}].",
                "title": "Not Found Error",
                "resource_type": kind,
            }
        ]
    }


def _invalid(name: str, value: str) -> dict[str, Any]:
    return {
        "errors": [
            {
                "parameters": {name: [value]},
                "message": f"The `{name}` query parameter value [{value}] is not valid",
            }
        ],
        "title": "Invalid Request",
        "detail": "One or more parameters to your request was invalid.",
        "type": "https://api.twitter.com/2/problems/invalid-request",
    }


_X_403_APP_ONLY = {
    "title": "Unsupported Authentication",
    "detail": "Authenticating with OAuth 2.0 Application-Only is forbidden for this endpoint. "
    "Supported authentication types are [OAuth 1.0a User Context, OAuth 2.0 User Context].",
    "type": "https://api.twitter.com/2/problems/unsupported-authentication",
    "status": 403,
}
_USER_PATH = re.compile(r"^/2/users/(\d+)/(tweets|mentions|followers)$")
_CHUNKED = re.compile(r"^/2/media/upload/(?:initialize|(\d+)/(append|finalize))$")


_X_401 = {"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}
_X_403 = {
    "title": "Client Forbidden",
    "detail": "This request must be made using an approved developer account.",
    "type": "https://api.twitter.com/2/problems/client-forbidden",
    "reason": "client-not-enrolled",
}
_X_400 = {
    "errors": [{"message": "Invalid 'query': the query is too long"}],
    "title": "Invalid Request",
    "detail": "One or more parameters to your request was invalid.",
    "type": "https://api.twitter.com/2/problems/invalid-request",
}


class _Handler(BaseHTTPRequestHandler):
    x: FakeX
    hold: float = 0.0
    protocol_version = "HTTP/1.1"
    # headers and body leave in one segment: without these, Nagle's algorithm and the
    # client's delayed ACK add ~40 ms to every response, which would be the fake's cost
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

    def _handle(self, method: str) -> None:
        self.hold = 0.0  # a handler serves every request of its connection: reset
        parts = urlsplit(self.path)
        path = parts.path
        params = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        body: Any = None
        if method == "POST":
            length = int(self.headers.get("content-length", "0"))
            raw = self.rfile.read(length)
            content_type = self.headers.get("content-type", "")
            if path == "/2/oauth2/token":  # a form, as OAuth 2 wants
                body = {k: v[-1] for k, v in parse_qs(raw.decode()).items()}
            elif content_type.startswith("multipart/form-data"):
                body = parse_multipart(content_type, raw)
            else:
                body = json.loads(raw or b"{}")
        with self.x._lock:
            self.x.requests.append((method, path, params))
        if path == "/2/oauth2/token" and method == "POST":
            status, out = self.x.oauth_token(body, self.headers.get("authorization"))
            self._send(status, out)
            return
        bearer = (self.headers.get("authorization") or "").removeprefix("Bearer ")
        user = self.x.user_tokens.get(bearer)
        if bearer != self.x.token and user is None:
            self._send(401, _X_401)
            return
        rate, over = self.x._rate(path)
        action = self.x._take_script(path)
        if action is not None and self._scripted(action, rate):
            return
        if over:
            self._send(429, {"title": "Too Many Requests", "status": 429}, rate)
            return
        too_old = self.x.oldest_since_id or 0
        if path == "/2/tweets/search/recent" and int(params.get("since_id", too_old)) < too_old:
            message = (
                f"Invalid 'since_id':'{params['since_id']}'. 'since_id' must be a tweet "
                "id created after the start of the last 7 days."
            )
            self._send(400, {**_X_400, "errors": [{"message": message}]}, rate)
            return
        if path == "/2/tweets/search/recent" and method == "GET":
            if self.x.page_delay:
                time.sleep(self.x.page_delay)
            self._send(200, self.x.search(params), rate)
        elif path == "/2/tweets/search/stream/rules" and method == "GET":
            rules = list(self.x.rules)
            meta = {"sent": datetime.now(UTC).isoformat(), "result_count": len(rules)}
            self._send(200, {"data": rules, "meta": meta} if rules else {"meta": meta}, rate)
        elif path == "/2/tweets/search/stream/rules" and method == "POST":
            status, out = self.x.rules_post(body or {})
            self._send(status, out, rate)
        elif path == "/2/tweets/search/stream" and method == "GET":
            self._stream(rate)
        elif path.startswith("/2/users/by/username/") and method == "GET":
            found = self.x.user_by_name(path.rsplit("/", 1)[1])
            name = path.rsplit("/", 1)[1]
            if found is None:  # X answers 200 with an errors list
                self._send(200, _not_found("user", name), rate)
            else:
                self._send(200, {"data": found}, rate)
        elif path == "/2/users/me" and method == "GET":
            if user is None:
                self._send(403, _X_403_APP_ONLY, rate)
            else:
                self._send(200, {"data": self.x.users[user]}, rate)
        elif (m := _USER_PATH.match(path)) and method == "GET":
            uid, what = m.groups()
            if what == "followers":
                status, out = self.x.followers_page(uid, params)
            else:
                status, out = self.x.timeline(uid, what, params)
            self._send(status, out, rate)
        elif path == "/2/media/upload" and method == "GET":
            if user is None:
                self._send(403, _X_403_APP_ONLY, rate)
                return
            self._send(*self.x.upload_status(user, params.get("media_id", "")), rate)
        elif (chunked := _CHUNKED.match(path)) and method == "POST":
            if user is None:
                self._send(403, _X_403_APP_ONLY, rate)
                return
            session, step = chunked.group(1), chunked.group(2)
            if path.endswith("/initialize"):
                status, out = self.x.upload_initialize(user, body or {})
            elif step == "append":
                status, out = self.x.upload_append(user, session, body or {})
            else:
                status, out = self.x.upload_finalize(user, session)
            self._send(status, out, rate)
        elif path in ("/2/tweets", "/2/media/upload", "/2/media/metadata") and method == "POST":
            if user is None:
                self._send(403, _X_403_APP_ONLY, rate)
                return
            if path == "/2/media/upload":
                if not isinstance(body, dict) or "media" not in body:
                    self._send(400, _invalid("media", ""), rate)
                    return
                status, out = self.x.upload(user, body)
            elif path == "/2/media/metadata":
                status, out = self.x.media_metadata(user, body or {})
            else:
                status, out = self.x.create_post(user, body or {})
            if getattr(self, "lose", False) and status < 300:
                self.close_connection = True  # made, but the answer never arrives
                return
            hold = getattr(self, "hold", 0.0)
            if hold:
                time.sleep(hold)  # done; the answer comes late (or to nobody)
            self._send(status, out, rate)
        else:
            self._send(404, {"title": "Not Found Error", "status": 404}, rate)

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
        if action == "429":
            reset = {**rate, "x-rate-limit-remaining": "0"}
            self._send(429, {"title": "Too Many Requests", "status": 429}, reset)
        elif action == "503":
            self._send(503, {"title": "Service Unavailable", "status": 503}, rate)
        elif action == "401":
            self._send(401, _X_401, rate)
        elif action == "403":
            self._send(403, _X_403, rate)
        elif action == "400":
            self._send(400, _X_400, rate)
        elif action == "malformed":
            self._send(200, b'{"data": [{"id": "1", "text": "cut', rate)
        elif action == "truncated":
            self.send_response(200)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", "5000")
            self.end_headers()
            self.wfile.write(b'{"data": [')
            self.wfile.flush()
            self.close_connection = True
        elif action == "drop":
            self.close_connection = True
        elif action == "lose":
            self.lose = True
            return False
        elif action == "zero-remaining":
            self.x._windows[urlsplit(self.path).path].remaining = 0
            return False
        else:
            raise ValueError(f"unknown scripted action {action!r}")
        return True

    def _stream(self, rate: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("content-type", "application/json; charset=utf-8")
        self.send_header("transfer-encoding", "chunked")
        for key, value in rate.items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.flush()  # the headers go at once, as X sends them, before any tweet
        self.close_connection = True
        try:
            for item in self.x.stream_lines():
                if item == "drop":
                    self.wfile.write(b'5\r\n{"da')  # a chunk cut short, then gone
                    self.wfile.flush()
                    return
                if isinstance(item, str) and item.startswith("stall:"):
                    time.sleep(float(item.split(":", 1)[1]))
                    continue
                if item == "end":
                    self.wfile.write(b"0\r\n\r\n")
                    return
                assert isinstance(item, bytes)
                self.wfile.write(f"{len(item):x}\r\n".encode() + item + b"\r\n")
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return

    def do_GET(self) -> None:
        self._handle("GET")

    def do_POST(self) -> None:
        self._handle("POST")

    def do_DELETE(self) -> None:
        self._handle("DELETE")
