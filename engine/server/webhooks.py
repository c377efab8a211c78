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

from engine.accounts.model import Account
from engine.errors import ConfigurationError, ValidationError
from engine.forwarding.intake import WebhookIntake
from engine.forwarding.subscribe import asubscribe_account
from engine.server.context import ServerContext
from engine.server.inputs import invalid_field, json_object, optional_string
from engine.server.openapi_schemas import PROVIDER_ERRORS, answer, operation, parameter
from engine.unified import schemas as unified

__all__ = ["MAX_DELIVERY_BYTES", "lifespan", "openapi_paths", "routes"]

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

    async def _account(self, request: Request) -> Account:
        caller = await self.context.authenticate(request)
        return await self.context.account_for(caller, request.path_params["account_id"])

    async def subscribe(self, request: Request) -> JSONResponse:
        """Point the account's provider webhooks at this server."""
        account = await self._account(request)
        body = await json_object(request)
        events, name = _events(body), optional_string(body, "name")
        context = self.context
        subscription = await asubscribe_account(
            context.engine,
            context.accounts,
            account.id,
            context.settings.public_url,
            events,
            name=name,
            connection=context.connections.connection(account),
        )
        return JSONResponse(subscription, status_code=201)

    async def list(self, request: Request) -> JSONResponse:
        """The account's webhooks at the provider (secrets left out)."""
        account = await self._account(request)
        hooks = await self.context.connections.connection(account).webhooks.list()
        return JSONResponse(
            {"result": [{k: v for k, v in hook.items() if k != "secret"} for hook in hooks]}
        )

    async def unsubscribe(self, request: Request) -> JSONResponse:
        """Delete one of the account's provider webhooks."""
        account = await self._account(request)
        connection = self.context.connections.connection(account)
        return JSONResponse(
            await connection.webhooks.unsubscribe(request.path_params["webhook_id"])
        )


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


# --------------------------------------------------------------------------- OpenAPI

_DELIVERY_ERRORS = {
    400: "the account's provider declares no webhook handling (`configuration_error`)",
    401: "the signature or URL token is missing or wrong, or the account has no webhook "
    "secret yet (`invalid_signature`); nothing is queued",
    404: "no such linked account, or not one of `{provider}`'s (`not_found`)",
    413: f"the delivery is larger than {MAX_DELIVERY_BYTES} bytes (`validation_error`)",
    422: "the body cannot be read in the provider's format (`validation_error`)",
}

_SUBSCRIPTION: dict[str, Any] = {
    "title": "Provider webhook",
    "description": "A webhook at the provider, without its secret (it stays on the server).",
    "type": "object",
    "properties": {
        "id": {"type": "string", "minLength": 1},
        "url": {"type": ["string", "null"]},
        "events": {"type": "array", "items": {"type": "string"}},
        "provider_events": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["id", "url", "events", "provider_events"],
}


def _webhook_providers(context: ServerContext) -> dict[str, Any]:
    """Each loaded provider that declares webhook handling, with its webhook section."""
    handler = context.engine.webhooks
    found = {}
    for provider in handler.providers:
        spec = handler.mapping_of(provider).provider.webhooks
        if spec is not None:
            found[provider] = spec
    return found


def _delivery_parameters(context: ServerContext) -> list[dict[str, Any]]:
    """The path, and the headers and query parameters the providers' deliveries carry."""
    providers = _webhook_providers(context)
    carried: dict[tuple[str, str, str], list[str]] = {}
    for provider, spec in providers.items():
        if spec.signature.type == "url_token":
            carried.setdefault(("query", spec.signature.param, "the URL token"), []).append(
                provider
            )
        else:
            carried.setdefault(("header", spec.signature.header, "the signature"), []).append(
                provider
            )
        if spec.events.type_param:
            key = ("query", spec.events.type_param, "the provider event")
            carried.setdefault(key, []).append(provider)
    path = [
        parameter(
            "provider",
            "path",
            {"type": "string", "enum": sorted(providers)},
            "The provider delivering (one that declares webhook handling).",
        ),
        parameter(
            "integrated_account_id",
            "path",
            None,
            "The linked account the webhook was subscribed for.",
        ),
    ]
    return path + [
        parameter(name, where, None, f"{what} ({', '.join(names)})")
        for (where, name, what), names in sorted(carried.items())
    ]


def _delivery(context: ServerContext) -> dict[str, Any]:
    found = operation(
        "A provider's webhook delivery (verified, split, queued for the host app)",
        tag="webhooks",
        operation_id="webhooks_deliver",
        public=True,
        description="No bearer token: the provider authenticates the delivery with a "
        "signature header or a token in the URL, checked with the account's webhook secret. "
        "The answer comes once every unified event is in the durable outbox.",
        parameters=_delivery_parameters(context),
        responses={
            "200": answer(
                "Queued (`enqueued`: new events; a repeat counts 0)",
                {
                    "type": "object",
                    "properties": {"enqueued": {"type": "integer", "minimum": 0}},
                    "required": ["enqueued"],
                    "additionalProperties": False,
                },
            )
        },
        errors=_DELIVERY_ERRORS,
    )
    found["requestBody"] = {
        "required": True,
        "description": "The provider's body, exactly as it sent it.",
        "content": {
            "application/json": {"schema": {}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        },
    }
    return found


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The webhook routes' OpenAPI operations (none without a forwarder)."""
    if context.forwarder is None:
        return {}
    account, webhook = parameter("account_id", "path"), parameter("webhook_id", "path")
    event_type = unified.schema_by_name("event.json")["properties"]["type"]
    body = {
        "type": "object",
        "properties": {
            "events": {"type": "array", "minItems": 1, "items": event_type},
            "name": {"type": "string", "minLength": 1},
        },
        "required": ["events"],
    }
    listing = {
        "type": "object",
        "properties": {"result": {"type": "array", "items": _SUBSCRIPTION}},
        "required": ["result"],
    }
    removed = {"type": "object", "properties": {"id": {"type": "string"}}, "required": ["id"]}
    hooks = "/integrated-accounts/{account_id}/webhooks"
    return {
        "/webhooks/{provider}/{integrated_account_id}": {"post": _delivery(context)},
        hooks: {
            "post": operation(
                "Subscribe the account's provider to this server's delivery route",
                tag="webhooks",
                operation_id="webhooks_subscribe",
                parameters=[account],
                body=body,
                responses={"201": answer("The provider's new webhook", _SUBSCRIPTION)},
                errors=PROVIDER_ERRORS,
            ),
            "get": operation(
                "The account's webhooks at the provider",
                tag="webhooks",
                operation_id="webhooks_list",
                parameters=[account],
                responses={"200": answer("The webhooks", listing)},
                errors=PROVIDER_ERRORS,
            ),
        },
        hooks + "/{webhook_id}": {
            "delete": operation(
                "Remove one of the account's webhooks at the provider",
                tag="webhooks",
                operation_id="webhooks_unsubscribe",
                parameters=[account, webhook],
                responses={"200": answer("Removed", removed)},
                errors=PROVIDER_ERRORS,
            )
        },
    }
