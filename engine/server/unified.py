"""The unified API over HTTP: `/unified/marketing-automation/…` (routes in `endpoints`).

Every call names its linked account with `integrated_account_id` (query parameter, or the
`X-Integrated-Account-Id` header) and runs on the async engine exactly as
`AsyncConnection.call` does: the same envelopes, records, cursors and unified errors.
`list` takes the resource's filters, `limit` and `next_cursor` as query parameters; every
read takes `remote_data=false` to leave out the provider's raw record.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.server.context import ServerContext
from engine.server.endpoints import Endpoint, endpoints
from engine.server.inputs import ACCOUNT_PARAM, flag, json_object

__all__ = ["RESERVED", "routes"]

#: Query parameters the server reads itself (never passed on as filters).
RESERVED = frozenset({ACCOUNT_PARAM, "remote_data", "upsert"})


def _query(request: Request) -> dict[str, Any] | None:
    query = {k: v for k, v in request.query_params.items() if k not in RESERVED}
    return query or None


def _status(method: str, result: Any) -> int:
    if method == "create":
        return 201
    if method == "upsert" and isinstance(result, dict) and result.get("created") is True:
        return 201
    return 200


def _handler(context: ServerContext, endpoint: Endpoint) -> Any:
    async def handle(request: Request) -> JSONResponse:
        connection = await context.connect(request)
        method = endpoint.method
        if endpoint.upsert and flag(request, "upsert", default=False):
            method = "upsert"
        body = await json_object(request) if endpoint.has_body else None
        result = await connection.call(
            endpoint.resource,
            method,
            id=request.path_params.get("id"),
            query=_query(request),
            body=body,
            remote_data=flag(request, "remote_data", default=True),
        )
        return JSONResponse(result, status_code=_status(method, result))

    return handle


def routes(context: ServerContext) -> list[BaseRoute]:
    """One route per unified endpoint (verbs of one path share a route)."""
    by_path: dict[str, dict[str, Any]] = {}
    for endpoint in endpoints():
        by_path.setdefault(endpoint.path, {})[endpoint.verb] = _handler(context, endpoint)
    found: list[BaseRoute] = []
    for path, handlers in by_path.items():
        found.append(Route(path, _dispatch(handlers), methods=list(handlers)))
    return found


def _dispatch(handlers: dict[str, Any]) -> Any:
    async def dispatch(request: Request) -> JSONResponse:
        verb = "GET" if request.method == "HEAD" else request.method
        response: JSONResponse = await handlers[verb](request)
        return response

    return dispatch
