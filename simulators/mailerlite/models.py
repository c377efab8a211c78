"""The simulator's records: plain dataclasses held by `State`.

Timestamps are stored already formatted the REST way (`YYYY-MM-DD HH:MM:SS`, UTC) because that is
how they are read far more often than they are written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

STATUSES: tuple[str, ...] = ("active", "unsubscribed", "unconfirmed", "bounced", "junk")
"""Every subscriber status MailerLite knows."""

INACTIVE_STATUSES: frozenset[str] = frozenset({"unsubscribed", "bounced", "junk"})
"""Statuses the API may not turn back into `active`/`unconfirmed` (anti-abuse rule)."""

FIELD_TYPES: tuple[str, ...] = ("text", "number", "date")
"""Custom field types."""

WEBHOOK_EVENTS: tuple[str, ...] = (
    "subscriber.created",
    "subscriber.updated",
    "subscriber.unsubscribed",
    "subscriber.added_to_group",
    "subscriber.removed_from_group",
    "subscriber.bounced",
    "subscriber.automation_triggered",
    "subscriber.automation_completed",
    "subscriber.spam_reported",
    "subscriber.deleted",
    "subscriber.active",
    "campaign.sent",
    "campaign.click",
    "campaign.open",
)
"""The 14 webhook event names of the current docs revision."""

BATCHABLE_ONLY_EVENTS: frozenset[str] = frozenset(
    {"subscriber.deleted", "campaign.open", "campaign.click"}
)
"""Events that may only be subscribed by a webhook with `batchable: true`."""


@dataclass(slots=True, eq=False)
class Subscriber:
    """One subscriber of the account."""

    id: int
    email: str
    status: str
    source: str
    created_at: str
    updated_at: str
    subscribed_at: str | None
    unsubscribed_at: str | None = None
    ip_address: str | None = None
    opted_in_at: str | None = None
    optin_ip: str | None = None
    sent: int = 0
    opens_count: int = 0
    clicks_count: int = 0
    fields: dict[str, Any] = field(default_factory=dict)
    groups: set[int] = field(default_factory=set)


@dataclass(slots=True, eq=False)
class Group:
    """A group; counts and sums are maintained incrementally by `State`."""

    id: int
    name: str
    created_at: str
    members: list[int] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    sent_count: int = 0
    opens_count: int = 0
    clicks_count: int = 0


@dataclass(slots=True, frozen=True)
class Condition:
    """One segment condition.

    * `kind="status"`: the subscriber's status equals `value`.
    * `kind="field"`: the value of field `key` equals `value` (`op="equals"`, compared as text)
      or contains it case-insensitively (`op="contains"`).
    * `kind="group"`: the subscriber is a member of the group whose id is `value`.
    """

    kind: Literal["status", "field", "group"]
    value: str
    key: str | None = None
    op: Literal["equals", "contains"] = "equals"


@dataclass(slots=True, eq=False)
class Segment:
    """A segment: a name plus conditions that must all hold (evaluated over live data)."""

    id: int
    name: str
    created_at: str
    conditions: tuple[Condition, ...]


@dataclass(slots=True, eq=False)
class Field:
    """A subscriber field (one of the eight defaults or a custom one)."""

    id: int
    name: str
    key: str
    type: str
    is_default: bool


@dataclass(slots=True, eq=False)
class Webhook:
    """A registered webhook."""

    id: int
    name: str
    url: str
    events: list[str]
    enabled: bool
    batchable: bool
    secret: str
    created_at: str
    updated_at: str
    is_blocked: bool = False
    version: str = "2022-01"
    last_fired_at: str | None = None
    response_code: int | None = None


@dataclass(slots=True, frozen=True)
class Event:
    """A subscriber change to announce to webhooks.

    `subscriber` is the webhook-form snapshot taken when the change happened; `group` is
    `{"id", "name"}` for group events and `None` otherwise.
    """

    name: str
    subscriber: dict[str, Any]
    group: dict[str, str] | None = None
