"""The simulated account: audiences and everything scoped to them, plus every mutation.

Members live inside their audience (the same address in two audiences is two members with the
same id). Every change goes through a `State` method so that merge fields, tags and webhook
events stay consistent; changes Mailchimp announces append an `Event` to `State.events`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from simulators.core.clock import Clock
from simulators.mailchimp.ids import Ids, iso, subscriber_hash
from simulators.mailchimp.models import Audience, Event, Member, MergeField, Segment, Webhook

DEFAULT_MERGE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("FNAME", "First Name", "text"),
    ("LNAME", "Last Name", "text"),
    ("ADDRESS", "Address", "address"),
    ("PHONE", "Phone Number", "phone"),
    ("BIRTHDAY", "Birthday", "birthday"),
)
"""Merge fields every new audience starts with: (tag, name, type)."""

_STATUS_EVENTS = {"subscribed": "subscribe", "unsubscribed": "unsubscribe", "cleaned": "cleaned"}


class State:
    """Every record of one simulated account."""

    def __init__(self, ids: Ids, clock: Clock) -> None:
        self.ids = ids
        self.clock = clock
        self.audiences: dict[str, Audience] = {}
        self.events: list[Event] = []
        self.emit_events = True

    def now(self) -> str:
        """The current time, ISO 8601 with offset."""
        return iso(self.clock.utcnow())

    def take_events(self) -> list[Event]:
        """Remove and return the events recorded since the last call."""
        events, self.events = self.events, []
        return events

    def _emit(self, kind: str, audience: Audience, data: dict[str, Any]) -> None:
        if self.emit_events:
            self.events.append(Event(kind, audience.id, data))

    # --------------------------------------------------------------- audiences
    def create_audience(self, body: dict[str, Any], created: str | None = None) -> Audience:
        """A new audience (body already validated) with the default merge fields."""
        audience = Audience(
            id=self.ids.hex(10),
            web_id=self.ids.web_id(),
            name=body["name"],
            contact=dict(body["contact"]),
            permission_reminder=body["permission_reminder"],
            campaign_defaults=dict(body["campaign_defaults"]),
            email_type_option=bool(body["email_type_option"]),
            date_created=created or self.now(),
            double_optin=bool(body.get("double_optin", False)),
            notify_on_subscribe=body.get("notify_on_subscribe", ""),
            notify_on_unsubscribe=body.get("notify_on_unsubscribe", ""),
        )
        for tag, name, kind in DEFAULT_MERGE_FIELDS:
            self.create_merge_field(audience, name, kind, tag=tag)
        self.audiences[audience.id] = audience
        return audience

    def delete_audience(self, audience: Audience) -> None:
        """Remove an audience with its members, fields, segments and webhooks."""
        del self.audiences[audience.id]

    # ------------------------------------------------------------ merge fields
    def create_merge_field(
        self,
        audience: Audience,
        name: str,
        kind: str,
        *,
        tag: str | None = None,
        required: bool = False,
        options: dict[str, Any] | None = None,
        default_value: str = "",
    ) -> MergeField:
        """Add a merge field; without a tag it gets `MMERGE<merge_id>`, as Mailchimp does."""
        merge_id = audience.next_merge_id
        audience.next_merge_id += 1
        item = MergeField(
            merge_id=merge_id,
            tag=(tag or f"MMERGE{merge_id}").upper(),
            name=name,
            type=kind,
            required=required,
            default_value=default_value,
            display_order=len(audience.merge_fields) + 2,
            options=options or {},
        )
        audience.merge_fields[merge_id] = item
        return item

    def delete_merge_field(self, audience: Audience, item: MergeField) -> None:
        """Remove a merge field and every member value stored under its tag."""
        del audience.merge_fields[item.merge_id]
        for member in audience.members.values():
            member.merge_fields.pop(item.tag, None)

    @staticmethod
    def merge_tags(audience: Audience) -> dict[str, MergeField]:
        """The audience's merge fields by tag."""
        return {item.tag: item for item in audience.merge_fields.values()}

    # ----------------------------------------------------------------- members
    def create_member(
        self, audience: Audience, email: str, status: str, values: dict[str, Any], **attrs: Any
    ) -> Member:
        """Add a member (the address must not be an active member); announces `subscribe`."""
        when = attrs.pop("timestamp_signup", None) or self.now()
        member = Member(
            id=subscriber_hash(email),
            email_address=email,
            unique_email_id=self.ids.hex(10),
            contact_id=self.ids.hex(32),
            web_id=self.ids.web_id(),
            status=status,
            merge_fields={k: v for k, v in values.items() if v not in (None, "")},
            timestamp_signup=when,
            timestamp_opt=when if status == "subscribed" else "",
            last_changed=when,
            **attrs,
        )
        audience.members.pop(member.id, None)  # an archived member is re-created in place
        audience.members[member.id] = member
        if status == "subscribed":
            self._emit("subscribe", audience, self.member_data(audience, member))
        return member

    def member_data(self, audience: Audience, member: Member) -> dict[str, Any]:
        """The `data[...]` of a member event (`id`, `email`, `email_type`, `merges`, ...)."""
        merges: dict[str, Any] = {"EMAIL": member.email_address}
        merges.update(member.merge_fields)
        return {
            "id": member.id,
            "list_id": audience.id,
            "email": member.email_address,
            "email_type": member.email_type,
            "ip_opt": member.ip_opt,
            "ip_signup": member.ip_signup,
            "merges": merges,
        }

    def touch(self, member: Member) -> None:
        """Record a change to the member (`last_changed`)."""
        member.last_changed = self.now()

    def set_merge_values(self, audience: Audience, member: Member, values: dict[str, Any]) -> bool:
        """Merge validated values (empty clears); announces `profile`. True when changed."""
        changed = False
        for tag, value in values.items():
            if value in (None, ""):
                changed |= member.merge_fields.pop(tag, None) is not None
            elif member.merge_fields.get(tag) != value:
                member.merge_fields[tag] = value
                changed = True
        if changed:
            self.touch(member)
            self._emit("profile", audience, self.member_data(audience, member))
        return changed

    def set_status(self, audience: Audience, member: Member, status: str) -> bool:
        """Change a status; announces `subscribe`, `unsubscribe` or `cleaned`."""
        if status == member.status:
            return False
        member.status = status
        if status == "subscribed":
            member.timestamp_opt = self.now()
        if status == "unsubscribed":
            member.unsubscribe_reason = "N/A (Unsubscribed by an admin)"
        self.touch(member)
        kind = _STATUS_EVENTS.get(status)
        if kind is not None:
            data = self.member_data(audience, member)
            if kind == "unsubscribe":
                data.update(action="unsub", reason="manual")
            if kind == "cleaned":
                data = {"list_id": audience.id, "email": member.email_address, "reason": "hard"}
            self._emit(kind, audience, data)
        return True

    def change_email(self, audience: Audience, member: Member, email: str) -> None:
        """Move the member to a new address (its id changes); announces `upemail`."""
        old_id, old_email = member.id, member.email_address
        del audience.members[old_id]
        member.id = subscriber_hash(email)
        member.email_address = email
        audience.members[member.id] = member
        for segment in audience.segments.values():
            if old_id in segment.members:
                segment.members.discard(old_id)
                segment.members.add(member.id)
        self.touch(member)
        self._emit(
            "upemail",
            audience,
            {
                "list_id": audience.id,
                "new_id": member.id,
                "new_email": email,
                "old_email": old_email,
            },
        )

    def archive_member(self, audience: Audience, member: Member) -> None:
        """`DELETE`: the member stays, archived; announces `unsubscribe` with action `delete`."""
        data = self.member_data(audience, member)
        member.status = "archived"
        self.touch(member)
        data.update(action="delete", reason="manual")
        self._emit("unsubscribe", audience, data)

    def delete_permanently(self, audience: Audience, member: Member) -> None:
        """Erase the member; the address can never be added through the API again."""
        if member.status != "archived":
            data = self.member_data(audience, member)
            data.update(action="delete", reason="manual")
            self._emit("unsubscribe", audience, data)
        del audience.members[member.id]
        for segment in audience.segments.values():
            segment.members.discard(member.id)
        audience.forgotten.add(member.id)

    def visible_members(self, audience: Audience, status: str | None) -> list[Member]:
        """Members in insertion order; archived ones only when asked for by status."""
        if status is None:
            return [m for m in audience.members.values() if m.status != "archived"]
        return [m for m in audience.members.values() if m.status == status]

    # --------------------------------------------------------- segments & tags
    def create_segment(
        self,
        audience: Audience,
        name: str,
        kind: str,
        *,
        conditions: list[dict[str, Any]] | None = None,
        match: str = "all",
        created: str | None = None,
    ) -> Segment:
        """A saved segment (conditions) or a static one (a tag)."""
        when = created or self.now()
        segment = Segment(self.ids.segment_id(), name, kind, when, when, match, conditions or [])
        audience.segments[segment.id] = segment
        return segment

    def tag_named(self, audience: Audience, name: str) -> Segment | None:
        """The static segment (tag) with this name."""
        for segment in audience.segments.values():
            if segment.type == "static" and segment.name == name:
                return segment
        return None

    def set_tag(self, audience: Audience, member: Member, name: str, active: bool) -> None:
        """Add (creating the tag when new) or remove a tag on a member."""
        segment = self.tag_named(audience, name)
        if segment is None:
            if not active:
                return
            segment = self.create_segment(audience, name, "static")
        if active:
            segment.members.add(member.id)
        else:
            segment.members.discard(member.id)
        self.touch(member)

    def member_tags(self, audience: Audience, member: Member) -> list[Segment]:
        """The tags (static segments) holding this member, in id order."""
        return [
            s for s in audience.segments.values() if s.type == "static" and member.id in s.members
        ]

    def segment_members(self, audience: Audience, segment: Segment) -> list[Member]:
        """Members of a segment: the static set, or every member matching the conditions."""
        if segment.type == "static":
            return [
                m
                for m in audience.members.values()
                if m.id in segment.members and m.status != "archived"
            ]
        return [
            m for m in audience.members.values() if m.status != "archived" and _matches(segment, m)
        ]

    def iter_all_members(self) -> Iterator[tuple[Audience, Member]]:
        """Every (audience, member) pair of the account."""
        for audience in self.audiences.values():
            for member in audience.members.values():
                yield audience, member

    # ---------------------------------------------------------------- webhooks
    def create_webhook(
        self, audience: Audience, url: str, events: dict[str, bool], sources: dict[str, bool]
    ) -> Webhook:
        """Register a webhook."""
        hook = Webhook(self.ids.hex(10), url, events, sources)
        audience.webhooks[hook.id] = hook
        return hook


def _matches(segment: Segment, member: Member) -> bool:
    results = [_condition(c, member) for c in segment.conditions]
    if not results:
        return False
    return all(results) if segment.match == "all" else any(results)


def _condition(condition: dict[str, Any], member: Member) -> bool:
    """`TextMerge`/`EmailAddress` conditions with `is`, `not`, `contains`, `starts`, `ends`."""
    field = str(condition.get("field", ""))
    if condition.get("condition_type") == "EmailAddress" or field in ("EMAIL", "merge0"):
        text = member.email_address
    else:
        text = str(member.merge_fields.get(field, ""))
    value = str(condition.get("value", ""))
    op = condition.get("op", "is")
    low, wanted = text.lower(), value.lower()
    if op == "is":
        return low == wanted
    if op == "not":
        return low != wanted
    if op == "contains":
        return wanted in low
    if op == "notcontain":
        return wanted not in low
    if op == "starts":
        return low.startswith(wanted)
    if op == "ends":
        return low.endswith(wanted)
    return False
