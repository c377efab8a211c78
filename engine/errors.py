"""The unified errors: what a host application sees whenever a call fails.

Every error is a :class:`UnimapError` carrying a stable ``error`` code, the HTTP
``status_code`` to answer with, a ``message`` for people, and whether the provider produced
it (``remote``, with ``remote_status`` and ``raw_response``). :meth:`UnimapError.to_dict`
gives exactly the body described by ``schemas/unified/marketing_automation/error.json``.

Credentials never appear in an error: ``str()`` and ``repr()`` show the code and message
only, and ``raw_response`` holds the provider's response *body*, never request headers.
``docs/errors.md`` lists every class with its code, status and when it is raised.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

__all__ = [
    "BackendUnavailableError",
    "ConfigurationError",
    "ConnectionFailedError",
    "FieldProblem",
    "ForbiddenError",
    "InvalidCursorError",
    "NotFoundError",
    "NotSupportedError",
    "RateLimitedError",
    "RemoteError",
    "RequestTimeoutError",
    "SignatureError",
    "UnauthorizedError",
    "UnimapError",
    "ValidationError",
    "error_for_status",
    "error_from_response",
]


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One bad value in a body or record.

    ``field`` is the dotted path to the value (``addresses.0.country``), or the name of an
    unknown key; the empty string means the body as a whole. ``message`` is for people.
    """

    field: str
    message: str

    def to_dict(self) -> dict[str, str]:
        """The ``{"field", "message"}`` entry used in an error's ``fields`` list."""
        return {"field": self.field, "message": self.message}

    def __str__(self) -> str:
        return f"{self.field}: {self.message}" if self.field else self.message


class UnimapError(Exception):
    """Base of every unified error.

    Subclasses fix the stable ``error`` code and a default ``status_code``; the constructor
    can override the status (e.g. a provider 400 surfaced as a :class:`RemoteError` with
    status 400) and the message.

    Attributes:
        status_code: The HTTP status the host application should answer with.
        error: The short stable code (``not_found``, ``validation_error``, ...).
        message: What went wrong, for people. Never contains credentials.
        remote: True when the provider produced the error.
        remote_status: The provider's HTTP status, when remote and there was a response.
        raw_response: The provider's response body (parsed JSON or text), when remote.
        details: Per-field problems (validation errors), as :class:`FieldProblem`.
    """

    code: ClassVar[str] = "remote_error"
    default_status: ClassVar[int] = 500
    default_message: ClassVar[str] = "The request failed."

    status_code: int
    error: str
    message: str
    remote: bool
    remote_status: int | None
    raw_response: Any | None
    details: list[FieldProblem]

    def __init__(
        self,
        message: str | None = None,
        *,
        status_code: int | None = None,
        remote: bool = False,
        remote_status: int | None = None,
        raw_response: Any | None = None,
        details: Iterable[FieldProblem | Mapping[str, str]] | None = None,
    ) -> None:
        """Build the error; every argument is optional and defaults from the class."""
        self.message = message or self.default_message
        super().__init__(self.message)
        self.status_code = status_code if status_code is not None else self.default_status
        self.error = self.code
        self.remote = remote
        self.remote_status = remote_status
        self.raw_response = raw_response
        self.details = [_as_problem(item) for item in (details or ())]

    def to_dict(self) -> dict[str, Any]:
        """The unified error body, valid against ``error.json``.

        ``remote_status`` and ``raw_response`` appear only when ``remote`` is true; ``fields``
        only when there are field problems.
        """
        body: dict[str, Any] = {
            "status_code": self.status_code,
            "error": self.error,
            "message": self.message,
            "remote": self.remote,
        }
        if self.remote:
            body["remote_status"] = self.remote_status
            body["raw_response"] = self.raw_response
        if self.details:
            body["fields"] = [problem.to_dict() for problem in self.details]
        return body

    def __str__(self) -> str:
        return f"{self.error}: {self.message}"

    def __repr__(self) -> str:
        return f"{type(self).__name__}(error={self.error!r}, message={self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        # Exceptions pickle through ``args``; keep every attribute, not just the message.
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[UnimapError], state: dict[str, Any]) -> UnimapError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


