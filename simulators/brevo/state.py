"""The simulator's in-memory account and every mutation of it.

Contacts, lists, folders, attributes, segments and webhooks live here; every change goes
through a `State` method so list memberships stay symmetric (`Contact.list_ids` and
`ContactList.members`) and the marketing events webhooks announce are recorded in
`State.events` (taken by the request pipeline after each request).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from simulators.brevo.models import (
    Attribute,
    Contact,
    ContactList,
    Event,
    Folder,
    Segment,
    Webhook,
)
from simulators.core.clock import Clock

DEFAULT_ATTRIBUTES: tuple[tuple[str, str], ...] = (
    ("FIRSTNAME", "text"),
    ("LASTNAME", "text"),
    ("SMS", "text"),
)
"""Normal attributes every Brevo account starts with (name, type)."""


def brevo_timestamp(moment: datetime) -> str:
    """`YYYY-MM-DDTHH:mm:ss.SSS+00:00` (Brevo answers with milliseconds and an offset)."""
    text = moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")
    return f"{text}.{moment.microsecond // 1000:03d}+00:00"


def parse_timestamp(text: str) -> datetime | None:
    """Parse an ISO date-time (`Z` or an offset; naive means UTC); None when invalid."""
    try:
        parsed = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class State:
    """Every record of one simulated account."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.contacts: dict[int, Contact] = {}
        self.by_email: dict[str, Contact] = {}
        self.lists: dict[int, ContactList] = {}
        self.folders: dict[int, Folder] = {}
        self.attributes: dict[str, Attribute] = {
            name: Attribute(name, "normal", kind) for name, kind in DEFAULT_ATTRIBUTES
        }
        self.segments: dict[int, Segment] = {}
        self.webhooks: dict[int, Webhook] = {}
        self.events: list[Event] = []
        self.emit_events = True
        self._next = {"contact": 1, "list": 1, "folder": 1, "segment": 1, "webhook": 1}

    # ----------------------------------------------------------------- helpers
    def now(self) -> str:
        """The current time in Brevo's format."""
        return brevo_timestamp(self.clock.utcnow())

    def next_id(self, kind: str) -> int:
        """The next integer id of a kind (Brevo ids are small, increasing integers)."""
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    def take_events(self) -> list[Event]:
        """Remove and return the events recorded since the last call."""
        events, self.events = self.events, []
        return events

    def _emit(self, name: str, contact: Contact, **extra: Any) -> None:
        if self.emit_events:
            fields: dict[str, Any] = {"email": contact.email}
            fields.update(extra)
            self.events.append(Event(name, fields))

    # ---------------------------------------------------------------- contacts
    def find_contact(self, identifier: str, identifier_type: str | None = None) -> Contact | None:
        """A contact by id, email, ext_id or SMS value (`identifierType` narrows the lookup)."""
        key = identifier.strip()
        if identifier_type == "contact_id" or (identifier_type is None and key.isdecimal()):
            return self.contacts.get(int(key)) if key.isdecimal() else None
        if identifier_type in (None, "email_id") and "@" in key:
            return self.by_email.get(key.lower())
        if identifier_type == "ext_id":
            return next((c for c in self.contacts.values() if c.ext_id == key), None)
        if identifier_type in (None, "phone_id"):
            return next((c for c in self.contacts.values() if c.attributes.get("SMS") == key), None)
        return None

    def create_contact(
        self,
        email: str | None,
        attributes: dict[str, Any],
        *,
        list_ids: list[int] | None = None,
        email_blacklisted: bool = False,
        sms_blacklisted: bool = False,
        ext_id: str | None = None,
        created_at: str | None = None,
    ) -> Contact:
        """Add a contact (the email must be free); joins `list_ids` without events."""
        when = created_at or self.now()
        contact = Contact(
            id=self.next_id("contact"),
            email=email.lower() if email else None,
            created_at=when,
            modified_at=when,
            attributes={k: v for k, v in attributes.items() if v is not None and v != ""},
            email_blacklisted=email_blacklisted,
            sms_blacklisted=sms_blacklisted,
            ext_id=ext_id,
        )
        self.contacts[contact.id] = contact
        if contact.email:
            self.by_email[contact.email] = contact
        for list_id in list_ids or []:
            self._join(contact, self.lists[list_id])
        return contact

    def touch(self, contact: Contact) -> None:
        """Mark a contact modified now and announce `contact_updated`."""
        contact.modified_at = self.now()
        self._emit("contact_updated", contact)

    def set_attributes(self, contact: Contact, values: dict[str, Any]) -> bool:
        """Merge attributes (None or "" clears); True when something changed."""
        changed = False
        for name, value in values.items():
            if value is None or value == "":
                changed |= contact.attributes.pop(name, None) is not None
            elif contact.attributes.get(name) != value:
                contact.attributes[name] = value
                changed = True
        return changed

    def change_email(self, contact: Contact, email: str) -> bool:
        """Give the contact a new (free) address; True when it changed."""
        email = email.lower()
        if email == contact.email:
            return False
        if contact.email:
            del self.by_email[contact.email]
        contact.email = email
        self.by_email[email] = contact
        return True

    def delete_contact(self, contact: Contact) -> None:
        """Remove a contact and its memberships; announces `contact_deleted`."""
        for list_id in list(contact.list_ids):
            self.lists[list_id].members.discard(contact.id)
        self._emit("contact_deleted", contact)
        del self.contacts[contact.id]
        if contact.email:
            del self.by_email[contact.email]

    def _join(self, contact: Contact, target: ContactList) -> bool:
        if contact.id in target.members:
            return False
        target.members.add(contact.id)
        contact.list_ids.add(target.id)
        return True

    def add_to_list(self, contact: Contact, target: ContactList) -> bool:
        """Add a membership; announces `list_addition`. False if already a member."""
        if not self._join(contact, target):
            return False
        contact.modified_at = self.now()
        self._emit("list_addition", contact, list_id=[target.id])
        return True

    def remove_from_list(self, contact: Contact, target: ContactList) -> bool:
        """Drop a membership. False if not a member."""
        if contact.id not in target.members:
            return False
        target.members.discard(contact.id)
        contact.list_ids.discard(target.id)
        contact.modified_at = self.now()
        return True

    def ordered_contacts(self, descending: bool) -> list[Contact]:
        """Every contact in creation (id) order, newest first when `descending`."""
        ordered = [self.contacts[cid] for cid in sorted(self.contacts)]
        return ordered[::-1] if descending else ordered

    # ------------------------------------------------------------ lists/folders
    def create_folder(self, name: str) -> Folder:
        """Add a folder."""
        folder = Folder(self.next_id("folder"), name)
        self.folders[folder.id] = folder
        return folder

    def delete_folder(self, folder: Folder) -> None:
        """Delete a folder and every list in it."""
        for item in [lst for lst in self.lists.values() if lst.folder_id == folder.id]:
            self.delete_list(item)
        del self.folders[folder.id]

    def create_list(self, name: str, folder_id: int, created_at: str | None = None) -> ContactList:
        """Add a list to an existing folder."""
        item = ContactList(self.next_id("list"), name, folder_id, created_at or self.now())
        self.lists[item.id] = item
        return item

    def delete_list(self, item: ContactList) -> None:
        """Delete a list and its memberships (contacts stay)."""
        for cid in item.members:
            self.contacts[cid].list_ids.discard(item.id)
        del self.lists[item.id]

    # --------------------------------------------------------------- segments
    def create_segment(
        self,
        name: str,
        category: str,
        attribute: str | None = None,
        value: Any = None,
        updated_at: str | None = None,
    ) -> Segment:
        """Add a segment (only the web app can; tests and the seeder use this)."""
        when = updated_at or self.now()
        segment = Segment(self.next_id("segment"), name, category, when, attribute, value)
        self.segments[segment.id] = segment
        return segment

    def in_segment(self, segment: Segment, contact: Contact) -> bool:
        """Whether the contact matches the segment's condition."""
        if segment.attribute is None:
            return True
        return bool(contact.attributes.get(segment.attribute) == segment.value)

    # --------------------------------------------------------------- webhooks
    def create_webhook(self, body: dict[str, Any]) -> Webhook:
        """Register a webhook from a validated creation body."""
        when = self.now()
        hook = Webhook(
            id=self.next_id("webhook"),
            url=body["url"],
            description=body.get("description") or "",
            events=list(body["events"]),
            type=body.get("type") or "transactional",
            created_at=when,
            modified_at=when,
            batched=bool(body.get("batched", False)),
            auth=body.get("auth"),
            headers=body.get("headers"),
        )
        self.webhooks[hook.id] = hook
        return hook
