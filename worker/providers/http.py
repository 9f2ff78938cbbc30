"""The one retry policy every adapter uses, plus request pacing, HTTP helpers and log redaction.

Adapters translate every failure into `worker.errors` first; this module then decides what to do with
`TransientError`s only:

- `RateLimited(retry_after)`: wait that long when it is at most `retry.retry_after_cap_s`, otherwise give up
  at once (spotipy's habit of sleeping for an hour is exactly what we avoid). The wait also starts a
  per-service *cooldown*: no further call to that service starts before it is over.
- `RateLimited(None)` (Apple sends no Retry-After) and `ProviderUnavailable` (5xx, timeouts, dropped
  connections): exponential backoff with full jitter, `random() * min(backoff_max_s, base * 2**(n-1))`.
- At most `retry.max_attempts` attempts per call, the first included.
- A call that is not idempotent (a playlist create, an add or append: each attempt that lands changes the
  playlist again) is repeated only when it certainly did not take effect: after `RateLimited` (the service
  refused it) or `NotSent` (no connection was made). After a timeout, a 5xx or a dropped connection its
  outcome is unknown, so it fails at once with `OutcomeUnknown` instead of risking a second playlist or a
  doubled track. `is_idempotent(method)` says which HTTP methods may always be repeated.

Time comes in as `clock` (monotonic seconds) and `sleep`, randomness as `rng`, so tests never wait.
"""

from __future__ import annotations

import logging
import random
import re
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

import httpx

from worker import __version__
from worker.config import RetrySettings
from worker.errors import (
    AuthError,
    NotFound,
    NotSent,
    OutcomeUnknown,
    PolicyError,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TransientError,
)

