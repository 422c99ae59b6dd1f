"""Posting to X as the business: ``POST /2/tweets`` with an OAuth 2.0 user token.

:class:`XPublisher` is the :class:`~hubbub.sources.base.Publisher` for X. It goes
through the same :meth:`~hubbub.sources.x.client.XClient.request` as reading, so
rate limits, 429 waits and backoff are the same code; what posting adds:

- **user context**: the client carries the user *access token* from ``hubbub auth
  x`` (OAuth 2.0 PKCE, see :mod:`hubbub.sources.x.oauth`), not the app bearer.
  It lasts two hours; on a 401 the publisher trades the *refresh token* for new
  tokens once (``POST /2/oauth2/token``, client id/secret as HTTP Basic) and hands
  them to ``on_tokens`` to store at once, because X's refresh tokens are single use.
- **no idempotency key**: X has none, so a retry after a lost answer (a dropped
  connection or a 5xx, when X may have posted anyway) could post twice. Before each
  such retry the publisher reads the account's latest posts
  (``GET /2/users/:id/tweets``) and, if one has the same text (links compared
  loosely, as X rewrites them to t.co) and the same reply target and was made since
  this attempt began, takes it as the result instead of posting again. X's own
  duplicate-content check is the last guard. A 429 is retried plainly: X did not act.
- **images**: :meth:`XPublisher.upload` sends a JPEG, PNG or WebP in one request to
  ``POST /2/media/upload`` (``multipart/form-data``: ``media``, ``media_category``
  ``tweet_image``, ``media_type``); a GIF, which that request does not take, in X's
  chunked upload (``.../initialize`` with ``tweet_gif`` for an animated one, then
  ``.../{id}/append`` in 4 MB segments, ``.../{id}/finalize``, and ``GET
  /2/media/upload?command=STATUS`` while X processes it). The alt text follows in
  ``POST /2/media/metadata``; the post names the ids in ``media.media_ids``. Uploading
  needs the ``media.write`` scope, which ``hubbub auth x`` asks for. X keeps an
  unattached upload for the ``expires_after_secs`` it answers (a day), so a retry
  reuses it. A 413 (too large) or 400 (a type X does not take) is not transient.
- **after a crash**: :meth:`XPublisher.find_published` is the same lookup as before a
  retry, for an attempt whose worker died (the scheduler passes when it began).
- **cost**: each post written is metered as a write (X bills per post).
- **errors** (:class:`~hubbub.sources.base.PublishError`): ``transient`` for 429s,
  5xx and lost connections that outlasted the retries; not for a 400 (rejected
  text), a 403 (duplicate content, a deleted or hidden parent, missing permission)
  or credentials that a refresh could not repair.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import SecretStr

from hubbub import codec
from hubbub.model import MediaFile, Published, Uploaded
from hubbub.settings import Settings
from hubbub.sources.base import PublishError, SourceError
from hubbub.sources.x.client import REST_BACKOFF, Reply, XClient, XRequestError
from hubbub.sources.x.oauth import OAuthError, Tokens, refresh_tokens
from hubbub.text import parse_tweet

__all__ = [
    "METADATA_PATH",
    "POST_PATH",
    "UPLOAD_PATH",
    "UPLOAD_TYPES",
    "XPublisher",
    "publisher_from_settings",
    "same_text",
]

POST_PATH = "/2/tweets"
UPLOAD_PATH = "/2/media/upload"
METADATA_PATH = "/2/media/metadata"
UPLOAD_TYPES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
#: GIFs go in chunks (the one-request upload takes JPEG, PNG and WebP only)
CHUNK_BYTES = 4 * 1024 * 1024
STATUS_TIMES = 30
T = TypeVar("T")
_URL = re.compile(r"https?://\S+")
#: how far back a lost post is looked for: the attempt's start, less clock skew
_SKEW = timedelta(minutes=2)


def same_text(ours: str, theirs: str) -> bool:
    """Whether X's text of a post is the text we sent: whitespace and links compared
    loosely, and one link more at the end of X's (the t.co link X adds for the images)."""

    def norm(text: str) -> str:
        return " ".join(_URL.sub("<link>", text).split())

    mine, seen = norm(ours), norm(theirs)
    return seen == mine or seen == f"{mine} <link>"


