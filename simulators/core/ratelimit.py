"""Request rate limiting: a fixed-window counter per API token.

A window opens with the first request of a token and lasts `window` seconds; at most `limit`
requests are allowed inside it. A refused request is not counted. `Retry-After` is the whole
number of seconds (at least 1) until the window closes. MailerLite's limiter is Laravel's, which
is also a fixed window, so a burst right before and right after a window edge is allowed, as in
production.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

from simulators.core.clock import Clock


@dataclass(slots=True, frozen=True)
class Decision:
    """The outcome of one `hit`: whether it is allowed and what the headers should say."""

    allowed: bool
    limit: int
    remaining: int
    retry_after: int

    def headers(self) -> dict[str, str]:
        """`X-RateLimit-Limit`/`X-RateLimit-Remaining`, plus `Retry-After` when refused."""
        out = {"x-ratelimit-limit": str(self.limit), "x-ratelimit-remaining": str(self.remaining)}
        if not self.allowed:
            out["retry-after"] = str(self.retry_after)
        return out


class FixedWindowLimiter:
    """`limit` requests per `window` seconds per key, on an injectable clock."""

    def __init__(self, limit: int, window: float, clock: Clock) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("a rate limit needs limit >= 1 and window > 0")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()
        self.refused = 0
        """Requests refused so far (answered 429): the sandbox's `rate_limited` count."""

    def hit(self, key: str) -> Decision:
        """Count one request for `key` if the window still has room."""
        now = self._clock.monotonic()
        with self._lock:
            start, used = self._windows.get(key, (now, 0))
            if now >= start + self.window:
                start, used = now, 0
            retry_after = max(1, math.ceil(start + self.window - now))
            if used >= self.limit:
                self._windows[key] = (start, used)
                self.refused += 1
                return Decision(False, self.limit, 0, retry_after)
            used += 1
            self._windows[key] = (start, used)
            return Decision(True, self.limit, self.limit - used, retry_after)

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()


def parse_rate(text: str) -> tuple[int, float]:
    """Parse `N/SECONDS` (e.g. `120/60`, `5/0.5`) into `(N, SECONDS)`."""
    count, _, seconds = text.partition("/")
    try:
        limit = int(count)
        window = float(seconds) if seconds else 60.0
    except ValueError:
        raise ValueError(f"expected N/SECONDS, got {text!r}") from None
    if limit < 1 or window <= 0:
        raise ValueError(f"expected N >= 1 and SECONDS > 0, got {text!r}")
    return limit, window
