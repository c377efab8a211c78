"""Building declared requests, running `before` steps, and accepting declared provider errors."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from engine.errors import FieldProblem, ValidationError
from engine.expressions.templates import names_read
from engine.loader import ProviderMapping
from engine.plan.bodies import build_body
from engine.plan.build import (
    build_query,
    fill_headers,
    fill_template,
    provider_request,
)
from engine.plan.calls import CallContext
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.responses import raise_for_response
from engine.plan.scope import path_values

if TYPE_CHECKING:
    from engine.format.common import RequestSpec
    from engine.format.resource import AcceptError, Step

T = TypeVar("T")


def build_request(
    ctx: CallContext,
    spec: RequestSpec,
    data: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    purpose: str,
) -> ProviderRequest:
    """A provider request from a declared request spec, the input data and path values."""
    reads = names_read(spec.path, ctx.mapping.expression)
    for source in spec.query.values():
        reads |= ctx.mapping.expression(source).root_fields
    values = path_values(ctx.resource, dict(values), ctx.name, reads)
    scope = ctx.scope(data, values)
    return provider_request(
        ctx.mapping,
        spec.method,
        fill_template(spec.path, scope, mapping=ctx.mapping),
        query=build_query(ctx.mapping, spec.query, scope),
        headers=fill_headers(ctx.mapping, spec.headers, scope),
        body=build_body(ctx.mapping, spec.body, spec.body_always, scope),
        buckets=ctx.operation.buckets,
        idempotent=ctx.operation.idempotent,
        purpose=purpose,
    )


def require_id(ctx: CallContext, call_id: Any) -> str:
    """The call's id as a string, or a validation error naming `id`."""
    if call_id is None or (isinstance(call_id, str) and not call_id.strip()):
        raise ValidationError(
            f"{ctx.name} needs an id", details=[FieldProblem("id", "is required")]
        )
    if not isinstance(call_id, str | int) or isinstance(call_id, bool):
        raise ValidationError(
            f"{ctx.name}: id must be a string", details=[FieldProblem("id", "must be a string")]
        )
    return str(call_id)


def accepted(
    mapping: ProviderMapping, rules: Sequence[AcceptError], response: ProviderResponse
) -> bool:
    """Whether an error response is one the operation declares as success."""
    for rule in rules:
        if rule.status != response.status:
            continue
        if rule.when is None or mapping.expression(rule.when).search(response.body) is True:
            return True
    return False


def check_response(
    mapping: ProviderMapping,
    response: ProviderResponse,
    rules: Sequence[AcceptError],
    *,
    what: str,
) -> None:
    """Raise the unified error unless the response is a success or an accepted error."""
    if not response.ok and not accepted(mapping, rules, response):
        raise_for_response(mapping, response, what=what)


def before_requests(
    ctx: CallContext, steps: Sequence[Step], data: Any, call_id: str | None
) -> Iterator[tuple[ProviderRequest, str]]:
    """The requests of `before` steps, each with what it is for (messages): one per value
    its `for_each` gives over the call's scope (`data`, `id` and `settings`)."""
    scope = ctx.scope(data, {"id": call_id})
    for index, step in enumerate(steps):
        values = ctx.mapping.expression(step.for_each).search(scope)
        if values is None:
            continue
        for value in values if isinstance(values, list) else [values]:
            request = build_request(
                ctx,
                step.request,
                data if isinstance(data, dict) else {},
                {"id": call_id, step.as_: value},
                purpose=f"{ctx.name} step {index + 1}",
            )
            yield request, f"{ctx.name} ({step.as_} {value})"


def run_requests(ctx: CallContext, requests: Sequence[tuple[ProviderRequest, str]]) -> Plan[None]:
    """Send prepared step requests in order; the first failure (not accepted) is raised."""
    for request, what in requests:
        response = yield request
        check_response(ctx.mapping, response, ctx.operation.accept_errors, what=what)


def run_before(ctx: CallContext, data: Any, call_id: str | None) -> Plan[None]:
    """Run the operation's `before` steps over the call's input."""
    yield from run_requests(ctx, list(before_requests(ctx, ctx.operation.before, data, call_id)))


def immediate(value: T) -> Plan[T]:
    """A plan that sends nothing and answers `value` (for callbacks that may send)."""
    return value
    yield  # unreachable: makes this function a generator
