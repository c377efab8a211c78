"""Webhooks through the server: provider deliveries in, unified events forwarded out.

* `POST /webhooks/{provider}/{integrated_account_id}` (no bearer token: the provider signs
  it): verified with the account's `webhook_secret`, split, normalised, de-duplicated and
  queued in the durable outbox before the 200 (`{"enqueued": N}`); a bad signature is 401
  with nothing queued, an unknown account 404. The forwarder is then woken.
* `POST /integrated-accounts/{id}/webhooks` `{"events": [...], "name"?}`: subscribe the
  provider to the route above (`{public_url}/webhooks/{provider}/{id}`) → 201 subscription
  (its secret stays on the server). `GET` lists the account's provider webhooks; `DELETE
  /integrated-accounts/{id}/webhooks/{webhook_id}` removes one. API token, or a token scoped
  to that account.

The forwarder itself (`context.forwarder`) runs for the app's lifetime (`lifespan`); the
host-only administration routes (endpoints, outbox, dead messages) are in
`engine.server.forwarding`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.errors import ConfigurationError, ValidationError
from engine.forwarding.intake import WebhookIntake
from engine.forwarding.subscribe import asubscribe_account
from engine.linking import aconnect_account
from engine.server.context import ServerContext
from engine.server.inputs import invalid_field, json_object, optional_string

__all__ = ["MAX_DELIVERY_BYTES", "lifespan", "routes"]

#: Deliveries larger than this are refused (413) before anything is parsed.
MAX_DELIVERY_BYTES = 5 * 1024 * 1024


def _events(body: dict[str, Any]) -> list[str]:
    events = body.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        raise invalid_field("events", "must be a non-empty list of unified event types")
    return events


class _WebhookRoutes:
    """The handlers, sharing the context and one intake (the installation's deduplicator:
    in process, or in Redis with `UNIMAP_REDIS_URL`)."""

    def __init__(self, context: ServerContext) -> None:
        forwarder = context.forwarder
        if forwarder is None:
            raise ConfigurationError("the server context has no webhook forwarder")
        self.context = context
        self.forwarder = forwarder
        self.intake = WebhookIntake(context.engine.webhooks, context.accounts, forwarder.outbox)

    async def deliver(self, request: Request) -> JSONResponse:
        """A provider's delivery: queue its unified events, then acknowledge."""
        body = await request.body()
        if len(body) > MAX_DELIVERY_BYTES:
            raise ValidationError(
                f"the delivery is larger than {MAX_DELIVERY_BYTES} bytes", status_code=413
            )
        enqueued = await run_in_threadpool(
            self.intake.receive,
            request.path_params["provider"],
            request.path_params["integrated_account_id"],
            dict(request.headers),
            body,
            url=str(request.url),
        )
        if enqueued:
            self.forwarder.wake()
        return JSONResponse({"enqueued": len(enqueued)})

    async def _account_id(self, request: Request) -> str:
        caller = await self.context.authenticate(request)
        account = await self.context.account_for(caller, request.path_params["account_id"])
        return account.id

    async def subscribe(self, request: Request) -> JSONResponse:
        """Point the account's provider webhooks at this server."""
        account_id = await self._account_id(request)
        body = await json_object(request)
        events, name = _events(body), optional_string(body, "name")
        context = self.context
        subscription = await asubscribe_account(
            context.engine,
            context.accounts,
            account_id,
            context.settings.public_url,
            events,
            name=name,
        )
        return JSONResponse(subscription, status_code=201)

    async def list(self, request: Request) -> JSONResponse:
        """The account's webhooks at the provider (secrets left out)."""
        account_id = await self._account_id(request)
        async with aconnect_account(
            self.context.engine, self.context.accounts, account_id
        ) as connection:
            hooks = await connection.webhooks.list()
        return JSONResponse(
            {"result": [{k: v for k, v in hook.items() if k != "secret"} for hook in hooks]}
        )

    async def unsubscribe(self, request: Request) -> JSONResponse:
        """Delete one of the account's provider webhooks."""
        account_id = await self._account_id(request)
        async with aconnect_account(
            self.context.engine, self.context.accounts, account_id
        ) as connection:
            result = await connection.webhooks.unsubscribe(request.path_params["webhook_id"])
        return JSONResponse(result)


def routes(context: ServerContext) -> list[BaseRoute]:
    """The delivery route and the subscription routes (none without a forwarder)."""
    if context.forwarder is None:
        return []
    handlers = _WebhookRoutes(context)
    hooks = "/integrated-accounts/{account_id}/webhooks"
    return [
        Route("/webhooks/{provider}/{integrated_account_id}", handlers.deliver, methods=["POST"]),
        Route(hooks, handlers.subscribe, methods=["POST"]),
        Route(hooks, handlers.list, methods=["GET"]),
        Route(hooks + "/{webhook_id}", handlers.unsubscribe, methods=["DELETE"]),
    ]


@asynccontextmanager
async def lifespan(context: ServerContext) -> AsyncIterator[None]:
    """Run the context's forwarder while the app runs (stopped within a few seconds)."""
    forwarder = context.forwarder
    if forwarder is not None:
        forwarder.start()
    try:
        yield
    finally:
        if forwarder is not None:
            await forwarder.stop()
