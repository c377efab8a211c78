"""The `RateLimiter` contract, checked against the in-memory limiter and the Redis one
(`engine.run.redis_ratelimit`, on the test server), plus `BucketSpec` and `Retry-After`."""

from __future__ import annotations

import asyncio
import threading
from bisect import bisect_left
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from itertools import count
from typing import Any

import pytest

from engine.http_headers import parse_retry_after
from engine.run.clock import FakeClock
from engine.run.ratelimit import BucketSpec, InMemoryRateLimiter, RateLimiter
from engine.run.redis_ratelimit import RedisRateLimiter
from tests.services import redis_client, redis_prefix

P = 60.0
GENERAL = BucketSpec("general", 120, P)
IMPORTS = BucketSpec("imports", 5, P)


def max_in_any_window(times: Sequence[float], period: float) -> int:
    """The largest number of `times` inside any half-open window of length `period`.

    A nanosecond of tolerance absorbs float round-off at the window edges.
    """
    ordered = sorted(times)
    best = 0
    for i, start in enumerate(ordered):
        best = max(best, bisect_left(ordered, start + period - 1e-6) - i)
    return best


class Recorder:
    """An `on_grant` hook collecting grant times, thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: list[float] = []

    def __call__(self, key: str, buckets: tuple[str, ...], at: float) -> None:
        with self.lock:
            self.times.append(at)


MakeLimiter = Callable[..., Any]


@pytest.fixture(params=["memory", "redis"])
def make_limiter(request: pytest.FixtureRequest) -> Iterator[MakeLimiter]:
    """Builds a fresh limiter of each kind: `make_limiter(specs, clock, **knobs)`. Every Redis
    one gets its own key prefix, as every in-memory one has its own state."""
    if request.param == "memory":
        yield InMemoryRateLimiter
        return
    client = redis_client()
    numbers = count()
    with redis_prefix() as prefix:

        def make(specs: Sequence[BucketSpec], clock: Any = None, **knobs: Any) -> Any:
            namespace = f"{prefix}:{next(numbers)}"
            return RedisRateLimiter(client, specs, clock, namespace=namespace, **knobs)

        yield make
    client.close()


def test_limiter_implements_the_protocol(make_limiter: MakeLimiter) -> None:
    assert isinstance(make_limiter([GENERAL], FakeClock()), RateLimiter)


def test_burst_never_exceeds_limit_in_any_window(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 7, P)], clock)
    sent = []
    for _ in range(70):
        limiter.acquire("acct", ["general"])
        sent.append(clock.monotonic())
    assert max_in_any_window(sent, P) == 7
    assert sent[-1] >= 9 * P


def test_burst_from_threads_never_exceeds_limit_in_any_window(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    grants = Recorder()
    n = 10
    limiter = make_limiter([BucketSpec("general", n, P)], clock, on_grant=grants)

    def worker() -> None:
        for _ in range(n):
            limiter.acquire("acct", ["general"])

    threads = [threading.Thread(target=worker) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert len(grants.times) == 100
    assert max_in_any_window(grants.times, P) == n
    assert clock.monotonic() >= 9 * P


def test_burst_from_asyncio_tasks_never_exceeds_limit_in_any_window(
    make_limiter: MakeLimiter,
) -> None:
    clock = FakeClock()
    grants = Recorder()
    n = 10
    limiter = make_limiter([BucketSpec("general", n, P)], clock, on_grant=grants)

    async def main() -> None:
        await asyncio.gather(*(limiter.aacquire("acct", ["general"]) for _ in range(10 * n)))

    asyncio.run(main())
    assert len(grants.times) == 10 * n
    assert max_in_any_window(grants.times, P) == n
    assert max(grants.times) >= 9 * P


def test_burst_setting_spreads_requests_evenly(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 6, P, burst=1)], clock)
    sent = []
    for _ in range(6):
        limiter.acquire("acct", ["general"])
        sent.append(clock.monotonic())
    assert sent == pytest.approx([0, 10, 20, 30, 40, 50])


def test_headroom_keeps_requests_in_reserve(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 10, P)], clock, headroom=2)
    for _ in range(8):
        limiter.acquire("acct", ["general"])
    assert clock.monotonic() == 0
    assert limiter.reserve_delay("acct", ["general"]) == P
    assert limiter.capacity("acct", "general") == 8


def test_padding_lengthens_the_window(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 1, P)], clock, padding=0.5)
    limiter.acquire("acct", ["general"])
    limiter.acquire("acct", ["general"])
    assert clock.monotonic() == P + 0.5


def test_server_remaining_lower_than_ours_slows_us_down(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([GENERAL], clock)
    for _ in range(10):
        limiter.acquire("acct", ["general"])
    # Another client spent most of the budget: the server says only 5 remain, we think 110.
    limiter.observe("acct", "general", remaining=5, limit=120, retry_after=None)
    for _ in range(5):
        limiter.acquire("acct", ["general"])
    assert clock.monotonic() == 0
    assert limiter.reserve_delay("acct", ["general"]) == P


def test_server_remaining_higher_than_ours_is_ignored(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 3, P)], clock)
    for _ in range(3):
        limiter.acquire("acct", ["general"])
    limiter.observe("acct", "general", remaining=3, limit=3, retry_after=None)
    assert limiter.reserve_delay("acct", ["general"]) == P


def test_lower_server_limit_header_is_adopted(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([GENERAL], clock)
    limiter.observe("acct", "general", remaining=None, limit=60, retry_after=None)
    assert limiter.capacity("acct", "general") == 60
    limiter.observe("acct", "general", remaining=None, limit=500, retry_after=None)
    assert limiter.capacity("acct", "general") == 120


def test_retry_after_blocks_the_bucket_for_all_callers(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    grants = Recorder()
    limiter = make_limiter([GENERAL], clock, on_grant=grants)
    limiter.observe("acct", "general", remaining=0, limit=120, retry_after=30.0)
    assert limiter.reserve_delay("acct", ["general"]) == 30.0  # the server said when

    limiter2 = make_limiter([GENERAL], clock, on_grant=grants)
    limiter2.observe("acct", "general", remaining=None, limit=None, retry_after=30.0)
    threads = [
        threading.Thread(target=limiter2.acquire, args=("acct", ["general"])) for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert len(grants.times) == 4
    assert min(grants.times) >= 30.0


def test_retry_after_blocks_async_callers_too(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([GENERAL], clock)
    limiter.observe("acct", "general", remaining=None, limit=None, retry_after=12.0)
    asyncio.run(limiter.aacquire("acct", ["general"]))
    assert clock.monotonic() >= 12.0


def test_import_batches_are_paced_by_both_buckets(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([GENERAL, IMPORTS], clock)
    sent = []
    for _ in range(20):
        limiter.acquire("acct", ["imports", "general"])
        sent.append(clock.monotonic())
    assert sent[-1] >= 3 * P
    assert max_in_any_window(sent, P) == 5
    # The last five import batches (at 3P) also count against the general budget.
    for _ in range(115):
        limiter.acquire("acct", ["general"])
    assert clock.monotonic() == sent[-1]
    assert limiter.reserve_delay("acct", ["general"]) == P


def test_multi_bucket_acquire_is_atomic_and_holds_nothing_while_waiting(
    make_limiter: MakeLimiter,
) -> None:
    clock = FakeClock(auto_advance=False)
    grants = Recorder()
    limiter = make_limiter(
        [BucketSpec("general", 2, P), BucketSpec("imports", 1, P)], clock, on_grant=grants
    )
    limiter.acquire("acct", ["imports", "general"])  # t=0: imports now full, general 1 left
    waiter = threading.Thread(target=limiter.acquire, args=("acct", ["imports", "general"]))
    waiter.start()
    clock.wait_for_sleepers(1)  # the second import batch waits for the imports bucket...
    limiter.acquire("acct", ["general"])  # ...without holding the last general slot
    assert clock.monotonic() == 0
    clock.advance(P)
    waiter.join(timeout=5)
    assert not waiter.is_alive()
    assert grants.times == [0, 0, P]


def test_buckets_are_isolated_per_account(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 2, P)], clock)
    limiter.acquire("a", ["general"])
    limiter.acquire("a", ["general"])
    limiter.observe("a", "general", remaining=0, limit=None, retry_after=100)
    limiter.acquire("b", ["general"])
    limiter.acquire("b", ["general"])
    assert clock.monotonic() == 0
    assert limiter.reserve_delay("a", ["general"]) == 100
    assert limiter.reserve_delay("b", ["general"]) == P


def test_reserve_delay_plans_without_consuming(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 1, P)], clock)
    assert limiter.reserve_delay("acct", ["general"]) == 0.0
    assert limiter.reserve_delay("acct", ["general"]) == 0.0
    limiter.acquire("acct", ["general"])
    clock.advance(20)
    assert limiter.reserve_delay("acct", ["general"]) == pytest.approx(40)
    assert clock.sleeps == []


def test_cancelled_async_waiter_consumes_nothing(make_limiter: MakeLimiter) -> None:
    clock = FakeClock(auto_advance=False)
    limiter = make_limiter([BucketSpec("general", 1, P)], clock)

    async def main() -> None:
        await limiter.aacquire("acct", ["general"])
        task = asyncio.create_task(limiter.aacquire("acct", ["general"]))
        while clock.sleepers == 0:
            await asyncio.sleep(0.001)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(main())
    clock.advance(P)
    assert limiter.reserve_delay("acct", ["general"]) == 0.0


def test_unknown_bucket_is_rejected_and_empty_list_is_free(make_limiter: MakeLimiter) -> None:
    limiter = make_limiter([GENERAL], FakeClock())
    with pytest.raises(ValueError, match="unknown rate-limit bucket"):
        limiter.acquire("acct", ["nope"])
    with pytest.raises(TypeError):
        limiter.acquire("acct", "general")
    limiter.acquire("acct", [])


def test_duplicate_bucket_names_count_once(make_limiter: MakeLimiter) -> None:
    clock = FakeClock()
    limiter = make_limiter([BucketSpec("general", 2, P)], clock)
    limiter.acquire("acct", ["general", "general"])
    limiter.acquire("acct", ["general"])
    assert clock.monotonic() == 0


def test_bucket_spec_validates_its_numbers(make_limiter: MakeLimiter) -> None:
    with pytest.raises(ValueError):
        BucketSpec("general", 0, P)
    with pytest.raises(ValueError):
        BucketSpec("general", 1, 0)
    with pytest.raises(ValueError):
        BucketSpec("general", 5, P, burst=6)
    with pytest.raises(ValueError):
        make_limiter([GENERAL, GENERAL])


def test_parse_retry_after_seconds() -> None:
    assert parse_retry_after("119") == 119.0
    assert parse_retry_after(" 1.5 ") == 1.5
    assert parse_retry_after("0") == 0.0


def test_parse_retry_after_http_date() -> None:
    now = datetime(2015, 10, 21, 7, 27, 0, tzinfo=UTC)
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now) == 60.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=now.replace(tzinfo=None)) == 60
    assert parse_retry_after("Wed, 21 Oct 2015 07:20:00 GMT", now=now) == 0.0


def test_parse_retry_after_garbage_is_none() -> None:
    for value in (None, "", "soon", "-5", "1e9", "nan", "Wed, 99 Foo 2015"):
        assert parse_retry_after(value) is None, value


@pytest.mark.parametrize("retry_after", [0.0, 1.0, 7.5, 59.0])
def test_retry_after_with_nothing_remaining_is_waited_as_stated(
    make_limiter: MakeLimiter, retry_after: float
) -> None:
    """`Retry-After: N` with `remaining: 0` is a wait of N seconds, not a whole period: the
    sends the server counted expire when it says to come back."""
    clock = FakeClock()
    limiter = make_limiter([GENERAL], clock)
    limiter.observe("acct", "general", remaining=0, limit=120, retry_after=retry_after)
    assert limiter.reserve_delay("acct", ["general"]) == pytest.approx(retry_after)
    limiter.acquire("acct", ["general"])
    assert clock.monotonic() == pytest.approx(retry_after)


def test_reset_time_wins_over_retry_after_for_the_counted_sends(make_limiter: MakeLimiter) -> None:
    """When the server gives both, the counted sends expire at its declared reset."""
    clock = FakeClock()
    limiter = make_limiter([GENERAL], clock)
    limiter.observe("acct", "general", remaining=0, limit=120, retry_after=1.0, reset_in=20.0)
    assert limiter.reserve_delay("acct", ["general"]) == pytest.approx(20.0)
