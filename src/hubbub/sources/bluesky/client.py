"""The Bluesky XRPC client: one request method, wrapped by the retry, rate-limit and session rules.

Every call to a Bluesky service (a PDS such as bsky.social, or the AppView it
proxies to) goes through :meth:`BlueskyClient.request`, so every endpoint gets the
same behaviour:

- **rate limits**: each response's ``ratelimit-remaining`` / ``ratelimit-reset``
  (epoch seconds) are remembered per method (NSID); when a window is used up the
  next call sleeps until the reset instead of earning a 429. A 429 anyway waits
  for the reset, or the policy's delay when the header is missing.
- **failures**: 5xx and connection errors (refused, dropped, timed out, a body that
  is not JSON) are retried with exponential backoff from 1 s to 60 s, six attempts.
- **session**: with a handle and an app password the client logs in
  (``com.atproto.server.createSession``) on its first authenticated call; when the
  PDS answers ``ExpiredToken`` it refreshes the session
  (``com.atproto.server.refreshSession``) and, if the refresh token has expired
  too, logs in again, then repeats the call once. Without credentials calls go out
  unauthenticated (the public AppView answers searches and profiles that way).
- **errors**: 401 and 403 stop at once with :class:`~hubbub.sources.base.SourceError`
  naming the setting to fix; other 4xx raise :class:`BlueskyRequestError` carrying
  the XRPC ``error`` and ``message``. The app password is never in a message, a log
  line or a ``repr``.

Why httpx and not the ``atproto`` SDK's ``Client`` for this part: the SDK's request
layer raises on the first 429 or 5xx with no retry hook, does not keep
``ratelimit-*`` windows, refreshes sessions by decoding the JWT against the wall
clock (not injectable) and only through private methods. The retry loop is short
enough to own, as :mod:`hubbub.sources.x.client` does, and owning it is what lets
tests script every failure with an injected clock. The SDK is used where it helps:
its lexicon models build and validate the records hubbub writes and its facet
detection (a port of the official TypeScript one) finds links, tags and mentions
(see :mod:`hubbub.sources.bluesky.publish`).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from hubbub.settings import Settings, mask
from hubbub.sources.base import SourceError
from hubbub.sources.x.client import REST_BACKOFF, Backoff

__all__ = [
    "BlueskyAuthError",
    "BlueskyClient",
    "BlueskyRequestError",
    "BlueskyUnavailable",
    "Params",
    "Session",
    "client_from_settings",
]

log = logging.getLogger(__name__)

FailureKind = Literal["network", "http", "too_many"]
USER_AGENT = "hubbub (self-hosted social listening)"
Params = Mapping[str, str | int | Sequence[str]]
_SESSION_METHODS = ("com.atproto.server.createSession", "com.atproto.server.refreshSession")


class BlueskyRequestError(SourceError):
    """The service rejected a request (4xx other than 401/403/429); not retried."""

    def __init__(self, message: str, status: int, error: str, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.error = error  # the XRPC error name, e.g. "InvalidRequest"
        self.detail = detail  # the XRPC message


class BlueskyAuthError(SourceError):
    """The credentials were refused (401/403): trying again will not help."""


class BlueskyUnavailable(SourceError):
    """Bluesky kept failing (5xx, 429, dropped connections) past the retries: try later."""


@dataclass(frozen=True, slots=True)
class Session:
    """A logged-in session: the account's DID and handle and its two tokens."""

    did: str
    handle: str
    access: SecretStr
    refresh: SecretStr


@dataclass(slots=True)
class _Window:
    remaining: int
    reset: float  # epoch seconds


