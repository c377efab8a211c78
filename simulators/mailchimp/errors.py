"""Mailchimp's error documents (`application/problem+json`, RFC 7807 shaped).

Every error carries `type`, `title`, `status`, `detail` and `instance`; validation failures
(400 `Invalid Resource`) add `errors: [{field, message}]`.
"""

from __future__ import annotations

import uuid
from typing import Any

from simulators.core.messages import SimResponse, dumps

ERROR_DOCS = "https://mailchimp.com/developer/marketing/docs/errors/"
"""The `type` URI of every error document."""


class ApiError(Exception):
    """Raised by handlers to answer with a problem document."""

    def __init__(
        self,
        status: int,
        title: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(f"{status} {title}: {detail}")
        self.status = status
        self.title = title
        self.detail = detail
        self.errors = errors
        self.headers = headers or {}

    def payload(self, instance: str) -> dict[str, Any]:
        """The problem document, with `instance` identifying this occurrence."""
        body: dict[str, Any] = {
            "type": ERROR_DOCS,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "instance": instance,
        }
        if self.errors is not None:
            body["errors"] = self.errors
        return body

    def response(self, instance: str | None = None) -> SimResponse:
        """The error as a response (`instance` defaults to a fresh UUID)."""
        headers = {"content-type": "application/problem+json"}
        headers.update(self.headers)
        return SimResponse(self.status, dumps(self.payload(instance or str(uuid.uuid4()))), headers)


def not_found() -> ApiError:
    """404 `Resource Not Found`."""
    return ApiError(404, "Resource Not Found", "The requested resource could not be found.")


def method_not_allowed(allowed: list[str]) -> ApiError:
    """405 with an `Allow` header."""
    return ApiError(
        405,
        "Method Not Allowed",
        "The requested method and resource are not compatible. See the Allow header for this "
        "resource's available methods.",
        headers={"allow": ", ".join(allowed)},
    )


def invalid_key() -> ApiError:
    """401 `API Key Invalid` (also for a key used against another data centre)."""
    return ApiError(
        401,
        "API Key Invalid",
        "Your API key may be invalid, or you've attempted to access the wrong datacenter.",
    )


def missing_key() -> ApiError:
    """401 when no credential is sent at all."""
    return ApiError(
        401,
        "API Key Missing",
        "Your request did not include an API key.",
    )


def too_many_connections(limit: int) -> ApiError:
    """429: more simultaneous connections than the account allows."""
    return ApiError(
        429,
        "Too Many Requests",
        f"You have exceeded the limit of {limit} simultaneous connections.",
    )


def invalid_resource(errors: list[dict[str, str]], detail: str | None = None) -> ApiError:
    """400 `Invalid Resource` with field errors."""
    return ApiError(
        400,
        "Invalid Resource",
        detail
        or "The resource submitted could not be validated. For field-specific details, see "
        "the 'errors' array.",
        errors,
    )


def bad_request(title: str, detail: str) -> ApiError:
    """A 400 without field errors (`Member Exists`, `Forgotten Email Not Subscribed`, ...)."""
    return ApiError(400, title, detail)


def json_parse_error() -> ApiError:
    """400 for a body that is not JSON."""
    return ApiError(
        400, "JSON Parse Exception", "We encountered an unspecified JSON parsing error."
    )
