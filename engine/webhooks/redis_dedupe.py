"""Webhook de-duplication shared by every worker: one `SET key 1 NX EX ttl` per event id.

`SET … NX` is atomic in Redis, so when the same delivery (or a provider's retry) reaches two
workers at once exactly one of them is told the id is new; the key expires after the TTL, so
memory stays bounded by the ids of the last `ttl_seconds`. Unlike the in-process LRU, a
repeated `seen` does not refresh an id's age: it is remembered for the TTL after it was first
seen.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from typing import Any

import redis

from engine.run.redis_ratelimit import redis_failure

__all__ = ["RedisDeduplicator"]


class RedisDeduplicator:
    """A `SeenEvents` store in Redis.

    Args:
        client: a `redis.Redis` client.
        namespace: the key prefix (keys are `<namespace>:seen:<sha256 of the id>`).
        ttl_seconds: how long an id is remembered (one hour by default, as in process).
    """

    def __init__(
        self, client: redis.Redis, *, namespace: str = "unimap", ttl_seconds: float = 3600.0
    ) -> None:
        """Remember ids in `client` under `namespace` for `ttl_seconds`."""
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._client = client
        self._namespace = namespace
        self.ttl_seconds = ttl_seconds

    def __repr__(self) -> str:
        return f"RedisDeduplicator(namespace={self._namespace!r}, ttl={self.ttl_seconds:g}s)"

    def _key(self, event_id: str) -> str:
        # Hashed: ids come from outside, their length and characters are not ours to trust.
        return f"{self._namespace}:seen:{hashlib.sha256(event_id.encode()).hexdigest()}"

    def seen(self, event_id: str) -> bool:
        """True when `event_id` was seen within the TTL; otherwise records it (atomically)."""
        milliseconds = max(1, math.ceil(self.ttl_seconds * 1000))
        try:
            created = self._client.set(self._key(event_id), b"1", nx=True, px=milliseconds)
        except redis.RedisError as error:
            raise redis_failure(error, "de-duplicating a webhook event") from error
        return not created

    def filter(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events not seen before (each is then remembered)."""
        return [event for event in events if not self.seen(str(event["id"]))]

    def forget(self, event_id: str) -> None:
        """Drop an id, so a redelivery is accepted again."""
        try:
            self._client.delete(self._key(event_id))
        except redis.RedisError as error:
            raise redis_failure(error, "forgetting a webhook event") from error
