"""The records of one simulated Kit account and their JSON shapes (Kit v4 OpenAPI examples)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

STATES: tuple[str, ...] = ("active", "inactive", "bounced", "complained", "cancelled")
"""Subscriber states (`state` on the subscriber, `status` in list filters)."""


def iso(moment: datetime) -> str:
    """Kit's timestamp form: `2023-02-17T11:43:55Z` (UTC, whole seconds)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(slots=True)
class Subscriber:
    """One subscriber; `fields` holds only values that were set (key -> value)."""

    id: int
    email_address: str
    first_name: str | None
    state: str
    created_at: datetime
    updated_at: datetime
    fields: dict[str, str | None] = field(default_factory=dict)
    tags: dict[int, datetime] = field(default_factory=dict)
    """Tag id -> when the subscriber was tagged."""
    canceled_at: datetime | None = None


@dataclass(slots=True)
class Tag:
    """One tag (Kit's only list-like grouping a subscriber can be added to and removed from)."""

    id: int
    name: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """`{id, name, created_at}`."""
        return {"id": self.id, "name": self.name, "created_at": iso(self.created_at)}


@dataclass(slots=True)
class CustomField:
    """One custom field: `key` is derived from the label; `name` is `ck_field_<id>_<key>`."""

    id: int
    label: str
    key: str

    @property
    def name(self) -> str:
        """Kit's internal field name."""
        return f"ck_field_{self.id}_{self.key}"

    def to_json(self) -> dict[str, Any]:
        """`{id, name, key, label}`."""
        return {"id": self.id, "name": self.name, "key": self.key, "label": self.label}


@dataclass(slots=True)
class Segment:
    """A saved segment (read-only through the API)."""

    id: int
    name: str
    created_at: datetime

    def to_json(self) -> dict[str, Any]:
        """`{id, name, created_at}`."""
        return {"id": self.id, "name": self.name, "created_at": iso(self.created_at)}


@dataclass(slots=True)
class Webhook:
    """A webhook subscription: one event (with its parameter) and a target URL."""

    id: int
    account_id: int
    event: dict[str, Any]
    target_url: str

    def to_json(self) -> dict[str, Any]:
        """`{id, account_id, event, target_url}`."""
        return {
            "id": self.id,
            "account_id": self.account_id,
            "event": dict(self.event),
            "target_url": self.target_url,
        }
