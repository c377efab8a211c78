"""Concurrency slots shared by every worker through Redis, held as expiring leases.

Per (account key, bucket) a sorted set of holders: member = a random token per hold, score =
when its lease ends (Redis `TIME`). Taking slots is one Lua script over every concurrency
bucket of the request: expired leases are dropped, and the request gets a slot in all of them
or in none. While a request is in flight a background thread renews its leases every
`lease_seconds / 3`; releasing deletes them. A worker that dies holding slots (SIGKILL, a lost
machine) stops renewing, so its slots free themselves within `lease_seconds`: nothing leaks.

A caller that finds no free slot polls (`poll_seconds`, doubling up to ten times that),
without holding anything; a cancelled async waiter has taken nothing. Redis errors raise
`BackendUnavailableError`.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager

import anyio
import anyio.to_thread
import redis

from engine.run.redis_ratelimit import redis_failure

__all__ = ["RedisConcurrencyLimiter"]

# KEYS: one sorted set per bucket.  ARGV: token, lease seconds, then one cap per key.
_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local lease = tonumber(ARGV[2])
for i, key in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', key, '-inf', string.format('%.6f', now))
  if redis.call('ZCARD', key) >= tonumber(ARGV[2 + i]) then return 0 end
end
for _, key in ipairs(KEYS) do
  redis.call('ZADD', key, string.format('%.6f', now + lease), ARGV[1])
  redis.call('PEXPIRE', key, math.ceil(lease * 1000) + 1000)
end
return 1
"""

# KEYS: the sorted sets of one hold.  ARGV: token, lease seconds.  Extends a live lease only.
_RENEW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local lease = tonumber(ARGV[2])
for _, key in ipairs(KEYS) do
  if redis.call('ZSCORE', key, ARGV[1]) then
    redis.call('ZADD', key, 'XX', string.format('%.6f', now + lease), ARGV[1])
    redis.call('PEXPIRE', key, math.ceil(lease * 1000) + 1000)
  end
end
return 1
"""


class RedisConcurrencyLimiter:
    """Per-account caps on requests in flight, shared by every process using one Redis.

    Args:
        client: a `redis.Redis` client.
        caps: bucket name → most requests of one account in flight at once.
        namespace: the key prefix (e.g. `unimap:<provider>`).
        lease_seconds: how long a slot outlives a worker that stopped renewing it.
        poll_seconds: the first pause of a caller waiting for a slot.
    """

    def __init__(
        self,
        client: redis.Redis,
        caps: Mapping[str, int],
        *,
        namespace: str = "unimap",
        lease_seconds: float = 15.0,
        poll_seconds: float = 0.005,
    ) -> None:
        """Build a limiter for the declared concurrency buckets."""
        for name, cap in caps.items():
            if cap < 1:
                raise ValueError(f"bucket {name!r}: concurrency must be at least 1")
        if lease_seconds <= 0 or poll_seconds <= 0:
            raise ValueError("lease_seconds and poll_seconds must be positive")
        self._client = client
        self._caps = dict(caps)
        self._namespace = namespace
        self._lease = lease_seconds
        self._poll = poll_seconds
        self._take_script = client.register_script(_TAKE)
        self._renew_script = client.register_script(_RENEW)
        self._held: dict[str, list[str]] = {}  # token -> keys, renewed while present
        self._lock = threading.Lock()
        self._renewer: threading.Thread | None = None

    def __repr__(self) -> str:
        caps = ", ".join(f"{name}={cap}" for name, cap in self._caps.items())
        return f"RedisConcurrencyLimiter({caps}, namespace={self._namespace!r})"

    @property
    def caps(self) -> dict[str, int]:
        """The declared caps by bucket name (a copy)."""
        return dict(self._caps)

    def relevant(self, buckets: Sequence[str]) -> tuple[str, ...]:
        """The names in `buckets` that are concurrency buckets of this limiter."""
        return tuple(dict.fromkeys(name for name in buckets if name in self._caps))

    def _key(self, key: str, bucket: str) -> str:
        return f"{self._namespace}:slots:{{{key}}}:{bucket}"

    def in_flight(self, key: str, bucket: str) -> int:
        """Live (unexpired) slots of `bucket` held for `key` by every worker."""
        try:
            now_s, now_us = self._client.time()
            now = now_s + now_us / 1e6
            return int(self._client.zcount(self._key(key, bucket), f"({now:.6f}", "+inf"))
        except redis.RedisError as error:
            raise redis_failure(error, "counting concurrency slots") from error

    def _take(self, key: str, names: tuple[str, ...]) -> str | None:
        """Take a slot in every bucket (returns the hold's token) or nothing (None)."""
        token = secrets.token_hex(12)
        keys = [self._key(key, name) for name in names]
        args: list[str | int] = [token, f"{self._lease:.6f}", *(self._caps[name] for name in names)]
        try:
            taken = int(self._take_script(keys=keys, args=args))
        except redis.RedisError as error:
            raise redis_failure(error, "taking concurrency slots") from error
        if not taken:
            return None
        with self._lock:
            self._held[token] = keys
            self._start_renewer()
        return token

    def _release(self, token: str) -> None:
        with self._lock:
            keys = self._held.pop(token)
        try:
            pipe = self._client.pipeline(transaction=False)
            for key in keys:
                pipe.zrem(key, token)
            pipe.execute()
        except redis.RedisError as error:
            # The lease still ends by itself within lease_seconds.
            raise redis_failure(error, "releasing concurrency slots") from error

    def _start_renewer(self) -> None:
        if self._renewer is None or not self._renewer.is_alive():
            self._renewer = threading.Thread(
                target=self._renew_forever, name="unimap-slot-leases", daemon=True
            )
            self._renewer.start()

    def _renew_forever(self) -> None:
        while True:
            time.sleep(self._lease / 3)
            with self._lock:
                held = list(self._held.items())
            for token, keys in held:
                try:
                    self._renew_script(keys=keys, args=[token, f"{self._lease:.6f}"])
                except redis.RedisError:
                    continue  # tried again next round; the lease covers two more rounds

    def _pause(self, attempt: int) -> float:
        return float(min(self._poll * 2 ** min(attempt, 10), self._poll * 10))

    @contextmanager
    def hold(self, key: str, buckets: Sequence[str]) -> Iterator[None]:
        """Block until a slot of every concurrency bucket in `buckets` is free, hold them."""
        names = self.relevant(buckets)
        token, attempt = (self._take(key, names) if names else None), 0
        while names and token is None:
            time.sleep(self._pause(attempt))
            token, attempt = self._take(key, names), attempt + 1
        try:
            yield
        finally:
            if token is not None:
                self._release(token)

    @asynccontextmanager
    async def ahold(self, key: str, buckets: Sequence[str]) -> AsyncIterator[None]:
        """Async `hold`: Redis round trips run in a worker thread and waits are `anyio.sleep`;
        a task cancelled while waiting takes nothing."""
        names = self.relevant(buckets)
        token: str | None = None
        attempt = 0
        try:
            while names and token is None:
                with anyio.CancelScope(shield=True):  # a slot taken is always released
                    token = await anyio.to_thread.run_sync(self._take, key, names)
                if token is None:
                    await anyio.sleep(self._pause(attempt))
                    attempt += 1
            yield
        finally:
            if token is not None:
                with anyio.CancelScope(shield=True):
                    await anyio.to_thread.run_sync(self._release, token)
