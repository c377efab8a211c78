"""`/subscribers` endpoints: list (cursor), count, get, upsert, update, delete, forget, and
group assignment."""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, dumps, json_response
from simulators.mailerlite import validation as v
from simulators.mailerlite.messages import (
    MODEL_SUBSCRIBER,
    ApiError,
    no_content,
    not_found,
    validation_error,
)
from simulators.mailerlite.models import Subscriber
from simulators.mailerlite.pagination import cursor_envelope, cursor_page, parse_limit
from simulators.mailerlite.router import Context, Router
from simulators.mailerlite.serialize import forgotten_subscriber_json, group_json, subscriber_json
from simulators.mailerlite.state import State

MAX_LIMIT = 1000
"""Largest `limit` accepted on cursor endpoints (documented for group subscribers)."""

_ATTRIBUTES = ("subscribed_at", "opted_in_at", "unsubscribed_at")
_IPS = ("ip_address", "optin_ip")


def register(router: Router) -> None:
    """Add the subscriber routes."""
    router.add("GET", "subscribers", list_subscribers)
    router.add("POST", "subscribers", upsert_subscriber)
    router.add("GET", "subscribers/{subscriber}", get_subscriber)
    router.add("PUT", "subscribers/{subscriber}", update_subscriber)
    router.add("DELETE", "subscribers/{subscriber}", delete_subscriber)
    router.add("POST", "subscribers/{subscriber}/forget", forget_subscriber)
    router.add("POST", "subscribers/{subscriber}/groups/{group}", assign_group)
    router.add("DELETE", "subscribers/{subscriber}/groups/{group}", unassign_group)


def status_filter(ctx: Context, default: str | None) -> str | None:
    """`filter[status]` validated (422 when unknown), or `default`."""
    raw = ctx.query.get("filter[status]")
    if raw is None or raw == "":
        return default
    errors: v.Errors = {}
    value = v.status(raw, errors, "filter.status")
    if errors:
        raise validation_error(errors)
    return value


def wants_groups(ctx: Context) -> bool:
    """Whether `include=groups` was asked for."""
    return "groups" in ctx.query.get("include", "").split(",")


def groups_payload(state: State, sub: Subscriber) -> list[dict[str, Any]]:
    """The full group objects of a subscriber."""
    return [group_json(group) for group in state.groups_of(sub)]


def subscriber_page(
    ctx: Context,
    order: list[int],
    path: str,
    *,
    default_limit: int,
    default_status: str | None,
    with_groups: bool,
) -> SimResponse:
    """A cursor page of subscribers drawn from `order` (ascending ids)."""
    state = ctx.state
    limit = parse_limit(ctx.query, default_limit, maximum=MAX_LIMIT)
    wanted = status_filter(ctx, default_status)
    subs = state.subscribers
    keep = None if wanted is None else (lambda sid: subs[sid].status == wanted)
    page = cursor_page(order, ctx.query.get("cursor"), limit, keep)
    envelope = cursor_envelope([], page, f"{ctx.api_url}/{path}", limit)
    if with_groups:
        keys = state.field_keys()
        envelope["data"] = [
            subscriber_json(subs[sid], keys, groups_payload(state, subs[sid])) for sid in page.ids
        ]
        return json_response(200, envelope)
    # Rows without groups come from the per-subscriber JSON cache; splice them in.
    del envelope["data"]
    rows = b",".join(state.row_bytes(subs[sid]) for sid in page.ids)
    body = b'{"data":[' + rows + b"]," + dumps(envelope)[1:]
    return SimResponse(200, body, {"content-type": "application/json"})


def list_subscribers(ctx: Context) -> SimResponse:
    """`GET /subscribers`: cursor page, newest first; `limit=0` answers `{"total": N}`.

    Without `filter[status]` every status is listed (the real default is undocumented).
    """
    if ctx.query.get("limit") == "0":
        wanted = status_filter(ctx, None)
        if wanted is None:
            return json_response(200, {"total": len(ctx.state.subscribers)})
        total = sum(1 for sub in ctx.state.subscribers.values() if sub.status == wanted)
        return json_response(200, {"total": total})
    return subscriber_page(
        ctx,
        ctx.state.order,
        "subscribers",
        default_limit=25,
        default_status=None,
        with_groups=wants_groups(ctx),
    )


def find(ctx: Context) -> Subscriber:
    """The subscriber named by the `{subscriber}` path parameter, or 404."""
    sub = ctx.state.subscriber(ctx.params["subscriber"])
    if sub is None:
        raise not_found(MODEL_SUBSCRIBER)
    return sub


def single(ctx: Context, sub: Subscriber, status: int = 200) -> SimResponse:
    """`{"data": <subscriber with groups>}`."""
    state = ctx.state
    return json_response(
        status, {"data": subscriber_json(sub, state.field_keys(), groups_payload(state, sub))}
    )


def get_subscriber(ctx: Context) -> SimResponse:
    """`GET /subscribers/{id or email}`."""
    return single(ctx, find(ctx))


