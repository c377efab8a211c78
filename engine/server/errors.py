"""Every failure answered as the unified error object, with the error's HTTP status.

The body is `UnimapError.to_dict()`, the object the Python API raises (`docs/errors.md`);
`rate_limited` adds a `Retry-After` header when the provider said how long to wait. Starlette's
own refusals (unknown route, wrong method) become `not_found` / `validation_error`, and an
unexpected exception a 500 `remote_error` whose message names no detail (it is logged).
"""

from __future__ import annotations

import logging
import math
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from engine.errors import (
    NotFoundError,
    RateLimitedError,
    UnimapError,
    ValidationError,
)

__all__ = ["error_response", "exception_handlers"]

logger = logging.getLogger("unimap.server")


def error_response(error: UnimapError) -> JSONResponse:
    """The JSON response of a unified error: its `to_dict()` body and `status_code`."""
    headers: dict[str, str] = {}
    if isinstance(error, RateLimitedError) and error.retry_after is not None:
        headers["Retry-After"] = str(max(0, math.ceil(error.retry_after)))
    return JSONResponse(error.to_dict(), status_code=error.status_code, headers=headers)


async def _unified(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnimapError)
    return error_response(exc)


async def _http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(NotFoundError(f"no route {request.url.path}"))
    if exc.status_code == 405:
        error = ValidationError(f"{request.method} is not allowed on {request.url.path}")
        return error_response(ValidationError(error.message, status_code=405))
    unified = UnimapError(str(exc.detail), status_code=exc.status_code)
    return error_response(unified)


async def _unexpected(request: Request, exc: Exception) -> Response:
    logger.error("unexpected %s on %s %s", type(exc).__name__, request.method, request.url.path)
    return error_response(UnimapError("internal server error", status_code=500))


def exception_handlers() -> dict[Any, Any]:
    """The handlers `create_app` installs: unified errors, HTTP refusals, anything else."""
    return {UnimapError: _unified, HTTPException: _http, Exception: _unexpected}
