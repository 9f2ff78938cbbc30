"""The one retry policy, the cooldown, the Deezer pacer and log redaction, with a fake clock."""

from __future__ import annotations

import logging
from collections.abc import Callable

import httpx
import pytest

from tests.providers.fakes import FakeClock
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
)
from worker.providers.http import (
    RetryPolicy,
    SlidingWindowPacer,
    backoff_delay,
    error_for_status,
    install_log_redaction,
    is_idempotent,
    parse_retry_after,
    redact,
    send,
)

SETTINGS = RetrySettings(
    max_attempts=4, retry_after_cap_s=60, backoff_base_s=0.5, backoff_max_s=20, timeout_s=10
)


def failing(*errors: Exception, result: str = "ok") -> Callable[[], str]:
    """A request that raises `errors` in turn, then returns `result`; counts its calls."""
    queue = list(errors)

    def request() -> str:
        request.calls += 1  # type: ignore[attr-defined]
        if queue:
            raise queue.pop(0)
        return result

    request.calls = 0  # type: ignore[attr-defined]
    return request


def policy(clock: FakeClock, rng: Callable[[], float] = lambda: 1.0, **changes: float) -> RetryPolicy:
    return RetryPolicy(SETTINGS.model_copy(update=changes), clock=clock, sleep=clock.sleep, rng=rng)


def test_retry_after_is_honoured_then_the_call_succeeds() -> None:
    clock = FakeClock()
    request = failing(RateLimited("spotify", "slow down", retry_after=7))
    assert policy(clock).call("spotify", "search", request) == "ok"
    assert clock.waits == [7]
    assert request.calls == 2  # type: ignore[attr-defined]


def test_retry_after_beyond_the_cap_gives_up_at_once() -> None:
    clock = FakeClock()
    request = failing(RateLimited("spotify", "slow down", retry_after=3600))
    with pytest.raises(RateLimited, match="retry_after_cap_s") as raised:
        policy(clock).call("spotify", "search", request)
    assert raised.value.retry_after == 3600
    assert clock.waits == []
    assert request.calls == 1  # type: ignore[attr-defined]


def test_cooldown_stops_other_calls_to_the_same_service_only() -> None:
    clock = FakeClock()
    retry = policy(clock)
    with pytest.raises(RateLimited):
        retry.call("spotify", "search", failing(RateLimited("spotify", "x", retry_after=600)))
    later = failing()
    with pytest.raises(RateLimited, match="another 600 s"):
        retry.call("spotify", "search", later)
    assert later.calls == 0  # type: ignore[attr-defined]
    assert retry.call("deezer", "search", failing()) == "ok"
    clock.now += 600
    assert retry.call("spotify", "search", later) == "ok"


def test_short_cooldown_delays_the_next_call_instead_of_failing_it() -> None:
    clock = FakeClock()
    retry = policy(clock, max_attempts=1)
    with pytest.raises(RateLimited):
        retry.call("spotify", "search", failing(RateLimited("spotify", "x", retry_after=5)))
    assert retry.call("spotify", "search", failing()) == "ok"
    assert clock.waits == [5]


def test_backoff_grows_exponentially_and_is_capped() -> None:
    assert [backoff_delay(n, 0.5, 20, 1.0) for n in range(1, 8)] == [0.5, 1, 2, 4, 8, 16, 20]


@pytest.mark.parametrize("draw", [0.001, 0.25, 0.999])
def test_full_jitter_stays_between_zero_and_the_exponential(draw: float) -> None:
    clock = FakeClock()
    errors = [ProviderUnavailable("apple", "HTTP 503")] * 3
    assert policy(clock, rng=lambda: draw).call("apple", "search", failing(*errors)) == "ok"
    assert clock.waits == pytest.approx([draw * 0.5, draw * 1.0, draw * 2.0])
    assert all(0 <= wait <= 2.0 for wait in clock.waits)


def test_attempts_are_bounded() -> None:
    clock = FakeClock()
    request = failing(*[ProviderUnavailable("deezer", "HTTP 502")] * 10)
    with pytest.raises(ProviderUnavailable):
        policy(clock).call("deezer", "search", request)
    assert request.calls == 4  # type: ignore[attr-defined]
    assert len(clock.waits) == 3


def test_apple_429_without_retry_after_backs_off() -> None:
    clock = FakeClock()
    request = failing(RateLimited("apple", "HTTP 429", retry_after=None))
    assert policy(clock, rng=lambda: 0.5).call("apple", "search", request) == "ok"
    assert clock.waits == [0.25]
    assert policy(clock).cooldown_left("apple") == 0


@pytest.mark.parametrize(
    "error",
    [
        NotFound("spotify", "x"),
        AuthError("spotify", "x"),
        PolicyError("spotify", "x"),
        ProviderError("spotify", "x"),
    ],
)
def test_only_transient_errors_are_retried(error: ProviderError) -> None:
    clock = FakeClock()
    request = failing(error)
    with pytest.raises(type(error)):
        policy(clock).call("spotify", "lookup", request)
    assert request.calls == 1  # type: ignore[attr-defined]
    assert clock.waits == []


