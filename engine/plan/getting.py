"""The request and record of a `get`: its route (chosen by `id_pattern`), the route's path,
query and records selector (pure)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import NotFoundError, RemoteError
from engine.plan.calls import CallContext
from engine.plan.listing import choose_route
from engine.plan.messages import ProviderResponse

if TYPE_CHECKING:
    from engine.format.common import RequestSpec
    from engine.format.resource import Route


def get_spec(ctx: CallContext, record_id: str) -> tuple[RequestSpec, Route | None]:
    """The request of a get: the operation's, with the chosen route's `path` and `query`."""
    spec = ctx.operation.request
    assert spec is not None
    index = choose_route(ctx, {}, record_id)
    if index < 0:
        return spec, None
    route = ctx.operation.routes[index]
    update: dict[str, Any] = {"path": route.path}
    if route.query is not None:
        update["query"] = route.query
    return spec.model_copy(update=update), route


def records_path(ctx: CallContext, route: Route | None) -> str | None:
    """The records selector of a get answered by a list of matches (route first), if any."""
    if route is not None and route.records_path:
        return route.records_path
    return ctx.operation.response.records_path


def first_record(
    ctx: CallContext, response: ProviderResponse, source: str, record_id: str
) -> dict[str, Any]:
    """The first record `source` selects in the response, or `not_found` when none does."""
    records = ctx.mapping.expression(source).search(response.body)
    if not isinstance(records, list):
        raise RemoteError(
            f"{ctx.name}: the provider's response holds no records",
            remote=True,
            raw_response=response.body,
        )
    for raw in records:
        if isinstance(raw, dict):
            return ctx.mapper().map(raw, remote_data=ctx.remote_data)
    raise NotFoundError(f"{ctx.name}: no {ctx.resource.resource} matches '{record_id}'")
