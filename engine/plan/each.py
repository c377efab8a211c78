"""Per-item methods (bulk upsert, list membership): one result per input item, in order.

Items go one request each (`each.request`), one request per group (`each.group`), or through
another method of the resource (`each.operation`, with its `before` steps), possibly via the
provider's batch endpoint.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from engine.errors import RemoteError, UnimapError, ValidationError
from engine.plan.batch import run_batched
from engine.plan.calls import CallContext
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.steps import (
    build_request,
    check_response,
    immediate,
    require_id,
    run_before,
)
from engine.plan.writes import PreparedWrite, custom_field_keys, needs_custom_keys, prepare_write
from engine.unified.schemas import takes_id
from engine.unified.validate import validate_write

if TYPE_CHECKING:
    from engine.format.resource import EachItem

Results = list[dict[str, Any] | None]


def item_error(error: UnimapError) -> dict[str, Any]:
    """The result of an item that failed."""
    return {"success": False, "error": error.to_dict()}


def each(ctx: CallContext, call_id: Any, body: Any) -> Plan[dict[str, Any]]:
    """Custom per-item methods: validated first, the method's `before` steps, then the items."""
    spec = ctx.operation.each
    assert spec is not None
    needs_id = takes_id(ctx.resource.resource, ctx.method)
    record_id = require_id(ctx, call_id) if needs_id else None
    problems = validate_write(ctx.resource.resource, ctx.method, body)
    if problems:
        raise ValidationError(f"invalid body for {ctx.name}", details=problems)
    items: list[Any] = body[spec.items]
    results: Results = [None] * len(items)
    yield from run_before(ctx, body, record_id)
    if spec.operation is not None:
        yield from _reuse_operation(ctx, spec, items, results)
    elif spec.group is not None:
        yield from _run_groups(ctx, spec, items, record_id, results)
    else:
        yield from _run_items(ctx, spec, items, record_id, results)
    return {"result": results}


def _reuse_operation(
    ctx: CallContext, spec: EachItem, items: list[Any], results: Results
) -> Plan[None]:
    """Each item written by another method: validated, its `before` steps sent, then the
    item requests (batched when the provider has a batch endpoint)."""
    assert spec.operation is not None
    item_ctx = ctx.for_method(spec.operation)
    wanted = needs_custom_keys(item_ctx, items)
    known = (yield from custom_field_keys(item_ctx, wanted)) if wanted else None
    prepared: dict[int, PreparedWrite] = {}
    for index, item in enumerate(items):
        try:
            prepared[index] = prepare_write(item_ctx, None, item, known)
        except UnimapError as exc:
            results[index] = item_error(exc)
    for index in [i for i, p in prepared.items() if p.before]:
        try:
            for request, what in prepared[index].before:
                response = yield request
                check_response(
                    item_ctx.mapping, response, item_ctx.operation.accept_errors, what=what
                )
        except UnimapError as exc:
            results[index] = item_error(exc)
            del prepared[index]

    def finish(index: int, response: ProviderResponse) -> Plan[dict[str, Any]]:
        try:
            record = yield from prepared[index].finish(response)
        except UnimapError as exc:
            return item_error(exc)
        return _record_result(record)

    requests = {index: p.request for index, p in prepared.items()}
    yield from _send(ctx, spec, requests, results, finish)


def _run_items(
    ctx: CallContext, spec: EachItem, items: list[Any], record_id: str | None, results: Results
) -> Plan[None]:
    """One declared request per item."""
    assert spec.request is not None
    requests: dict[int, ProviderRequest] = {}
    for index, item in enumerate(items):
        values = {"id": record_id, spec.item_name: item}
        requests[index] = build_request(
            ctx, spec.request, {spec.item_name: item}, values, purpose=f"{ctx.name} item {index}"
        )

    def finish(index: int, response: ProviderResponse) -> Plan[dict[str, Any]]:
        item = items[index]
        what = f"{ctx.name} ({spec.item_name} {item})"
        try:
            check_response(ctx.mapping, response, spec.accept_errors, what=what)
        except UnimapError as exc:
            return immediate(item_error(exc))
        return immediate({"success": True, **_result_fields(ctx, spec, item, record_id)})

    yield from _send(ctx, spec, requests, results, finish)


def _send(
    ctx: CallContext,
    spec: EachItem,
    requests: dict[int, ProviderRequest],
    results: Results,
    finish: Callable[[int, ProviderResponse], Plan[dict[str, Any]]],
) -> Plan[None]:
    """Item requests through the batch endpoint when there is one, else one by one."""
    if ctx.mapping.provider.batch is not None and spec.via_batch and len(requests) > 1:
        yield from run_batched(ctx, requests, results, finish, item_error)
        return
    for index, request in requests.items():
        response = yield request
        results[index] = yield from finish(index, response)


def _run_groups(
    ctx: CallContext, spec: EachItem, items: list[Any], record_id: str | None, results: Results
) -> Plan[None]:
    """One request per group of up to `max_items` items; each item answered from it."""
    group = spec.group
    assert group is not None
    for start in range(0, len(items), group.max_items):
        chunk = items[start : start + group.max_items]
        request = build_request(
            ctx,
            group.request,
            {"items": chunk, "id": record_id},
            {"id": record_id},
            purpose=f"{ctx.name} group of {len(chunk)}",
        )
        try:
            response = yield request
            check_response(ctx.mapping, response, spec.accept_errors, what=f"{ctx.name} group")
        except UnimapError as exc:
            for offset in range(len(chunk)):
                results[start + offset] = item_error(exc)
            continue
        for offset, item in enumerate(chunk):
            results[start + offset] = _group_item_result(ctx, spec, item, record_id, response)


def _group_item_result(
    ctx: CallContext, spec: EachItem, item: Any, record_id: str | None, response: ProviderResponse
) -> dict[str, Any]:
    group = spec.group
    assert group is not None
    if group.item_failed is not None:
        scope = {"item": item, "id": record_id, "body": response.body, "status": response.status}
        if ctx.mapping.expression(group.item_failed).search(scope) is True:
            error = RemoteError(
                f"{ctx.name}: {ctx.mapping.provider.label} reported {spec.item_name} "
                f"'{item}' as failed",
                remote=True,
                raw_response=response.body,
            )
            return item_error(error)
    return {"success": True, **_result_fields(ctx, spec, item, record_id)}


def _result_fields(
    ctx: CallContext, spec: EachItem, item: Any, record_id: str | None
) -> dict[str, Any]:
    data = {"item": item, "id": record_id}
    return {key: ctx.mapping.expression(src).search(data) for key, src in spec.result.items()}


def _record_result(record: dict[str, Any]) -> dict[str, Any]:
    created = record.pop("created", None)
    result: dict[str, Any] = {"success": True, "record": record}
    if created is not None:
        result["created"] = created
    return result
