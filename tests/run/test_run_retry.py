"""Tests for engine.run.retry."""

from __future__ import annotations

import json
import random

import httpx
import pytest

import engine.run.retry as retry_module
from engine.run.retry import (
    Cause,
    Fatal,
    HttpStatus,
    MaybeSent,
    NotSent,
    Outcome,
    RetryDecision,
    RetryPolicy,
    RetryStats,
    classify_exception,
)

NO_JITTER = RetryPolicy(jitter="none")


def test_backoff_grows_exponentially_and_is_capped() -> None:
    policy = RetryPolicy(base_delay=0.5, max_delay=5.0, jitter="none")
    delays = [policy.delay_for(n, None) for n in range(1, 8)]
    assert delays == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0, 5.0]
    assert policy.delay_for(10_000, None) == 5.0


def test_full_jitter_stays_between_zero_and_the_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, max_delay=30.0)
    rng = random.Random(7)
    samples = [policy.delay_for(4, None, rng) for _ in range(500)]
    assert all(0.0 <= d <= 8.0 for d in samples)
    assert max(samples) > 6.0 and min(samples) < 2.0


def test_equal_jitter_keeps_at_least_half_the_ceiling() -> None:
    policy = RetryPolicy(base_delay=1.0, jitter="equal")
    rng = random.Random(3)
    assert all(4.0 <= policy.delay_for(4, None, rng) <= 8.0 for _ in range(200))


def test_retry_after_is_honoured_and_capped() -> None:
    policy = RetryPolicy(retry_after_cap=60.0)
    assert policy.delay_for(1, 7.0) == 7.0
    assert policy.delay_for(1, 119.0) == 60.0
    assert policy.delay_for(1, -3.0) == 0.0
    decision = RetryPolicy(max_total=1000).should_retry(
        HttpStatus(429, retry_after=119.0), attempt=1, elapsed=0.0, idempotent=False
    )
    assert decision == RetryDecision(True, 119.0, decision.reason)
    assert "Retry-After" in decision.reason


def test_attempts_are_bounded() -> None:
    policy = RetryPolicy(max_attempts=3, jitter="none")
    assert policy.should_retry(503, attempt=2, elapsed=0.0, idempotent=True).retry
    decision = policy.should_retry(503, attempt=3, elapsed=0.0, idempotent=True)
    assert not decision.retry
    assert "3 attempts" in decision.reason


def test_total_time_is_bounded() -> None:
    policy = RetryPolicy(max_total=10.0, jitter="none", base_delay=4.0)
    assert policy.should_retry(503, attempt=1, elapsed=5.0, idempotent=True).retry
    decision = policy.should_retry(503, attempt=1, elapsed=7.0, idempotent=True)
    assert not decision.retry
    assert decision.delay == 0.0
    long_wait = policy.should_retry(HttpStatus(429, retry_after=60), 1, 0.0, idempotent=True)
    assert not long_wait.retry


def test_429_is_retried_even_for_non_idempotent_requests() -> None:
    decision = NO_JITTER.should_retry(429, attempt=1, elapsed=0.0, idempotent=False)
    assert decision.retry
    assert decision.delay == 0.5


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_5xx_is_not_retried_for_non_idempotent_requests(status: int) -> None:
    decision = NO_JITTER.should_retry(status, attempt=1, elapsed=0.0, idempotent=False)
    assert not decision.retry
    assert "may have been applied" in decision.reason


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
def test_5xx_is_retried_for_idempotent_requests(status: int) -> None:
    assert NO_JITTER.should_retry(status, attempt=1, elapsed=0.0, idempotent=True).retry


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422, 501])
def test_other_statuses_are_never_retried(status: int) -> None:
    assert not NO_JITTER.should_retry(status, attempt=1, elapsed=0.0, idempotent=True).retry


