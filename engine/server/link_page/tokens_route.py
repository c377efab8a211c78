"""`POST /link-tokens`: a host app asks for a link page for one customer and provider.

Body (JSON), host-app API token required:

* `tenant_id` and `provider`: link a new account of `provider` for the customer `tenant_id`;
* or `integrated_account_id`: re-authorise that account (its tenant and provider are used;
  `tenant_id` / `provider` may be repeated but must match);
* optional `redirect_uri` (absolute `http`/`https` URL) the end user is sent back to, with
  `integrated_account_id=<id>` added to its query;
* optional `ttl_seconds` (default 1800, at most 7 days);
* optional `webhook_events`: unified event types (`contact.unsubscribed`, ...) the provider is
  subscribed to, pointing at this server's webhook route, once the account is linked. Each
  must be in the unified contract and delivered by the provider, whose webhooks must be
  manageable through its API; the server must receive webhooks (a forwarder).

Answer 201: `{"token", "url", "expires_at", "tenant_id", "provider", "integrated_account_id",
"redirect_uri", "webhook_events"}`. The token is shown once; only its hash is stored. Every
bad field is a 422 `validation_error` naming it, and nothing is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.accounts.link_tokens import (
    DEFAULT_TTL,
    MAX_TTL,
    LinkToken,
    check_webhook_events,
    issue_link_token,
)
from engine.forwarding.subscribe import check_subscribable
from engine.server.context import ServerContext
from engine.server.inputs import ACCOUNT_PARAM, invalid_field, json_object, optional_string
from engine.server.link_page.redirects import check_redirect_uri
from engine.server.openapi_schemas import answer, operation
from engine.suggest import did_you_mean

__all__ = ["openapi_paths", "routes"]

_EVENTS = "webhook_events"


def _ttl(value: object) -> timedelta:
    if value is None:
        return DEFAULT_TTL
    maximum = MAX_TTL.total_seconds()
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= maximum:
        raise invalid_field(
            "ttl_seconds", f"must be a number of seconds above 0 and at most {maximum:g}"
        )
    return timedelta(seconds=value)


def _redirect_uri(body: dict[str, Any]) -> str | None:
    value = optional_string(body, "redirect_uri")
    problem = check_redirect_uri(value) if value is not None else None
    if problem:
        raise invalid_field("redirect_uri", problem)
    return value


def _matching(body: dict[str, Any], name: str, expected: str | None) -> None:
    given = optional_string(body, name)
    if given is not None and given != expected:
        raise invalid_field(name, f"does not match the account's {name}")


def _target(context: ServerContext, body: dict[str, Any]) -> tuple[str, str | None, str | None]:
    """(provider, tenant_id, integrated_account_id) of the token asked for (blocking)."""
    account_id = optional_string(body, ACCOUNT_PARAM)
    if account_id is not None:
        account = context.accounts.get(account_id)
        _matching(body, "provider", account.provider)
        _matching(body, "tenant_id", account.tenant_id)
        return account.provider, account.tenant_id, account.id
    provider = optional_string(body, "provider")
    tenant_id = optional_string(body, "tenant_id")
    if provider is None:
        raise invalid_field("provider", f"required (or give {ACCOUNT_PARAM} to re-authorise)")
    if tenant_id is None:
        raise invalid_field("tenant_id", "required: the host app's id for its customer")
    if provider not in context.engine.providers:
        loaded = ", ".join(sorted(context.engine.providers))
        hint = did_you_mean(provider, sorted(context.engine.providers))
        raise invalid_field("provider", f"unknown provider '{provider}'{hint}; loaded: {loaded}")
    return provider, tenant_id, None


def _webhook_events(context: ServerContext, body: dict[str, Any], provider: str) -> list[str]:
    """The unified event types to subscribe to after linking ([] when not asked for)."""
    value = body.get(_EVENTS)
    if value is None:
        return []
    if not isinstance(value, list):
        raise invalid_field(_EVENTS, "must be a non-empty list of unified event types")
    events = list(check_webhook_events(value, _EVENTS))
    if context.forwarder is None:
        raise invalid_field(_EVENTS, "this server does not receive webhooks")
    check_subscribable(context.engine, provider, events, _EVENTS)
    return events


def _answer(context: ServerContext, token: str, record: LinkToken) -> dict[str, Any]:
    return {
        "token": token,
        "url": f"{context.settings.public_url.rstrip('/')}/link/{token}",
        "expires_at": record.expires_at.isoformat(),
        "tenant_id": record.tenant_id,
        "provider": record.provider,
        ACCOUNT_PARAM: record.integrated_account_id,
        "redirect_uri": record.redirect_uri,
        _EVENTS: list(record.webhook_events),
    }


def routes(context: ServerContext) -> list[BaseRoute]:
    """The link-token route."""

    def issue(body: dict[str, Any]) -> dict[str, Any]:
        ttl = _ttl(body.get("ttl_seconds"))
        redirect_uri = _redirect_uri(body)
        provider, tenant_id, account_id = _target(context, body)
        events = _webhook_events(context, body, provider)
        token, record = issue_link_token(
            context.link_tokens,
            provider=provider,
            tenant_id=tenant_id,
            redirect_uri=redirect_uri,
            integrated_account_id=account_id,
            ttl=ttl,
            webhook_events=events or None,
        )
        return _answer(context, token, record)

    async def create(request: Request) -> JSONResponse:
        caller = await context.authenticate(request)
        caller.require_host()
        body = await json_object(request)
        answer = await run_in_threadpool(issue, body)
        return JSONResponse(answer, status_code=201)

    return [Route("/link-tokens", create, methods=["POST"])]


# --------------------------------------------------------------------------- OpenAPI

_NAME = {"type": "string", "minLength": 1}
_REQUEST: dict[str, Any] = {
    "type": "object",
    "properties": {
        "tenant_id": {**_NAME, "description": "The host app's id for its customer."},
        "provider": {**_NAME, "description": "A loaded provider's name."},
        ACCOUNT_PARAM: {**_NAME, "description": "Re-authorise this account instead."},
        "redirect_uri": {
            "type": "string",
            "format": "uri",
            "description": "Absolute http(s) URL the end user is sent back to.",
        },
        "ttl_seconds": {
            "type": "number",
            "exclusiveMinimum": 0,
            "maximum": MAX_TTL.total_seconds(),
        },
        _EVENTS: {
            "type": "array",
            "minItems": 1,
            "items": {"type": "string"},
            "description": "Unified event types to subscribe the provider to once linked "
            "(`event.json`'s `type`); the provider must deliver each.",
        },
    },
}
_NULLABLE = {"type": ["string", "null"]}
_LINK_TOKEN: dict[str, Any] = {
    "type": "object",
    "properties": {
        "token": {"type": "string"},
        "url": {"type": "string"},
        "expires_at": {"type": "string"},
        "tenant_id": _NULLABLE,
        "provider": {"type": "string"},
        ACCOUNT_PARAM: _NULLABLE,
        "redirect_uri": _NULLABLE,
        _EVENTS: {"type": "array", "items": {"type": "string"}},
    },
    "required": ["token", "url", "expires_at", "provider", _EVENTS],
}


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """`POST /link-tokens` in the OpenAPI document."""
    described = (
        "Give `tenant_id` and `provider` to link a new account, or `integrated_account_id` "
        "to re-authorise one. The token is in this answer only; send the end user to `url`. "
        "With `webhook_events`, the provider is subscribed to this server's webhook route "
        "for those events once the account is linked."
    )
    return {
        "/link-tokens": {
            "post": operation(
                "Create a link token for the hosted link page",
                description=described,
                tag="accounts",
                operation_id="link_tokens_create",
                body=_REQUEST,
                responses={"201": answer("The link token", _LINK_TOKEN)},
            )
        }
    }
