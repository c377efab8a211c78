"""Administering webhook forwarding over HTTP (host app's API token only).

| route | what |
|---|---|
| `GET /forwarding/endpoints` | every tenant's forwarding URL |
| `PUT /forwarding/endpoints/{tenant_id}` `{"url"}` | forward that tenant's events to `url` |
| `DELETE /forwarding/endpoints/{tenant_id}` | back to the default (`serve --forward-to`) |
| `GET /forwarding/outbox` | messages per state: pending, delivered, dead |
| `GET /forwarding/dead?tenant_id=&limit=` | messages given up after the last retry |
| `POST /forwarding/dead/{message_id}/requeue` | try a dead message again |

The same actions are `unimap webhook endpoint | endpoints | outbox | dead | requeue`.
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

__all__ = ["routes"]

Handler = Callable[[Request], Awaitable[JSONResponse]]


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit", "100")
    if not raw.isdigit() or not 1 <= int(raw) <= 1000:
        raise invalid_field("limit", "must be a whole number from 1 to 1000")
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
    ]
