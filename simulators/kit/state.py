"""The state of one simulated Kit account: subscribers, tags, custom fields, segments, webhooks.

Facts kept (Kit v4 OpenAPI, developers.kit.com):

* a subscriber cannot be deleted; `unsubscribe` sets `state` to `cancelled`;
* `POST /subscribers` is an upsert by email (case-insensitive): an existing subscriber gets its
  first name (and given fields) updated, never its state ("Updating the subscriber state with this
  endpoint is not supported");
* unknown custom field keys are ignored and reported in `warnings`;
* `fields` always lists every custom field key of the account, `null` when unset;
* tag names are unique: creating an existing name answers the existing tag (200).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simulators.core.clock import Clock
from simulators.kit.errors import invalid, not_found
from simulators.kit.models import CustomField, Segment, Subscriber, Tag, Webhook, iso

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class IdSequence:
    """Deterministic, strictly increasing integer ids for one kind of record."""

    def __init__(self, seed: int, kind: str, start: int, max_step: int) -> None:
        self._rng = random.Random(f"{kind}:{seed}")
        self._last = start + self._rng.randrange(start // 10 + 1)
        self._max_step = max_step

    def next(self) -> int:
        """The next id."""
        self._last += 1 + self._rng.randrange(self._max_step)
        return self._last


@dataclass(slots=True, frozen=True)
class Event:
    """Something webhooks may announce: the event name, its parameter, and the payload."""

    name: str
    payload: dict[str, Any]
    tag_id: int | None = None


def field_key(label: str) -> str:
    """The key Kit derives from a custom field label (`Last Name` -> `last_name`)."""
    return re.sub(r"[^a-z0-9]+", "_", label.strip().lower()).strip("_")


class State:
    """Every record of the account plus the events produced by the current request."""

    def __init__(self, seed: int, clock: Clock, account_id: int) -> None:
        self.clock = clock
        self.account_id = account_id
        self.subscriber_ids = IdSequence(seed, "subscribers", 2_000_000_000, 97)
        self.tag_ids = IdSequence(seed, "tags", 4_000_000, 13)
        self.field_ids = IdSequence(seed, "fields", 800_000, 7)
        self.segment_ids = IdSequence(seed, "segments", 60_000, 5)
        self.webhook_ids = IdSequence(seed, "webhooks", 3_000_000, 11)
        self.subscribers: dict[int, Subscriber] = {}
        self.by_email: dict[str, Subscriber] = {}
        self.tags: dict[int, Tag] = {}
        self.fields: dict[int, CustomField] = {}
        self.segments: dict[int, Segment] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.events: list[Event] = []

    def now(self) -> datetime:
        """The clock's current UTC time."""
        return self.clock.utcnow()

    def take_events(self) -> list[Event]:
        """The events produced since the last call (and forget them)."""
        events, self.events = self.events, []
        return events

    # ------------------------------------------------------------ subscribers
    def subscriber(self, subscriber_id: str | int) -> Subscriber:
        """The subscriber with this id, or 404."""
        try:
            found = self.subscribers.get(int(subscriber_id))
        except ValueError:
            found = None
        if found is None:
            raise not_found()
        return found

    def subscriber_json(self, sub: Subscriber, include_tags: bool = False) -> dict[str, Any]:
        """The subscriber as Kit answers it (every field key present)."""
        keys = sorted(f.key for f in self.fields.values())
        out: dict[str, Any] = {
            "id": sub.id,
            "first_name": sub.first_name,
            "email_address": sub.email_address,
            "state": sub.state,
            "created_at": iso(sub.created_at),
            "fields": {key: sub.fields.get(key) for key in keys},
        }
        if include_tags:
            out["tags"] = [
                {"id": tag_id, "name": self.tags[tag_id].name}
                for tag_id in sorted(sub.tags)
                if tag_id in self.tags
            ]
        return out

    def _apply_fields(self, sub: Subscriber, values: Any) -> list[str]:
        if values is None:
            return []
        if not isinstance(values, dict):
            raise invalid("Fields must be an object")
        known = {f.key for f in self.fields.values()}
        warnings: list[str] = []
        for key, value in values.items():
            if key not in known:
                warnings.append(f"Custom field '{key}' does not exist and was ignored")
                continue
            sub.fields[key] = None if value is None else str(value)
        return warnings

    def upsert_subscriber(self, body: dict[str, Any]) -> tuple[Subscriber, bool, list[str]]:
        """`POST /subscribers`: (subscriber, created?, warnings)."""
        email = body.get("email_address")
        if not isinstance(email, str) or not _EMAIL.match(email.strip()):
            raise invalid("Email address is invalid")
        email = email.strip()
        first_name = body.get("first_name")
        state = body.get("state") or "active"
        if state not in ("active", "inactive", "bounced", "complained", "cancelled"):
            raise invalid("State is not included in the list")
        existing = self.by_email.get(email.lower())
        now = self.now()
        if existing is not None:
            if "first_name" in body:
                existing.first_name = first_name
            warnings = self._apply_fields(existing, body.get("fields"))
            existing.updated_at = now
            return existing, False, warnings
        sub = Subscriber(self.subscriber_ids.next(), email, first_name, state, now, now)
        warnings = self._apply_fields(sub, body.get("fields"))
        if state == "cancelled":
            sub.canceled_at = now
        self.subscribers[sub.id] = sub
        self.by_email[email.lower()] = sub
        if state == "active":
            self._emit("subscriber.subscriber_activate", sub)
        return sub, True, warnings

    def update_subscriber(self, sub: Subscriber, body: dict[str, Any]) -> list[str]:
        """`PUT /subscribers/{id}`: email address, first name, fields (state stays)."""
        email = body.get("email_address")
        if email is not None:
            if not isinstance(email, str) or not _EMAIL.match(email.strip()):
                raise invalid("Email address is invalid")
            email = email.strip()
            other = self.by_email.get(email.lower())
            if other is not None and other.id != sub.id:
                raise invalid("Email address has already been taken")
            del self.by_email[sub.email_address.lower()]
            sub.email_address = email
            self.by_email[email.lower()] = sub
        if "first_name" in body:
            sub.first_name = body.get("first_name")
        warnings = self._apply_fields(sub, body.get("fields"))
        sub.updated_at = self.now()
        return warnings

    def unsubscribe(self, sub: Subscriber) -> None:
        """`POST /subscribers/{id}/unsubscribe`: state `cancelled`, tags kept."""
        if sub.state != "cancelled":
            sub.state = "cancelled"
            sub.canceled_at = sub.updated_at = self.now()
            self._emit("subscriber.subscriber_unsubscribe", sub)

    # ------------------------------------------------------------------- tags
    def tag(self, tag_id: str | int) -> Tag:
        """The tag with this id, or 404."""
        try:
            found = self.tags.get(int(tag_id))
        except ValueError:
            found = None
        if found is None:
            raise not_found()
        return found

    def create_tag(self, name: Any) -> tuple[Tag, bool]:
        """`POST /tags`: (tag, created?); an existing name (case-insensitive) is answered."""
        if not isinstance(name, str) or not name.strip():
            raise invalid("Name can't be blank")
        for tag in self.tags.values():
            if tag.name.lower() == name.strip().lower():
                return tag, False
        tag = Tag(self.tag_ids.next(), name.strip(), self.now())
        self.tags[tag.id] = tag
        return tag, True

    def rename_tag(self, tag: Tag, name: Any) -> None:
        """`PUT /tags/{id}`."""
        if not isinstance(name, str) or not name.strip():
            raise invalid("Name can't be blank")
        for other in self.tags.values():
            if other.id != tag.id and other.name.lower() == name.strip().lower():
                raise invalid("Name has already been taken")
        tag.name = name.strip()

    def tag_subscriber(self, tag: Tag, sub: Subscriber) -> bool:
        """Tag a subscriber; False when it already had the tag."""
        if tag.id in sub.tags:
            return False
        sub.tags[tag.id] = self.now()
        self._emit("subscriber.tag_add", sub, tag)
        return True

    def untag_subscriber(self, tag: Tag, sub: Subscriber) -> None:
        """Remove a tag from a subscriber (no error when it did not have it)."""
        if sub.tags.pop(tag.id, None) is not None:
            self._emit("subscriber.tag_remove", sub, tag)

    # ---------------------------------------------------------- custom fields
    def custom_field(self, field_id: str | int) -> CustomField:
        """The custom field with this id, or 404."""
        try:
            found = self.fields.get(int(field_id))
        except ValueError:
            found = None
        if found is None:
            raise not_found()
        return found

    def _check_label(self, label: Any, own_id: int | None = None) -> str:
        if not isinstance(label, str) or not label.strip() or not field_key(label):
            raise invalid("Label can't be blank")
        for other in self.fields.values():
            if other.id != own_id and other.label.lower() == label.strip().lower():
                raise invalid("Label has already been taken")
        return label.strip()

    def create_field(self, label: Any) -> CustomField:
        """`POST /custom_fields`."""
        clean = self._check_label(label)
        created = CustomField(self.field_ids.next(), clean, field_key(clean))
        self.fields[created.id] = created
        self.events.append(Event("custom_field.field_created", {"custom_field": created.to_json()}))
        return created

    def relabel_field(self, custom: CustomField, label: Any) -> None:
        """`PUT /custom_fields/{id}`: the label changes, the key (and subscriber values) stay."""
        custom.label = self._check_label(label, custom.id)

    def delete_field(self, custom: CustomField) -> None:
        """`DELETE /custom_fields/{id}`: the values of every subscriber go too."""
        del self.fields[custom.id]
        for sub in self.subscribers.values():
            sub.fields.pop(custom.key, None)
        self.events.append(Event("custom_field.field_deleted", {"custom_field": custom.to_json()}))

    # ----------------------------------------------------------------- events
    def _emit(self, name: str, sub: Subscriber, tag: Tag | None = None) -> None:
        payload = {"subscriber": self.subscriber_json(sub)}
        self.events.append(Event(name, payload, tag.id if tag else None))
