"""Reading a request's inputs with unified errors naming the bad field."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request

from engine.errors import ValidationError

__all__ = [
    "ACCOUNT_HEADER",
    "ACCOUNT_PARAM",
    "flag",
    "integrated_account_id",
    "invalid_field",
    "json_object",
    "optional_string",
]

#: The query parameter naming the linked account a call is for.
ACCOUNT_PARAM = "integrated_account_id"
#: The header that may name it instead (the query parameter wins when both are given).
ACCOUNT_HEADER = "X-Integrated-Account-Id"


def invalid_field(field: str, message: str) -> ValidationError:
    """A `ValidationError` about one field (`""`: the body as a whole)."""
    return ValidationError(f"{field}: {message}", details=[{"field": field, "message": message}])


async def json_object(request: Request, *, required: bool = True) -> dict[str, Any]:
    """The request body as a JSON object (`{}` for an empty body when not `required`)."""
    raw = await request.body()
    if not raw.strip():
        if required:
            raise invalid_field("", "the request body must be a JSON object")
        return {}
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise invalid_field("", "the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise invalid_field("", "the request body must be a JSON object")
    return body


def integrated_account_id(request: Request) -> str:
    """The linked account a call is for: `?integrated_account_id=`, else the
    `X-Integrated-Account-Id` header."""
    value = request.query_params.get(ACCOUNT_PARAM) or request.headers.get(ACCOUNT_HEADER)
    if not value:
        raise invalid_field(
            ACCOUNT_PARAM, f"required (query parameter, or the {ACCOUNT_HEADER} header)"
        )
    return value


def optional_string(body: dict[str, Any], name: str) -> str | None:
    """`body[name]` when it is a non-empty string, None when absent; else a ValidationError."""
    value = body.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise invalid_field(name, "must be a non-empty string")
    return value


_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}


def flag(request: Request, name: str, *, default: bool) -> bool:
    """A boolean query parameter (`true`/`false`, `1`/`0`, `yes`/`no`); absent: `default`."""
    value = request.query_params.get(name)
    if value is None:
        return default
    if value.lower() in _TRUE:
        return True
    if value.lower() in _FALSE:
        return False
    raise invalid_field(name, "must be true or false")