def _as_problem(item: FieldProblem | Mapping[str, str]) -> FieldProblem:
    if isinstance(item, FieldProblem):
        return item
    return FieldProblem(field=str(item.get("field", "")), message=str(item.get("message", "")))


class NotFoundError(UnimapError):
    """The record (or route) does not exist at the provider, or an unknown id/email was given."""

    code = "not_found"
    default_status = 404
    default_message = "The requested record was not found."


class ValidationError(UnimapError):
    """A body or parameter is invalid: rejected by the engine before sending, or by the provider.

    ``details`` (also ``fields``) lists every bad field; the message names them too.
    """

    code = "validation_error"
    default_status = 422
    default_message = "The request is invalid."

    @property
    def fields(self) -> list[FieldProblem]:
        """The field problems (same list as ``details``)."""
        return self.details


class UnauthorizedError(UnimapError):
    """The provider rejected the credentials (missing, invalid or revoked token)."""

    code = "unauthorized"
    default_status = 401
    default_message = "The provider rejected the credentials."


class ForbiddenError(UnimapError):
    """The credentials are valid but not allowed to do this (account plan or token scope)."""

    code = "forbidden"
    default_status = 403
    default_message = "The provider does not allow this action for this account or token."


class RateLimitedError(UnimapError):
    """The provider's rate limit was hit and retries were exhausted.

    ``retry_after`` is the number of seconds the provider asked to wait, when it said.
    """

    code = "rate_limited"
    default_status = 429
    default_message = "The provider's rate limit was exceeded; try again later."

    retry_after: float | None

    def __init__(
        self,
        message: str | None = None,
        *,
        retry_after: float | None = None,
        status_code: int | None = None,
        remote: bool = False,
        remote_status: int | None = None,
        raw_response: Any | None = None,
        details: Iterable[FieldProblem | Mapping[str, str]] | None = None,
    ) -> None:
        """Build the error, keeping the provider's ``Retry-After`` in seconds."""
        super().__init__(
            message,
            status_code=status_code,
            remote=remote,
            remote_status=remote_status,
            raw_response=raw_response,
            details=details,
        )
        self.retry_after = retry_after

    def to_dict(self) -> dict[str, Any]:
        """The unified error body, with ``retry_after`` when known."""
        body = super().to_dict()
        if self.retry_after is not None:
            body["retry_after"] = self.retry_after
        return body


class NotSupportedError(UnimapError):
    """The provider's mapping does not support this resource, method, filter or field.

    Built as ``NotSupportedError(operation="contacts.upsert", provider="acme")`` it says
    "contacts.upsert is not supported by acme".
    """

    code = "not_supported"
    default_status = 501
    default_message = "This operation is not supported by the provider."

    def __init__(
        self,
        message: str | None = None,
        *,
        operation: str | None = None,
        provider: str | None = None,
        status_code: int | None = None,
        remote: bool = False,
        remote_status: int | None = None,
        raw_response: Any | None = None,
        details: Iterable[FieldProblem | Mapping[str, str]] | None = None,
    ) -> None:
        """Build the error; with ``operation`` and ``provider`` the message is written for you."""
        if message is None and operation is not None:
            message = f"{operation} is not supported by {provider or 'this provider'}"
        super().__init__(
            message,
            status_code=status_code,
            remote=remote,
            remote_status=remote_status,
            raw_response=raw_response,
            details=details,
        )
        self.operation = operation
        self.provider = provider


