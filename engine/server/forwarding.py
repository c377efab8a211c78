"""Administering webhook forwarding over HTTP (host app's API token only).

| route | what |
|---|---|
| `GET /forwarding/endpoints` | every tenant's forwarding URL |
| `PUT /forwarding/endpoints/{tenant_id}` `{"url"}` | forward that tenant's events to `url` |
| `DELETE /forwarding/endpoints/{tenant_id}` | back to the default (`serve --forward-to`) |
| `GET /forwarding/outbox` | messages per state: pending, delivered, dead |
| `GET /forwarding/dead?tenant_id=&limit=` | messages given up after the last retry |
| `POST /forwarding/dead/{message_id}/requeue` | try a dead message again |
| `GET /forwarding/disabled` | URLs disabled after answering 410 Gone |
| `DELETE /forwarding/disabled?url=` | send to that URL again |

The same actions are `unimap webhook endpoint | endpoints | outbox | dead | requeue |
disabled | enable`.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.errors import NotFoundError
from engine.forwarding.outbox import Outbox, checked_endpoint
from engine.server.context import ServerContext
from engine.server.inputs import invalid_field, json_object, optional_string
from engine.server.openapi_schemas import HOST_ERRORS, answer, operation, parameter

__all__ = ["MAX_LIMIT", "openapi_paths", "routes"]

#: The most dead messages one `GET /forwarding/dead` lists.
MAX_LIMIT = 1000

Handler = Callable[[Request], Awaitable[JSONResponse]]


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise invalid_field("limit", f"must be a whole number from 1 to {MAX_LIMIT}")
    return int(raw)


async def _endpoint(outbox: Outbox, request: Request) -> dict[str, Any]:
    tenant = request.path_params["tenant_id"]
    if request.method == "PUT":
        url = optional_string(await json_object(request), "url")
        if url is None:
            raise invalid_field("url", "required")
        await run_in_threadpool(outbox.set_endpoint, tenant, checked_endpoint(url))
    elif request.method == "DELETE":
        await run_in_threadpool(outbox.set_endpoint, tenant, None)
    return {"tenant_id": tenant, "url": await run_in_threadpool(outbox.endpoint, tenant)}


async def _endpoints(outbox: Outbox, request: Request) -> dict[str, Any]:
    found = await run_in_threadpool(outbox.endpoints)
    return {"result": [{"tenant_id": t, "url": url} for t, url in found.items()]}


async def _counts(outbox: Outbox, request: Request) -> dict[str, Any]:
    return await run_in_threadpool(outbox.counts)


async def _dead(outbox: Outbox, request: Request) -> dict[str, Any]:
    tenant = request.query_params.get("tenant_id") or None
    messages = await run_in_threadpool(outbox.dead, tenant, _limit(request))
    return {"result": [message.summary() for message in messages]}


async def _requeue(outbox: Outbox, request: Request) -> dict[str, Any]:
    message_id = request.path_params["message_id"]
    if not await run_in_threadpool(outbox.requeue, message_id):
        raise NotFoundError(f"no dead message {message_id!r}")
    return {"id": message_id, "state": "pending"}


async def _disabled(outbox: Outbox, request: Request) -> dict[str, Any]:
    found = await run_in_threadpool(outbox.disabled_endpoints)
    return {"result": [{"url": url, **about} for url, about in found.items()]}


async def _enable(outbox: Outbox, request: Request) -> dict[str, Any]:
    url = request.query_params.get("url")
    if not url:
        raise invalid_field("url", "required")
    if not await run_in_threadpool(outbox.enable_endpoint, url):
        raise NotFoundError("this URL is not disabled")
    return {"url": url, "disabled": False}


def _host_only(
    context: ServerContext,
    outbox: Outbox,
    action: Callable[[Outbox, Request], Awaitable[dict[str, Any]]],
) -> Handler:
    async def handler(request: Request) -> JSONResponse:
        caller = await context.authenticate(request)
        caller.require_host()
        return JSONResponse(await action(outbox, request))

    return handler


def routes(context: ServerContext) -> list[BaseRoute]:
    """The administration routes (none without a forwarder)."""
    if context.forwarder is None:
        return []
    outbox = context.forwarder.outbox

    def route(path: str, action: Any, methods: list[str]) -> Route:
        return Route(path, _host_only(context, outbox, action), methods=methods)

    return [
        route("/forwarding/endpoints", _endpoints, ["GET"]),
        route("/forwarding/endpoints/{tenant_id}", _endpoint, ["GET", "PUT", "DELETE"]),
        route("/forwarding/outbox", _counts, ["GET"]),
        route("/forwarding/dead", _dead, ["GET"]),
        route("/forwarding/dead/{message_id}/requeue", _requeue, ["POST"]),
        route("/forwarding/disabled", _disabled, ["GET"]),
        route("/forwarding/disabled", _enable, ["DELETE"]),
    ]


# --------------------------------------------------------------------------- OpenAPI

_ENDPOINT: dict[str, Any] = {
    "type": "object",
    "properties": {"tenant_id": {"type": "string"}, "url": {"type": ["string", "null"]}},
    "required": ["tenant_id", "url"],
}

_MESSAGE: dict[str, Any] = {
    "title": "Forwarded message",
    "description": "One unified event on its way to the host app (`body`: what it receives).",
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "state": {"type": "string", "enum": ["pending", "delivered", "dead"]},
        "tenant_id": {"type": ["string", "null"]},
        "integrated_account_id": {"type": "string"},
        "type": {"type": "string"},
        "attempts": {"type": "integer", "minimum": 0},
        "last_error": {"type": ["string", "null"]},
        "created_at": {"type": "number", "description": "Unix seconds"},
        "due_at": {"type": "number", "description": "Unix seconds"},
        "body": {"type": "object"},
    },
    "required": ["id", "state", "tenant_id", "integrated_account_id", "type", "attempts"],
}


def _result(items: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"result": {"type": "array", "items": items}},
        "required": ["result"],
    }


def _admin(
    summary: str, operation_id: str, answered: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """A host-only operation answering 200 `answered`; `extra`: parameters, body, errors."""
    errors = {**HOST_ERRORS, **extra.pop("errors", {})}
    return operation(
        summary,
        tag="forwarding",
        operation_id=operation_id,
        responses={"200": answer("OK", answered)},
        errors=errors,
        **extra,
    )


_DISABLED: dict[str, Any] = {
    "type": "object",
    "properties": {
        "url": {"type": "string"},
        "reason": {"type": "string"},
        "disabled_at": {"type": "number", "description": "Unix seconds"},
    },
    "required": ["url", "reason", "disabled_at"],
}

_ENABLED: dict[str, Any] = {
    "type": "object",
    "properties": {"url": {"type": "string"}, "disabled": {"const": False}},
    "required": ["url", "disabled"],
}

_COUNTS: dict[str, Any] = {
    "type": "object",
    "properties": {
        state: {"type": "integer", "minimum": 0} for state in ("pending", "delivered", "dead")
    },
    "required": ["pending", "delivered", "dead"],
}

_REQUEUED: dict[str, Any] = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "state": {"const": "pending"}},
    "required": ["id", "state"],
}


def _tenant_endpoint() -> dict[str, Any]:
    """The operations of `/forwarding/endpoints/{tenant_id}`."""
    tenant = [parameter("tenant_id", "path")]
    url_body = {
        "type": "object",
        "properties": {"url": {"type": "string", "format": "uri", "minLength": 1}},
        "required": ["url"],
    }
    bad_url = "no `url`, or not an absolute http(s) URL without user info (`validation_error`)"
    return {
        "get": _admin(
            "A tenant's own forwarding URL (null: the default)",
            "forwarding_endpoint_get",
            _ENDPOINT,
            parameters=tenant,
        ),
        "put": _admin(
            "Forward the tenant's events to `url`",
            "forwarding_endpoint_set",
            _ENDPOINT,
            parameters=tenant,
            body=url_body,
            errors={422: bad_url},
        ),
        "delete": _admin(
            "Forward the tenant's events to the default URL again",
            "forwarding_endpoint_remove",
            _ENDPOINT,
            parameters=tenant,
        ),
    }


def _disabled_operations() -> dict[str, Any]:
    """The operations of `/forwarding/disabled`."""
    url = parameter(
        "url", "query", {"type": "string", "minLength": 1}, "The disabled URL to enable."
    )
    return {
        "get": _admin(
            "Forwarding URLs disabled after answering 410 Gone",
            "forwarding_disabled",
            _result(_DISABLED),
        ),
        "delete": _admin(
            "Send to a disabled URL again",
            "forwarding_enable",
            _ENABLED,
            parameters=[{**url, "required": True}],
            errors={
                404: "this URL is not disabled (`not_found`)",
                422: "no `url` (`validation_error`)",
            },
        ),
    }


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The administration routes' OpenAPI operations (none without a forwarder)."""
    if context.forwarder is None:
        return {}
    limit = {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 100}
    return {
        "/forwarding/endpoints": {
            "get": _admin(
                "Every tenant's forwarding URL", "forwarding_endpoints", _result(_ENDPOINT)
            )
        },
        "/forwarding/endpoints/{tenant_id}": _tenant_endpoint(),
        "/forwarding/outbox": {
            "get": _admin("How many messages are in each state", "forwarding_outbox", _COUNTS)
        },
        "/forwarding/dead": {
            "get": _admin(
                "Messages given up after the last attempt, newest first",
                "forwarding_dead",
                _result(_MESSAGE),
                parameters=[
                    parameter("tenant_id", "query", None, "Only this tenant's messages."),
                    parameter("limit", "query", limit, "At most this many."),
                ],
                errors={422: "`limit` is not a whole number in range (`validation_error`)"},
            )
        },
        "/forwarding/disabled": _disabled_operations(),
        "/forwarding/dead/{message_id}/requeue": {
            "post": _admin(
                "Send a dead message again, from its first attempt",
                "forwarding_requeue",
                _REQUEUED,
                parameters=[parameter("message_id", "path")],
                errors={404: "no dead message with this id (`not_found`)"},
            )
        },
    }
