"""`GET /healthz`: the server is up (no authentication, no store or provider call)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from engine import __version__
from engine.server.context import ServerContext

__all__ = ["routes"]


def routes(context: ServerContext) -> list[BaseRoute]:
    """The health route."""

    async def healthz(request: Request) -> JSONResponse:
        return JSONResponse({"status": "ok", "version": __version__})

    return [Route("/healthz", healthz, methods=["GET"])]
