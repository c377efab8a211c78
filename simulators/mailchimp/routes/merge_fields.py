"""Audience-scoped merge fields: `/lists/{list_id}/merge-fields[/{merge_id}]`."""

from __future__ import annotations

from simulators.core.messages import SimResponse, json_response
from simulators.mailchimp import validation as v
from simulators.mailchimp.errors import bad_request, not_found
from simulators.mailchimp.models import Audience, MergeField
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.routes.common import collection, no_content
from simulators.mailchimp.serialize import merge_field_json


def _field(ctx: Context) -> tuple[Audience, MergeField]:
    audience = ctx.audience()
    raw = ctx.params["merge_id"]
    item = audience.merge_fields.get(int(raw)) if raw.isdecimal() else None
    if item is None:
        raise not_found()
    return audience, item


def list_fields(ctx: Context) -> SimResponse:
    """Offset/count page in `merge_id` order; `type=` and `required=` filters."""
    audience = ctx.audience()
    items = list(audience.merge_fields.values())
    if ctx.query.get("type"):
        items = [i for i in items if i.type == ctx.query["type"]]
    if ctx.query.get("required") in ("true", "false"):
        items = [i for i in items if i.required == (ctx.query["required"] == "true")]
    page = [merge_field_json(audience, i, ctx.api_url) for i in ctx.page(items)]
    return collection(
        "merge_fields",
        page,
        len(items),
        f"{ctx.api_url}/lists/{audience.id}/merge-fields",
        list_id=audience.id,
    )


def create_field(ctx: Context) -> SimResponse:
    """`name` and `type` required; `tag` optional (default `MMERGE<id>`), unique per audience."""
    audience = ctx.audience()
    body = ctx.body()
    v.merge_field_body(body, creating=True)
    tag = body.get("tag")
    if tag and str(tag).upper() in ctx.state.merge_tags(audience):
        raise bad_request(
            "Invalid Resource",
            f'A Merge Field with the tag "{str(tag).upper()}" already exists for this list.',
        )
    options = body.get("options") if isinstance(body.get("options"), dict) else None
    item = ctx.state.create_merge_field(
        audience,
        body["name"],
        body["type"],
        tag=tag,
        required=bool(body.get("required", False)),
        options=options,
        default_value=str(body.get("default_value", "")),
    )
    return json_response(200, merge_field_json(audience, item, ctx.api_url))


def get_field(ctx: Context) -> SimResponse:
    """One merge field."""
    audience, item = _field(ctx)
    return json_response(200, merge_field_json(audience, item, ctx.api_url))


def update_field(ctx: Context) -> SimResponse:
    """`PATCH`: name, required, default_value, help_text, options (the type never changes)."""
    audience, item = _field(ctx)
    body = ctx.body()
    v.merge_field_body(body, creating=False)
    if "name" in body:
        item.name = str(body["name"])
    if "required" in body:
        item.required = bool(body["required"])
    if "default_value" in body:
        item.default_value = str(body["default_value"])
    if "help_text" in body:
        item.help_text = str(body["help_text"])
    if isinstance(body.get("options"), dict):
        item.options = body["options"]
    return json_response(200, merge_field_json(audience, item, ctx.api_url))


def delete_field(ctx: Context) -> SimResponse:
    """Delete a merge field and its values (204)."""
    audience, item = _field(ctx)
    ctx.state.delete_merge_field(audience, item)
    return no_content()


def register(router: Router) -> None:
    """Wire the handlers."""
    base = "lists/{list_id}/merge-fields"
    router.add("GET", base, list_fields)
    router.add("POST", base, create_field)
    router.add("GET", base + "/{merge_id}", get_field)
    router.add("PATCH", base + "/{merge_id}", update_field)
    router.add("DELETE", base + "/{merge_id}", delete_field)
