"""`GET /` (account), `GET /ping` and `GET /search-members`."""

from __future__ import annotations

from simulators.core.messages import SimResponse, json_response
from simulators.mailchimp.errors import invalid_resource, not_found
from simulators.mailchimp.router import Context, Router
from simulators.mailchimp.serialize import member_json


def ping(ctx: Context) -> SimResponse:
    """The health check."""
    return json_response(200, {"health_status": "Everything's Chimpy!"})


def root(ctx: Context) -> SimResponse:
    """Account details."""
    total = sum(1 for _, m in ctx.state.iter_all_members() if m.status != "archived")
    return json_response(
        200,
        {
            "account_id": "simulated0account",
            "login_id": "1",
            "account_name": "Simulated Account",
            "email": "owner@example.com",
            "username": "simulated",
            "role": "owner",
            "pricing_plan_type": "monthly",
            "total_subscribers": total,
            "_links": [{"rel": "self", "href": f"{ctx.api_url}/", "method": "GET"}],
        },
    )


def search_members(ctx: Context) -> SimResponse:
    """`?query=` (required) over every audience, or `list_id`'s only.

    An address matches exactly (case-insensitive) into `exact_matches`; a partial match of the
    address or of FNAME/LNAME lands in `full_search`. Each part holds at most 10 members.
    """
    query = ctx.query.get("query", "").strip().lower()
    if not query:
        raise invalid_resource([{"field": "query", "message": "This value should not be blank."}])
    list_id = ctx.query.get("list_id")
    if list_id and list_id not in ctx.state.audiences:
        raise not_found()
    exact, partial = [], []
    for audience, member in ctx.state.iter_all_members():
        if list_id and audience.id != list_id:
            continue
        if member.email_address.lower() == query:
            exact.append(member_json(ctx.state, audience, member, ctx.api_url))
            continue
        names = " ".join(str(member.merge_fields.get(t, "")) for t in ("FNAME", "LNAME"))
        if query in member.email_address.lower() or query in names.lower():
            partial.append(member_json(ctx.state, audience, member, ctx.api_url))
    return json_response(
        200,
        {
            "exact_matches": {"members": exact[:10], "total_items": len(exact)},
            "full_search": {"members": partial[:10], "total_items": len(partial)},
            "_links": [],
        },
    )


def register(router: Router) -> None:
    """Wire the handlers."""
    router.add("GET", "ping", ping)
    router.add("GET", "", root)
    router.add("GET", "search-members", search_members)
