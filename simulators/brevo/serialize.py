"""JSON forms of the records, as the v3 endpoints answer them."""

from __future__ import annotations

from typing import Any

from simulators.brevo.models import Attribute, Contact, ContactList, Folder, Segment, Webhook


def contact_json(contact: Contact) -> dict[str, Any]:
    """A contact as `GET /contacts` lists it (`email` absent for SMS-only contacts)."""
    out: dict[str, Any] = {}
    if contact.email:
        out["email"] = contact.email
    out.update(
        {
            "id": contact.id,
            "emailBlacklisted": contact.email_blacklisted,
            "smsBlacklisted": contact.sms_blacklisted,
            "createdAt": contact.created_at,
            "modifiedAt": contact.modified_at,
            "listIds": sorted(contact.list_ids),
            "attributes": dict(contact.attributes),
        }
    )
    if contact.ext_id is not None:
        out["attributes"]["EXT_ID"] = contact.ext_id
    return out


def contact_details_json(contact: Contact) -> dict[str, Any]:
    """A contact as `GET /contacts/{identifier}` answers (with empty `statistics`)."""
    return {**contact_json(contact), "statistics": {}}


def list_json(item: ContactList, blacklisted: int) -> dict[str, Any]:
    """A list as `GET /contacts/lists` lists it."""
    return {
        "id": item.id,
        "name": item.name,
        "totalBlacklisted": blacklisted,
        "totalSubscribers": len(item.members),
        "uniqueSubscribers": len(item.members),
        "folderId": item.folder_id,
    }


def list_details_json(item: ContactList, blacklisted: int) -> dict[str, Any]:
    """A list as `GET /contacts/lists/{id}` answers."""
    return {
        **list_json(item, blacklisted),
        "createdAt": item.created_at,
        "dynamicList": False,
    }


def folder_json(folder: Folder, lists: list[ContactList], blacklisted: int) -> dict[str, Any]:
    """A folder with its subscriber counters."""
    unique = len({cid for item in lists for cid in item.members})
    return {
        "id": folder.id,
        "name": folder.name,
        "totalBlacklisted": blacklisted,
        "totalSubscribers": sum(len(item.members) for item in lists),
        "uniqueSubscribers": unique,
    }


def attribute_json(item: Attribute) -> dict[str, Any]:
    """An attribute as `GET /contacts/attributes` lists it."""
    out: dict[str, Any] = {"name": item.name, "category": item.category}
    if item.type is not None:
        out["type"] = item.type
    if item.enumeration is not None:
        out["enumeration"] = item.enumeration
    if item.calculated_value is not None:
        out["calculatedValue"] = item.calculated_value
    return out


def segment_json(segment: Segment) -> dict[str, Any]:
    """A segment as `GET /contacts/segments` lists it."""
    return {
        "id": segment.id,
        "segmentName": segment.name,
        "categoryName": segment.category_name,
        "updatedAt": segment.updated_at,
    }


def webhook_json(hook: Webhook) -> dict[str, Any]:
    """A webhook as `GET /webhooks` lists it (`type` is `transac` for transactional ones)."""
    out: dict[str, Any] = {
        "url": hook.url,
        "id": hook.id,
        "description": hook.description,
        "events": list(hook.events),
        "type": "transac" if hook.type == "transactional" else hook.type,
        "createdAt": hook.created_at,
        "modifiedAt": hook.modified_at,
        "batched": hook.batched,
    }
    if hook.auth is not None:
        out["auth"] = hook.auth
    if hook.headers is not None:
        out["headers"] = hook.headers
    return out
