"""The simulator's in-memory account: every record, the indexes over them, and all mutations.

Every change to a subscriber goes through a `State` method so that group counters, the id-ordered
index, the segment cache and the webhook event list stay consistent. Each mutation that MailerLite
would announce appends an `Event` to `State.events`; the request pipeline takes them after every
request and hands them to the webhook dispatcher.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from simulators.core.clock import Clock, rest_timestamp
from simulators.core.ids import IdGenerator, SecretGenerator
from simulators.core.messages import dumps
from simulators.mailerlite.models import (
    INACTIVE_STATUSES,
    Condition,
    Event,
    Field,
    Group,
    Segment,
    Subscriber,
    Webhook,
)
from simulators.mailerlite.serialize import rate, subscriber_json, webhook_subscriber_json

DEFAULT_FIELDS: tuple[tuple[int, str, str], ...] = (
    (1, "Name", "name"),
    (2, "Last name", "last_name"),
    (3, "Company", "company"),
    (4, "Country", "country"),
    (5, "City", "city"),
    (6, "Phone", "phone"),
    (7, "State", "state"),
    (8, "Zip", "z_i_p"),
)
"""The eight default fields: (id, name, key)."""

_STATUS_EVENTS = {
    "unsubscribed": "subscriber.unsubscribed",
    "bounced": "subscriber.bounced",
    "junk": "subscriber.spam_reported",
    "active": "subscriber.active",
}


def field_key_for(name: str) -> str:
    """Derive a field key from its name the way MailerLite does (`"My Field"` -> `my_field`)."""
    key = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return key or "field"


class State:
    """All records of one simulated account plus the indexes the endpoints need."""

    def __init__(
        self, ids: IdGenerator, secrets: SecretGenerator, clock: Clock, account_id: int
    ) -> None:
        self.ids = ids
        self.secrets = secrets
        self.clock = clock
        self.account_id = account_id
        self.subscribers: dict[int, Subscriber] = {}
        self.by_email: dict[str, Subscriber] = {}
        self.order: list[int] = []
        self.groups: dict[int, Group] = {}
        self.segments: dict[int, Segment] = {}
        self.fields: dict[int, Field] = {
            fid: Field(fid, name, key, "text", True) for fid, name, key in DEFAULT_FIELDS
        }
        self.webhooks: dict[int, Webhook] = {}
        self.events: list[Event] = []
        self.emit_events = True
        self.version = 0
        self._field_keys: list[str] | None = None
        self._segment_cache: dict[int, tuple[int, list[int], dict[str, Any]]] = {}
        self._rows: dict[int, bytes] = {}

    # ----------------------------------------------------------------- helpers
    def now(self) -> str:
        """The current time in REST format."""
        return rest_timestamp(self.clock.utcnow())

    def field_keys(self) -> list[str]:
        """Every field key of the account in display order (defaults first)."""
        if self._field_keys is None:
            self._field_keys = [item.key for item in self.fields.values()]
        return self._field_keys

    def field_by_key(self, key: str) -> Field | None:
        """The field with this key, if any."""
        for item in self.fields.values():
            if item.key == key:
                return item
        return None

    def subscriber(self, id_or_email: str) -> Subscriber | None:
        """Look a subscriber up by numeric id or (case-insensitive) email."""
        if id_or_email.isdecimal():
            return self.subscribers.get(int(id_or_email))
        return self.by_email.get(id_or_email.strip().lower())

    def iter_newest_first(self) -> Iterator[Subscriber]:
        """Every subscriber, newest (largest id) first."""
        subs = self.subscribers
        for sid in reversed(self.order):
            yield subs[sid]

    def _changed(self, sub: Subscriber) -> None:
        sub.updated_at = self.now()
        self._rows.pop(sub.id, None)
        self.version += 1

    def warm_rows(self) -> None:
        """Pre-compute every list-row JSON (makes the first pass over a big list fast)."""
        for sub in self.subscribers.values():
            self.row_bytes(sub)

    def row_bytes(self, sub: Subscriber) -> bytes:
        """The subscriber's list-row JSON (no `groups`), cached until the subscriber or the
        field schema changes. Mutate subscribers only through `State` methods to keep it valid.
        """
        cached = self._rows.get(sub.id)
        if cached is None:
            cached = dumps(subscriber_json(sub, self.field_keys()))
            self._rows[sub.id] = cached
        return cached

    def _emit(
        self, name: str, sub: Subscriber, group: Group | None = None, deleted_at: str | None = None
    ) -> None:
        if not self.emit_events:
            return
        snapshot = webhook_subscriber_json(sub, self.field_keys(), deleted_at)
        group_ref = {"id": str(group.id), "name": group.name} if group is not None else None
        self.events.append(Event(name, snapshot, group_ref))

    def take_events(self) -> list[Event]:
        """Remove and return the events recorded since the last call."""
        events, self.events = self.events, []
        return events

    # ------------------------------------------------------------- subscribers
    def create_subscriber(
        self,
        email: str,
        *,
        status: str = "active",
        source: str = "api",
        fields: dict[str, Any] | None = None,
        created_at: str | None = None,
        subscribed_at: str | None = None,
        unsubscribed_at: str | None = None,
        ip_address: str | None = None,
        opted_in_at: str | None = None,
        optin_ip: str | None = None,
        stats: tuple[int, int, int] = (0, 0, 0),
    ) -> Subscriber:
        """Add a new subscriber (the email must not exist yet); emits `subscriber.created`."""
        email = email.lower()
        when = created_at or self.now()
        sid = self.ids.next_int()
        sub = Subscriber(
            id=sid,
            email=email,
            status=status,
            source=source,
            created_at=when,
            updated_at=when,
            subscribed_at=subscribed_at or when,
            unsubscribed_at=unsubscribed_at or (when if status == "unsubscribed" else None),
            ip_address=ip_address,
            opted_in_at=opted_in_at,
            optin_ip=optin_ip,
            sent=stats[0],
            opens_count=stats[1],
            clicks_count=stats[2],
            fields={k: v for k, v in (fields or {}).items() if v is not None},
        )
        self.subscribers[sid] = sub
        self.by_email[email] = sub
        if not self.order or sid > self.order[-1]:
            self.order.append(sid)
        else:  # pragma: no cover - ids are monotonic
            bisect.insort(self.order, sid)
        self.version += 1
        self._emit("subscriber.created", sub)
        return sub

    def set_status(self, sub: Subscriber, status: str) -> bool:
        """Change a status; returns False when the change is refused or a no-op.

        Reactivation (to `active` or `unconfirmed`) of an `unsubscribed`, `bounced` or `junk`
        subscriber is silently ignored, as the API may not do it.
        """
        old = sub.status
        if status == old:
            return False
        if old in INACTIVE_STATUSES and status not in INACTIVE_STATUSES:
            return False
        for gid in sub.groups:
            counts = self.groups[gid].counts
            counts[old] -= 1
            counts[status] += 1
        sub.status = status
        if status == "unsubscribed":
            sub.unsubscribed_at = self.now()
        self._changed(sub)
        event = _STATUS_EVENTS.get(status)
        if event is not None:
            self._emit(event, sub)
        return True

    def set_fields(self, sub: Subscriber, values: dict[str, Any]) -> bool:
        """Merge already-validated field values (None clears); True when something changed."""
        changed = False
        for key, value in values.items():
            current = sub.fields.get(key)
            if value == current and type(value) is type(current):
                continue
            if value is None:
                sub.fields.pop(key, None)
            else:
                sub.fields[key] = value
            changed = True
        if changed:
            self._changed(sub)
            self._emit("subscriber.updated", sub)
        return changed

    def set_attributes(self, sub: Subscriber, values: dict[str, str | None]) -> bool:
        """Set plain attributes (`ip_address`, `subscribed_at`, ...); True when changed."""
        changed = False
        for name, value in values.items():
            if getattr(sub, name) != value:
                setattr(sub, name, value)
                changed = True
        if changed:
            self._changed(sub)
        return changed

    def change_email(self, sub: Subscriber, email: str) -> bool:
        """Change the address (must not belong to another subscriber)."""
        email = email.lower()
        if email == sub.email:
            return False
        del self.by_email[sub.email]
        sub.email = email
        self.by_email[email] = sub
        self._changed(sub)
        self._emit("subscriber.updated", sub)
        return True

    def add_to_group(self, sub: Subscriber, group: Group) -> bool:
        """Add a membership; emits `subscriber.added_to_group`. False if already a member."""
        if group.id in sub.groups:
            return False
        sub.groups.add(group.id)
        members = group.members
        if not members or sub.id > members[-1]:
            members.append(sub.id)
        else:
            bisect.insort(members, sub.id)
        self._count(group, sub, 1)
        self.version += 1
        self._emit("subscriber.added_to_group", sub, group)
        return True

    def remove_from_group(self, sub: Subscriber, group: Group) -> bool:
        """Drop a membership; emits `subscriber.removed_from_group`. False if not a member."""
        if group.id not in sub.groups:
            return False
        sub.groups.discard(group.id)
        index = bisect.bisect_left(group.members, sub.id)
        del group.members[index]
        self._count(group, sub, -1)
        self.version += 1
        self._emit("subscriber.removed_from_group", sub, group)
        return True

    def _count(self, group: Group, sub: Subscriber, sign: int) -> None:
        group.counts[sub.status] += sign
        group.sent_count += sign * sub.sent
        group.opens_count += sign * sub.opens_count
        group.clicks_count += sign * sub.clicks_count

    def delete_subscriber(self, sub: Subscriber) -> str:
        """Remove a subscriber entirely; emits `subscriber.deleted`. Returns the deletion time."""
        deleted_at = self.now()
        for gid in list(sub.groups):
            group = self.groups[gid]
            index = bisect.bisect_left(group.members, sub.id)
            del group.members[index]
            self._count(group, sub, -1)
        self._emit("subscriber.deleted", sub, deleted_at=deleted_at)
        self._rows.pop(sub.id, None)
        del self.subscribers[sub.id]
        del self.by_email[sub.email]
        del self.order[bisect.bisect_left(self.order, sub.id)]
        self.version += 1
        return deleted_at

    # ------------------------------------------------------------------ groups
    def create_group(self, name: str, created_at: str | None = None) -> Group:
        """Add a group."""
        group = Group(id=self.ids.next_int(), name=name, created_at=created_at or self.now())
        self.groups[group.id] = group
        return group

    def delete_group(self, group: Group) -> None:
        """Delete a group and its memberships (no webhook events, like a bulk admin action)."""
        for sid in group.members:
            self.subscribers[sid].groups.discard(group.id)
        del self.groups[group.id]
        self.version += 1

    def groups_of(self, sub: Subscriber) -> list[Group]:
        """The subscriber's groups in id order."""
        return [self.groups[gid] for gid in sorted(sub.groups)]

    # ------------------------------------------------------------------ fields
    def create_field(self, name: str, field_type: str) -> Field:
        """Add a custom field; its key is derived from the name and made unique."""
        base = field_key_for(name)
        key, n = base, 1
        existing = set(self.field_keys())
        while key in existing:
            n += 1
            key = f"{base}_{n}"
        item = Field(self.ids.next_field_id(), name, key, field_type, False)
        self.fields[item.id] = item
        self._field_keys = None
        self._rows.clear()
        self.version += 1
        return item

    def delete_field(self, item: Field) -> None:
        """Delete a custom field and every subscriber value stored under its key."""
        del self.fields[item.id]
        self._field_keys = None
        self._rows.clear()
        for sub in self.subscribers.values():
            sub.fields.pop(item.key, None)
        self.version += 1

    # ---------------------------------------------------------------- segments
    def create_segment(
        self, name: str, conditions: Iterable[Condition], created_at: str | None = None
    ) -> Segment:
        """Add a segment (the API cannot; tests and the seeder can)."""
        segment = Segment(self.ids.next_int(), name, created_at or self.now(), tuple(conditions))
        self.segments[segment.id] = segment
        return segment

    def matches(self, segment: Segment, sub: Subscriber) -> bool:
        """Whether a subscriber satisfies every condition of the segment."""
        for cond in segment.conditions:
            if cond.kind == "status":
                if sub.status != cond.value:
                    return False
            elif cond.kind == "group":
                if not cond.value.isdecimal() or int(cond.value) not in sub.groups:
                    return False
            else:
                value = sub.fields.get(cond.key or "")
                if value is None:
                    return False
                text = str(value)
                if cond.op == "contains":
                    if cond.value.lower() not in text.lower():
                        return False
                elif text != cond.value:
                    return False
        return True

    def segment_members(self, segment: Segment) -> tuple[list[int], dict[str, Any]]:
        """Ids (ascending) of every subscriber matching the segment, and its active-member stats.

        Cached until the next subscriber change.
        """
        cached = self._segment_cache.get(segment.id)
        if cached is not None and cached[0] == self.version:
            return cached[1], cached[2]
        members: list[int] = []
        total = sent = opens = clicks = 0
        subs = self.subscribers
        for sid in self.order:
            sub = subs[sid]
            if self.matches(segment, sub):
                members.append(sid)
                if sub.status == "active":
                    total += 1
                    sent += sub.sent
                    opens += sub.opens_count
                    clicks += sub.clicks_count
        stats = {"total": total, "open_rate": rate(opens, sent), "click_rate": rate(clicks, sent)}
        self._segment_cache[segment.id] = (self.version, members, stats)
        return members, stats

    # ---------------------------------------------------------------- webhooks
    def create_webhook(
        self, name: str, url: str, events: list[str], enabled: bool, batchable: bool
    ) -> Webhook:
        """Register a webhook with a freshly generated secret."""
        when = self.now()
        hook = Webhook(
            id=self.ids.next_int(),
            name=name,
            url=url,
            events=events,
            enabled=enabled,
            batchable=batchable,
            secret=self.secrets.next(),
            created_at=when,
            updated_at=when,
        )
        self.webhooks[hook.id] = hook
        return hook

    def forget_at(self) -> str:
        """The `forget_at` time of a forget request made now (30 days later)."""
        return rest_timestamp(self.clock.utcnow() + timedelta(days=30))
