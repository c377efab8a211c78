"""`/segments` endpoints: list (page), get, subscribers (cursor), rename, delete.

Segments are rules evaluated over live data (see `models.Condition`); `total` counts the active
subscribers matching the rules.
"""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.mailerlite import validation as v
from simulators.mailerlite.messages import MODEL_SEGMENT, no_content, not_found, validation_error
from simulators.mailerlite.models import Segment
from simulators.mailerlite.router import Context, Router
from simulators.mailerlite.routes.common import page_response
from simulators.mailerlite.routes.subscribers import subscriber_page
from simulators.mailerlite.state import State

DEFAULT_LIMIT = 250
"""Page size when `limit` is absent (observed in a real response)."""


def register(router: Router) -> None:
    """Add the segment routes."""
    router.add("GET", "segments", list_segments)
    router.add("GET", "segments/{segment}", get_segment)
    router.add("PUT", "segments/{segment}", update_segment)
    router.add("DELETE", "segments/{segment}", delete_segment)
    router.add("GET", "segments/{segment}/subscribers", segment_subscribers)


def segment_json(state: State, segment: Segment, *, in_list: bool = False) -> dict[str, Any]:
    """The segment object with `total` and rates computed from current data."""
    _, stats = state.segment_members(segment)
    body: dict[str, Any] = {
        "id": str(segment.id),
        "name": segment.name,
        "total": stats["total"],
        "open_rate": stats["open_rate"],
        "click_rate": stats["click_rate"],
        "created_at": segment.created_at,
    }
    if in_list:
        body["automations_using_segment_count"] = 0
    return body


def list_segments(ctx: Context) -> SimResponse:
    """`GET /segments` (`limit`, `page`), oldest first."""
    state = ctx.state
    items = [
        segment_json(state, s, in_list=True)
        for s in sorted(state.segments.values(), key=lambda s: s.id)
    ]
    return page_response(ctx, items, "segments", DEFAULT_LIMIT)


def find(ctx: Context) -> Segment:
    """The segment named by `{segment}`, or 404 with the id appended."""
    raw = ctx.params["segment"]
    segment = ctx.state.segments.get(int(raw)) if raw.isdecimal() else None
    if segment is None:
        raise not_found(MODEL_SEGMENT, raw)
    return segment


def get_segment(ctx: Context) -> SimResponse:
    """`GET /segments/{id}`."""
    return json_response(200, {"data": segment_json(ctx.state, find(ctx))})


def update_segment(ctx: Context) -> SimResponse:
    """`PUT /segments/{id}`: rename (name required, at most 255 characters)."""
    segment = find(ctx)
    errors: v.Errors = {}
    name = v.name(ctx.body().get("name"), errors)
    if errors or name is None:
        raise validation_error(errors)
    segment.name = name
    return json_response(200, {"data": segment_json(ctx.state, segment)})


def delete_segment(ctx: Context) -> SimResponse:
    """`DELETE /segments/{id}` -> 204."""
    segment = find(ctx)
    del ctx.state.segments[segment.id]
    return no_content()


def segment_subscribers(ctx: Context) -> SimResponse:
    """`GET /segments/{id}/subscribers`: cursor page (default status active, 50 per page),
    every subscriber carrying its `groups`."""
    segment = find(ctx)
    members, _ = ctx.state.segment_members(segment)
    return subscriber_page(
        ctx,
        members,
        f"segments/{segment.id}/subscribers",
        default_limit=50,
        default_status="active",
        with_groups=True,
    )
