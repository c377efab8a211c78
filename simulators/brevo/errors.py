"""Brevo-shaped errors: every failure answers `{"code": "...", "message": "..."}`.

Codes are the `errorModel` enumeration of the v3 OpenAPI definition (`invalid_parameter`,
`missing_parameter`, `out_of_range`, `document_not_found`, `duplicate_parameter`,
`method_not_allowed`, `unauthorized`, ...). Messages quoted from real answers where known:
`Contact does not exist` (404), `Unable to create contact, email is already associated with
another Contact` (400, with `metadata.duplicate_identifiers`), `Contact already in list and/or
does not exist` (400), `authentication not found in headers` (401 without a key).
"""

from __future__ import annotations

from typing import Any

from simulators.core.messages import SimResponse, json_response


class ApiError(Exception):
    """Raised by handlers to answer with an error status and Brevo's error body."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        metadata: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.metadata = metadata
        self.headers = headers or {}

    @property
    def payload(self) -> dict[str, Any]:
        """The JSON body."""
        body: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.metadata is not None:
            body["metadata"] = self.metadata
        return body

    def response(self) -> SimResponse:
        """The error as a response."""
        return json_response(self.status, self.payload, self.headers)


def bad_request(message: str, code: str = "invalid_parameter") -> ApiError:
    """400 with `invalid_parameter` (or the given code)."""
    return ApiError(400, code, message)


def missing(message: str) -> ApiError:
    """400 `missing_parameter`."""
    return ApiError(400, "missing_parameter", message)


def not_found(message: str) -> ApiError:
    """404 `document_not_found`."""
    return ApiError(404, "document_not_found", message)


def no_content() -> SimResponse:
    """An empty 204 answer (updates and deletions)."""
    return SimResponse(204)
