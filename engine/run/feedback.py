"""What a response says about the server's rate limits, and telling the limiter about it.

A provider names its headers in `rate_limits` (any names): the requests left, the limit, when
the window resets (`reset_header`, in `reset_unit`), and `Retry-After`. `read_view` turns one
response's headers into a `ServerView`; `tell_limiter` tightens the rate limiter with it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from engine.http_headers import parse_retry_after
from engine.run.ratelimit import RateLimiter

if TYPE_CHECKING:
    from engine.format.provider import RateLimits, ResetUnit

__all__ = ["ServerView", "parse_reset", "read_view", "tell_limiter"]


def parse_reset(value: str | None, unit: ResetUnit, now_epoch: float) -> float | None:
    """Seconds from now until a rate-limit window resets, from a reset header's value.

    `unit` says what the value is: `seconds` (a delay), `epoch_seconds` or `epoch_ms` (a Unix
    timestamp, measured from `now_epoch`). A moment in the past gives 0.0; a missing, negative
    or unparseable value gives None.
    """
    if value is None:
        return None
    try:
        number = float(value.strip())
    except ValueError:
        return None
    if not math.isfinite(number) or number < 0:
        return None
    if unit == "epoch_ms":
        number = number / 1000 - now_epoch
    elif unit == "epoch_seconds":
        number -= now_epoch
    return max(0.0, number)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _header(headers: Mapping[str, str], name: str | None) -> str | None:
    """A header by name from lower-cased `headers` (None when not declared or absent)."""
    return headers.get(name.lower()) if name else None


@dataclass(frozen=True)
class ServerView:
    """The rate-limit headers of one response (None where absent or not declared)."""

    remaining: int | None
    limit: int | None
    retry_after: float | None
    reset_in: float | None

    def retry_hint(self, status: int) -> float | None:
        """Seconds the server asks us to wait before retrying: `Retry-After`, or for a 429
        without it, the time until the window resets; None leaves it to backoff."""
        if self.retry_after is not None:
            return self.retry_after
        return self.reset_in if status == 429 else None

    @property
    def exhausted(self) -> bool:
        """The server says no request is left in the window."""
        return self.remaining is not None and self.remaining <= 0


def read_view(limits: RateLimits, headers: Mapping[str, str], now_epoch: float) -> ServerView:
    """Read the declared rate-limit headers from lower-cased response `headers`."""
    return ServerView(
        remaining=_int(_header(headers, limits.remaining_header)),
        limit=_int(_header(headers, limits.limit_header)),
        retry_after=parse_retry_after(
            _header(headers, limits.retry_after_header), datetime.fromtimestamp(now_epoch, UTC)
        ),
        reset_in=parse_reset(_header(headers, limits.reset_header), limits.reset_unit, now_epoch),
    )


def tell_limiter(
    limiter: RateLimiter,
    key: str,
    limits: RateLimits,
    request_buckets: Sequence[str],
    status: int,
    view: ServerView,
    cap: float,
) -> None:
    """Tighten `limiter` from one response.

    The header bucket takes the remaining/limit counts, the sends the server counted expiring
    when its window resets (so nothing is left means waiting until the reset); a 429 its
    exhaustion explains blocks it for the Retry-After (or reset) time. A 429 the header
    bucket does not explain blocks the request's other rate buckets instead. Waits are
    capped at `cap` seconds.
    """
    rate = {b.name for b in limits.buckets if b.concurrency is None}
    others = [b for b in dict.fromkeys(request_buckets) if b in rate and b != limits.header_bucket]
    hint = view.retry_hint(status)
    block = min(hint, cap) if hint is not None else None
    header_bucket = limits.header_bucket if limits.header_bucket in rate else None
    if header_bucket is not None:
        explained = view.remaining is None or view.exhausted
        limiter.observe(
            key,
            header_bucket,
            view.remaining,
            view.limit,
            block if explained and status == 429 else None,
            reset_in=view.reset_in if view.reset_in is not None else block,
        )
        if status == 429 and not explained:
            for bucket in others:
                limiter.observe(key, bucket, None, None, block)
    elif status == 429:
        for bucket in others:
            limiter.observe(key, bucket, None, None, block)
