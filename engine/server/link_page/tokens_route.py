"""`POST /link-tokens`: a host app asks for a link page for one customer and provider.

Body (JSON), host-app API token required:

* `tenant_id` and `provider`: link a new account of `provider` for the customer `tenant_id`;
* or `integrated_account_id`: re-authorise that account (its tenant and provider are used;
  `tenant_id` / `provider` may be repeated but must match);
* optional `redirect_uri` (absolute `http`/`https` URL) the end user is sent back to, with
  `integrated_account_id=<id>` added to its query;
* optional `ttl_seconds` (default 1800, at most 7 days).

Answer 201: `{"token", "url", "expires_at", "tenant_id", "provider", "integrated_account_id",
"redirect_uri"}`. The token is shown once; only its hash is stored.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.accounts.link_tokens import DEFAULT_TTL, MAX_TTL, LinkToken, issue_link_token
from engine.server.context import ServerContext
from engine.server.inputs import ACCOUNT_PARAM, invalid_field, json_object, optional_string
from engine.server.link_page.redirects import check_redirect_uri
from engine.suggest import did_you_mean

__all__ = ["routes"]


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


def _answer(context: ServerContext, token: str, record: LinkToken) -> dict[str, Any]:
    return {
        "token": token,
        "url": f"{context.settings.public_url.rstrip('/')}/link/{token}",
        "expires_at": record.expires_at.isoformat(),
        "tenant_id": record.tenant_id,
        "provider": record.provider,
        ACCOUNT_PARAM: record.integrated_account_id,
        "redirect_uri": record.redirect_uri,
    }


def routes(context: ServerContext) -> list[BaseRoute]:
    """The link-token route."""

    def issue(body: dict[str, Any]) -> dict[str, Any]:
        ttl = _ttl(body.get("ttl_seconds"))
        redirect_uri = _redirect_uri(body)
        provider, tenant_id, account_id = _target(context, body)
        token, record = issue_link_token(
            context.link_tokens,
            provider=provider,
            tenant_id=tenant_id,
            redirect_uri=redirect_uri,
            integrated_account_id=account_id,
            ttl=ttl,
        )
        return _answer(context, token, record)

    async def create(request: Request) -> JSONResponse:
        caller = await context.authenticate(request)
        caller.require_host()
        body = await json_object(request)
        answer = await run_in_threadpool(issue, body)
        return JSONResponse(answer, status_code=201)

    return [Route("/link-tokens", create, methods=["POST"])]
