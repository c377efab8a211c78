"""MailerLite-shaped errors and model names (the message types live in `simulators.core`)."""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response

JsonDict = dict[str, Any]

MODEL_SUBSCRIBER = "App\\Models\\Subscriber\\Subscriber"
MODEL_GROUP = "App\\Models\\Group\\Group"
MODEL_SEGMENT = "App\\Models\\Segment"
MODEL_FIELD = "App\\Models\\Field"
MODEL_WEBHOOK = "App\\Models\\Webhook"


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
