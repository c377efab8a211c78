"""`/v4/tags`: list, create (existing name answered with 200), rename, tag and untag
subscribers (by id or by email), list a tag's subscribers (default `status=active`)."""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.kit.errors import invalid, not_found
from simulators.kit.models import Subscriber, Tag, iso
from simulators.kit.pagination import Key, paginate
from simulators.kit.router import Context, Router
from simulators.kit.routes.common import in_window, matches_state, status_filter


def _tag_key(tag: Tag) -> Key:
    return (tag.id,)


def list_tags(ctx: Context) -> SimResponse:
    """`GET /tags` (oldest first)."""
    tags = sorted(ctx.state.tags.values(), key=_tag_key)
    page, pagination = paginate(tags, _tag_key, ctx.query)
    return json_response(200, {"tags": [t.to_json() for t in page], "pagination": pagination})


def create_tag(ctx: Context) -> SimResponse:
    """`POST /tags`: 201 created, 200 when a tag with that name exists."""
    tag, created = ctx.state.create_tag(ctx.body().get("name"))
    return json_response(201 if created else 200, {"tag": tag.to_json()})


def update_tag(ctx: Context) -> SimResponse:
    """`PUT /tags/{tag_id}`: rename."""
    tag = ctx.state.tag(ctx.params["tag_id"])
    ctx.state.rename_tag(tag, ctx.body().get("name"))
    return json_response(200, {"tag": tag.to_json()})


def _tagged(ctx: Context, sub: Subscriber, tag: Tag) -> dict[str, Any]:
    out = ctx.state.subscriber_json(sub)
    out["tagged_at"] = iso(sub.tags[tag.id])
    return out


def _by_email(ctx: Context) -> Subscriber:
    email = ctx.body().get("email_address")
    if not isinstance(email, str) or not email.strip():
        raise invalid("Email address is invalid")
    sub = ctx.state.by_email.get(email.strip().lower())
    if sub is None:
        raise not_found()
    return sub


def _tag(ctx: Context, sub: Subscriber) -> SimResponse:
    tag = ctx.state.tag(ctx.params["tag_id"])
    created = ctx.state.tag_subscriber(tag, sub)
    return json_response(201 if created else 200, {"subscriber": _tagged(ctx, sub, tag)})


def tag_subscriber(ctx: Context) -> SimResponse:
    """`POST /tags/{tag_id}/subscribers/{id}`: 201 tagged, 200 already tagged."""
    ctx.state.tag(ctx.params["tag_id"])
    return _tag(ctx, ctx.state.subscriber(ctx.params["id"]))


def tag_subscriber_by_email(ctx: Context) -> SimResponse:
    """`POST /tags/{tag_id}/subscribers` with `{email_address}`."""
    ctx.state.tag(ctx.params["tag_id"])
    return _tag(ctx, _by_email(ctx))


def untag_subscriber(ctx: Context) -> SimResponse:
    """`DELETE /tags/{tag_id}/subscribers/{id}`: 204."""
    tag = ctx.state.tag(ctx.params["tag_id"])
    ctx.state.untag_subscriber(tag, ctx.state.subscriber(ctx.params["id"]))
    return SimResponse(204)


def untag_subscriber_by_email(ctx: Context) -> SimResponse:
    """`DELETE /tags/{tag_id}/subscribers` with `{email_address}`: 204."""
    tag = ctx.state.tag(ctx.params["tag_id"])
    ctx.state.untag_subscriber(tag, _by_email(ctx))
    return SimResponse(204)


def tag_subscribers(ctx: Context) -> SimResponse:
    """`GET /tags/{tag_id}/subscribers` (default `status=active`, `all` for every state)."""
    tag = ctx.state.tag(ctx.params["tag_id"])
    query = ctx.query
    status = status_filter(query)
    chosen = sorted(
        (
            sub
            for sub in ctx.state.subscribers.values()
            if tag.id in sub.tags
            and matches_state(sub, status)
            and in_window(sub.created_at, query, "created")
            and in_window(sub.tags[tag.id], query, "tagged")
        ),
        key=lambda s: s.id,
    )
    page, pagination = paginate(chosen, lambda s: (s.id,), query)
    rows = [_tagged(ctx, sub, tag) for sub in page]
    return json_response(200, {"subscribers": rows, "pagination": pagination})


def register(router: Router) -> None:
    """Add the tag routes."""
    router.add("GET", "tags", list_tags)
    router.add("POST", "tags", create_tag)
    router.add("PUT", "tags/{tag_id}", update_tag)
    router.add("GET", "tags/{tag_id}/subscribers", tag_subscribers)
    router.add("POST", "tags/{tag_id}/subscribers", tag_subscriber_by_email)
    router.add("DELETE", "tags/{tag_id}/subscribers", untag_subscriber_by_email)
    router.add("POST", "tags/{tag_id}/subscribers/{id}", tag_subscriber)
    router.add("DELETE", "tags/{tag_id}/subscribers/{id}", untag_subscriber)
