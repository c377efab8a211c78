"""`/contacts` and `/contacts/{identifier}`: list, get, create (or upsert), update, delete.

Quirks kept: `POST /contacts` answers `201 {"id": N}` for a new contact, but with
`updateEnabled: true` and an existing email it updates the contact and answers `204` with no
body (no id); without `updateEnabled` an existing email is `400 duplicate_parameter`.
`PUT` answers `204` with no body; `listIds` adds memberships and `unlinkListIds` removes them
(other memberships are kept). Attribute names are upper-case; a value whose type does not
match the attribute is ignored (documented), an attribute the account lacks is a 400 (this
simulator's choice: the documentation says attributes "must be present in your account").
"""

from __future__ import annotations

import re
from typing import Any

from simulators.brevo.errors import ApiError, bad_request, missing, no_content, not_found
from simulators.brevo.models import Contact
from simulators.brevo.router import Context, Router
from simulators.brevo.routes.common import boolean, descending, int_list, page
from simulators.brevo.serialize import contact_details_json, contact_json
from simulators.brevo.state import State, parse_timestamp
from simulators.core.messages import SimResponse, json_response

MAX_LIMIT = 1000
"""`GET /contacts`: `limit` maximum (default 50)."""

IDENTIFIER_TYPES = ("email_id", "contact_id", "ext_id", "phone_id", "whatsapp_id")
_EQUALS = re.compile(r'^equals\(\s*([A-Za-z0-9_]+)\s*,\s*"?(.*?)"?\s*\)$')
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def register(router: Router) -> None:
    """Wire the contact endpoints."""
    router.add("GET", "contacts", list_contacts)
    router.add("POST", "contacts", create_contact)
    router.add("GET", "contacts/{identifier}", get_contact)
    router.add("PUT", "contacts/{identifier}", update_contact)
    router.add("DELETE", "contacts/{identifier}", delete_contact)


def _since(query: dict[str, str], name: str) -> Any:
    raw = query.get(name)
    if not raw:
        return None
    moment = parse_timestamp(raw)
    if moment is None:
        raise bad_request(f"{name} should be a valid date-time")
    return moment


def _matches_filter(contact: Contact, expression: str) -> bool:
    match = _EQUALS.match(expression.strip())
    if match is None:
        raise bad_request('filter should be like equals(ATTRIBUTE,"value")')
    name, wanted = match.group(1).upper(), match.group(2)
    value = contact.attributes.get(name)
    if isinstance(value, bool):
        return str(value).lower() == wanted.lower()
    return value is not None and str(value) == wanted


def filtered_contacts(ctx: Context, contacts: list[Contact]) -> list[Contact]:
    """Apply `modifiedSince`, `createdSince`, `listIds`, `segmentId` and `filter`."""
    query = ctx.query
    modified = _since(query, "modifiedSince")
    created = _since(query, "createdSince")
    out = contacts
    if modified is not None:
        out = [c for c in out if (parse_timestamp(c.modified_at) or modified) > modified]
    if created is not None:
        out = [c for c in out if (parse_timestamp(c.created_at) or created) > created]
    if query.get("listIds") and query.get("segmentId"):
        raise bad_request("Either listIds or segmentId can be passed")
    if query.get("listIds"):
        parts = query["listIds"].split(",")
        if not all(p.strip().isdecimal() for p in parts):
            raise bad_request("listIds should be an array of integers")
        wanted = {int(p) for p in parts}
        out = [c for c in out if c.list_ids & wanted]
    if query.get("segmentId"):
        raw = query["segmentId"]
        segment = ctx.state.segments.get(int(raw)) if raw.isdecimal() else None
        if segment is None:
            raise not_found("Segment ID does not exist")
        out = [c for c in out if ctx.state.in_segment(segment, c)]
    if query.get("filter"):
        out = [c for c in out if _matches_filter(c, query["filter"])]
    return out


def list_contacts(ctx: Context) -> SimResponse:
    """`GET /contacts`: `{"contacts": [...], "count": N}`, offset paging, newest first."""
    contacts = filtered_contacts(ctx, ctx.state.ordered_contacts(descending(ctx.query)))
    chosen = page(ctx.query, contacts, 50, MAX_LIMIT)
    return json_response(
        200, {"contacts": [contact_json(c) for c in chosen], "count": len(contacts)}
    )


def find(ctx: Context) -> Contact:
    """The contact named by the path (id, email, ext_id or SMS), or 404."""
    kind = ctx.query.get("identifierType") or None
    if kind is not None and kind not in IDENTIFIER_TYPES:
        raise bad_request("identifierType should be one of " + ", ".join(IDENTIFIER_TYPES))
    contact = ctx.state.find_contact(ctx.params["identifier"], kind)
    if contact is None:
        raise not_found("Contact does not exist")
    return contact


def get_contact(ctx: Context) -> SimResponse:
    """`GET /contacts/{identifier}`."""
    return json_response(200, contact_details_json(find(ctx)))


