"""`/integrated-accounts`: list, read, import and remove linked accounts (never credentials).

* `GET /integrated-accounts?tenant_id=&provider=&status=` → `{"result": [...], "result_count"}`
* `GET /integrated-accounts/{id}` → one account (a scoped token may read its own)
* `POST /integrated-accounts` → 201: import credentials, checked first with the provider's
  `check` request exactly as `link_account` does (a refused key stores nothing). Body:
  `{"provider", "credentials": {name: value}, "tenant_id"?, "label"?, "settings"?,
  "base_url"?, "metadata"?}`
* `DELETE /integrated-accounts/{id}` → `{"id"}`: the account and its credentials are deleted

Accounts are shown as `account_summary` gives them: credential *names*, never values.
"""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine.accounts.model import account_summary
from engine.accounts.store import list_accounts
from engine.linking import alink_account
from engine.secrets import Secret
from engine.server.context import ServerContext
from engine.server.inputs import invalid_field, json_object, optional_string
from engine.server.openapi_schemas import STATUSES, answer, operation, parameter, ref

__all__ = ["openapi_paths", "routes"]


def _status(request: Request) -> str | None:
    status = request.query_params.get("status")
    if status is not None and status not in STATUSES:
        raise invalid_field("status", f"must be one of {', '.join(STATUSES)}")
    return status


def _credentials(body: dict[str, Any]) -> dict[str, Secret]:
    values = body.get("credentials")
    if not isinstance(values, dict) or not values:
        raise invalid_field("credentials", "must be an object of credential names to values")
    for name, value in values.items():
        if not isinstance(value, str):
            raise invalid_field(f"credentials.{name}", "must be a string")
    return {name: Secret(value) for name, value in values.items()}


def _object(body: dict[str, Any], name: str) -> dict[str, Any] | None:
    value = body.get(name)
    if value is not None and not isinstance(value, dict):
        raise invalid_field(name, "must be an object")
    return value


def routes(context: ServerContext) -> list[BaseRoute]:
    """The account routes."""

    async def listing(request: Request) -> JSONResponse:
        (await context.authenticate(request)).require_host()
        query = request.query_params
        accounts = await run_in_threadpool(
            lambda: list_accounts(
                context.accounts,
                provider=query.get("provider"),
                status=_status(request),
                tenant_id=query.get("tenant_id"),
            )
        )
        result = [account_summary(account) for account in accounts]
        return JSONResponse({"result": result, "result_count": len(result)})

    async def read(request: Request) -> JSONResponse:
        caller = await context.authenticate(request)
        account = await context.account_for(caller, request.path_params["id"])
        return JSONResponse(account_summary(account))

    async def remove(request: Request) -> JSONResponse:
        (await context.authenticate(request)).require_host()
        account_id = request.path_params["id"]
        await run_in_threadpool(context.accounts.remove, account_id)
        context.connections.forget(account_id)
        return JSONResponse({"id": account_id})

    async def create(request: Request) -> JSONResponse:
        (await context.authenticate(request)).require_host()
        body = await json_object(request)
        provider = optional_string(body, "provider")
        if provider is None:
            raise invalid_field("provider", "required")
        account = await alink_account(
            context.engine,
            context.accounts,
            provider,
            _credentials(body),
            label=optional_string(body, "label") or "",
            base_url=optional_string(body, "base_url"),
            transport=context.transport,
            metadata=_object(body, "metadata"),
            settings=_object(body, "settings"),
            tenant_id=optional_string(body, "tenant_id"),
        )
        return JSONResponse(account_summary(account), status_code=201)

    return [
        Route("/integrated-accounts", listing, methods=["GET"]),
        Route("/integrated-accounts", create, methods=["POST"]),
        Route("/integrated-accounts/{id}", read, methods=["GET"]),
        Route("/integrated-accounts/{id}", remove, methods=["DELETE"]),
    ]


# --------------------------------------------------------------------------- OpenAPI

_IMPORT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "provider": {"type": "string", "minLength": 1},
        "credentials": {"type": "object", "additionalProperties": {"type": "string"}},
        "tenant_id": {"type": "string", "minLength": 1},
        "label": {"type": "string"},
        "settings": {"type": "object"},
        "metadata": {"type": "object"},
        "base_url": {"type": "string", "minLength": 1},
    },
    "required": ["provider", "credentials"],
}


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The account routes' OpenAPI operations."""
    summary, id_param = ref("integrated_account"), parameter("id", "path")
    listing = {
        "type": "object",
        "properties": {
            "result": {"type": "array", "items": summary},
            "result_count": {"type": "integer", "minimum": 0},
        },
        "required": ["result"],
    }
    return {
        "/integrated-accounts": {
            "get": operation(
                "List linked accounts",
                tag="accounts",
                operation_id="accounts_list",
                parameters=[
                    parameter("tenant_id", "query"),
                    parameter("provider", "query"),
                    parameter("status", "query", {"type": "string", "enum": STATUSES}),
                ],
                responses={"200": answer("The accounts", listing)},
            ),
            "post": operation(
                "Import credentials (checked with the provider first)",
                tag="accounts",
                operation_id="accounts_import",
                body=_IMPORT_SCHEMA,
                responses={"201": answer("The new account", summary)},
            ),
        },
        "/integrated-accounts/{id}": {
            "get": operation(
                "Get a linked account",
                tag="accounts",
                operation_id="accounts_get",
                parameters=[id_param],
                responses={"200": answer("The account", summary)},
            ),
            "delete": operation(
                "Remove a linked account and its credentials",
                tag="accounts",
                operation_id="accounts_remove",
                parameters=[id_param],
                responses={"200": answer("Removed", ref("deleted"))},
            ),
        },
    }
