"""`/groups` endpoints: list (page), get, create, rename, delete, and group subscribers."""

from __future__ import annotations

from simulators.core.messages import SimResponse, json_response
from simulators.mailerlite import validation as v
from simulators.mailerlite.messages import MODEL_GROUP, no_content, not_found, validation_error
from simulators.mailerlite.models import Group
from simulators.mailerlite.router import Context, Router
from simulators.mailerlite.routes.common import page_response, sorted_by
from simulators.mailerlite.routes.subscribers import subscriber_page, wants_groups
from simulators.mailerlite.serialize import group_json

DEFAULT_LIMIT = 250
"""Page size when `limit` is absent (observed in a real response)."""


def register(router: Router) -> None:
    """Add the group routes."""
    router.add("GET", "groups", list_groups)
    router.add("POST", "groups", create_group)
    router.add("GET", "groups/{group}", get_group)
    router.add("PUT", "groups/{group}", update_group)
    router.add("DELETE", "groups/{group}", delete_group)
    router.add("GET", "groups/{group}/subscribers", group_subscribers)


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def list_groups(ctx: Context) -> SimResponse:
    """`GET /groups`: `filter[name]` (partial, case-insensitive), `sort`, `limit`, `page`."""
    needle = ctx.query.get("filter[name]", "").lower()
    groups = [g for g in ctx.state.groups.values() if needle in g.name.lower()]
    ordered = sorted_by(
        ctx,
        groups,
        {
            "name": lambda g: g.name.casefold(),
            "total": lambda g: sum(g.counts.values()),
            "open_rate": lambda g: _ratio(g.opens_count, g.sent_count),
            "click_rate": lambda g: _ratio(g.clicks_count, g.sent_count),
            "created_at": lambda g: g.created_at,
        },
        lambda g: g.id,
    )
    return page_response(ctx, [group_json(g) for g in ordered], "groups", DEFAULT_LIMIT)


def find(ctx: Context) -> Group:
    """The group named by `{group}`, or 404 with the id appended."""
    raw = ctx.params["group"]
    group = ctx.state.groups.get(int(raw)) if raw.isdecimal() else None
    if group is None:
        raise not_found(MODEL_GROUP, raw)
    return group


def get_group(ctx: Context) -> SimResponse:
    """`GET /groups/{id}`."""
    return json_response(200, {"data": group_json(find(ctx))})


def _name(ctx: Context) -> str:
    errors: v.Errors = {}
    name = v.name(ctx.body().get("name"), errors)
    if errors or name is None:
        raise validation_error(errors)
    return name


def create_group(ctx: Context) -> SimResponse:
    """`POST /groups` -> 201."""
    group = ctx.state.create_group(_name(ctx))
    return json_response(201, {"data": group_json(group)})


def update_group(ctx: Context) -> SimResponse:
    """`PUT /groups/{id}`: rename."""
    group = find(ctx)
    group.name = _name(ctx)
    return json_response(200, {"data": group_json(group)})


def delete_group(ctx: Context) -> SimResponse:
    """`DELETE /groups/{id}` -> 204."""
    ctx.state.delete_group(find(ctx))
    return no_content()


def group_subscribers(ctx: Context) -> SimResponse:
    """`GET /groups/{id}/subscribers`: cursor page; `filter[status]` defaults to active."""
    group = find(ctx)
    return subscriber_page(
        ctx,
        group.members,
        f"groups/{group.id}/subscribers",
        default_limit=50,
        default_status="active",
        with_groups=wants_groups(ctx),
    )
