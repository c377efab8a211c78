"""What a create, update or upsert answers: the record in the response, the record read back
through `get`, or the unified input merged with what the response gives."""

from __future__ import annotations

import copy
from typing import Any

from engine.errors import RemoteError
from engine.plan.calls import CallContext
from engine.plan.enrich import enrich
from engine.plan.messages import Plan, ProviderResponse
from engine.plan.operations import get, record_of
from engine.plan.steps import check_response
from engine.unified import schemas as unified


def finish_write(
    ctx: CallContext, call_id: str | None, body: Any, response: ProviderResponse
) -> Plan[dict[str, Any]]:
    """The unified answer of a write once its main response arrived (an accepted error
    counts as success)."""
    check_response(ctx.mapping, response, ctx.operation.accept_errors, what=ctx.name)
    spec = ctx.operation.response
    scope = {
        "input": body,
        "body": response.body,
        "status": response.status,
        "id": call_id,
        "settings": dict(ctx.settings),
    }
    if spec.result == "read_back":
        assert spec.read_back_id is not None
        read_id = ctx.mapping.expression(spec.read_back_id).search(scope)
        if read_id is None or read_id == "":
            raise RemoteError(
                f"{ctx.name}: the write was sent but its response gives no id to read it back",
                remote=True,
                raw_response=response.body,
            )
        record = yield from get(ctx.for_method("get"), read_id)
    elif spec.result == "input":
        record = input_record(ctx, body, scope, response)
    else:
        record = record_of(ctx, response)
    if spec.result != "read_back":  # a read back is a `get`, enriched already
        record = (yield from enrich(ctx, [record]))[0]
    if ctx.method == "upsert":
        record["created"] = was_created(ctx, scope, response.status)
    return record


def input_record(
    ctx: CallContext, body: Any, scope: dict[str, Any], response: ProviderResponse
) -> dict[str, Any]:
    """The unified input as a record: every record field (absent ones empty), the input's
    values, then the operation's `merge` fields."""
    properties = unified.record_schema(ctx.resource.resource).get("properties", {})
    record: dict[str, Any] = {
        name: [] if isinstance(prop, dict) and prop.get("type") == "array" else None
        for name, prop in properties.items()
        if name != "remote_data"
    }
    if isinstance(body, dict):
        record.update({k: copy.deepcopy(v) for k, v in body.items() if k in record})
    for name, source in ctx.operation.response.merge.items():
        record[name] = ctx.mapping.expression(source).search(scope)
    if ctx.remote_data:
        record["remote_data"] = response.body if isinstance(response.body, dict) else {}
    return record


def was_created(ctx: CallContext, scope: dict[str, Any], status: int) -> bool | None:
    """Whether an upsert created its record: by `created`, else by `outcome`, else unknown."""
    spec = ctx.operation.response
    if spec.created is not None:
        return ctx.mapping.expression(spec.created).search(scope) is True
    outcome = spec.outcome.get(status)
    return outcome == "created" if outcome else None