class RemoteError(UnimapError):
    """The provider failed or answered in a way with no more specific unified meaning.

    Status 502 by default; a provider ``400`` is surfaced with status 400 (see
    :func:`error_from_response`) because the caller's request is what it refused.
    """

    code = "remote_error"
    default_status = 502
    default_message = "The provider failed to process the request."


class InvalidCursorError(UnimapError):
    """A ``next_cursor``/``prev_cursor`` is malformed, tampered with, or from another call."""

    code = "invalid_cursor"
    default_status = 400
    default_message = "The cursor is invalid or has expired."


class RequestTimeoutError(UnimapError):
    """The provider did not answer in time (client-side timeout, or provider 408/504)."""

    code = "timeout"
    default_status = 504
    default_message = "The provider did not answer in time."


class ConnectionFailedError(UnimapError):
    """The provider could not be reached (DNS, refused connection, TLS failure)."""

    code = "connection_error"
    default_status = 502
    default_message = "The provider could not be reached."


class ConfigurationError(UnimapError):
    """The engine is set up wrongly: unknown provider or resource, bad credentials shape, etc."""

    code = "configuration_error"
    default_status = 400
    default_message = "The configuration is invalid."


class BackendUnavailableError(ConfigurationError):
    """A shared backend named by the environment (the PostgreSQL database of
    `UNIMAP_DATABASE_URL`, the Redis server of `UNIMAP_REDIS_URL`) cannot be reached or used."""

    default_status = 503
    default_message = "A backend of this installation is not reachable."


class SignatureError(UnimapError):
    """A webhook delivery's signature is missing or does not match."""

    code = "invalid_signature"
    default_status = 401
    default_message = "The webhook signature is missing or invalid."


_BY_STATUS: dict[int, type[UnimapError]] = {
    400: RemoteError,
    401: UnauthorizedError,
    403: ForbiddenError,
    404: NotFoundError,
    408: RequestTimeoutError,
    409: ValidationError,
    410: NotFoundError,
    422: ValidationError,
    429: RateLimitedError,
    504: RequestTimeoutError,
}


def error_for_status(status_code: int) -> type[UnimapError]:
    """The unified error class for a provider's HTTP error status.

    401 → unauthorized, 403 → forbidden, 404/410 → not_found, 408/504 → timeout,
    409/422 → validation_error (the provider refused the data: a conflict such as a
    duplicate is something the caller must change), 429 → rate_limited, anything else
    (400, other 4xx, 5xx, unexpected codes) → remote_error.
    """
    return _BY_STATUS.get(status_code, RemoteError)


def error_from_response(
    remote_status: int,
    raw_response: Any | None = None,
    *,
    message: str | None = None,
    retry_after: float | None = None,
    details: Iterable[FieldProblem | Mapping[str, str]] | None = None,
) -> UnimapError:
    """Build the unified error for a provider error response (``remote`` is true).

    The class comes from :func:`error_for_status`. The unified status is the class default,
    except that a provider ``400`` keeps status 400 and a provider ``409`` keeps 409.
    ``message`` defaults to the class's message followed by the provider's own
    ``message`` when its body has one. ``raw_response`` must be the response body only.
    """
    cls = error_for_status(remote_status)
    status = remote_status if remote_status in (400, 409) else None
    if message is None:
        message = cls.default_message
        provider_message = _provider_message(raw_response)
        if provider_message:
            message = f"{message} Provider said: {provider_message}"
    common: dict[str, Any] = {
        "status_code": status,
        "remote": True,
        "remote_status": remote_status,
        "raw_response": raw_response,
        "details": details,
    }
    if cls is RateLimitedError:
        return RateLimitedError(message, retry_after=retry_after, **common)
    return cls(message, **common)


def _provider_message(raw_response: Any | None) -> str | None:
    if isinstance(raw_response, Mapping):
        text = raw_response.get("message")
        if isinstance(text, str) and text.strip():
            return text.strip()
    elif isinstance(raw_response, str) and raw_response.strip():
        return raw_response.strip()[:200]
    return None
