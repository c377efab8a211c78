"""Client-side rate limiting: declared buckets, paced per account, tightened by the server.

A provider declares *buckets* (`BucketSpec`): at most `limit` requests in any `period_seconds`.
A provider may declare, say, `general` (120 per 60 s) and `imports` (5 per 60 s, consumed only
by batches made solely of upserts). The engine decides which buckets a request consumes and asks
the limiter for permission before sending it; after the response it reports what the server said
(`X-RateLimit-Remaining`, `X-RateLimit-Limit`, `Retry-After`) through `RateLimiter.observe`.

`InMemoryRateLimiter` is the in-process implementation; `engine.run.redis_ratelimit` holds the
one shared by every worker through Redis (`UNIMAP_REDIS_URL`). See
`docs/rate-limits-and-retries.md`.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_right, insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from engine.run.clock import Clock, SystemClock

__all__ = [
    "BucketSpec",
    "InMemoryRateLimiter",
    "RateLimiter",
    "bucket_names",
    "check_knobs",
    "index_specs",
]

#: Waits shorter than this are treated as "no wait" (guards against float round-off loops).
_EPSILON = 1e-9


@dataclass(frozen=True)
class BucketSpec:
    """One declared rate limit: at most `limit` requests in any window of `period_seconds`.

    `burst` optionally spreads requests out: when set (1 ≤ burst ≤ limit), at most `burst`
    requests are sent in any window of `burst * period_seconds / limit`, so the bucket drains at
    its average rate with bursts of at most `burst`. `None` (the default) allows a burst of the
    whole `limit`.
    """

    name: str
    limit: int
    period_seconds: float
    burst: int | None = None

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a bucket needs a name")
        if self.limit < 1:
            raise ValueError(f"bucket {self.name!r}: limit must be at least 1")
        if not (self.period_seconds > 0 and math.isfinite(self.period_seconds)):
            raise ValueError(f"bucket {self.name!r}: period_seconds must be positive")
        if self.burst is not None and not 1 <= self.burst <= self.limit:
            raise ValueError(f"bucket {self.name!r}: burst must be between 1 and limit")


def index_specs(specs: Iterable[BucketSpec]) -> dict[str, BucketSpec]:
    """The declared buckets by name; a name declared twice is a `ValueError`."""
    indexed: dict[str, BucketSpec] = {}
    for spec in specs:
        if spec.name in indexed:
            raise ValueError(f"bucket {spec.name!r} declared twice")
        indexed[spec.name] = spec
    return indexed


def check_knobs(headroom: int, padding: float) -> None:
    """Refuse a negative `headroom` or a negative or infinite `padding`."""
    if headroom < 0:
        raise ValueError("headroom must be non-negative")
    if not (padding >= 0 and math.isfinite(padding)):
        raise ValueError("padding must be a non-negative number of seconds")


def bucket_names(specs: Mapping[str, BucketSpec], buckets: Sequence[str]) -> tuple[str, ...]:
    """`buckets` de-duplicated in order; a string or an undeclared name is an error."""
    if isinstance(buckets, str):
        raise TypeError("buckets must be a sequence of bucket names, not a string")
    unknown = [b for b in buckets if b not in specs]
    if unknown:
        known = ", ".join(sorted(specs)) or "none"
        raise ValueError(f"unknown rate-limit bucket(s) {unknown!r}; declared: {known}")
    return tuple(dict.fromkeys(buckets))


@runtime_checkable
class RateLimiter(Protocol):
    """The contract every rate-limiter store implements (in-memory today, Redis later).

    * `key` is the account id: buckets are per account, and two keys never affect each other.
    * `acquire(key, buckets)` returns once one send has been recorded in *every* named bucket of
      `key`, such that no bucket ever holds more than its capacity of sends within any window of
      its period. Recording in several buckets is atomic: either all get the send or none does,
      and a caller that is waiting holds no slot in any bucket. Waiting happens outside any lock,
      transaction or connection held by the store. An unknown bucket name is a `ValueError`; an
      empty list returns at once.
    * `aacquire` is the same for asyncio/trio tasks; it must never block the event loop and must
      leave no trace if cancelled while waiting.
    * `observe(key, bucket, remaining, limit, retry_after)` only ever *tightens* state: a server
      `remaining` lower than the store's own count is believed, a server `limit` lower than the
      declared one is adopted, and `retry_after` blocks the bucket for every caller of that key
      for that long. Higher numbers from the server are ignored (our own in-flight requests may
      not have reached it yet). The sends the server counted (`limit - remaining`) expire when
      its window resets: `reset_in` seconds from now when given, else `retry_after` seconds
      from now when given (`Retry-After: 1` with `remaining: 0` is a wait of 1 s, never a
      whole period), else one period from now.
    * `reserve_delay(key, buckets)` is pure planning: how long an `acquire` issued now would
      wait, with no side effect. It is advisory (other callers may get there first).

    A shared store must take its timestamps from one clock (e.g. Redis `TIME`), and do the
    check-and-record of all buckets in one atomic step (e.g. one Lua script over a sorted set
    per bucket); see the docs for a sketch.
    """

    def acquire(self, key: str, buckets: Sequence[str]) -> None:
        """Block until one request may be sent for `key` against all `buckets`, and record it."""
        ...

    async def aacquire(self, key: str, buckets: Sequence[str]) -> None:
        """Async `acquire`: suspend the task instead of blocking the thread."""
        ...

    def observe(
        self,
        key: str,
        bucket: str,
        remaining: int | None,
        limit: int | None,
        retry_after: float | None,
        reset_in: float | None = None,
    ) -> None:
        """Adjust a bucket from what the server reported on a response."""
        ...

    def reserve_delay(self, key: str, buckets: Sequence[str]) -> float:
        """Seconds an `acquire(key, buckets)` issued now would wait (0.0 when free); no effect."""
        ...


@dataclass
class _BucketState:
    """Mutable state of one (key, bucket) pair; guarded by the limiter's lock."""

    log: list[float] = field(default_factory=list)  # send times, ascending
    blocked_until: float = -math.inf  # from Retry-After
    observed_limit: int | None = None  # server limit when lower than the declared one


