"""Plans for the reading methods and delete: generators yielding provider requests (no I/O).

Writes live in `writes.py`, per-item methods in `each.py`, the batch endpoint in `batch.py`.
"""

from __future__ import annotations

from typing import Any

from engine.errors import NotFoundError, RemoteError
from engine.plan.calls import CallContext
from engine.plan.enrich import enrich
from engine.plan.getting import first_record, get_spec, records_path
from engine.plan.listing import ListPlan
from engine.plan.messages import Plan, ProviderResponse
from engine.plan.pending import PendingPage
from engine.plan.responses import raise_for_response
from engine.plan.steps import build_request, check_response, require_id, run_before

__all__ = [
    "build_request",
    "delete",
    "get",
    "list_all",
    "list_page",
    "next_page",
    "next_records",
    "require_id",
]

QUIET_STEPS_PER_PAGE = 50
"""Requests one list page may make while they yield no records (a page of parents, empty
parents); after that the page is answered empty, with a cursor to go on."""


def list_page(
    ctx: CallContext, filters: dict[str, Any] | None, limit: int | None, cursor: str | None
) -> Plan[dict[str, Any]]:
    """One page of a list call, as the unified envelope (a listing across parents may read
    parents, or skip empty ones, before the page's records)."""
    plan = ListPlan(ctx, filters, limit, cursor)
    records: list[dict[str, Any]] = []
    for _ in range(QUIET_STEPS_PER_PAGE):
        response = yield plan.request()
        records = plan.receive(response)
        if records or plan.done:
            break
    records = yield from enrich(ctx, records)
    return plan.envelope(records)


def next_records(ctx: CallContext, plan: ListPlan) -> Plan[list[dict[str, Any]]]:
    """The next page of an open list call, as enriched records: one step of
    `Connection.iterate`, run by a driver so that a failed request is thrown into it."""
    response = yield plan.request()
    records = plan.receive(response)
    return (yield from enrich(ctx, records))


def next_page(ctx: CallContext, plan: ListPlan) -> Plan[PendingPage]:
    """The next page of an open list call, its records mapped (and then enriched) only as
    they are read: one step of `Connection.iterate`."""
    response = yield plan.request()
    return plan.receive_pending(response)


def list_all(ctx: CallContext, filters: dict[str, Any] | None = None) -> Plan[list[dict[str, Any]]]:
    """Every record of a list call (used internally for small lists such as field definitions)."""
    plan = ListPlan(ctx, filters)
    records: list[dict[str, Any]] = []
    while not plan.done:
        response = yield plan.request()
        records.extend(plan.receive(response))
    return records


def record_of(ctx: CallContext, response: ProviderResponse) -> dict[str, Any]:
    """The unified record in a response (at the operation's `record_path`)."""
    source = ctx.operation.response.record_path
    raw = ctx.mapping.expression(source).search(response.body) if source else response.body
    if not isinstance(raw, dict):
        raise RemoteError(
            f"{ctx.name}: the provider's response holds no record",
            remote=True,
            raw_response=response.body,
        )
    return ctx.mapper().map(raw, remote_data=ctx.remote_data)


def get(ctx: CallContext, call_id: Any) -> Plan[dict[str, Any]]:
    """A single record by id (or by whatever a route's `id_pattern` accepts, e.g. an email)."""
    record_id = require_id(ctx, call_id)
    yield from run_before(ctx, {"id": record_id}, record_id)
    record = yield from _fetch(ctx, record_id)
    return (yield from enrich(ctx, [record]))[0]


def _fetch(ctx: CallContext, record_id: str) -> Plan[dict[str, Any]]:
    """The record of a get, before enrichment."""
    if ctx.operation.lookup is not None:
        return (yield from _lookup(ctx, record_id))
    spec, route = get_spec(ctx, record_id)
    response = yield build_request(ctx, spec, {}, {"id": record_id}, purpose=ctx.name)
    raise_for_response(ctx.mapping, response, what=ctx.name)
    source = records_path(ctx, route)
    if source is not None:
        return first_record(ctx, response, source, record_id)
    return record_of(ctx, response)


def _lookup(ctx: CallContext, record_id: str) -> Plan[dict[str, Any]]:
    assert ctx.operation.lookup is not None
    field = ctx.operation.lookup.match_field
    plan = ListPlan(ctx.for_method("list"))
    while not plan.done:
        response = yield plan.request()
        for record in plan.receive(response):
            if str(record.get(field)) == record_id:
                if not ctx.remote_data:
                    record.pop("remote_data", None)
                return record
    raise NotFoundError(f"{ctx.name}: no {ctx.resource.resource} with {field} '{record_id}'")


def delete(ctx: CallContext, call_id: Any) -> Plan[dict[str, Any]]:
    """Delete by id after the operation's `before` steps; answers `{"id": ...}`."""
    record_id = require_id(ctx, call_id)
    spec = ctx.operation.request
    assert spec is not None
    request = build_request(ctx, spec, {"id": record_id}, {"id": record_id}, purpose=ctx.name)
    yield from run_before(ctx, {"id": record_id}, record_id)
    response = yield request
    check_response(ctx.mapping, response, ctx.operation.accept_errors, what=ctx.name)
    forget_definitions(ctx)
    return {"id": record_id}


def forget_definitions(ctx: CallContext) -> None:
    """A write to a resource whose records are custom-field definitions drops the cached keys,
    so a key deleted or renamed through this connection is not accepted from a stale cache."""
    with ctx.cache.lock:
        ctx.cache.custom_field_keys.pop(ctx.resource.resource, None)
