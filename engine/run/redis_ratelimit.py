"""The `RateLimiter` shared by every worker: sliding-window logs in Redis, one Lua script.

**What is stored.** Per (account key, bucket) a sorted set of grant times (the sliding-window
log of `InMemoryRateLimiter`, member = a random id per grant, score = the time) and a small
hash with what the server told us (`blocked_until` from `Retry-After`, a lower `limit`).
Keys are `<namespace>:rl:{<account key>}:<bucket>` (and `…:meta`); the braces make every
bucket of one account hash to one Redis Cluster slot, so one script may touch them all. Logs
expire one period (plus a second) after their last grant, so idle accounts cost nothing.

**Why a script.** The check of every bucket and the recording in all of them happen inside
one `EVALSHA`, which Redis runs atomically: either every bucket of the request gets the send
or none does, and a caller that must wait holds nothing. The script returns the wait; the
caller sleeps *outside* Redis and tries again. Time comes from Redis `TIME`, one clock for
every worker on every machine (local clocks may disagree). Floats are passed to and from the
script as text (`%.6f`), never as Lua numbers, which Redis would round to 14 digits.

**Why not the `limits` package.** Its Redis storage keeps one counter per limit and checks
them one after the other: a request consuming `imports` and `general` could take `general`
and then be refused by `imports`, and it offers no way to feed server headers back (lower a
bucket's capacity, block it for `Retry-After`). Both are part of the `RateLimiter` contract,
hence a small script over the same data structure as the in-memory limiter.

**Failures.** Redis errors raise `BackendUnavailableError` (503): the limiter fails closed, a
worker never sends unpaced because Redis is down.
"""

from __future__ import annotations

import math
import secrets
import threading
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import anyio.to_thread
import redis

from engine.errors import BackendUnavailableError
from engine.run.clock import Clock, SystemClock
from engine.run.ratelimit import BucketSpec, GrantHook, bucket_names, check_knobs, index_specs

__all__ = ["RedisRateLimiter", "redis_failure"]

_EPSILON = 1e-9

# Shared by both scripts: `now` from ARGV or Redis TIME, text <-> number helpers, capacity.
_PRELUDE = """
local function fmt(x) return string.format('%.6f', x) end
local function clock(arg)
  local given = tonumber(arg)
  if given then return given end
  local t = redis.call('TIME')
  return tonumber(t[1]) + tonumber(t[2]) / 1000000
end
local function server_limit(meta, declared)
  local observed = tonumber(redis.call('HGET', meta, 'limit'))
  if observed and observed < declared then return observed end
  return declared
end
"""

# KEYS: log1, meta1, log2, meta2, ...   ARGV: now|'', 'grant'|'peek', headroom, member,
# then per bucket: limit, period (padding included), burst (0: none).
# Returns {1, now} when granted (and recorded), else {0, seconds to wait}.
_ACQUIRE = (
    _PRELUDE
    + """
local now = clock(ARGV[1])
local headroom = tonumber(ARGV[3])
local wait = 0
local function nth_in(log, from, n)
  local entry = redis.call('ZRANGEBYSCORE', log, '(' .. fmt(from), '+inf', 'WITHSCORES',
                           'LIMIT', n, 1)
  return tonumber(entry[2])
end
for i = 1, #KEYS / 2 do
  local log, meta = KEYS[2 * i - 1], KEYS[2 * i]
  local limit, period = tonumber(ARGV[2 + 3 * i]), tonumber(ARGV[3 + 3 * i])
  local burst = tonumber(ARGV[4 + 3 * i])
  local blocked = tonumber(redis.call('HGET', meta, 'blocked_until'))
  if blocked and blocked - now > wait then wait = blocked - now end
  local capacity = math.max(1, server_limit(meta, limit) - headroom)
  local count = redis.call('ZCOUNT', log, '(' .. fmt(now - period), '+inf')
  if count >= capacity then
    wait = math.max(wait, nth_in(log, now - period, count - capacity) + period - now)
  end
  if burst > 0 and burst < capacity then
    local span = burst * period / capacity
    local recent = redis.call('ZCOUNT', log, '(' .. fmt(now - span), '+inf')
    if recent >= burst then
      wait = math.max(wait, nth_in(log, now - span, recent - burst) + span - now)
    end
  end
end
if wait > 1e-9 then return {0, fmt(wait)} end
if ARGV[2] == 'grant' then
  for i = 1, #KEYS / 2 do
    local log, period = KEYS[2 * i - 1], tonumber(ARGV[3 + 3 * i])
    redis.call('ZREMRANGEBYSCORE', log, '-inf', fmt(now - period))
    redis.call('ZADD', log, fmt(now), ARGV[4])
    redis.call('PEXPIRE', log, math.ceil(period * 1000) + 1000)
  end
end
return {1, fmt(now)}
"""
)

