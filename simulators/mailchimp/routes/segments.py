"""Segments and tags: `/lists/{list_id}/segments[/{segment_id}[/members[/{subscriber_hash}]]]`.

A tag is a static segment (`type: static`); `static_segment: [emails]` on create makes one.
Saved segments hold `options: {match: all|any, conditions: [...]}` and their members are
computed. Only static segments accept member changes.
"""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.mailchimp import validation as v
from simulators.mailchimp.errors import bad_request, invalid_resource, not_found
from simulators.mailchimp.ids import subscriber_hash
from simulators.mailchimp.models import Audience, Segment
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.routes.common import collection, no_content
from simulators.mailchimp.routes.members import find_member
from simulators.mailchimp.serialize import member_json, segment_json

_TYPES = ("saved", "static", "fuzzy")


def _segment(ctx: Context) -> tuple[Audience, Segment]:
    audience = ctx.audience()
    raw = ctx.params["segment_id"]
    segment = audience.segments.get(int(raw)) if raw.isdecimal() else None
    if segment is None:
        raise not_found()
    return audience, segment


def list_segments(ctx: Context) -> SimResponse:
    """Offset/count page in id order; `type=saved|static|fuzzy` filter."""
    audience = ctx.audience()
    items = list(audience.segments.values())
    wanted = ctx.query.get("type")
    if wanted:
        if wanted not in _TYPES:
            raise invalid_resource(
                [{"field": "type", "message": "Possible values: saved, static, fuzzy"}]
            )
        items = [s for s in items if s.type == wanted]
    page = [segment_json(ctx.state, audience, s, ctx.api_url) for s in ctx.page(items)]
    return collection(
        "segments",
        page,
        len(items),
        f"{ctx.api_url}/lists/{audience.id}/segments",
        list_id=audience.id,
    )


def _emails(audience: Audience, raw: Any, field: str) -> set[str]:
    if not isinstance(raw, list) or not all(isinstance(e, str) for e in raw):
        raise invalid_resource([{"field": field, "message": "Schema describes array of strings"}])
    hashes = {subscriber_hash(v.email(e)) for e in raw}
    return {h for h in hashes if h in audience.members}


def _conditions(options: Any) -> tuple[str, list[dict[str, Any]]]:
    if not isinstance(options, dict) or not isinstance(options.get("conditions"), list):
        raise invalid_resource(
            [{"field": "options.conditions", "message": "Schema describes array"}]
        )
    match = options.get("match", "all")
    if match not in ("all", "any"):
        raise invalid_resource([{"field": "options.match", "message": "Possible values: all, any"}])
    return str(match), [dict(c) for c in options["conditions"] if isinstance(c, dict)]


def create_segment(ctx: Context) -> SimResponse:
    """`name` plus `static_segment` (emails; makes a tag) or `options` (a saved segment)."""
    audience = ctx.audience()
    body = ctx.body()
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise invalid_resource([{"field": "name", "message": "This value should not be blank."}])
    if "static_segment" in body:
        if ctx.state.tag_named(audience, name) is not None:
            raise bad_request("Invalid Resource", "Sorry, that tag already exists.")
        members = _emails(audience, body["static_segment"], "static_segment")
        segment = ctx.state.create_segment(audience, name, "static")
        segment.members |= members
    else:
        match, conditions = _conditions(body.get("options"))
        segment = ctx.state.create_segment(
            audience, name, "saved", conditions=conditions, match=match
        )
    return json_response(200, segment_json(ctx.state, audience, segment, ctx.api_url))


def get_segment(ctx: Context) -> SimResponse:
    """One segment."""
    audience, segment = _segment(ctx)
    return json_response(200, segment_json(ctx.state, audience, segment, ctx.api_url))


def update_segment(ctx: Context) -> SimResponse:
    """`PATCH`: rename; `static_segment` replaces a tag's members; `options` a segment's rules."""
    audience, segment = _segment(ctx)
    body = ctx.body()
    if isinstance(body.get("name"), str) and body["name"].strip():
        segment.name = body["name"]
    if "static_segment" in body and segment.type == "static":
        segment.members = _emails(audience, body["static_segment"], "static_segment")
    if "options" in body and segment.type == "saved":
        segment.match, segment.conditions = _conditions(body["options"])
    segment.updated_at = ctx.state.now()
    return json_response(200, segment_json(ctx.state, audience, segment, ctx.api_url))


def delete_segment(ctx: Context) -> SimResponse:
    """Delete a segment or tag (204)."""
    audience, segment = _segment(ctx)
    del audience.segments[segment.id]
    return no_content()


def batch_members(ctx: Context) -> SimResponse:
    """`POST /segments/{id}`: `members_to_add` / `members_to_remove` (emails) of a tag."""
    audience, segment = _segment(ctx)
    if segment.type != "static":
        raise bad_request("Invalid Resource", "Cannot add or remove members of a saved segment.")
    body = ctx.body()
    added: list[dict[str, Any]] = []
    removed: list[dict[str, Any]] = []
    errors: list[dict[str, Any]] = []
    for key, adding in (("members_to_add", True), ("members_to_remove", False)):
        for address in body.get(key) or []:
            member = find_member(audience, str(address))
            if member is None:
                errors.append(
                    {"email_addresses": [address], "error": "Email address is not a list member"}
                )
                continue
            (segment.members.add if adding else segment.members.discard)(member.id)
            (added if adding else removed).append(
                member_json(ctx.state, audience, member, ctx.api_url)
            )
    segment.updated_at = ctx.state.now()
    return json_response(
        200,
        {
            "members_added": added,
            "members_removed": removed,
            "errors": errors,
            "total_added": len(added),
            "total_removed": len(removed),
            "error_count": len(errors),
            "_links": [],
        },
    )


def list_segment_members(ctx: Context) -> SimResponse:
    """Offset/count page of a segment's members."""
    audience, segment = _segment(ctx)
    members = ctx.state.segment_members(audience, segment)
    page = [member_json(ctx.state, audience, m, ctx.api_url) for m in ctx.page(members)]
    return collection(
        "members",
        page,
        len(members),
        f"{ctx.api_url}/lists/{audience.id}/segments/{segment.id}/members",
    )


def add_segment_member(ctx: Context) -> SimResponse:
    """`POST {email_address}`: add a list member to a tag."""
    audience, segment = _segment(ctx)
    if segment.type != "static":
        raise bad_request("Invalid Resource", "Cannot add members to a saved segment.")
    address = v.email(ctx.body().get("email_address"))
    member = find_member(audience, address)
    if member is None:
        raise not_found()
    segment.members.add(member.id)
    return json_response(200, member_json(ctx.state, audience, member, ctx.api_url))


def remove_segment_member(ctx: Context) -> SimResponse:
    """Remove a member from a tag (204); a non-member is 404."""
    audience, segment = _segment(ctx)
    member = find_member(audience, ctx.params["subscriber_hash"])
    if member is None or member.id not in segment.members or segment.type != "static":
        raise not_found()
    segment.members.discard(member.id)
    return no_content()


def register(router: Router) -> None:
    """Wire the handlers."""
    base = "lists/{list_id}/segments"
    one = base + "/{segment_id}"
    router.add("GET", base, list_segments)
    router.add("POST", base, create_segment)
    router.add("GET", one, get_segment)
    router.add("PATCH", one, update_segment)
    router.add("DELETE", one, delete_segment)
    router.add("POST", one, batch_members)
    router.add("GET", one + "/members", list_segment_members)
    router.add("POST", one + "/members", add_segment_member)
    router.add("DELETE", one + "/members/{subscriber_hash}", remove_segment_member)