@dataclass
class BlueskyClient:
    """XRPC over httpx with one retrying, rate-limited, session-refreshing :meth:`request`."""

    handle: str = ""
    password: SecretStr | None = None
    base_url: str = "https://bsky.social"
    backoff: Backoff = REST_BACKOFF
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    #: told why and how long before every wait (a progress bar shows it)
    on_wait: Callable[[str, float], None] | None = None
    windows: dict[str, _Window] = field(default_factory=dict)
    session: Session | None = None
    logins: int = 0
    refreshes: int = 0

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout, connect=10.0),
            headers={"User-Agent": USER_AGENT},
            transport=self.transport,
            follow_redirects=False,
        )
        self._lock = threading.Lock()  # one login / refresh at a time

    def __repr__(self) -> str:
        return (
            f"BlueskyClient(base_url={self.base_url!r}, handle={self.handle!r}, "
            f"password={mask(self.password)!r})"
        )

    @property
    def has_credentials(self) -> bool:
        return bool(self.handle and self.password and self.password.get_secret_value())

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> BlueskyClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- convenience --------------------------------------------------------------------

    def get(self, nsid: str, params: Params | None = None) -> dict[str, Any]:
        """A query (``GET /xrpc/NSID``), its JSON object."""
        return self.request("GET", nsid, params=params)

    def post(
        self,
        nsid: str,
        body: Any,
        *,
        before_retry: Callable[[], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """A procedure (``POST /xrpc/NSID`` with a JSON body), its JSON object.

        ``before_retry`` is called before retrying after a 5xx or a lost answer; an
        object it returns is taken as this call's answer (a write that has no key
        looks there for what the lost attempt did)."""
        return self.request("POST", nsid, json_body=body, before_retry=before_retry)

    def post_bytes(self, nsid: str, data: bytes, content_type: str) -> dict[str, Any]:
        """A procedure whose input is raw bytes (``uploadBlob``), its JSON object."""
        return self.request("POST", nsid, content=data, content_type=content_type)

    # --- the session --------------------------------------------------------------------

    def login(self) -> Session:
        """Create a session with the handle and app password; SourceError if refused."""
        if not self.has_credentials:
            raise SourceError(
                "bluesky: no credentials: set HUBBUB_BLUESKY_HANDLE and "
                "HUBBUB_BLUESKY_APP_PASSWORD (Bluesky → Settings → Privacy and security → "
                "App passwords)"
            )
        assert self.password is not None
        body = {"identifier": self.handle, "password": self.password.get_secret_value()}
        data = self._send("POST", "com.atproto.server.createSession", None, body, None)
        self.session = _session(data)
        self.logins += 1
        return self.session

    def _refresh(self, stale: Session | None) -> None:
        """Refresh the session (or log in again); a no-op if another thread already did."""
        with self._lock:
            if self.session is not stale and self.session is not None:
                return
            if stale is None:
                self.login()
                return
            try:
                data = self._send(
                    "POST",
                    "com.atproto.server.refreshSession",
                    None,
                    None,
                    stale.refresh.get_secret_value(),
                )
            except BlueskyRequestError as exc:
                if exc.error not in ("ExpiredToken", "InvalidToken"):
                    raise
                log.info("bluesky: the refresh token has expired too; logging in again")
                self.login()
                return
            self.session = _session(data)
            self.refreshes += 1

    def _token(self) -> str | None:
        if not self.has_credentials:
            return None
        if self.session is None:
            with self._lock:
                if self.session is None:
                    self.login()
        assert self.session is not None
        return self.session.access.get_secret_value()

    # --- the one request ----------------------------------------------------------------

    def request(
        self,
        method: str,
        nsid: str,
        *,
        params: Params | None = None,
        json_body: Any = None,
        auth: bool = True,
        content: bytes | None = None,
        content_type: str | None = None,
        before_retry: Callable[[], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """Call ``nsid``; the decoded JSON object of the answer. Raises SourceError.

        The input is ``json_body``, or the raw ``content`` of ``content_type``. An
        ``ExpiredToken`` answer refreshes the session and repeats the call once.
        """
        token = self._token() if auth else None
        used = self.session
        body = _Body(json_body, content, content_type)
        try:
            return self._send(method, nsid, params, body, token, before_retry)
        except BlueskyRequestError as exc:
            if exc.error not in ("ExpiredToken", "InvalidToken") or token is None:
                raise
            log.info("bluesky: the access token has expired; refreshing the session")
            self._refresh(used)
            return self._send(method, nsid, params, body, self._token(), before_retry)

    def _send(
        self,
        method: str,
        nsid: str,
        params: Params | None,
        body: Any,
        token: str | None,
        before_retry: Callable[[], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """Send one call, retrying per the backoff policy."""
        policy = self.backoff
        counts: dict[FailureKind, int] = {"network": 0, "http": 0, "too_many": 0}
        attempts = 0
        while True:
            self._wait_for_window(nsid)
            attempts += 1
            result, reason, wait = self._attempt(method, nsid, params, body, token)
            if not isinstance(result, str):
                return result
            kind: FailureKind = result  # type: ignore[assignment]
            counts[kind] += 1
            if policy.max_attempts is not None and attempts >= policy.max_attempts:
                raise BlueskyUnavailable(
                    f"bluesky: {nsid} failed {attempts} times (last: {reason}); "
                    "Bluesky may be down or unreachable: try again later"
                )
            delay = policy.delay(kind, counts[kind])
            if wait is not None and kind == "too_many" and policy.honour_reset:
                delay = wait
            log.warning("bluesky: %s: %s; retrying in %.2f s", nsid, reason, delay)
            self._wait(f"Bluesky: {reason}; retrying", delay)
            if kind == "too_many":
                self.windows.pop(nsid, None)
            elif before_retry is not None:
                found = before_retry()
                if found is not None:
                    return found

    def _attempt(
        self, method: str, nsid: str, params: Params | None, body: Any, token: str | None
    ) -> tuple[dict[str, Any] | str, str, float | None]:
        """One try: the JSON object, or the kind of failure, its reason and a reset wait."""
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        given = body if isinstance(body, _Body) else _Body(body)
        if given.content is not None:
            headers["Content-Type"] = given.content_type or "application/octet-stream"
        try:
            response = self._http.request(
                method,
                f"/xrpc/{nsid}",
                params=params,
                json=given.json,
                content=given.content,
                headers=headers or None,
            )
        except httpx.TransportError as exc:
            return "network", f"{type(exc).__name__}: {exc}".rstrip(": "), None
        self._note_window(nsid, response.headers)
        status = response.status_code
        if status < 400:
            try:
                data = json.loads(response.content) if response.content.strip() else {}
            except ValueError:
                return "network", "the response is not valid JSON", None
            if not isinstance(data, dict):
                return "network", "the response is not a JSON object", None
            return data, "", None
        error, detail = _xrpc_error(response)
        if status == 429:
            return "too_many", "429 Too Many Requests", self._reset_wait(response.headers)
        if status >= 500:
            return "http", f"{status} {response.reason_phrase}".strip(), None
        if status in (401, 403) and error not in ("ExpiredToken", "InvalidToken"):
            raise BlueskyAuthError(self._credential_message(status, nsid, error, detail))
        raise BlueskyRequestError(
            f"bluesky: {nsid} was rejected ({status} {error}): {detail}", status, error, detail
        )

    def _credential_message(self, status: int, nsid: str, error: str, detail: str) -> str:
        if nsid in _SESSION_METHODS or status == 401:
            return (
                f"bluesky: the handle {self.handle!r} and app password ({mask(self.password)}) "
                f"were refused ({status} {error}: {detail}): set HUBBUB_BLUESKY_HANDLE and "
                "HUBBUB_BLUESKY_APP_PASSWORD to a current app password"
            )
        return f"bluesky: {nsid} is forbidden ({status} {error}: {detail})"

    # --- rate limits --------------------------------------------------------------------

    def _note_window(self, nsid: str, headers: Mapping[str, str]) -> None:
        remaining, reset = headers.get("ratelimit-remaining"), headers.get("ratelimit-reset")
        if remaining is None or reset is None:
            return
        try:
            self.windows[nsid] = _Window(int(remaining), float(reset))
        except ValueError:
            log.warning("bluesky: ignoring unreadable rate-limit headers on %s", nsid)

    def _reset_wait(self, headers: Mapping[str, str]) -> float | None:
        reset = headers.get("ratelimit-reset")
        try:
            return max(1.0, float(reset) - self.clock() + 1.0) if reset is not None else None
        except ValueError:
            return None

    def _wait_for_window(self, nsid: str) -> None:
        window = self.windows.get(nsid)
        if window is None or window.remaining > 0:
            return
        wait = window.reset - self.clock() + 1.0  # a second's margin for clock skew
        if wait > 0:
            log.info("bluesky: rate limit of %s used up; waiting %.0f s", nsid, wait)
            self._wait("Bluesky rate limit used up; waiting for the reset", wait)
        self.windows.pop(nsid, None)

    def _wait(self, why: str, seconds: float) -> None:
        if self.on_wait is not None:
            self.on_wait(why, seconds)
        self.sleep(seconds)


@dataclass(frozen=True, slots=True)
class _Body:
    """A call's input: JSON, or raw bytes of a content type (a blob)."""

    json: Any = None
    content: bytes | None = None
    content_type: str | None = None


def _session(data: dict[str, Any]) -> Session:
    did, handle = data.get("did"), data.get("handle")
    access, refresh = data.get("accessJwt"), data.get("refreshJwt")
    if not all(isinstance(v, str) and v for v in (did, handle, access, refresh)):
        raise SourceError("bluesky: the session answer lacks did, handle or tokens")
    return Session(str(did), str(handle), SecretStr(str(access)), SecretStr(str(refresh)))


def _xrpc_error(response: httpx.Response) -> tuple[str, str]:
    """The XRPC ``error`` name and ``message`` of an error answer, each one line."""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        error = body.get("error")
        message = body.get("message")
        name = str(error) if isinstance(error, str) else f"HTTP {response.status_code}"
        text = str(message) if isinstance(message, str) else response.reason_phrase
        return name, " ".join(text.split())
    return f"HTTP {response.status_code}", response.reason_phrase or ""


def client_from_settings(settings: Settings, **kwargs: Any) -> BlueskyClient:
    """A client of ``HUBBUB_BLUESKY_SERVICE_URL`` with the handle and app password if set."""
    return BlueskyClient(
        handle=settings.bluesky_handle.strip().lstrip("@"),
        password=settings.bluesky_app_password,
        base_url=settings.bluesky_service_url,
        **kwargs,
    )
