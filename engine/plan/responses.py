"""Provider error responses → unified errors, following the provider's declared error shape."""

from __future__ import annotations

from typing import Any

from engine.errors import (
    FieldProblem,
    UnimapError,
    error_for_status,
    error_from_response,
)
from engine.http_headers import parse_retry_after
from engine.loader import ProviderMapping
from engine.plan.messages import ProviderResponse


def field_problems(mapping: ProviderMapping, body: Any) -> list[FieldProblem]:
    """Per-field messages from the provider's validation errors (an `errors` object by field)."""
    source = mapping.provider.errors.field_errors_path
    if source is None or not isinstance(body, dict):
        return []
    raw = mapping.expression(source).search(body)
    problems: list[FieldProblem] = []
    if isinstance(raw, dict):
        for name, messages in raw.items():
            for message in messages if isinstance(messages, list) else [messages]:
                problems.append(FieldProblem(str(name), str(message)))
    return problems


def error_for(mapping: ProviderMapping, response: ProviderResponse, *, what: str) -> UnimapError:
    """The unified error for a non-2xx provider response."""
    body = response.body
    message_source = mapping.provider.errors.message_path
    provider_message = (
        mapping.expression(message_source).search(body) if isinstance(body, dict) else body
    )
    retry_after = parse_retry_after(
        response.headers.get(mapping.provider.rate_limits.retry_after_header.lower())
    )
    code = mapping.provider.errors.codes.get(response.status)
    default_cls = error_for_status(response.status)
    text = f"{what}: {default_cls.default_message}"
    if isinstance(provider_message, str) and provider_message.strip():
        text = f"{text} {mapping.provider.label} said: {provider_message.strip()[:500]}"
    error = error_from_response(
        response.status,
        body,
        message=text,
        retry_after=retry_after,
        details=field_problems(mapping, body),
    )
    if code is not None:
        error.error = code
    return error


def raise_for_response(mapping: ProviderMapping, response: ProviderResponse, *, what: str) -> None:
    """Raise the unified error unless the response is a success."""
    if not response.ok:
        raise error_for(mapping, response, what=what)
