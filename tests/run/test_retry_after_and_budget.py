"""`Retry-After` is waited as the provider states it, and the time budget covers pacing.

A `Retry-After: 1` that comes with `X-RateLimit-Remaining: 0` is a wait of 1 s, not a whole
window; the HTTP-date form is measured on the engine's clock; a request answered 429 forever
ends within `RetryPolicy.max_total` with `rate_limited`, counting retry delays and rate-limit
pacing alike. All on the fake clock.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import format_datetime

import anyio
import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import RateLimitedError
from engine.run.clock import FakeClock
from engine.run.retry import RetryPolicy

PAGE = {"data": [], "meta": {"next_cursor": None}, "links": {"next": None}}


def _connect(
    clock: FakeClock, answer: httpx.MockTransport, policy: RetryPolicy | None = None
) -> Connection:
    engine = Engine.load(clock=clock, retry_policy=policy or RetryPolicy(base_delay=0.01))
    return engine.connect(
        "mailerlite", credentials={"api_key": "k"}, transport=answer, account_key="acc"
    )


def _replies(*responses: httpx.Response) -> httpx.MockTransport:
    answers = iter(responses)
    return httpx.MockTransport(lambda request: next(answers))


def _limited(retry_after: str) -> httpx.Response:
    headers = {"Retry-After": retry_after, "X-RateLimit-Remaining": "0"}
    return httpx.Response(429, headers=headers, json={"message": "Too Many Attempts."})


def test_retry_after_one_with_nothing_remaining_is_a_one_second_wait() -> None:
    """A 429 with `Retry-After: 1` and `X-RateLimit-Remaining: 0` is retried after 1 s."""
    clock = FakeClock()
    connection = _connect(clock, _replies(_limited("1"), httpx.Response(200, json=PAGE)))
    connection.contacts.list(limit=10)
    assert clock.total_slept == pytest.approx(1.0)


def test_retry_after_on_a_success_paces_the_next_request_as_stated() -> None:
    """A 200 saying `Retry-After: 2`, nothing remaining, delays the next request 2 s."""
    clock = FakeClock()
    headers = {"Retry-After": "2", "X-RateLimit-Remaining": "0"}
    answers = _replies(
        httpx.Response(200, headers=headers, json=PAGE), httpx.Response(200, json=PAGE)
    )
    connection = _connect(clock, answers)
    connection.contacts.list(limit=10)
    connection.contacts.list(limit=10)
    assert clock.total_slept == pytest.approx(2.0)


def test_retry_after_as_an_http_date_is_measured_on_the_engine_clock() -> None:
    """`Retry-After: <HTTP-date>` 5 s after the clock's now is a 5 s wait."""
    clock = FakeClock()
    when = format_datetime(datetime.fromtimestamp(clock.time() + 5, UTC), usegmt=True)
    connection = _connect(clock, _replies(_limited(when), httpx.Response(200, json=PAGE)))
    connection.contacts.list(limit=10)
    assert clock.total_slept == pytest.approx(5.0, abs=1.0)


@pytest.mark.parametrize("retry_after", ["1", "30", "60", "119", "3600"])
def test_a_request_answered_429_forever_ends_within_its_budget(retry_after: str) -> None:
    """However many attempts the policy allows, a 429 that never ends is `rate_limited`
    within `max_total` seconds (pacing waits included), never past it."""
    clock = FakeClock()
    forever = httpx.MockTransport(lambda request: _limited(retry_after))
    policy = RetryPolicy(max_attempts=1000, max_total=120.0)
    connection = _connect(clock, forever, policy)
    with pytest.raises(RateLimitedError):
        connection.contacts.list(limit=10)
    assert clock.monotonic() <= 120.0


def test_async_requests_answered_429_forever_end_within_their_budget() -> None:
    """The async sender keeps the same budget."""
    clock = FakeClock()
    forever = httpx.MockTransport(lambda request: _limited("45"))
    engine = Engine.load(clock=clock, retry_policy=RetryPolicy(max_attempts=1000))

    async def run() -> None:
        async with engine.aconnect(
            "mailerlite", credentials={"api_key": "k"}, transport=forever, account_key="a"
        ) as connection:
            with pytest.raises(RateLimitedError):
                await connection.contacts.list(limit=10)

    anyio.run(run)
    assert clock.monotonic() <= 120.0
