"""`/v4/custom_fields` (list, create, relabel, delete), `/v4/segments` (read-only list) and
`/v4/account` (the credential check)."""

from __future__ import annotations

from simulators.core.messages import SimResponse, json_response
from simulators.kit.models import CustomField, Segment, iso
from simulators.kit.pagination import Key, paginate
from simulators.kit.router import Context, Router


def _field_key(custom: CustomField) -> Key:
    return (custom.id,)


def list_fields(ctx: Context) -> SimResponse:
    """`GET /custom_fields`."""
    fields = sorted(ctx.state.fields.values(), key=_field_key)
    page, pagination = paginate(fields, _field_key, ctx.query)
    return json_response(
        200, {"custom_fields": [f.to_json() for f in page], "pagination": pagination}
    )


def create_field(ctx: Context) -> SimResponse:
    """`POST /custom_fields` `{label}`: 201."""
    created = ctx.state.create_field(ctx.body().get("label"))
    return json_response(201, {"custom_field": created.to_json()})


def update_field(ctx: Context) -> SimResponse:
    """`PUT /custom_fields/{id}` `{label}`: 200 (the key stays)."""
    custom = ctx.state.custom_field(ctx.params["id"])
    ctx.state.relabel_field(custom, ctx.body().get("label"))
    return json_response(200, {"custom_field": custom.to_json()})


def delete_field(ctx: Context) -> SimResponse:
    """`DELETE /custom_fields/{id}`: 204."""
    ctx.state.delete_field(ctx.state.custom_field(ctx.params["id"]))
    return SimResponse(204)


def _segment_key(segment: Segment) -> Key:
    return (segment.id,)


def list_segments(ctx: Context) -> SimResponse:
    """`GET /segments` (no endpoint lists a segment's members)."""
    segments = sorted(ctx.state.segments.values(), key=_segment_key)
    page, pagination = paginate(segments, _segment_key, ctx.query)
    return json_response(200, {"segments": [s.to_json() for s in page], "pagination": pagination})


def get_account(ctx: Context) -> SimResponse:
    """`GET /account`: the current account and user."""
    account_id = ctx.state.account_id
    return json_response(
        200,
        {
            "user": {"email": "owner@kit.sim", "id": account_id},
            "account": {
                "id": account_id,
                "name": "Kit Simulator",
                "plan_type": "creator",
                "primary_email_address": "owner@kit.sim",
                "created_at": iso(ctx.state.now()),
                "timezone": {
                    "name": "Etc/UTC",
                    "friendly_name": "UTC",
                    "utc_offset": "+00:00",
                },
            },
        },
    )


def register(router: Router) -> None:
    """Add the custom field, segment and account routes."""
    router.add("GET", "custom_fields", list_fields)
    router.add("POST", "custom_fields", create_field)
    router.add("PUT", "custom_fields/{id}", update_field)
    router.add("DELETE", "custom_fields/{id}", delete_field)
    router.add("GET", "segments", list_segments)
    router.add("GET", "account", get_account)