@pytest.mark.parametrize(
    "cause",
    [Cause.READ_TIMEOUT, Cause.WRITE_TIMEOUT, Cause.CONNECTION_DROPPED, Cause.MALFORMED_BODY],
)
def test_ambiguous_failures_are_not_retried_for_non_idempotent_requests(cause: Cause) -> None:
    assert not NO_JITTER.should_retry(MaybeSent(cause), 1, 0.0, idempotent=False).retry
    assert NO_JITTER.should_retry(MaybeSent(cause), 1, 0.0, idempotent=True).retry


@pytest.mark.parametrize("cause", [Cause.CONNECT_ERROR, Cause.CONNECT_TIMEOUT, Cause.POOL_TIMEOUT])
def test_connect_errors_are_retried_even_for_non_idempotent_requests(cause: Cause) -> None:
    decision = NO_JITTER.should_retry(NotSent(cause), 2, 0.0, idempotent=False)
    assert decision.retry
    assert decision.delay == 1.0


def test_fatal_outcomes_are_never_retried() -> None:
    assert not NO_JITTER.should_retry(Fatal(), 1, 0.0, idempotent=True).retry


def test_policy_validates_its_settings() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(base_delay=-1)
    with pytest.raises(ValueError):
        RetryPolicy(jitter="sometimes")  # type: ignore[arg-type]


def _request() -> httpx.Request:
    return httpx.Request("POST", "https://connect.mailerlite.com/api/subscribers")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (httpx.ConnectError("refused"), NotSent(Cause.CONNECT_ERROR)),
        (httpx.ConnectTimeout("slow"), NotSent(Cause.CONNECT_TIMEOUT)),
        (httpx.PoolTimeout("busy"), NotSent(Cause.POOL_TIMEOUT)),
        (httpx.ReadTimeout("slow"), MaybeSent(Cause.READ_TIMEOUT)),
        (httpx.WriteTimeout("slow"), MaybeSent(Cause.WRITE_TIMEOUT)),
        (httpx.RemoteProtocolError("peer closed"), MaybeSent(Cause.CONNECTION_DROPPED)),
        (httpx.ReadError("reset"), MaybeSent(Cause.CONNECTION_DROPPED)),
        (httpx.WriteError("broken pipe"), MaybeSent(Cause.CONNECTION_DROPPED)),
        (httpx.DecodingError("bad gzip"), MaybeSent(Cause.MALFORMED_BODY)),
        (json.JSONDecodeError("Expecting value", "<html>", 0), MaybeSent(Cause.MALFORMED_BODY)),
        (httpx.UnsupportedProtocol("ftp"), Fatal(Cause.PROGRAMMING_ERROR, "UnsupportedProtocol")),
        (KeyError("x"), Fatal(Cause.PROGRAMMING_ERROR, "KeyError")),
    ],
)
def test_classify_exception_maps_httpx_errors(exc: BaseException, expected: Outcome) -> None:
    assert classify_exception(exc) == expected


def test_classify_exception_reads_the_status_of_http_status_errors() -> None:
    response = httpx.Response(503, request=_request())
    exc = httpx.HTTPStatusError("boom", request=_request(), response=response)
    assert classify_exception(exc) == HttpStatus(503)


def test_httpx_is_imported_only_inside_classify_exception() -> None:
    assert "httpx" not in vars(retry_module)


def test_retry_stats_count_retries_per_reason() -> None:
    stats = RetryStats()
    policy = NO_JITTER
    for outcome in (HttpStatus(429), HttpStatus(429), NotSent()):
        stats.record_attempt()
        stats.record(outcome, policy.should_retry(outcome, 1, 0.0, idempotent=False))
    stats.record(503, policy.should_retry(503, 1, 0.0, idempotent=False))
    snap = stats.snapshot()
    assert snap["attempts"] == 3
    assert snap["retries"] == {"status_429": 2, "connect_error": 1}
    assert snap["gave_up"] == {"status_503": 1}
    assert stats.retries_total == 3
    assert snap["total_delay"] == 1.5
