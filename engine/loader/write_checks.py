"""Cross-reference checks of the write features: `before` steps, `each` (items, groups,
reused operations), `accept_errors`, and what a write answers (`response.result`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from engine.format.resource import AcceptError, Operation, ResourceFile
from engine.loader.problems import DataPath
from engine.suggest import did_you_mean
from engine.unified import schemas as unified
from engine.unified.schemas import RECORD_WRITES

if TYPE_CHECKING:
    from engine.format.common import RequestSpec
    from engine.loader.checks import _Checker

RequestCheck = Callable[["_Checker", DataPath, "RequestSpec", set[str], set[str], str], None]


def step_inputs(resource: str, method: str) -> set[str]:
    """What the `before` steps of `method` read: `id` for get and delete, else the body."""
    if method in ("get", "delete"):
        return {"id"}
    if method in RECORD_WRITES:
        return unified.writable_fields(resource)
    schema: dict[str, Any] = unified.write_schema(resource, method) or {}
    return set(schema.get("properties", {}))


def check_write_features(
    checker: _Checker,
    resource: ResourceFile,
    method: str,
    operation: Operation,
    path: DataPath,
    fillers: set[str],
    check_request: RequestCheck,
) -> None:
    """Problems of `before`, `each`, `accept_errors` and `response.result` of one operation."""
    write = _Write(checker, resource, method, operation, fillers, check_request)
    _check_steps(write, path)
    _check_accept(checker, (*path, "accept_errors"), operation.accept_errors)
    if operation.accept_errors and method in ("list", "get"):
        checker.report((*path, "accept_errors"), f"'{method}' cannot accept provider errors")
    if operation.each is not None:
        _check_each(write, (*path, "each"))
    _check_result(checker, resource, method, operation, (*path, "response"))


@dataclass(frozen=True, slots=True)
class _Write:
    """One operation under check, with what the checks of its parts share."""

    checker: _Checker
    resource: ResourceFile
    method: str
    operation: Operation
    fillers: set[str]
    check_request: RequestCheck


def _check_steps(write: _Write, path: DataPath) -> None:
    checker, method, operation = write.checker, write.method, write.operation
    if operation.before and method == "list":
        checker.report((*path, "before"), "'list' does not run 'before' steps")
        return
    inputs = step_inputs(write.resource.resource, method)
    what = "input of this method" if method not in RECORD_WRITES else "writable unified field"
    for index, step in enumerate(operation.before):
        step_path: DataPath = (*path, "before", index)
        compiled = checker.expression((*step_path, "for_each"), step.for_each)
        if compiled is not None:
            for name in sorted(compiled.root_fields - inputs - {"settings"}):
                hint = did_you_mean(name, inputs)
                message = f"reads '{name}', which is not a {what}{hint}"
                checker.report((*step_path, "for_each"), message)
        step_fillers = write.fillers | {step.as_}
        write.check_request(
            checker, (*step_path, "request"), step.request, step_fillers, inputs, what
        )


def _check_accept(checker: _Checker, path: DataPath, rules: list[AcceptError]) -> None:
    for index, rule in enumerate(rules):
        if rule.when is not None:
            checker.expression((*path, index, "when"), rule.when)


def _check_each(write: _Write, path: DataPath) -> None:
    checker, resource, method, fillers = write.checker, write.resource, write.method, write.fillers
    check_request = write.check_request
    each = write.operation.each
    assert each is not None
    if each.operation is not None:
        reused = resource.operations.get(each.operation)
        if reused is None:
            hint = did_you_mean(each.operation, resource.operations)
            checker.report((*path, "operation"), f"unknown operation '{each.operation}'{hint}")
        elif each.operation == method:
            checker.report((*path, "operation"), f"'{method}' cannot apply itself to each item")
        elif each.operation not in RECORD_WRITES or reused.request is None:
            checker.report(
                (*path, "operation"),
                f"'{each.operation}' cannot be applied to each item: the reused operation must "
                "be a create, update or upsert with a 'request'",
            )
    if each.request is not None:
        item_inputs = {each.item_name, "id"}
        item_what = f"per-item input ('{each.item_name}' or 'id')"
        request_fillers = fillers | item_inputs
        check_request(
            checker, (*path, "request"), each.request, request_fillers, item_inputs, item_what
        )
    if each.group is not None:
        group_inputs = {"items", "id"}
        group_what = "group input ('items' or 'id')"
        request_path: DataPath = (*path, "group", "request")
        check_request(checker, request_path, each.group.request, fillers, group_inputs, group_what)
        if each.group.item_failed is not None:
            checker.expression((*path, "group", "item_failed"), each.group.item_failed)
    for key, source in each.result.items():
        checker.expression((*path, "result", key), source)
    _check_accept(checker, (*path, "accept_errors"), each.accept_errors)


def _check_result(
    checker: _Checker, resource: ResourceFile, method: str, operation: Operation, path: DataPath
) -> None:
    response = operation.response
    if response.result != "record" and method not in RECORD_WRITES:
        checker.report((*path, "result"), "'result' applies to create, update and upsert only")
    if response.outcome and method != "upsert":
        message = "'outcome' applies to upsert only (only an upsert answers 'created')"
        checker.report((*path, "outcome"), message)
    if response.created is not None:
        if method != "upsert":
            checker.report((*path, "created"), "'created' applies to upsert only")
        checker.expression((*path, "created"), response.created)
    if response.read_back_id is not None:
        checker.expression((*path, "read_back_id"), response.read_back_id)
        reader = resource.operations.get("get")
        if reader is None or reader.not_supported is not None:
            checker.report(
                (*path, "result"), "'result: read_back' needs a supported 'get' operation"
            )
    record_fields = unified.resource_fields(resource.resource)
    for name, source in response.merge.items():
        if name not in record_fields:
            hint = did_you_mean(name, record_fields)
            checker.report(
                (*path, "merge", name), f"unknown unified field '{name}'{hint}", key=True
            )
        checker.expression((*path, "merge", name), source)
