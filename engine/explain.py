"""`--explain`: the provider requests a call would make, credentials redacted, nothing sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.plan import writes
from engine.plan.calls import CallContext
from engine.plan.dispatch import plan_call, split_list_query
from engine.plan.enrich import describe_enrichments
from engine.plan.listing import ListPlan
from engine.plan.messages import ProviderRequest
from engine.run.drivers import first_request
from engine.secrets import redact_data
from engine.unified.schemas import RECORD_WRITES

if TYPE_CHECKING:
    from engine.run.session import ProviderSession

REDACTED = "***"


def describe_request(session: ProviderSession, request: ProviderRequest) -> dict[str, Any]:
    """Method, absolute URL, query, headers and body of a request, credentials redacted
    wherever they are (auth headers and parameters shown as `***`)."""
    url, query = session.url_for(request)
    described = request.describe()
    described["url"] = url
    described.pop("path", None)
    headers = {
        name: session.redact(value)
        for name, value in {**session.headers, **dict(request.headers)}.items()
    }
    auth = session.mapping.provider.auth
    if auth.type in ("bearer", "basic"):
        headers["Authorization"] = ("Bearer " if auth.type == "bearer" else "Basic ") + REDACTED
    elif auth.type == "header":
        headers[auth.name] = REDACTED
    elif auth.type == "query":
        query = [*query, (auth.name, REDACTED)]
    described["headers"] = headers
    described["query"] = [list(pair) for pair in query]
    # A credential can also sit in the URL (a base URL template) or a filled body.
    result: dict[str, Any] = redact_data(described, session.redact)
    return result


def explain_call(
    ctx: CallContext,
    session: ProviderSession,
    call_id: Any,
    query: dict[str, Any] | None,
    body: Any,
) -> dict[str, Any]:
    """The explanation of one call: its requests in order and notes on what is not shown."""
    explained: dict[str, Any] = {
        "provider": ctx.mapping.name,
        "call": ctx.name,
        "requests": [],
        "notes": [],
    }
    requests: list[ProviderRequest] = []
    if ctx.method == "list":
        filters, limit, cursor = split_list_query(query)
        plan = ListPlan(ctx, filters, limit, cursor)
        requests.append(plan.request())
        explained["pagination"] = plan.describe()
    elif ctx.method in RECORD_WRITES and ctx.operation.request is not None:
        prepared = writes.preview_write(ctx, call_id, body)
        requests.extend(request for request, _ in prepared.before)
        requests.append(prepared.request)
        if ctx.operation.response.result == "read_back":
            explained["notes"].append(
                f"the record is then read back through {ctx.resource.resource}.get"
            )
        if (
            ctx.resource.custom_fields is not None
            and isinstance(body, dict)
            and body.get("custom_fields")
        ):
            explained["notes"].append(
                "custom_fields keys are first checked against "
                f"{ctx.resource.custom_fields.source}.list "
                "(fetched once per connection)"
            )
    else:
        first = first_request(plan_call(ctx, call_id, query, body))
        if first is not None:
            requests.append(first)
        if ctx.operation.each is not None:
            explained["notes"].append(
                "only the first request is shown; items are grouped per batch"
            )
    explained["requests"] = [describe_request(session, r) for r in requests]
    if ctx.method in ("get", "list") and ctx.resource.enrich:
        explained["enrich"] = describe_enrichments(ctx)
        fields = ", ".join(ctx.resource.enrich)
        explained["notes"].append(
            f"then {fields}: one more request per record (or per group of records), "
            "paced and retried like any request"
        )
    return explained