def _common(body: dict[str, Any], state: State, errors: v.Errors) -> dict[str, Any]:
    out: dict[str, Any] = {
        "fields": v.field_values(body.get("fields"), state, errors),
        "groups": v.group_ids(body.get("groups"), state, errors),
        "status": v.status(body.get("status"), errors),
    }
    attributes: dict[str, str | None] = {}
    for key in _ATTRIBUTES:
        if key in body:
            attributes[key] = v.timestamp(body[key], key, errors)
    for key in _IPS:
        if key in body:
            attributes[key] = v.ip(body[key], key, errors)
    out["attributes"] = attributes
    return out


def upsert_subscriber(ctx: Context) -> SimResponse:
    """`POST /subscribers`: create (201) or update (200) by email.

    Fields merge, groups are only added, and a status change that would reactivate an
    unsubscribed/bounced/junk subscriber is ignored (`resubscribe` does not override this).
    """
    state = ctx.state
    body = ctx.body()
    errors: v.Errors = {}
    address = v.email(body.get("email"), errors, required=True)
    data = _common(body, state, errors)
    v.boolean(body.get("resubscribe"), "resubscribe", errors)
    if errors or address is None:
        raise validation_error(errors)
    sub = state.by_email.get(address)
    created = sub is None
    if sub is None:
        attrs = data["attributes"]
        sub = state.create_subscriber(
            address,
            status=data["status"] or "active",
            fields=data["fields"],
            subscribed_at=attrs.get("subscribed_at"),
            unsubscribed_at=attrs.get("unsubscribed_at"),
            opted_in_at=attrs.get("opted_in_at"),
            ip_address=attrs.get("ip_address"),
            optin_ip=attrs.get("optin_ip"),
        )
    else:
        state.set_fields(sub, data["fields"])
        if data["status"] is not None:
            state.set_status(sub, data["status"])
        state.set_attributes(sub, data["attributes"])
    for gid in data["groups"] or []:
        state.add_to_group(sub, state.groups[gid])
    return single(ctx, sub, 201 if created else 200)


def update_subscriber(ctx: Context) -> SimResponse:
    """`PUT /subscribers/{id}`: fields merge (null clears), `groups` replaces memberships,
    a top-level `email` changes the address."""
    state = ctx.state
    sub = find(ctx)
    body = ctx.body()
    errors: v.Errors = {}
    address = v.email(body.get("email"), errors, required=False)
    if address is not None and address != sub.email and address in state.by_email:
        v.add(errors, "email", "The email has already been taken.")
    data = _common(body, state, errors)
    if errors:
        raise validation_error(errors)
    if address is not None:
        state.change_email(sub, address)
    state.set_fields(sub, data["fields"])
    if data["status"] is not None:
        state.set_status(sub, data["status"])
    state.set_attributes(sub, data["attributes"])
    wanted = data["groups"]
    if wanted is not None:
        for gid in sorted(sub.groups - set(wanted)):
            state.remove_from_group(sub, state.groups[gid])
        for gid in wanted:
            state.add_to_group(sub, state.groups[gid])
    return single(ctx, sub)


def delete_subscriber(ctx: Context) -> SimResponse:
    """`DELETE /subscribers/{id}` -> 204."""
    ctx.state.delete_subscriber(find(ctx))
    return no_content()


def forget_subscriber(ctx: Context) -> SimResponse:
    """`POST /subscribers/{id}/forget`: remove now, answer with `deleted_at`/`forget_at`."""
    state = ctx.state
    sub = find(ctx)
    groups = groups_payload(state, sub)
    deleted_at = state.delete_subscriber(sub)
    sub.updated_at = deleted_at
    data = forgotten_subscriber_json(sub, state.field_keys(), groups, deleted_at, state.forget_at())
    return json_response(
        200,
        {
            "data": data,
            "message": "Subscriber data will be completely deleted and forgotten within 30 days.",
        },
    )


def _invalid_id() -> ApiError:
    return validation_error({"id": ["The selected id is invalid."]})


def assign_group(ctx: Context) -> SimResponse:
    """`POST /subscribers/{sid}/groups/{gid}` -> 200 with the group (unknown ids -> 422 `id`)."""
    state = ctx.state
    sub = state.subscriber(ctx.params["subscriber"])
    gid = ctx.params["group"]
    group = state.groups.get(int(gid)) if gid.isdecimal() else None
    if sub is None or group is None:
        raise _invalid_id()
    state.add_to_group(sub, group)
    return json_response(200, {"data": group_json(group)})


def unassign_group(ctx: Context) -> SimResponse:
    """`DELETE /subscribers/{sid}/groups/{gid}` -> 204 (unknown ids -> 404 `{"message": ""}`)."""
    state = ctx.state
    sub = state.subscriber(ctx.params["subscriber"])
    gid = ctx.params["group"]
    group = state.groups.get(int(gid)) if gid.isdecimal() else None
    if sub is None or group is None:
        raise ApiError(404, {"message": ""})
    state.remove_from_group(sub, group)
    return no_content()
