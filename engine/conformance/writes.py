"""Write checks (only with writes allowed): upserts, updates, deletes, lists, bulk, fields."""

from __future__ import annotations

from typing import Any

from engine.conformance.probe import CheckFailed, Probe, Unsupported, expect
from engine.conformance.registry import Check, registrar
from engine.errors import NotFoundError

CHECKS: list[Check] = []
"""The write checks, in the order they run."""
check = registrar(CHECKS)


def _list_ids(record: dict[str, Any]) -> set[str]:
    return {str(item["id"]) for item in record.get("lists") or []}


def _delete_quietly(probe: Probe, resource: str, record_id: str) -> None:
    """Remove what a check created, where the provider can (best effort, errors ignored)."""
    try:
        probe.require(resource, "delete")
        probe.call(resource, "delete", record_id)
    except (Unsupported, NotFoundError):
        pass


@check("contacts.upsert.created_then_updated", writes=True)
def upsert_created_then_updated(probe: Probe) -> str:
    """An upsert of a new email reports created; the same upsert again reports updated."""
    probe.require("contacts", "upsert")
    body = {"email": probe.email("upsert"), "first_name": "Ada"}
    first = probe.call("contacts", "upsert", body=body)
    probe.valid("contacts", first)
    second = probe.call("contacts", "upsert", body={**body, "first_name": "Grace"})
    probe.valid("contacts", second)
    expect(first.get("created") is True, f"first upsert reported created={first.get('created')}")
    expect(second.get("created") is False, f"second upsert: created={second.get('created')}")
    expect(first["id"] == second["id"], "the two upserts answered different contacts")
    expect(second["first_name"] == "Grace", "the second upsert did not change first_name")
    _delete_quietly(probe, "contacts", first["id"])
    return f"contact {first['id']}"


@check("contacts.create", writes=True)
def create_contact(probe: Probe) -> str:
    """`create` of a new email returns the new contact, readable by `get`."""
    probe.require("contacts", "create", "get")
    created = probe.call("contacts", "create", body={"email": probe.email("create")})
    probe.valid("contacts", created)
    fetched = probe.call("contacts", "get", created["id"])
    expect(fetched["email"] == created["email"], "get after create returned another contact")
    _delete_quietly(probe, "contacts", created["id"])
    return f"contact {created['id']}"


@check("contacts.update.keeps_memberships", writes=True)
def update_keeps_memberships(probe: Probe) -> str:
    """An update that does not mention lists leaves the contact's memberships as they were."""
    probe.require("contacts", "upsert", "update", "get")
    probe.require("lists", "list", "add_contacts")
    lists = probe.listing("lists", 10)
    expect(bool(lists), "no list to join")
    contact = probe.call("contacts", "upsert", body={"email": probe.email("member")})
    joined = {"contact_ids": [contact["id"]]}
    result = probe.call("lists", "add_contacts", lists[0]["id"], body=joined)
    expect(all(r.get("success") for r in result["result"]), f"add_contacts failed: {result}")
    before = _list_ids(probe.call("contacts", "get", contact["id"]))
    updated = probe.call("contacts", "update", contact["id"], body={"first_name": "Lin"})
    probe.valid("contacts", updated)
    after = probe.call("contacts", "get", contact["id"])
    expect(after["first_name"] == "Lin", "the update did not change first_name")
    expect(_list_ids(after) >= before, f"memberships lost: {before - _list_ids(after)}")
    expect(str(lists[0]["id"]) in before, "the contact did not show the list it joined")
    _delete_quietly(probe, "contacts", contact["id"])
    return f"{len(before)} memberships kept"


@check("contacts.delete", writes=True)
def delete_contact(probe: Probe) -> str:
    """A deleted contact is gone: `get` answers `not_found`."""
    probe.require("contacts", "upsert", "delete", "get")
    contact = probe.call("contacts", "upsert", body={"email": probe.email("delete")})
    probe.call("contacts", "delete", contact["id"])
    try:
        probe.call("contacts", "get", contact["id"])
    except NotFoundError:
        return f"contact {contact['id']} deleted"
    raise CheckFailed(f"contact {contact['id']} is still readable after delete")


