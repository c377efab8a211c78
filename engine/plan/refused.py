"""Refused values: a unified value a write maps through a provider value map with no entry
for it (and no `_default`) is a validation error naming the unified field, before sending."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from engine.errors import FieldProblem
from engine.expressions.lookups import ValueLookup
from engine.loader import ProviderMapping

if TYPE_CHECKING:
    from engine.format.common import RequestSpec


def _given(mapping: ProviderMapping, source: str, data: Mapping[str, Any]) -> bool:
    compiled = mapping.expression(source)
    if compiled.reads_whole_input or not compiled.root_fields:
        return True
    return any(name in data for name in compiled.root_fields)


def refused_values(
    mapping: ProviderMapping, specs: Iterable[RequestSpec], data: Any
) -> list[FieldProblem]:
    """Problems for values the requests' query and body expressions cannot map (each field
    reported once)."""
    if not isinstance(data, dict):
        return []
    problems: dict[str, FieldProblem] = {}
    for spec in specs:
        for source, lookups in _with_lookups(mapping, spec):
            if not _given(mapping, source, data):
                continue
            for lookup in lookups:
                problem = _check(mapping, lookup.field, lookup.map_name, lookup.argument(data))
                if problem is not None:
                    problems.setdefault(problem.field, problem)
    return list(problems.values())


def _with_lookups(
    mapping: ProviderMapping, spec: RequestSpec
) -> list[tuple[str, tuple[ValueLookup, ...]]]:
    """The spec's query and body expressions that look values up, with their lookups, in
    order (worked out once per mapping: the others can refuse nothing)."""
    sources = (*spec.query.values(), *(spec.body or {}).values(), *spec.body_always.values())

    def build() -> list[tuple[str, tuple[ValueLookup, ...]]]:
        found = [(source, mapping.expression(source).value_lookups) for source in sources]
        return [(source, lookups) for source, lookups in found if lookups]

    return mapping.memo(("value lookups", sources), build)


def _check(mapping: ProviderMapping, field: str, map_name: str, value: Any) -> FieldProblem | None:
    if value is None or isinstance(value, list | dict):
        return None
    value_map = mapping.provider.value_maps.get(map_name, {})
    key = value if isinstance(value, str) else str(value)
    if key in value_map or "_default" in value_map:
        return None
    allowed = ", ".join(sorted(k for k in value_map if k != "_default")) or "none"
    return FieldProblem(
        field, f"'{key}' cannot be written to {mapping.provider.label}; allowed: {allowed}"
    )