class XPublisher:
    """Posts and replies as the account whose user token ``client`` carries."""

    network = "x"

    def __init__(
        self,
        client: XClient,
        *,
        refresh_token: SecretStr | None = None,
        client_id: str = "",
        client_secret: SecretStr | None = None,
        on_tokens: Callable[[Tokens], None] | None = None,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        token_transport: Any = None,
    ) -> None:
        self.client = client
        self.refresh_token = refresh_token
        self.client_id = client_id
        self.client_secret = client_secret
        self.on_tokens = on_tokens
        self.now = now
        self.token_transport = token_transport
        self._me: str | None = None

    def close(self) -> None:
        self.client.close()

    def publish(
        self,
        text: str,
        *,
        reply_to: str | None = None,
        idempotency_key: str | None = None,
        media: Sequence[Uploaded] = (),
    ) -> Published:
        """Post ``text`` (a reply to ``reply_to`` if given) with the uploaded ``media``.
        X takes no idempotency key: ``idempotency_key`` is accepted for the protocol and
        unused (see the module doc)."""
        if not text.strip():
            raise PublishError("x: the post is empty")
        parsed = parse_tweet(text)
        if not parsed.valid:
            raise PublishError(
                f"x: the post weighs {parsed.weighted_length} characters; X allows 280"
            )
        if reply_to is not None and not reply_to.isdigit():
            raise PublishError(f"x: {reply_to!r} is not an X post id")
        ids = [m.ref for m in media]
        if any(m.network != "x" or not m.ref.isdigit() for m in media):
            raise PublishError("x: an image to attach was not uploaded to X")
        return self._refreshing(lambda: self._publish(text, reply_to, ids), "the post")

    def upload(self, media: MediaFile) -> Uploaded:
        """Upload one image (and its alt text) for a post; its media id (see module doc)."""
        if media.mime not in UPLOAD_TYPES:
            raise PublishError(f"x: X does not take {media.mime} images")
        return self._refreshing(lambda: self._upload(media), "the image")

    def find_published(
        self,
        text: str,
        *,
        reply_to: str | None,
        idempotency_key: str | None,
        since: datetime,
    ) -> Published | None:
        """The account's post with this text and reply target made since ``since``, if
        any (a crashed attempt's); None when there is none or X cannot be asked."""
        found = self._lost_post(text, reply_to, since, count=False)
        return None if found is None else self._published(found, reply_to, since)

    def _refreshing(self, call: Callable[[], T], what: str) -> T:
        """``call()``; on a refused token, refresh it once and call again."""
        try:
            return call()
        except XRequestError as exc:
            if exc.status == 401 and self.refresh_token is not None:
                self._refresh()
                try:
                    return call()
                except XRequestError as again:
                    raise self._rejected(again, what) from None
            raise self._rejected(exc, what) from None

    def _upload(self, media: MediaFile) -> Uploaded:
        if media.mime == "image/gif":
            data = self._chunked(media)
        else:
            extension = media.mime.removeprefix("image/").replace("jpeg", "jpg")
            data = self._data(
                self._call(
                    "POST",
                    UPLOAD_PATH,
                    files={"media": (f"image.{extension}", media.data, media.mime)},
                    data={"media_category": "tweet_image", "media_type": media.mime},
                )
            )
        media_id = str(data["id"])
        expires = None
        if isinstance(data.get("expires_after_secs"), int):
            expires = self.now() + timedelta(seconds=data["expires_after_secs"])
        if media.alt.strip():
            body = {"id": media_id, "metadata": {"alt_text": {"text": media.alt.strip()}}}
            self._call("POST", METADATA_PATH, json_body=body)
        return Uploaded("x", media_id, media.alt, media.width, media.height, expires)

    def _chunked(self, media: MediaFile) -> dict[str, Any]:
        """A GIF goes in X's chunked upload: initialize, append, finalize, wait."""
        category = "tweet_gif" if media.animated else "tweet_image"
        started = self._data(
            self._call(
                "POST",
                f"{UPLOAD_PATH}/initialize",
                json_body={
                    "media_category": category,
                    "media_type": media.mime,
                    "total_bytes": media.size,
                },
            )
        )
        media_id = str(started["id"])
        for index, at in enumerate(range(0, media.size, CHUNK_BYTES)):
            chunk = media.data[at : at + CHUNK_BYTES]
            self._call(
                "POST",
                f"{UPLOAD_PATH}/{media_id}/append",
                files={"media": ("image.gif", chunk, "application/octet-stream")},
                data={"segment_index": str(index)},
            )
        data = self._data(self._call("POST", f"{UPLOAD_PATH}/{media_id}/finalize"))
        for _ in range(STATUS_TIMES):
            info = data.get("processing_info")
            state = info.get("state") if isinstance(info, dict) else "succeeded"
            if state == "succeeded":
                return data
            if state == "failed":
                error = info.get("error") if isinstance(info, dict) else None
                why = error.get("message") if isinstance(error, dict) else None
                raise PublishError(f"x: X could not process the GIF: {why or 'no reason given'}")
            wait = info.get("check_after_secs") if isinstance(info, dict) else None
            self.client.sleep(float(wait) if isinstance(wait, int | float) else 1.0)
            data = self._data(
                self._call("GET", UPLOAD_PATH, params={"command": "STATUS", "media_id": media_id})
            )
        raise PublishError("x: X is still processing the GIF; trying again later", transient=True)

    def _call(self, method: str, path: str, **kwargs: Any) -> Reply:
        """One request for an upload; a failure past the retries is transient."""
        try:
            return self.client.request(method, path, **kwargs)
        except XRequestError:
            raise
        except SourceError as exc:
            raise PublishError(str(exc), transient=True) from None

    @staticmethod
    def _data(reply: Reply) -> dict[str, Any]:
        data = reply.data.get("data") if isinstance(reply.data, dict) else None
        if not isinstance(data, dict) or not str(data.get("id", "")).isdigit():
            raise PublishError(f"x: {reply.url} answered without a media id", transient=True)
        return data

    def _publish(self, text: str, reply_to: str | None, media_ids: list[str]) -> Published:
        body: dict[str, Any] = {"text": text}
        if reply_to:
            body["reply"] = {"in_reply_to_tweet_id": reply_to}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        started = self.now()
        try:
            reply = self.client.request(
                "POST",
                POST_PATH,
                json_body=body,
                before_retry=lambda: self._lost_post(text, reply_to, started),
            )
        except (XRequestError, PublishError):
            raise
        except SourceError as exc:  # retries used up: 429s, 5xx, connections
            raise PublishError(str(exc), transient=True) from None
        return self._published(reply, reply_to, started)

    def _published(self, reply: Reply, reply_to: str | None, started: datetime) -> Published:
        data = reply.data.get("data") if isinstance(reply.data, dict) else None
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise PublishError("x: POST /2/tweets answered without the post's id", transient=True)
        created = data.get("created_at")
        return Published(
            network="x",
            id=data["id"],
            url=f"https://x.com/i/web/status/{data['id']}",
            created=codec.parse_datetime(created) if isinstance(created, str) else started,
            reply_to=reply_to,
        )

    def _rejected(self, exc: XRequestError, what: str) -> PublishError:
        if exc.status == 401:
            return PublishError(
                "x: the user access token was refused (401) and could not be refreshed: "
                "run `hubbub auth x` again"
            )
        return PublishError(f"x: {what} was rejected ({exc.status}): {exc.detail}")

    def _refresh(self) -> None:
        assert self.refresh_token is not None
        try:
            tokens = refresh_tokens(
                self.refresh_token,
                self.client_id,
                self.client_secret,
                api_url=self.client.base_url,
                transport=self.token_transport,
            )
        except OAuthError as exc:
            raise PublishError(str(exc)) from None
        self.refresh_token = tokens.refresh or self.refresh_token
        old = self.client
        self.client = dataclasses.replace(old, token=tokens.access)  # a new session
        old.close()
        if self.on_tokens is not None:
            self.on_tokens(tokens)

    def _my_id(self) -> str:
        if self._me is None:
            reply = self.client.request("GET", "/2/users/me")
            data = reply.data.get("data") if isinstance(reply.data, dict) else None
            if not isinstance(data, dict) or not isinstance(data.get("id"), str):
                raise SourceError("x: /2/users/me answered without an id")
            self._me = data["id"]
        return self._me

    def _lost_post(
        self, text: str, reply_to: str | None, started: datetime, *, count: bool = True
    ) -> Reply | None:
        """The post a lost attempt made, if the account's latest posts show it."""
        try:
            path = f"/2/users/{self._my_id()}/tweets"
            params: dict[str, str | int] = {
                "max_results": 20,
                "tweet.fields": "created_at,referenced_tweets,text",
                "start_time": (started - _SKEW).strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
            found = self.client.request(
                "GET", path, params=params, backoff=_ONCE
            )  # one look; if it fails, the retry goes ahead and X's duplicate check guards
        except SourceError:
            return None
        posts = found.data.get("data") if isinstance(found.data, dict) else None
        for post in posts if isinstance(posts, list) else []:
            if not isinstance(post, dict) or not same_text(text, str(post.get("text", ""))):
                continue
            parents = [
                str(r.get("id"))
                for r in post.get("referenced_tweets") or []
                if isinstance(r, dict) and r.get("type") == "replied_to"
            ]
            if (parents[0] if parents else None) == reply_to:
                if count:  # X made (and bills) that post in this call
                    self.client.budget.record(writes=1)
                return Reply(found.url, 201, {}, {"data": post})
        return None


#: the lost-post lookup: one retry at most, it must not hold the post up for minutes
_ONCE = dataclasses.replace(REST_BACKOFF, max_attempts=2)


def publisher_from_settings(
    settings: Settings, *, on_tokens: Callable[[Tokens], None] | None = None, **kwargs: Any
) -> XPublisher | None:
    """An :class:`XPublisher` from ``HUBBUB_X_USER_TOKEN`` (and its refresh token, client
    id and secret), or None when no user token is set (posting to X not configured)."""
    token = settings.x_user_token
    if token is None or not token.get_secret_value().strip():
        return None
    client_id = settings.x_client_id.get_secret_value() if settings.x_client_id else ""
    client = XClient(token=token, base_url=settings.x_api_url, **kwargs)
    return XPublisher(
        client,
        refresh_token=settings.x_user_refresh_token if client_id else None,
        client_id=client_id,
        client_secret=settings.x_client_secret,
        on_tokens=on_tokens,
    )
