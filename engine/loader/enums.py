"""Value maps against the contract's closed sets (contact `status`, custom field `type`…).

A record field with a closed set of values, mapped as `map_value(x, 'm')`, must get only
values of that set from `m`; a request expression `map_value(f, 'm')` over a unified field
`f` with a closed set must list only values of that set as keys of `m`. The sets come from
the unified schemas (`engine.unified.schemas.field_enum`), never from a list kept here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import jmespath

from engine.expressions.limits import parse_bounded
from engine.format.common import RequestSpec
from engine.format.resource import ResourceFile
from engine.loader.problems import DataPath
from engine.unified import schemas as unified

if TYPE_CHECKING:
    from engine.loader.checks import _Checker

ValueMaps = dict[str, dict[str, str | None]]


def check_enum_maps(checker: _Checker, resource: ResourceFile, value_maps: ValueMaps) -> None:
    """Report value-map entries outside the unified closed sets they feed or read."""
    name = resource.resource
    for fields_path, fields in _field_mappings(resource):
        for field, source in fields.items():
            found = _direct_map(source)
            enum = _enum(name, field)
            if found is None or not enum or found[1] not in value_maps:
                continue
            for value in value_maps[found[1]].values():
                if value is not None and value not in enum:
                    checker.report(
                        (*fields_path, field),
                        f"value map '{found[1]}' gives '{value}', which is not a unified "
                        f"{field} (one of: {', '.join(enum)})",
                    )
    for path, source in _request_expressions(resource):
        found = _direct_map(source)
        if found is None or found[1] not in value_maps:
            continue
        enum = _enum(name, found[0])
        for key in value_maps[found[1]]:
            if enum and key != "_default" and key not in enum:
                checker.report(
                    path,
                    f"value map '{found[1]}' has the key '{key}', which is not a unified "
                    f"{found[0]} (one of: {', '.join(enum)})",
                )


def _enum(resource: str, field: str) -> tuple[str, ...]:
    if field not in unified.resource_fields(resource):
        return ()
    return unified.field_enum(resource, field)


def _field_mappings(resource: ResourceFile) -> Iterator[tuple[DataPath, dict[str, str]]]:
    yield ("fields",), resource.fields
    for method, operation in resource.operations.items():
        if operation.response.fields is not None:
            yield ("operations", method, "response", "fields"), operation.response.fields


def _request_expressions(resource: ResourceFile) -> Iterator[tuple[DataPath, str]]:
    for method, operation in resource.operations.items():
        base: DataPath = ("operations", method)
        if operation.request is not None:
            yield from _request_values((*base, "request"), operation.request)
        for index, route in enumerate(operation.routes):
            for key, source in (route.query or {}).items():
                yield (*base, "routes", index, "query", key), source


def _request_values(path: DataPath, request: RequestSpec) -> Iterator[tuple[DataPath, str]]:
    for key, source in request.query.items():
        yield (*path, "query", key), source
    for key, source in (request.body or {}).items():
        yield (*path, "body", key), source


def _direct_map(source: str) -> tuple[str, str] | None:
    """`(field, map)` when `source` is exactly `map_value(field, 'map')`, else None."""
    try:
        tree = parse_bounded(source)
    except (jmespath.exceptions.JMESPathError, ValueError):  # reported where it is compiled
        return None
    if tree.get("type") != "function_expression" or tree.get("value") != "map_value":
        return None
    argument, name = (tree.get("children") or [None, None])[:2]
    if not isinstance(argument, dict) or argument.get("type") != "field":
        return None
    if not isinstance(name, dict) or not isinstance(name.get("value"), str):
        return None
    return argument["value"], name["value"]
