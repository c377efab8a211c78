"""Time sources for the run-time policies.

Everything that waits (the rate limiter, the retry loop in the drivers) asks a `Clock` for the
time and for sleeping, so tests can swap in a `FakeClock` and run hours of pacing in
milliseconds.
"""

from __future__ import annotations

import threading
import time
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """A monotonic time source that can also sleep, blocking or asynchronously."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale (only differences are meaningful)."""
        ...

    def time(self) -> float:
        """Seconds since the Unix epoch (wall clock), for headers giving absolute times."""
        ...

    def sleep(self, seconds: float) -> None:
        """Block the calling thread for `seconds` (non-positive values return at once)."""
        ...

    async def asleep(self, seconds: float) -> None:
        """Suspend the calling task for `seconds` without blocking the event loop."""
        ...


class SystemClock:
    """The real clock: `time.monotonic`, `time.sleep` and `anyio.sleep`.

    `anyio.sleep` works under asyncio and trio alike, so the async path is backend-neutral.
    """

    def monotonic(self) -> float:
        """`time.monotonic()`."""
        return time.monotonic()

    def time(self) -> float:
        """`time.time()`."""
        return time.time()

    def sleep(self, seconds: float) -> None:
        """`time.sleep(seconds)` when `seconds` is positive."""
        if seconds > 0:
            time.sleep(seconds)

    async def asleep(self, seconds: float) -> None:
        """`await anyio.sleep(seconds)`; always yields to the event loop once."""
        import anyio  # loaded by async callers only: a blocking command never needs it

        await anyio.sleep(max(0.0, seconds))

    def __repr__(self) -> str:
        return "SystemClock()"


class FakeClock:
    """A deterministic clock for tests; thread-safe.

    By default (`auto_advance=True`) sleeping advances the clock by the requested amount and
    returns immediately, so code that paces itself runs instantly while still observing the time
    it would have waited. Every sleep is recorded in `sleeps`.

    Note that with several threads or tasks each sleeper advances the shared clock by its own
    amount, so concurrent sleeps add up instead of overlapping: time on a `FakeClock` only ever
    moves forward, never slower than real time would, which is what pacing tests need.

    With `auto_advance=False` a sleeper blocks (threads) or keeps yielding (tasks) until the test
    moves time past its deadline with `advance()`; `wait_for_sleepers()` lets a test wait until a
    given number of threads or tasks are parked, to stage exact interleavings.
    """

    def __init__(
        self, start: float = 0.0, *, auto_advance: bool = True, epoch: float = 1_767_225_600.0
    ) -> None:
        """Start the clock at `start` seconds; wall time (`time()`) is `epoch + elapsed`."""
        self._now = float(start)
        self._epoch = float(epoch) - float(start)
        self._auto = auto_advance
        self._cond = threading.Condition(threading.Lock())
        self._sleeps: list[float] = []
        self._sleepers = 0

    def monotonic(self) -> float:
        """The current fake time."""
        with self._cond:
            return self._now

    def time(self) -> float:
        """The fake wall-clock time: `epoch` plus the time advanced since the start."""
        with self._cond:
            return self._epoch + self._now

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` and wake sleepers whose deadline has passed."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._cond:
            self._now += seconds
            self._cond.notify_all()

    def sleep(self, seconds: float) -> None:
        """Record the sleep; advance time (auto mode) or block until `advance()` reaches it."""
        seconds = max(0.0, seconds)
        with self._cond:
            self._sleeps.append(seconds)
            if self._auto:
                self._now += seconds
                return
            deadline = self._now + seconds
            self._sleepers += 1
            self._cond.notify_all()
            try:
                while self._now < deadline:
                    self._cond.wait()
            finally:
                self._sleepers -= 1

    async def asleep(self, seconds: float) -> None:
        """Async `sleep`; always yields to the event loop at least once."""
        import anyio

        seconds = max(0.0, seconds)
        with self._cond:
            self._sleeps.append(seconds)
            if self._auto:
                self._now += seconds
                deadline = self._now
            else:
                deadline = self._now + seconds
                self._sleepers += 1
                self._cond.notify_all()
        if self._auto:
            await anyio.sleep(0)
            return
        try:
            while self.monotonic() < deadline:
                await anyio.sleep(0.0005)
        finally:
            with self._cond:
                self._sleepers -= 1
                self._cond.notify_all()

    def wait_for_sleepers(self, count: int, timeout: float = 5.0) -> None:
        """Block (really) until at least `count` callers are parked in a manual-mode sleep."""
        end = time.monotonic() + timeout
        with self._cond:
            while self._sleepers < count:
                left = end - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"{self._sleepers} sleepers, expected {count}")
                self._cond.wait(left)

    @property
    def sleepers(self) -> int:
        """How many callers are parked in a manual-mode sleep right now."""
        with self._cond:
            return self._sleepers

    @property
    def sleeps(self) -> list[float]:
        """A copy of every sleep requested so far, in call order."""
        with self._cond:
            return list(self._sleeps)

    @property
    def total_slept(self) -> float:
        """The sum of all requested sleeps."""
        with self._cond:
            return sum(self._sleeps)

    def __repr__(self) -> str:
        return f"FakeClock(now={self.monotonic()!r})"
