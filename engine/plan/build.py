"""Building provider requests from templates and per-key expressions (pure)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from engine.errors import FieldProblem, ValidationError
from engine.expressions import CompiledExpression
from engine.expressions.templates import as_text, compile_cached, parse_template, placeholder_value
from engine.loader import ProviderMapping
from engine.plan.messages import ProviderRequest

if TYPE_CHECKING:
    from engine.format.provider import CheckRequest


def fill_template(
    template: str,
    values: Mapping[str, Any],
    *,
    encode: bool = True,
    mapping: ProviderMapping | None = None,
) -> str:
    """Fill `{...}` placeholders (bare names or expressions over `values`); each value is
    percent-encoded as one path segment.

    Encoding every value whole (`/`, `?`, `#`, `%`, `..` included) means no value can change
    the path's structure, the query or the host. Unencoded values (header and auth templates)
    may not hold a line break.
    """
    compile = mapping.expression if mapping is not None else compile_cached
    parts: list[str] = []
    missing: list[str] = []
    for literal, placeholder in parse_template(template):
        parts.append(literal)
        if placeholder is None:
            continue
        value, absent = placeholder_value(placeholder, values, compile)
        if value is None or value == "":
            missing.extend(name for name in absent if name not in missing)
            continue
        try:
            text = as_text(placeholder.source, value)
        except TypeError as exc:
            field = placeholder.source
            raise ValidationError(str(exc), details=[FieldProblem(field, str(exc))]) from None
        parts.append(_checked(placeholder.source, text, encode))
    if missing:
        raise ValidationError(
            "missing " + ", ".join(f"'{m}'" for m in missing),
            details=[FieldProblem(m, "is required") for m in missing],
        )
    return "".join(parts)


def _checked(name: str, text: str, encode: bool) -> str:
    """`text` encoded as one path segment, or (unencoded) refused when it holds a line break."""
    if not encode:
        if "\r" in text or "\n" in text:
            raise ValidationError(
                f"'{name}' may not hold a line break",
                details=[FieldProblem(name, "may not hold a line break")],
            )
        return text
    if text in (".", ".."):
        raise ValidationError(
            f"'{name}' may not be '{text}'",
            details=[FieldProblem(name, "may not be '.' or '..'")],
        )
    return quote(text, safe="")


CONTEXT_NAMES = frozenset({"id", "settings"})
"""Names a request's expressions read besides its input: they never make a key optional."""


def fill_headers(
    mapping: ProviderMapping, headers: Mapping[str, str], scope: Mapping[str, Any]
) -> tuple[tuple[str, str], ...]:
    """Header templates filled over `scope` (unencoded; a line break is refused)."""
    return tuple(
        (name, fill_template(value, scope, encode=False, mapping=mapping))
        for name, value in headers.items()
    )


def given(compiled: CompiledExpression, data: Mapping[str, Any]) -> bool:
    """Whether the input gives what the expression reads; expressions of constants, or of
    `id` and `settings` alone, always are."""
    inputs = compiled.root_fields - CONTEXT_NAMES
    if compiled.reads_whole_input or not inputs:
        return True
    return any(name in data for name in inputs)


def reads_context_only(compiled: CompiledExpression) -> bool:
    """Whether an expression reads `id` or `settings` and no input field."""
    return bool(compiled.root_fields) and compiled.root_fields <= CONTEXT_NAMES


def query_text(value: Any) -> str:
    """A query-parameter value as text (`true`/`false` for booleans)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


def build_query(
    mapping: ProviderMapping, spec: Mapping[str, str], data: Mapping[str, Any]
) -> list[tuple[str, str]]:
    """Query parameters whose inputs are given and whose value is not null."""
    query: list[tuple[str, str]] = []
    for name, source in spec.items():
        compiled = mapping.expression(source)
        if not given(compiled, data):
            continue
        value = compiled.search(data)
        if value is None:
            continue
        if isinstance(value, list):
            query.extend((name, query_text(item)) for item in value if item is not None)
        else:
            query.append((name, query_text(value)))
    return query


IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
"""HTTP methods safe to repeat (RFC 9110 section 9.2.2): the default when a mapping declares
nothing."""


def is_idempotent(method: str, declared: bool | None = None, *, read: bool = False) -> bool:
    """The one idempotency rule: what the mapping declares; else reads (listing and
    enrichment requests, whatever their method) are safe to repeat, as are the
    `IDEMPOTENT_METHODS`."""
    if declared is not None:
        return declared
    return read or method.upper() in IDEMPOTENT_METHODS


def pacing_buckets(
    mapping: ProviderMapping, declared: Iterable[str] | None = None
) -> tuple[str, ...]:
    """The rate-limit buckets a request consumes: those declared, else the provider's
    `default_buckets`."""
    return tuple(declared or mapping.provider.rate_limits.default_buckets)


def provider_request(
    mapping: ProviderMapping,
    method: str,
    path: str,
    *,
    query: Iterable[tuple[str, str]] = (),
    headers: Iterable[tuple[str, str]] = (),
    body: Any = None,
    buckets: Iterable[str] | None = None,
    idempotent: bool | None = None,
    read: bool = False,
    url: str | None = None,
    purpose: str = "",
) -> ProviderRequest:
    """The one way a `ProviderRequest` is built: buckets default to the provider's
    (`pacing_buckets`), idempotency follows `is_idempotent`."""
    return ProviderRequest(
        method=method,
        path=path,
        query=tuple(query),
        headers=tuple(headers),
        body=body,
        buckets=pacing_buckets(mapping, buckets),
        idempotent=is_idempotent(method, idempotent, read=read),
        url=url,
        purpose=purpose,
    )


def fixed_request(
    mapping: ProviderMapping,
    spec: CheckRequest,
    *,
    values: Mapping[str, Any] | None = None,
    body: Any = None,
    purpose: str = "",
) -> ProviderRequest:
    """A request declared with constant query parameters (credential checks, webhook
    management), paced with its declared buckets or the provider's default ones."""
    return provider_request(
        mapping,
        spec.method,
        fill_template(spec.path, values or {}),
        query=spec.query.items(),
        body=body,
        buckets=spec.buckets,
        purpose=purpose,
    )
