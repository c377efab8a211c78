"""`/contacts/lists`: list CRUD, the contacts of a list, and membership changes.

`POST /contacts/lists` needs `name` and `folderId` (both required by the v3 definition).
`POST .../contacts/add` and `.../contacts/remove` take `{"emails": [...]}` or `{"ids": [...]}`
(or `extIds`), at most 150 per request, and answer `201 {"contacts": {"success": [...],
"failure": [...]}}` (entries as given: emails or ids). When nothing at all could be added the
answer is `400 invalid_parameter "Contact already in list and/or does not exist"` (real
answer); removal mirrors it with "Contact already removed from list and/or does not exist"
(this simulator's wording).
"""

from __future__ import annotations

from typing import Any

from simulators.brevo.errors import ApiError, bad_request, missing, no_content, not_found
from simulators.brevo.models import Contact, ContactList
from simulators.brevo.router import Context, Router
from simulators.brevo.routes.common import descending, page
from simulators.brevo.routes.contacts import filtered_contacts
from simulators.brevo.serialize import contact_json, list_details_json, list_json
from simulators.brevo.state import State
from simulators.core.messages import SimResponse, json_response

MAX_LISTS = 50
"""`GET /contacts/lists`: `limit` maximum (default 10)."""
MAX_LIST_CONTACTS = 500
"""`GET /contacts/lists/{id}/contacts`: `limit` maximum (default 50)."""
MAX_MEMBERSHIP = 150
"""Most emails or ids one add/remove request may carry."""


def register(router: Router) -> None:
    """Wire the list endpoints."""
    router.add("GET", "contacts/lists", list_lists)
    router.add("POST", "contacts/lists", create_list)
    router.add("GET", "contacts/lists/{list_id}", get_list)
    router.add("PUT", "contacts/lists/{list_id}", update_list)
    router.add("DELETE", "contacts/lists/{list_id}", delete_list)
    router.add("GET", "contacts/lists/{list_id}/contacts", list_members)
    router.add("POST", "contacts/lists/{list_id}/contacts/add", add_members)
    router.add("POST", "contacts/lists/{list_id}/contacts/remove", remove_members)


def blacklisted(state: State, item: ContactList) -> int:
    """How many members are blacklisted for email."""
    return sum(1 for cid in item.members if state.contacts[cid].email_blacklisted)


def find_list(ctx: Context) -> ContactList:
    """The list named by the path, or 404."""
    raw = ctx.params["list_id"]
    item = ctx.state.lists.get(int(raw)) if raw.isdecimal() else None
    if item is None:
        raise not_found("List ID does not exist")
    return item


def list_lists(ctx: Context) -> SimResponse:
    """`GET /contacts/lists`: `{"lists": [...], "count": N}`, newest first by default."""
    state = ctx.state
    ordered = sorted(state.lists.values(), key=lambda i: i.id, reverse=descending(ctx.query))
    chosen = page(ctx.query, ordered, 10, MAX_LISTS)
    return json_response(
        200,
        {"lists": [list_json(i, blacklisted(state, i)) for i in chosen], "count": len(ordered)},
    )


def get_list(ctx: Context) -> SimResponse:
    """`GET /contacts/lists/{id}`."""
    item = find_list(ctx)
    return json_response(200, list_details_json(item, blacklisted(ctx.state, item)))


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise bad_request("name should be a non-empty string")
    return value.strip()


def _folder(state: State, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise bad_request("folderId should be an integer")
    if value not in state.folders:
        raise not_found("Folder ID does not exist")
    return value


def create_list(ctx: Context) -> SimResponse:
    """`POST /contacts/lists` -> 201 `{"id": N}`."""
    body = ctx.body()
    if "name" not in body:
        raise missing("name is missing")
    if "folderId" not in body:
        raise missing("folderId is missing")
    name = _name(body["name"])
    folder_id = _folder(ctx.state, body["folderId"])
    item = ctx.state.create_list(name, folder_id)
    return json_response(201, {"id": item.id})


def update_list(ctx: Context) -> SimResponse:
    """`PUT /contacts/lists/{id}` (`name` and/or `folderId`) -> 204."""
    item = find_list(ctx)
    body = ctx.body()
    if "name" not in body and "folderId" not in body:
        raise missing("name or folderId is missing")
    if "name" in body:
        item.name = _name(body["name"])
    if "folderId" in body:
        item.folder_id = _folder(ctx.state, body["folderId"])
    return no_content()


def delete_list(ctx: Context) -> SimResponse:
    """`DELETE /contacts/lists/{id}` -> 204 (the contacts stay)."""
    ctx.state.delete_list(find_list(ctx))
    return no_content()


def list_members(ctx: Context) -> SimResponse:
    """`GET /contacts/lists/{id}/contacts`: `{"contacts": [...], "count": N}`."""
    item = find_list(ctx)
    ordered = [c for c in ctx.state.ordered_contacts(descending(ctx.query)) if c.id in item.members]
    contacts = filtered_contacts(ctx, ordered)
    chosen = page(ctx.query, contacts, 50, MAX_LIST_CONTACTS)
    return json_response(
        200, {"contacts": [contact_json(c) for c in chosen], "count": len(contacts)}
    )


def _targets(ctx: Context) -> list[tuple[Any, Contact | None]]:
    """(as given, contact or None) for every email / id / extId of the body."""
    body = ctx.body()
    state = ctx.state
    for key, kind in (("emails", "email_id"), ("ids", "contact_id"), ("extIds", "ext_id")):
        values = body.get(key)
        if values is None:
            continue
        if not isinstance(values, list) or not values:
            raise bad_request(f"{key} should be a non-empty array")
        if len(values) > MAX_MEMBERSHIP:
            raise ApiError(400, "out_of_range", f"You can pass a maximum of {MAX_MEMBERSHIP} {key}")
        return [(v, state.find_contact(str(v), kind)) for v in values]
    raise missing("emails or ids is missing")


def _membership(ctx: Context, adding: bool) -> SimResponse:
    item = find_list(ctx)
    state = ctx.state
    success: list[Any] = []
    failure: list[Any] = []
    for given, contact in _targets(ctx):
        done = contact is not None and (
            state.add_to_list(contact, item) if adding else state.remove_from_list(contact, item)
        )
        (success if done else failure).append(given)
    if not success:
        verb = "already in list" if adding else "already removed from list"
        raise bad_request(f"Contact {verb} and/or does not exist")
    return json_response(201, {"contacts": {"success": success, "failure": failure}})


def add_members(ctx: Context) -> SimResponse:
    """`POST /contacts/lists/{id}/contacts/add`."""
    return _membership(ctx, adding=True)


def remove_members(ctx: Context) -> SimResponse:
    """`POST /contacts/lists/{id}/contacts/remove`."""
    return _membership(ctx, adding=False)
