"""Plans for every unified method: generators yielding provider requests (no I/O here)."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from engine.errors import FieldProblem, NotFoundError, UnimapError, ValidationError
from engine.format.common import RequestSpec
from engine.loader import ProviderMapping
from engine.plan.build import build_body, build_query, fill_headers, fill_template
from engine.plan.calls import CallContext
from engine.plan.enrich import enrich
from engine.plan.getting import first_record, get_spec, records_path
from engine.plan.listing import ListPlan
from engine.plan.messages import Plan, ProviderRequest, ProviderResponse
from engine.plan.responses import error_for, raise_for_response
from engine.plan.scope import path_values
from engine.unified.validate import validate_write

BATCH_RETRY_ROUNDS = 3
QUIET_STEPS_PER_PAGE = 50
"""Requests one list page may make while they yield no records (a page of parents, empty
parents); after that the page is answered empty, with a cursor to go on."""
_RETRYABLE_ITEM_STATUSES = frozenset({429, 500, 502, 503, 504})


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


def list_all(ctx: CallContext, filters: dict[str, Any] | None = None) -> Plan[list[dict[str, Any]]]:
    """Every record of a list call (used internally for small lists such as field definitions)."""
    plan = ListPlan(ctx, filters)
    records: list[dict[str, Any]] = []
    while not plan.done:
        response = yield plan.request()
        records.extend(plan.receive(response))
    return records


def build_request(
    ctx: CallContext,
    spec: RequestSpec,
    data: dict[str, Any],
    values: dict[str, Any],
    *,
    purpose: str,
) -> ProviderRequest:
    """A provider request from a declared request spec, the input data and path values."""
    idempotent = ctx.operation.idempotent
    if idempotent is None:
        idempotent = spec.method in ("GET", "PUT", "DELETE")
    values = path_values(ctx.resource, values, ctx.name)
    scope = ctx.scope(data, values)
    return ProviderRequest(
        method=spec.method,
        path=fill_template(spec.path, scope, mapping=ctx.mapping),
        query=tuple(build_query(ctx.mapping, spec.query, scope)),
        headers=fill_headers(ctx.mapping, spec.headers, scope),
        body=build_body(ctx.mapping, spec.body, spec.body_always, scope),
        buckets=tuple(ctx.operation.buckets or ctx.mapping.provider.rate_limits.default_buckets),
        idempotent=idempotent,
        purpose=purpose,
    )


def _record(ctx: CallContext, response: ProviderResponse) -> dict[str, Any]:
    source = ctx.operation.response.record_path
    raw = ctx.mapping.expression(source).search(response.body) if source else response.body
    if not isinstance(raw, dict):
        from engine.errors import RemoteError

        raise RemoteError(
            f"{ctx.name}: the provider's response holds no record",
            remote=True,
            raw_response=response.body,
        )
    return ctx.mapper().map(raw, remote_data=ctx.remote_data)


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


def get(ctx: CallContext, call_id: Any) -> Plan[dict[str, Any]]:
    """A single record by id (or by whatever a route's `id_pattern` accepts, e.g. an email)."""
    record_id = require_id(ctx, call_id)
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
    return _record(ctx, response)


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
    """Delete by id; answers `{"id": ...}`."""
    record_id = require_id(ctx, call_id)
    spec = ctx.operation.request
    assert spec is not None
    response = yield build_request(ctx, spec, {}, {"id": record_id}, purpose=ctx.name)
    raise_for_response(ctx.mapping, response, what=ctx.name)
    _forget_definitions(ctx)
    return {"id": record_id}


def _forget_definitions(ctx: CallContext) -> None:
    """A write to a resource whose records are custom-field definitions drops the cached keys,
    so a key deleted or renamed through this connection is not accepted from a stale cache."""
    with ctx.cache.lock:
        ctx.cache.custom_field_keys.pop(ctx.resource.resource, None)


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
    """A write validated and built, waiting for its response."""

    request: ProviderRequest
    finish: Callable[[ProviderResponse], dict[str, Any]]


def prepare_write(
    ctx: CallContext, call_id: str | None, body: dict[str, Any], known_keys: frozenset[str] | None
) -> PreparedWrite:
    """Validate a body (schema, unsupported fields, custom keys) and build its main request."""
    problems = validate_body(ctx, ctx.method, body)
    if known_keys is not None and isinstance(body, dict):
        problems += _custom_field_problems(ctx, body, known_keys)
    if problems:
        raise ValidationError(f"invalid body for {ctx.name}", details=problems)
    spec = ctx.operation.request
    assert spec is not None
    values = {"id": call_id} if call_id is not None else {}
    request = build_request(ctx, spec, body, values, purpose=ctx.name)

    def finish(response: ProviderResponse) -> dict[str, Any]:
        raise_for_response(ctx.mapping, response, what=ctx.name)
        record = _record(ctx, response)
        outcome = ctx.operation.response.outcome.get(response.status)
        if ctx.method == "upsert":
            record["created"] = outcome == "created" if outcome else None
        return record

    return PreparedWrite(request, finish)


def _needs_custom_keys(ctx: CallContext, bodies: list[Any]) -> set[str]:
    if ctx.resource.custom_fields is None:
        return set()
    keys: set[str] = set()
    for body in bodies:
        if isinstance(body, dict) and isinstance(body.get("custom_fields"), dict):
            keys |= set(body["custom_fields"])
    return keys


def write(ctx: CallContext, call_id: Any, body: Any) -> Plan[dict[str, Any]]:
    """create / update / upsert: validated before anything is sent."""
    record_id = require_id(ctx, call_id) if ctx.method == "update" else None
    problems = validate_body(ctx, ctx.method, body)
    if problems:
        raise ValidationError(f"invalid body for {ctx.name}", details=problems)
    wanted = _needs_custom_keys(ctx, [body])
    known = (yield from custom_field_keys(ctx, wanted)) if wanted else None
    prepared = prepare_write(ctx, record_id, body, known)
    for index, step in enumerate(ctx.operation.before):
        values = ctx.mapping.expression(step.for_each).search(body) or []
        for value in values if isinstance(values, list) else [values]:
            request = build_request(
                ctx,
                step.request,
                body,
                {"id": record_id, step.as_: value},
                purpose=f"{ctx.name} step {index + 1}",
            )
            response = yield request
            raise_for_response(ctx.mapping, response, what=f"{ctx.name} ({step.as_} {value})")
    response = yield prepared.request
    record = prepared.finish(response)
    _forget_definitions(ctx)
    return record


def _item_result_error(error: UnimapError) -> dict[str, Any]:
    return {"success": False, "error": error.to_dict()}


def each(ctx: CallContext, call_id: Any, body: Any) -> Plan[dict[str, Any]]:
    """Custom per-item methods (bulk upsert, list membership): one result per input, in order."""
    spec = ctx.operation.each
    assert spec is not None
    needs_id = ctx.method in ("add_contacts", "remove_contacts")
    record_id = require_id(ctx, call_id) if needs_id else None
    problems = validate_write(ctx.resource.resource, ctx.method, body)
    if problems:
        raise ValidationError(f"invalid body for {ctx.name}", details=problems)
    items: list[Any] = body[spec.items]
    results: list[dict[str, Any] | None] = [None] * len(items)
    prepared: dict[int, PreparedWrite] = {}
    wrap: Callable[[dict[str, Any]], dict[str, Any]]
    if spec.operation is not None:
        item_ctx = ctx.for_method(spec.operation)
        wanted = _needs_custom_keys(item_ctx, items)
        known = (yield from custom_field_keys(item_ctx, wanted)) if wanted else None
        for index, item in enumerate(items):
            try:
                prepared[index] = prepare_write(item_ctx, None, item, known)
            except UnimapError as exc:
                results[index] = _item_result_error(exc)
        wrap = _record_result
    else:
        assert spec.request is not None
        for index, item in enumerate(items):
            values = {"id": record_id, spec.item_name: item}
            request = build_request(
                ctx,
                spec.request,
                {spec.item_name: item},
                values,
                purpose=f"{ctx.name} item {index}",
            )
            prepared[index] = PreparedWrite(
                request, _membership_finish(ctx, spec.result, item, record_id, spec.item_name)
            )
        wrap = _plain_result
    batch = ctx.mapping.provider.batch
    if batch is not None and spec.via_batch and len(prepared) > 1:
        yield from _run_batched(ctx, prepared, results, wrap)
    else:
        for index, item_write in prepared.items():
            response = yield item_write.request
            results[index] = _finish_item(item_write, response, wrap)
    return {"result": results}


def _record_result(record: dict[str, Any]) -> dict[str, Any]:
    created = record.pop("created", None)
    result: dict[str, Any] = {"success": True, "record": record}
    if created is not None:
        result["created"] = created
    return result


def _plain_result(result: dict[str, Any]) -> dict[str, Any]:
    return {"success": True, **result}


def _membership_finish(
    ctx: CallContext, result_spec: dict[str, str], item: Any, record_id: str | None, item_name: str
) -> Callable[[ProviderResponse], dict[str, Any]]:
    def finish(response: ProviderResponse) -> dict[str, Any]:
        raise_for_response(ctx.mapping, response, what=f"{ctx.name} ({item_name} {item})")
        data = {"item": item, "id": record_id}
        return {
            key: ctx.mapping.expression(source).search(data) for key, source in result_spec.items()
        }

    return finish


def _finish_item(
    item_write: PreparedWrite,
    response: ProviderResponse,
    wrap: Callable[[dict[str, Any]], dict[str, Any]],
) -> dict[str, Any]:
    try:
        return wrap(item_write.finish(response))
    except UnimapError as exc:
        return _item_result_error(exc)


def batch_buckets(mapping: ProviderMapping, sub_requests: list[tuple[str, str]]) -> tuple[str, ...]:
    """Buckets a batch of `(method, path)` sub-requests consumes: the defaults, plus each
    declared extra bucket whose method and path every sub-request matches (paths without the
    batch prefix, e.g. an import limit that only upsert-only batches consume)."""
    buckets = list(mapping.provider.rate_limits.default_buckets)
    batch = mapping.provider.batch
    if batch is not None and sub_requests:
        for rule in batch.extra_buckets:
            if all(m == rule.method and p == rule.path for m, p in sub_requests):
                buckets.append(rule.bucket)
    return tuple(buckets)


def _sub_request(prefix: str, request: ProviderRequest) -> dict[str, Any]:
    path = prefix.rstrip("/") + request.path if prefix else request.path.lstrip("/")
    if request.query:
        path += "?" + urlencode(request.query)
    sub: dict[str, Any] = {"method": request.method, "path": path}
    if request.body is not None:
        sub["body"] = request.body
    return sub


def _run_batched(
    ctx: CallContext,
    prepared: dict[int, PreparedWrite],
    results: list[dict[str, Any] | None],
    wrap: Callable[[dict[str, Any]], dict[str, Any]],
) -> Generator[ProviderRequest, ProviderResponse, None]:
    batch = ctx.mapping.provider.batch
    assert batch is not None
    pending = list(prepared)
    for round_no in range(BATCH_RETRY_ROUNDS + 1):
        retry: list[int] = []
        for start in range(0, len(pending), batch.max_items):
            chunk = pending[start : start + batch.max_items]
            requests = [prepared[i].request for i in chunk]
            buckets = batch_buckets(ctx.mapping, [(r.method, r.path) for r in requests])
            batch_request = ProviderRequest(
                method="POST",
                path=fill_template(batch.path, {}),
                body={batch.requests_key: [_sub_request(batch.path_prefix, r) for r in requests]},
                buckets=buckets,
                idempotent=all(r.idempotent for r in requests),
                purpose=f"{ctx.name} batch of {len(chunk)}",
            )
            try:
                response = yield batch_request
            except UnimapError as failure:
                for index in chunk:
                    results[index] = _item_result_error(failure)
                continue
            if not response.ok:
                error = error_for(ctx.mapping, response, what=f"{ctx.name} batch")
                for index in chunk:
                    results[index] = _item_result_error(error)
                continue
            subs = ctx.mapping.expression(batch.responses_path).search(response.body)
            if not isinstance(subs, list) or len(subs) != len(chunk):
                from engine.errors import RemoteError

                error = RemoteError(
                    f"{ctx.name}: the batch response does not hold one answer per request",
                    remote=True,
                    raw_response=response.body,
                )
                for index in chunk:
                    results[index] = _item_result_error(error)
                continue
            for index, sub in zip(chunk, subs, strict=True):
                status = ctx.mapping.expression(batch.status_path).search(sub)
                body = ctx.mapping.expression(batch.body_path).search(sub)
                sub_response = ProviderResponse(
                    int(status) if isinstance(status, int | str) and str(status).isdigit() else 502,
                    {},
                    body,
                )
                if (
                    sub_response.status in _RETRYABLE_ITEM_STATUSES
                    and prepared[index].request.idempotent
                    and round_no < BATCH_RETRY_ROUNDS
                ):
                    retry.append(index)
                    continue
                results[index] = _finish_item(prepared[index], sub_response, wrap)
        if not retry:
            return
        pending = retry