# KEYS: log, meta.  ARGV: now|'', declared limit, period, remaining|'', limit|'',
# retry_after|'', reset_in|'', member prefix.
_OBSERVE = (
    _PRELUDE
    + """
local log, meta = KEYS[1], KEYS[2]
local now = clock(ARGV[1])
local declared, period = tonumber(ARGV[2]), tonumber(ARGV[3])
local remaining, limit = tonumber(ARGV[4]), tonumber(ARGV[5])
local retry_after, reset_in = tonumber(ARGV[6]), tonumber(ARGV[7])
local keep = period
if limit and limit > 0 then
  if limit < declared then redis.call('HSET', meta, 'limit', limit)
  else redis.call('HDEL', meta, 'limit') end
end
if retry_after and retry_after > 0 then
  local until_ = now + retry_after
  local blocked = tonumber(redis.call('HGET', meta, 'blocked_until'))
  if not blocked or until_ > blocked then redis.call('HSET', meta, 'blocked_until', fmt(until_)) end
  keep = math.max(keep, retry_after)
end
if remaining then
  redis.call('ZREMRANGEBYSCORE', log, '-inf', fmt(now - period))
  local server = server_limit(meta, declared)
  local used = server - math.max(0, remaining)
  local missing = math.min(used, server) - redis.call('ZCARD', log)
  if missing > 0 then
    local stamp = now
    if not reset_in and retry_after and retry_after >= 0 then reset_in = retry_after end
    if reset_in and reset_in >= 0 and reset_in < period then stamp = now + reset_in - period end
    for j = 1, missing do redis.call('ZADD', log, fmt(stamp), ARGV[8] .. ':' .. j) end
    redis.call('PEXPIRE', log, math.ceil(period * 1000) + 1000)
  end
end
redis.call('PEXPIRE', meta, math.ceil(math.max(keep, 3600) * 1000))
return 1
"""
)


def redis_failure(error: redis.RedisError, what: str) -> BackendUnavailableError:
    """The unified error for a Redis failure while doing `what` (no URL password in it)."""
    return BackendUnavailableError(f"Redis failed while {what}: {type(error).__name__}: {error}")


def _text(value: float | None) -> str:
    return "" if value is None or not math.isfinite(value) else f"{value:.6f}"


