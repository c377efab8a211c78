"""`GET /healthz`: the server is up (no authentication, no store or provider call)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine import __version__
from engine.server.context import ServerContext
from engine.server.openapi_schemas import answer, operation

__all__ = ["openapi_paths", "routes"]


def routes(context: ServerContext) -> list[BaseRoute]:
    """The health route."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    return [Route("/healthz", healthz, methods=["GET"])]


def openapi_paths(context: ServerContext) -> dict[str, Any]:
    """The health route's OpenAPI operation."""
    health = {
        "type": "object",
        "properties": {"status": {"const": "ok"}, "version": {"type": "string"}},
        "required": ["status", "version"],
    }
    return {
        "/healthz": {
            "get": operation(
                "The server is up",
                public=True,
                tag="meta",
                operation_id="healthz",
                responses={"200": answer("Up", health)},
            )
        }
    }
