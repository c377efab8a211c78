"""Transport-independent request and response types, plus MailerLite-shaped errors.

The ASGI app and the in-process httpx transports all translate to and from these types, so the
request pipeline (`Simulator.handle`) never depends on a web framework.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any

JsonDict = dict[str, Any]

MODEL_SUBSCRIBER = "App\\Models\\Subscriber\\Subscriber"
MODEL_GROUP = "App\\Models\\Group\\Group"
MODEL_SEGMENT = "App\\Models\\Segment"
MODEL_FIELD = "App\\Models\\Field"
MODEL_WEBHOOK = "App\\Models\\Webhook"


def dumps(payload: Any) -> bytes:
    """Compact JSON bytes (non-ASCII kept as UTF-8)."""
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


@dataclass(slots=True)
class SimRequest:
    """One HTTP request as the pipeline sees it.

    `path` is the URL path (e.g. `/api/subscribers`), `query` the decoded query parameters (the
    last value wins for repeated names), `headers` lower-cased names, `base_url` the scheme and
    host the client used (links in responses point there).
    """

    method: str
    path: str
    query: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    base_url: str = "http://127.0.0.1"

    def json(self) -> Any:
        """The body parsed as JSON; `{}` when empty or not JSON (Laravel treats it as empty)."""
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            return {}


class Disconnect(enum.Enum):
    """How the transport must end the exchange instead of (or after) answering."""

    NONE = "none"
    DROP = "drop"
    """Close the connection without sending any response."""


@dataclass(slots=True)
class SimResponse:
    """One response: status, headers and body bytes, plus transport-level fault instructions.

    `delay` is how long the transport must wait before answering (slow fault); `disconnect`
    tells it to drop the connection instead of answering.
    """

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    disconnect: Disconnect = Disconnect.NONE

    def json(self) -> Any:
        """The body parsed as JSON (`None` when empty)."""
        return json.loads(self.body) if self.body else None


def json_response(status: int, payload: Any) -> SimResponse:
    """A JSON response."""
    return SimResponse(status, dumps(payload), {"content-type": "application/json"})


def no_content() -> SimResponse:
    """An empty 204 response."""
    return SimResponse(204)


class ApiError(Exception):
    """Raised by handlers to answer with an error status and a JSON body."""

    def __init__(self, status: int, payload: JsonDict, headers: dict[str, str] | None = None):
        super().__init__(payload.get("message", ""))
        self.status = status
        self.payload = payload
        self.headers = headers or {}

    def response(self) -> SimResponse:
        """The error as a response."""
        resp = json_response(self.status, self.payload)
        resp.headers.update(self.headers)
        return resp


def not_found(model: str, ident: str | None = None) -> ApiError:
    """404 `No query results for model [...]` (the id appended when given)."""
    message = f"No query results for model [{model}]"
    message += f" {ident}" if ident is not None else "."
    return ApiError(404, {"message": message})


def route_not_found(path: str) -> ApiError:
    """404 for an unknown route; `path` without the leading slash (e.g. `api/x`)."""
    return ApiError(404, {"message": f"The route {path} could not be found."})


def method_not_allowed(method: str, path: str, allowed: list[str]) -> ApiError:
    """405 with the Laravel message and an `Allow` header."""
    methods = ", ".join(allowed)
    message = (
        f"The {method} method is not supported for route {path}. Supported methods: {methods}."
    )
    return ApiError(405, {"message": message}, {"allow": methods})


def unauthenticated() -> ApiError:
    """401 `Unauthenticated.`"""
    return ApiError(401, {"message": "Unauthenticated."})


def validation_error(errors: dict[str, list[str]], message: str | None = None) -> ApiError:
    """422 with an `errors` map (message defaults to Laravel's generic sentence)."""
    return ApiError(422, {"message": message or "The given data was invalid.", "errors": errors})
