"""Remembering event ids already handled, to skip redelivered webhooks.

`SeenEvents` is the interface; `Deduplicator` keeps the ids in process memory, and
`engine.webhooks.redis_dedupe.RedisDeduplicator` in Redis, shared by every worker (the same
delivery reaching two workers is handled by one).
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any, Protocol, runtime_checkable

__all__ = ["Deduplicator", "SeenEvents"]


@runtime_checkable
class SeenEvents(Protocol):
    """Where handled event ids are remembered. `seen` must be atomic: of several callers
    asking about one new id at once, exactly one is told False."""

    def seen(self, event_id: str) -> bool:
        """True when `event_id` was seen within the TTL; records it."""
        ...

    def filter(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events not seen before (each is then remembered)."""
        ...

    def forget(self, event_id: str) -> None:
        """Drop an id (processing it failed, so a redelivery should be accepted)."""
        ...


class Deduplicator:
    """A bounded, thread-safe LRU of seen event ids, each remembered for `ttl_seconds`.

    `seen(id)` answers whether the id was seen (within the TTL) and records it; `filter(events)`
    keeps the events whose `id` is new. Providers retry failed deliveries for up to ~20 minutes
    (some providers retry after 10 s, 100 s and 1000 s), so the default TTL is one hour.
    """

    def __init__(
        self,
        max_size: int = 100_000,
        ttl_seconds: float = 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_size < 1:
            raise ValueError("max_size must be at least 1")
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self.max_size = max_size
        self.ttl_seconds = ttl_seconds
        self._clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._seen)

    def seen(self, event_id: str) -> bool:
        """True when `event_id` was seen within the TTL; records it (refreshing its age)."""
        now = self._clock()
        with self._lock:
            self._expire(now)
            stamp = self._seen.pop(event_id, None)
            self._seen[event_id] = now
            while len(self._seen) > self.max_size:
                self._seen.popitem(last=False)
            return stamp is not None and now - stamp < self.ttl_seconds

    def filter(self, events: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The events not seen before (each is then remembered)."""
        return [event for event in events if not self.seen(str(event["id"]))]

    def forget(self, event_id: str) -> None:
        """Drop an id (e.g. when processing it failed and a redelivery should be accepted)."""
        with self._lock:
            self._seen.pop(event_id, None)

    def _expire(self, now: float) -> None:
        while self._seen:
            oldest_id, stamp = next(iter(self._seen.items()))
            if now - stamp < self.ttl_seconds:
                return
            del self._seen[oldest_id]
