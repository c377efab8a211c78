"""Clocks for the simulator: the real one, and a manual one tests can advance.

The simulator reads time in two ways: a monotonic reading in seconds (rate-limit windows) and the
current UTC wall-clock time (timestamps written on created or updated records). Both come from one
`Clock` so tests can compress time with `FakeClock.advance()`.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

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


class FakeClock:
    """A manual clock for tests: time only moves when `advance()` is called.

    `start` is the initial wall-clock time (UTC); the monotonic reading starts at 0.
    """

    def __init__(self, start: datetime | None = None) -> None:
        self._start = start or datetime(2025, 1, 1, tzinfo=UTC)
        self._offset = 0.0
        self._lock = threading.Lock()

    def monotonic(self) -> float:
        """Seconds advanced so far."""
        with self._lock:
            return self._offset

    def utcnow(self) -> datetime:
        """The start time plus every advance so far."""
        with self._lock:
            return self._start + timedelta(seconds=self._offset)

    def advance(self, seconds: float) -> None:
        """Move time forward by `seconds` (must not be negative)."""
        if seconds < 0:
            raise ValueError("a clock cannot go backwards")
        with self._lock:
            self._offset += seconds


def rest_timestamp(moment: datetime) -> str:
    """Format a datetime the way MailerLite's REST responses do: `YYYY-MM-DD HH:MM:SS` (UTC)."""
    return moment.astimezone(UTC).strftime(REST_FORMAT)


def iso_timestamp(rest_value: str | None) -> str | None:
    """Turn a REST timestamp into the webhook form `YYYY-MM-DDTHH:MM:SS.000000Z`."""
    if rest_value is None:
        return None
    return rest_value.replace(" ", "T") + ".000000Z"
