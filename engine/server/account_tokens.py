"""`POST /account-tokens`: a short-lived token scoped to one linked account.

A host app gives it to its front end, which can then call the unified and proxy routes for
that account only. Body: `{"integrated_account_id": "acc_…", "ttl_seconds": 600}` (the TTL
is optional, at most the server's `scoped_token_ttl`). Answer 201:
`{"token", "integrated_account_id", "expires_at"}`.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.accounts.model import utc_now
from engine.accounts.scoped_tokens import sign_scoped_token
from engine.server.context import ServerContext
from engine.server.inputs import ACCOUNT_PARAM, invalid_field, json_object, optional_string
from engine.server.openapi_schemas import answer, operation

__all__ = ["openapi_paths", "routes"]


def _ttl(value: object, maximum: float) -> float:
    if value is None:
        return maximum
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= maximum:
        message = f"must be a number of seconds above 0 and at most {maximum:g}"
        raise invalid_field("ttl_seconds", message)
    return float(value)


def routes(context: ServerContext) -> list[BaseRoute]:
    """The account-token route."""

    async def create(request: Request) -> JSONResponse:
        caller = await context.authenticate(request)
        caller.require_host()
        body = await json_object(request)
        account_id = optional_string(body, ACCOUNT_PARAM)
        if account_id is None:
            raise invalid_field(ACCOUNT_PARAM, "required")
        ttl = _ttl(body.get("ttl_seconds"), context.settings.scoped_token_ttl)
        account = await run_in_threadpool(context.accounts.get, account_id)
        expires_at = (utc_now() + timedelta(seconds=ttl)).replace(microsecond=0)
        token = sign_scoped_token(context.scoped_key, account.id, expires_at)
        return JSONResponse(
            {"token": token, ACCOUNT_PARAM: account.id, "expires_at": expires_at.isoformat()},
            status_code=201,
        )

    return [Route("/account-tokens", create, methods=["POST"])]


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The account-token route's OpenAPI operation."""
    body = {
        "type": "object",
        "properties": {
            ACCOUNT_PARAM: {"type": "string", "minLength": 1},
            "ttl_seconds": {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": context.settings.scoped_token_ttl,
            },
        },
        "required": [ACCOUNT_PARAM],
    }
    token = {
        "type": "object",
        "properties": {
            "token": {"type": "string"},
            ACCOUNT_PARAM: {"type": "string"},
            "expires_at": {"type": "string"},
        },
        "required": ["token", ACCOUNT_PARAM, "expires_at"],
    }
    return {
        "/account-tokens": {
            "post": operation(
                "A short-lived token scoped to one linked account",
                tag="auth",
                operation_id="account_tokens_create",
                body=body,
                responses={"201": answer("The token", token)},
            )
        }
    }