def _coerce(state: State, name: str, value: Any) -> tuple[bool, Any]:
    """(keep, value): a value whose type does not fit the attribute is dropped."""
    attribute = state.attributes[name]
    if value is None or value == "":
        return True, None
    kind = attribute.type or "text"
    if kind == "float":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind == "boolean":
        ok = isinstance(value, bool)
    elif kind == "date":
        ok = isinstance(value, str) and bool(_DATE.match(value))
    elif kind == "category":
        labels = {str(e["label"]) for e in attribute.enumeration or []}
        values = {str(e["value"]) for e in attribute.enumeration or []}
        ok = str(value) in labels or str(value) in values
    else:
        ok = isinstance(value, (str, int, float)) and not isinstance(value, bool)
        value = str(value) if ok else value
    return ok, value


def attributes_of(state: State, raw: Any, allow_email: bool) -> tuple[dict[str, Any], str | None]:
    """Validated attributes (upper-cased names) and, when allowed, an `EMAIL` change."""
    if raw is None:
        return {}, None
    if not isinstance(raw, dict):
        raise bad_request("attributes should be an object")
    out: dict[str, Any] = {}
    new_email: str | None = None
    for key, value in raw.items():
        name = str(key).upper()
        if name == "EMAIL" and allow_email:
            if not isinstance(value, str) or "@" not in value:
                raise bad_request("Invalid email address")
            new_email = value
            continue
        if name not in state.attributes or state.attributes[name].category not in (
            "normal",
            "category",
            "transactional",
        ):
            raise bad_request(f"Attribute {name} does not exist")
        keep, coerced = _coerce(state, name, value)
        if keep:
            out[name] = coerced
    return out, new_email


def _lists(state: State, raw: Any, name: str) -> list[int]:
    ids = int_list(raw, name)
    unknown = [i for i in ids if i not in state.lists]
    if unknown:
        raise not_found(f"List ID does not exist: {unknown[0]}")
    return ids


def _duplicate(action: str) -> ApiError:
    return ApiError(
        400,
        "duplicate_parameter",
        f"Unable to {action} contact, email is already associated with another Contact",
        metadata={"duplicate_identifiers": ["email"]},
    )


def create_contact(ctx: Context) -> SimResponse:
    """`POST /contacts`: 201 `{"id": N}`; with `updateEnabled` an existing email is updated
    and the answer is 204 without a body."""
    state = ctx.state
    body = ctx.body()
    email = body.get("email")
    if email is not None and (not isinstance(email, str) or "@" not in email):
        raise bad_request("Invalid email address")
    attributes, _ = attributes_of(state, body.get("attributes"), allow_email=False)
    if not email and not attributes.get("SMS") and not body.get("ext_id"):
        raise missing("email is missing")
    list_ids = _lists(state, body.get("listIds"), "listIds")
    email_bl = boolean(body.get("emailBlacklisted"), "emailBlacklisted")
    sms_bl = boolean(body.get("smsBlacklisted"), "smsBlacklisted")
    update_enabled = boolean(body.get("updateEnabled"), "updateEnabled") or False
    existing = state.by_email.get(email.lower()) if email else None
    if existing is not None:
        if not update_enabled:
            raise _duplicate("create")
        _apply(state, existing, attributes, list_ids, [], email_bl, sms_bl)
        return no_content()
    contact = state.create_contact(
        email,
        attributes,
        list_ids=list_ids,
        email_blacklisted=bool(email_bl),
        sms_blacklisted=bool(sms_bl),
        ext_id=body.get("ext_id") if isinstance(body.get("ext_id"), str) else None,
    )
    return json_response(201, {"id": contact.id})


def _apply(
    state: State,
    contact: Contact,
    attributes: dict[str, Any],
    add: list[int],
    remove: list[int],
    email_bl: bool | None,
    sms_bl: bool | None,
    changed: bool = False,
) -> None:
    changed |= state.set_attributes(contact, attributes)
    if email_bl is not None and email_bl != contact.email_blacklisted:
        contact.email_blacklisted = email_bl
        changed = True
    if sms_bl is not None and sms_bl != contact.sms_blacklisted:
        contact.sms_blacklisted = sms_bl
        changed = True
    for list_id in remove:
        changed |= state.remove_from_list(contact, state.lists[list_id])
    for list_id in add:
        state.add_to_list(contact, state.lists[list_id])
    if changed:
        state.touch(contact)


def update_contact(ctx: Context) -> SimResponse:
    """`PUT /contacts/{identifier}`: 204; `attributes.EMAIL` changes the address."""
    state = ctx.state
    contact = find(ctx)
    body = ctx.body()
    attributes, new_email = attributes_of(state, body.get("attributes"), allow_email=True)
    add = _lists(state, body.get("listIds"), "listIds")
    remove = _lists(state, body.get("unlinkListIds"), "unlinkListIds")
    email_bl = boolean(body.get("emailBlacklisted"), "emailBlacklisted")
    sms_bl = boolean(body.get("smsBlacklisted"), "smsBlacklisted")
    if new_email is not None:
        other = state.by_email.get(new_email.lower())
        if other is not None and other is not contact:
            raise _duplicate("update")
    changed = new_email is not None and state.change_email(contact, new_email)
    if isinstance(body.get("ext_id"), str) and body["ext_id"] != contact.ext_id:
        contact.ext_id = body["ext_id"]
        changed = True
    _apply(state, contact, attributes, add, remove, email_bl, sms_bl, changed)
    return no_content()


def delete_contact(ctx: Context) -> SimResponse:
    """`DELETE /contacts/{identifier}` -> 204."""
    ctx.state.delete_contact(find(ctx))
    return no_content()