GrantHook = Callable[[str, tuple[str, ...], float], None]


class InMemoryRateLimiter:
    """The in-process `RateLimiter`: one instance shared by every thread and task of a process.

    **Algorithm: a sliding-window log.** For every (account, bucket) the limiter keeps the send
    times of the requests it granted during the last period. A request is granted at time `t`
    only if fewer than `capacity` logged sends lie in `(t - period, t]`; otherwise the caller
    sleeps until the oldest send that matters leaves the window, then checks again.

    *Why it never exceeds the server's limit.* The log enforces, for every `t`, at most
    `capacity` sends in `(t - period, t]` — so at most `capacity` in *any* interval of length
    `period`, wherever it starts. A server with a sliding window counts exactly such intervals;
    a server with fixed windows (`[k·period, (k+1)·period)`) counts intervals of the same length,
    which are a special case. Either way the server never sees more than `capacity ≤ limit`
    (token buckets, by contrast, allow up to 2·limit across a fixed-window boundary). The log
    costs `O(limit)` floats per bucket, trivial for limits in the hundreds.

    *What it cannot know.* The guarantee is on *grant* times. Requests reach the server a
    little later and with jitter, and other clients of the same account spend the same budget;
    `padding` (seconds added to every period) absorbs the former, `headroom` (requests kept in
    reserve) and `observe()` the latter.

    **Grant, never reserve.** A send is logged only at the moment it is granted, never for a
    future time. Multi-bucket acquires are atomic (all buckets free now, logged together under
    one lock), so a request waiting for the `imports` bucket holds no `general` slot and blocks
    nobody; a cancelled async waiter leaves nothing behind. Waiters are not served in strict
    FIFO order.

    **Concurrency.** A `threading.Lock` guards the pure state and is never held while sleeping;
    threads sleep with `clock.sleep`, tasks with `await clock.asleep`, so the same instance is
    safe across threads and event loops.

    **Server feedback** (`observe`): `remaining` lower than ours adds placeholder sends at "now"
    until our count matches the server's (conservative: they expire one period later);
    a lower `limit` header is adopted; `retry_after` blocks the bucket for everybody.

    Args:
        specs: the declared buckets (names must be unique).
        clock: time source; `SystemClock()` by default.
        headroom: requests per window kept in reserve (capacity = limit - headroom, at least 1).
        padding: seconds added to every bucket's period.
        on_grant: optional hook called (outside the lock) with `(key, buckets, grant_time)`
            after every grant, e.g. for statistics or tests.
    """

    def __init__(
        self,
        specs: Iterable[BucketSpec],
        clock: Clock | None = None,
        *,
        headroom: int = 0,
        padding: float = 0.0,
        on_grant: GrantHook | None = None,
    ) -> None:
        """Build a limiter for `specs`; see the class docstring for the knobs."""
        self._specs = index_specs(specs)
        check_knobs(headroom, padding)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._headroom = headroom
        self._padding = padding
        self._on_grant = on_grant
        self._lock = threading.Lock()
        self._state: dict[tuple[str, str], _BucketState] = {}

    # -- public API -------------------------------------------------------------------------

    @property
    def specs(self) -> dict[str, BucketSpec]:
        """The declared buckets by name (a copy)."""
        return dict(self._specs)

    def acquire(self, key: str, buckets: Sequence[str]) -> None:
        """Block until one send for `key` fits every bucket in `buckets`, then record it."""
        names = self._validate(buckets)
        while True:
            wait = self._try_grant(key, names)
            if wait is None:
                return
            self._clock.sleep(wait)

    async def aacquire(self, key: str, buckets: Sequence[str]) -> None:
        """Async `acquire`; cancelling it while it waits consumes nothing."""
        names = self._validate(buckets)
        while True:
            wait = self._try_grant(key, names)
            if wait is None:
                return
            await self._clock.asleep(wait)

    def observe(
        self,
        key: str,
        bucket: str,
        remaining: int | None,
        limit: int | None,
        retry_after: float | None,
        reset_in: float | None = None,
    ) -> None:
        """Tighten `bucket` of `key` from a response's rate-limit headers.

        `remaining` below our own idea of what is left makes us believe the server; a `limit`
        below the declared one is adopted (a higher one is ignored); a positive `retry_after`
        blocks the bucket for every caller of `key` for that many seconds. `reset_in` (seconds
        until the server's window resets; `retry_after` stands in for it when absent) makes
        the sends the server counted expire at the reset instead of a whole period from now.
        """
        (name,) = self._validate([bucket])
        spec = self._specs[name]
        with self._lock:
            now = self._clock.monotonic()
            state = self._state.setdefault((key, name), _BucketState())
            if limit is not None and limit > 0:
                state.observed_limit = limit if limit < spec.limit else None
            if retry_after is not None and retry_after > 0 and math.isfinite(retry_after):
                state.blocked_until = max(state.blocked_until, now + retry_after)
            if remaining is not None:
                period = spec.period_seconds + self._padding
                self._prune(state, now, period)
                server_limit = self._server_limit(spec, state)
                used_by_server = server_limit - max(0, remaining)
                missing = min(used_by_server, server_limit) - len(state.log)
                if missing > 0:
                    stamp = now
                    if reset_in is None and retry_after is not None and retry_after >= 0:
                        reset_in = retry_after
                    if reset_in is not None and 0 <= reset_in < period:
                        stamp = now + reset_in - period
                    for _ in range(missing):
                        insort(state.log, stamp)

    def reserve_delay(self, key: str, buckets: Sequence[str]) -> float:
        """Seconds an `acquire(key, buckets)` issued now would wait; changes nothing."""
        names = self._validate(buckets)
        with self._lock:
            now = self._clock.monotonic()
            wait = max((self._wait(key, name, now) for name in names), default=0.0)
        return wait if wait > _EPSILON else 0.0

    def capacity(self, key: str, bucket: str) -> int:
        """Requests per window this limiter currently allows for `bucket` of `key`."""
        (name,) = self._validate([bucket])
        with self._lock:
            state = self._state.get((key, name))
            return self._capacity(self._specs[name], state)

    # -- internals --------------------------------------------------------------------------

    def _validate(self, buckets: Sequence[str]) -> tuple[str, ...]:
        return bucket_names(self._specs, buckets)

    def _server_limit(self, spec: BucketSpec, state: _BucketState | None) -> int:
        if state is not None and state.observed_limit is not None:
            return min(spec.limit, state.observed_limit)
        return spec.limit

    def _capacity(self, spec: BucketSpec, state: _BucketState | None) -> int:
        return max(1, self._server_limit(spec, state) - self._headroom)

    @staticmethod
    def _prune(state: _BucketState, now: float, period: float) -> None:
        cut = bisect_right(state.log, now - period)
        if cut:
            del state.log[:cut]

    def _wait(self, key: str, name: str, now: float) -> float:
        """Seconds until `name` of `key` has a free slot; pure (does not prune)."""
        spec = self._specs[name]
        state = self._state.get((key, name))
        if state is None:
            return 0.0
        wait = state.blocked_until - now
        period = spec.period_seconds + self._padding
        log = state.log
        start = bisect_right(log, now - period)  # entries in (now - period, now]
        in_window = len(log) - start
        capacity = self._capacity(spec, state)
        if in_window >= capacity:
            # The (in_window - capacity + 1)-th oldest must leave the window.
            wait = max(wait, log[len(log) - capacity] + period - now)
        if spec.burst is not None and spec.burst < capacity:
            span = spec.burst * period / capacity
            recent = len(log) - bisect_right(log, now - span)
            if recent >= spec.burst:
                wait = max(wait, log[len(log) - spec.burst] + span - now)
        return max(0.0, wait)

    def _try_grant(self, key: str, names: tuple[str, ...]) -> float | None:
        """Grant and record now (returns None) or return how long to wait before retrying."""
        with self._lock:
            now = self._clock.monotonic()
            wait = max((self._wait(key, name, now) for name in names), default=0.0)
            if wait > _EPSILON:
                return wait
            for name in names:
                state = self._state.setdefault((key, name), _BucketState())
                self._prune(state, now, self._specs[name].period_seconds + self._padding)
                state.log.append(now)
        if self._on_grant is not None:
            self._on_grant(key, names, now)
        return None

    def __repr__(self) -> str:
        buckets = ", ".join(
            f"{s.name}={s.limit}/{s.period_seconds:g}s" for s in self._specs.values()
        )
        return f"InMemoryRateLimiter({buckets}, headroom={self._headroom})"


