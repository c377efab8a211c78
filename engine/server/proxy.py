"""`/proxy/{path}`: the provider's own API, 1-to-1, with a linked account's credentials.

Any method (`GET`, `POST`, `PUT`, `PATCH`, `DELETE`, `HEAD`, `OPTIONS`) on
`/proxy/<path under the provider's base URL>?integrated_account_id=…` (or the
`X-Integrated-Account-Id` header) runs `AsyncConnection.proxy`: the same path guards
(`engine.proxy.check_path`, on the path exactly as sent, percent-encoding kept), credentials,
pacing and retries as unified calls. Every other query parameter goes to the provider; a body
must be JSON. A success answers with the provider's status and body (and its
`Content-Type`); a provider error with the unified error object (`raw_response` holds the
provider's body) and the unified status. `X-Unimap-Paginate: true` wraps a list response in
the unified envelope (continue with `?next_cursor=…`), as `connection.proxy(paginate=True)`.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from engine.proxy import METHODS
from engine.server.context import ServerContext
from engine.server.inputs import ACCOUNT_PARAM, invalid_field
from engine.server.openapi_schemas import account_parameters, operation, parameter

__all__ = ["PAGINATE_HEADER", "PREFIX", "openapi_paths", "routes"]

#: Where the proxy lives.
PREFIX = "/proxy"
#: The request header asking for the unified envelope.
PAGINATE_HEADER = "X-Unimap-Paginate"


def _path(request: Request) -> str:
    raw: bytes = request.scope.get("raw_path") or request.url.path.encode()
    return raw.decode("latin-1")[len(PREFIX) :]


async def _body(request: Request) -> Any:
    raw = await request.body()
    if not raw.strip():
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_field("", "the proxy sends JSON bodies only; this one is not JSON") from None


def _response(result: dict[str, Any]) -> Response:
    status, body = int(result["status"]), result["body"]
    headers = {k.lower(): v for k, v in (result.get("headers") or {}).items()}
    if body is None or status == 204:
        return Response(status_code=status)
    if isinstance(body, str):
        media = headers.get("content-type", "text/plain; charset=utf-8")
        return Response(body, status_code=status, media_type=media)
    return JSONResponse(body, status_code=status)


def routes(context: ServerContext) -> list[BaseRoute]:
    """The proxy route."""

    async def proxy(request: Request) -> Response:
        connection = await context.connect(request)
        query = [(k, v) for k, v in request.query_params.multi_items() if k != ACCOUNT_PARAM]
        paginate = request.headers.get(PAGINATE_HEADER, "").lower() == "true"
        result = await connection.proxy(
            request.method, _path(request), query or None, await _body(request), paginate=paginate
        )
        return JSONResponse(result) if paginate else _response(result)

    route = Route(PREFIX + "/{path:path}", proxy, methods=sorted(METHODS))
    # Match paths holding (decoded) line breaks too, so `check_path` refuses them by name
    # instead of the router answering 404.
    route.path_regex = re.compile(route.path_regex.pattern, re.DOTALL)
    return [route]


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The proxy's OpenAPI operations (one per method)."""
    parameters = [
        parameter(
            "path", "path", None, "The path under the provider's base URL, as sent to the provider."
        ),
        *account_parameters(),
        parameter(
            PAGINATE_HEADER,
            "header",
            {"type": "string", "enum": ["true", "false"]},
            "true: answer a list in the unified envelope",
        ),
    ]
    passed = {
        "description": "The provider's status and body, passed through",
        "content": {"*/*": {"schema": {}}},
    }
    return {
        PREFIX + "/{path}": {
            verb.lower(): operation(
                f"{verb} on the provider's own API",
                tag="proxy",
                operation_id=f"proxy_{verb.lower()}",
                description="Credentials, pacing and retries as for unified calls; paths "
                "that could leave the provider's base URL are refused (`validation_error`).",
                parameters=parameters,
                responses={"2XX": passed},
            )
            for verb in sorted(METHODS)
        }
    }
