"""Concurrency buckets: at most N requests of one account in flight at once.

A provider may cap simultaneous connections rather than (or besides) requests per period,
e.g. `{name: connections, concurrency: 10}`. `ConcurrencyLimiter` holds one counter per
(account, bucket); a sender takes a slot in every concurrency bucket of a request before an
attempt goes out and gives it back once the response is read (never while it sleeps before a
retry). One instance serves every thread and every asyncio task of the process: a
`threading.Condition` wakes blocked threads, and waiting tasks are woken through their own
event loop (`call_soon_threadsafe`), so the event loop is never blocked. Under another async
backend (trio) a waiting task polls every millisecond instead.

`ConcurrencySlots` is the interface the senders use; `engine.run.redis_slots` implements it
for several workers sharing one Redis (leases that expire when a worker dies).
"""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable, Iterator, Mapping, Sequence
from contextlib import (
    AbstractAsyncContextManager,
    AbstractContextManager,
    asynccontextmanager,
    contextmanager,
    suppress,
)
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    import asyncio

__all__ = ["ConcurrencyLimiter", "ConcurrencySlots"]

_POLL_SECONDS = 0.001


@runtime_checkable
class ConcurrencySlots(Protocol):
    """What a sender needs of a concurrency store (in process, or shared through Redis)."""

    @property
    def caps(self) -> dict[str, int]:
        """The declared caps by bucket name."""
        ...

    def relevant(self, buckets: Sequence[str]) -> tuple[str, ...]:
        """The names in `buckets` that are concurrency buckets."""
        ...

    def in_flight(self, key: str, bucket: str) -> int:
        """Slots of `bucket` currently held for `key`."""
        ...

    def hold(self, key: str, buckets: Sequence[str]) -> AbstractContextManager[None]:
        """Block until a slot of every concurrency bucket in `buckets` is free; hold them."""
        ...

    def ahold(self, key: str, buckets: Sequence[str]) -> AbstractAsyncContextManager[None]:
        """Async `hold`; a task cancelled while waiting takes nothing."""
        ...


class ConcurrencyLimiter:
    """Per-account caps on requests in flight, shared by threads and tasks.

    Args:
        caps: bucket name → most requests of one account in flight at once.
    """

    def __init__(self, caps: Mapping[str, int]) -> None:
        """Build a limiter for the declared concurrency buckets."""
        for name, cap in caps.items():
            if cap < 1:
                raise ValueError(f"bucket {name!r}: concurrency must be at least 1")
        self._caps = dict(caps)
        self._cond = threading.Condition(threading.Lock())
        self._counts: dict[tuple[str, str], int] = {}
        self._wakers: list[Callable[[], None]] = []

    def __repr__(self) -> str:
        caps = ", ".join(f"{name}={cap}" for name, cap in self._caps.items())
        return f"ConcurrencyLimiter({caps})"

    @property
    def caps(self) -> dict[str, int]:
        """The declared caps by bucket name (a copy)."""
        return dict(self._caps)

    def in_flight(self, key: str, bucket: str) -> int:
        """Slots of `bucket` currently held for `key`."""
        with self._cond:
            return self._counts.get((key, bucket), 0)

    def relevant(self, buckets: Sequence[str]) -> tuple[str, ...]:
        """The names in `buckets` that are concurrency buckets of this limiter."""
        return tuple(dict.fromkeys(name for name in buckets if name in self._caps))

    @contextmanager
    def hold(self, key: str, buckets: Sequence[str]) -> Iterator[None]:
        """Block until a slot of every concurrency bucket in `buckets` is free, hold them."""
        names = self.relevant(buckets)
        with self._cond:
            while not self._take(key, names):
                self._cond.wait()
        try:
            yield
        finally:
            self._release(key, names)

    @asynccontextmanager
    async def ahold(self, key: str, buckets: Sequence[str]) -> AsyncIterator[None]:
        """Async `hold`: the task waits without blocking its event loop; cancelling a waiting
        task takes nothing."""
        names = self.relevant(buckets)
        await self._await_slots(key, names)
        try:
            yield
        finally:
            self._release(key, names)

    def _take(self, key: str, names: tuple[str, ...]) -> bool:
        """Take a slot in every bucket if all have one free (call with the lock held)."""
        if any(self._counts.get((key, name), 0) >= self._caps[name] for name in names):
            return False
        for name in names:
            self._counts[(key, name)] = self._counts.get((key, name), 0) + 1
        return True

    def _release(self, key: str, names: tuple[str, ...]) -> None:
        with self._cond:
            for name in names:
                self._counts[(key, name)] -= 1
            self._cond.notify_all()
            wakers = list(self._wakers)
        for wake in wakers:
            wake()

    async def _await_slots(self, key: str, names: tuple[str, ...]) -> None:
        import asyncio  # loaded by async callers only: a blocking command never needs it

        import anyio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not asyncio (e.g. trio): poll
            while True:
                with self._cond:
                    if self._take(key, names):
                        return
                await anyio.sleep(_POLL_SECONDS)
        while True:
            woken: asyncio.Future[None] = loop.create_future()

            def wake(future: asyncio.Future[None] = woken) -> None:
                # A closed loop has nobody waiting any more.
                with suppress(RuntimeError):
                    loop.call_soon_threadsafe(_resolve, future)

            with self._cond:
                if self._take(key, names):
                    return
                self._wakers.append(wake)
            try:
                await woken
            finally:
                with self._cond:
                    self._wakers.remove(wake)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
