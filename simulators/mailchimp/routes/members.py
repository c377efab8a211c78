"""Members of an audience: `/lists/{list_id}/members[/{subscriber_hash}[/tags]]`.

The id in paths is the subscriber hash (MD5 of the lower-cased address); the address itself or
the member's `contact_id` are accepted too. `POST` refuses an address already in the audience
(400 `Member Exists`), `PUT` creates or updates (`status_if_new` for new members), `DELETE`
archives, `actions/delete-permanent` erases for good (the address cannot be re-added).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from simulators.core.messages import SimResponse, json_response
from simulators.mailchimp import validation as v
from simulators.mailchimp.errors import bad_request, invalid_resource, not_found
from simulators.mailchimp.ids import subscriber_hash
from simulators.mailchimp.models import MEMBER_STATUSES, Audience, Member
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.routes.common import collection, no_content
from simulators.mailchimp.serialize import member_json

_SORT_FIELDS = ("timestamp_opt", "timestamp_signup", "last_changed")
_TIME_FILTERS = {
    "since_last_changed": ("last_changed", False),
    "before_last_changed": ("last_changed", True),
    "since_timestamp_opt": ("timestamp_opt", False),
    "before_timestamp_opt": ("timestamp_opt", True),
}


def find_member(audience: Audience, key: str) -> Member | None:
    """A member by subscriber hash, address or contact id."""
    if "@" in key:
        key = subscriber_hash(key.strip())
    member = audience.members.get(key.lower())
    if member is None:
        member = next((m for m in audience.members.values() if m.contact_id == key), None)
    return member


def _member(ctx: Context) -> tuple[Audience, Member]:
    audience = ctx.audience()
    member = find_member(audience, ctx.params["subscriber_hash"])
    if member is None:
        raise not_found()
    return audience, member


def _moment(text: str, name: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise invalid_resource([{"field": name, "message": "Invalid date-time."}]) from None


def _on_side(value: str, edge: datetime, before: bool) -> bool:
    if not value:
        return False
    moment = datetime.fromisoformat(value)
    return moment < edge if before else moment > edge


def list_members(ctx: Context) -> SimResponse:
    """Offset/count page; filters `status`, `since_/before_last_changed`,
    `since_/before_timestamp_opt`, `vip_only`; `sort_field` + `sort_dir` (ASC|DESC)."""
    audience = ctx.audience()
    status = ctx.query.get("status") or None
    if status is not None and status not in MEMBER_STATUSES:
        raise invalid_resource([{"field": "status", "message": "Invalid status."}])
    members = ctx.state.visible_members(audience, status)
    for name, (attribute, before) in _TIME_FILTERS.items():
        raw = ctx.query.get(name)
        if raw:
            edge = _moment(raw, name)
            members = [m for m in members if _on_side(getattr(m, attribute), edge, before)]
    if ctx.query.get("vip_only") == "true":
        members = [m for m in members if m.vip]
    sort_field = ctx.query.get("sort_field")
    if sort_field in _SORT_FIELDS:
        members.sort(key=lambda m: getattr(m, sort_field) or "")
        if ctx.query.get("sort_dir", "ASC").upper() == "DESC":
            members.reverse()
    page = [member_json(ctx.state, audience, m, ctx.api_url) for m in ctx.page(members)]
    return collection(
        "members",
        page,
        len(members),
        f"{ctx.api_url}/lists/{audience.id}/members",
        list_id=audience.id,
    )


def _options(
    ctx: Context, body: dict[str, Any], member: Member | None, errors: v.Errors
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if "email_type" in body:
        if body["email_type"] not in ("html", "text"):
            errors.append({"field": "email_type", "message": "Possible values: html, text"})
        else:
            out["email_type"] = body["email_type"]
    for name, kind in (("language", str), ("vip", bool), ("ip_signup", str), ("ip_opt", str)):
        if name in body:
            if not isinstance(body[name], kind):
                errors.append({"field": name, "message": f"Schema describes {kind.__name__}"})
            else:
                out[name] = body[name]
    return out


def write_member(
    ctx: Context,
    audience: Audience,
    body: dict[str, Any],
    *,
    upsert: bool,
    status_key: str = "status_if_new",
    path_key: str | None = None,
) -> tuple[Member, bool]:
    """Create (POST/PUT) or update (PUT) a member from a body; returns (member, created)."""
    state = ctx.state
    address = v.email(body.get("email_address"))
    key = subscriber_hash(address)
    if path_key is not None and find_member(audience, path_key) is None and path_key.lower() != key:
        raise invalid_resource(
            [
                {
                    "field": "email_address",
                    "message": "The subscriber hash does not match this address.",
                }
            ]
        )
    existing = audience.members.get(key)
    if key in audience.forgotten:
        raise bad_request(
            "Forgotten Email Not Subscribed",
            f"{address} was permanently deleted and cannot be re-imported. The contact must "
            "re-subscribe to get back on the list.",
        )
    if existing is not None and existing.status != "archived" and not upsert:
        raise bad_request(
            "Member Exists",
            f"{address} is already a list member. Use PUT to insert or update list members.",
        )
    creating = existing is None or existing.status == "archived"
    errors: v.Errors = []
    status = v.status(body.get("status"), "status", errors)
    if creating:
        status = v.status(body.get(status_key), status_key, errors) or status
        if status is None and not errors:
            errors.append({"field": status_key, "message": "This value should not be blank."})
    skip = ctx.query.get("skip_merge_validation") == "true"
    values = v.merge_values(
        body.get("merge_fields"), audience, state, errors, creating=creating, skip=skip
    )
    options = _options(ctx, body, existing, errors)
    tags = body.get("tags") if creating else None
    if tags is not None and (
        not isinstance(tags, list) or not all(isinstance(t, str) for t in tags)
    ):
        errors.append({"field": "tags", "message": "Schema describes array of strings"})
    v.fail_if(
        errors,
        "Your merge fields were invalid." if any(e["field"].isupper() for e in errors) else None,
    )
    if creating:
        assert status is not None
        member = state.create_member(audience, address, status, values, **options)
        for name in tags or []:
            state.set_tag(audience, member, name, True)
        return member, True
    assert existing is not None
    for name, value in options.items():
        setattr(existing, name, value)
    state.set_merge_values(audience, existing, values)
    if status is not None:
        state.set_status(audience, existing, status)
    if options:
        state.touch(existing)
    return existing, False


def add_member(ctx: Context) -> SimResponse:
    """`POST`: a new member; an address already in the audience is 400 `Member Exists`."""
    audience = ctx.audience()
    member, _ = write_member(ctx, audience, ctx.body(), upsert=False, status_key="status")
    return json_response(200, member_json(ctx.state, audience, member, ctx.api_url))


def upsert_member(ctx: Context) -> SimResponse:
    """`PUT`: create with `status_if_new`, or update (`status` changes an existing one)."""
    audience = ctx.audience()
    key = ctx.params["subscriber_hash"]
    member, _ = write_member(ctx, audience, ctx.body(), upsert=True, path_key=key)
    return json_response(200, member_json(ctx.state, audience, member, ctx.api_url))


def get_member(ctx: Context) -> SimResponse:
    """One member (archived ones too)."""
    audience, member = _member(ctx)
    return json_response(200, member_json(ctx.state, audience, member, ctx.api_url))


def update_member(ctx: Context) -> SimResponse:
    """`PATCH`: merge fields merge, `status` changes, a new `email_address` moves the member."""
    audience, member = _member(ctx)
    state = ctx.state
    body = ctx.body()
    errors: v.Errors = []
    new_address = None
    if "email_address" in body:
        new_address = v.email(body["email_address"])
        other = audience.members.get(subscriber_hash(new_address))
        if other is not None and other is not member:
            raise bad_request(
                "Member Exists",
                f"{new_address} is already a list member. "
                "Use PUT to insert or update list members.",
            )
    status = v.status(body.get("status"), "status", errors)
    values = v.merge_values(
        body.get("merge_fields"), audience, state, errors, creating=False, skip=True
    )
    options = _options(ctx, body, member, errors)
    v.fail_if(errors)
    if new_address is not None and subscriber_hash(new_address) != member.id:
        state.change_email(audience, member, new_address)
    elif new_address is not None:
        member.email_address = new_address
    for name, value in options.items():
        setattr(member, name, value)
    state.set_merge_values(audience, member, values)
    if status is not None:
        state.set_status(audience, member, status)
    if options:
        state.touch(member)
    return json_response(200, member_json(state, audience, member, ctx.api_url))


def archive_member(ctx: Context) -> SimResponse:
    """`DELETE`: archive (204); an already archived member is 404."""
    audience, member = _member(ctx)
    if member.status == "archived":
        raise not_found()
    ctx.state.archive_member(audience, member)
    return no_content()


def delete_permanent(ctx: Context) -> SimResponse:
    """`POST .../actions/delete-permanent`: erase the member for good (204)."""
    audience, member = _member(ctx)
    ctx.state.delete_permanently(audience, member)
    return no_content()


def list_tags(ctx: Context) -> SimResponse:
    """The member's tags."""
    audience, member = _member(ctx)
    tags = ctx.state.member_tags(audience, member)
    items = [{"id": t.id, "name": t.name, "date_added": t.created_at} for t in ctx.page(tags)]
    return collection(
        "tags", items, len(tags), f"{ctx.api_url}/lists/{audience.id}/members/{member.id}/tags"
    )


def update_tags(ctx: Context) -> SimResponse:
    """`POST {tags: [{name, status: active|inactive}]}` → 204 (unknown names create tags)."""
    audience, member = _member(ctx)
    tags = ctx.body().get("tags")
    if not isinstance(tags, list) or not all(
        isinstance(t, dict)
        and isinstance(t.get("name"), str)
        and t.get("status") in ("active", "inactive")
        for t in tags
    ):
        raise invalid_resource(
            [
                {
                    "field": "tags",
                    "message": "Each tag needs a name and a status (active or inactive).",
                }
            ]
        )
    for tag in tags:
        ctx.state.set_tag(audience, member, tag["name"], tag["status"] == "active")
    return no_content()


def register(router: Router) -> None:
    """Wire the handlers."""
    base = "lists/{list_id}/members"
    one = base + "/{subscriber_hash}"
    router.add("GET", base, list_members)
    router.add("POST", base, add_member)
    router.add("GET", one, get_member)
    router.add("PUT", one, upsert_member)
    router.add("PATCH", one, update_member)
    router.add("DELETE", one, archive_member)
    router.add("POST", one + "/actions/delete-permanent", delete_permanent)
    router.add("GET", one + "/tags", list_tags)
    router.add("POST", one + "/tags", update_tags)
