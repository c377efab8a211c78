"""Brevo's rate limits and their headers.

Documented general limits: every endpoint under `/v3/contacts/...` 10 requests per second,
"all other endpoints" 100 requests per hour (RPS/RPH per account). Every rate-limited answer
carries `x-sib-ratelimit-limit`, `x-sib-ratelimit-remaining` and `x-sib-ratelimit-reset`
(time left until the window resets, in seconds). A refused request is
`429 Too Many Requests` with those headers and no `Retry-After`.
"""

from __future__ import annotations

from simulators.core.clock import Clock
from simulators.core.ratelimit import Decision, FixedWindowLimiter

CONTACTS_LIMIT = (10, 1.0)
OTHER_LIMIT = (100, 3600.0)
TOO_MANY = {"code": "too_many_requests", "message": "Too Many Requests"}


def sib_headers(decision: Decision) -> dict[str, str]:
    """`x-sib-ratelimit-*` for one decision (reset: whole seconds left in the window)."""
    return {
        "x-sib-ratelimit-limit": str(decision.limit),
        "x-sib-ratelimit-remaining": str(decision.remaining),
        "x-sib-ratelimit-reset": str(decision.retry_after),
    }


class BrevoLimits:
    """Two fixed-window limiters per key: contacts endpoints and everything else.

    `override` (requests, seconds) applies one limit to every endpoint instead.
    """

    def __init__(self, clock: Clock, override: tuple[int, float] | None = None) -> None:
        contacts = override or CONTACTS_LIMIT
        other = override or OTHER_LIMIT
        self.contacts = FixedWindowLimiter(contacts[0], contacts[1], clock)
        self.other = FixedWindowLimiter(other[0], other[1], clock)

    def hit(self, key: str, path: str) -> Decision:
        """Count one request on the limiter its path belongs to."""
        clean = path.strip("/")
        limiter = self.contacts if clean.startswith("v3/contacts") else self.other
        return limiter.hit(key)
