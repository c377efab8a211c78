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

from engine.api import Engine
from engine.server.context import ServerContext
from engine.server.endpoints import Endpoint, endpoints
from engine.server.inputs import ACCOUNT_PARAM, flag, json_object
from engine.server.openapi_schemas import account_parameters, answer, operation, parameter, ref
from engine.unified import schemas as unified

__all__ = ["RESERVED", "openapi_paths", "routes"]

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


# --------------------------------------------------------------------------- OpenAPI

_SUMMARIES = {
    "list": "List {resource} (one page)",
    "get": "Get one of {resource}",
    "create": "Create one of {resource}",
    "update": "Update one of {resource}",
    "delete": "Delete one of {resource}",
    "bulk_upsert": "Create or update many {resource}",
}


def _support(engine: Engine, resource: str, method: str) -> str:
    """Which providers support `resource.method`, from their mappings."""
    lines = []
    for name in sorted(engine.providers):
        mapping = engine.providers[name]
        found = mapping.resources.get(resource)
        operation_ = found.operations.get(method) if found is not None else None
        if operation_ is None:
            lines.append(f"- {name}: not supported")
        elif operation_.not_supported is not None:
            lines.append(f"- {name}: not supported ({operation_.not_supported})")
        else:
            lines.append(f"- {name}: supported")
    return "Providers:\n" + "\n".join(lines)


def _parameters(endpoint: Endpoint) -> list[dict[str, Any]]:
    found = account_parameters()
    if endpoint.takes_id:
        found.append(parameter("id", "path"))
    if endpoint.method in ("list", "get"):
        found.append(
            parameter("remote_data", "query", {"type": "boolean"}, "false: leave out remote_data")
        )
    if endpoint.method == "list":
        found.append(
            parameter("limit", "query", {"type": "integer", "minimum": 1}, "records per page")
        )
        found.append(
            parameter("next_cursor", "query", {"type": "string"}, "the previous page's cursor")
        )
        for name in unified.filters(endpoint.resource):
            found.append(parameter(name, "query", {"type": "string"}, f"filter by {name}"))
    if endpoint.upsert:
        found.append(
            parameter("upsert", "query", {"type": "boolean"}, "true: create or update by identity")
        )
    return found


def _result(endpoint: Endpoint) -> dict[str, Any]:
    record = ref(unified.RECORD_SCHEMAS[endpoint.resource].removesuffix(".json"))
    if endpoint.method == "list":
        return ref(f"{endpoint.resource}_envelope")
    if endpoint.method == "delete":
        return ref("deleted")
    if endpoint.method in ("get", "create", "update"):
        return record
    return ref("item_results")


def _responses(endpoint: Endpoint) -> dict[str, Any]:
    schema = _result(endpoint)
    if endpoint.method != "create":
        return {"200": answer("OK", schema)}
    if not endpoint.upsert:
        return {"201": answer("Created", schema)}
    upserted = {"$ref": schema["$ref"] + "_upserted"}
    return {
        "201": answer("Created (also by an upsert)", {"anyOf": [schema, upserted]}),
        "200": answer("Updated by an upsert", upserted),
    }


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The OpenAPI operations of every unified endpoint."""
    paths: dict[str, Any] = {}
    for endpoint in endpoints():
        body_file = unified.write_schema(endpoint.resource, endpoint.method)
        template = _SUMMARIES.get(endpoint.method, f"{endpoint.method} on one of {{resource}}")
        paths.setdefault(endpoint.path, {})[endpoint.verb.lower()] = operation(
            template.format(resource=endpoint.resource),
            operation_id=f"{endpoint.resource}_{endpoint.method}",
            tag=endpoint.resource,
            description=_support(context.engine, endpoint.resource, endpoint.method),
            parameters=_parameters(endpoint),
            body=None if body_file is None else ref(_body_component(endpoint)),
            responses=_responses(endpoint),
        )
    return paths


def _body_component(endpoint: Endpoint) -> str:
    filename = unified.WRITE_SCHEMAS[endpoint.resource][endpoint.method]
    assert filename is not None
    return filename.removesuffix(".json")