@pytest.mark.parametrize(
    "error",
    [
        ProviderUnavailable("spotify", "request timed out after 0.2 s"),
        ProviderUnavailable("spotify", "HTTP 503: Service unavailable"),
        ProviderUnavailable("spotify", "connection failed (RemoteDisconnected)"),
    ],
    ids=["timeout", "5xx", "dropped"],
)
def test_a_create_whose_outcome_is_unknown_is_attempted_once(error: ProviderUnavailable) -> None:
    clock = FakeClock()
    request = failing(error)
    with pytest.raises(OutcomeUnknown) as raised:
        policy(clock).call("spotify", "playlist_write", request, idempotent=False)
    assert isinstance(raised.value, ProviderUnavailable) and raised.value.service == "spotify"
    assert error.message in raised.value.message
    assert "may have applied it" in raised.value.message and "Run again" in raised.value.message
    assert request.calls == 1  # type: ignore[attr-defined]
    assert clock.waits == []


def test_a_rate_limited_create_is_retried_after_the_wait() -> None:
    clock = FakeClock()
    request = failing(RateLimited("spotify", "HTTP 429", retry_after=7))
    assert policy(clock).call("spotify", "playlist_write", request, idempotent=False) == "ok"
    assert request.calls == 2  # type: ignore[attr-defined]
    assert clock.waits == [7]


def test_an_append_never_sent_is_retried_with_backoff() -> None:
    clock = FakeClock()
    request = failing(NotSent("apple", "connection failed before sending (ConnectError)"))
    assert policy(clock).call("apple", "playlist_write", request, idempotent=False) == "ok"
    assert request.calls == 2  # type: ignore[attr-defined]
    assert clock.waits == [0.5]


def test_a_timed_out_read_is_retried() -> None:
    clock = FakeClock()
    request = failing(ProviderUnavailable("deezer", "request timed out after 10 s"))
    assert policy(clock).call("deezer", "playlist_read", request) == "ok"
    assert request.calls == 2  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("method", "idempotent"),
    [("GET", True), ("put", True), ("DELETE", True), ("HEAD", True), ("POST", False), ("PATCH", False)],
)
def test_idempotent_methods(method: str, idempotent: bool) -> None:
    assert is_idempotent(method) is idempotent


def test_retries_are_logged_at_info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="worker.providers.http")
    policy(FakeClock()).call("deezer", "search", failing(ProviderUnavailable("deezer", "HTTP 503")))
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "deezer search failed (HTTP 503)" in caplog.text


def test_pacer_keeps_at_most_n_starts_in_any_window() -> None:
    clock = FakeClock()
    pacer = SlidingWindowPacer(50, 5.0, clock=clock, sleep=clock.sleep)
    starts = []
    for _ in range(420):
        pacer.wait_turn()
        starts.append(clock.now)
        clock.now += 0.01  # the request itself takes a little time
    for index, start in enumerate(starts):
        assert sum(1 for s in starts[index:] if s < start + 5.0) <= 50
    assert starts[-1] - starts[0] < 420 / 50 * 5.0 + 5.0  # it waits no longer than needed


def test_pacer_does_not_wait_under_the_quota() -> None:
    clock = FakeClock()
    pacer = SlidingWindowPacer(50, 5.0, clock=clock, sleep=clock.sleep)
    for _ in range(50):
        pacer.wait_turn()
    assert clock.waits == []
    pacer.wait_turn()
    assert clock.waits == [5.0]


@pytest.mark.parametrize(
    ("status", "kind"),
    [
        (429, RateLimited),
        (500, ProviderUnavailable),
        (503, ProviderUnavailable),
        (401, AuthError),
        (403, PolicyError),
        (404, NotFound),
        (400, ProviderError),
    ],
)
def test_status_codes_map_into_the_tree(status: int, kind: type[ProviderError]) -> None:
    error = error_for_status("spotify", status, "text")
    assert type(error) is kind
    assert error.message == f"HTTP {status}: text"


@pytest.mark.parametrize(
    ("value", "seconds"), [("5", 5.0), (" 12 ", 12.0), ("-3", 0.0), ("soon", None), (None, None)]
)
def test_retry_after_header_parsing(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_transport_failures_become_provider_unavailable() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    def stall(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("slow", request=request)

    def drop(request: httpx.Request) -> httpx.Response:
        raise httpx.RemoteProtocolError("peer closed the connection", request=request)

    cases = [(refuse, "connection failed before sending", True), (stall, "timed out", False)]
    cases += [(drop, "connection failed", False)]
    for handler, text, not_sent in cases:
        with (
            httpx.Client(transport=httpx.MockTransport(handler)) as client,
            pytest.raises(ProviderUnavailable, match=text) as raised,
        ):
            send(client, "deezer", "GET", "http://127.0.0.1/x?access_token=SECRET", timeout_s=1)
        assert "SECRET" not in str(raised.value)
        assert isinstance(raised.value, NotSent) is not_sent  # only a refused connection is safe to repeat


def test_redaction_hides_known_secrets_and_token_shapes() -> None:
    text = "GET /x?access_token=abc&q=1 Authorization: Bearer eyJ.x.y body refresh_token=rt1 key KEYVALUE"
    cleaned = redact(text, ["KEYVALUE"])
    for secret in ("abc", "eyJ.x.y", "rt1", "KEYVALUE"):
        assert secret not in cleaned
    assert "q=1" in cleaned


def test_installed_redaction_cleans_client_library_logs(caplog: pytest.LogCaptureFixture) -> None:
    install_log_redaction(["hunter2-secret"])
    caplog.set_level(logging.DEBUG)
    logging.getLogger("httpx").info("HTTP Request: GET %s", "http://127.0.0.1/?access_token=hunter2-secret")
    assert "hunter2-secret" not in caplog.text
    assert "access_token=[redacted]" in caplog.text
