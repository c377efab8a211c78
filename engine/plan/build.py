"""Building provider requests from templates and per-key expressions (pure)."""

from __future__ import annotations

import copy
import string
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from engine.errors import FieldProblem, ValidationError
from engine.expressions import CompiledExpression
from engine.format.provider import CheckRequest
from engine.loader import ProviderMapping
from engine.plan.messages import ProviderRequest

_FORMATTER = string.Formatter()


def fill_template(template: str, values: Mapping[str, Any], *, encode: bool = True) -> str:
    """Fill `{name}` placeholders; each value is percent-encoded as one path segment.

    Encoding every value whole (`/`, `?`, `#`, `%`, `..` included) means no value can change
    the path's structure, the query or the host.
    """
    parts: list[str] = []
    missing: list[str] = []
    for literal, name, _spec, _conv in _FORMATTER.parse(template):
        parts.append(literal)
        if name is None:
            continue
        value = values.get(name)
        if value is None or value == "":
            missing.append(name)
            continue
        text = value if isinstance(value, str) else str(value)
        if encode and text in (".", ".."):
            raise ValidationError(
                f"'{name}' may not be '{text}'",
                details=[FieldProblem(name, "may not be '.' or '..'")],
            )
        parts.append(quote(text, safe="") if encode else text)
    if missing:
        raise ValidationError(
            "missing " + ", ".join(f"'{m}'" for m in missing),
            details=[FieldProblem(m, "is required") for m in missing],
        )
    return "".join(parts)


def _given(compiled: CompiledExpression, data: Mapping[str, Any]) -> bool:
    """Whether the input gives what the expression reads (expressions of constants always are)."""
    if compiled.reads_whole_input or not compiled.root_fields:
        return True
    return any(name in data for name in compiled.root_fields)


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
        if not _given(compiled, data):
            continue
        value = compiled.search(data)
        if value is None:
            continue
        if isinstance(value, list):
            query.extend((name, query_text(item)) for item in value if item is not None)
        else:
            query.append((name, query_text(value)))
    return query


def set_path(target: dict[str, Any], dotted: str, value: Any) -> None:
    """Set `a.b.c` inside nested dicts, merging into dicts already there."""
    keys = dotted.split(".")
    node = target
    for key in keys[:-1]:
        child = node.get(key)
        if not isinstance(child, dict):
            child = {}
            node[key] = child
        node = child
    last = keys[-1]
    if isinstance(value, dict) and isinstance(node.get(last), dict):
        node[last].update(copy.deepcopy(value))
    else:
        node[last] = copy.deepcopy(value)


def build_body(
    mapping: ProviderMapping,
    spec: Mapping[str, str] | None,
    always: Mapping[str, str],
    data: Mapping[str, Any],
) -> dict[str, Any] | None:
    """The provider body: a key is sent when the input gives what its expression reads.

    Shallower keys are set first, so `fields: custom_fields` and `fields.name: first_name`
    merge into one `fields` object.
    """
    if spec is None and not always:
        return None
    body: dict[str, Any] = {}
    entries = sorted({**(spec or {}), **always}.items(), key=lambda kv: kv[0].count("."))
    for key, source in entries:
        compiled = mapping.expression(source)
        if key not in always and not _given(compiled, data):
            continue
        set_path(body, key, compiled.search(data))
    return body


def fixed_request(
    mapping: ProviderMapping,
    spec: CheckRequest,
    *,
    values: Mapping[str, Any] | None = None,
    body: Any = None,
    purpose: str = "",
) -> ProviderRequest:
    """A request declared with constant query parameters (credential checks, webhook
    management), paced with the provider's default buckets."""
    return ProviderRequest(
        method=spec.method,
        path=fill_template(spec.path, values or {}),
        query=tuple(spec.query.items()),
        body=body,
        buckets=tuple(mapping.provider.rate_limits.default_buckets),
        idempotent=spec.method in ("GET", "PUT", "DELETE"),
        purpose=purpose,
    )
