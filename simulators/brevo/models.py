"""The records of one simulated Brevo account (plain mutable dataclasses)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Contact:
    """A contact: integer id, optional email, upper-case attributes, list memberships."""

    id: int
    email: str | None
    created_at: str
    modified_at: str
    attributes: dict[str, Any] = field(default_factory=dict)
    email_blacklisted: bool = False
    sms_blacklisted: bool = False
    ext_id: str | None = None
    list_ids: set[int] = field(default_factory=set)


@dataclass(slots=True)
class ContactList:
    """A static list inside a folder; `members` holds contact ids."""

    id: int
    name: str
    folder_id: int
    created_at: str
    members: set[int] = field(default_factory=set)


@dataclass(slots=True)
class Folder:
    """A folder of lists."""

    id: int
    name: str


@dataclass(slots=True)
class Attribute:
    """A contact attribute (`category` normal, category, transactional, calculated, global)."""

    name: str
    category: str
    type: str | None
    enumeration: list[dict[str, Any]] | None = None
    calculated_value: str | None = None


@dataclass(slots=True)
class Segment:
    """A segment: a saved filter; membership is `attribute == value` (or every contact)."""

    id: int
    name: str
    category_name: str
    updated_at: str
    attribute: str | None = None
    value: Any = None


@dataclass(slots=True)
class Webhook:
    """A registered webhook (`type` marketing or transactional)."""

    id: int
    url: str
    description: str
    events: list[str]
    type: str
    created_at: str
    modified_at: str
    batched: bool = False
    auth: dict[str, Any] | None = None
    headers: list[dict[str, str]] | None = None


@dataclass(slots=True, frozen=True)
class Event:
    """A marketing event to announce: its Brevo name and the payload fields it carries."""

    name: str
    fields: dict[str, Any]
