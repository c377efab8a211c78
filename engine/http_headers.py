"""Reading HTTP response headers that drive pacing and retries."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime

_SECONDS = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*$")


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Parse a `Retry-After` header into seconds to wait (not capped; the retry policy caps).

    Accepts delay-seconds (`"119"`, tolerantly `"1.5"`) and an HTTP-date
    (`"Wed, 21 Oct 2015 07:28:00 GMT"`), the latter measured from `now` (default: the current
    UTC time; a naive `now` is taken as UTC). A date in the past gives 0.0. Missing, empty,
    negative or unparseable values give None.
    """
    if value is None:
        return None
    match = _SECONDS.match(value)
    if match:
        seconds = float(match.group(1))
        return seconds if math.isfinite(seconds) else None
    from email.utils import parsedate_to_datetime  # an HTTP date: rare, and a heavy import

    try:
        when = parsedate_to_datetime(value.strip())
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    if now is None:
        now = datetime.now(UTC)
    elif now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