class RedisRateLimiter:
    """A `RateLimiter` whose buckets live in Redis, shared by every process using it.

    Args:
        client: a `redis.Redis` client (thread-safe; its pool serves every thread).
        specs: the declared buckets (names must be unique).
        clock: `None` (the default) takes every timestamp from Redis `TIME` and sleeps on the
            system clock, the setting for real workers. A given clock (e.g. `FakeClock`)
            supplies the timestamps itself and sleeps on that clock: only for tests, or
            processes that truly share that clock.
        namespace: the key prefix (e.g. `unimap:<provider>`); limiters sharing a namespace
            share budgets.
        headroom, padding, on_grant: as for `InMemoryRateLimiter`.
    """

    def __init__(
        self,
        client: redis.Redis,
        specs: Iterable[BucketSpec],
        clock: Clock | None = None,
        *,
        namespace: str = "unimap",
        headroom: int = 0,
        padding: float = 0.0,
        on_grant: GrantHook | None = None,
    ) -> None:
        """Build a limiter for `specs` over `client`; see the class docstring."""
        self._specs = index_specs(specs)
        check_knobs(headroom, padding)
        self._client = client
        self._own_clock = clock is not None
        # With a local clock, reading it and running the script must be one step, or a
        # thread could record a time older than one another thread has already recorded.
        self._clock_lock: AbstractContextManager[Any] = (
            threading.Lock() if clock is not None else nullcontext()
        )
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._namespace = namespace
        self._headroom = headroom
        self._padding = padding
        self._on_grant = on_grant
        self._acquire = client.register_script(_ACQUIRE)
        self._observe = client.register_script(_OBSERVE)

    def __repr__(self) -> str:
        buckets = ", ".join(
            f"{s.name}={s.limit}/{s.period_seconds:g}s" for s in self._specs.values()
        )
        return f"RedisRateLimiter({buckets}, namespace={self._namespace!r})"

    @property
    def specs(self) -> dict[str, BucketSpec]:
        """The declared buckets by name (a copy)."""
        return dict(self._specs)

    def _keys(self, key: str, name: str) -> tuple[str, str]:
        log = f"{self._namespace}:rl:{{{key}}}:{name}"
        return log, log + ":meta"

    def _now(self) -> str:
        return _text(self._clock.monotonic()) if self._own_clock else ""

    def _run(self, key: str, names: tuple[str, ...], mode: str) -> tuple[bool, float]:
        keys: list[str] = []
        args: list[Any] = ["", mode, self._headroom, secrets.token_hex(8)]
        for name in names:
            spec = self._specs[name]
            keys.extend(self._keys(key, name))
            args += [spec.limit, _text(spec.period_seconds + self._padding), spec.burst or 0]
        try:
            with self._clock_lock:
                args[0] = self._now()
                granted, value = self._acquire(keys=keys, args=args)
        except redis.RedisError as error:
            raise redis_failure(error, "pacing a request") from error
        return int(granted) == 1, float(value)

    def _try_grant(self, key: str, names: tuple[str, ...]) -> float | None:
        """Grant and record now (returns None) or return how long to wait before retrying."""
        granted, value = self._run(key, names, "grant")
        if not granted:
            return max(value, _EPSILON)
        if self._on_grant is not None:
            self._on_grant(key, names, value)
        return None

    def acquire(self, key: str, buckets: Sequence[str]) -> None:
        """Block until one send for `key` fits every bucket in `buckets`, then record it."""
        names = bucket_names(self._specs, buckets)
        while names:
            wait = self._try_grant(key, names)
            if wait is None:
                return
            self._clock.sleep(wait)

    async def aacquire(self, key: str, buckets: Sequence[str]) -> None:
        """Async `acquire`: each Redis round trip runs in a worker thread, the wait is an
        `asleep`, so the event loop never blocks; a task cancelled while it waits has
        recorded nothing."""
        names = bucket_names(self._specs, buckets)
        while names:
            wait = await anyio.to_thread.run_sync(self._try_grant, key, names)
            if wait is None:
                return
            await self._clock.asleep(wait)

    def reserve_delay(self, key: str, buckets: Sequence[str]) -> float:
        """Seconds an `acquire(key, buckets)` issued now would wait; changes nothing."""
        names = bucket_names(self._specs, buckets)
        if not names:
            return 0.0
        granted, value = self._run(key, names, "peek")
        return 0.0 if granted or value <= _EPSILON else value

    def observe(
        self,
        key: str,
        bucket: str,
        remaining: int | None,
        limit: int | None,
        retry_after: float | None,
        reset_in: float | None = None,
    ) -> None:
        """Tighten `bucket` of `key` from a response's headers (same rules as in memory)."""
        (name,) = bucket_names(self._specs, [bucket])
        spec = self._specs[name]
        args: list[Any] = [
            "",
            spec.limit,
            _text(spec.period_seconds + self._padding),
            "" if remaining is None else int(remaining),
            "" if limit is None or limit <= 0 else int(limit),
            _text(retry_after),
            _text(reset_in),
            "observed-" + secrets.token_hex(8),
        ]
        try:
            with self._clock_lock:
                args[0] = self._now()
                self._observe(keys=list(self._keys(key, name)), args=args)
        except redis.RedisError as error:
            raise redis_failure(error, "recording a rate-limit response") from error

    def capacity(self, key: str, bucket: str) -> int:
        """Requests per window this limiter currently allows for `bucket` of `key`."""
        (name,) = bucket_names(self._specs, [bucket])
        spec = self._specs[name]
        try:
            observed = self._client.hget(self._keys(key, name)[1], "limit")
        except redis.RedisError as error:
            raise redis_failure(error, "reading a bucket") from error
        server = min(spec.limit, int(observed)) if observed is not None else spec.limit
        return max(1, server - self._headroom)
