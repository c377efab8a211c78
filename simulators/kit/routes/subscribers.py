"""`/v4/subscribers`: list (filters, cursor pages), upsert, get, update, unsubscribe, tags.

There is no DELETE: Kit cannot delete a subscriber through the API (unsubscribe instead).
"""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.kit.errors import invalid
from simulators.kit.models import Subscriber, iso
from simulators.kit.pagination import Key, paginate
from simulators.kit.router import Context, Router
from simulators.kit.routes.common import in_window, matches_state, status_filter

SORT_FIELDS = ("id", "updated_at", "cancelled_at")
INCLUDES = ("attribution", "tags", "location", "canceled_at")


def _sort_key(field: str) -> Any:
    if field == "updated_at":
        return lambda s: (iso(s.updated_at), s.id)
    if field == "cancelled_at":
        return lambda s: (iso(s.canceled_at) if s.canceled_at else "", s.id)
    return lambda s: (s.id,)


def _includes(query: dict[str, str], status: str | None) -> set[str]:
    wanted = {part.strip() for part in (query.get("include") or "").split(",") if part.strip()}
    unknown = wanted - set(INCLUDES)
    if unknown:
        raise invalid(f"Include must be one of {', '.join(INCLUDES)}")
    if "canceled_at" in wanted and status != "cancelled":
        raise invalid("The status param must be `cancelled` to include `canceled_at`")
    return wanted


def list_subscribers(ctx: Context) -> SimResponse:
    """`GET /subscribers` (default `status=active`; `status=all` lists every state)."""
    query = ctx.query
    status = status_filter(query)
    field = query.get("sort_field") or "id"
    if field not in SORT_FIELDS:
        raise invalid(f"Sort field must be one of {', '.join(SORT_FIELDS)}")
    if field == "cancelled_at" and status != "cancelled":
        raise invalid("The status param must be `cancelled` if sort_field is `cancelled_at`")
    order = query.get("sort_order") or "asc"
    if order not in ("asc", "desc"):
        raise invalid("Sort order must be one of asc, desc")
    includes = _includes(query, status)
    emails = {e.strip().lower() for e in (query.get("email_address") or "").split(",") if e.strip()}
    chosen = [
        sub
        for sub in ctx.state.subscribers.values()
        if matches_state(sub, status)
        and (not emails or sub.email_address.lower() in emails)
        and in_window(sub.created_at, query, "created")
        and in_window(sub.updated_at, query, "updated")
    ]
    key = _sort_key(field)
    chosen.sort(key=key, reverse=order == "desc")
    page, pagination = paginate(chosen, key, query, descending=order == "desc")
    return json_response(
        200,
        {
            "subscribers": [_listed(ctx, sub, includes) for sub in page],
            "pagination": pagination,
        },
    )


def _listed(ctx: Context, sub: Subscriber, includes: set[str]) -> dict[str, Any]:
    out = ctx.state.subscriber_json(sub, include_tags="tags" in includes)
    if "canceled_at" in includes:
        out["canceled_at"] = iso(sub.canceled_at) if sub.canceled_at else None
    if "attribution" in includes:
        out["attribution"] = None
    if "location" in includes:
        out["location"] = None
    return out


def _answer(ctx: Context, status: int, sub: Subscriber, warnings: list[str]) -> SimResponse:
    payload: dict[str, Any] = {"subscriber": ctx.state.subscriber_json(sub)}
    if warnings:
        payload["warnings"] = warnings
    return json_response(status, payload)


def create_subscriber(ctx: Context) -> SimResponse:
    """`POST /subscribers`: 201 when created, 200 when the email already existed."""
    sub, created, warnings = ctx.state.upsert_subscriber(ctx.body())
    return _answer(ctx, 201 if created else 200, sub, warnings)


def get_subscriber(ctx: Context) -> SimResponse:
    """`GET /subscribers/{id}` (with `canceled_at`)."""
    sub = ctx.state.subscriber(ctx.params["id"])
    out = ctx.state.subscriber_json(sub)
    out["canceled_at"] = iso(sub.canceled_at) if sub.canceled_at else None
    return json_response(200, {"subscriber": out})


def update_subscriber(ctx: Context) -> SimResponse:
    """`PUT /subscribers/{id}`: email address, first name and fields."""
    sub = ctx.state.subscriber(ctx.params["id"])
    warnings = ctx.state.update_subscriber(sub, ctx.body())
    return _answer(ctx, 200, sub, warnings)


def unsubscribe(ctx: Context) -> SimResponse:
    """`POST /subscribers/{id}/unsubscribe`: 204, state becomes `cancelled`."""
    ctx.state.unsubscribe(ctx.state.subscriber(ctx.params["id"]))
    return SimResponse(204)


def subscriber_tags(ctx: Context) -> SimResponse:
    """`GET /subscribers/{id}/tags`: `{tags: [{id, name, tagged_at}], pagination}`."""
    sub = ctx.state.subscriber(ctx.params["id"])
    tags = sorted((ctx.state.tags[t] for t in sub.tags if t in ctx.state.tags), key=lambda t: t.id)

    def key(tag: Any) -> Key:
        return (tag.id,)

    page, pagination = paginate(tags, key, ctx.query)
    rows = [{"id": t.id, "name": t.name, "tagged_at": iso(sub.tags[t.id])} for t in page]
    return json_response(200, {"tags": rows, "pagination": pagination})


def register(router: Router) -> None:
    """Add the subscriber routes."""
    router.add("GET", "subscribers", list_subscribers)
    router.add("POST", "subscribers", create_subscriber)
    router.add("GET", "subscribers/{id}", get_subscriber)
    router.add("PUT", "subscribers/{id}", update_subscriber)
    router.add("POST", "subscribers/{id}/unsubscribe", unsubscribe)
    router.add("GET", "subscribers/{id}/tags", subscriber_tags)
