"""`/fields` endpoints: list (page, `filter[keyword]`, `filter[type]`, `sort`), create, rename,
delete. Keys are derived from the name at creation and never change."""

from __future__ import annotations

from simulators.core.messages import SimResponse, json_response
from simulators.mailerlite import validation as v
from simulators.mailerlite.messages import MODEL_FIELD, no_content, not_found, validation_error
from simulators.mailerlite.models import FIELD_TYPES, Field
from simulators.mailerlite.router import Context, Router
from simulators.mailerlite.routes.common import page_response, sorted_by
from simulators.mailerlite.serialize import field_json

DEFAULT_LIMIT = 100
"""Page size when `limit` is absent (documented and observed)."""

UNIQUE_MESSAGE = "Field name must be unique"


def register(router: Router) -> None:
    """Add the field routes."""
    router.add("GET", "fields", list_fields)
    router.add("POST", "fields", create_field)
    router.add("PUT", "fields/{field}", update_field)
    router.add("DELETE", "fields/{field}", delete_field)


def list_fields(ctx: Context) -> SimResponse:
    """`GET /fields`."""
    keyword = ctx.query.get("filter[keyword]", "").lower()
    wanted_type = ctx.query.get("filter[type]", "")
    if wanted_type and wanted_type not in FIELD_TYPES:
        raise validation_error({"filter.type": ["The selected filter.type is invalid."]})
    items = [
        f
        for f in ctx.state.fields.values()
        if keyword in f.name.lower() and (not wanted_type or f.type == wanted_type)
    ]
    ordered = sorted_by(
        ctx,
        items,
        {"name": lambda f: f.name.casefold(), "type": lambda f: f.type},
        lambda f: f.id,
    )
    return page_response(
        ctx, [field_json(f, in_list=True) for f in ordered], "fields", DEFAULT_LIMIT
    )


def _unique(ctx: Context, name: str, errors: v.Errors, exclude: int | None = None) -> bool:
    for item in ctx.state.fields.values():
        if item.id != exclude and item.name.casefold() == name.casefold():
            v.add(errors, "name", UNIQUE_MESSAGE)
            return False
    return True


def create_field(ctx: Context) -> SimResponse:
    """`POST /fields` -> 201; duplicate names -> 422 `Field name must be unique`."""
    body = ctx.body()
    errors: v.Errors = {}
    name = v.name(body.get("name"), errors)
    field_type = body.get("type")
    if field_type is None or field_type == "":
        v.add(errors, "type", "The type field is required.")
    elif field_type not in FIELD_TYPES:
        v.add(errors, "type", "The selected type is invalid.")
    if name is not None and not _unique(ctx, name, errors) and len(errors) == 1:
        raise validation_error(errors, UNIQUE_MESSAGE)
    if errors or name is None:
        raise validation_error(errors)
    item = ctx.state.create_field(name, str(field_type))
    return json_response(201, {"data": field_json(item)})


def find(ctx: Context) -> Field:
    """The field named by `{field}`, or 404 with the id appended."""
    raw = ctx.params["field"]
    item = ctx.state.fields.get(int(raw)) if raw.isdecimal() else None
    if item is None:
        raise not_found(MODEL_FIELD, raw)
    return item


def update_field(ctx: Context) -> SimResponse:
    """`PUT /fields/{id}`: rename only; the key stays."""
    item = find(ctx)
    errors: v.Errors = {}
    name = v.name(ctx.body().get("name"), errors)
    if name is not None and not _unique(ctx, name, errors, exclude=item.id):
        raise validation_error(errors, UNIQUE_MESSAGE)
    if errors or name is None:
        raise validation_error(errors)
    item.name = name
    return json_response(200, {"data": field_json(item)})


def delete_field(ctx: Context) -> SimResponse:
    """`DELETE /fields/{id}` -> 204. The eight default fields cannot be deleted (422)."""
    item = find(ctx)
    if item.is_default:
        raise validation_error({"field": ["Default fields cannot be deleted."]})
    ctx.state.delete_field(item)
    return no_content()
