"""Enrichment: unified fields filled by a second request per record (or per chunk of records).

A resource file's `enrich:` names a unified field and the request that fills it, e.g. a
contact's tags read from `/subscribers/{id}/tags` because the list endpoint omits them. The
plans here run after a `get`, a page of a `list` or a write answer has been mapped: they
yield one read per record (or one per `group.max_items` records when the provider has a bulk
endpoint) and set the field on each record (only those `when` selects).
Pure: requests out, responses in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from engine.errors import RemoteError
from engine.plan.bodies import build_body
from engine.plan.build import (
    build_query,
    fill_headers,
    fill_template,
    provider_request,
)
from engine.plan.calls import CallContext
from engine.plan.messages import Plan, ProviderRequest
from engine.plan.responses import raise_for_response

if TYPE_CHECKING:
    from engine.format.common import RequestSpec
    from engine.format.resource import Enrichment

__all__ = ["describe_enrichments", "enrich", "whole_pages"]


def _request(
    ctx: CallContext, spec: RequestSpec, data: Any, values: dict[str, Any], purpose: str
) -> ProviderRequest:
    """An enrichment read (always safe to repeat), paced with the provider's default buckets."""
    scope = ctx.scope(data, values)
    return provider_request(
        ctx.mapping,
        spec.method,
        fill_template(spec.path, scope, mapping=ctx.mapping),
        query=build_query(ctx.mapping, spec.query, scope),
        headers=fill_headers(ctx.mapping, spec.headers, scope),
        body=build_body(ctx.mapping, spec.body, spec.body_always, scope),
        read=True,
        purpose=purpose,
    )


def _select(ctx: CallContext, source: str | None, body: Any) -> Any:
    return ctx.mapping.expression(source).search(body) if source else body


def _per_record(
    ctx: CallContext, field: str, spec: Enrichment, records: list[dict[str, Any]]
) -> Plan[None]:
    assert spec.request is not None
    value = ctx.mapping.expression(spec.value)
    for record in records:
        what = f"{ctx.name} ({field} of {record['id']})"
        response = yield _request(ctx, spec.request, record, {"id": str(record["id"])}, what)
        raise_for_response(ctx.mapping, response, what=what)
        record[field] = value.search(_select(ctx, spec.records_path, response.body))


def _grouped(
    ctx: CallContext, field: str, spec: Enrichment, records: list[dict[str, Any]]
) -> Plan[None]:
    group = spec.group
    assert group is not None
    value, key = ctx.mapping.expression(spec.value), ctx.mapping.expression(group.key)
    for start in range(0, len(records), group.max_items):
        chunk = records[start : start + group.max_items]
        ids = [str(record["id"]) for record in chunk]
        what = f"{ctx.name} ({field} of {len(ids)} records)"
        response = yield _request(ctx, group.request, {"ids": ids}, {}, what)
        raise_for_response(ctx.mapping, response, what=what)
        items = _select(ctx, group.records_path, response.body) or []
        if not isinstance(items, list):
            raise RemoteError(
                f"{what}: the response has no list at '{group.records_path}'",
                remote=True,
                raw_response=response.body,
            )
        owned: dict[str, list[Any]] = {}
        for item in items:
            owned.setdefault(str(key.search(item)), []).append(item)
        for record in chunk:
            record[field] = value.search(owned.get(str(record["id"]), []))


def enrich(ctx: CallContext, records: list[dict[str, Any]]) -> Plan[list[dict[str, Any]]]:
    """Fill every declared `enrich` field of `records` (mapped unified records, changed in
    place and returned). Records without an id keep what `fields` gave."""
    for field, spec in ctx.resource.enrich.items():
        targets = [r for r in _wanted(ctx, spec, records) if r.get("id") not in (None, "")]
        if not targets:
            continue
        if spec.group is not None:
            yield from _grouped(ctx, field, spec, targets)
        else:
            yield from _per_record(ctx, field, spec, targets)
    return records


def whole_pages(ctx: CallContext) -> bool:
    """Whether a page's records must be enriched together: an enrichment reading records in
    groups sends one request per group of the page's records, so splitting the page would
    send more. Otherwise the records may be enriched a few at a time."""
    return any(spec.group is not None for spec in ctx.resource.enrich.values())


def _wanted(
    ctx: CallContext, spec: Enrichment, records: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The records `spec.when` selects (all of them without a `when`)."""
    if spec.when is None:
        return records
    return ctx.mapping.selector(spec.when)(records)


def describe_enrichments(ctx: CallContext) -> list[dict[str, Any]]:
    """The enrichment requests of a call, for `--explain` (templates; nothing is sent)."""
    described: list[dict[str, Any]] = []
    for field, spec in ctx.resource.enrich.items():
        request = spec.request if spec.group is None else spec.group.request
        assert request is not None
        per = "record" if spec.group is None else f"{spec.group.max_items} records"
        described.append(
            {
                "field": field,
                "method": request.method,
                "path": request.path,
                "query": dict(request.query),
                "one_request_per": per,
            }
        )
    return described
