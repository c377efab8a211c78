"""Audiences: `/lists` and `/lists/{list_id}`, including batch subscribe (`POST /lists/{id}`)."""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.mailchimp import validation as v
from simulators.mailchimp.errors import ApiError, invalid_resource
from simulators.mailchimp.ids import subscriber_hash
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.routes.common import collection, no_content
from simulators.mailchimp.routes.members import write_member
from simulators.mailchimp.serialize import audience_json, member_json

MAX_BATCH = 500
"""Members one batch-subscribe request may carry."""


def list_audiences(ctx: Context) -> SimResponse:
    """Oldest first; `email=` keeps audiences holding that address (any status)."""
    audiences = list(ctx.state.audiences.values())
    wanted = ctx.query.get("email")
    if wanted:
        key = subscriber_hash(wanted.strip())
        audiences = [a for a in audiences if key in a.members]
    items = [audience_json(a, ctx.api_url) for a in ctx.page(audiences)]
    return collection(
        "lists",
        items,
        len(audiences),
        f"{ctx.api_url}/lists",
        constraints={
            "may_create": True,
            "max_instances": 100,
            "current_total_instances": len(ctx.state.audiences),
        },
    )


def create_audience(ctx: Context) -> SimResponse:
    """Needs name, contact, permission_reminder, campaign_defaults and email_type_option."""
    body = ctx.body()
    v.audience_body(body, creating=True)
    audience = ctx.state.create_audience(body)
    return json_response(200, audience_json(audience, ctx.api_url))


def get_audience(ctx: Context) -> SimResponse:
    """One audience."""
    return json_response(200, audience_json(ctx.audience(), ctx.api_url))


def update_audience(ctx: Context) -> SimResponse:
    """`PATCH`: the given top-level fields replace the stored ones."""
    audience = ctx.audience()
    body = ctx.body()
    v.audience_body(body, creating=False)
    for name in (
        "name",
        "permission_reminder",
        "email_type_option",
        "double_optin",
        "notify_on_subscribe",
        "notify_on_unsubscribe",
    ):
        if name in body:
            setattr(audience, name, body[name])
    if isinstance(body.get("contact"), dict):
        audience.contact.update(body["contact"])
    if isinstance(body.get("campaign_defaults"), dict):
        audience.campaign_defaults.update(body["campaign_defaults"])
    return json_response(200, audience_json(audience, ctx.api_url))


def delete_audience(ctx: Context) -> SimResponse:
    """Delete an audience and everything in it."""
    ctx.state.delete_audience(ctx.audience())
    return no_content()


def batch_subscribe(ctx: Context) -> SimResponse:
    """`POST /lists/{id}`: up to 500 `members`; existing ones update only with
    `update_existing: true`, else they are reported in `errors` (`ERROR_CONTACT_EXISTS`)."""
    audience = ctx.audience()
    body = ctx.body()
    entries = body.get("members")
    if not isinstance(entries, list) or len(entries) > MAX_BATCH:
        raise invalid_resource(
            [{"field": "members", "message": f"Provide 1 to {MAX_BATCH} members."}]
        )
    update = bool(body.get("update_existing", False))
    created: list[dict[str, Any]] = []
    updated: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for entry in entries:
        address = entry.get("email_address", "") if isinstance(entry, dict) else ""
        existing = audience.members.get(subscriber_hash(str(address).strip()))
        if existing is not None and existing.status != "archived" and not update:
            errors.append(
                {
                    "email_address": address,
                    "error": f"{address} is already a list member, do you want to update? "
                    "please provide update_existing:true in the request body",
                    "error_code": "ERROR_CONTACT_EXISTS",
                    "field": "",
                    "field_message": "",
                }
            )
            continue
        try:
            member, was_created = write_member(
                ctx, audience, dict(entry), upsert=True, status_key="status"
            )
        except ApiError as error:
            field = (error.errors or [{}])[0]
            errors.append(
                {
                    "email_address": address,
                    "error": error.detail,
                    "error_code": "ERROR_GENERIC",
                    "field": field.get("field", ""),
                    "field_message": field.get("message", ""),
                }
            )
            continue
        (created if was_created else updated).append(
            member_json(ctx.state, audience, member, ctx.api_url)
        )
    return json_response(
        200,
        {
            "new_members": created,
            "updated_members": updated,
            "errors": errors,
            "total_created": len(created),
            "total_updated": len(updated),
            "error_count": len(errors),
            "_links": [],
        },
    )


def register(router: Router) -> None:
    """Wire the handlers."""
    router.add("GET", "lists", list_audiences)
    router.add("POST", "lists", create_audience)
    router.add("GET", "lists/{list_id}", get_audience)
    router.add("PATCH", "lists/{list_id}", update_audience)
    router.add("DELETE", "lists/{list_id}", delete_audience)
    router.add("POST", "lists/{list_id}", batch_subscribe)