@check("contacts.bulk_upsert", writes=True)
def bulk_upsert(probe: Probe) -> str:
    """A bulk upsert answers one result per input, in order, created or updated as it was."""
    probe.require("contacts", "upsert", "bulk_upsert")
    existing = probe.call("contacts", "upsert", body={"email": probe.email("bulk-0")})
    bodies = [{"email": probe.email(f"bulk-{n}"), "last_name": f"N{n}"} for n in range(3)]
    answer = probe.call("contacts", "bulk_upsert", body={"contacts": bodies})
    results = answer["result"]
    expect(len(results) == len(bodies), f"{len(results)} results for {len(bodies)} inputs")
    for body, result in zip(bodies, results, strict=True):
        expect(result.get("success") is True, f"{body['email']}: {result.get('error')}")
        probe.valid("contacts", result["record"])
        expect(result["record"]["email"] == body["email"], "results are not in input order")
    created = [r.get("created") for r in results]
    expect(created[0] in (False, None) and created[1:] != [False, False], f"created: {created}")
    for result in results:
        _delete_quietly(probe, "contacts", result["record"]["id"])
    _delete_quietly(probe, "contacts", existing["id"])
    return f"{len(results)} results"


@check("lists.crud_and_membership", writes=True)
def lists_crud_and_membership(probe: Probe) -> str:
    """A list is created, renamed, joined, left and deleted."""
    probe.require("lists", "create", "update", "get", "add_contacts", "remove_contacts")
    created = probe.call("lists", "create", body={"name": probe.name("list")})
    probe.valid("lists", created)
    renamed = probe.call("lists", "update", created["id"], body={"name": probe.name("renamed")})
    expect(renamed["name"] == probe.name("renamed"), "update did not rename the list")
    contact = probe.call("contacts", "upsert", body={"email": probe.email("joiner")})
    ids = [contact["id"]]
    added = probe.call("lists", "add_contacts", created["id"], body={"contact_ids": ids})
    expect([r.get("success") for r in added["result"]] == [True], f"add_contacts: {added}")
    again = probe.call("lists", "add_contacts", created["id"], body={"contact_ids": ids})
    expect([r.get("success") for r in again["result"]] == [True], f"re-adding: {again}")
    removed = probe.call("lists", "remove_contacts", created["id"], body={"contact_ids": ids})
    expect([r.get("success") for r in removed["result"]] == [True], f"remove: {removed}")
    _delete_quietly(probe, "lists", created["id"])
    _delete_quietly(probe, "contacts", contact["id"])
    return f"list {created['id']}"


@check("custom_fields.crud", writes=True)
def custom_fields_crud(probe: Probe) -> str:
    """A text custom field is created, renamed and deleted."""
    probe.require("custom_fields", "create", "list")
    created = probe.call(
        "custom_fields", "create", body={"name": probe.name("field"), "type": "text"}
    )
    probe.valid("custom_fields", created)
    keys = {f["key"] for f in probe.listing("custom_fields", 100)}
    expect(created["key"] in keys, "the new field is not listed")
    try:
        probe.require("custom_fields", "update")
        probe.call("custom_fields", "update", created["id"], body={"name": probe.name("f2")})
    except Unsupported:
        pass
    _delete_quietly(probe, "custom_fields", created["id"])
    return f"field {created['key']}"


@check("webhooks.subscriptions", writes=True)
def webhook_subscriptions(probe: Probe) -> str:
    """A webhook subscription is created, listed and removed."""
    webhooks = probe.mapping.provider.webhooks
    if webhooks is None or webhooks.subscriptions is None:
        raise Unsupported("webhooks", "subscribe", "the provider mapping declares no webhooks")
    events = ["contact.unsubscribed"]
    created = probe.connection.webhooks.subscribe("https://example.com/unimap-hook", events)
    listed = [str(w["id"]) for w in probe.connection.webhooks.list()]
    expect(str(created["id"]) in listed, "the new subscription is not listed")
    probe.connection.webhooks.unsubscribe(created["id"])
    return f"subscription {created['id']}"
