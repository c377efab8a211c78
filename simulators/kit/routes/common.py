"""Helpers shared by the route modules: filters on dates and subscriber states."""

from __future__ import annotations

from datetime import UTC, datetime

from simulators.kit.errors import invalid
from simulators.kit.models import STATES, Subscriber


def parse_moment(name: str, text: str) -> datetime:
    """A `yyyy-mm-dd` date or ISO-8601 time from a filter parameter (UTC when naive)."""
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid(f"{name} is not a valid date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def status_filter(query: dict[str, str]) -> str | None:
    """The `status` filter: `active` by default (Kit's default), None for `all`."""
    status = query.get("status") or "active"
    if status == "all":
        return None
    if status not in STATES:
        raise invalid(f"Status must be one of {', '.join((*STATES, 'all'))}")
    return status


def in_window(moment: datetime, query: dict[str, str], prefix: str) -> bool:
    """`<prefix>_after` / `<prefix>_before` bounds (after inclusive, before exclusive)."""
    after, before = query.get(f"{prefix}_after"), query.get(f"{prefix}_before")
    if after and moment < parse_moment(f"{prefix}_after", after):
        return False
    return not (before and moment >= parse_moment(f"{prefix}_before", before))


def matches_state(sub: Subscriber, status: str | None) -> bool:
    """Whether the subscriber passes the status filter (None = every state)."""
    return status is None or sub.state == status
