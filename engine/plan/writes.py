"""Plans for create, update and upsert: validated before anything is sent (no I/O here)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from engine.errors import FieldProblem, ValidationError
from engine.plan.calls import CallContext
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.operations import forget_definitions, list_all
from engine.plan.refused import refused_values
from engine.plan.steps import before_requests, build_request, require_id, run_requests
from engine.plan.write_results import finish_write
from engine.unified.schemas import takes_id
from engine.unified.validate import validate_write


def validate_body(ctx: CallContext, method: str, body: Any) -> list[FieldProblem]:
    """Problems of a write body: the unified schema plus the fields this provider cannot write."""
    problems = validate_write(ctx.resource.resource, method, body)
    if isinstance(body, dict):
        for name, reason in ctx.operation.unsupported_fields.items():
            given = _given_paths(body, name.split(".")) if "." in name else [name] * (name in body)
            for path in given:
                problems.append(
                    FieldProblem(
                        path, f"cannot be written to {ctx.mapping.provider.label}: {reason}"
                    )
                )
    return problems


def _given_paths(value: Any, parts: list[str], prefix: str = "") -> list[str]:
    """Where a dotted unsupported name (`phones.type`, `addresses.1`) is given a non-null value.

    A name segment applies to every item of a list; a numeric segment picks one item.
    """
    if not parts:
        return [prefix] if value is not None else []
    head, rest = parts[0], parts[1:]
    if isinstance(value, list):
        if head.isdigit():
            index = int(head)
            return (
                _given_paths(value[index], rest, f"{prefix}.{index}") if index < len(value) else []
            )
        return [
            p for i, item in enumerate(value) for p in _given_paths(item, parts, f"{prefix}.{i}")
        ]
    if isinstance(value, dict) and head in value:
        return _given_paths(value[head], rest, f"{prefix}.{head}" if prefix else head)
    return []


def custom_field_keys(ctx: CallContext, wanted: set[str]) -> Plan[frozenset[str]]:
    """The account's custom-field keys, fetched once per connection, refreshed on a miss."""
    rules = ctx.resource.custom_fields
    assert rules is not None
    cache = ctx.cache
    with cache.lock:
        known = cache.custom_field_keys.get(rules.source)
    if known is None or not wanted <= known:
        definitions = yield from list_all(_source_context(ctx, rules.source))
        known = frozenset(
            str(d.get(rules.key_field)) for d in definitions if d.get(rules.key_field) is not None
        )
        with cache.lock:
            cache.custom_field_keys[rules.source] = known
    return known


def _source_context(ctx: CallContext, resource: str) -> CallContext:
    from engine.plan.calls import resolve

    return resolve(
        ctx.mapping, resource, "list", ctx.cursor_key, ctx.cache, False, ctx.settings
    )


def _custom_field_problems(
    ctx: CallContext, body: dict[str, Any], known: frozenset[str]
) -> list[FieldProblem]:
    rules = ctx.resource.custom_fields
    assert rules is not None
    problems = []
    for key in body.get("custom_fields") or {}:
        if key in rules.reserved_keys:
            problems.append(
                FieldProblem(
                    f"custom_fields.{key}",
                    f"'{key}' is written through its unified field, not as a custom field",
                )
            )
        elif key not in known:
            from engine.suggest import did_you_mean

            writable = sorted(known - set(rules.reserved_keys))
            problems.append(
                FieldProblem(
                    f"custom_fields.{key}",
                    f"unknown custom field '{key}'{did_you_mean(key, writable)}; "
                    f"defined: {', '.join(writable) or 'none'}",
                )
            )
    return problems


@dataclass
class PreparedWrite:
    """A write validated and built, waiting for its response.

    `before` holds the requests of its `before` steps (sent first, in order); `finish` turns
    the main response into the unified answer (it may read the record back).
    """

    request: ProviderRequest
    finish: Callable[[ProviderResponse], Plan[dict[str, Any]]]
    before: list[tuple[ProviderRequest, str]] = field(default_factory=list)


def prepare_write(
    ctx: CallContext,
    call_id: str | None,
    body: dict[str, Any],
    known_keys: frozenset[str] | None,
    *,
    checked: bool = False,
) -> PreparedWrite:
    """Validate a body (schema, unsupported fields, custom keys, refused values) and build
    its `before` requests and main request; `checked` when `checked_write` already passed it
    (only the custom keys are left to check)."""
    spec = ctx.operation.request
    assert spec is not None
    specs = [spec, *(step.request for step in ctx.operation.before)]
    problems = [] if checked else validate_body(ctx, ctx.method, body)
    if known_keys is not None and isinstance(body, dict):
        problems += _custom_field_problems(ctx, body, known_keys)
    if not checked:
        problems += refused_values(ctx.mapping, specs, body)
    if problems:
        raise ValidationError(f"invalid body for {ctx.name}", details=problems)
    values = {"id": call_id} if call_id is not None else {}
    request = build_request(ctx, spec, body, values, purpose=ctx.name)
    before = list(before_requests(ctx, ctx.operation.before, body, call_id))

    def finish(response: ProviderResponse) -> Plan[dict[str, Any]]:
        return finish_write(ctx, call_id, body, response)

    return PreparedWrite(request, finish, before)


def needs_custom_keys(ctx: CallContext, bodies: list[Any]) -> set[str]:
    """The custom-field keys the bodies write (checked against the account's definitions)."""
    if ctx.resource.custom_fields is None:
        return set()
    keys: set[str] = set()
    for body in bodies:
        if isinstance(body, dict) and isinstance(body.get("custom_fields"), dict):
            keys |= set(body["custom_fields"])
    return keys


def checked_write(ctx: CallContext, call_id: Any, body: Any) -> str | None:
    """The record id of a write (an update needs one) once its body is valid; raises
    `ValidationError` naming the problems before anything is sent."""
    record_id = require_id(ctx, call_id) if takes_id(ctx.resource.resource, ctx.method) else None
    problems = validate_body(ctx, ctx.method, body)
    if not problems and ctx.operation.request is not None:
        specs = [ctx.operation.request, *(step.request for step in ctx.operation.before)]
        problems = refused_values(ctx.mapping, specs, body)
    if problems:
        raise ValidationError(f"invalid body for {ctx.name}", details=problems)
    return record_id


def preview_write(ctx: CallContext, call_id: Any, body: Any) -> PreparedWrite:
    """The requests `write` would send (its `before` steps, then the main request), checked
    the same way, without reading the account's custom-field definitions (for `--explain`)."""
    return prepare_write(ctx, checked_write(ctx, call_id, body), body, None, checked=True)


def write(ctx: CallContext, call_id: Any, body: Any) -> Plan[dict[str, Any]]:
    """create / update / upsert: validated before anything is sent."""
    record_id = checked_write(ctx, call_id, body)
    wanted = needs_custom_keys(ctx, [body])
    known = (yield from custom_field_keys(ctx, wanted)) if wanted else None
    prepared = prepare_write(ctx, record_id, body, known, checked=True)
    yield from run_requests(ctx, prepared.before)
    response = yield prepared.request
    record = yield from prepared.finish(response)
    forget_definitions(ctx)
    return record
