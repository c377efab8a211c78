"""Where pacing state lives: in process by default, in Redis when `UNIMAP_REDIS_URL` is set.

`Pacing.from_env()` reads the environment once:

* `UNIMAP_REDIS_URL` unset or empty: `InMemoryRateLimiter` and `ConcurrencyLimiter`, one per
  provider per `Engine`, exactly as for a single process (nothing to run).
* `UNIMAP_REDIS_URL=redis://host:6379/0` (install `unimap[redis]`): `RedisRateLimiter` and
  `RedisConcurrencyLimiter`, so every worker on every machine shares each account's budget.
  Keys start with `UNIMAP_REDIS_PREFIX` (default `unimap`) and the provider's name.

The `Engine` asks its `Pacing` for each provider's limiters; the webhook de-duplicator and
other short-lived shared state reuse `Pacing.client` (`engine.backends`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from engine.errors import BackendUnavailableError
from engine.run.clock import Clock, SystemClock
from engine.run.concurrency import ConcurrencyLimiter, ConcurrencySlots
from engine.run.ratelimit import BucketSpec, InMemoryRateLimiter, RateLimiter

__all__ = ["REDIS_PREFIX_ENV", "REDIS_URL_ENV", "Pacing", "connect_redis", "redis_url"]

#: The environment variable naming the shared Redis server.
REDIS_URL_ENV = "UNIMAP_REDIS_URL"
#: The environment variable giving the prefix of every Redis key (default `unimap`).
REDIS_PREFIX_ENV = "UNIMAP_REDIS_PREFIX"


def redis_url(environ: Mapping[str, str] | None = None) -> str | None:
    """`UNIMAP_REDIS_URL`, or None when it is unset or empty."""
    env = os.environ if environ is None else environ
    return env.get(REDIS_URL_ENV, "").strip() or None


def _safe(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    userinfo, at, host = rest.rpartition("@")
    return f"{scheme}{sep}***@{host}" if at and userinfo else url


def connect_redis(url: str) -> Any:
    """A `redis.Redis` client for `url`, checked with a PING; `BackendUnavailableError`
    (URL password hidden) when Redis is unreachable or the package is missing."""
    try:
        import redis
    except ImportError:  # pragma: no cover - depends on the install
        raise BackendUnavailableError(
            f"{REDIS_URL_ENV} is set but the redis package is missing: "
            "pip install 'unimap[redis]'"
        ) from None
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)
        client.ping()
    except (redis.RedisError, ValueError) as error:
        raise BackendUnavailableError(
            f"cannot use Redis at {_safe(url)} ({REDIS_URL_ENV}): {error}"
        ) from None
    return client


@dataclass(frozen=True)
class Pacing:
    """Builds each provider's rate limiter and concurrency slots, local or in Redis.

    `client` is a `redis.Redis` client, or None for in-process state; `prefix` starts every
    Redis key.
    """

    client: Any = None
    prefix: str = "unimap"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Pacing:
        """In Redis when `UNIMAP_REDIS_URL` is set (connecting now), else in process."""
        env = os.environ if environ is None else environ
        url = redis_url(env)
        prefix = env.get(REDIS_PREFIX_ENV, "").strip() or "unimap"
        return cls(connect_redis(url) if url else None, prefix)

    @property
    def shared(self) -> bool:
        """Whether state is shared through Redis."""
        return self.client is not None

    def rate_limiter(
        self, provider: str, specs: Iterable[BucketSpec], clock: Clock, padding: float
    ) -> RateLimiter:
        """The rate limiter of `provider`'s buckets. In Redis, time comes from the server
        unless `clock` is not the system clock (tests running on a `FakeClock`)."""
        if self.client is None:
            return InMemoryRateLimiter(specs, clock, padding=padding)
        from engine.run.redis_ratelimit import RedisRateLimiter

        own_clock = None if isinstance(clock, SystemClock) else clock
        return RedisRateLimiter(
            self.client, specs, own_clock, namespace=f"{self.prefix}:{provider}", padding=padding
        )

    def concurrency(self, provider: str, caps: Mapping[str, int]) -> ConcurrencySlots:
        """The concurrency slots of `provider`'s buckets."""
        if self.client is None:
            return ConcurrencyLimiter(caps)
        from engine.run.redis_slots import RedisConcurrencyLimiter

        return RedisConcurrencyLimiter(self.client, caps, namespace=f"{self.prefix}:{provider}")
