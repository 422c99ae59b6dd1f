"""The Mastodon client: Mastodon.py behind one request method with hubbub's retry and rate rules.

Every REST call to an instance goes through :meth:`MastodonClient.request`, which
runs one Mastodon.py call and owns what Mastodon.py leaves to its caller:

- **rate limits**: Mastodon counts requests per account (300 per 5 minutes by
  default) and says so in ``X-RateLimit-Limit/Remaining/Reset`` (the reset is an
  ISO 8601 time). The client remembers the last answer's window and, when it is used
  up, sleeps until the reset before asking again instead of earning a 429; a 429
  anyway waits for the reset it names (or the policy's delay without one).
- **failures**: 5xx, dropped or refused connections, timeouts and bodies that are
  not JSON are retried with the policy's backoff (exponential from 1 s to 60 s, six
  attempts in all), then reported in one line.
- **credentials**: 401 and 403 stop at once with :class:`SourceError`, one line that
  names the instance and what to do; the token is never in a message, a log line
  or a ``repr`` (only :func:`hubbub.settings.mask` of it).
- **other 4xx** (404, 422) raise :class:`MastodonRequestError` with Mastodon's own
  ``{"error": "..."}`` text and the status, so a publisher can tell a rejected post
  from a transient failure.

Mastodon.py does the requests themselves: parameters, the bearer header, the
``Idempotency-Key`` of a post, and the ``Link`` header's ``max_id``/``min_id``
paging, which :attr:`Reply.next_max_id` exposes. It is built with
``ratelimit_method="throw"`` because its own waiting calls ``time.sleep`` on the
real clock; here ``sleep`` and ``clock`` are injectable, so tests run Mastodon's
five-minute windows instantly. A response hook on its ``requests.Session`` keeps
each answer's headers and its JSON exactly as the server sent it (Mastodon.py
converts entities to its own types); the JSON is what hubbub maps and stores raw.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar
from urllib.parse import urlsplit

import requests
from mastodon import (
    Mastodon,
    MastodonAPIError,
    MastodonNetworkError,
    MastodonNotFoundError,
    MastodonRatelimitError,
    MastodonServerError,
    MastodonUnauthorizedError,
)
from pydantic import SecretStr

from hubbub import codec
from hubbub.settings import Settings, mask
from hubbub.sources.base import SourceError
from hubbub.sources.x.client import Backoff, FailureKind, Schedule

__all__ = [
    "REST_BACKOFF",
    "MastodonClient",
    "MastodonRequestError",
    "MastodonUnavailable",
    "Reply",
    "client_from_settings",
    "configured",
]

log = logging.getLogger(__name__)
T = TypeVar("T")
USER_AGENT = "hubbub (self-hosted social listening)"
#: REST calls: exponential from 1 s to 60 s for network and 5xx failures, six attempts;
#: a 429 without a reset time waits a minute, doubling.
REST_BACKOFF = Backoff(Schedule(1, 60), Schedule(1, 60), Schedule(60, 900))


class MastodonRequestError(SourceError):
    """The instance rejected a request (4xx other than 401/403/429); not retried."""

    def __init__(self, message: str, status: int, detail: str) -> None:
        super().__init__(message)
        self.status = status
        self.detail = detail


class MastodonUnavailable(SourceError):
    """Every attempt failed with a 5xx, a 429 or a network error: trying later may work."""


@dataclass(slots=True)
class Reply(Generic[T]):
    """A successful call: Mastodon.py's result, the JSON as sent, the URL and headers."""

    result: T
    data: Any
    url: str
    headers: Mapping[str, str]

    @property
    def next_max_id(self) -> str | None:
        """The ``max_id`` of the ``Link: <…>; rel="next"`` page (older posts), if any."""
        return _paging(self.result, "_pagination_next", "max_id")

    @property
    def prev_min_id(self) -> str | None:
        """The ``min_id`` of the ``Link: <…>; rel="prev"`` page (newer posts), if any."""
        return _paging(self.result, "_pagination_prev", "min_id")


def _paging(result: Any, attribute: str, key: str) -> str | None:
    info = getattr(result, attribute, None)
    value = info.get(key) if isinstance(info, dict) else None
    return str(value) if value is not None else None


@dataclass(slots=True)
class _Window:
    remaining: int
    reset: float  # epoch seconds


