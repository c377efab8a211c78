"""A small, provider-agnostic view of a simulator's contacts, for assertions in host tests.

Each provider keeps contacts its own way (MailerLite subscribers in groups, Kit subscribers
with tags, Brevo contacts in lists, Mailchimp members per audience); `ContactView` flattens
them to what a host app usually checks: the address, the provider's own status word, whether
the provider would still send marketing email, list memberships and custom field values.
The views are read under the simulator's lock and are snapshots: they do not change later.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True, slots=True)
class ContactView:
    """One contact as the provider holds it.

    * `status` - the provider's own word (`active`/`unsubscribed` for MailerLite,
      `active`/`cancelled` for Kit, `subscribed`/`unsubscribed` for Mailchimp - the first
      audience where the address is subscribed, else its first audience's status -, and
      `active`/`blacklisted` for Brevo, whose contacts have an email blacklist flag instead).
    * `subscribed` - True when the provider would still send marketing email to it.
    * `lists` - names of the lists it belongs to (groups, tags, lists, audiences).
    * `fields` - custom field values by the provider's key (empty values left out).
    """

    email: str
    status: str
    subscribed: bool
    id: str
    lists: frozenset[str] = frozenset()
    fields: dict[str, Any] = field(default_factory=dict)


def _filled(values: dict[str, Any]) -> dict[str, Any]:
    """Custom field values without the empty ones."""
    return {k: v for k, v in values.items() if v not in (None, "")}


def _names(table: dict[Any, Any], ids: Any) -> frozenset[str]:
    """Names of the `ids` that `table` (id -> object with a `name`) still holds."""
    return frozenset(table[i].name for i in ids if i in table)


def _subscriber_views(sim: Any, email: str, status: str, lists: str) -> list[ContactView]:
    """Views of `sim.state.subscribers` whose address and status (`active` when subscribed)
    are the attributes `email` and `status`, and whose list ids are the attribute `lists`,
    named by the state's table of the same name (MailerLite groups, Kit tags)."""
    state = sim.state
    table = getattr(state, lists)
    return [
        ContactView(
            email=getattr(sub, email),
            status=getattr(sub, status),
            subscribed=getattr(sub, status) == "active",
            id=str(sub.id),
            lists=_names(table, getattr(sub, lists)),
            fields=_filled(sub.fields),
        )
        for sub in state.subscribers.values()
    ]


def mailerlite_contacts(sim: Any) -> list[ContactView]:
    """Every MailerLite subscriber."""
    return _subscriber_views(sim, "email", "status", "groups")


def kit_contacts(sim: Any) -> list[ContactView]:
    """Every Kit subscriber (lists are its tags)."""
    return _subscriber_views(sim, "email_address", "state", "tags")


def brevo_contacts(sim: Any) -> list[ContactView]:
    """Every Brevo contact with an email address (status from the email blacklist flag)."""
    state = sim.state
    return [
        ContactView(
            email=contact.email,
            status="blacklisted" if contact.email_blacklisted else "active",
            subscribed=not contact.email_blacklisted,
            id=str(contact.id),
            lists=_names(state.lists, contact.list_ids),
            fields=_filled(contact.attributes),
        )
        for contact in state.contacts.values()
        if contact.email
    ]


def mailchimp_contacts(sim: Any) -> list[ContactView]:
    """Every Mailchimp address, merged across the audiences holding it (archived ones left
    out); `fields` are its merge fields in the first audience holding it."""
    merged: dict[str, list[tuple[Any, Any]]] = {}
    for audience, member in sim.state.iter_all_members():
        if member.status != "archived":
            merged.setdefault(member.email_address.lower(), []).append((audience, member))
    views: list[ContactView] = []
    for pairs in merged.values():
        statuses = [member.status for _, member in pairs]
        first = pairs[0][1]
        views.append(
            ContactView(
                email=first.email_address,
                status="subscribed" if "subscribed" in statuses else statuses[0],
                subscribed="subscribed" in statuses,
                id=first.id,
                lists=frozenset(audience.name for audience, _ in pairs),
                fields=_filled(first.merge_fields),
            )
        )
    return views
