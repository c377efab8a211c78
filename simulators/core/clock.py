"""Clocks for the simulator: the real one, and a manual one tests can advance.

The simulator reads time in two ways: a monotonic reading in seconds (rate-limit windows) and the
current UTC wall-clock time (timestamps written on created or updated records). Both come from one
`Clock` so tests can compress time with `FakeClock.advance()`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

from engine.run.clock import FakeClock as EngineFakeClock

REST_FORMAT = "%Y-%m-%d %H:%M:%S"


class Clock(Protocol):
    """What the simulator needs from a clock."""

    def monotonic(self) -> float:
        """Seconds on a monotonic scale (only differences are meaningful)."""
        ...

    def utcnow(self) -> datetime:
        """The current time as a timezone-aware UTC datetime."""
        ...


class SystemClock:
    """The real clock: `time.monotonic()` and `datetime.now(UTC)`."""

    def monotonic(self) -> float:
        """Seconds from `time.monotonic()`."""
        return time.monotonic()

    def utcnow(self) -> datetime:
        """The current UTC time."""
        return datetime.now(UTC)


class FakeClock(EngineFakeClock):
    """The engine's fake clock plus a wall-clock reading, so one clock can drive both sides.

    Give the same instance to a simulator and to `Engine.load(clock=...)`: the engine's pacing
    sleeps advance it instantly, and the simulator's rate windows and timestamps see that time,
    so paced tests run in fake time. `start` is the wall-clock time (UTC) at monotonic 0.
    """

    def __init__(self, start: datetime | None = None, *, auto_advance: bool = True) -> None:
        self._start = start or datetime(2025, 1, 1, tzinfo=UTC)
        # The engine's wall clock (`time()`, for reset headers) agrees with `utcnow()`.
        super().__init__(0.0, auto_advance=auto_advance, epoch=self._start.timestamp())

    def utcnow(self) -> datetime:
        """The start time plus the time passed on this clock."""
        return self._start + timedelta(seconds=self.monotonic())


def rest_timestamp(moment: datetime) -> str:
    """Format a datetime the way MailerLite's REST responses do: `YYYY-MM-DD HH:MM:SS` (UTC)."""
    return moment.astimezone(UTC).strftime(REST_FORMAT)


def iso_timestamp(rest_value: str | None) -> str | None:
    """Turn a REST timestamp into the webhook form `YYYY-MM-DDTHH:MM:SS.000000Z`."""
    if rest_value is None:
        return None
    return rest_value.replace(" ", "T") + ".000000Z"