Clock = Callable[[], float]
Sleep = Callable[[float], None]
Rng = Callable[[], float]
T = TypeVar("T")
IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""HTTP methods whose repetition leaves the same result as one request (RFC 9110, section 9.2.2)."""

log = logging.getLogger(__name__)
USER_AGENT = f"playlist-worker/{__version__}"
REDACTED = "[redacted]"
CLIENT_LOGGERS = ("httpx", "urllib3.connectionpool", "spotipy.client", "spotipy.oauth2")
TOKEN_PATTERNS = (
    re.compile(r"(?i)(bearer\s+|basic\s+)[A-Za-z0-9._~+/=-]+"),
    re.compile(r"(?i)((?:access_token|refresh_token|code)['\"]?\s*[=:]\s*['\"]?)[^&\s'\",}]+"),
)


def is_idempotent(method: str) -> bool:
    """True when repeating an HTTP `method` cannot change more than one request did."""
    return method.upper() in IDEMPOTENT_METHODS


def backoff_delay(attempt: int, base_s: float, max_s: float, draw: float) -> float:
    """Full-jitter backoff before attempt `attempt + 1`: `draw` (0..1) times the capped exponential."""
    return draw * min(max_s, base_s * 2.0 ** (attempt - 1))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a `Retry-After` header; None when absent or not a number of seconds."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return max(seconds, 0.0)


class RetryPolicy:
    """Runs one service call with bounded retries, Retry-After handling and a per-service cooldown."""

    def __init__(
        self, settings: RetrySettings, *, clock: Clock, sleep: Sleep, rng: Rng = random.random
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._rng = rng
        self._cooldown_until: dict[str, float] = {}

    def call(self, service: str, what: str, request: Callable[[], T], *, idempotent: bool = True) -> T:
        """Run `request` (which raises only `worker.errors`) until it succeeds or retrying is pointless.

        With `idempotent=False` a failure that may have taken effect raises `OutcomeUnknown` at once.
        """
        attempt = 1
        while True:
            self._wait_for_cooldown(service)
            try:
                return request()
            except TransientError as exc:
                if not idempotent and not certainly_not_applied(exc):
                    raise outcome_unknown(what, exc) from exc
                delay = self._delay_before_retry(service, exc, attempt)
                log.info("%s %s failed (%s); attempt %d, retrying", service, what, exc.message, attempt)
                if delay > 0:
                    self._sleep(delay)
            attempt += 1

    def cooldown_left(self, service: str) -> float:
        """Seconds until calls to `service` may start again (0 when none is pending)."""
        return max(0.0, self._cooldown_until.get(service, 0.0) - self._clock())

    def _delay_before_retry(self, service: str, exc: TransientError, attempt: int) -> float:
        """How long to wait before the next attempt; re-raises when the call should not be retried."""
        if isinstance(exc, RateLimited) and exc.retry_after is not None:
            self._start_cooldown(service, exc, exc.retry_after)
            if attempt >= self.settings.max_attempts:
                raise exc
            return 0.0  # the cooldown does the waiting, for this call and every other one
        if attempt >= self.settings.max_attempts:
            raise exc
        return backoff_delay(attempt, self.settings.backoff_base_s, self.settings.backoff_max_s, self._rng())

    def _start_cooldown(self, service: str, exc: RateLimited, retry_after: float) -> None:
        until = self._clock() + retry_after
        self._cooldown_until[service] = max(until, self._cooldown_until.get(service, 0.0))
        if retry_after > self.settings.retry_after_cap_s:
            raise self._too_long(service, retry_after) from exc

    def _wait_for_cooldown(self, service: str) -> None:
        left = self.cooldown_left(service)
        if left <= 0:
            return
        if left > self.settings.retry_after_cap_s:
            raise self._too_long(service, left)
        log.info("%s is rate limited; waiting %.1f s before the next call", service, left)
        self._sleep(left)

    def _too_long(self, service: str, seconds: float) -> RateLimited:
        return RateLimited(
            service,
            f"rate limited for another {seconds:.0f} s, longer than retry.retry_after_cap_s "
            f"({self.settings.retry_after_cap_s:.0f} s); run again later",
            retry_after=seconds,
        )


def certainly_not_applied(exc: TransientError) -> bool:
    """True when the failed request cannot have changed anything: refused by rate limit, or never sent."""
    return isinstance(exc, RateLimited | NotSent)


def outcome_unknown(what: str, exc: TransientError) -> OutcomeUnknown:
    return OutcomeUnknown(
        exc.service,
        f"{what} failed ({exc.message}); the service may have applied it anyway, so it was not repeated "
        "(a repeat could duplicate it). Run again to reconcile",
    )


class SlidingWindowPacer:
    """Keeps to at most `max_requests` request starts in any `window_s` seconds (a rolling window)."""

    def __init__(self, max_requests: int, window_s: float, *, clock: Clock, sleep: Sleep) -> None:
        self.max_requests = max_requests
        self.window_s = window_s
        self._clock = clock
        self._sleep = sleep
        self._starts: deque[float] = deque()

    def wait_turn(self) -> None:
        """Block (through `sleep`) until one more request fits in the window, then record it."""
        now = self._clock()
        self._forget_before(now - self.window_s)
        if len(self._starts) >= self.max_requests:
            free_at = self._starts[0] + self.window_s
            self._sleep(free_at - now)
            now = max(self._clock(), free_at)
            self._forget_before(now - self.window_s)
        self._starts.append(now)

    def _forget_before(self, horizon: float) -> None:
        while self._starts and self._starts[0] <= horizon:
            self._starts.popleft()


def new_http_client(timeout_s: float) -> httpx.Client:
    """The httpx client adapters share: explicit timeout, our User-Agent, no automatic redirects."""
    return httpx.Client(timeout=timeout_s, headers={"User-Agent": USER_AGENT}, follow_redirects=False)


def send(
    client: httpx.Client, service: str, method: str, url: str, *, timeout_s: float, **kwargs: Any
) -> httpx.Response:
    """One HTTP request; transport failures become `ProviderUnavailable` (the URL is never quoted), and
    `NotSent` when no connection was made."""
    try:
        return client.request(method, url, timeout=timeout_s, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
        raise NotSent(service, f"connection failed before sending ({type(exc).__name__})") from exc
    except httpx.TimeoutException as exc:
        raise ProviderUnavailable(service, f"request timed out after {timeout_s:g} s") from exc
    except httpx.TransportError as exc:
        raise ProviderUnavailable(service, f"connection failed ({type(exc).__name__})") from exc


def error_for_status(
    service: str, status: int, message: str, *, retry_after: float | None = None, auth_hint: str = ""
) -> ProviderError:
    """Our error for an HTTP error status; `message` must come from the service's error text only."""
    text = f"HTTP {status}: {message}" if message else f"HTTP {status}"
    if status == 429:
        return RateLimited(service, text, retry_after=retry_after)
    if status >= 500:
        return ProviderUnavailable(service, text)
    if status == 401:
        return AuthError(service, text, hint=auth_hint)
    if status == 403:
        return PolicyError(service, text)
    if status == 404:
        return NotFound(service, text)
    return ProviderError(service, text)


class SecretRedactor(logging.Filter):
    """Replaces secret values in log records of the HTTP client libraries (URLs carry Deezer's token)."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__("playlist-worker-redactor")
        self.secrets = sorted({s for s in secrets if len(s) >= 4}, key=len, reverse=True)

    def filter(self, record: logging.LogRecord) -> bool:
        text = record.getMessage()
        redacted = redact(text, self.secrets)
        if redacted != text:
            record.msg, record.args = redacted, ()
        return True


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every known secret value and every bearer/basic credential or token parameter hidden."""
    for secret in secrets:
        text = text.replace(secret, REDACTED)
    for pattern in TOKEN_PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + REDACTED, text)
    return text


def install_log_redaction(secrets: Iterable[str], loggers: Iterable[str] = CLIENT_LOGGERS) -> None:
    """Attach one `SecretRedactor` to each client-library logger, replacing any installed before."""
    redactor = SecretRedactor(secrets)
    for name in loggers:
        target = logging.getLogger(name)
        for old in [f for f in target.filters if isinstance(f, SecretRedactor)]:
            target.removeFilter(old)
        target.addFilter(redactor)


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A header value, case-insensitively, from any mapping (requests and httpx headers included)."""
    if not headers:
        return None
    wanted = name.lower()
    return next((value for key, value in headers.items() if key.lower() == wanted), None)
