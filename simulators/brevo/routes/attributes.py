"""`/contacts/attributes`: list every attribute; create, update, delete one by category/name.

`GET` answers `{"attributes": [...]}` without paging. Creation answers 201 with no body; a
`normal` attribute needs `type` (text, date, float, boolean); an existing name is a 400.
`PUT` only applies to `category`, `calculated` and `global` attributes (the v3 definition's
enumeration): for a `normal` attribute it is a 400. Deletion answers 204.
"""

from __future__ import annotations

from simulators.brevo.errors import bad_request, no_content, not_found
from simulators.brevo.models import Attribute
from simulators.brevo.router import Context, Router
from simulators.brevo.serialize import attribute_json
from simulators.core.messages import SimResponse, json_response

CATEGORIES = ("normal", "transactional", "category", "calculated", "global")
NORMAL_TYPES = ("text", "date", "float", "boolean")


def register(router: Router) -> None:
    """Wire the attribute endpoints."""
    router.add("GET", "contacts/attributes", list_attributes)
    router.add("POST", "contacts/attributes/{category}/{name}", create_attribute)
    router.add("PUT", "contacts/attributes/{category}/{name}", update_attribute)
    router.add("DELETE", "contacts/attributes/{category}/{name}", delete_attribute)


def list_attributes(ctx: Context) -> SimResponse:
    """`GET /contacts/attributes`."""
    return json_response(
        200, {"attributes": [attribute_json(a) for a in ctx.state.attributes.values()]}
    )


def _category(ctx: Context) -> str:
    category = ctx.params["category"]
    if category not in CATEGORIES:
        raise bad_request("attributeCategory should be one of " + ", ".join(CATEGORIES))
    return category


def _existing(ctx: Context) -> Attribute:
    category = _category(ctx)
    item = ctx.state.attributes.get(ctx.params["name"].upper())
    if item is None or item.category != category:
        raise not_found("Attribute not found")
    return item


def create_attribute(ctx: Context) -> SimResponse:
    """`POST /contacts/attributes/{category}/{name}` -> 201 (empty)."""
    category = _category(ctx)
    name = ctx.params["name"].upper()
    body = ctx.body()
    if name in ctx.state.attributes:
        raise bad_request("Attribute name must be unique", code="duplicate_parameter")
    kind = body.get("type")
    enumeration = body.get("enumeration")
    if category == "normal":
        if kind not in NORMAL_TYPES:
            raise bad_request("type should be one of " + ", ".join(NORMAL_TYPES))
    elif category == "category":
        if not isinstance(enumeration, list) or not enumeration:
            raise bad_request("enumeration is required for category attributes")
        kind = "category"
    value = body.get("value")
    ctx.state.attributes[name] = Attribute(
        name,
        category,
        kind if isinstance(kind, str) else None,
        enumeration if isinstance(enumeration, list) else None,
        value if isinstance(value, str) else None,
    )
    return no_content_201()


def no_content_201() -> SimResponse:
    """A 201 without a body (attribute creation)."""
    return SimResponse(201)


def update_attribute(ctx: Context) -> SimResponse:
    """`PUT /contacts/attributes/{category}/{name}` -> 204."""
    item = _existing(ctx)
    if item.category not in ("category", "calculated", "global"):
        raise bad_request("Only category, calculated and global attributes can be updated")
    body = ctx.body()
    if isinstance(body.get("enumeration"), list):
        item.enumeration = body["enumeration"]
    if isinstance(body.get("value"), str):
        item.calculated_value = body["value"]
    return no_content()


def delete_attribute(ctx: Context) -> SimResponse:
    """`DELETE /contacts/attributes/{category}/{name}` -> 204 (values are dropped)."""
    item = _existing(ctx)
    del ctx.state.attributes[item.name]
    for contact in ctx.state.contacts.values():
        contact.attributes.pop(item.name, None)
    return no_content()