@dataclass
class MastodonClient:
    """One Mastodon instance and one account's token, with :meth:`request` as the way in."""

    base_url: str
    token: SecretStr | None = None
    backoff: Backoff = REST_BACKOFF
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    timeout: float = 30.0
    #: told why and how long before every wait (a progress bar shows it)
    on_wait: Callable[[str, float], None] | None = None
    window: _Window | None = None
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        parts = urlsplit(self.base_url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise SourceError(
                f"mastodon: the instance URL {self.base_url!r} is not an http(s) URL: set "
                "HUBBUB_MASTODON_BASE_URL to e.g. https://mastodon.social"
            )
        self.host = parts.netloc
        self.session = requests.Session()
        self.session.hooks["response"].append(self._seen)
        self.api = Mastodon(
            access_token=self.token.get_secret_value() if self.token else None,
            api_base_url=self.base_url,
            ratelimit_method="throw",
            # hubbub needs Mastodon 4.0 or later; saying so spares Mastodon.py a request
            # to /api/v1/instance before the first search to learn the version
            mastodon_version="4.0.0",
            version_check_mode="created",
            request_timeout=self.timeout,
            session=self.session,
            user_agent=USER_AGENT,
        )

    def __repr__(self) -> str:
        return f"MastodonClient(base_url={self.base_url!r}, token={mask(self.token)!r})"

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> MastodonClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def has_token(self) -> bool:
        return self.token is not None and bool(self.token.get_secret_value().strip())

    # --- the one request -----------------------------------------------------------------

    def request(
        self,
        what: str,
        call: Callable[[Mastodon], T],
        *,
        backoff: Backoff | None = None,
        patient: bool = True,
    ) -> Reply[T]:
        """Run ``call(api)`` (one Mastodon.py request), retrying per the backoff policy.

        ``what`` names the request in messages, e.g. ``"GET /api/v1/timelines/tag/bread"``.
        ``patient=False`` fails at once when the rate-limit window is used up instead
        of sleeping until its reset (a person is waiting for a reply to be sent).
        Raises :class:`MastodonUnavailable` when the attempts are used up,
        :class:`MastodonRequestError` for a 4xx and :class:`SourceError` for credentials.
        """
        policy = backoff or self.backoff
        counts: dict[FailureKind, int] = {"network": 0, "http": 0, "too_many": 0}
        attempts = 0
        kind: FailureKind
        while True:
            if not patient and self.window is not None and self.window.remaining <= 0:
                left = self.window.reset - self.clock()
                if left > 0:
                    raise MastodonUnavailable(
                        f"mastodon: {what}: the rate limit of {self.host} is used up for "
                        f"{left:,.0f} s more: try again later"
                    )
            self._wait_for_window()
            attempts += 1
            self._local.last = None
            try:
                result = call(self.api)
            except MastodonRatelimitError as exc:
                kind, reason = "too_many", "429 Too Many Requests"
                if "Hit rate limit" not in str(exc):  # Mastodon.py misread the headers
                    reason = " ".join(str(exc).split())[:120]
            except MastodonUnauthorizedError as exc:
                raise SourceError(self.credential_message(401, what, self._detail(exc))) from None
            except MastodonServerError as exc:
                kind, reason = "http", f"{_status(exc)} {_reason(exc)}".strip()
            except MastodonNotFoundError as exc:
                detail = self._detail(exc)
                raise MastodonRequestError(
                    f"mastodon: {what} was not found on {self.host} (404): {detail}", 404, detail
                ) from None
            except MastodonAPIError as exc:
                status = _status(exc)
                if status is None:  # Mastodon.py could not decode the body
                    kind, reason = "network", "the response is not valid JSON"
                else:
                    detail = self._detail(exc)
                    if status == 403:
                        raise SourceError(self.credential_message(403, what, detail)) from None
                    raise MastodonRequestError(
                        f"mastodon: {what} was rejected ({status}): {detail}", status, detail
                    ) from None
            except MastodonNetworkError as exc:
                kind, reason = "network", _network_reason(exc)
            else:
                return self._reply(result)
            counts[kind] += 1
            if policy.max_attempts is not None and attempts >= policy.max_attempts:
                times = f"{attempts} times (last: {reason})" if attempts > 1 else f"({reason})"
                raise MastodonUnavailable(
                    f"mastodon: {what} failed {times}; "
                    f"{self.host} may be down, busy or unreachable: try again later"
                )
            delay = policy.delay(kind, counts[kind])
            wait = self._reset_wait() if kind == "too_many" else None
            if wait is not None and policy.honour_reset:
                delay = wait
            log.warning("mastodon: %s: %s; retrying in %.2f s", what, reason, delay)
            self._wait(f"Mastodon: {reason}; retrying", delay)
            if kind == "too_many":  # the wait above was the one for this window
                self.window = None

    def _reply(self, result: T) -> Reply[T]:
        response: requests.Response | None = getattr(self._local, "last", None)
        if response is None:  # nothing was asked (cannot happen with a real call)
            return Reply(result, None, "", {})
        return Reply(
            result, getattr(self._local, "data", None), response.url, dict(response.headers)
        )

    def _detail(self, exc: MastodonAPIError) -> str:
        """Mastodon's own ``{"error": "..."}`` text of the failed answer, in one line."""
        response: requests.Response | None = getattr(self._local, "last", None)
        text = ""
        try:
            body = response.json() if response is not None else None
        except ValueError:
            body = None
        if isinstance(body, dict) and isinstance(body.get("error"), str):
            text = body["error"]
        text = text or _reason(exc) or "no reason given"
        return " ".join(text.split())

    def _seen(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        """The session's response hook: keep the answer, its JSON and its rate-limit window.

        A successful answer's JSON is decoded here, once, and Mastodon.py is handed a
        skeleton of it (the same lists and keys, empty): it still reads the ``Link``
        paging from the headers, but skips casting every status into its own types,
        which costs about 25 ms a status (a second for each page of 40) for objects
        hubbub does not use.
        """
        self._local.last = response
        self._local.data = None
        self.note_window(response.headers)
        if response.status_code >= 400 or not response.content.strip():
            return
        try:
            data = response.json()
        except ValueError:
            return  # Mastodon.py reports it; request() retries it as a broken answer
        self._local.data = data
        skeleton = _skeleton(data)
        response.json = lambda **_: skeleton  # type: ignore[method-assign]

    # --- rate limits ---------------------------------------------------------------------

    def note_window(self, headers: Mapping[str, str]) -> None:
        """Remember ``X-RateLimit-Remaining``/``-Reset`` of an answer (any answer)."""
        remaining, reset = headers.get("X-RateLimit-Remaining"), headers.get("X-RateLimit-Reset")
        if remaining is None or reset is None:
            return
        try:
            when = codec.parse_datetime(reset).timestamp()
            self.window = _Window(int(remaining), when)
        except ValueError:
            log.warning("mastodon: ignoring unreadable rate-limit headers from %s", self.host)

    def _reset_wait(self) -> float | None:
        if self.window is None:
            return None
        return max(1.0, self.window.reset - self.clock() + 1.0)

    def _wait_for_window(self) -> None:
        window = self.window
        if window is None or window.remaining > 0:
            return
        wait = window.reset - self.clock() + 1.0  # a second's margin for clock skew
        if wait > 0:
            log.info("mastodon: rate limit of %s used up; waiting %.0f s", self.host, wait)
            self._wait("Mastodon rate limit used up; waiting for the reset", wait)
        self.window = None

    def _wait(self, why: str, seconds: float) -> None:
        if self.on_wait is not None:
            self.on_wait(why, seconds)
        self.sleep(seconds)

    def credential_message(self, status: int, what: str, detail: str) -> str:
        """The one line for a 401 or 403: which instance, what to do; the token masked."""
        if status == 401:
            return (
                f"mastodon: the access token ({mask(self.token)}) was refused by {self.host} "
                f"(401: {detail}): set HUBBUB_MASTODON_ACCESS_TOKEN to a current token "
                "(Preferences → Development → your application)"
            )
        return (
            f"mastodon: {what} is forbidden on {self.host} (403: {detail}): give the "
            "application the read and write scopes it needs, or ask the instance's admins"
        )


def _skeleton(data: Any) -> Any:
    """``data`` with every list emptied: what Mastodon.py needs to page, nothing to cast."""
    if isinstance(data, list):
        return []
    if isinstance(data, dict):
        return {k: [] if isinstance(v, list) else None for k, v in data.items()}
    return data


def _status(exc: MastodonAPIError) -> int | None:
    args = exc.args
    return args[1] if len(args) > 1 and isinstance(args[1], int) else None


def _reason(exc: MastodonAPIError) -> str:
    args = exc.args
    return str(args[2]) if len(args) > 2 and args[2] else ""


def _network_reason(exc: MastodonNetworkError) -> str:
    cause = str(exc).removeprefix("Could not complete request: ")
    for name in ("ReadTimeout", "ConnectTimeout", "ConnectionError", "ChunkedEncodingError"):
        if name in cause or name in repr(exc.__context__):
            return name
    return " ".join(cause.split())[:120] or type(exc).__name__


def configured(settings: Settings) -> bool:
    """Whether the settings name a Mastodon instance to use."""
    return bool(settings.mastodon_base_url.strip())


def client_from_settings(settings: Settings, **kwargs: Any) -> MastodonClient:
    """A client of ``HUBBUB_MASTODON_BASE_URL`` with ``HUBBUB_MASTODON_ACCESS_TOKEN`` if set.

    Raises :class:`SourceError` when no instance is configured.
    """
    if not configured(settings):
        raise SourceError(
            "mastodon: no instance: set HUBBUB_MASTODON_BASE_URL (e.g. https://mastodon.social) "
            "and HUBBUB_MASTODON_ACCESS_TOKEN"
        )
    token = settings.mastodon_access_token
    if token is not None and not token.get_secret_value().strip():
        token = None
    return MastodonClient(settings.mastodon_base_url.strip(), token, **kwargs)
