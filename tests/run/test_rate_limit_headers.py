"""Server rate-limit headers under any names: remaining/limit/reset (`reset_unit`), and 429s
without a Retry-After (the synthetic `throttled` provider: `X-Quota-Left`, `X-Quota-Reset` in
epoch milliseconds, `X-Wait` as its Retry-After)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from engine.api import Connection, Engine
from engine.errors import UnimapError
from engine.run.clock import FakeClock
from engine.run.feedback import parse_reset
from engine.run.retry import RetryPolicy

PROVIDERS = Path(__file__).parent / "providers"
OK = httpx.Response(200, json={"data": {"id": 1, "name": "L"}})


def _connect(
    clock: FakeClock, answers: list[httpx.Response], policy: RetryPolicy | None = None
) -> Connection:
    replies = iter(answers)

    def answer(request: httpx.Request) -> httpx.Response:
        return next(replies)

    engine = Engine.load(PROVIDERS, clock=clock, retry_policy=policy or RetryPolicy())
    return engine.connect(
        "throttled", {"api_key": "k"}, transport=httpx.MockTransport(answer), account_key="acc"
    )


def _reset_in(clock: FakeClock, seconds: float) -> str:
    return str(int((clock.time() + seconds) * 1000))


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        ("30", "seconds", 30.0),
        ("1767225630", "epoch_seconds", 30.0),
        ("1767225630500", "epoch_ms", 30.5),
        ("1767225500", "epoch_seconds", 0.0),
        ("soon", "seconds", None),
        ("-3", "seconds", None),
        (None, "epoch_ms", None),
    ],
)
def test_reset_values_are_read_in_their_declared_unit(
    value: str | None, unit: str, expected: float | None
) -> None:
    assert parse_reset(value, unit, now_epoch=1_767_225_600.0) == expected  # type: ignore[arg-type]


def test_a_429_without_retry_after_is_retried_when_the_window_resets() -> None:
    clock = FakeClock()
    limited = httpx.Response(
        429, headers={"X-Quota-Left": "0", "X-Quota-Reset": _reset_in(clock, 7)}
    )
    connection = _connect(clock, [limited, OK])

    assert connection.lists.get("1")["id"] == "1"
    assert clock.total_slept == pytest.approx(7.0, abs=0.01)
    assert connection.stats.snapshot()["retries"] == {"status_429": 1}


def test_the_declared_retry_after_header_wins_over_the_reset_time() -> None:
    clock = FakeClock()
    limited = httpx.Response(
        429, headers={"X-Wait": "2", "X-Quota-Left": "5", "X-Quota-Reset": _reset_in(clock, 40)}
    )
    connection = _connect(clock, [limited, OK])

    connection.lists.get("1")

    assert clock.total_slept == pytest.approx(2.0, abs=0.01)


def test_an_exhausted_window_pauses_the_next_request_until_the_reset() -> None:
    clock = FakeClock()
    last = httpx.Response(
        200,
        json={"data": {"id": 1, "name": "L"}},
        headers={"X-Quota-Left": "0", "X-Quota-Reset": _reset_in(clock, 30)},
    )
    connection = _connect(clock, [last, OK])

    connection.lists.get("1")
    assert clock.total_slept == 0
    connection.lists.get("1")

    assert clock.total_slept == pytest.approx(30.0, abs=0.01)


def _backoff_policy() -> RetryPolicy:
    return RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=1.0, max_total=60.0)


def test_a_bare_429_is_retried_with_bounded_jittered_backoff() -> None:
    clock = FakeClock()
    connection = _connect(clock, [httpx.Response(429), httpx.Response(429), OK], _backoff_policy())

    assert connection.lists.get("1")["id"] == "1"
    first, second = clock.sleeps
    assert 0 <= first <= 0.5
    assert 0 <= second <= 1.0


def test_a_bare_429_that_never_ends_gives_up_after_max_attempts() -> None:
    clock = FakeClock()
    answers: Callable[[], list[httpx.Response]] = lambda: [httpx.Response(429)] * 10  # noqa: E731
    connection = _connect(clock, answers(), _backoff_policy())

    with pytest.raises(UnimapError) as caught:
        connection.lists.get("1")

    assert caught.value.error == "rate_limited"
    assert connection.stats.snapshot()["attempts"] == 4
    assert len(clock.sleeps) == 3
    assert all(0 <= s <= 1.0 for s in clock.sleeps)


def test_the_simulators_fake_clock_gives_the_engine_the_same_wall_time() -> None:
    from datetime import UTC, datetime

    from simulators.core.clock import FakeClock as SimulatorClock

    clock = SimulatorClock(datetime(2025, 6, 1, tzinfo=UTC))
    clock.advance(90)

    assert clock.time() == clock.utcnow().timestamp()
