"""The records of a simulated Mailchimp account (plain dataclasses, mutated only by `State`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

MEMBER_STATUSES: tuple[str, ...] = (
    "subscribed",
    "unsubscribed",
    "cleaned",
    "pending",
    "transactional",
    "archived",
)
"""Every member status the API reports (the `status` filter accepts each of them)."""

WRITABLE_STATUSES: tuple[str, ...] = MEMBER_STATUSES[:5]
"""Statuses a client may set (`archived` only comes from DELETE)."""

MERGE_TYPES: tuple[str, ...] = (
    "text",
    "number",
    "address",
    "phone",
    "date",
    "url",
    "imageurl",
    "radio",
    "dropdown",
    "birthday",
    "zip",
)
"""Merge field types accepted by `POST /lists/{list_id}/merge-fields`."""

WEBHOOK_EVENTS: tuple[str, ...] = (
    "subscribe",
    "unsubscribe",
    "profile",
    "cleaned",
    "upemail",
    "campaign",
)
"""Audience webhook event flags."""

WEBHOOK_SOURCES: tuple[str, ...] = ("user", "admin", "api")
"""Audience webhook source flags (a change made through the API fires only with `api`)."""


@dataclass(slots=True)
class MergeField:
    """An audience-scoped custom field; members store values under its `tag`."""

    merge_id: int
    tag: str
    name: str
    type: str
    required: bool = False
    default_value: str = ""
    public: bool = True
    display_order: int = 1
    options: dict[str, Any] = field(default_factory=dict)
    help_text: str = ""


@dataclass(slots=True)
class Member:
    """One email address in one audience; `id` is the MD5 of the lower-cased address."""

    id: str
    email_address: str
    unique_email_id: str
    contact_id: str
    web_id: int
    status: str
    merge_fields: dict[str, Any]
    email_type: str = "html"
    language: str = ""
    vip: bool = False
    ip_signup: str = ""
    timestamp_signup: str = ""
    ip_opt: str = ""
    timestamp_opt: str = ""
    last_changed: str = ""
    member_rating: int = 2
    source: str = "API - Generic"
    unsubscribe_reason: str = ""
    tags: set[int] = field(default_factory=set)
    stats: tuple[float, float] = (0.0, 0.0)


@dataclass(slots=True)
class Segment:
    """A segment (`saved`: conditions) or a tag (`static`: an explicit member set)."""

    id: int
    name: str
    type: str
    created_at: str
    updated_at: str
    match: str = "all"
    conditions: list[dict[str, Any]] = field(default_factory=list)
    members: set[str] = field(default_factory=set)


@dataclass(slots=True)
class Webhook:
    """An audience webhook: a callback URL plus event and source flags."""

    id: str
    url: str
    events: dict[str, bool]
    sources: dict[str, bool]


@dataclass(slots=True)
class Audience:
    """An audience (a "list" in API paths) with everything scoped to it."""

    id: str
    web_id: int
    name: str
    contact: dict[str, Any]
    permission_reminder: str
    campaign_defaults: dict[str, Any]
    email_type_option: bool
    date_created: str
    double_optin: bool = False
    notify_on_subscribe: str = ""
    notify_on_unsubscribe: str = ""
    visibility: str = "pub"
    members: dict[str, Member] = field(default_factory=dict)
    merge_fields: dict[int, MergeField] = field(default_factory=dict)
    segments: dict[int, Segment] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    forgotten: set[str] = field(default_factory=set)
    next_merge_id: int = 1


@dataclass(slots=True, frozen=True)
class Event:
    """A change a webhook may announce: its type, the audience, and the form `data[...]` pairs."""

    type: str
    list_id: str
    data: dict[str, Any]
    source: str = "api"
