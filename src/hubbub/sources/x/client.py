"""The X API v2 client: one request method, wrapped once by the retry and rate-limit rules.

Every call to X goes through :meth:`XClient.request` (twarc's model), so every
endpoint gets the same behaviour without repeating it:

- **rate limits**: each response's ``x-rate-limit-remaining`` / ``x-rate-limit-reset``
  are remembered per endpoint; when the window is used up the next call sleeps
  until the reset instead of earning a 429. A 429 anyway waits for the reset (or
  the policy's delay when the header is missing).
- **failures**: 5xx and connection errors (refused, dropped, timed out, a truncated
  JSON body) are retried with the policy's backoff; the REST policy is exponential
  from 1 s to 60 s for 6 attempts, the filtered stream passes X's documented
  reconnect policy (:data:`STREAM_BACKOFF`) and retries for ever.
- **credentials**: 401 and 403 stop at once with :class:`SourceError`, one line that
  names the source and what to do; the token is never in a message, a log line or a
  ``repr`` (only :func:`hubbub.settings.mask` of it).
- **cost**: posts returned by reading endpoints are counted on the :class:`Budget`
  and every reading request first checks the monthly cap.

httpx rather than tweepy: tweepy's retry handling sleeps on 429 only and cannot be
pointed at a fake server per test with an injected clock; the retry loop is short
enough to own, and owning it is what lets tests script every failure.
``sleep`` and ``clock`` are injectable so tests run X's minute-long waits instantly.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx
from pydantic import SecretStr

from hubbub.settings import Settings, mask
from hubbub.sources.base import SourceError
from hubbub.sources.x.usage import Budget, MemoryMeter

__all__ = [
    "REST_BACKOFF",
    "STREAM_BACKOFF",
    "Backoff",
    "Reply",
    "Schedule",
    "XClient",
    "XRequestError",
    "client_from_settings",
]

log = logging.getLogger(__name__)

FailureKind = Literal["network", "http", "too_many"]
USER_AGENT = "hubbub (self-hosted social listening)"


@dataclass(frozen=True, slots=True)
class Schedule:
    """Delays before successive retries: ``first * n`` (linear) or ``first * 2**(n-1)``."""

    first: float
    cap: float
    linear: bool = False

    def delay(self, n: int) -> float:
        """The wait before retry ``n`` (1-based)."""
        value = self.first * n if self.linear else self.first * 2 ** (n - 1)
        return float(min(self.cap, value))


@dataclass(frozen=True, slots=True)
class Backoff:
    """How to wait after each kind of failure, and how often to try at most."""

    network: Schedule
    http: Schedule
    too_many: Schedule
    max_attempts: int | None = 6  # None: for ever (the filtered stream)
    honour_reset: bool = True  # after a 429, wait for x-rate-limit-reset when given

    def delay(self, kind: FailureKind, n: int) -> float:
        return {"network": self.network, "http": self.http, "too_many": self.too_many}[kind].delay(
            n
        )


#: REST calls: exponential from 1 s to 60 s, six attempts in all.
REST_BACKOFF = Backoff(Schedule(1, 60), Schedule(1, 60), Schedule(60, 900))
#: X's documented reconnect policy for the filtered stream: network errors linearly
#: from 250 ms up to 16 s, HTTP errors exponentially from 5 s up to 320 s, 429 from
#: one minute doubling each attempt.
STREAM_BACKOFF = Backoff(
    Schedule(0.25, 16, linear=True),
    Schedule(5, 320),
    Schedule(60, 3840),
    max_attempts=None,
    honour_reset=False,
)


class XRequestError(SourceError):
    """X rejected a request (a 4xx other than 429); not retried. 401 and 403 keep
    their credential message but carry the status, so a caller holding a refresh
    token (:mod:`hubbub.sources.x.publish`) can tell them apart."""

    def __init__(self, message: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


@dataclass(slots=True)
class Reply:
    """A successful response: its URL, status, headers and decoded JSON (``None`` if streamed)."""

    url: str
    status: int
    headers: Mapping[str, str]
    data: Any = None
    response: httpx.Response | None = None  # open, for streamed requests only


@dataclass(slots=True)
class _Window:
    remaining: int
    reset: float  # epoch seconds


@dataclass
class XClient:
    """X API v2 over httpx with one retrying, rate-limited :meth:`request`."""

    token: SecretStr
    base_url: str = "https://api.x.com"
    budget: Budget = field(default_factory=lambda: Budget(MemoryMeter()))
    backoff: Backoff = REST_BACKOFF
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    timeout: float = 30.0
    transport: httpx.BaseTransport | None = None
    #: told why and how long before every wait (a progress bar shows it)
    on_wait: Callable[[str, float], None] | None = None
    windows: dict[str, _Window] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url,
            timeout=httpx.Timeout(self.timeout, connect=10.0),
            headers={
                "Authorization": f"Bearer {self.token.get_secret_value()}",
                "User-Agent": USER_AGENT,
            },
            transport=self.transport,
            follow_redirects=False,
        )

    def __repr__(self) -> str:
        return f"XClient(base_url={self.base_url!r}, token={mask(self.token)!r})"

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> XClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the one request ---------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str | int] | None = None,
        json_body: Any = None,
        stream: bool = False,
        backoff: Backoff | None = None,
        read_timeout: float | None = None,
        before_retry: Callable[[], Reply | None] | None = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> Reply:
        """Send one request, retrying per ``backoff``; return the successful reply.

        Non-streamed replies carry the decoded JSON in ``data`` (a body that is not
        JSON is retried like a dropped connection). Streamed replies carry the open
        ``response``; the caller reads and closes it. Raises :class:`SourceError`.

        ``before_retry`` is called before retrying after a 5xx or a lost response
        (not after a 429, which X did not carry out); a reply it returns is taken as
        this request's. Writes without an idempotency key use it to look for what
        the lost attempt may have done.

        ``files`` (name -> (file name, bytes, MIME type)) and ``data`` send a
        ``multipart/form-data`` body instead of JSON (the media upload).
        """
        policy = backoff or self.backoff
        reads = method == "GET" and _reads_posts(path)
        counts: dict[FailureKind, int] = {"network": 0, "http": 0, "too_many": 0}
        attempts = 0
        while True:
            if reads:
                self.budget.check()
            self._wait_for_window(path)
            attempts += 1
            kind, reason, wait = self._attempt(
                method, path, params, json_body, stream, read_timeout, files, data
            )
            if isinstance(kind, Reply):
                return kind
            counts[kind] += 1
            if policy.max_attempts is not None and attempts >= policy.max_attempts:
                raise SourceError(
                    f"x: {method} {path} failed {attempts} times (last: {reason}); "
                    "X may be down or unreachable: try again later"
                )
            delay = policy.delay(kind, counts[kind])
            if wait is not None and kind == "too_many" and policy.honour_reset:
                delay = wait  # the reset header says exactly when to come back
            log.warning("x: %s %s: %s; retrying in %.2f s", method, path, reason, delay)
            self._wait(f"X: {reason}; retrying", delay)
            if before_retry is not None and kind != "too_many":
                found = before_retry()
                if found is not None:
                    return found
            if kind == "too_many":  # the wait above is the one for this window
                self.windows.pop(_endpoint(path), None)

    def _attempt(
        self,
        method: str,
        path: str,
        params: Mapping[str, str | int] | None,
        json_body: Any,
        stream: bool,
        read_timeout: float | None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
        data: Mapping[str, str] | None = None,
    ) -> tuple[Reply | FailureKind, str, float | None]:
        """One try: a reply, or the kind of failure, its reason and a reset wait if any."""
        timeout = httpx.Timeout(self.timeout, connect=10.0, read=read_timeout or self.timeout)
        try:
            req = self._http.build_request(
                method,
                path,
                params=params,
                json=json_body,
                files=files,
                data=data,
                timeout=timeout,
            )
            response = self._http.send(req, stream=stream)
        except httpx.TransportError as exc:
            return "network", f"{type(exc).__name__}: {exc}".rstrip(": "), None
        url = str(response.request.url)
        self._note_window(path, response.headers)
        status = response.status_code
        if status < 400:
            if stream:
                return Reply(url, status, response.headers, None, response), "", None
            try:
                body = response.read()
                data = json.loads(body) if body.strip() else {}
            except (httpx.TransportError, httpx.StreamError) as exc:
                return "network", f"body cut short: {type(exc).__name__}", None
            except ValueError:
                return "network", "the response is not valid JSON", None
            finally:
                response.close()
            self._count(method, path, status, data)
            return Reply(url, status, response.headers, data), "", None
        try:
            response.read()
        except (httpx.TransportError, httpx.StreamError):
            pass
        finally:
            response.close()
        detail = _detail(response)
        if status in (401, 403):
            message = _credential_message(status, path, detail, self.token)
            raise XRequestError(message, status, detail)
        if status == 429:
            return "too_many", "429 Too Many Requests", self._reset_wait(response.headers)
        if status >= 500:
            return "http", f"{status} {response.reason_phrase}".strip(), None
        raise XRequestError(f"x: {method} {path} was rejected ({status}): {detail}", status, detail)

    # --- rate limits and metering ------------------------------------------------------

    def _note_window(self, path: str, headers: Mapping[str, str]) -> None:
        remaining, reset = headers.get("x-rate-limit-remaining"), headers.get("x-rate-limit-reset")
        if remaining is None or reset is None:
            return
        try:
            self.windows[_endpoint(path)] = _Window(int(remaining), float(reset))
        except ValueError:
            log.warning("x: ignoring unreadable rate-limit headers on %s", path)

    def _reset_wait(self, headers: Mapping[str, str]) -> float | None:
        reset = headers.get("x-rate-limit-reset")
        try:
            return max(1.0, float(reset) - self.clock() + 1.0) if reset is not None else None
        except ValueError:
            return None

    def _wait_for_window(self, path: str) -> None:
        window = self.windows.get(_endpoint(path))
        if window is None or window.remaining > 0:
            return
        wait = window.reset - self.clock() + 1.0  # a second's margin for clock skew
        if wait > 0:
            log.info("x: rate limit of %s used up; waiting %.0f s for the reset", path, wait)
            self._wait("X rate limit used up; waiting for the reset", wait)
        del self.windows[_endpoint(path)]

    def _wait(self, why: str, seconds: float) -> None:
        if self.on_wait is not None:
            self.on_wait(why, seconds)
        self.sleep(seconds)

    def _count(self, method: str, path: str, status: int, data: Any) -> None:
        if method == "GET" and _reads_posts(path) and isinstance(data, dict):
            posts = data.get("data")
            n = len(posts) if isinstance(posts, list) else 1 if isinstance(posts, dict) else 0
            if n:
                self.budget.record(reads=n)
        elif method == "POST" and path == "/2/tweets" and status < 300:
            self.budget.record(writes=1)

    def record_reads(self, n: int) -> None:
        """Count ``n`` posts received outside :meth:`request` (a stream's lines)."""
        if n:
            self.budget.record(reads=n)


def _endpoint(path: str) -> str:
    """The rate-limit bucket of a path: ids replaced, so /2/users/1/tweets = /2/users/:id/tweets."""
    return "/".join(":id" if part.isdigit() else part for part in path.split("/"))


def _reads_posts(path: str) -> bool:
    """Whether a GET of ``path`` returns posts X bills for."""
    if path.startswith("/2/tweets/search/stream/rules"):
        return False
    return path.startswith("/2/tweets") or path.endswith(("/tweets", "/mentions"))


def _detail(response: httpx.Response) -> str:
    """X's own explanation of an error response, in one line."""
    try:
        body = response.json()
    except (ValueError, httpx.ResponseNotRead):
        return response.reason_phrase or f"HTTP {response.status_code}"
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            text = first.get("message") or first.get("detail")
            if isinstance(text, str):
                return " ".join(text.split())
        for key in ("detail", "title", "error"):
            if isinstance(body.get(key), str):
                return " ".join(str(body[key]).split())
    return response.reason_phrase or f"HTTP {response.status_code}"


def _credential_message(status: int, path: str, detail: str, token: SecretStr) -> str:
    if status == 401:
        return (
            f"x: the bearer token ({mask(token)}) was refused (401 Unauthorized): "
            "set HUBBUB_X_BEARER_TOKEN to a current token from the X developer portal"
        )
    return (
        f"x: access to {path} is forbidden (403: {detail}): check that your X app's "
        "plan and project allow this endpoint in the X developer portal"
    )


def client_from_settings(settings: Settings, **kwargs: Any) -> XClient:
    """An :class:`XClient` from ``HUBBUB_X_*`` settings; :class:`SourceError` without a token."""
    token = settings.x_bearer_token
    if token is None or not token.get_secret_value().strip():
        raise SourceError(
            "x: no bearer token: set HUBBUB_X_BEARER_TOKEN (X developer portal → your app → "
            "Keys and tokens)"
        )
    return XClient(token=token, base_url=settings.x_api_url, **kwargs)
